/* lincheck.h - is a history of client operations linearizable (Herlihy &
 * Wing) against a key-value store of get, put, append, cas and delete?
 *
 * P-compositionality (Horn & Kroening): a history is linearizable iff each
 * key's sub-history is, so every key is checked on its own. Unique written
 * values (history.h) let most keys be decided by inference from values to
 * the order of operations (Gibbons & Korach; Elle); where that cannot
 * decide, a Wing & Gong / Lowe search with memoization of (linearized set,
 * state) does. An operation that ended in `fail` never took effect and is
 * left out; one that ended in `info`, or never ended, may have taken effect
 * at any time after its invoke, or never.
 */
#ifndef LINCHECK_H
#define LINCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "history.h"

struct lincheck; /* lincheck.c */

enum lincheck_verdict {
	LINCHECK_OK = 0,        /* linearizable */
	LINCHECK_ILLEGAL = 1,   /* not linearizable */
	LINCHECK_BAD_INPUT = 2, /* a history that is not well formed */
	LINCHECK_UNKNOWN = 4,   /* undecided within the time limit */
	LINCHECK_NOMEM = 3,     /* ran out of memory */
};

struct lincheck_stats {
	uint64_t operations; /* invokes */
	uint64_t keys;
	uint64_t keys_by_inference; /* decided without the search */
	uint64_t keys_searched;
	uint64_t open;   /* info, or no completion */
	uint64_t failed; /* fail: left out */
};

/* NULL when out of memory. */
struct lincheck *lincheck_new(void);
void lincheck_free(struct lincheck *lc);

/* Adds one event, in an order that respects each client's own order.
 * Returns 0, or -1 when the event does not fit the history (a completion
 * with no open invoke of that client and id, an invoke while the client
 * has an operation open that is not an info, a duplicate id, ...) with a
 * message in err, or when out of memory (errno is then ENOMEM, as the
 * allocation that failed set it; a caller tells the two apart by it). */
int lincheck_add(struct lincheck *lc, const struct hist_event *ev, char *err,
		 size_t errcap);

/* Decides the history added so far. timeout_us <= 0: no limit. When
 * illegal, writes to `report` (may be NULL) the smallest failing key's
 * operations and the point where no order works. */
enum lincheck_verdict lincheck_run(struct lincheck *lc, int64_t timeout_us,
				   FILE *report);
void lincheck_get_stats(const struct lincheck *lc, struct lincheck_stats *out);

/* `raftsim lincheck FILE [--timeout S]`: argv[0] is "lincheck". Returns
 * the exit code (the verdict's value). */
int lincheck_main(int argc, char **argv, FILE *out, FILE *err);

#endif

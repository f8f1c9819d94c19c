/* fenced.h - the fenced store (--fenced-store): an external resource that
 * stands outside the cluster, like the storage service in Kleppmann's "How
 * to do distributed locking" (lesson L05). Leaders write to it when they
 * apply a client's write (service.h: mirrored), each write carrying the
 * leader's term as its fencing token.
 *
 * Contract: the store keeps the highest token it has seen. A write whose
 * token is at least that is accepted (an equal token is the same leader's:
 * one term has one leader, §5.2); a lower one comes from a leader that was
 * deposed while it was delayed, and is refused. With the no-fencing
 * mistake every write is accepted, and one below the highest counts as a
 * stale write accepted: what fencing exists to prevent (the checker counts
 * them; correct code has 0).
 *
 * Pure and not thread-safe: the harness takes HARNESS_LOCK_FENCED around
 * every call (harness.h).
 */
#ifndef FENCED_H
#define FENCED_H

#include <stdbool.h>
#include <stdint.h>

enum fenced_result {
	FENCED_ACCEPTED,       /* token >= highest */
	FENCED_REFUSED,        /* token < highest: fenced off */
	FENCED_STALE_ACCEPTED, /* token < highest, taken (no-fencing) */
};

struct fenced_stats {
	uint64_t accepted; /* every write taken, stale ones included */
	uint64_t refused;
	uint64_t stale_accepted;
};

struct fenced {
	bool no_fencing; /* the mistake: any token is taken */
	uint64_t highest;
	struct fenced_stats stats;
};

void fenced_init(struct fenced *f, bool no_fencing);

/* A write with `token`. *highest gets the highest token seen before it. */
enum fenced_result fenced_write(struct fenced *f, uint64_t token,
				uint64_t *highest);

#endif

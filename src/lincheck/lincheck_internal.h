/* lincheck_internal.h - what the checker's files share: the operations
 * as added (one array), strings interned once (an id each; 0 is JSON
 * null, "absent"), the per-key verdict and its explanation.
 *
 * lincheck_add.c    events become operations
 * lincheck.c        the partition by key, real time at one instant, the
 *                   verdict
 * lincheck_intern.c the string table
 * lincheck_infer.c  unique-value inference (Gibbons & Korach): blocks
 *                   and chains; lincheck_order.c: their order, and the
 *                   witness that makes every OK it gives certain
 * lincheck_infer_append.c, lincheck_append_order.c: the same for keys
 *                   with appends and deletes of unique chunks (Elle)
 * lincheck_search.c the Wing & Gong / Lowe search, memoized; the store
 * history.c, history_json.c: the line format (history.h)
 * lincheck_report.c the explanation of an illegal key
 * lincheck_main.c   `raftsim lincheck FILE`
 */
#ifndef LINCHECK_INTERNAL_H
#define LINCHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lincheck.h"

#define LC_NULL 0u        /* the interned id of JSON null: absent */
#define LC_OPEN INT64_MAX /* the completion time of an open operation */
#define LC_MEM_LIMIT (640ull << 20) /* bytes of search state, < 1 GiB RSS */

enum lc_status { LC_PENDING, LC_OK, LC_FAIL, LC_INFO };

struct lc_op {
	int client;
	uint64_t id;
	enum hist_op op;
	enum lc_status status;
	uint32_t key;
	uint32_t value;  /* put, append, cas: the new value */
	uint32_t expect; /* cas */
	uint32_t result; /* ok of a get: the value read */
	bool swapped;    /* ok of a cas */
	int64_t inv;
	int64_t ret;   /* LC_OPEN: info, or no completion */
	uint32_t prev; /* the client's op before it, or UINT32_MAX */
	uint8_t tie;   /* lincheck.c: scale_times() */
};

/* Interned strings: bytes in one arena, looked up by content. */
struct lc_strings {
	char *bytes;
	size_t used, cap;
	size_t *off; /* per id: where its bytes start */
	uint32_t *len;
	uint32_t count, idcap;
	uint32_t *slots; /* open addressing: id + 1, 0 = empty */
	uint32_t mask;
};

int lc_strings_init(struct lc_strings *t);
void lc_strings_free(struct lc_strings *t);
/* The id of (s, len), added when new; -1 when out of memory. */
int64_t lc_intern(struct lc_strings *t, const char *s, size_t len);
const char *lc_string(const struct lc_strings *t, uint32_t id, size_t *len);
size_t lc_strings_bytes(const struct lc_strings *t);

/* One key's verdict, and for an illegal key what the report needs. */
enum lc_key_verdict {
	LC_KEY_OK,
	LC_KEY_ILLEGAL,
	LC_KEY_UNDECIDED,
	LC_KEY_TIMEOUT,
	LC_KEY_NOMEM
};

struct lc_why {
	char text[1024];  /* the point where no order works, in words */
	uint32_t *prefix; /* op indices linearized before it (search) */
	size_t prefix_len;
	int64_t blocked;     /* the op that cannot be placed, or -1 */
	int64_t involved[4]; /* ops the text names (0: none; else op + 1) */
};

struct lc_key {
	const uint32_t *ops; /* indices into the op array, by invoke time */
	size_t n;
	uint32_t key;
};

struct lincheck {
	struct lc_op *ops;
	size_t n_ops, cap_ops;
	struct lc_strings strings;
	/* clients: open addressing on the client number */
	struct lc_client *clients;
	uint32_t n_clients, client_mask;
	/* (client, id) pairs seen: duplicates are refused */
	uint64_t *ids;
	uint32_t n_ids, id_mask;
	struct lincheck_stats stats;
	/* scratch of the inference, indexed by string id */
	uint32_t *writer;
	size_t writer_cap;
	char *cat; /* the store's scratch for an append */
	size_t cat_cap;
	int64_t deadline_us; /* monotonic; 0: none */
	bool search_only;    /* tests: every key to the search */
};

struct lc_client {
	int client;
	bool used;
	int64_t pending; /* the op of its invoke with no completion, or -1 */
	int64_t last;    /* its latest op, or -1 */
	uint64_t max_id; /* while its ids only grow, the set needs none */
	bool in_set;     /* its ids are in the (client, id) set */
};

/* The key's verdict by inference: OK (a witness order was checked),
 * ILLEGAL (a contradiction no order escapes; *why says which), or
 * UNDECIDED (the search must decide). */
enum lc_key_verdict lc_infer(struct lincheck *lc, const struct lc_key *k,
			     struct lc_why *why);
/* The same for a key with appends and deletes of unique self-delimiting
 * chunks (history.h), lincheck_infer_append.c: UNDECIDED when its values
 * are not such chunks, or no witness was found. */
enum lc_key_verdict lc_infer_append(struct lincheck *lc, const struct lc_key *k,
				    struct lc_why *why);
/* The key's verdict by search: OK, ILLEGAL, TIMEOUT or NOMEM. */
/* lincheck_prune.c: per op of k, 1 for an open put or cas whose value no
 * get returned and no cas expected, or an open append whose value shows
 * in none of those; NULL when there is none (or no memory). The caller
 * frees it. */
uint8_t *lc_unobserved_open_writes(struct lincheck *lc, const struct lc_key *k);
enum lc_key_verdict lc_search(struct lincheck *lc, const struct lc_key *k,
			      struct lc_why *why);

/* Checks that `seq` (ops of key k, in this order) is a linearization:
 * each op's invoke is not after the completion of an op later in seq,
 * every result matches the sequential store, and every completed op is
 * in it once. 1 when it is. */
int lc_witness_ok(struct lincheck *lc, const struct lc_key *k,
		  const uint32_t *seq, size_t len);

void lc_report(const struct lincheck *lc, const struct lc_key *k,
	       const struct lc_why *why, FILE *out);
/* One op as the report prints it: "c3 #17 put "v1"" into buf. */
void lc_describe(const struct lincheck *lc, const struct lc_op *op, char *buf,
		 size_t cap);

/* A time as the report shows it: ms with 3 decimals ("-": open). While
 * the checker runs, times are scaled (lincheck.c: scale_times()). */
void lc_ms_text(int64_t t, char *buf, size_t cap);
#define LC_TIME_MAX (INT64_MAX / 4) /* |us| a history may hold */

int64_t lc_now_us(void);
bool lc_timed_out(const struct lincheck *lc);

#endif

/* kv_internal.h - what the store's modules share (kv.h is the contract):
 * the hash that both finds keys and makes the digest, the table of keys
 * (kv_table.c), the session table (kv_session.c), and the snapshot's
 * byte helpers (kv_snapshot.c).
 *
 * The digest is a sum of one 64-bit hash per item (a key with its value,
 * a session with its cached reply), so a change adjusts it by the old
 * item's hash out and the new one's in, and equal states have equal sums
 * whatever order their items came in.
 */
#ifndef KV_INTERNAL_H
#define KV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kv/kv.h"

/* ---- hashing (kv_table.c) ---- */

/* Domains keep a key's hash, a value's and a session's apart. */
#define KV_SEED_KEY 0x6b65792e6b76ULL
#define KV_SEED_VALUE 0x76616c7565ULL
#define KV_SEED_SESSION 0x73657373696f6eULL
#define KV_SEED_SNAPSHOT 0x736e6170ULL

uint64_t kv_hash_step(uint64_t h, uint64_t word);
uint64_t kv_load_le(const uint8_t *p, size_t n);
/* Chains the nwords whole 8-byte words at p into h. */
uint64_t kv_hash_words(uint64_t h, const uint8_t *p, size_t nwords);
/* The hash of len bytes whose whole words chained to `chain`: adds the
 * tail (the last len % 8 bytes, at tail) and the length. */
uint64_t kv_hash_finish(uint64_t chain, const uint8_t *tail, size_t len);
uint64_t kv_hash_bytes(uint64_t seed, const uint8_t *p, size_t len);

/* ---- keys and values (kv_table.c) ---- */

/* A slot of the open-addressing table; empty when key is NULL. The value
 * grows in place (vcap), and its hash is kept as the chain over its whole
 * words so that an append hashes only what it adds. */
struct kv_item {
	uint8_t *key; /* klen + 1 bytes, so never NULL when used */
	uint8_t *val; /* vcap bytes, NULL when vcap is 0 */
	uint32_t klen;
	uint32_t vlen;
	uint32_t vcap;
	uint64_t khash;
	uint64_t vchain; /* kv_hash_words(KV_SEED_VALUE, val, vlen / 8) */
	uint64_t part;   /* this item's share of the digest */
};

struct kv_table {
	struct kv_item *slots;
	size_t cap; /* a power of two */
	size_t count;
	uint64_t sum; /* of every item's part */
};

int kv_table_init(struct kv_table *t);
void kv_table_free(struct kv_table *t);
struct kv_item *kv_table_find(const struct kv_table *t, struct kv_bytes key);
/* Each returns 0, or -1 out of memory (the table then is as it was). */
int kv_table_put(struct kv_table *t, struct kv_bytes key,
		 struct kv_bytes value);
int kv_table_append(struct kv_table *t, struct kv_bytes key,
		    struct kv_bytes value);
/* Returns whether the key was there. */
bool kv_table_delete(struct kv_table *t, struct kv_bytes key);
/* Room for n keys without growing (restore). */
int kv_table_reserve(struct kv_table *t, size_t n);

/* ---- sessions (kv_session.c) ---- */

/* What applying one request to its session decided. */
enum kv_session_verdict {
	KV_SESSION_EXECUTE, /* execute it, then kv_session_record */
	KV_SESSION_CACHED,  /* a retry: *cached is the first answer */
	KV_SESSION_STALE,   /* below the session's last seq */
	KV_SESSION_GONE,    /* no such session (expired, evicted, never) */
};

struct kv_session;

struct kv_session_table *kv_sessions_new(void);
void kv_sessions_free(struct kv_session_table *st);
uint64_t kv_sessions_sum(const struct kv_session_table *st);
uint64_t kv_sessions_count(const struct kv_session_table *st);
/* Ends the sessions unused for more than `expiry` entries before index
 * (0: never). Returns how many. */
uint64_t kv_sessions_expire(struct kv_session_table *st, uint64_t index,
			    uint64_t expiry);
/* Opens session `index` (its registration's index), evicting the least
 * recently used while max are open. Returns the number evicted, or -1
 * out of memory. */
int kv_sessions_register(struct kv_session_table *st, uint64_t index,
			 unsigned max);
/* Looks cmd's session up at entry index, marks it used, and decides.
 * no_dedup executes whatever seq comes. *reexecution: the seq is at or
 * below one this session executed (counted whatever the decision). */
enum kv_session_verdict kv_sessions_check(struct kv_session_table *st,
					  const struct kv_cmd *cmd,
					  uint64_t index, bool no_dedup,
					  struct kv_session **session,
					  struct kv_reply *cached,
					  bool *reexecution);
/* Records an executed request's reply as the session's last. Returns 0,
 * or -1 out of memory (the reply is then not cached). */
int kv_sessions_record(struct kv_session_table *st, struct kv_session *s,
		       uint64_t seq, const struct kv_reply *reply);

/* Snapshot: the sessions in LRU order (kv_snapshot.c's layout). */
size_t kv_sessions_snapshot_size(const struct kv_session_table *st);
uint8_t *kv_sessions_snapshot(const struct kv_session_table *st, uint8_t *p);
/* Reads count sessions from p (len bytes) into the empty table st, none
 * used after entry `applied`. Returns the bytes read, or 0 when they are
 * not valid sessions. */
size_t kv_sessions_restore(struct kv_session_table *st, const uint8_t *p,
			   size_t len, uint64_t count, uint64_t applied);

/* ---- the snapshot (kv_snapshot.c) ---- */

/* kv_fsm's snapshot and restore (the layout is in kv_snapshot.c). */
int kv_snapshot_take(struct kv *kv, const uint8_t **data, size_t *len);
int kv_snapshot_restore(struct kv *kv, const uint8_t *data, size_t len);

uint8_t *kv_put_u64(uint8_t *p, uint64_t v);
uint8_t *kv_put_u32(uint8_t *p, uint32_t v);

#endif

/* kv.h - the replicated key-value store with client sessions (thesis §6.3),
 * a state machine on the Raft log (struct raft_fsm, raft_log.h).
 *
 * Contract:
 *  - Deterministic: nodes that apply the same commands in the same order
 *    hold the same state and return the same digest; nothing reads a clock
 *    or a random source. Snapshotted with the log (kv_fsm's snapshot and
 *    restore carry keys, values, sessions and their cached replies).
 *  - Operations on string keys and values: get, put, append, cas (expect
 *    "absent" with expect_null) and delete.
 *  - Sessions (§6.3): a client registers (KV_REGISTER; its session id is
 *    the index of that entry) and numbers its requests 1, 2, ... Each
 *    session caches the reply to its last executed request, so a retried
 *    request is executed at most once and gets the original answer. A
 *    client has at most one request outstanding (a Jepsen process), so
 *    pruning by the lowest unacknowledged number leaves that one reply.
 *  - Expiry is by log index only: a session unused for session_expiry
 *    applied entries is gone, and so is the least recently used session
 *    when a registration finds the table full (session_max). Both are
 *    decided inside apply, so every node evicts the same sessions. A
 *    request of a gone session is answered KV_STATUS_SESSION_EXPIRED and
 *    never executed.
 *  - Commands are encoded by hand, little-endian (kv_cmd_encode): the
 *    same bytes travel from the client, are proposed as the entry's
 *    payload, and are applied.
 */
#ifndef KV_H
#define KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_log.h"

enum kv_op {
	KV_GET = 0,
	KV_PUT = 1,
	KV_APPEND = 2,
	KV_CAS = 3,
	KV_DELETE = 4,
	KV_REGISTER = 5, /* opens a session; not an operation on a key */
	KV_OP_COUNT
};

struct kv_bytes {
	const uint8_t *data;
	uint32_t len;
};

/* A client's request, as sent to a node and proposed. Strings point into
 * whatever it was decoded from. */
struct kv_cmd {
	uint8_t op;       /* enum kv_op */
	bool expect_null; /* cas: swap only if the key is absent */
	int client;
	uint64_t session;        /* 0 for KV_REGISTER */
	uint64_t seq;            /* 1, 2, ... within the session */
	uint64_t lowest_unacked; /* the client's lowest seq without a reply */
	struct kv_bytes key;
	struct kv_bytes value;  /* put, append, cas's new value */
	struct kv_bytes expect; /* cas, unless expect_null */
};

enum kv_status {
	KV_STATUS_OK = 0,
	KV_STATUS_NOT_LEADER = 1,      /* not executed here; try leader_hint */
	KV_STATUS_SESSION_EXPIRED = 2, /* the session is gone; not executed
					  by this request (an earlier copy
					  may have been) */
	KV_STATUS_RETRY = 3, /* not executed; try again (the leader is busy,
				or has not yet committed in its term) */
	KV_STATUS_STALE = 4, /* seq below the session's last: a late copy
				of a request already answered */
};

struct kv_reply {
	uint8_t status; /* enum kv_status */
	bool found;     /* get: the key was present; value holds it */
	bool swapped;   /* cas */
	int client;
	int leader_hint; /* NOT_LEADER: the leader the node knows, or -1 */
	uint64_t seq;
	uint64_t session; /* KV_REGISTER: the new session's id */
	uint64_t token;   /* fencing: the term of the node that answered */
	struct kv_bytes value;
};

/* Encoders return the bytes the encoding needs, writing them when that is
 * <= cap. Decoders return 0, or -1 when the bytes are not one whole,
 * valid encoding (never reading past len); strings then point into the
 * bytes. */
size_t kv_cmd_encode(const struct kv_cmd *cmd, uint8_t *buf, size_t cap);
int kv_cmd_decode(const uint8_t *buf, size_t len, struct kv_cmd *cmd);
size_t kv_reply_encode(const struct kv_reply *reply, uint8_t *buf, size_t cap);
int kv_reply_decode(const uint8_t *buf, size_t len, struct kv_reply *reply);
const char *kv_op_name(enum kv_op op);

struct kv_config {
	unsigned session_max;    /* sessions kept (LRU beyond); default 4096
				    (0 is taken as the default) */
	uint64_t session_expiry; /* applied entries unused before a session
				    expires; 0: never. Last used at entry u,
				    it serves a request at u + expiry and is
				    gone at u + expiry + 1. */
	bool no_dedup; /* mistake no-dedup: a retried request is executed
			  again (the exactly-once count still sees it) */
};

/* What applying one command did, for whoever serves the client
 * (src/client/server.c): it answers the request it holds for
 * (client, seq), and a leader mirrors writes to the fenced store. */
struct kv_hooks {
	void *ctx;
	/* After each command entry is applied, in log order. executed:
	 * this application changed or read the store (false: answered from
	 * the session's cache, stale, expired, or not decodable). The reply
	 * is valid only during the call. An entry that is not a valid
	 * command comes with cmd->op KV_OP_COUNT and cmd->client -1. */
	void (*applied)(void *ctx, uint64_t index, uint64_t term,
			const struct kv_cmd *cmd, const struct kv_reply *reply,
			bool executed);
};

struct kv_stats {
	uint64_t executed;         /* operations executed (register excluded) */
	uint64_t deduplicated;     /* retries answered from the session cache */
	uint64_t reexecuted;       /* executions of a seq at or below one the
				 session had executed: exactly-once broken
				 (only with no_dedup) */
	uint64_t expired;          /* requests refused: session gone */
	uint64_t sessions_evicted; /* LRU */
	uint64_t sessions_expired; /* by index */
	uint64_t sessions;         /* open now */
	uint64_t keys;             /* present now */
	uint64_t out_of_memory;    /* commands apply could not carry out for
				   want of memory (this node's state may
				   then differ from the others') */
};

struct kv_table;         /* kv.c: keys and values */
struct kv_session_table; /* kv_session.c */

struct kv {
	struct kv_config config;
	struct kv_hooks hooks;
	struct kv_table *table;
	struct kv_session_table *sessions;
	uint64_t applied_index; /* the last entry applied */
	uint64_t digest;
	struct kv_stats stats;
	uint8_t *snapshot_buf; /* kv_fsm's snapshot */
	size_t snapshot_cap;
};

/* Returns 0, or -1 when out of memory. hooks may be NULL. */
int kv_init(struct kv *kv, const struct kv_config *cfg,
	    const struct kv_hooks *hooks);
void kv_free(struct kv *kv);
/* Defaults: 4096 sessions, expiry after 1,000,000 entries unused. */
void kv_config_default(struct kv_config *cfg);

/* The state machine the core applies committed entries to. */
struct raft_fsm kv_fsm(struct kv *kv);

/* A read served outside the log (ReadIndex, lease): the value of key now,
 * into reply (found, value; valid until the store changes). */
void kv_read(const struct kv *kv, struct kv_bytes key, struct kv_reply *reply);

#endif

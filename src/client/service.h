/* service.h - a node's client service: what a node does with a client's
 * RAFT_MSG_CLIENT request, and the writes its leaders mirror to the fenced
 * store (fenced.h).
 * Pure like the core (no locks, clocks or I/O): the harness calls it in
 * the node's own step, under its node lock, and its replies leave through
 * the harness's send path, to RAFT_CLIENT.
 *
 * A request (kv_cmd bytes) that reaches node n:
 *  - n does not lead: KV_STATUS_NOT_LEADER with its leader_id as the hint;
 *  - a write, a registration, or a get with --reads log: proposed as one
 *    command entry (raft_propose; RAFT_EBUSY -> KV_STATUS_RETRY); n keeps
 *    (client, seq) pending and answers when its store applies the entry
 *    (kv_hooks.applied), whatever index it landed at;
 *  - a get with --reads readindex: raft_read_index, then answered from the
 *    store once raft_read_ready and last_applied >= the read index;
 *  - a get with --reads lease: answered at once from the store while
 *    raft_lease_valid, else as with readindex;
 *  - with the stale-read mistake: a get is answered at once from the store
 *    of a node that believes it leads.
 * Pending requests are dropped when n stops leading (the client times out
 * and retries: the session makes that safe).
 *
 * The fenced store (Kleppmann's storage service; lesson L05) stands outside
 * the cluster: one per run, shared by every node, with its own lock in a
 * threaded driver. A leader applying a write mirrors it there with its
 * term as the token; the write leaves at the node's next tick (a write
 * that is delayed, like a client's after a GC pause: a leader paused in
 * between sends it when it resumes). The store keeps the highest token it
 * has seen and refuses lower ones (with no-fencing it takes any).
 *
 * The calls, in a node's step (node lock held), as the harness makes them
 * (harness_node_step, harness_node_tick):
 *   service_flush    before the node acts in a tick later than the one its
 *                    outbox began in: the mirrored writes leave;
 *   service_receive  a request's bytes; a write is staged, and the bytes
 *                    must stay valid until the next service_drain;
 *   service_drain    after the requests of one drain of the node's mail
 *                    (one message in the simulator): the staged writes
 *                    are proposed as one raft_propose batch, so a leader
 *                    that took several sends them in one AppendEntries;
 *   service_poll     after every raft_step and raft_tick: reads whose
 *                    round is confirmed are answered, and everything
 *                    pending goes when the node no longer leads in the
 *                    term it took it in;
 *   service_reset    the node crashed or restarted: what it kept in
 *                    memory (pending requests, the outbox) is lost.
 * The node's kv store calls service_applied (service_kv_hooks) after each
 * command it applies.
 */
#ifndef SERVICE_H
#define SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kv/kv.h"
#include "raft.h"

/* --reads: how a get is served. */
enum service_reads {
	SERVICE_READS_LOG = 0,   /* through the log, as a write */
	SERVICE_READS_READINDEX, /* thesis §6.4: a confirmed heartbeat round */
	SERVICE_READS_LEASE,     /* §6.4.1: while the leader's lease holds */
};

struct service_config {
	int node;
	enum service_reads reads;
	unsigned mistakes;    /* enum raft_mistake bits (stale-read here) */
	unsigned max_pending; /* one a client: --clients */
	bool mirror;          /* --fenced-store: leaders mirror writes */
};

/* A write a leader applied, on its way to the fenced store. */
struct service_write {
	int node;
	uint64_t token; /* the node's term when it applied the write */
	int client;
	uint64_t seq;
	uint64_t index; /* the entry's */
};

/* Where the service's output goes. Every function gets ctx. */
struct service_io {
	void *ctx;
	/* One encoded kv_reply to the clients (RAFT_CLIENT); the bytes are
	 * valid during the call. */
	void (*reply)(void *ctx, const uint8_t *bytes, size_t len);
	/* A mirrored write reaches the fenced store (config.mirror only). */
	void (*fence)(void *ctx, const struct service_write *w);
	/* The store executed (client, seq) again at index: exactly-once
	 * broken (kv_stats.reexecuted grew). */
	void (*duplicate)(void *ctx, int client, uint64_t seq, uint64_t index);
};

enum service_wait {
	SERVICE_WAIT_APPLY, /* proposed: answered when the store applies it */
	SERVICE_WAIT_READ,  /* a get outside the log: answered when ready */
};

/* A request the node holds until it can answer it. */
struct service_pending {
	uint8_t wait; /* enum service_wait */
	int client;
	uint64_t session; /* APPLY: 0 for a registration */
	uint64_t seq;
	uint64_t index; /* APPLY: the entry's; READ: the read index */
	uint64_t round; /* READ: the heartbeat round that confirms it */
	uint8_t *key;   /* READ: its key (a copy; key_len bytes) */
	uint32_t key_len;
};

/* A write received since the last service_drain, to be proposed. */
struct service_staged {
	int client;
	uint64_t session;
	uint64_t seq;
};

struct service_stats {
	uint64_t requests;    /* decodable requests received */
	uint64_t not_leader;  /* answered NOT_LEADER */
	uint64_t busy;        /* answered RETRY */
	uint64_t proposed;    /* entries proposed for clients */
	uint64_t batches;     /* raft_propose calls that proposed them */
	uint64_t answered;    /* replies to pending requests */
	uint64_t cached;      /* of those, from the session's cache: a
				 retry of a request executed before */
	uint64_t reads_index; /* gets answered by ReadIndex */
	uint64_t reads_lease; /* gets answered under the lease */
	uint64_t reads_stale; /* gets answered unconfirmed (stale-read) */
	uint64_t dropped;     /* pending requests dropped: leadership lost */
	uint64_t mirrored;    /* writes sent to the fenced store */
	uint64_t duplicates;  /* re-executions seen (no-dedup) */
};

struct service {
	struct service_config config;
	struct service_io io;
	struct raft_state *raft; /* the node's core */
	struct kv *kv;           /* the node's store */
	uint64_t term;           /* the term the pending requests came in */
	struct service_pending *pending; /* config.max_pending long */
	unsigned pending_len;
	struct raft_entry *staged;         /* config.max_pending long */
	struct service_staged *staged_req; /* the same requests */
	unsigned staged_len;
	struct service_write *outbox; /* SERVICE_OUTBOX_MAX long */
	unsigned outbox_len;
	uint64_t outbox_tick;     /* the tick the oldest write waits from */
	uint64_t tick;            /* the tick the node acts in (flush) */
	uint64_t seen_reexecuted; /* kv->stats.reexecuted, last seen */
	uint8_t *buf;             /* reply encoding */
	size_t buf_cap;
	struct service_stats stats;
};

/* Writes a leader holds before they leave; a fuller outbox leaves at
 * once. */
#define SERVICE_OUTBOX_MAX 4096

/* Sets up the service of the node whose core is raft and store kv (both
 * must outlive it; kv may be re-initialized across restarts at the same
 * address). Returns 0, or -1 when out of memory. */
int service_init(struct service *sv, const struct service_config *cfg,
		 const struct service_io *io, struct raft_state *raft,
		 struct kv *kv);
void service_free(struct service *sv);

/* The hooks a node's kv store is initialized with (kv_init). */
struct kv_hooks service_kv_hooks(struct service *sv);
/* kv_hooks.applied: answers the pending request of (client, seq), mirrors
 * an executed write on a leader, and reports a re-execution. */
void service_applied(void *ctx, uint64_t index, uint64_t term,
		     const struct kv_cmd *cmd, const struct kv_reply *reply,
		     bool executed);

/* A client's request (kv_cmd_encode's bytes); undecodable bytes are
 * ignored (the client times out). */
void service_receive(struct service *sv, const uint8_t *bytes, size_t len);
/* After the requests of one drain of the node's mail: proposes the writes
 * staged since the last call as one batch (RAFT_EBUSY, not leader: each is
 * answered as service_receive would have). */
void service_drain(struct service *sv);
/* After the core's step or tick. */
void service_poll(struct service *sv);
/* Before the node acts on its tick `tick`: the outbox leaves when it
 * began in an earlier tick (or is full). */
void service_flush(struct service *sv, uint64_t tick);
/* The node crashed or restarted: pending requests and the outbox go. */
void service_reset(struct service *sv);

#endif

/* raft_state.h - one Raft node's state, its configuration and its I/O hooks.
 *
 * Contract (Raft paper, Figure 2 "State"; §5.1, §5.2):
 *  - Every node starts as a follower at term 0 with no vote (§5.1), unless it
 *    restarts from durable state (current_term, voted_for survive a crash).
 *  - The core is pure: it never calls pthreads, clocks, sleep, rand or I/O,
 *    and allocates nothing. Time arrives as ticks (raft_tick), randomness from
 *    the node's own seeded generator, messages leave through `transport`, and
 *    everything an observer may want to know leaves through `events`.
 *  - Only raft_become_follower, raft_become_pre_candidate,
 *    raft_become_candidate and raft_become_leader (raft_role.c) change
 *    `role` and `prevoting`; only their shared reset changes `current_term`.
 */
#ifndef RAFT_STATE_H
#define RAFT_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "raft_log.h"
#include "raft_rng.h"

/* The largest cluster the core supports; the command line documents it. */
#define RAFT_MAX_NODES 1024
#define RAFT_NONE (-1)

/* Error codes returned as `int rv` (0 is success). */
enum {
	RAFT_OK = 0,
	RAFT_ENODES = 1,     /* node count or id out of range */
	RAFT_EZERO = 2,      /* a timing value is zero */
	RAFT_ERANGE = 3,     /* election_min > election_max */
	RAFT_EHEARTBEAT = 4, /* heartbeat_interval >= election_min (§5.6) */
	RAFT_EFLOW = 5,      /* a batch or inflight limit is zero */
	RAFT_ENOTLEADER = 6, /* a proposal reached a node that is not leader */
	RAFT_ENOMEM = 7,     /* the storage or state machine is out of memory */
	RAFT_ENOLOG = 8,     /* no storage attached (raft_attach) */
	RAFT_ESTORAGE = 9,   /* the storage's snapshot does not restore */
	RAFT_EBUSY = 10,     /* a proposal would pass max_uncommitted_bytes */
	RAFT_EIO = 11,       /* a driver's disk failed (its WAL could not be
				written or synced): the node stays down */
};

/* Returns a static, human-readable text for an error code. */
const char *raft_strerror(int rv);

enum raft_role { RAFT_FOLLOWER, RAFT_CANDIDATE, RAFT_LEADER };

const char *raft_role_name(enum raft_role role);

/* The lesson's "Common mistakes", injectable on purpose so that the checker
 * can be seen to catch them (README: "The lesson's mistakes as a lab"). */
enum raft_mistake {
	RAFT_MISTAKE_NONE = 0,
	RAFT_MISTAKE_LONG_HEARTBEAT = 1 << 0, /* skips the §5.6 timing check */
	RAFT_MISTAKE_NO_RESET = 1 << 1, /* heartbeats don't reset the timer */
	RAFT_MISTAKE_FIXED_TIMEOUT = 1 << 2, /* every node uses election_min */
	RAFT_MISTAKE_NO_STEPDOWN = 1 << 3,   /* a leader or candidate ignores
						 a higher term in AE or its
						 reply */
	RAFT_MISTAKE_DOUBLE_VOTE = 1 << 4,   /* votes again in the same term */
	/* Log replication (issue 10): */
	RAFT_MISTAKE_COMMIT_OLD_TERM = 1 << 5, /* counts replicas of an older
						 term's entry (Figure 8) */
	RAFT_MISTAKE_VOTE_ANY_LOG = 1 << 6, /* no §5.4.1 election restriction */
	RAFT_MISTAKE_NO_TRUNCATE = 1 << 7,  /* overwrites a conflict in place,
					       keeping the suffix after it */
	RAFT_MISTAKE_APPLY_UNCOMMITTED = 1 << 8, /* applies what it appended */
	/* Clients (issue 11): not the core's mistakes but its drivers' (the
	 * key-value store, the node's client service, the fenced store);
	 * they share the bits so that one --mistake names them all. */
	RAFT_MISTAKE_NO_DEDUP = 1 << 9,    /* retries are executed again */
	RAFT_MISTAKE_STALE_READ = 1 << 10, /* a leader reads its own state
					      without confirming it leads */
	RAFT_MISTAKE_NO_FENCING = 1 << 11, /* the fenced store takes any
					      token */
	/* Durable storage (issue 12): the harness's and the WAL's. */
	RAFT_MISTAKE_NO_FSYNC = 1 << 12, /* acknowledges before the sync */
	RAFT_MISTAKE_VOTE_BEFORE_PERSIST = 1 << 13, /* a vote or RequestVote
						      leaves before the term
						      and vote are synced */
	RAFT_MISTAKE_SKIP_BAD_RECORD = 1 << 14,     /* recovery drops a bad
						   record (and what follows)
						   instead of refusing */
};

struct raft_config {
	int id;                      /* this node, 0 .. node_count-1 */
	int node_count;              /* 1 .. RAFT_MAX_NODES */
	unsigned heartbeat_interval; /* ticks between heartbeat rounds */
	unsigned election_min;       /* election timeout range, ticks */
	unsigned election_max;
	uint64_t seed;     /* this node's generator seed */
	bool prevote;      /* thesis §9.6: ask before incrementing the term */
	bool check_quorum; /* leader steps down without a live majority */
	bool ranked_timeouts; /* timeouts in per-term slots; see raft_tick.c */
	unsigned mistakes;    /* enum raft_mistake bits; 0 for correct Raft */
	/* Log replication (§5.3, etcd's Progress). Bytes of an entry: its
	 * payload plus RAFT_ENTRY_OVERHEAD. */
	uint32_t max_batch_bytes;      /* entries per AppendEntries, in bytes */
	uint32_t max_inflight_msgs;    /* unacknowledged AppendEntries a peer */
	uint64_t max_inflight_bytes;   /* unacknowledged entry bytes a peer */
	uint64_t snapshot_entries;     /* snapshot every N applied; 0: never */
	uint32_t snapshot_chunk_bytes; /* InstallSnapshot chunk size (§7) */
	/* A leader refuses proposals (RAFT_EBUSY) while its uncommitted
	 * entries would pass this many bytes (etcd's
	 * MaxUncommittedEntriesSize): a leader cut off from its majority
	 * holds bounded memory. One proposal is always taken when nothing
	 * is uncommitted. 0: 64 x max_batch_bytes or max_inflight_bytes,
	 * whichever is more. */
	uint64_t max_uncommitted_bytes;
};

/* What an entry costs in the flow-control and batch limits beyond its
 * payload (the wire header). */
#define RAFT_ENTRY_OVERHEAD 24

/* Fills in the lesson's defaults: heartbeat 3 ticks, election 10-20 ticks;
 * and replication's: 64 KiB batches, 64 messages or 4 MiB in flight a
 * peer, a snapshot every 10000 applied entries in 64 KiB chunks, and
 * 64 batches (4 MiB) of uncommitted proposals. */
void raft_config_default(struct raft_config *cfg, int id, int node_count,
			 uint64_t seed);

/* Checks a configuration without asserting: RAFT_OK or an error code.
 * Refuses heartbeat_interval >= election_min (the heartbeat must arrive
 * before anyone times out), min > max, and zeros. */
int raft_config_validate(const struct raft_config *cfg);

struct raft_message; /* raft_msg.h */

/* Where messages go. `send` copies the message; the core keeps no pointer.
 * Returns 0 if the message was handed over, nonzero if it was dropped. */
struct raft_transport {
	int (*send)(void *ctx, const struct raft_message *msg);
	void *ctx;
};

/* What the core reports. Observers (trace, checker, console) use these. */
enum raft_event_type {
	RAFT_EV_TERM,            /* current_term became `term` */
	RAFT_EV_ROLE,            /* role became `role` (in `term`) */
	RAFT_EV_VOTE,            /* gave its vote in `term` to `peer` */
	RAFT_EV_HEARTBEAT,       /* accepted AppendEntries from leader `peer` */
	RAFT_EV_HEARTBEAT_ROUND, /* leader sent a round to `count` followers */
	RAFT_EV_ELECTION, /* started an election (now a candidate in `term`) */
	RAFT_EV_SAW_TERM, /* received `term` > own from `peer` (before acting) */
	RAFT_EV_PREVOTE,  /* started a pre-vote for `term` */
	/* Log replication; entry_term is the entries' term, `term` still the
	 * node's current term. */
	RAFT_EV_APPEND,   /* appended index..last_index, all of entry_term */
	RAFT_EV_COMMIT,   /* commit index became `index` */
	RAFT_EV_APPLY,    /* applied index..last_index; the last has
			     entry_term; the state's digest is then `digest` */
	RAFT_EV_TRUNCATE, /* deleted entries `index` .. its last (§5.3) */
	RAFT_EV_SNAPSHOT, /* log now starts after a snapshot of (index,
			     entry_term): count 0 taken here, 1 installed
			     from leader `peer` */
	RAFT_EV_PROPOSE,  /* leader appended proposals index..last_index */
};

struct raft_event {
	enum raft_event_type type;
	int node;
	uint64_t term;
	enum raft_role role;
	int peer;
	int count;
	uint64_t seen_term; /* RAFT_EV_SAW_TERM only */
	uint64_t now;       /* the node's clock (raft_state.now) when emitted */
	uint64_t index;     /* log events: first index */
	uint64_t last_index; /* append, apply, propose: last index */
	uint64_t entry_term;
	uint64_t digest; /* apply */
};

struct raft_event_sink {
	void (*emit)(void *ctx, const struct raft_event *ev);
	void *ctx;
};

/* What survives a crash, as if it were on disk (Figure 2, "Persistent"). */
struct raft_durable {
	uint64_t current_term;
	int voted_for;
};

/* Counters the tests and the output read. Never used for decisions. */
struct raft_stats {
	uint64_t ticks;
	uint64_t timeout_resets; /* election timer resets (heartbeat or vote) */
	uint64_t elections_started;
	uint64_t prevotes_started;
	uint64_t heartbeat_rounds;    /* rounds sent as leader */
	uint64_t heartbeats_sent;     /* AppendEntries messages sent */
	uint64_t heartbeats_received; /* accepted AppendEntries */
	uint64_t votes_granted;
	uint64_t stale_rejected;   /* messages refused for a lower term */
	uint64_t stepdowns;        /* leader or candidate became follower */
	uint64_t quorum_stepdowns; /* leader stepped down under CheckQuorum */
	uint64_t entries_appended; /* to this node's log, by any path */
	uint64_t entries_applied;
	uint64_t entries_proposed; /* accepted by raft_propose as leader */
	uint64_t append_refused;   /* AppendEntries refused, §5.3 check */
	uint64_t snapshots_taken;
	uint64_t snapshots_installed;
	uint64_t snapshots_sent; /* transfers a leader began (§7) */
	uint64_t snapshot_chunks_sent;
	uint64_t read_rounds;     /* read rounds begun (ReadIndex, §6.4) */
	uint64_t reads_confirmed; /* reads whose round a majority acked */
};

/* A leader's view of one peer's log (etcd's Progress). */
enum raft_progress_state {
	RAFT_PROGRESS_PROBE,     /* one AppendEntries at a time, until match */
	RAFT_PROGRESS_REPLICATE, /* pipelined, within the inflight limits */
	RAFT_PROGRESS_SNAPSHOT,  /* sending a snapshot; entries wait */
};

struct raft_progress {
	uint64_t match_index;     /* highest index known replicated there */
	uint64_t next_index;      /* next index to send */
	uint64_t snapshot_index;  /* SNAPSHOT: the one being sent */
	uint64_t snapshot_offset; /* SNAPSHOT: the next chunk's offset */
	uint64_t acked_at;        /* REPLICATE: tick match last moved, or
				     the pipeline last started from empty */
	uint64_t flow_sent;       /* entry bytes sent in AppendEntries */
	uint64_t flow_answered;   /* of those, answered (or lost before an
				     answered one): the highest flow_mark
				     a reply echoed */
	uint64_t read_acked;      /* the highest read round it echoed in
				     this leadership (0: none) */
	uint64_t lease_acked;     /* the latest sent_at it echoed then */
	uint32_t inflight_msgs;   /* REPLICATE: unacknowledged messages */
	uint8_t state;            /* enum raft_progress_state */
	bool probe_sent;          /* PROBE: a probe is unanswered */
	bool snapshot_moved;      /* SNAPSHOT: a reply moved the transfer
				     on since the last heartbeat round */
};

struct raft_state {
	struct raft_config config;

	/* Figure 2, persistent on all servers. */
	uint64_t current_term;
	int voted_for;

	enum raft_role role;
	int leader_id; /* the leader this node knows in current_term, or NONE */

	/* Where the log ends (the storage's last entry), cached for the
	 * up-to-date check (§5.4.1) and the heartbeat. */
	uint64_t last_log_index;
	uint64_t last_log_term;

	/* Figure 2, volatile on all servers; and the log's two interfaces
	 * (raft_attach; has_log false: the lesson's empty log). */
	uint64_t commit_index;
	uint64_t last_applied;
	uint64_t applied_digest; /* what the state machine last returned */
	uint64_t snapshot_index; /* the storage's snapshot */
	uint64_t snapshot_term;
	bool has_log;
	struct raft_storage storage;
	struct raft_fsm fsm;

	/* Timers, in ticks (the lesson's heartbeat_interval/election_timeout). */
	unsigned heartbeat_interval;
	unsigned election_timeout;  /* drawn from [min, max] at every reset */
	unsigned election_elapsed;  /* ticks since the timer was last reset */
	unsigned heartbeat_elapsed; /* leader: ticks since the last round */

	/* Elections: granted[] below, and how many granted. */
	int granted_count;
	bool prevoting; /* a follower collecting pre-votes for current_term+1 */

	/* Ticks since raft_init: the core's own clock. CheckQuorum keeps the
	 * tick each peer was last heard from (last_heard[] below), and when
	 * this node began to lead. */
	uint64_t now;
	uint64_t leader_since;

	/* Reads (§6.4, raft_read.c). The round every AppendEntries carries
	 * only grows, across terms too, so that a round of an earlier
	 * leadership is below read_round_first. */
	uint64_t read_round;
	uint64_t read_round_first; /* this leadership's first round */
	uint64_t read_confirmed;   /* highest round a majority acknowledged */
	uint64_t lease_floor;      /* acks of sends before this tick void */
	int read_acks;             /* peers that echoed >= read_confirmed + 1 */
	uint64_t reads_waiting;    /* reads for round read_round + 1 */
	uint64_t reads_current;    /* unconfirmed reads for read_round */
	uint64_t reads_previous;   /* unconfirmed reads for read_round - 1 */
	bool restart_quiet; /* restarted, timer not restarted since: votes
			       wait as if a leader had just been heard */

	struct raft_rng rng;
	struct raft_transport transport;
	struct raft_event_sink events;
	struct raft_stats stats;

	/* The per-peer arrays last (9 KiB at 1024 nodes): every step touches
	 * the fields above, which then share a few cache lines. */
	uint8_t granted[RAFT_MAX_NODES]; /* 1: granted its (pre-)vote */
	uint64_t last_heard[RAFT_MAX_NODES];
	/* Figure 2, volatile on leaders (80 KiB at 1024 nodes). */
	struct raft_progress progress[RAFT_MAX_NODES];
};

/* Initializes a node as a follower. `durable` may be NULL (term 0, no vote),
 * or the state saved before a crash. Returns RAFT_OK or an error code from
 * raft_config_validate (a configuration with the long-heartbeat mistake set
 * skips the timing check). */
int raft_init(struct raft_state *s, const struct raft_config *cfg,
	      const struct raft_durable *durable,
	      struct raft_transport transport, struct raft_event_sink events);

/* The state a crash would keep. */
struct raft_durable raft_durable_of(const struct raft_state *s);

/* Gives a node its log and state machine, right after raft_init and
 * before anything else. The storage may hold a log and a snapshot from
 * before a crash: the state machine is restored from the snapshot, and
 * commit_index and last_applied start at its index (they are volatile;
 * the leader tells the rest). Returns RAFT_OK, RAFT_ESTORAGE when the
 * snapshot does not restore, or RAFT_ENOMEM. Without it the node keeps
 * the lesson's empty log and refuses proposals. */
int raft_attach(struct raft_state *s, const struct raft_storage *storage,
		const struct raft_fsm *fsm);

/* The driver synced the storage (its durable_index moved on): a leader
 * counts its own log towards a majority up to the new durable index, and
 * may commit (Figure 2, "Rules for Servers", leaders' last rule). */
void raft_storage_synced(struct raft_state *s);

/* A client's proposal (§5.3): a leader appends n entries of its term
 * (only type, len and data are read), sends them to the peers it may, and
 * sets *first_index to the first one's index. Returns RAFT_OK,
 * RAFT_ENOTLEADER, RAFT_ENOLOG, RAFT_EBUSY (max_uncommitted_bytes: try
 * again once some commit) or RAFT_ENOMEM (nothing appended). The
 * entries are committed and applied later, as replies come in. */
int raft_propose(struct raft_state *s, const struct raft_entry *entries,
		 unsigned n, uint64_t *first_index);

/* Reads that skip the log (thesis §6.4; raft_read.c).
 *
 * ReadIndex: raft_read_index registers a read on a leader that has
 * committed an entry of its own term (else RAFT_EBUSY: its commit index
 * may be behind its predecessor's); *read_index is its commit index now,
 * and *round the read round whose acknowledgement by a majority proves it
 * was still leader after the read arrived. The leader starts that round
 * at once (an empty AppendEntries to every peer) unless a round started
 * for reads is still unacknowledged; reads arriving meanwhile wait for
 * the next round, which starts when that one is acknowledged or with the
 * next heartbeat, whichever comes first, at most two being outstanding
 * (one round serves many reads; at most one extra broadcast per round
 * trip). Every AppendEntries carries the current round, so replication
 * traffic acknowledges rounds too.
 * raft_read_ready says whether `round` has been acknowledged by a
 * majority (this node included) in this node's current leadership; the
 * driver then serves the read once last_applied >= read_index.
 * Leadership lost in between, even if regained later: that read is never
 * ready (the driver's client times out and retries). RAFT_ENOTLEADER off
 * a leader, RAFT_ENOLOG without a log.
 *
 * Lease (§6.4.1): with check_quorum, followers ignore vote requests while
 * their last leader's AppendEntries is less than election_min of their
 * ticks old (raft_step.c), and a restarted node ignores them for its first
 * election_min ticks. So if AppendEntries this leader sent at its tick t
 * were acknowledged in its term by a majority (itself included), no other
 * leader is elected before election_min - 1 whole follower ticks have
 * passed since that send (a follower's next tick may fall just after it
 * heard the leader). raft_lease_valid: true while this node leads, has
 * committed an entry of its term, and now - t < (election_min - 1) * 7/8
 * rounded down, for the latest such t; always false without
 * check_quorum. The driver then serves the read at once, from its state
 * machine at commit_index (last_applied >= commit_index). raft_read.c
 * derives the bound. It assumes:
 *  - tick rates: no node's tick is shorter than 7/8 of another's
 *    (rates differ by at most 1/8);
 *  - a current clock: the read is served before the real time of this
 *    node's tick now + 1. A node whose ticks run late (a thread behind
 *    its deadlines) must not serve lease reads until it has caught up;
 *  - a pause: a node frozen and resumed keeps the `now` it had, behind
 *    real time, and may then receive acknowledgements of what it sent
 *    before the pause. The driver calls raft_lease_clear when it resumes
 *    it (and whenever its clock fell behind): acknowledgements of what it
 *    sent until then no longer count. */
int raft_read_index(struct raft_state *s, uint64_t *read_index,
		    uint64_t *round);
bool raft_read_ready(const struct raft_state *s, uint64_t round);
bool raft_lease_valid(const struct raft_state *s);
void raft_lease_clear(struct raft_state *s);

/* Majority of the cluster: floor(n/2) + 1. */
int raft_majority(const struct raft_state *s);

#endif

/* world.h - what happens in a run, in one vocabulary for every mode.
 *
 * The threaded runtime and the simulator both turn core events (raft_event)
 * and fault events into `struct wev`, stamped with the time since the run
 * started. The monitor writes each one to the JSONL trace (schema v4, see
 * README "Trace format"), prints the console line, and feeds the checker.
 * `raftsim check FILE` parses the trace back into the same structs and feeds
 * the same checker, so the live verdict and the file verdict cannot differ.
 */
#ifndef WORLD_H
#define WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "raft_state.h"

struct hist_event; /* lincheck/history.h */

/* 2: core events carry "now", the start line "latency_ms", and "loss"
 * events exist. "late" events came later within 2: a reader of 2 that
 * does not know them refuses only traces that have them. */
/* 3: log replication's events (append, commit, apply, truncate, snapshot,
 * propose); a reader of 3 reads 2 as well. */
/* 4: clients (issue 11): the client history (invoke, ok, fail, info:
 * lincheck/history.h) and the fenced store's and the store's own events
 * (fenced, duplicate); a reader of 4 reads 2 and 3 as well. */
/* 5: durable storage (issue 12): persist and disk events, a restart's
 * recovered state, and a resumed run's "resume" start line; a reader of 5
 * reads 2 to 4 as well. */
#define TRACE_SCHEMA_VERSION 5

enum wev_type {
	WEV_START,     /* {"ev":"start", ...run_info...} */
	WEV_TERM,      /* node's current_term became term */
	WEV_ROLE,      /* node's role became role, in term */
	WEV_VOTE,      /* node voted in term for peer */
	WEV_HEARTBEAT, /* follower node accepted AE from leader peer in term */
	WEV_ROUND,     /* leader node sent a heartbeat round to count peers */
	WEV_ELECTION,  /* node started an election; term is the new term */
	WEV_PREVOTE,   /* node started a pre-vote for term+1 */
	WEV_SAW_TERM,  /* node (in role, at term) received seen_term > term
			  from peer, before acting on it */
	WEV_PAUSE,     /* node frozen */
	WEV_RESUME,    /* node unfrozen */
	WEV_CRASH,     /* node crashed: volatile state lost */
	WEV_RESTART,   /* node restarted from durable state as a follower.
			  With a WAL (schema 5) it says what it recovered:
			  term, vote (peer), snapshot (index, entry_term),
			  log end (last_index, last_term) and the log's terms
			  as runs (runs: run_count pairs of first index and
			  term, in order); without one, those are absent. */
	WEV_PARTITION, /* groups: group_of[i] for every node */
	WEV_HEAL,      /* every partition removed */
	WEV_LOSS,      /* a message from peer to node was lost although the run
			  asked for no loss: a full mailbox. Emitted where it
			  happens: the runtime's mailbox push, the simulator's
			  paused-node mailbox. */
	WEV_LATE,      /* threads: node ran the tick it acts on late_us after
			  its deadline, more than a tick late: the machine
			  had in effect paused it until now */
	WEV_END,       /* the run ended after `tick` ticks (interrupted:
			  by a signal, before the ticks it was asked for) */
	/* Log replication (schema 3). Core events: `term` is the node's
	 * current term; entry_term the entries'. Ranges, not one event per
	 * entry, so that a million entries make a small trace. */
	WEV_APPEND,   /* node appended index..last_index, of entry_term */
	WEV_COMMIT,   /* node's commit index became index */
	WEV_APPLY,    /* node applied index..last_index, the last of
			 entry_term; its state's digest is then digest */
	WEV_TRUNCATE, /* node deleted its entries from index on */
	WEV_SNAPSHOT, /* node's log now starts after a snapshot of (index,
			 entry_term); installed: sent by leader peer */
	WEV_PROPOSE,  /* leader node appended proposals index..last_index */
	/* Clients (schema 4). The history: `hist` (history.h) says which
	 * client, operation and result; its "ms" is the event's own. */
	WEV_INVOKE,
	WEV_OK,
	WEV_FAIL,
	WEV_INFO,
	/* The fenced store refused (or, with no-fencing, let through) a
	 * write from leader `node` with token `token` (its term) below
	 * `highest`, the highest it had seen: accepted says which. Writes
	 * at or above the highest are not events (counted only). */
	WEV_FENCED,
	/* node's store executed client `client`'s request `seq` again, at
	 * log index `index`: exactly-once broken (the no-dedup mistake). */
	WEV_DUPLICATE,
	/* Durable storage (schema 5; a node with a WAL: --data-dir, or the
	 * simulated disk). persist: node released what waited for its
	 * disk: from now on it has promised its term, its vote (peer, or
	 * RAFT_NONE) and its log up to index (its last entry, of
	 * entry_term): a restart must come back with at least that. Emitted
	 * after each sync that changed any of them (before it, with the
	 * no-fsync and vote-before-persist mistakes: that is the bug). */
	WEV_PERSIST,
	/* disk: something happened to node's storage; disk_what says what,
	 * text says where (file and offset) in words. */
	WEV_DISK,
	WEV_TYPE_COUNT
};

/* WEV_DISK's kinds. */
enum wev_disk_what {
	WEV_DISK_TORN,    /* recovery truncated a torn tail (not damage) */
	WEV_DISK_REFUSED, /* recovery found damage: the node stays down */
	WEV_DISK_FAILED,  /* a write or fsync failed: the node crashed */
	WEV_DISK_SKIPPED, /* skip-bad-record: recovery skipped damage */
	WEV_DISK_LATENT,  /* the simulated disk made a sector unreadable */
};
const char *wev_disk_name(enum wev_disk_what what);
int wev_disk_from_name(const char *name); /* -1: unknown */

/* What emits each type: the run itself (start, end), a node's core, a
 * fault of one node, or the network (partition, heal, loss). */
enum wev_kind {
	WEV_KIND_NONE, /* not a type */
	WEV_KIND_RUN,
	WEV_KIND_CORE,
	WEV_KIND_NODE_FAULT,
	WEV_KIND_NET_FAULT,
	WEV_KIND_CLIENT,  /* the history, the fenced store, duplicates */
	WEV_KIND_STORAGE, /* persist and disk: a node's WAL (schema 5) */
};

/* The "ev" name of each type in the trace. */
const char *wev_name(enum wev_type type);
enum wev_kind wev_kind(enum wev_type type);
/* The type of an "ev" name, or -1. */
int wev_from_name(const char *name);
/* Whether type is one of the client history's (invoke, ok, fail, info),
 * and which history.h type it is then. */
bool wev_is_hist(enum wev_type type);
int wev_hist_type(enum wev_type type); /* enum hist_type, or -1 */

/* What a run was asked to do: the "start" line of the trace. */
struct run_info {
	char mode[16]; /* "threads" or "sim" */
	int nodes;
	uint64_t seed;
	uint64_t tick_us; /* "tick_ms" in the trace, 3 decimals */
	unsigned heartbeat_ticks;
	unsigned election_min; /* ticks */
	unsigned election_max;
	double drop; /* message fault probabilities */
	double dup;
	double reorder;
	bool random_faults; /* pause/crash/partition probabilities > 0 */
	bool prevote;
	bool check_quorum;
	bool ranked_timeouts;
	unsigned mistakes;       /* enum raft_mistake bits */
	uint64_t latency_min_us; /* one-way message delay the run promises */
	uint64_t latency_max_us; /* (before --reorder's extra delay) */
	bool resume; /* schema 5: a resumed run's start line, appended to
			the killed run's trace ("resume":true) */
	/* raftsim node (issue 13): the trace holds node node_id's events
	 * only ("node_id", "transport":"tcp"), and says where its time 0
	 * is on the host's clocks, so that the traces of a cluster's
	 * processes can be merged: "mono_us" (CLOCK_MONOTONIC: one clock
	 * for every process of one host), "unix_us" (CLOCK_REALTIME) and
	 * "host" (gethostname), and "boot_id" (the kernel's boot id: two
	 * processes share CLOCK_MONOTONIC exactly when it is the same; a
	 * hostname can be shared by cloned machines). Written only when
	 * one_node; boot_id empty (not written) when unreadable. */
	bool one_node;
	int node_id;
	int64_t mono_us;
	int64_t unix_us;
	char host[256];
	char boot_id[40];
};

struct wev {
	enum wev_type type;
	int64_t us;    /* microseconds since the run started */
	uint64_t tick; /* the emitting node's tick, where it has one */
	uint64_t now;  /* core events: the node's own clock, ticks since
			      raft_init (raft_state.now). Tick numbers may
			      jump for a late thread; this never does. */
	int node;
	uint64_t term;
	enum raft_role role;
	int peer;           /* vote: the candidate; heartbeat: the leader;
			      saw_term, loss: the sender */
	uint64_t seen_term; /* saw_term: the higher term */
	int count;          /* round: followers reached */
	int64_t late_us;    /* late: how late the node's tick ran */
	uint64_t index;     /* log events (see the types above) */
	uint64_t last_index;
	uint64_t entry_term;
	uint64_t digest;
	bool installed;                /* snapshot */
	const struct hist_event *hist; /* invoke, ok, fail, info */
	uint64_t token;                /* fenced */
	uint64_t highest;              /* fenced */
	bool accepted;                 /* fenced */
	int client;                    /* duplicate */
	uint64_t seq;                  /* duplicate */
	bool recovered;                /* restart: from a WAL (schema 5) */
	uint64_t last_term;            /* restart, recovered */
	const uint64_t *runs;          /* restart, recovered: run_count */
	int run_count;                 /* (first index, term) pairs */
	enum wev_disk_what disk_what;  /* disk */
	const char *text;              /* disk: where, in words */
	const uint8_t
		*group_of; /* partition: group of each node (nodes long) */
	const struct run_info *info; /* start only */
	/* end only: */
	uint64_t violations;
	uint64_t spurious_elections;
	bool interrupted; /* stopped by SIGINT or SIGTERM before its end */
};

/* world.c: a core event as a run event, stamped with the run's time and
 * the driver's tick. */
struct wev wev_from_raft(const struct raft_event *ev, int64_t us,
			 uint64_t tick);

/* The event for a message from `from` to `to` lost to a full mailbox:
 * the runtime's mailbox push and the simulator's paused-node mailbox
 * publish it, so that the checker knows the run lost messages. */
struct wev wev_loss(int64_t us, uint64_t tick, int from, int to);

/* The event for node `node` running its acting tick `tick` late_us after
 * that tick's deadline. */
struct wev wev_late(int64_t us, uint64_t tick, int node, int64_t late_us);

/* A client history event as a run event at its own time h->us; it points
 * to h, which must stay valid while the event is published. */
struct wev wev_from_hist(const struct hist_event *h);

#endif

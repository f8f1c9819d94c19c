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
};

/* Fills in the lesson's defaults: heartbeat 3 ticks, election 10-20 ticks. */
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
};

struct raft_state {
	struct raft_config config;

	/* Figure 2, persistent on all servers. */
	uint64_t current_term;
	int voted_for;

	enum raft_role role;
	int leader_id; /* the leader this node knows in current_term, or NONE */

	/* The log is empty for now; the up-to-date check (§5.4.1) uses these. */
	uint64_t last_log_index;
	uint64_t last_log_term;

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

	struct raft_rng rng;
	struct raft_transport transport;
	struct raft_event_sink events;
	struct raft_stats stats;

	/* The per-peer arrays last (9 KiB at 1024 nodes): every step touches
	 * the fields above, which then share a few cache lines. */
	uint8_t granted[RAFT_MAX_NODES]; /* 1: granted its (pre-)vote */
	uint64_t last_heard[RAFT_MAX_NODES];
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

/* Stands in for the log until log replication lands: sets where this
 * node's log ends, for the §5.4.1 up-to-date check. Experiments use it to
 * model stale followers (the paper's Figure 16 setup). Precondition:
 * last_term <= current_term. */
void raft_set_log_tail(struct raft_state *s, uint64_t last_index,
		       uint64_t last_term);

/* Majority of the cluster: floor(n/2) + 1. */
int raft_majority(const struct raft_state *s);

#endif

/* checker_internal.h - what the checker's files share.
 *
 * checker.c feeds events and checks each against the node's state;
 * checker_terms.c keeps who led and who voted in each term in use;
 * checker_timing.c has the rules measured in a node's own clock and the
 * spurious-election count; checker_live.c the liveness rule;
 * checker_log.c the log's safety rules (Figure 3), checker_propose.c
 * the proposals' liveness and checker_clients.c the clients' rules.
 */
#ifndef CHECKER_INTERNAL_H
#define CHECKER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "checker.h"

/* No time yet, for the int64_t times below. */
#define NO_TIME INT64_MIN

/* The log model's bounds (checker_log.c): what is held per node and for
 * the whole cluster never grows with the entries of a run. */
#define CHECKER_LOG_RUNS 32       /* term runs modelled per node */
#define CHECKER_LOG_TERMS 256     /* where each recent term's run starts */
#define CHECKER_LOG_POINTS 16     /* committed points, by commit term */
#define CHECKER_APPLY_WINDOW 4096 /* applied indexes compared */

/* Entries first.. (up to the next run, or the log's end) are of term. */
struct log_run {
	uint64_t first, term;
};

/* One node's log as the checker sees it: entries above `base` as runs of
 * terms; `base` is the entry before them (its term known unless
 * base_known is false: the model lost track after a gap). Entries at or
 * below base were compacted into a snapshot or forgotten (the oldest run
 * goes when CHECKER_LOG_RUNS are full): nothing is judged of them. */
struct node_log {
	uint64_t base, base_term;
	bool base_known;
	uint64_t last;            /* the last index; base when no run */
	uint64_t snapshot;        /* durable: where a restart starts applying */
	uint64_t commit, applied; /* volatile: a restart resets them */
	int nruns;
	struct log_run runs[CHECKER_LOG_RUNS];
	/* Proposal liveness (checker_propose.c), as leader: the oldest
	 * proposal not yet committed, since when, and the last proposed. */
	bool prop_pending;
	uint64_t prop_index, prop_last;
	int64_t prop_since;
	int64_t prop_due;    /* when it fails; INT64_MAX: not judged now */
	uint64_t prop_reach; /* the highest index known on a majority of
				its term's logs, while below prop_index */
};

/* Where the entries of `term` start in every log that has them (the
 * leader of term's first entry of term), and the term before them. */
struct term_start {
	uint64_t term, first, prev_term;
	int node; /* the first node seen with them, for the report */
};

/* The highest index committed in term in_term, and its entry's term:
 * every leader of a later term must hold it (Leader Completeness). */
struct commit_point {
	uint64_t index, term, in_term;
};

/* The entry applied last at index: its term and the state's digest. */
struct apply_slot {
	uint64_t index, term, digest;
	int node;
};

/* A proposal not committed within W on threads, reported only once
 * every node that counted as quiet has been heard from since (a late
 * tick is said only when its thread runs again; see checker_live.c). */
struct prop_pending {
	bool on;
	int64_t at; /* the deadline it failed at */
	int leader;
	uint64_t index;
	int quiet, unheard;
	uint8_t quiet_of[RAFT_MAX_NODES / 8];
};

/* The cluster-wide part of the log model. */
struct checker_log {
	int nstarts;
	struct term_start starts[CHECKER_LOG_TERMS];
	/* The committed log: committed entries as runs above cbase. */
	uint64_t committed, cbase, cbase_term;
	int ncruns;
	struct log_run cruns[CHECKER_LOG_RUNS];
	int npoints;
	struct commit_point points[CHECKER_LOG_POINTS];
	struct apply_slot applied[CHECKER_APPLY_WINDOW];
	int64_t prop_deadline; /* the earliest leader's; INT64_MAX: none */
	struct prop_pending pending;
	uint64_t props_judged; /* proposals committed within their wait */
};

struct node {
	uint64_t term, prev_term; /* now, and before the last WEV_TERM */
	enum raft_role role;
	bool paused, crashed;
	int rec; /* the record of its term (checker_terms.c) */

	/* Its own clock ("now" of its core events, raft_state.now): ticks
	 * it has run since it booted. It stands still while the node is
	 * paused and starts again from 0 at a restart. */
	bool clock_known;
	uint64_t clock;
	/* Timer reset: the clock when it last accepted a heartbeat, since
	 * it booted. */
	bool hb_clock_known;
	uint64_t hb_clock;
	int hb_clock_leader;
	/* Heartbeat gap: as leader, the clock of its last round (or of its
	 * election); one report per leadership. */
	uint64_t round_clock;
	bool gap_reported;

	/* The spurious-election count, in run time (us). */
	int64_t up_since;      /* last resume or restart (start at first) */
	int64_t leader_since;  /* last became leader */
	int64_t reach_changed; /* last change of whom it reaches, or loss */
	int hb_leader;         /* the last heartbeat it accepted: from whom, */
	uint64_t hb_term;      /* in which term */
	int64_t hb_at;         /* and when */

	/* Liveness: the last fault that touched it (pause, resume, crash,
	 * restart, a change of whom it reaches, a message it lost, a tick it
	 * ran late), and the last one that was not a loss or late tick. */
	int64_t touched;
	int64_t fault_touched;
	bool ran_late;

	/* After a leader saw a higher term: 1 expects the term change next,
	 * 2 the role change to follower. */
	int watch;
	uint64_t watch_term, watch_seen;

	struct node_log log;

	/* Durable storage (checker_storage.c): what it last promised (a
	 * WEV_PERSIST), and whether its disk refused to recover. */
	bool promised;
	uint64_t p_term, p_index, p_index_term;
	int p_vote;
	bool refused;
};

/* A term some node is in: a node acts in a term only while it is in it,
 * and never comes back to a term it left, so a term nobody is in can get
 * no new leader or vote that its old record would judge differently (see
 * checker_terms.c). At most one record per node. */
struct term_rec {
	uint64_t term;
	int users;      /* nodes whose current term this is; 0: free */
	int16_t leader; /* who became leader in it, or RAFT_NONE */
	bool whole;     /* made for a term beyond any seen before, so it has
			   seen all of it (see checker_from_leader) */
};

/* A failed liveness wait on threads, not said yet (checker_live.c,
 * pending_add). */
#define CHECKER_LIVE_PENDING 8
struct live_pending {
	int64_t at;      /* its deadline: when it failed */
	int64_t from;    /* when its wait began */
	int64_t stretch; /* its leaderless stretch's start */
	int running;     /* running, connected nodes, for the report */
	int quiet;       /* nodes untouched throughout the wait */
	int unheard;     /* of those, not heard from since `at` */
	uint8_t quiet_of[RAFT_MAX_NODES / 8]; /* and which, while unheard */
};

/* Clocks apart (checker_set_clocks_apart): what election safety and
 * leader completeness keep to judge events seen out of order. */
struct term_leader {
	uint64_t term;
	int leader;
};

struct checker_apart {
	int nleaders; /* the leaders of the newest terms seen */
	struct term_leader leaders[CHECKER_LOG_TERMS];
	uint64_t led_term[RAFT_MAX_NODES];       /* each node's last election */
	struct node_log led_log[RAFT_MAX_NODES]; /* its log then */
	uint64_t hist_skipped; /* client history events not checked */
};

/* The clients' part (checker_clients.c). */
struct checker_clients {
	struct lincheck *lc; /* made at the first history event */
	int64_t timeout_us;  /* 0: CHECKER_LINCHECK_TIMEOUT_US */
	char *report;        /* lincheck's, when not linearizable */
	size_t report_len;
	struct checker_clients_stats stats;
};

struct checker {
	struct run_info info;
	bool started, finished, nostart_reported;
	bool partitioned;
	int n;
	int64_t last_us;
	uint64_t violations, spurious;
	int64_t last_violation_us; /* when the latest violation happened */
	int nreports;
	struct checker_violation reports[CHECKER_MAX_REPORTS];
	uint8_t group_of[RAFT_MAX_NODES];

	/* Liveness (checker_live.c). */
	bool live_on;             /* no message loss was asked for */
	int64_t live_window;      /* W, us */
	int64_t leaderless_since; /* NO_TIME: a leader, or no majority */
	int64_t live_from;        /* the current wait began (quiet majority) */
	int64_t live_deadline;    /* INT64_MAX: nothing to judge */
	int live_quiet;           /* nodes in the quiet majority */
	bool live_reported;       /* this leaderless stretch failed already */
	struct checker_live_stats live;
	/* When the wait would have begun but for losses and late ticks, and
	 * up to when the excluded time has been counted. */
	int64_t live_fault_from;
	int64_t live_counted_us;
	int64_t start_us;
	struct checker_overload over;
	int npending;
	struct live_pending pending[CHECKER_LIVE_PENDING];

	uint64_t max_term; /* the highest term any node has been in */
	struct term_rec recs[RAFT_MAX_NODES];
	/* votes[r][i]: whom node i voted for in the term of recs[r]. */
	int16_t votes[RAFT_MAX_NODES][RAFT_MAX_NODES];
	struct node nodes[RAFT_MAX_NODES];
	struct checker_log log;
	struct checker_clients clients;
	struct checker_storage_stats storage;
	struct checker_apart *apart; /* NULL: one clock */
	/* A resumed run's times start again from 0: added to each event's
	 * so that the whole history's are in order (checker_resume). */
	int64_t us_offset;
};

/* checker.c: counts a violation and keeps its report while there is room. */
void checker_violate(struct checker *c, int64_t us, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ticks in microseconds, saturating: a trace file may say anything. */
int64_t checker_ticks_us(const struct checker *c, uint64_t ticks);
bool checker_is_up(const struct node *st);

/* checker_terms.c: the per-term records (who led, who voted for whom). */
void checker_terms_start(struct checker *c);
void checker_enter_term(struct checker *c, int node, uint64_t term);
void checker_become_leader(struct checker *c, int node, const struct wev *ev);
void checker_vote(struct checker *c, int node, const struct wev *ev);
void checker_from_leader(struct checker *c, const struct wev *ev, int leader,
			 const char *what);
/* Clocks apart: the leader of term other than node seen before, or
 * RAFT_NONE; records node as term's leader if it is the first. */
int checker_apart_leader(struct checker *c, uint64_t term, int node);

/* checker_timing.c: rules in the node's own clock, and the spurious
 * count. */
void checker_clock(struct checker *c, int node, const struct wev *ev);
void checker_timer_reset(struct checker *c, int node, const struct wev *ev);
void checker_heartbeat_gap(struct checker *c, int node, const struct wev *ev);
void checker_count_spurious(struct checker *c, int node, const struct wev *ev);

/* checker_live.c: liveness. start sets the window; update runs after
 * every event that may change who is up, connected, touched or leading;
 * judge runs before every event and at the end. */
void checker_live_start(struct checker *c, int64_t us);
void checker_live_update(struct checker *c, int64_t us);
void checker_live_judge(struct checker *c, int64_t us, bool at_end);
/* After the judge, before an event of a node's own (core, node fault) is
 * applied: what it says of the pending judgments on threads. */
void checker_live_hear(struct checker *c, const struct wev *ev);
/* A late event (WEV_LATE): counted, and a touch of its node. */
void checker_late(struct checker *c, const struct wev *ev);
/* At the end: the last judgment, and the overload figures completed. */
void checker_live_finish(struct checker *c, int64_t us);

/* checker_faults.c: pause, resume, crash, restart and late ticks; and
 * partition, heal and loss. */
void checker_apply_node_fault(struct checker *c, const struct wev *ev);
void checker_apply_net_fault(struct checker *c, const struct wev *ev);
/* A node fault with what it means beyond who is up: proposals dropped, a
 * restart's log (checker_log_restart) and recovered state. crash_now: the
 * node is down from `us` as if it had crashed. */
void checker_node_fault(struct checker *c, const struct wev *ev);
void checker_crash_now(struct checker *c, int node, int64_t us);

/* checker_log.c: the log events (append, commit, apply, truncate,
 * snapshot, propose), and what elections and restarts mean to the log. */
void checker_log_start(struct checker *c);
void checker_log_event(struct checker *c, int node, const struct wev *ev);
void checker_log_leader(struct checker *c, int node, const struct wev *ev);
void checker_log_restart(struct checker *c, int node);

/* checker_log.c: a term's first run, seen at first after prev_term on
 * node (log matching). */
void checker_log_term_start(struct checker *c, int node, const struct wev *ev,
			    uint64_t first, uint64_t term, uint64_t prev_term);

/* checker_storage.c: the storage rules (schema 5). event takes persist
 * and disk events (a failed disk, or one refused while the node was up,
 * takes the node down); restart, a restart with a recovered state, before
 * the log's restart; resume, a resumed run's start line (every node down).
 */
void checker_storage_event(struct checker *c, const struct wev *ev);
void checker_storage_restart(struct checker *c, const struct wev *ev);
void checker_resume(struct checker *c, const struct wev *ev);

/* checker_log_model.c: the log model. What a log holds at an index: */
enum at { AT_TERM, AT_NONE, AT_UNKNOWN };
enum at log_runs_term_at(const struct log_run *runs, int nruns, uint64_t base,
			 uint64_t base_term, bool base_known, uint64_t last,
			 uint64_t i, uint64_t *term);
enum at log_term_at(const struct node_log *l, uint64_t i, uint64_t *term);
enum at log_committed_term_at(const struct checker_log *g, uint64_t i,
			      uint64_t *term);
bool log_last_term(const struct node_log *l, uint64_t *term);
/* Appends a run, forgetting the oldest into the base when full. */
void log_push_run(struct log_run *runs, int *nruns, uint64_t *base,
		  uint64_t *base_term, uint64_t first, uint64_t term);
/* Drops the entries from `from` on (from > base). */
void log_cut(struct node_log *l, uint64_t from);
/* Forgets the entries at or below index, the new base (a snapshot). */
void log_rebase(struct node_log *l, uint64_t index, uint64_t term, bool known);
/* The model lost track: nothing known at or below index, the end. */
void log_reset_at(struct node_log *l, uint64_t index);
/* Replaces the log by a recovered one: a snapshot of (snap, snap_term),
 * then entries of the runs (pairs of first index and term, consistent:
 * see checker_storage.c) up to last. */
void log_replace(struct node_log *l, uint64_t snap, uint64_t snap_term,
		 const uint64_t *runs, int nruns, uint64_t last);

/* checker_propose.c: a stable leader's proposal commits within W. update
 * runs after every event that may change a wait; judge before every
 * event; hear as checker_live_hear; drop when a leadership ends. */
void checker_propose_start(struct checker *c);
void checker_propose_update(struct checker *c, int64_t us);
void checker_propose_judge(struct checker *c, int64_t us, bool at_end);
void checker_propose_hear(struct checker *c, const struct wev *ev);
void checker_propose_drop(struct checker *c, int node);
void checker_propose_commit(struct checker *c, int node, const struct wev *ev);
void checker_propose_new(struct checker *c, int node, const struct wev *ev);
void checker_propose_progress(struct checker *c, int node, int64_t us);

/* checker_clients.c: the history goes to lincheck as it comes, checked
 * at the end; fenced and duplicate events are judged at once. */
void checker_clients_event(struct checker *c, const struct wev *ev);
void checker_clients_finish(struct checker *c, int64_t us);
void checker_clients_free(struct checker *c);

#endif

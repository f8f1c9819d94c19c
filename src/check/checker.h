/* checker.h - Raft's invariants, checked live and from trace files.
 *
 * One checker serves every mode: it is fed `struct wev` in time order, by
 * the monitor during a run and by `raftsim check FILE` from a trace. Each
 * rule below names itself at the start of its violation text (Raft paper
 * Figure 2, Figure 3, §5.1, §5.2, §5.6; README "What the checker checks"):
 *  - "election safety": at most one leader per term;
 *  - "term": a node's term only grows, across restarts too;
 *  - "one vote": a node votes at most once per term, across restarts too;
 *  - "leader legitimacy": a leader of term T had a majority's votes in T;
 *  - "heartbeat legitimacy": heartbeats come only from their term's leader;
 *  - "step-down": a leader that sees a higher term steps down at once;
 *  - "event": every event agrees with its node's state: its term is the
 *    node's term, its role change is one Figure 4 allows, the node is up,
 *    its own clock never goes back;
 *  - "timer reset": a node starts an election (or pre-vote) no sooner than
 *    election_min ticks of its own clock after it accepted a heartbeat;
 *  - "heartbeat gap": a leader, in its own clock, sends a heartbeat round
 *    at least every heartbeat_ticks and always within election_min (§5.6);
 *  - "liveness": whenever a majority of nodes has been up and connected
 *    with no fault touching it for W (checker_live.c), the nodes it can
 *    reach have a leader by the end of W. Not judged with --drop.
 *  - the log's rules (checker_log.c, Figure 3): "log matching", "leader
 *    append-only", "leader completeness", "committed entry lost",
 *    "commit", "apply", "state machine safety"; and a stable leader's
 *    proposal commits within W ("liveness", checker_propose.c).
 *  - the clients' rules (checker_clients.c, issue 11): "history": every
 *    completion matches an open invoke of its client (lincheck_add);
 *    "linearizability": the history is linearizable (lincheck_run at the
 *    end, whatever liveness said: it does not depend on it); "fencing":
 *    the fenced store accepted no stale token; "exactly-once": no store
 *    executed a request twice.
 *  - the storage rules (checker_storage.c, issue 12, trace schema 5): a
 *    node restarted from its WAL has at least the term ("durable term"),
 *    the vote ("durable vote") and the last entry ("durable log") it last
 *    promised (WEV_PERSIST); no node promises two votes in one term. The
 *    node's term, votes and log model become the recovered ones, so the
 *    rules above judge what follows. A resumed run's start line takes
 *    every node down and its times count on from the last before it.
 * The two timer rules hold in every run, faults and loss included: they
 * count only ticks the node itself ran, so no delay of a message or of
 * the scheduler can make correct code break them.
 * Spurious elections (an election while a healthy leader of the node's term
 * had been reaching it) are counted, not judged: message delays alone can
 * cause them. Memory is fixed at checker_new: per-term records are kept only
 * for the terms some node is in, so no run is too long to check.
 */
#ifndef CHECKER_H
#define CHECKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/world.h"

#define CHECKER_MAX_REPORTS 16

struct checker_violation {
	int64_t us;
	char what[200];
};

/* How the liveness rule went: every leaderless stretch of a quiet
 * majority that ended with a leader, and the longest of them. */
enum checker_live_skip {
	CHECKER_LIVE_JUDGED,  /* liveness is judged */
	CHECKER_LIVE_DROP,    /* --drop: an election may fail for ever */
	CHECKER_LIVE_CROWDED, /* more nodes than CHECKER_LIVE_NODES_PER_TICK
				 per tick of the timeouts' spread */
	CHECKER_LIVE_CLOCKS,  /* merged traces of several hosts' clocks
				 (checker_set_clocks_apart) */
};

/* Liveness is judged up to this many nodes per tick of the election
 * timeouts' spread (MAX - MIN + 1): past it, so many nodes time out
 * together that split votes can go on for many rounds (measured: 7 s
 * without a leader at 768 nodes and 10-20 ticks) and no window would be
 * safe for correct Raft; the verdict says liveness was not judged. */
#define CHECKER_LIVE_NODES_PER_TICK 24

struct checker_live_stats {
	enum checker_live_skip skip;
	uint64_t judged;    /* stretches that ended with a leader */
	int64_t longest_us; /* the longest such wait */
	int64_t window_us;  /* W */
};

/* What the machine could not keep: ticks that ran late on threads
 * (WEV_LATE) and messages lost to full mailboxes (WEV_LOSS). Each is a
 * fault touching its node(s) (both ends of a lost message), so liveness
 * excludes the stretches they touch. excluded_us is the time they alone
 * kept liveness from being judged: a leaderless majority whose quiet wait,
 * counting faults proper only, had lasted the window W already. */
struct checker_overload {
	uint64_t late;  /* late events */
	int late_nodes; /* nodes that ran late at least once */
	int64_t longest_late_us;
	uint64_t lost; /* loss events */
	int64_t excluded_us;
	int64_t run_us;           /* start to finish */
	uint64_t live_violations; /* of the violations, liveness ones */
	uint64_t live_withdrawn;  /* failed waits a late tick said later
				    had not been quiet: not reported */
};

/* The linearizability check's time limit at the end of a run (and of
 * `raftsim check`): past it the history is undecided, and the run cannot
 * be judged (never a PASS). */
#define CHECKER_LINCHECK_TIMEOUT_US ((int64_t)60 * 1000000)

/* What became of the client history. */
enum checker_lin {
	CHECKER_LIN_NONE,      /* no history events */
	CHECKER_LIN_OK,        /* linearizable */
	CHECKER_LIN_ILLEGAL,   /* not: a "linearizability" violation */
	CHECKER_LIN_MALFORMED, /* a "history" violation: not checked */
	CHECKER_LIN_UNDECIDED, /* the time limit passed */
	CHECKER_LIN_NOMEM,     /* out of memory: not checked */
};

struct checker_clients_stats {
	enum checker_lin lin; /* after checker_finish */
	uint64_t operations;  /* invokes */
	uint64_t keys;
	uint64_t open;   /* ended in info, or not at all */
	uint64_t failed; /* ended in fail */
	uint64_t fenced_refused;
	uint64_t fenced_accepted; /* stale tokens taken: "fencing" */
	uint64_t duplicates;      /* "exactly-once" */
	int64_t timeout_us;       /* the linearizability check's limit */
	bool any;                 /* any client event at all */
};

/* What the storage rules saw (schema 5: a run with a WAL). */
struct checker_storage_stats {
	uint64_t persists;   /* promises (WEV_PERSIST) */
	uint64_t recoveries; /* restarts with a recovered state */
	uint64_t torn, refused, failed, skipped, latent; /* disk events */
	uint64_t resumes; /* resumed runs' start lines */
	bool any;         /* any of these at all: the run had a WAL */
};

struct checker; /* opaque: see checker_internal.h */

/* Returns NULL when out of memory. */
struct checker *checker_new(void);
void checker_free(struct checker *c);

/* Feeds one event. The first must be WEV_START. Events must come in
 * non-decreasing `us`; an out-of-order event is itself a violation. */
void checker_feed(struct checker *c, const struct wev *ev);

/* Ends the run at `us` (the end event feeds this too), running the checks
 * that need the whole run, such as liveness. Idempotent. */
void checker_finish(struct checker *c, int64_t us);

uint64_t checker_violation_count(const struct checker *c);
uint64_t checker_spurious_elections(const struct checker *c);
struct checker_live_stats checker_live_stats(const struct checker *c);
struct checker_overload checker_overload(const struct checker *c);

/* Whether the run cannot be judged: liveness is judged, the run had late
 * ticks or lost messages, and for more than half of it they alone kept a
 * leaderless majority from being judged. Then a liveness violation says
 * nothing about Raft (the checker could see only the quiet moments between
 * the machine's stalls), and no "no violation" says much either; a safety
 * violation still stands. Valid after checker_finish. */
bool checker_unjudged(const struct checker *c);

/* The end-of-run notes on overload, one line each, if it happened: late
 * ticks, lost messages (mailbox: the --mailbox size, or 0 if unknown). */
void checker_print_overload(const struct checker *c, FILE *out,
			    const char *prefix, unsigned mailbox);

/* When the latest violation happened (0 before any): with the count, it
 * places every violation in time, past the first CHECKER_MAX_REPORTS too
 * (`raftsim timeline`). */
int64_t checker_last_violation_us(const struct checker *c);

/* The first CHECKER_MAX_REPORTS violations, for messages. */
int checker_reports(const struct checker *c,
		    const struct checker_violation **out);

/* How many records the log model holds now (term runs, term starts,
 * commit points, applied indexes): bounded by constants whatever the
 * run's length, which the tests check. */
size_t checker_log_records(const struct checker *c);

/* Writes every report, one per line ("  at 123.456 ms: ..."). */
void checker_print(const struct checker *c, FILE *out);

/* Before the first event: the events are several hosts' traces merged on
 * wall clocks that need not agree (`raftsim check A B C`), so two nodes'
 * events may come in another order than they happened; each node's own
 * come in order. The rules that compare different nodes' times are off:
 * liveness and the proposals' liveness, the spurious count, leader
 * legitimacy (a vote may come after the leader it made), heartbeat
 * legitimacy's "no leader" case (a heartbeat may come before its leader)
 * and the clients' linearizability (real-time order between clients).
 * Election safety keeps the leaders of recent terms, and leader
 * completeness each node's log at its last election, so that a leader or
 * a commit seen late is still judged. Returns 0, or -1 out of memory. */
int checker_set_clocks_apart(struct checker *c);
/* What was not checked for it, one line starting with prefix, if so. */
void checker_print_unchecked(const struct checker *c, FILE *out,
			     const char *prefix);

struct checker_storage_stats checker_storage_stats(const struct checker *c);
/* What was checked of storage, one line starting with prefix, if the run
 * had a WAL ("raftsim: checked storage: 1200 promises, 3 recoveries ...").
 */
void checker_print_storage(const struct checker *c, FILE *out,
			   const char *prefix);

struct checker_clients_stats checker_clients_stats(const struct checker *c);
/* Tests only: another time limit than CHECKER_LINCHECK_TIMEOUT_US. */
void checker_set_lincheck_timeout(struct checker *c, int64_t timeout_us);
/* Whether the history could not be decided (the time limit, memory): then
 * no verdict may be PASS. Valid after checker_finish. */
bool checker_clients_undecided(const struct checker *c);
/* What was checked of the clients, one line starting with prefix ("raftsim:
 * checked 1200 client operations on 10 keys ..."), if there were client
 * events. */
void checker_print_clients(const struct checker *c, FILE *out,
			   const char *prefix);
/* When the history is not linearizable: lincheck's report of the smallest
 * failing key (its operations, and where no order works), for after the
 * verdict. */
void checker_print_lincheck_report(const struct checker *c, FILE *out);

#endif

/* checker.h - Raft's invariants, checked live and from trace files.
 *
 * One checker serves every mode: it is fed `struct wev` in time order, by
 * the monitor during a run and by `raftsim check FILE` from a trace. It checks
 * (Raft paper Figure 3 and §5.2, §5.1; README "What the checker checks"):
 *  - election safety: at most one leader per term;
 *  - a node's term never decreases, across restarts too;
 *  - a node votes at most once per term, across restarts too;
 *  - leader legitimacy: a leader of term T had votes from a majority in T;
 *  - heartbeats come only from the leader of their term;
 *  - a leader that sees a higher term steps down at once (its next event is
 *    the term change and the role change to follower);
 *  - spurious elections: elections started while the leader of the node's
 *    term had been running, unpartitioned from it, for election_max ticks,
 *    in a run without message loss (counted, and a failure in fault-free
 *    runs);
 *  - liveness: once every fault has ended, all running nodes know one leader
 *    within 2 * election_max + heartbeat ticks.
 * It keeps bounded state and allocates only when a new term appears.
 *
 * Details (checker.c): an election is also spurious when the node had
 * accepted that leader's heartbeat in its term and neither has been paused,
 * crashed or re-partitioned since; the liveness verdict is given once per
 * quiet period, at the first event past its deadline or at the end; a crash
 * cancels a pending step-down; events after the end are ignored.
 */
#ifndef CHECKER_H
#define CHECKER_H

#include <stdint.h>
#include <stdio.h>

#include "harness/world.h"

#define CHECKER_MAX_REPORTS 16

struct checker_violation {
	int64_t us;
	char what[200];
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

/* When the latest violation happened (0 before any): with the count, it
 * places every violation in time, past the first CHECKER_MAX_REPORTS too
 * (`raftsim timeline`). */
int64_t checker_last_violation_us(const struct checker *c);

/* The first CHECKER_MAX_REPORTS violations, for messages. */
int checker_reports(const struct checker *c,
		    const struct checker_violation **out);

/* Writes every report, one per line ("  at 123.456 ms: ..."). */
void checker_print(const struct checker *c, FILE *out);

#endif

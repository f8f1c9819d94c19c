/* checker_live.c - liveness: a quiet majority gets a leader within W.
 *
 * The rule: whenever a majority of the nodes has been up and mutually
 * connected, with no fault touching any of them (a pause, resume, crash or
 * restart of the node, a change of whom it reaches, a message of it lost
 * to a full mailbox), for W, the nodes it is connected to have had a leader
 * at some moment of that W. Judged throughout the run, faults or not; not
 * judged at all in a run with --drop, where any election may fail for ever.
 *
 * Only one partition group can hold a majority of the up nodes: the
 * "majority group". A leaderless stretch starts when that group loses its
 * last running leader (or forms without one); its wait starts when, in
 * addition, a majority of its up nodes has gone untouched. A leader by
 * W after that is in time.
 *
 * W = 2 * election_max + heartbeat_ticks ticks, plus four message delays
 * (a pre-vote and a vote round trip), a delay being the run's latency
 * bound plus, with --reorder, the extra delay it may add (up to one
 * heartbeat interval, faults.c). Correct Raft needs at most election_max
 * for a first timeout after the wait starts and the round trips for its
 * election; the second election_max covers a split vote. Measured (README
 * "What the checker checks"): no correct run came near it.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "checker_internal.h"

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

void checker_live_start(struct checker *c, int64_t us)
{
	uint64_t delay = c->info.latency_max_us;
	int64_t w;

	if (c->info.reorder > 0)
		delay += (uint64_t)checker_ticks_us(c, c->info.heartbeat_ticks);
	w = checker_ticks_us(c, 2 * (uint64_t)c->info.election_max +
				     c->info.heartbeat_ticks);
	w = sat_add(w, delay > (uint64_t)INT64_MAX / 4 ? INT64_MAX
						       : (int64_t)delay * 4);
	c->live_on = c->info.drop == 0;
	c->live_window = w;
	c->live.window_us = w;
	c->leaderless_since = NO_TIME;
	c->live_from = NO_TIME;
	c->live_deadline = INT64_MAX;
	checker_live_update(c, us);
}

static int group_of(const struct checker *c, int node)
{
	return c->partitioned ? c->group_of[node] : 0;
}

/* The partition group holding a majority of all nodes among its running
 * ones, or -1. */
static int majority_group(const struct checker *c)
{
	int count[RAFT_MAX_NODES] = {0};
	int i, g;

	for (i = 0; i < c->n; i++) {
		if (!checker_is_up(&c->nodes[i]))
			continue;
		g = group_of(c, i);
		if (++count[g] >= c->n / 2 + 1)
			return g;
	}
	return -1;
}

static int by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A leaderless stretch is over: one more judged if it had a quiet
 * majority waiting, and none is pending any more. */
static void end_stretch(struct checker *c, int64_t us, bool leader)
{
	if (leader && c->leaderless_since != NO_TIME &&
	    c->live_from != NO_TIME && us >= c->live_from) {
		c->live.judged++;
		if (us - c->live_from > c->live.longest_us)
			c->live.longest_us = us - c->live_from;
	}
	c->leaderless_since = NO_TIME;
	c->live_from = NO_TIME;
	c->live_deadline = INT64_MAX;
	c->live_reported = false;
}

void checker_live_update(struct checker *c, int64_t us)
{
	int64_t touched[RAFT_MAX_NODES];
	int g, i, k = 0, need = c->n / 2 + 1;

	if (!c->live_on)
		return;
	g = majority_group(c);
	if (g < 0) {
		end_stretch(c, us, false);
		return;
	}
	for (i = 0; i < c->n; i++) {
		if (!checker_is_up(&c->nodes[i]) || group_of(c, i) != g)
			continue;
		if (c->nodes[i].role == RAFT_LEADER) {
			end_stretch(c, us, true);
			return;
		}
		touched[k++] = c->nodes[i].touched;
	}
	if (c->leaderless_since == NO_TIME)
		c->leaderless_since = us;
	/* The wait starts once `need` of them are untouched: at the need-th
	 * earliest last touch. */
	qsort(touched, (size_t)k, sizeof(touched[0]), by_time);
	c->live_from = touched[need - 1] > c->leaderless_since
			       ? touched[need - 1] : c->leaderless_since;
	c->live_quiet = k;
	c->live_deadline = c->live_reported
				   ? INT64_MAX
				   : sat_add(c->live_from, c->live_window);
}

/* Before an event at `us` (past the deadline: the state since the last
 * event held there), or at the end of the run (the deadline itself
 * counts). */
void checker_live_judge(struct checker *c, int64_t us, bool at_end)
{
	int64_t at = c->live_deadline;

	if (at == INT64_MAX || us < at || (!at_end && us == at))
		return;
	c->live_reported = true;
	c->live_deadline = INT64_MAX;
	checker_violate(c, at, "liveness: no leader among the %d running, "
			"connected nodes for %" PRId64 ".%03" PRId64 " ms "
			"after a majority of them last had a fault (the window "
			"is 2 * %u + %u ticks and 4 message delays)",
			c->live_quiet, c->live_window / 1000,
			c->live_window % 1000, c->info.election_max,
			c->info.heartbeat_ticks);
}

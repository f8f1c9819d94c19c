/* checker_live.c - liveness: a quiet majority gets a leader within W.
 *
 * The rule: whenever a majority of the nodes has been up and mutually
 * connected, with no fault touching any of them (a pause, resume, crash or
 * restart of the node, a change of whom it reaches, a message of it lost
 * to a full mailbox), for W, the nodes it is connected to have had a leader
 * at some moment of that W. Judged throughout the run, faults or not; not
 * judged at all in a run with --drop, where any election may fail for ever,
 * nor in a cluster too large for its timeouts' spread (checker.h,
 * CHECKER_LIVE_NODES_PER_TICK), where split votes can go on for long.
 *
 * Overload: a message lost to a full mailbox, or a tick a thread ran more
 * than a tick late (in effect a pause by the machine), touches its nodes
 * like a fault. The time a wait is held off by those alone, where faults
 * proper would have let it begin, is counted (checker_overload): when it
 * is most of the run, the run cannot be judged (checker_unjudged).
 *
 * Only one partition group can hold a majority of the up nodes: the
 * "majority group". A leaderless stretch starts when that group loses its
 * last running leader (or forms without one); its wait starts when, in
 * addition, a majority of its up nodes has gone untouched. A leader by
 * W after that is in time.
 *
 * W counts election rounds. A round is election_max ticks (the longest a
 * timer runs) plus four message delays (a pre-vote and a vote round trip);
 * a delay is the run's latency bound plus, with --reorder, the extra delay
 * it may add (up to one heartbeat interval, faults.c). Correct Raft needs
 * one round, and another for each split vote; votes split when a second
 * node times out while the first one's requests are in flight, so they
 * split more often as the round trips fill more of the timeouts' spread
 * (election_max - election_min + 1 ticks). Hence
 *     W = (4 + 4 * 4 delays / spread) rounds + heartbeat_ticks.
 * Measured (README "What the checker checks"): over tens of thousands of
 * leaderless waits in seeded stress runs (7 nodes, random pauses, crashes
 * and partitions; 1 and 10 ms ticks; latency up to 12 ms; ranges down to
 * 10-10) the longest correct wait took under half of W, while
 * --mistake fixed-timeout, whose split votes repeat, still exceeds it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static uint64_t sat_add_u(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul_u(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* a / b rounded up, b > 0 (0 when b is 0, which a checked start line
 * cannot give). */
static uint64_t spread_share(uint64_t a, uint64_t b)
{
	return b == 0 ? 0 : a / b + (a % b != 0);
}

void checker_live_start(struct checker *c, int64_t us)
{
	uint64_t delay = c->info.latency_max_us, unit, spread, rounds_x4;
	uint64_t w;

	/* A trace may promise any latency: every step saturates, so a huge
	 * one gives a huge window, never a wrapped-around small one. */
	if (c->info.reorder > 0)
		delay = sat_add_u(delay, (uint64_t)checker_ticks_us(
						 c, c->info.heartbeat_ticks));
	unit = sat_add_u((uint64_t)checker_ticks_us(c, c->info.election_max),
			 sat_mul_u(4, delay));
	spread = (uint64_t)checker_ticks_us(
		c, (uint64_t)c->info.election_max - c->info.election_min + 1);
	rounds_x4 = sat_add_u(16, spread_share(sat_mul_u(64, delay), spread));
	w = sat_add_u(sat_mul_u(unit / 4, rounds_x4),
		      sat_mul_u(unit % 4, rounds_x4) / 4);
	w = sat_add_u(w,
		      (uint64_t)checker_ticks_us(c, c->info.heartbeat_ticks));
	c->live.skip = c->apart != NULL   ? CHECKER_LIVE_CLOCKS
		       : c->info.drop > 0 ? CHECKER_LIVE_DROP
		       : (uint64_t)c->info.nodes >
				       (uint64_t)CHECKER_LIVE_NODES_PER_TICK *
					       (c->info.election_max -
						c->info.election_min + 1)
			       ? CHECKER_LIVE_CROWDED
			       : CHECKER_LIVE_JUDGED;
	c->live_on = c->live.skip == CHECKER_LIVE_JUDGED;
	c->live_window = w > INT64_MAX ? INT64_MAX : (int64_t)w;
	c->live.window_us = c->live_window;
	c->leaderless_since = NO_TIME;
	c->live_from = NO_TIME;
	c->live_fault_from = NO_TIME;
	c->live_counted_us = us;
	c->live_deadline = INT64_MAX;
	checker_live_update(c, us);
}

/* Counts up to `us` the time overload kept liveness from being judged:
 * when a leaderless majority's wait, but for losses and late ticks, would
 * have lasted W already, and has not. The state has held since the last
 * count. */
static void count_excluded(struct checker *c, int64_t us)
{
	int64_t lo = c->live_counted_us, hi = us;

	if (c->leaderless_since != NO_TIME && c->live_from != NO_TIME &&
	    c->live_fault_from < c->live_from) {
		if (lo < sat_add(c->live_fault_from, c->live_window))
			lo = sat_add(c->live_fault_from, c->live_window);
		if (hi > sat_add(c->live_from, c->live_window))
			hi = sat_add(c->live_from, c->live_window);
		if (hi > lo)
			c->over.excluded_us += hi - lo;
	}
	if (us > c->live_counted_us)
		c->live_counted_us = us;
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
	c->live_fault_from = NO_TIME;
	c->live_deadline = INT64_MAX;
	c->live_reported = false;
}

/* When a wait starts: once `need` of the k nodes are untouched (at the
 * need-th earliest last touch), and not before the stretch. Sorts
 * touched. */
static int64_t wait_from(const struct checker *c, int64_t *touched, int k,
			 int need)
{
	qsort(touched, (size_t)k, sizeof(touched[0]), by_time);
	return touched[need - 1] > c->leaderless_since ? touched[need - 1]
						       : c->leaderless_since;
}

void checker_live_update(struct checker *c, int64_t us)
{
	int64_t touched[RAFT_MAX_NODES], faulted[RAFT_MAX_NODES];
	int g, i, k = 0, need = c->n / 2 + 1;

	if (!c->live_on)
		return;
	count_excluded(c, us);
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
		faulted[k] = c->nodes[i].fault_touched;
		touched[k++] = c->nodes[i].touched;
	}
	if (c->leaderless_since == NO_TIME)
		c->leaderless_since = us;
	c->live_from = wait_from(c, touched, k, need);
	c->live_fault_from = wait_from(c, faulted, k, need);
	c->live_quiet = k;
	c->live_deadline = c->live_reported
				   ? INT64_MAX
				   : sat_add(c->live_from, c->live_window);
}

static void report(struct checker *c, int64_t at, int quiet)
{
	c->over.live_violations++;
	checker_violate(c, at,
			"liveness: no leader among the %d running, "
			"connected nodes for %" PRId64 ".%03" PRId64 " ms, a "
			"majority of them free of faults throughout (the "
			"window: election rounds of %u ticks and 4 message "
			"delays)",
			quiet, c->live_window / 1000, c->live_window % 1000,
			c->info.election_max);
}

#define BIT_SET(map, i) ((map)[(i) / 8] & (1u << ((i) % 8)))

/* On threads the judgment waits (see pending_add). Confirmed: reported,
 * at its own time. */
static void pending_confirm(struct checker *c, int k)
{
	struct live_pending *p = &c->pending[k];

	report(c, p->at, p->running);
	c->npending--;
	memmove(p, p + 1, (size_t)(c->npending - k) * sizeof(*p));
}

/* A node's late tick can be said only once its thread runs again: on
 * threads, a failed wait is kept pending until every node it counted as
 * quiet has been heard from since its deadline, and withdrawn if late
 * ticks said then leave fewer than a majority of them quiet throughout.
 * State as at the deadline: the judge runs before the next event. */
static void pending_add(struct checker *c, int64_t at)
{
	struct live_pending *p;
	int g = majority_group(c), i;

	if (c->npending == CHECKER_LIVE_PENDING)
		pending_confirm(c, 0); /* the oldest: said at the end anyway */
	p = &c->pending[c->npending++];
	memset(p, 0, sizeof(*p));
	p->at = at;
	p->from = c->live_from;
	p->stretch = c->leaderless_since;
	p->running = c->live_quiet;
	for (i = 0; g >= 0 && i < c->n; i++) {
		if (!checker_is_up(&c->nodes[i]) || group_of(c, i) != g ||
		    c->nodes[i].touched > c->live_from)
			continue;
		p->quiet_of[i / 8] |= (uint8_t)(1u << (i % 8));
		p->quiet++;
	}
	p->unheard = p->quiet;
}

void checker_live_hear(struct checker *c, const struct wev *ev)
{
	struct live_pending *p;
	int k, x = ev->node;
	uint8_t bit = (uint8_t)(1u << (x % 8));

	for (k = 0; k < c->npending; k++) {
		p = &c->pending[k];
		if (!BIT_SET(p->quiet_of, x) || ev->us < p->at)
			continue;
		p->quiet_of[x / 8] &= (uint8_t)~bit;
		p->unheard--;
		/* Late through some of the wait: it was not quiet. */
		if (ev->type != WEV_LATE || ev->us - ev->late_us >= p->at)
			continue;
		if (--p->quiet > c->n / 2)
			continue;
		c->over.live_withdrawn++;
		if (p->stretch == c->leaderless_since)
			c->live_reported = false; /* its wait starts over */
		c->npending--;
		memmove(p, p + 1, (size_t)(c->npending - k) * sizeof(*p));
		k--;
	}
	for (k = 0; k < c->npending;)
		if (c->pending[k].unheard == 0)
			pending_confirm(c, k);
		else
			k++;
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
	if (strcmp(c->info.mode, "threads") == 0)
		pending_add(c, at);
	else
		report(c, at, c->live_quiet);
}

/* A node's tick ran a tick or more late: the machine had in effect
 * paused it until now, so it is touched now and comes back now, as from a
 * resume. Not a fault proper: counted apart (checker_overload). */
void checker_late(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node];

	c->over.late++;
	if (!st->ran_late)
		c->over.late_nodes++;
	st->ran_late = true;
	if (ev->late_us > c->over.longest_late_us)
		c->over.longest_late_us = ev->late_us;
	if (checker_is_up(st))
		st->up_since = ev->us;
	st->touched = ev->us;
}

void checker_live_finish(struct checker *c, int64_t us)
{
	if (c->live_on)
		count_excluded(c, us);
	c->over.run_us = us > c->start_us ? us - c->start_us : 0;
	checker_live_judge(c, us, true);
	while (c->npending > 0) /* nothing more can be said */
		pending_confirm(c, 0);
}

bool checker_unjudged(const struct checker *c)
{
	const struct checker_overload *o = &c->over;

	/* "Most of the run": a run mostly judged is judged, and what was
	 * judged of it stands; a run mostly excluded has shown too little of
	 * Raft for a PASS to promise anything. */
	return c->live_on && (o->late > 0 || o->lost > 0) &&
	       o->excluded_us > o->run_us / 2;
}

void checker_print_overload(const struct checker *c, FILE *out,
			    const char *prefix, unsigned mailbox)
{
	const struct checker_overload *o = &c->over;
	const char *why = c->live_on ? "; liveness excludes what they touched"
				     : "";

	if (o->late > 0)
		fprintf(out,
			"%s: the machine could not keep the schedule: %" PRIu64
			" tick%s run a tick or more late (the longest %" PRId64
			" ms) on %d node%s%s\n",
			prefix, o->late, o->late == 1 ? "" : "s",
			o->longest_late_us / 1000, o->late_nodes,
			o->late_nodes == 1 ? "" : "s", why);
	if (o->lost > 0 && mailbox > 0)
		fprintf(out,
			"%s: %" PRIu64 " message%s lost to full mailboxes "
			"(--mailbox %u)%s\n",
			prefix, o->lost, o->lost == 1 ? "" : "s", mailbox, why);
	else if (o->lost > 0)
		fprintf(out,
			"%s: %" PRIu64 " message%s lost to full mailboxes"
			"%s\n",
			prefix, o->lost, o->lost == 1 ? "" : "s", why);
}

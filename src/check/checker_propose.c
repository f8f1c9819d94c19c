/* checker_propose.c - liveness of proposals: a stable leader with a quiet
 * majority commits what it was proposed within W.
 *
 * The rule: when leader L of term T appended a proposal at index i, and
 * then L and a majority of the nodes (L among them) stayed up, connected
 * to L and untouched by any fault (checker_live.c's notion of quiet: a
 * pause, resume, crash, restart, change of whom it reaches, a message lost
 * to a full mailbox or a tick run late) for W, L's commit index reached i
 * by the end of W. W is the election liveness window (checker_live.c): a
 * commit needs one round trip, or a heartbeat round after a loss, so W is
 * generous. A fault moves the wait's start; a leadership that ends, or a
 * crash, drops the proposal unjudged. So does progress towards it: while
 * the proposal is on fewer than a majority of its term's logs, each time
 * that majority's reach grows, the wait starts again. A leader may have
 * a long backlog of older entries to copy first (a new leader after a
 * partition, one entry a message with --max-batch-bytes): that takes as
 * long as it takes, and is not a stall. What is judged is a stall: no
 * entry copied towards the proposal for W, or the proposal on a majority
 * and not committed within W. Not judged where elections are not
 * (--drop, crowded clusters). On threads a failure waits, as elections'
 * do, until every node counted quiet has been heard from since, in case
 * one of them reports a late tick that covered the wait.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static bool same_group(const struct checker *c, int a, int b)
{
	return !c->partitioned || c->group_of[a] == c->group_of[b];
}

static int by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int by_index_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

/* When L's wait began: when L and a majority with it had been untouched,
 * and not before the proposal; NO_TIME without such a majority. */
static int64_t wait_from(const struct checker *c, int leader)
{
	const struct node *l = &c->nodes[leader];
	int64_t touched[RAFT_MAX_NODES], from;
	int i, k = 0, need = c->n / 2 + 1;

	if (!checker_is_up(l) || l->role != RAFT_LEADER)
		return NO_TIME;
	for (i = 0; i < c->n; i++)
		if (checker_is_up(&c->nodes[i]) && same_group(c, i, leader))
			touched[k++] = c->nodes[i].touched;
	if (k < need)
		return NO_TIME;
	qsort(touched, (size_t)k, sizeof(touched[0]), by_time);
	from = touched[need - 1];
	if (from < l->touched)
		from = l->touched;
	return from > l->log.prop_since ? from : l->log.prop_since;
}

static void set_due(struct checker *c, int leader)
{
	struct node_log *l = &c->nodes[leader].log;
	int64_t from = l->prop_pending ? wait_from(c, leader) : NO_TIME;

	l->prop_due = from == NO_TIME ? INT64_MAX
				      : sat_add(from, c->live_window);
}

static void earliest_due(struct checker *c)
{
	int i;

	c->log.prop_deadline = INT64_MAX;
	for (i = 0; i < c->n; i++)
		if (c->nodes[i].log.prop_due < c->log.prop_deadline)
			c->log.prop_deadline = c->nodes[i].log.prop_due;
}

void checker_propose_start(struct checker *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		c->nodes[i].log.prop_due = INT64_MAX;
	c->log.prop_deadline = INT64_MAX;
}

void checker_propose_update(struct checker *c, int64_t us)
{
	int i;

	(void)us;
	if (!c->live_on)
		return;
	for (i = 0; i < c->n; i++)
		if (c->nodes[i].log.prop_pending)
			set_due(c, i);
	earliest_due(c);
}

void checker_propose_new(struct checker *c, int node, const struct wev *ev)
{
	struct node_log *l = &c->nodes[node].log;

	if (!c->live_on)
		return;
	if (!l->prop_pending) {
		l->prop_pending = true;
		l->prop_reach = 0;
		l->prop_index = ev->index;
		l->prop_since = ev->us;
		set_due(c, node);
		earliest_due(c);
	}
	if (ev->last_index > l->prop_last)
		l->prop_last = ev->last_index;
}

/* The majority-th highest last index among leader's and the logs of the
 * up nodes in its term (the others count 0). A follower's stale suffix
 * may overstate its log until the leader's first AppendEntries truncates
 * it; the reach then drops, and growth is counted from there, so the
 * overstatement delays a restart of the wait once, never makes one. */
static uint64_t majority_reach(const struct checker *c, int leader)
{
	uint64_t last[RAFT_MAX_NODES];
	uint64_t term = c->nodes[leader].term;
	int i, k = 0, need = c->n / 2 + 1;

	for (i = 0; i < c->n; i++)
		last[k++] = checker_is_up(&c->nodes[i]) &&
					    c->nodes[i].term == term
				    ? c->nodes[i].log.last
				    : 0;
	qsort(last, (size_t)k, sizeof(last[0]), by_index_desc);
	return last[need - 1];
}

void checker_propose_progress(struct checker *c, int node, int64_t us)
{
	struct node_log *l;
	uint64_t reach;
	int i;

	if (!c->live_on)
		return;
	for (i = 0; i < c->n; i++) {
		l = &c->nodes[i].log;
		if (i == node || !l->prop_pending ||
		    c->nodes[i].role != RAFT_LEADER ||
		    c->nodes[i].term != c->nodes[node].term)
			continue;
		reach = majority_reach(c, i);
		if (reach > l->prop_reach && l->prop_reach < l->prop_index) {
			l->prop_reach = reach;
			l->prop_since = us;
			set_due(c, i);
			earliest_due(c);
		} else if (reach < l->prop_reach) {
			l->prop_reach = reach; /* a stale suffix was cut */
		}
	}
}

/* The leader's commit index reached `index`: its proposals up to there
 * are done; a later one still waiting starts its wait now (a later start,
 * so never a stricter rule). */
void checker_propose_commit(struct checker *c, int node, const struct wev *ev)
{
	struct node_log *l = &c->nodes[node].log;

	if (!l->prop_pending || c->nodes[node].role != RAFT_LEADER ||
	    ev->index < l->prop_index)
		return;
	c->log.props_judged++;
	if (ev->index >= l->prop_last) {
		l->prop_pending = false;
		l->prop_due = INT64_MAX;
	} else {
		l->prop_index = ev->index + 1;
		l->prop_since = ev->us;
		set_due(c, node);
	}
	earliest_due(c);
}

void checker_propose_drop(struct checker *c, int node)
{
	struct node_log *l = &c->nodes[node].log;

	if (!l->prop_pending)
		return;
	l->prop_pending = false;
	l->prop_due = INT64_MAX;
	earliest_due(c);
}

static void report(struct checker *c, int64_t at, int leader, uint64_t term,
		   uint64_t index)
{
	c->over.live_violations++;
	checker_violate(c, at,
			"liveness: leader %d of term %" PRIu64 " did not "
			"commit index %" PRIu64 " within %" PRId64 ".%03" PRId64
			" ms, with a majority of the nodes "
			"up, connected to it and free of faults throughout",
			leader, term, index, c->live_window / 1000,
			c->live_window % 1000);
}

static void pending_confirm(struct checker *c)
{
	struct prop_pending *p = &c->log.pending;

	if (!p->on)
		return;
	p->on = false;
	report(c, p->at, p->leader, c->nodes[p->leader].term, p->index);
}

/* Threads: the failure waits to be heard out (see the top comment). */
static void pending_add(struct checker *c, int leader)
{
	struct prop_pending *p = &c->log.pending;
	const struct node_log *l = &c->nodes[leader].log;
	int64_t from = wait_from(c, leader);
	int i;

	pending_confirm(c); /* one at a time: the older one is said now */
	memset(p, 0, sizeof(*p));
	p->on = true;
	p->at = l->prop_due;
	p->leader = leader;
	p->index = l->prop_index;
	for (i = 0; i < c->n; i++) {
		if (!checker_is_up(&c->nodes[i]) || !same_group(c, i, leader) ||
		    c->nodes[i].touched > from)
			continue;
		p->quiet_of[i / 8] |= (uint8_t)(1u << (i % 8));
		p->quiet++;
	}
	p->unheard = p->quiet;
}

void checker_propose_hear(struct checker *c, const struct wev *ev)
{
	struct prop_pending *p = &c->log.pending;
	int x = ev->node;
	uint8_t bit = (uint8_t)(1u << (x % 8));

	if (!p->on || !(p->quiet_of[x / 8] & bit) || ev->us < p->at)
		return;
	p->quiet_of[x / 8] &= (uint8_t)~bit;
	p->unheard--;
	if (ev->type == WEV_LATE && ev->us - ev->late_us < p->at &&
	    (x == p->leader || --p->quiet <= c->n / 2)) {
		p->on = false; /* it was not quiet after all */
		return;
	}
	if (p->unheard == 0)
		pending_confirm(c);
}

/* Before an event at `us`, or at the end (the deadline itself counts). */
void checker_propose_judge(struct checker *c, int64_t us, bool at_end)
{
	struct node_log *l;
	int i;

	if (c->log.prop_deadline == INT64_MAX || us < c->log.prop_deadline ||
	    (!at_end && us == c->log.prop_deadline))
		return;
	for (i = 0; i < c->n; i++) {
		l = &c->nodes[i].log;
		if (l->prop_due == INT64_MAX || us < l->prop_due ||
		    (!at_end && us == l->prop_due))
			continue;
		if (strcmp(c->info.mode, "threads") == 0)
			pending_add(c, i);
		else
			report(c, l->prop_due, i, c->nodes[i].term,
			       l->prop_index);
		l->prop_pending = false; /* one report per stretch */
		l->prop_due = INT64_MAX;
	}
	earliest_due(c);
	if (at_end)
		pending_confirm(c); /* nothing more can be said */
}

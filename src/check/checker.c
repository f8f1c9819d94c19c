/* checker.c - Raft's invariants over a stream of run events; see checker.h.
 *
 * Per node it follows term, role, up/down and the last heartbeat; per term
 * who led it and whom each node voted for in it (checker_terms.c, which
 * keeps that state bounded by the spread of terms in the cluster, not by the
 * length of the run).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"

void checker_violate(struct checker *c, int64_t us, const char *fmt, ...)
{
	struct checker_violation *v;
	va_list ap;
	int rv;

	c->violations++;
	c->last_violation_us = us;
	if (c->nreports >= CHECKER_MAX_REPORTS)
		return;
	v = &c->reports[c->nreports++];
	v->us = us;
	va_start(ap, fmt);
	/* A long message is cut to fit: it is only a description. */
	rv = vsnprintf(v->what, sizeof(v->what), fmt, ap);
	va_end(ap);
	if (rv < 0)
		snprintf(v->what, sizeof(v->what), "(unprintable report)");
}

struct checker *checker_new(void)
{
	return calloc(1, sizeof(struct checker));
}

void checker_free(struct checker *c)
{
	if (c == NULL)
		return;
	free(c->slots);
	free(c);
}

/* Ticks in microseconds, saturating: a trace file may say anything. */
static int64_t ticks_us(const struct checker *c, uint64_t ticks)
{
	uint64_t per = c->info.tick_us;

	if (per != 0 && ticks > (uint64_t)INT64_MAX / per)
		return INT64_MAX;
	return (int64_t)(ticks * per);
}

/* Whether `since` lies at least `w` before `now`, without overflow. */
static bool held_for(int64_t since, int64_t now, int64_t w)
{
	return now >= since && (uint64_t)now - (uint64_t)since >= (uint64_t)w;
}

static bool is_up(const struct node *st)
{
	return !st->paused && !st->crashed;
}

static int64_t live_deadline(const struct checker *c)
{
	int64_t wait = ticks_us(c, c->live_wait);

	return c->quiet_since > INT64_MAX - wait ? INT64_MAX
						 : c->quiet_since + wait;
}

static void start(struct checker *c, const struct wev *ev)
{
	int i;

	if (ev->info == NULL || ev->info->nodes < 1 ||
	    ev->info->nodes > RAFT_MAX_NODES) {
		checker_violate(c, ev->us,
				"start event without a valid node count");
		c->finished = true; /* nothing can be checked */
		return;
	}
	c->info = *ev->info;
	c->n = c->info.nodes;
	c->started = true;
	c->last_us = ev->us;
	for (i = 0; i < c->n; i++) {
		c->nodes[i].hb_leader = RAFT_NONE;
		c->nodes[i].up_since = ev->us;
		c->nodes[i].reach_changed = ev->us;
	}
	/* Message loss can delay any election for ever; duplicates cannot. */
	c->live_checked = c->info.drop == 0 && c->info.reorder == 0 &&
			  !c->info.random_faults;
	c->live_pending = c->live_checked; /* quiet from the first moment */
	c->quiet_since = ev->us;
	c->live_wait = 2 * (uint64_t)c->info.election_max +
		       c->info.heartbeat_ticks;
}

/* The verdict at the end of a quiet period's grace time: one running
 * leader, and every other running node its follower in its term. */
static void liveness(struct checker *c, int64_t at)
{
	const struct node *st, *l = NULL;
	int i, leader = RAFT_NONE;

	c->live_pending = false;
	for (i = 0; i < c->n; i++) {
		if (!is_up(&c->nodes[i]) || c->nodes[i].role != RAFT_LEADER)
			continue;
		if (l != NULL) {
			checker_violate(c, at, "liveness: nodes %d and %d "
					"are both leaders %u ticks after the "
					"faults ended", leader, i,
					(unsigned)c->live_wait);
			return;
		}
		leader = i;
		l = &c->nodes[i];
	}
	if (l == NULL) {
		checker_violate(c, at, "liveness: no leader %u ticks after the "
				"faults ended", (unsigned)c->live_wait);
		return;
	}
	for (i = 0; i < c->n; i++) {
		st = &c->nodes[i];
		if (i == leader || !is_up(st) ||
		    (st->role == RAFT_FOLLOWER && st->term == l->term &&
		     st->hb_term == l->term && st->hb_leader == leader))
			continue;
		checker_violate(c, at, "liveness: node %d (%s of term %"
				PRIu64 ") does not follow node %d, leader of "
				"term %" PRIu64 ", %u ticks after the faults "
				"ended", i, raft_role_name(st->role), st->term,
				leader, l->term, (unsigned)c->live_wait);
		return;
	}
}

/* Partition (group_of) or heal (NULL): a node whose set of reachable peers
 * changed has had its links disturbed now. Per node rather than per pair,
 * which may miss a spurious election but never invents one. */
static void regroup(struct checker *c, const uint8_t *group_of, int64_t us)
{
	bool before, after;
	int i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->n; j++) {
			before = !c->partitioned ||
				 c->group_of[i] == c->group_of[j];
			after = group_of == NULL || group_of[i] == group_of[j];
			if (before != after) {
				c->nodes[i].reach_changed = us;
				break;
			}
		}
	}
	c->partitioned = group_of != NULL;
	if (group_of != NULL)
		memcpy(c->group_of, group_of, (size_t)c->n);
}

/* Counts the election if a healthy leader L of the node's term (or a later
 * one) had been leading, running and reachable for election_max ticks while
 * the node ran, or had reached the node with a heartbeat in its term with
 * nothing disturbed since: without message loss, L's heartbeats (every
 * heartbeat_ticks < election_min) had to keep the node's timer from firing.
 * The second case is what catches heartbeats that are too rare or that do
 * not reset the timer, right after an election. */
static void election(struct checker *c, int node, const struct wev *ev)
{
	const struct node *st = &c->nodes[node], *l;
	uint64_t prev = st->term == ev->term ? st->prev_term : st->term;
	int64_t w = ticks_us(c, c->info.election_max), now = ev->us;
	int64_t h = st->hb_at;
	bool long_led, heard;
	int i;

	if (c->info.drop != 0 || !is_up(st))
		return;
	for (i = 0; i < c->n; i++) {
		l = &c->nodes[i];
		if (i == node || l->role != RAFT_LEADER || !is_up(l) ||
		    l->term < prev ||
		    (c->partitioned && c->group_of[i] != c->group_of[node]))
			continue;
		long_led = held_for(l->leader_since, now, w) &&
			   held_for(l->up_since, now, w) &&
			   held_for(l->reach_changed, now, w) &&
			   held_for(st->up_since, now, w) &&
			   held_for(st->reach_changed, now, w);
		heard = st->hb_leader == i && st->hb_term == l->term &&
			l->leader_since <= h && l->up_since <= h &&
			l->reach_changed <= h && st->up_since <= h &&
			st->reach_changed <= h;
		if (!long_led && !heard)
			continue;
		c->spurious++;
		if (c->info.dup == 0 && c->live_checked && !c->fault_seen)
			checker_violate(c, now, "spurious election: node %d "
					"started term %" PRIu64 " while node "
					"%d had led term %" PRIu64 " for %"
					PRId64 " ms%s", node, ev->term, i,
					l->term, (now - l->leader_since) / 1000,
					heard ? " and reached it" : "");
		return;
	}
}

static void stayed_leader(struct checker *c, int node, int64_t us)
{
	struct node *st = &c->nodes[node];

	checker_violate(c, us, "node %d stayed leader of term %" PRIu64
			" after seeing term %" PRIu64, node, st->watch_term,
			st->watch_seen);
	st->watch = 0;
}

/* The core reports a higher term, adopts it and steps down in one call:
 * anything else next from that node means it kept leading. */
static void watch_step(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];

	if (st->watch == 1 && ev->type == WEV_TERM &&
	    ev->term == st->watch_seen)
		st->watch = 2;
	else if (st->watch == 2 && ev->type == WEV_ROLE &&
		 ev->role == RAFT_FOLLOWER)
		st->watch = 0;
	else
		stayed_leader(c, node, ev->us);
}

/* The events the core emits: TERM through SAW_TERM. */
static void apply_core(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];

	if (st->watch != 0)
		watch_step(c, node, ev);
	switch (ev->type) {
	case WEV_TERM:
		if (ev->term < st->term)
			checker_violate(c, ev->us, "node %d's term went back "
					"from %" PRIu64 " to %" PRIu64, node,
					st->term, ev->term);
		st->prev_term = st->term;
		st->term = ev->term;
		checker_prune(c);
		break;
	case WEV_ROLE:
		st->role = ev->role;
		if (ev->role == RAFT_LEADER)
			checker_become_leader(c, node, ev);
		break;
	case WEV_VOTE:
		checker_vote(c, node, ev);
		break;
	case WEV_HEARTBEAT:
		checker_from_leader(c, ev, ev->peer, "heartbeat");
		st->hb_leader = ev->peer;
		st->hb_term = ev->term;
		st->hb_at = ev->us;
		break;
	case WEV_ROUND:
		checker_from_leader(c, ev, node, "heartbeat round");
		break;
	case WEV_ELECTION:
		election(c, node, ev);
		break;
	case WEV_SAW_TERM:
		if (st->role == RAFT_LEADER && ev->seen_term > st->term) {
			st->watch = 1;
			st->watch_term = st->term;
			st->watch_seen = ev->seen_term;
		}
		break;
	default: /* WEV_PREVOTE */
		break;
	}
}

/* Pause, resume, crash, restart, partition and heal. */
static void apply_fault(struct checker *c, const struct wev *ev)
{
	struct node *st = &c->nodes[ev->node >= 0 ? ev->node : 0];
	int i;

	switch (ev->type) {
	case WEV_PAUSE:
	case WEV_RESUME:
		if (ev->type == WEV_RESUME && st->paused)
			st->up_since = ev->us;
		st->paused = ev->type == WEV_PAUSE;
		break;
	case WEV_CRASH:
		/* Volatile state is gone: the role, the known leader, and a
		 * step-down that can no longer be finished. */
		st->crashed = true;
		st->role = RAFT_FOLLOWER;
		st->hb_leader = RAFT_NONE;
		st->watch = 0;
		break;
	case WEV_RESTART:
		st->crashed = false;
		st->role = RAFT_FOLLOWER;
		st->up_since = ev->us;
		break;
	default: /* WEV_PARTITION, WEV_HEAL */
		if (ev->type == WEV_PARTITION && ev->group_of == NULL)
			checker_violate(c, ev->us,
					"partition event without groups");
		else
			regroup(c, ev->type == WEV_HEAL ? NULL : ev->group_of,
				ev->us);
		break;
	}
	c->fault_seen = true;
	c->live_pending = false;
	for (i = 0; i < c->n; i++)
		if (!is_up(&c->nodes[i]))
			return;
	if (c->partitioned)
		return;
	c->quiet_since = ev->us; /* every fault has ended: a quiet period */
	c->live_pending = c->live_checked;
}

void checker_feed(struct checker *c, const struct wev *ev)
{
	bool fault = ev->type >= WEV_PAUSE && ev->type <= WEV_HEAL;
	bool by_node = ev->type >= WEV_TERM && ev->type <= WEV_RESTART;

	if (c->finished)
		return; /* after the end there is nothing left to judge */
	if (!c->started) {
		if (ev->type == WEV_START)
			start(c, ev);
		else if (!c->nostart_reported)
			checker_violate(c, ev->us,
					"events before the start event");
		c->nostart_reported = true;
		return;
	}
	if (ev->us < c->last_us)
		checker_violate(c, ev->us, "%s event at %" PRId64 " us comes "
				"after one at %" PRId64 " us",
				wev_name(ev->type), ev->us, c->last_us);
	else
		c->last_us = ev->us;
	/* Nothing happened between the deadline and this event, so the state
	 * before it is the state at the deadline. */
	if (c->live_pending && ev->us > live_deadline(c))
		liveness(c, live_deadline(c));
	if (ev->type == WEV_START)
		checker_violate(c, ev->us, "a second start event");
	else if (ev->type == WEV_END)
		checker_finish(c, ev->us);
	else if (by_node && (ev->node < 0 || ev->node >= c->n))
		checker_violate(c, ev->us, "%s event names node %d of a "
				"%d-node cluster", wev_name(ev->type),
				ev->node, c->n);
	else if ((ev->type == WEV_VOTE || ev->type == WEV_HEARTBEAT) &&
		 (ev->peer < 0 || ev->peer >= c->n))
		checker_violate(c, ev->us, "%s event names peer %d of a "
				"%d-node cluster", wev_name(ev->type),
				ev->peer, c->n);
	else if (fault)
		apply_fault(c, ev);
	else if (ev->type < WEV_TYPE_COUNT)
		apply_core(c, ev->node, ev);
}

void checker_finish(struct checker *c, int64_t us)
{
	int i;

	if (c->finished)
		return;
	c->finished = true;
	if (!c->started)
		return;
	if (c->live_pending && us >= live_deadline(c))
		liveness(c, live_deadline(c));
	/* The step-down would have come in the same instant as the sighting,
	 * so a run that ends first never had it. */
	for (i = 0; i < c->n; i++)
		if (c->nodes[i].watch != 0)
			stayed_leader(c, i, us);
}

uint64_t checker_violation_count(const struct checker *c)
{
	return c->violations;
}

uint64_t checker_spurious_elections(const struct checker *c)
{
	return c->spurious;
}

int64_t checker_last_violation_us(const struct checker *c)
{
	return c->last_violation_us;
}

int checker_reports(const struct checker *c,
		    const struct checker_violation **out)
{
	*out = c->reports;
	return c->nreports;
}

void checker_print(const struct checker *c, FILE *out)
{
	const struct checker_violation *v;
	uint64_t abs_us;
	int i;

	for (i = 0; i < c->nreports; i++) {
		v = &c->reports[i];
		abs_us = v->us < 0 ? -(uint64_t)v->us : (uint64_t)v->us;
		fprintf(out, "  at %s%" PRIu64 ".%03" PRIu64 " ms: %s\n",
			v->us < 0 ? "-" : "", abs_us / 1000, abs_us % 1000,
			v->what);
	}
	if (c->violations > (uint64_t)c->nreports)
		fprintf(out, "  ... and %" PRIu64 " more\n",
			c->violations - (uint64_t)c->nreports);
}

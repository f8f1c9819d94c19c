/* checker.c - Raft's invariants over a stream of run events; see checker.h.
 *
 * Every event is first checked against its node's state (term, role, up,
 * clock), then applied. Per node it follows term, role, up/down, its own
 * clock and the last heartbeat; per term in use who led it and whom each
 * node voted for (checker_terms.c); the timer rules are in
 * checker_timing.c, liveness in checker_live.c.
 */
#include <assert.h>
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
	checker_clients_free(c);
	free(c->apart);
	free(c);
}

int checker_set_clocks_apart(struct checker *c)
{
	assert(!c->started);
	if (c->apart == NULL)
		c->apart = calloc(1, sizeof(*c->apart));
	return c->apart == NULL ? -1 : 0;
}

void checker_print_unchecked(const struct checker *c, FILE *out,
			     const char *prefix)
{
	if (c->apart == NULL)
		return;
	fprintf(out,
		"%s: not checked (clocks of different hosts are not "
		"comparable): liveness, proposals' liveness, spurious "
		"elections, leader legitimacy, heartbeats in a term with no "
		"leader seen",
		prefix);
	if (c->apart->hist_skipped > 0)
		fprintf(out, ", linearizability (%" PRIu64 " history events)",
			c->apart->hist_skipped);
	fputc('\n', out);
}

int64_t checker_ticks_us(const struct checker *c, uint64_t ticks)
{
	uint64_t per = c->info.tick_us;

	if (per != 0 && ticks > (uint64_t)INT64_MAX / per)
		return INT64_MAX;
	return (int64_t)(ticks * per);
}

bool checker_is_up(const struct node *st)
{
	return !st->paused && !st->crashed;
}

static void start(struct checker *c, const struct wev *ev)
{
	struct node *st;
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
	c->start_us = ev->us;
	for (i = 0; i < c->n; i++) {
		st = &c->nodes[i];
		st->hb_leader = RAFT_NONE;
		st->p_vote = RAFT_NONE;
		st->up_since = ev->us;
		st->reach_changed = ev->us;
		st->touched = ev->us;
		st->fault_touched = ev->us;
	}
	checker_terms_start(c);
	checker_live_start(c, ev->us);
	checker_log_start(c);
	checker_propose_start(c);
}

static void finish(struct checker *c, int64_t us);

static void stayed_leader(struct checker *c, int node, int64_t us)
{
	struct node *st = &c->nodes[node];

	checker_violate(c, us,
			"step-down: node %d stayed leader of term %" PRIu64
			" after seeing term %" PRIu64,
			node, st->watch_term, st->watch_seen);
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

/* Figure 4: follower -> candidate, candidate -> candidate (a new
 * election), candidate -> leader, candidate or leader -> follower. The
 * core reports a change only (a follower never "becomes" one again). */
static bool role_change_allowed(enum raft_role from, enum raft_role to)
{
	switch (to) {
	case RAFT_FOLLOWER:
		return from != RAFT_FOLLOWER;
	case RAFT_CANDIDATE:
		return from != RAFT_LEADER;
	case RAFT_LEADER:
		return from == RAFT_CANDIDATE;
	}
	return false;
}

/* The role each core event needs its node to be in (SAW_TERM names its
 * own); -1 for any. */
static int role_needed(const struct wev *ev)
{
	switch (ev->type) {
	case WEV_HEARTBEAT: /* accepted only as a follower */
	case WEV_PREVOTE:
		return RAFT_FOLLOWER;
	case WEV_ELECTION: /* reported after becoming a candidate */
		return RAFT_CANDIDATE;
	case WEV_ROUND:
	case WEV_PROPOSE:
		return RAFT_LEADER;
	case WEV_SAW_TERM:
		return (int)ev->role;
	default:
		return -1;
	}
}

/* Whether a core event agrees with the node's state; reports it if not.
 * An event in another term than the node's is not applied. */
static bool consistent(struct checker *c, int node, const struct wev *ev)
{
	const struct node *st = &c->nodes[node];
	const char *name = wev_name(ev->type);
	int need = role_needed(ev);

	if (!checker_is_up(st)) {
		checker_violate(c, ev->us,
				"event: node %d reported a %s "
				"event while %s",
				node, name, st->crashed ? "crashed" : "paused");
		return false;
	}
	if (ev->type == WEV_TERM) {
		if (ev->term < st->term)
			checker_violate(c, ev->us,
					"term: node %d's term went "
					"back from %" PRIu64 " to %" PRIu64,
					node, st->term, ev->term);
		else if (ev->term == st->term)
			checker_violate(c, ev->us,
					"event: node %d reported "
					"a change to term %" PRIu64 ", its "
					"term already",
					node, ev->term);
		return ev->term != st->term;
	}
	if (ev->term != st->term) {
		checker_violate(c, ev->us,
				"event: node %d's %s event is in "
				"term %" PRIu64
				", but the node is in term %" PRIu64,
				node, name, ev->term, st->term);
		return false;
	}
	if (ev->type == WEV_ROLE && !role_change_allowed(st->role, ev->role))
		checker_violate(c, ev->us,
				"event: node %d became %s from %s "
				"in term %" PRIu64 " (Figure 4 forbids it)",
				node, raft_role_name(ev->role),
				raft_role_name(st->role), ev->term);
	else if (need >= 0 && (enum raft_role)need != st->role)
		checker_violate(c, ev->us,
				"event: node %d reported a %s "
				"event as %s in term %" PRIu64 ", but it is "
				"%s",
				node, name,
				raft_role_name((enum raft_role)need), ev->term,
				raft_role_name(st->role));
	else if (ev->type == WEV_SAW_TERM && ev->seen_term <= ev->term)
		checker_violate(c, ev->us,
				"event: node %d saw term %" PRIu64
				" as higher than its term %" PRIu64,
				node, ev->seen_term, ev->term);
	return true;
}

static void apply_role(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];

	st->role = ev->role;
	if (ev->role != RAFT_LEADER) {
		checker_propose_drop(c, node);
		return;
	}
	st->leader_since = ev->us;
	st->round_clock = ev->now;
	st->gap_reported = false;
	checker_become_leader(c, node, ev);
	checker_log_leader(c, node, ev);
}

/* The events the core emits. */
static void apply_core(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];

	if (st->watch != 0)
		watch_step(c, node, ev);
	checker_clock(c, node, ev);
	if (!consistent(c, node, ev))
		return;
	checker_heartbeat_gap(c, node, ev);
	switch (ev->type) {
	case WEV_TERM:
		st->prev_term = st->term;
		st->term = ev->term;
		checker_enter_term(c, node, ev->term);
		break;
	case WEV_ROLE:
		apply_role(c, node, ev);
		checker_live_update(c, ev->us);
		break;
	case WEV_VOTE:
		checker_vote(c, node, ev);
		break;
	case WEV_HEARTBEAT:
		checker_from_leader(c, ev, ev->peer, "heartbeat");
		st->hb_leader = ev->peer;
		st->hb_term = ev->term;
		st->hb_at = ev->us;
		st->hb_clock_known = true;
		st->hb_clock = ev->now;
		st->hb_clock_leader = ev->peer;
		break;
	case WEV_ROUND:
		checker_from_leader(c, ev, node, "heartbeat round");
		st->round_clock = ev->now;
		break;
	case WEV_ELECTION:
	case WEV_PREVOTE:
		checker_timer_reset(c, node, ev);
		if (ev->type == WEV_ELECTION)
			checker_count_spurious(c, node, ev);
		break;
	case WEV_SAW_TERM:
		if (st->role == RAFT_LEADER && ev->seen_term > st->term) {
			st->watch = 1;
			st->watch_term = st->term;
			st->watch_seen = ev->seen_term;
		}
		break;
	case WEV_APPEND:
	case WEV_COMMIT:
	case WEV_APPLY:
	case WEV_TRUNCATE:
	case WEV_SNAPSHOT:
	case WEV_PROPOSE:
		checker_log_event(c, node, ev);
		break;
	default:
		break;
	}
}

/* What each type names and needs, spelled out per type. */
static bool names_node(enum wev_type type)
{
	enum wev_kind kind = wev_kind(type);

	return kind == WEV_KIND_CORE || kind == WEV_KIND_NODE_FAULT ||
	       kind == WEV_KIND_STORAGE || type == WEV_LOSS ||
	       type == WEV_FENCED || type == WEV_DUPLICATE;
}

static bool names_peer(enum wev_type type)
{
	return type == WEV_VOTE || type == WEV_HEARTBEAT ||
	       type == WEV_SAW_TERM || type == WEV_LOSS;
}

/* Whether the ids an event names are nodes of the cluster. */
static bool ids_valid(struct checker *c, const struct wev *ev)
{
	if (names_node(ev->type) && (ev->node < 0 || ev->node >= c->n)) {
		checker_violate(c, ev->us,
				"event: %s event names node %d of "
				"a %d-node cluster",
				wev_name(ev->type), ev->node, c->n);
		return false;
	}
	if (names_peer(ev->type) && (ev->peer < 0 || ev->peer >= c->n)) {
		checker_violate(c, ev->us,
				"event: %s event names peer %d of "
				"a %d-node cluster",
				wev_name(ev->type), ev->peer, c->n);
		return false;
	}
	return true;
}

/* A resumed run's times start again from 0: from its start line on, they
 * count from the last time seen before it. */
static const struct wev *resume_offset(struct checker *c, const struct wev *ev,
				       struct wev *shifted)
{
	if (c->started && ev->type == WEV_START && ev->info != NULL &&
	    ev->info->resume)
		c->us_offset = ev->us < c->last_us ? c->last_us - ev->us : 0;
	if (c->us_offset == 0)
		return ev;
	*shifted = *ev;
	shifted->us = ev->us > INT64_MAX - c->us_offset ? INT64_MAX
							: ev->us + c->us_offset;
	return shifted;
}

void checker_feed(struct checker *c, const struct wev *ev)
{
	enum wev_kind kind = wev_kind(ev->type);
	struct wev shifted;

	ev = resume_offset(c, ev, &shifted);
	if (c->finished)
		return; /* after the end there is nothing left to judge */
	if (!c->started) {
		if (ev->type == WEV_START)
			start(c, ev);
		else if (!c->nostart_reported)
			checker_violate(c, ev->us,
					"event: events before the start event");
		c->nostart_reported = true;
		return;
	}
	if (ev->us < c->last_us)
		checker_violate(c, ev->us,
				"event: %s event at %" PRId64 " us "
				"comes after one at %" PRId64 " us",
				wev_name(ev->type), ev->us, c->last_us);
	else
		c->last_us = ev->us;
	/* Nothing happened between a deadline and this event, so the state
	 * before it is the state at the deadline. */
	checker_live_judge(c, ev->us, false);
	checker_propose_judge(c, ev->us, false);
	if (ev->type == WEV_START && ev->info != NULL && ev->info->resume) {
		checker_resume(c, ev);
		checker_live_update(c, ev->us);
		checker_propose_update(c, ev->us);
		return;
	}
	if (ev->type == WEV_START) {
		checker_violate(c, ev->us, "event: a second start event");
		return;
	}
	if (ev->type == WEV_END) {
		finish(c, ev->us);
		return;
	}
	if (kind == WEV_KIND_NONE || !ids_valid(c, ev))
		return;
	if (kind == WEV_KIND_CORE || kind == WEV_KIND_NODE_FAULT) {
		checker_live_hear(c, ev);
		checker_propose_hear(c, ev);
	}
	if (kind == WEV_KIND_CORE)
		apply_core(c, ev->node, ev);
	else if (kind == WEV_KIND_CLIENT)
		checker_clients_event(c, ev);
	else if (kind == WEV_KIND_NODE_FAULT || kind == WEV_KIND_NET_FAULT ||
		 kind == WEV_KIND_STORAGE) {
		if (kind == WEV_KIND_STORAGE)
			checker_storage_event(c, ev);
		else if (kind == WEV_KIND_NODE_FAULT)
			checker_node_fault(c, ev);
		else
			checker_apply_net_fault(c, ev);
		checker_live_update(c, ev->us);
		checker_propose_update(c, ev->us);
	}
}

/* checker_finish at a time already offset (resume_offset). */
static void finish(struct checker *c, int64_t us)
{
	int i;

	if (c->finished)
		return;
	c->finished = true;
	if (!c->started)
		return;
	checker_live_finish(c, us);
	checker_propose_judge(c, us, true);
	/* The step-down would have come in the same instant as the sighting,
	 * so a run that ends first never had it. */
	for (i = 0; i < c->n; i++)
		if (c->nodes[i].watch != 0)
			stayed_leader(c, i, us);
	checker_clients_finish(c, us);
}

void checker_finish(struct checker *c, int64_t us)
{
	struct wev end;

	memset(&end, 0, sizeof(end));
	end.type = WEV_END;
	end.us = us;
	finish(c, resume_offset(c, &end, &end)->us);
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

struct checker_live_stats checker_live_stats(const struct checker *c)
{
	return c->live;
}

struct checker_overload checker_overload(const struct checker *c)
{
	return c->over;
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

/* checker_timing.c - the timer rules, in each node's own clock, and the
 * spurious-election count.
 *
 * A node's clock is raft_state.now, carried by every core event: the ticks
 * raft_tick has run on it since it booted. The core's timers count the same
 * ticks (raft_tick.c), so these rules hold for correct code whatever
 * happens around the node: pauses stop both the clock and the timers, a
 * late thread runs one raft_tick for the ticks it missed, and neither a
 * lost nor a slow message can make a timer count faster than its clock.
 *  - timer reset (§5.2): accepting a heartbeat restarts the election timer
 *    with a timeout of at least election_min, and only raft_tick advances
 *    it; a pre-vote or election comes from that timer (an election after a
 *    pre-vote comes from a pre-vote that a later heartbeat would have
 *    cancelled). So one that starts less than election_min ticks after a
 *    heartbeat was accepted means the heartbeat did not reset the timer.
 *  - heartbeat gap (§5.6): a leader sends a round when it is elected and
 *    then every heartbeat_ticks of its clock (raft_tick.c, leader_tick), and
 *    heartbeat_ticks < election_min. Any event of a leader more than
 *    heartbeat_ticks, or election_min or more, after its last round shows a
 *    round missing, or rounds too rare for the followers' timers.
 */
#include <inttypes.h>

#include "checker_internal.h"

/* The node's clock must not go back while it runs (a restart starts it
 * over: checker.c forgets it then). */
void checker_clock(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];

	if (st->clock_known && ev->now < st->clock)
		checker_violate(c, ev->us,
				"event: node %d's clock went back "
				"from tick %" PRIu64 " to %" PRIu64,
				node, st->clock, ev->now);
	st->clock_known = true;
	st->clock = ev->now;
}

void checker_timer_reset(struct checker *c, int node, const struct wev *ev)
{
	const struct node *st = &c->nodes[node];
	uint64_t since;

	if (!st->hb_clock_known || ev->now < st->hb_clock)
		return;
	since = ev->now - st->hb_clock;
	if (since >= c->info.election_min)
		return;
	checker_violate(c, ev->us,
			"timer reset: node %d started %s of term %" PRIu64
			" %" PRIu64 " of its ticks after node %d's "
			"heartbeat, under the %u-tick minimum timeout: the "
			"heartbeat did not reset its timer (a spurious "
			"election)",
			node,
			ev->type == WEV_PREVOTE ? "a pre-vote" : "an election",
			ev->type == WEV_PREVOTE ? ev->term + 1 : ev->term,
			since, st->hb_clock_leader, c->info.election_min);
}

/* Runs before the event is applied, while the node is still leader. */
void checker_heartbeat_gap(struct checker *c, int node, const struct wev *ev)
{
	struct node *st = &c->nodes[node];
	uint64_t gap;

	if (st->role != RAFT_LEADER || st->gap_reported ||
	    ev->now < st->round_clock)
		return;
	gap = ev->now - st->round_clock;
	if (gap <= c->info.heartbeat_ticks && gap < c->info.election_min)
		return;
	st->gap_reported = true;
	checker_violate(c, ev->us,
			"heartbeat gap: leader %d of term %" PRIu64
			" sent no round for %" PRIu64 " of its ticks; §5.6 "
			"needs one every %u, under the %u-tick minimum "
			"timeout, or followers start spurious elections",
			node, st->term, gap, c->info.heartbeat_ticks,
			c->info.election_min);
}

/* Whether `since` lies at least `w` before `now`, without overflow. */
static bool held_for(int64_t since, int64_t now, int64_t w)
{
	return now >= since && (uint64_t)now - (uint64_t)since >= (uint64_t)w;
}

/* Counts the election if a healthy leader L of the node's term (or a later
 * one) had been leading, running and reachable for election_max ticks while
 * the node ran, or had reached the node with a heartbeat in its term with
 * nothing disturbed since. Counted only: a message that is merely slow can
 * cause one in correct Raft (heartbeat_ticks close to election_min), so it
 * is not a violation; the timer rules above catch what Raft breaks. */
void checker_count_spurious(struct checker *c, int node, const struct wev *ev)
{
	const struct node *st = &c->nodes[node], *l;
	uint64_t prev = st->prev_term;
	int64_t w = checker_ticks_us(c, c->info.election_max), now = ev->us;
	int64_t h = st->hb_at;
	bool long_led, heard;
	int i;

	if (c->info.drop != 0 || !checker_is_up(st) || c->apart != NULL)
		return; /* clocks apart: the leader's times are another's */
	for (i = 0; i < c->n; i++) {
		l = &c->nodes[i];
		if (i == node || l->role != RAFT_LEADER || !checker_is_up(l) ||
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
		if (long_led || heard) {
			c->spurious++;
			return;
		}
	}
}

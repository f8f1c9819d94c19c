/* raft_tick.c - time, in ticks: heartbeats, election timeouts, CheckQuorum.
 *
 * §5.2: a follower that receives no communication over its election timeout
 * starts an election; the timeout is drawn at random from a fixed range so
 * that split votes are rare. §5.6: heartbeat_interval < election_min.
 */
#include <assert.h>

#include "raft_internal.h"
#include "raft_mistake.h"

/* Ranked timeouts (raftsim extension, liveness only): the range is cut into
 * one slot per follower, and each node takes the slot its place gives it.
 * The place comes from ids and the known leader (or the term when there is
 * none), so every node agrees without a message. A node draws in the first
 * half of its slot; the second half is a guard gap, so the next-ranked node
 * cannot fire while the first one's vote round trip is in flight as long as
 * half a slot exceeds that round trip. */
static unsigned ranked_draw(struct raft_state *s)
{
	unsigned n = (unsigned)s->config.node_count;
	unsigned id = (unsigned)s->config.id;
	unsigned span = s->config.election_max - s->config.election_min + 1;
	unsigned slots;
	unsigned place;
	unsigned width;
	unsigned lo;

	if (s->leader_id != RAFT_NONE && n > 1) {
		slots = n - 1;
		place = (id + n - (unsigned)s->leader_id - 1) % n;
		if (place >= slots) /* this node is the leader */
			place = 0;
	} else {
		slots = n;
		place = (unsigned)((id + s->current_term) % n);
	}
	width = span / slots;
	if (width < 2)
		return (unsigned)raft_rng_range(&s->rng, s->config.election_min,
						s->config.election_max);
	lo = s->config.election_min + place * width;
	return (unsigned)raft_rng_range(&s->rng, lo, lo + width / 2 - 1);
}

static unsigned timeout_draw(struct raft_state *s)
{
	if (!raft_randomizes_timeout(s))
		return s->config.election_min;
	if (s->config.ranked_timeouts)
		return ranked_draw(s);
	return (unsigned)raft_rng_range(&s->rng, s->config.election_min,
					s->config.election_max);
}

void raft_election_timer_restart(struct raft_state *s)
{
	s->election_elapsed = 0;
	s->election_timeout = timeout_draw(s);
	s->restart_quiet = false; /* heard a leader, voted, or campaigns */
}

/* CheckQuorum: a leader that has not heard from a majority (itself
 * included) within the last election_min ticks may be cut off, so it steps
 * down rather than let clients believe a stale leader. The window slides,
 * so it steps down within one election timeout of losing the majority.
 * Whether that is so at core time `at`, if nothing is heard before it:
 * false, then true for good as `at` grows (raft_ticks_until_action). */
static bool quorum_lost_at(const struct raft_state *s, uint64_t at)
{
	int live = 1; /* itself */
	int i;

	if (at - s->leader_since < s->config.election_min)
		return false; /* give the first round time to come back */
	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id && s->last_heard[i] > s->leader_since &&
		    at - s->last_heard[i] < s->config.election_min)
			live++;
	return live < raft_majority(s);
}

static void leader_check_quorum(struct raft_state *s)
{
	if (quorum_lost_at(s, s->now)) {
		s->stats.quorum_stepdowns++;
		raft_become_follower(s, s->current_term);
	}
}

static void leader_tick(struct raft_state *s)
{
	s->heartbeat_elapsed++;
	if (s->heartbeat_elapsed >= s->heartbeat_interval) {
		s->heartbeat_elapsed = 0;
		raft_heartbeat_broadcast(s);
	}
	if (s->config.check_quorum)
		leader_check_quorum(s);
}

void raft_tick(struct raft_state *s)
{
	s->now++;
	s->stats.ticks++;
	if (s->role == RAFT_LEADER) {
		leader_tick(s);
		return;
	}
	s->election_elapsed++;
	if (s->election_elapsed < s->election_timeout)
		return;
	if (s->role == RAFT_FOLLOWER && s->config.prevote)
		raft_start_prevote(s);
	else
		raft_start_election(s);
}

/* Ticks until `elapsed` reaches `due`, counting the tick that does. */
static unsigned ticks_until(unsigned elapsed, unsigned due)
{
	return elapsed >= due ? 1 : due - elapsed;
}

unsigned raft_ticks_until_action(const struct raft_state *s)
{
	unsigned beat;
	unsigned lo = 1;
	unsigned hi;
	unsigned mid;

	if (s->role != RAFT_LEADER)
		return ticks_until(s->election_elapsed, s->election_timeout);
	beat = ticks_until(s->heartbeat_elapsed, s->heartbeat_interval);
	if (!s->config.check_quorum || !quorum_lost_at(s, s->now + beat))
		return beat;
	/* The quorum is lost by the round's tick: find the first tick at
	 * which it is, the predicate being monotonic. */
	hi = beat;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (quorum_lost_at(s, s->now + mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

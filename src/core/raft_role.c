/* raft_role.c - the role transitions and the reset they share.
 *
 * Raft paper Figure 4: follower -> candidate (times out), candidate ->
 * candidate (times out again), candidate -> leader (majority), candidate or
 * leader -> follower (discovers a current leader or a higher term). With
 * Pre-Vote (thesis §9.6) a follower that times out first becomes a
 * pre-candidate, a pseudo-role: still a follower, collecting pre-votes in
 * its own term. It times out again into a new pre-vote round, wins into
 * candidate, or falls back to a plain follower. Nothing else in raftsim
 * assigns `role` or `prevoting`, and only reset() and raft_restore()
 * assign `current_term`.
 */
#include <assert.h>
#include <string.h>

#include "raft_internal.h"

/* Shared by every transition (etcd's reset(term)): the vote is cleared only
 * when the term changes, so a node never votes twice in one term (§5.2).
 * The election timer is not touched here: Figure 2 resets it only for a
 * current leader's AppendEntries, a granted vote, or a new candidacy, so a
 * follower that merely learns of a higher term keeps counting. Otherwise a
 * candidate that can never win (a stale log) would hold back, with every
 * RequestVote it sends, the timers of the nodes that can. */
static void reset(struct raft_state *s, uint64_t term)
{
	assert(term >= s->current_term); /* terms never go back (§5.1) */
	if (term != s->current_term) {
		s->current_term = term;
		s->voted_for = RAFT_NONE;
		raft_emit(s, RAFT_EV_TERM, RAFT_NONE, 0);
	}
	s->leader_id = RAFT_NONE;
	s->heartbeat_elapsed = 0;
	memset(s->granted, 0, sizeof(s->granted));
	s->granted_count = 0;
	s->prevoting = false;
}

void raft_become_follower(struct raft_state *s, uint64_t term)
{
	enum raft_role was = s->role;

	/* Allowed from every role and from pre-candidate; a leader may only
	 * step down to a term at least its own, which reset() asserts. */
	reset(s, term);
	s->role = RAFT_FOLLOWER;
	if (was == RAFT_LEADER) /* its timer was not running */
		raft_election_timer_restart(s);
	if (was != RAFT_FOLLOWER) {
		s->stats.stepdowns++;
		raft_emit(s, RAFT_EV_ROLE, RAFT_NONE, 0);
	}
}

void raft_become_pre_candidate(struct raft_state *s)
{
	assert(s->role == RAFT_FOLLOWER); /* only a follower asks first */
	reset(s, s->current_term);        /* the probe term is never adopted */
	raft_election_timer_restart(s);   /* a new draw for every round */
	s->prevoting = true;
	s->granted[s->config.id] = 1;
	s->granted_count = 1;
}

void raft_become_candidate(struct raft_state *s)
{
	assert(s->role != RAFT_LEADER); /* a leader never times out */
	reset(s, s->current_term + 1);
	raft_election_timer_restart(s); /* a new draw for every candidacy */
	s->role = RAFT_CANDIDATE;
	raft_emit(s, RAFT_EV_ROLE, RAFT_NONE, 0);
	s->voted_for = s->config.id;
	s->granted[s->config.id] = 1;
	s->granted_count = 1;
	raft_emit(s, RAFT_EV_VOTE, s->config.id, 0);
}

/* A new leader's log (§5.3, thesis §6.4): every peer is probed from its
 * last index + 1, and a no-op of its term lets it commit the entries of
 * earlier terms it holds (it may commit only its own term's by counting). */
static void lead_log(struct raft_state *s)
{
	struct raft_entry noop = {0};

	raft_progress_reset(s);
	noop.term = s->current_term;
	noop.index = s->last_log_index + 1;
	noop.type = RAFT_ENTRY_NOOP;
	if (raft_log_append(s, &noop, 1) == 0) /* else: none until a proposal */
		raft_leader_commit(s);
}

void raft_become_leader(struct raft_state *s)
{
	assert(s->role == RAFT_CANDIDATE);
	assert(s->granted_count >= raft_majority(s));
	reset(s, s->current_term); /* same term: keeps the vote */
	s->leader_since = s->now;  /* CheckQuorum counts from here */
	s->role = RAFT_LEADER;
	s->leader_id = s->config.id;
	raft_emit(s, RAFT_EV_ROLE, RAFT_NONE, 0);
	raft_read_reset(s);
	if (s->has_log)
		lead_log(s);
}

void raft_restore(struct raft_state *s, const struct raft_durable *durable)
{
	/* A node fresh from raft_init: a follower of term 0 that never voted. */
	assert(s->role == RAFT_FOLLOWER && s->current_term == 0 &&
	       s->voted_for == RAFT_NONE);
	s->current_term = durable->current_term;
	s->voted_for = durable->voted_for;
}

/* raft_election.c - RequestVote, Pre-Vote and elections (§5.2, §5.4.1, §9.6). */
#include <assert.h>

#include "raft_internal.h"
#include "raft_mistake.h"

static void request_votes(struct raft_state *s, enum raft_msg_type type,
			  uint64_t term)
{
	struct raft_message m = {0};
	int i;

	m.type = type;
	m.from = s->config.id;
	m.term = term;
	m.u.rv.term = term;
	m.u.rv.candidate_id = s->config.id;
	m.u.rv.last_log_index = s->last_log_index;
	m.u.rv.last_log_term = s->last_log_term;
	for (i = 0; i < s->config.node_count; i++) {
		if (i == s->config.id)
			continue;
		m.to = i;
		raft_send(s, &m);
	}
}

void raft_start_election(struct raft_state *s)
{
	assert(s->role != RAFT_LEADER);
	raft_become_candidate(s); /* term+1, votes for itself, new timeout */
	s->stats.elections_started++;
	raft_emit(s, RAFT_EV_ELECTION, RAFT_NONE, 0);
	if (s->granted_count >= raft_majority(s)) { /* a 1-node cluster */
		raft_become_leader(s);
		raft_heartbeat_broadcast(s);
		return;
	}
	request_votes(s, RAFT_MSG_REQUEST_VOTE, s->current_term);
}

void raft_start_prevote(struct raft_state *s)
{
	assert(s->role == RAFT_FOLLOWER);
	/* Forgets the leader (we no longer believe in it) and votes for
	 * itself in the round. */
	raft_become_pre_candidate(s);
	s->stats.prevotes_started++;
	raft_emit(s, RAFT_EV_PREVOTE, RAFT_NONE, 0);
	if (s->granted_count >= raft_majority(s)) {
		raft_start_election(s);
		return;
	}
	request_votes(s, RAFT_MSG_PREVOTE, s->current_term + 1);
}

int raft_log_up_to_date(const struct raft_state *s, uint64_t last_term,
			uint64_t last_index)
{
	if (last_term != s->last_log_term)
		return last_term > s->last_log_term;
	return last_index >= s->last_log_index;
}

/* etcd's canVote: the same candidate again, a free vote while no leader is
 * known, or a pre-vote for a later term (which binds nothing). */
static int can_vote(const struct raft_state *s, const struct raft_message *m)
{
	if (!raft_votes_once_per_term(s))
		return 1;
	if (s->voted_for == m->from)
		return 1;
	if (s->voted_for == RAFT_NONE && s->leader_id == RAFT_NONE)
		return 1;
	return m->type == RAFT_MSG_PREVOTE && m->term > s->current_term;
}

void raft_vote_answer(struct raft_state *s, const struct raft_message *m,
		      struct raft_message *reply)
{
	int prevote = m->type == RAFT_MSG_PREVOTE;
	int granted;

	assert(m->term >= s->current_term);
	granted = can_vote(s, m) &&
		  (!raft_checks_candidate_log(s) ||
		   raft_log_up_to_date(s, m->u.rv.last_log_term,
				       m->u.rv.last_log_index));
	if (granted && !prevote) {
		if (s->voted_for != m->from) { /* a retry is not a new vote */
			s->voted_for = m->from;
			s->stats.votes_granted++;
			raft_emit(s, RAFT_EV_VOTE, m->from, 0);
		}
		/* §5.2: granting resets the timer */
		raft_election_timer_restart(s);
		s->stats.timeout_resets++;
	}
	reply->type = prevote ? RAFT_MSG_PREVOTE_REPLY
			      : RAFT_MSG_REQUEST_VOTE_REPLY;
	reply->from = s->config.id;
	reply->to = m->from;
	/* A granted pre-vote echoes the probe term; anything else carries
	 * ours, so a stale sender learns it. */
	reply->term = prevote && granted ? m->term : s->current_term;
	reply->u.rv_reply.term = reply->term;
	reply->u.rv_reply.vote_granted = granted;
}

void raft_vote_tally(struct raft_state *s, const struct raft_message *m)
{
	int prevote = m->type == RAFT_MSG_PREVOTE_REPLY;

	if (prevote) {
		if (!s->prevoting || m->term != s->current_term + 1)
			return; /* an answer to an old round */
	} else if (s->role != RAFT_CANDIDATE || m->term != s->current_term) {
		return;
	}
	if (!m->u.rv_reply.vote_granted || s->granted[m->from])
		return;
	s->granted[m->from] = 1;
	s->granted_count++;
	if (s->granted_count < raft_majority(s))
		return;
	if (prevote) {
		raft_start_election(s);
	} else {
		raft_become_leader(s);
		/* §5.2: assert leadership at once */
		raft_heartbeat_broadcast(s);
	}
}

struct request_vote_reply raft_request_vote_handle(
	struct raft_state *s, const struct request_vote_msg *msg)
{
	struct raft_message in = {0};
	struct raft_message out;
	struct request_vote_reply refused = {0, 0};

	in.type = RAFT_MSG_REQUEST_VOTE;
	in.from = msg->candidate_id;
	in.to = s->config.id;
	in.term = msg->term;
	in.u.rv = *msg;
	raft_receive(s, &in, &out);
	if (out.type != RAFT_MSG_REQUEST_VOTE_REPLY) {
		refused.term = s->current_term;
		return refused;
	}
	return out.u.rv_reply;
}

void raft_request_vote_reply_handle(struct raft_state *s, int from,
				    const struct request_vote_reply *reply)
{
	struct raft_message in = {0};
	struct raft_message out;

	in.type = RAFT_MSG_REQUEST_VOTE_REPLY;
	in.from = from;
	in.to = s->config.id;
	in.term = reply->term;
	in.u.rv_reply = *reply;
	raft_receive(s, &in, &out);
}

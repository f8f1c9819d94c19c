/* raft_step.c - the single entry point for messages (etcd's Step()).
 *
 * Figure 2, "Rules for Servers / All Servers": if a message carries a term
 * higher than currentTerm, set currentTerm to it and convert to follower.
 * That happens here, once, before anything looks at the role. Messages with
 * a lower term are refused here too (§5.1). Only then does a per-role step
 * function see the message.
 */
#include <assert.h>

#include "raft_internal.h"
#include "raft_mistake.h"

/* Pre-vote requests carry the term the sender would use, not one it holds
 * (thesis §9.6); a granted pre-vote reply echoes that probe. Neither may
 * move a term. */
static int is_term_probe(const struct raft_message *m)
{
	return m->type == RAFT_MSG_PREVOTE ||
	       (m->type == RAFT_MSG_PREVOTE_REPLY &&
		m->u.rv_reply.vote_granted);
}

/* CheckQuorum's lease (thesis §4.2.3): while a node has heard from a leader
 * within the minimum election timeout, vote requests are ignored, so a
 * rejoining node cannot depose a healthy leader. A leader holds the lease
 * itself: CheckQuorum, not a vote request, is what makes it step down.
 * A node that restarted holds it for its first election_min ticks too: it
 * may have acknowledged a leader just before its crash, and that leader's
 * read lease (§6.4.1, raft_read.c) counts on it not voting before then. */
static int in_leader_lease(const struct raft_state *s,
			   const struct raft_message *m)
{
	if (!s->config.check_quorum ||
	    (m->type != RAFT_MSG_REQUEST_VOTE && m->type != RAFT_MSG_PREVOTE))
		return 0;
	if (s->role == RAFT_LEADER)
		return 1;
	return (s->leader_id != RAFT_NONE || s->restart_quiet) &&
	       s->election_elapsed < s->config.election_min;
}

static void refuse_stale(struct raft_state *s, const struct raft_message *m,
			 struct raft_message *reply)
{
	s->stats.stale_rejected++;
	reply->from = s->config.id;
	reply->to = m->from;
	reply->term = s->current_term;
	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		raft_append_entries_reply_to(s, m->from, 0, reply);
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		/* The higher term in the refusal lets a stale pre-candidate
		 * catch up, so a node with a smaller term can still win. */
		reply->type = m->type == RAFT_MSG_REQUEST_VOTE
				      ? RAFT_MSG_REQUEST_VOTE_REPLY
				      : RAFT_MSG_PREVOTE_REPLY;
		reply->u.rv_reply.term = s->current_term;
		reply->u.rv_reply.vote_granted = 0;
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT: /* §7: a stale leader learns */
		reply->type = RAFT_MSG_INSTALL_SNAPSHOT_REPLY;
		reply->u.snap_reply.term = s->current_term;
		reply->u.snap_reply.last_index = m->u.snap.last_index;
		reply->u.snap_reply.next_offset = -1;
		break;
	default: /* a stale reply answers a question nobody asks any more */
		break;
	}
}

static void step_follower(struct raft_state *s, const struct raft_message *m,
			  struct raft_message *reply)
{
	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		/* §9.6: the leader is alive after all; drop the pre-vote. */
		if (s->prevoting)
			raft_become_follower(s, m->term);
		raft_heartbeat_accept(s, m, reply);
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT:
		if (s->prevoting)
			raft_become_follower(s, m->term);
		raft_snapshot_accept(s, m, reply);
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		raft_vote_answer(s, m, reply);
		break;
	case RAFT_MSG_PREVOTE_REPLY:
		raft_vote_tally(s, m);
		break;
	default:
		break;
	}
}

static void step_candidate(struct raft_state *s, const struct raft_message *m,
			   struct raft_message *reply)
{
	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		/* §5.2: a leader of our own term exists; stop campaigning. */
		raft_become_follower(s, m->term);
		raft_heartbeat_accept(s, m, reply);
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT:
		raft_become_follower(s, m->term);
		raft_snapshot_accept(s, m, reply);
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		raft_vote_answer(s, m, reply);
		break;
	case RAFT_MSG_REQUEST_VOTE_REPLY:
		raft_vote_tally(s, m);
		break;
	default:
		break;
	}
}

static void step_leader(struct raft_state *s, const struct raft_message *m,
			struct raft_message *reply)
{
	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		/* Two leaders in one term: impossible unless a mistake is
		 * injected. Refuse, and leave the verdict to the checker. */
		raft_append_entries_reply_to(s, m->from, 0, reply);
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		raft_vote_answer(s, m, reply);
		break;
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		s->last_heard[m->from] = s->now;
		raft_read_ack(s, m);
		raft_replicate_reply(s, m);
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		s->last_heard[m->from] = s->now;
		raft_snapshot_reply(s, m);
		break;
	default:
		break;
	}
}

void raft_receive(struct raft_state *s, const struct raft_message *m,
		  struct raft_message *reply)
{
	reply->type = RAFT_MSG_NONE;
	assert(m->to == s->config.id);
	if (m->type == RAFT_MSG_PROPOSE) {
		/* A client's, not a peer's: no term to check, no reply (a
		 * node that is not leader drops it; the client retries). */
		raft_propose(s, m->u.prop.entries, m->u.prop.count, NULL);
		return;
	}
	if (m->from == s->config.id || m->from < 0 ||
	    m->from >= s->config.node_count)
		return; /* not a peer: never trust it with our state */

	/* The lease comes first, as in etcd: a pre-vote must not slip past
	 * it, or its higher term would come back in the refusals. */
	if (m->term > s->current_term && in_leader_lease(s, m))
		return;
	if (m->term > s->current_term && !is_term_probe(m)) {
		raft_emit_seen(s, RAFT_EV_SAW_TERM, m->from, 0, m->term);
		if (!raft_adopts_higher_term(s, m))
			return; /* a lesson mistake: ignore it, stay put */
		raft_become_follower(s, m->term);
	} else if (m->term < s->current_term) {
		refuse_stale(s, m, reply);
		return;
	}

	switch (s->role) {
	case RAFT_FOLLOWER:
		step_follower(s, m, reply);
		break;
	case RAFT_CANDIDATE:
		step_candidate(s, m, reply);
		break;
	case RAFT_LEADER:
		step_leader(s, m, reply);
		break;
	}
}

void raft_step(struct raft_state *s, const struct raft_message *msg)
{
	struct raft_message reply;

	raft_receive(s, msg, &reply);
	if (reply.type != RAFT_MSG_NONE)
		raft_send(s, &reply);
}

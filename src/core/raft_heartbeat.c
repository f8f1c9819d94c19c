/* raft_heartbeat.c - AppendEntries as a heartbeat: send, accept, handle. */
#include <assert.h>

#include "raft_internal.h"
#include "raft_mistake.h"

int append_entries_send(struct raft_state *s, const int *followers,
			int follower_count)
{
	struct raft_message m = {0};
	int sent = 0;
	int i;

	assert(s->role == RAFT_LEADER);
	assert(follower_count >= 0 && follower_count < s->config.node_count);
	m.type = RAFT_MSG_APPEND_ENTRIES;
	m.from = s->config.id;
	m.term = s->current_term;
	m.u.ae.term = s->current_term;
	m.u.ae.leader_id = s->config.id;
	m.u.ae.prev_log_index = s->last_log_index;
	m.u.ae.prev_log_term = s->last_log_term;
	m.u.ae.entries_count = 0;
	raft_read_stamp(s, &m.u.ae);
	for (i = 0; i < follower_count; i++) {
		if (followers[i] == s->config.id)
			continue;
		m.to = followers[i];
		if (raft_send(s, &m) == 0)
			sent++;
	}
	s->stats.heartbeat_rounds++;
	s->stats.heartbeats_sent += (uint64_t)sent;
	raft_emit(s, RAFT_EV_HEARTBEAT_ROUND, RAFT_NONE, sent);
	return sent;
}

void raft_heartbeat_broadcast(struct raft_state *s)
{
	int followers[RAFT_MAX_NODES];
	int count = 0;
	int i;

	raft_read_heartbeat(s);
	if (s->has_log) {
		raft_replicate_round(s);
		return;
	}
	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id)
			followers[count++] = i;
	append_entries_send(s, followers, count);
}

void raft_append_entries_reply_to(struct raft_state *s, int to, int success,
				  struct raft_message *reply)
{
	reply->type = RAFT_MSG_APPEND_ENTRIES_REPLY;
	reply->from = s->config.id;
	reply->to = to;
	reply->term = s->current_term;
	reply->u.ae_reply.term = s->current_term;
	reply->u.ae_reply.success = success;
	reply->u.ae_reply.match_index = 0;
	reply->u.ae_reply.rejected_index = 0;
	reply->u.ae_reply.conflict_term = 0;
	reply->u.ae_reply.conflict_index = 0;
	reply->u.ae_reply.flow_mark = 0;
	reply->u.ae_reply.read_round = 0;
	reply->u.ae_reply.sent_at = 0;
}

void raft_hear_leader(struct raft_state *s, const struct raft_message *msg)
{
	assert(s->role == RAFT_FOLLOWER && !s->prevoting);
	assert(msg->term == s->current_term);
	s->leader_id = msg->from;
	if (raft_heartbeat_resets_timer(s)) {
		raft_election_timer_restart(s);
		s->stats.timeout_resets++;
	}
}

/* Called after the entry point has settled the term: msg->term equals
 * current_term and the node is a follower, not a pre-candidate. */
void raft_heartbeat_accept(struct raft_state *s, const struct raft_message *msg,
			   struct raft_message *reply)
{
	raft_hear_leader(s, msg);
	s->stats.heartbeats_received++;
	raft_emit(s, RAFT_EV_HEARTBEAT, msg->from, 0);

	raft_append_entries_reply_to(s, msg->from, 1, reply);
	reply->u.ae_reply.flow_mark = msg->u.ae.flow_mark;
	/* Echoed whether or not the log matches: a refusal in this term
	 * acknowledges the leader as well (raft_read.c). */
	reply->u.ae_reply.read_round = msg->u.ae.read_round;
	reply->u.ae_reply.sent_at = msg->u.ae.sent_at;
	if (s->has_log) /* without a log, the lesson's: prev 0/0 matches */
		raft_log_accept(s, msg, reply);
}

struct append_entries_reply append_entries_handle(
	struct raft_state *s, const struct append_entries_msg *msg)
{
	struct raft_message in = {0};
	struct raft_message out;
	struct append_entries_reply none = {0};

	in.type = RAFT_MSG_APPEND_ENTRIES;
	in.from = msg->leader_id;
	in.to = s->config.id;
	in.term = msg->term;
	in.u.ae = *msg;
	raft_receive(s, &in, &out);
	if (out.type != RAFT_MSG_APPEND_ENTRIES_REPLY) {
		/* Ignored (bad sender, or an injected mistake): no success. */
		none.term = s->current_term;
		return none;
	}
	return out.u.ae_reply;
}

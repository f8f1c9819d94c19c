/* raft_internal.h - what the core's modules share and nobody else calls. */
#ifndef RAFT_INTERNAL_H
#define RAFT_INTERNAL_H

#include "raft.h"

/* raft_role.c: the only functions that assign `role` or `current_term`.
 * Each asserts that its transition is allowed (Figure 4 of the paper). */
void become_follower(struct raft_state *s, uint64_t term);
void become_candidate(struct raft_state *s);
void become_leader(struct raft_state *s);

/* raft_step.c: the single entry point. Fills *reply (type RAFT_MSG_NONE when
 * there is nothing to send back). raft_step and the lesson's handlers wrap
 * it. */
void raft_receive(struct raft_state *s, const struct raft_message *msg,
		  struct raft_message *reply);

/* raft_heartbeat.c */
void heartbeat_accept(struct raft_state *s, const struct raft_message *msg,
		      struct raft_message *reply);
void heartbeat_broadcast(struct raft_state *s);
/* Fills *reply with this node's AppendEntries answer to `to`. */
void append_entries_reply_to(struct raft_state *s, int to, int success,
			     struct raft_message *reply);

/* raft_election.c */
void vote_request_handle(struct raft_state *s, const struct raft_message *msg,
			 struct raft_message *reply);
void vote_reply_tally(struct raft_state *s, const struct raft_message *msg);

/* raft_tick.c: restarts the election timer with a fresh draw (§5.2). */
void election_timer_restart(struct raft_state *s);
unsigned election_timeout_draw(struct raft_state *s);

/* raft_state.c */
void raft_emit(struct raft_state *s, enum raft_event_type type, int peer,
	       int count);
void raft_emit_seen(struct raft_state *s, enum raft_event_type type,
		    int peer, int count, uint64_t seen_term);
int raft_send(struct raft_state *s, const struct raft_message *msg);

static inline int raft_has_mistake(const struct raft_state *s,
				   enum raft_mistake m)
{
	return (s->config.mistakes & (unsigned)m) != 0;
}

#endif

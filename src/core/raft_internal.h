/* raft_internal.h - what the core's modules share and nobody else calls. */
#ifndef RAFT_INTERNAL_H
#define RAFT_INTERNAL_H

#include "raft.h"

/* raft_role.c: the only functions that assign `role`, `current_term` or the
 * pre-vote round (`prevoting`). Each asserts that its transition is allowed
 * (Figure 4 of the paper; thesis §9.6 for the pre-candidate). */
void raft_become_follower(struct raft_state *s, uint64_t term);
void raft_become_pre_candidate(struct raft_state *s);
void raft_become_candidate(struct raft_state *s);
void raft_become_leader(struct raft_state *s);
/* A restart: the fresh node takes the term and vote it persisted (Figure 2,
 * "Persistent state on all servers"). Not a transition, so nothing is
 * emitted: the node held that term when it crashed. */
void raft_restore(struct raft_state *s, const struct raft_durable *durable);

/* raft_step.c: the single entry point. Fills *reply (type RAFT_MSG_NONE when
 * there is nothing to send back). raft_step and the lesson's handlers wrap
 * it. */
void raft_receive(struct raft_state *s, const struct raft_message *msg,
		  struct raft_message *reply);

/* raft_heartbeat.c: a follower takes a current leader's AppendEntries. */
void raft_heartbeat_accept(struct raft_state *s, const struct raft_message *msg,
			   struct raft_message *reply);
/* A leader sends a heartbeat round to every other node. */
void raft_heartbeat_broadcast(struct raft_state *s);
/* Fills *reply with this node's AppendEntries answer to `to`. */
void raft_append_entries_reply_to(struct raft_state *s, int to, int success,
				  struct raft_message *reply);

/* raft_election.c: answers a RequestVote or a pre-vote request. */
void raft_vote_answer(struct raft_state *s, const struct raft_message *msg,
		      struct raft_message *reply);
/* Counts a (pre-)vote reply; a majority moves the round on. */
void raft_vote_tally(struct raft_state *s, const struct raft_message *msg);

/* raft_tick.c: restarts the election timer with a fresh draw (§5.2). */
void raft_election_timer_restart(struct raft_state *s);

/* raft_state.c */
void raft_emit(struct raft_state *s, enum raft_event_type type, int peer,
	       int count);
void raft_emit_seen(struct raft_state *s, enum raft_event_type type, int peer,
		    int count, uint64_t seen_term);
int raft_send(struct raft_state *s, const struct raft_message *msg);

#endif

/* raft_election.h - RequestVote and elections (the lesson's L01).
 *
 * Contract (Raft paper, Figure 2 "RequestVote RPC"; §5.2, §5.4.1; thesis §9.6):
 *  - raft_start_election: a follower or candidate increments its term, votes
 *    for itself, sends RequestVote to every peer and draws a new timeout.
 *  - A voter refuses a lower term; gives at most one vote per term, first come
 *    first served; refuses a candidate whose log is less up to date than its
 *    own (§5.4.1); and resets its election timer when it grants.
 *  - A candidate that collects votes from a strict majority becomes leader.
 *  - Pre-Vote (thesis §9.6): a follower first asks with term+1 without
 *    adopting it; only with a majority of pre-votes does it start a real
 *    election. Pre-vote requests never change a receiver's term.
 */
#ifndef RAFT_ELECTION_H
#define RAFT_ELECTION_H

#include <stdint.h>

#include "raft_state.h"

struct request_vote_msg {
	uint64_t term;
	int candidate_id;
	uint64_t last_log_index;
	uint64_t last_log_term;
};

struct request_vote_reply {
	uint64_t term;
	int vote_granted;
};

/* Starts an election now (§5.2). Precondition: role is not leader. A 1-node
 * cluster elects itself at once. */
void raft_start_election(struct raft_state *s);

/* Starts a pre-vote round (thesis §9.6). Precondition: role is follower. */
void raft_start_prevote(struct raft_state *s);

/* Handles one RequestVote and returns the reply; same entry point as
 * raft_step. */
struct request_vote_reply raft_request_vote_handle(
	struct raft_state *s, const struct request_vote_msg *msg);

/* Handles a RequestVote reply from `from`; same entry point as raft_step. */
void raft_request_vote_reply_handle(struct raft_state *s, int from,
				    const struct request_vote_reply *reply);

/* §5.4.1: is a log ending at (last_term, last_index) at least as up to date
 * as this node's? */
int raft_log_up_to_date(const struct raft_state *s, uint64_t last_term,
			uint64_t last_index);

#endif

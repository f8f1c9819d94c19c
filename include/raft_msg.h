/* raft_msg.h - the envelope every message travels in.
 *
 * Contract: `term` repeats the payload's term so that the single entry point
 * (raft_step) can compare terms before it looks at the type (Figure 2, "All
 * Servers": a higher term makes the receiver a follower first).
 */
#ifndef RAFT_MSG_H
#define RAFT_MSG_H

#include <stdint.h>

#include "raft_election.h"
#include "raft_heartbeat.h"

enum raft_msg_type {
	RAFT_MSG_NONE = 0,
	RAFT_MSG_APPEND_ENTRIES,
	RAFT_MSG_APPEND_ENTRIES_REPLY,
	RAFT_MSG_REQUEST_VOTE,
	RAFT_MSG_REQUEST_VOTE_REPLY,
	RAFT_MSG_PREVOTE,       /* payload: request_vote_msg, term = probe */
	RAFT_MSG_PREVOTE_REPLY, /* payload: request_vote_reply */
	RAFT_MSG_TYPE_COUNT
};

const char *raft_msg_type_name(enum raft_msg_type type);

struct raft_message {
	enum raft_msg_type type;
	int from;
	int to;
	uint64_t term;
	union {
		struct append_entries_msg ae;
		struct append_entries_reply ae_reply;
		struct request_vote_msg rv;
		struct request_vote_reply rv_reply;
	} u;
};

#endif

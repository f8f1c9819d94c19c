/* raft_heartbeat.h - AppendEntries as a heartbeat (the lesson's API).
 *
 * Contract (Raft paper, Figure 2 "AppendEntries RPC"; §5.2):
 *  - A leader sends an empty AppendEntries (entries_count = 0) to every
 *    follower at once when elected, then once every heartbeat_interval ticks.
 *  - A receiver refuses an AppendEntries whose term is lower than its own with
 *    success = 0 and its own term (Figure 2, receiver rule 1).
 *  - Otherwise, after adopting a higher term (§5.1), it records the leader,
 *    falls back to follower if it was a candidate (§5.2), resets its election
 *    timer, and replies success = 1.
 */
#ifndef RAFT_HEARTBEAT_H
#define RAFT_HEARTBEAT_H

#include <stdint.h>

#include "raft_state.h"

struct append_entries_msg {
	uint64_t term;
	int leader_id;
	uint64_t prev_log_index;
	uint64_t prev_log_term;
	int entries_count; /* 0 for a heartbeat */
};

struct append_entries_reply {
	uint64_t term;
	int success;
};

/* Leader only: sends one heartbeat to each node in `followers` (ids, the
 * leader's own excluded). Returns how many the transport accepted.
 * Precondition: s->role == RAFT_LEADER. */
int append_entries_send(struct raft_state *s, const int *followers,
			int follower_count);

/* Handles one AppendEntries and returns the reply the caller should send.
 * Goes through the same entry point as raft_step (term first, then role). */
struct append_entries_reply append_entries_handle(
	struct raft_state *s, const struct append_entries_msg *msg);

#endif

/* raft_heartbeat.h - AppendEntries as a heartbeat (the lesson's API).
 *
 * Contract (Raft paper, Figure 2 "AppendEntries RPC"; §5.2):
 *  - A leader sends an empty AppendEntries (entries_count = 0) to every
 *    follower at once when elected, then once every heartbeat_interval ticks.
 *  - A receiver refuses an AppendEntries whose term is lower than its own with
 *    success = 0 and its own term (Figure 2, receiver rule 1).
 *  - Otherwise, after adopting a higher term (§5.1), it records the leader,
 *    falls back to follower if it was a candidate (§5.2), resets its election
 *    timer, and replies success = 1 if its log holds an entry at
 *    prev_log_index of term prev_log_term (§5.3, the consistency check),
 *    success = 0 with a conflict hint otherwise. On success it deletes a
 *    conflicting suffix only, appends the entries it lacks, and sets its
 *    commit index to min(leader_commit, prev_log_index + entries_count).
 */
#ifndef RAFT_HEARTBEAT_H
#define RAFT_HEARTBEAT_H

#include <stdint.h>

#include "raft_state.h"

struct raft_entry; /* raft_log.h */

struct append_entries_msg {
	uint64_t term;
	int leader_id;
	uint64_t prev_log_index;
	uint64_t prev_log_term;
	int entries_count; /* 0 for a heartbeat */
	/* Log replication (§5.3): the entries after prev_log_index, and the
	 * leader's commit index. Both zero in the lesson's heartbeat. */
	const struct raft_entry *entries; /* entries_count long */
	uint64_t leader_commit;
	/* Flow control: the entry bytes this leader has sent this follower
	 * in its term, this message's included. The reply echoes it. */
	uint64_t flow_mark;
	/* Reads (thesis §6.4, raft_read.c): the leader's read round when
	 * sent, and its tick (raft_state.now) then. Every reply in the
	 * same term echoes both, refusals included: either says the
	 * follower still took this node for its leader after the send. */
	uint64_t read_round;
	uint64_t sent_at;
};

struct append_entries_reply {
	uint64_t term;
	int success;
	/* Log replication. Success: the follower's log matches the leader's
	 * up to match_index (prev_log_index + entries_count). Refusal: the
	 * prev_log_index it refused, and a hint (thesis §5.3, etcd's
	 * findConflictByTerm): the term the follower holds at that index
	 * (0 if its log is shorter) and the first index it holds of that
	 * term (its last index + 1 if shorter), so that the leader skips a
	 * whole term per round trip. A refusal with conflict_term 0 and
	 * conflict_index = rejected_index + 1 means prev matched but the
	 * follower could not store the entries (no memory): the leader
	 * tries again at its next heartbeat round, not at once. */
	uint64_t match_index;
	uint64_t rejected_index;
	uint64_t conflict_term;
	uint64_t conflict_index;
	uint64_t flow_mark;  /* the AppendEntries' own, echoed */
	uint64_t read_round; /* the AppendEntries' own, echoed (0: none) */
	uint64_t sent_at;    /* the AppendEntries' own, echoed */
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

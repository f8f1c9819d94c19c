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

/* raft_heartbeat.c: a follower hears from the leader of its term (after
 * the entry point settled the term): records it and, as §5.2 says,
 * restarts its election timer. */
void raft_hear_leader(struct raft_state *s, const struct raft_message *msg);
/* A follower takes a current leader's AppendEntries. */
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
/* A log event (RAFT_EV_APPEND .. RAFT_EV_PROPOSE): entries index ..
 * last_index, the last of entry_term; digest for apply. */
void raft_emit_log(struct raft_state *s, enum raft_event_type type,
		   uint64_t index, uint64_t last_index, uint64_t entry_term,
		   uint64_t digest, int peer, int count);
void raft_emit_seen(struct raft_state *s, enum raft_event_type type, int peer,
		    int count, uint64_t seen_term);
int raft_send(struct raft_state *s, const struct raft_message *msg);

/* raft_log.c: the log through the storage, commitment and applying. */
/* The term of entry `index` (0 for index 0 or an index the log does not
 * hold); without a storage, only the lesson's log tail is known. */
uint64_t raft_term_at(const struct raft_state *s, uint64_t index);
/* Appends n entries (indexes from last_log_index + 1), keeps the cached
 * tail right and emits RAFT_EV_APPEND per run of one term. 0 or -1 (no
 * memory: the log is unchanged). */
int raft_log_append(struct raft_state *s, const struct raft_entry *entries,
		    unsigned n);
/* Deletes `index` .. last (§5.3) and emits RAFT_EV_TRUNCATE.
 * Precondition: a committed entry is never deleted. */
void raft_log_truncate(struct raft_state *s, uint64_t index);
/* Raises commit_index to `index` if that is higher (RAFT_EV_COMMIT), then
 * applies what became committed. */
void raft_commit_to(struct raft_state *s, uint64_t index);
/* Applies the committed entries not applied yet, in order, then takes a
 * snapshot when one is due (§7). */
void raft_apply_ready(struct raft_state *s);
/* The first index in [lo, hi] whose term is at least `term` (hi + 1 when
 * none): a binary search, as terms never decrease along a log. The terms
 * at lo .. hi must be known (first_index - 1 <= lo). */
uint64_t raft_log_first_of_term(const struct raft_state *s, uint64_t term,
				uint64_t lo, uint64_t hi);
/* Re-reads the storage's tail and snapshot into the cached fields. */
void raft_log_sync(struct raft_state *s);

/* raft_replicate.c: the leader's side (§5.3, §5.4.2, §7; etcd's Progress). */
/* A new leader: every peer's progress starts over (PROBE at last + 1). */
void raft_progress_reset(struct raft_state *s);
/* A heartbeat round with a log: every peer gets something. */
void raft_replicate_round(struct raft_state *s);
/* Sends to every peer that may take more entries now. */
void raft_replicate_all(struct raft_state *s);
/* Commits the highest entry of its term a majority holds (§5.4.2). */
void raft_leader_commit(struct raft_state *s);
/* A follower's answer to AppendEntries or InstallSnapshot. */
void raft_replicate_reply(struct raft_state *s, const struct raft_message *m);
void raft_snapshot_reply(struct raft_state *s, const struct raft_message *m);
/* Sends to one peer what its progress state allows now. */
void raft_replicate_to(struct raft_state *s, int peer);

/* Sends one peer an empty AppendEntries whose prev it is known to hold. */
int raft_heartbeat_to(struct raft_state *s, int peer);
/* The k-th largest of v[0..n) (k from 1), by selection; reorders v. */
uint64_t raft_kth_largest(uint64_t *v, int n, int k);

/* raft_read.c: ReadIndex rounds and the lease (thesis §6.4). */
/* A new leadership: a fresh round, no acknowledgements. */
void raft_read_reset(struct raft_state *s);
/* Puts the current round and tick into an outgoing AppendEntries. */
void raft_read_stamp(const struct raft_state *s, struct append_entries_msg *ae);
/* A heartbeat round is about to go: it begins the next read round if
 * reads wait for one. */
void raft_read_heartbeat(struct raft_state *s);
/* A reply in this leader's term: counts its echoed round and tick. */
void raft_read_ack(struct raft_state *s, const struct raft_message *m);

/* raft_snapshot_send.c: the leader's InstallSnapshot (§7). */
/* Whether a peer is being sent a snapshot (compaction waits for it). */
bool raft_snapshot_transfer_pending(const struct raft_state *s);
/* Puts the peer in SNAPSHOT and sends the first chunk. */
int raft_snapshot_start(struct raft_state *s, int peer);
/* Sends the chunk at the peer's snapshot_offset (again). */
int raft_snapshot_send(struct raft_state *s, int peer);

/* raft_follow.c: the follower's side. */
/* §5.3: the consistency check, then truncate, append and commit; fills
 * the reply's log fields. */
void raft_log_accept(struct raft_state *s, const struct raft_message *msg,
		     struct raft_message *reply);
/* §7: takes one InstallSnapshot chunk from the current leader. */
void raft_snapshot_accept(struct raft_state *s, const struct raft_message *msg,
			  struct raft_message *reply);

#endif

/* raft_follow.c - the follower's side of log replication: AppendEntries'
 * consistency check and what it does to the log (Figure 2 "AppendEntries
 * RPC" receiver rules 2-5, §5.3), and InstallSnapshot (§7, Figure 13).
 *
 * Both run after the entry point settled the term and the node follows the
 * sender, the current leader.
 */
#include <assert.h>

#include "raft_internal.h"
#include "raft_mistake.h"

/* §5.3: refuses prev, with the hint of thesis §5.3: the term held there
 * (0 when the log is shorter) and the first index of that term (binary
 * search), so that the leader skips a whole term per round trip. */
static void refuse(struct raft_state *s, uint64_t prev,
		   struct append_entries_reply *r)
{
	uint64_t term;
	uint64_t first;

	r->success = 0;
	r->rejected_index = prev;
	s->stats.append_refused++;
	if (prev > s->last_log_index) {
		r->conflict_term = 0;
		r->conflict_index = s->last_log_index + 1;
		return;
	}
	term = raft_term_at(s, prev);
	first = s->storage.first_index(s->storage.ctx);
	first = first <= prev ? raft_log_first_of_term(s, term, first, prev)
			      : prev;
	r->conflict_term = term;
	r->conflict_index = first;
}

/* Receiver rules 3 and 4: skips the entries it holds with the same term,
 * deletes a conflicting suffix only, appends the rest. Returns 0, or -1
 * when the storage could not take them. */
static int merge(struct raft_state *s, const struct raft_entry *e, unsigned n)
{
	uint64_t last = s->last_log_index;
	unsigned i = 0;

	while (i < n && e[i].index <= last &&
	       raft_term_at(s, e[i].index) == e[i].term)
		i++;
	if (i < n && e[i].index <= last) {
		if (raft_truncates_conflicts(s))
			raft_log_truncate(s, e[i].index);
		else /* the mistake keeps what it holds, stale or not */
			i += (unsigned)(last - e[i].index + 1 < n - i
						? last - e[i].index + 1
						: n - i);
	}
	if (i == n)
		return 0;
	return raft_log_append(s, e + i, n - i);
}

void raft_log_accept(struct raft_state *s, const struct raft_message *msg,
		     struct raft_message *reply)
{
	const struct append_entries_msg *ae = &msg->u.ae;
	struct append_entries_reply *r = &reply->u.ae_reply;
	const struct raft_entry *e = ae->entries;
	unsigned n = ae->entries_count > 0 ? (unsigned)ae->entries_count : 0;
	uint64_t prev = ae->prev_log_index;
	uint64_t prev_term = ae->prev_log_term;
	uint64_t last_new = prev + n;
	unsigned skip;
	uint64_t commit;

	assert(s->has_log);
	assert(n == 0 || (e != NULL && e[0].index == prev + 1));
	if (prev < s->snapshot_index) {
		/* The snapshot holds only committed entries, which every
		 * leader's log has: they match. */
		skip = s->snapshot_index - prev < n
			       ? (unsigned)(s->snapshot_index - prev)
			       : n;
		e += skip;
		n -= skip;
		prev = s->snapshot_index;
		prev_term = s->snapshot_term;
	}
	if (prev > s->last_log_index || raft_term_at(s, prev) != prev_term) {
		refuse(s, ae->prev_log_index, r);
		return;
	}
	if (merge(s, e, n) != 0) {
		/* No memory: nothing acknowledged; the leader retries from
		 * where it was (next = prev + 1). */
		r->success = 0;
		r->rejected_index = ae->prev_log_index;
		r->conflict_term = 0;
		r->conflict_index = ae->prev_log_index + 1;
		return;
	}
	/* Receiver rule 5: commit up to what this message shows matches. */
	commit = ae->leader_commit < last_new ? ae->leader_commit : last_new;
	raft_commit_to(s, commit);
	if (!raft_applies_only_committed(s))
		raft_apply_ready(s); /* the mistake: apply what arrived */
	r->success = 1;
	r->match_index = last_new;
}

/* Replaces the state machine and the log with the snapshot just received
 * (§7). The state machine takes it first: only then does the storage make
 * it current and drop the log it covers (keeping a suffix that matches
 * it), so a snapshot that does not restore changes nothing. Returns 0, or
 * -1 when the state machine cannot take the bytes. */
static int snapshot_install(struct raft_state *s, uint64_t index, uint64_t term,
			    int leader)
{
	const uint8_t *data;
	size_t len;

	s->storage.snapshot_pending(s->storage.ctx, &data, &len);
	if (s->fsm.restore(s->fsm.ctx, data, len) != 0)
		return -1;
	s->storage.snapshot_accept(s->storage.ctx);
	s->storage.compact_prefix(s->storage.ctx, index, term);
	raft_log_sync(s);
	s->commit_index = index;
	s->last_applied = index;
	s->applied_digest = s->fsm.digest(s->fsm.ctx);
	s->stats.snapshots_installed++;
	raft_emit_log(s, RAFT_EV_SNAPSHOT, index, 0, term, 0, leader, 1);
	return 0;
}

void raft_snapshot_accept(struct raft_state *s, const struct raft_message *msg,
			  struct raft_message *reply)
{
	const struct install_snapshot_msg *in = &msg->u.snap;
	struct install_snapshot_reply *r = &reply->u.snap_reply;
	int64_t next;

	/* A current leader's chunk counts as its heartbeat (§5.2). */
	raft_hear_leader(s, msg);
	reply->type = RAFT_MSG_INSTALL_SNAPSHOT_REPLY;
	reply->from = s->config.id;
	reply->to = msg->from;
	reply->term = s->current_term;
	r->term = s->current_term;
	r->last_index = in->last_index;
	r->next_offset = -1;
	if (!s->has_log)
		return;
	if (in->last_index <= s->commit_index) {
		/* Nothing to learn: it has all that and more, committed. */
		r->next_offset = (int64_t)in->total;
		return;
	}
	next = s->storage.snapshot_receive(s->storage.ctx, in->last_index,
					   in->last_term, in->total, in->offset,
					   in->data, in->len);
	r->next_offset = next;
	if (next >= 0 && (uint64_t)next == in->total &&
	    snapshot_install(s, in->last_index, in->last_term, msg->from) != 0)
		r->next_offset = -1;
}

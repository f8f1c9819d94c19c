/* raft_snapshot_send.c - the leader's side of InstallSnapshot (§7,
 * Figure 13): a peer whose next entry was compacted away gets the current
 * snapshot in chunks of snapshot_chunk_bytes, one in flight; the next
 * chunk goes when a reply moves the transfer on, and the heartbeat round
 * resends one only when no reply did since the last round, so duplicated
 * or late replies never start a second stream. */
#include <assert.h>

#include "raft_internal.h"

bool raft_snapshot_transfer_pending(const struct raft_state *s)
{
	int i;

	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id &&
		    s->progress[i].state == RAFT_PROGRESS_SNAPSHOT)
			return true;
	return false;
}

/* Sends the chunk at snapshot_offset of the current snapshot; a transfer
 * of an older one starts over with it. */
int raft_snapshot_send(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];
	struct raft_message m = {0};
	const uint8_t *data;
	uint64_t index;
	uint64_t term;
	size_t len;
	size_t chunk;
	int rv;

	s->storage.snapshot_get(s->storage.ctx, &index, &term, &data, &len);
	if (pr->snapshot_index != index || pr->snapshot_offset > len) {
		pr->snapshot_index = index;
		pr->snapshot_offset = 0;
	}
	chunk = len - pr->snapshot_offset;
	if (chunk > s->config.snapshot_chunk_bytes)
		chunk = s->config.snapshot_chunk_bytes;
	m.type = RAFT_MSG_INSTALL_SNAPSHOT;
	m.from = s->config.id;
	m.to = peer;
	m.term = s->current_term;
	m.u.snap.term = s->current_term;
	m.u.snap.leader_id = s->config.id;
	m.u.snap.last_index = index;
	m.u.snap.last_term = term;
	m.u.snap.total = len;
	m.u.snap.offset = pr->snapshot_offset;
	m.u.snap.data = chunk > 0 ? data + pr->snapshot_offset : NULL;
	m.u.snap.len = (uint32_t)chunk;
	rv = raft_send(s, &m);
	if (rv == 0)
		s->stats.snapshot_chunks_sent++;
	return rv;
}

int raft_snapshot_start(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];

	pr->state = RAFT_PROGRESS_SNAPSHOT;
	pr->snapshot_index = s->snapshot_index;
	pr->snapshot_offset = 0;
	pr->snapshot_moved = false;
	pr->probe_sent = false;
	pr->inflight_msgs = 0;
	s->stats.snapshots_sent++;
	return raft_snapshot_send(s, peer);
}

void raft_snapshot_reply(struct raft_state *s, const struct raft_message *m)
{
	struct raft_progress *pr = &s->progress[m->from];
	const struct install_snapshot_reply *r = &m->u.snap_reply;
	const uint8_t *data;
	uint64_t index;
	uint64_t term;
	uint64_t next;
	size_t len;

	assert(s->role == RAFT_LEADER && m->term == s->current_term);
	if (!s->has_log || pr->state != RAFT_PROGRESS_SNAPSHOT ||
	    r->last_index != pr->snapshot_index || r->next_offset < 0)
		return; /* stale, or it could not keep the chunk: resent */
	s->storage.snapshot_get(s->storage.ctx, &index, &term, &data, &len);
	if (index != pr->snapshot_index) { /* replaced by a newer one */
		pr->snapshot_moved = true;
		raft_snapshot_send(s, m->from);
		return;
	}
	next = (uint64_t)r->next_offset;
	if (next < len) {
		/* Only a reply that moves the offset sends the next chunk: a
		 * duplicate, or the answer to a resend, must not start a
		 * second stream. One that goes back (the peer lost what it
		 * had) waits for the round's resend, for the same reason. */
		if (next == pr->snapshot_offset)
			return;
		pr->snapshot_moved = next > pr->snapshot_offset;
		pr->snapshot_offset = next;
		if (pr->snapshot_moved)
			raft_snapshot_send(s, m->from);
		return;
	}
	/* Installed (or already covered by its commit index). */
	if (pr->match_index < r->last_index)
		pr->match_index = r->last_index;
	pr->next_index = pr->match_index + 1;
	pr->state = RAFT_PROGRESS_PROBE;
	pr->probe_sent = false;
	raft_leader_commit(s);
	raft_replicate_to(s, m->from);
}

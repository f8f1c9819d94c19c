/* raft_replicate.c - the leader's side of log replication: what it sends
 * each peer, what it learns from the replies, and when an entry commits
 * (Figure 2 "Rules for Servers / Leaders", §5.3, §5.4.2, §7).
 *
 * Flow control is etcd's Progress. A peer in PROBE gets one AppendEntries
 * at a time (prev = next - 1) until a reply shows where its log matches
 * ours; it is then in REPLICATE, where batches of at most max_batch_bytes
 * are pipelined, next advancing optimistically, while fewer than
 * max_inflight_msgs messages and max_inflight_bytes entry bytes are
 * unacknowledged (etcd's MaxInflightMsgs and MaxInflightBytes: a slow
 * follower must not make the leader hold unbounded data). A peer whose
 * next entry was compacted away is in SNAPSHOT and gets InstallSnapshot
 * chunks, one in flight. Replication acts on replies and proposals; the
 * only tick it acts on is the heartbeat round, where every peer gets
 * something (so raft_ticks_until_action stays exact).
 */
#include <assert.h>
#include <limits.h>

#include "raft_internal.h"
#include "raft_mistake.h"

void raft_progress_reset(struct raft_state *s)
{
	struct raft_progress fresh = {0};
	int i;

	fresh.next_index = s->last_log_index + 1;
	fresh.state = RAFT_PROGRESS_PROBE;
	for (i = 0; i < s->config.node_count; i++)
		s->progress[i] = fresh;
}

bool raft_snapshot_transfer_pending(const struct raft_state *s)
{
	int i;

	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id &&
		    s->progress[i].state == RAFT_PROGRESS_SNAPSHOT)
			return true;
	return false;
}

static int send_entries(struct raft_state *s, int peer, uint64_t prev,
			const struct raft_entry *entries, unsigned n)
{
	struct raft_message m = {0};
	int rv;

	m.type = RAFT_MSG_APPEND_ENTRIES;
	m.from = s->config.id;
	m.to = peer;
	m.term = s->current_term;
	m.u.ae.term = s->current_term;
	m.u.ae.leader_id = s->config.id;
	m.u.ae.prev_log_index = prev;
	m.u.ae.prev_log_term = raft_term_at(s, prev);
	m.u.ae.entries_count = (int)n;
	m.u.ae.entries = n > 0 ? entries : NULL;
	m.u.ae.leader_commit = s->commit_index;
	rv = raft_send(s, &m);
	if (rv == 0)
		s->stats.heartbeats_sent++;
	return rv;
}

/* The entries one AppendEntries carries from `next` (0 past the end). */
static unsigned batch_from(struct raft_state *s, uint64_t next,
			   const struct raft_entry **out)
{
	*out = NULL;
	if (next > s->last_log_index)
		return 0;
	return s->storage.entries_from(s->storage.ctx, next, INT_MAX,
				       s->config.max_batch_bytes, out);
}

/* §7: the entry before `next` was compacted, so its term is unknown. */
static bool needs_snapshot(struct raft_state *s, const struct raft_progress *pr)
{
	return pr->next_index < s->storage.first_index(s->storage.ctx);
}

/* Sends the chunk at snapshot_offset of the current snapshot; a transfer
 * of an older one starts over with it. */
static int snapshot_send(struct raft_state *s, int peer)
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

static int snapshot_start(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];

	pr->state = RAFT_PROGRESS_SNAPSHOT;
	pr->snapshot_index = s->snapshot_index;
	pr->snapshot_offset = 0;
	pr->probe_sent = false;
	pr->inflight_msgs = 0;
	return snapshot_send(s, peer);
}

/* PROBE: one AppendEntries from next; the peer is paused until a reply or
 * the next heartbeat round. */
static int probe_send(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];
	const struct raft_entry *entries;
	unsigned n;
	int rv;

	if (needs_snapshot(s, pr))
		return snapshot_start(s, peer);
	n = batch_from(s, pr->next_index, &entries);
	rv = send_entries(s, peer, pr->next_index - 1, entries, n);
	if (rv == 0)
		pr->probe_sent = true;
	return rv;
}

/* REPLICATE: pipelines batches within the inflight limits. */
static void replicate_send(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];
	const struct raft_entry *entries;
	unsigned n;

	while (pr->next_index <= s->last_log_index &&
	       pr->inflight_msgs < s->config.max_inflight_msgs &&
	       s->storage.bytes_between(s->storage.ctx, pr->match_index,
					pr->next_index - 1) <
		       s->config.max_inflight_bytes) {
		if (needs_snapshot(s, pr)) {
			snapshot_start(s, peer);
			return;
		}
		n = batch_from(s, pr->next_index, &entries);
		assert(n > 0);
		if (send_entries(s, peer, pr->next_index - 1, entries, n) != 0)
			return; /* dropped: next stays, retried later */
		pr->next_index += n;
		pr->inflight_msgs++;
	}
}

static void send_to(struct raft_state *s, int peer)
{
	switch (s->progress[peer].state) {
	case RAFT_PROGRESS_PROBE:
		if (!s->progress[peer].probe_sent)
			probe_send(s, peer);
		break;
	case RAFT_PROGRESS_REPLICATE:
		replicate_send(s, peer);
		break;
	default: /* SNAPSHOT: the next chunk goes when this one is answered */
		break;
	}
}

void raft_replicate_all(struct raft_state *s)
{
	int i;

	if (s->role != RAFT_LEADER)
		return;
	for (i = 0; i < s->config.node_count; i++)
		if (i != s->config.id)
			send_to(s, i);
}

/* The heartbeat round's message to one peer. A REPLICATE peer whose match
 * did not move over a whole round while messages were in flight lost one:
 * it is probed again from match + 1. */
static int round_send(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];

	switch (pr->state) {
	case RAFT_PROGRESS_REPLICATE:
		if ((pr->inflight_msgs > 0 &&
		     pr->match_index == pr->match_at_round) ||
		    pr->match_index + 1 <
			    s->storage.first_index(s->storage.ctx)) {
			pr->state = RAFT_PROGRESS_PROBE;
			pr->next_index = pr->match_index + 1;
			pr->inflight_msgs = 0;
			return probe_send(s, peer);
		}
		/* prev = match always matches; the follower takes
		 * min(leader_commit, match) as its commit index. */
		return send_entries(s, peer, pr->match_index, NULL, 0);
	case RAFT_PROGRESS_SNAPSHOT:
		return snapshot_send(s, peer); /* the chunk may be lost */
	default:
		pr->probe_sent = false;
		return probe_send(s, peer);
	}
}

void raft_replicate_round(struct raft_state *s)
{
	int sent = 0;
	int i;

	assert(s->role == RAFT_LEADER && s->has_log);
	for (i = 0; i < s->config.node_count; i++) {
		if (i == s->config.id)
			continue;
		if (round_send(s, i) == 0)
			sent++;
		s->progress[i].match_at_round = s->progress[i].match_index;
	}
	s->stats.heartbeat_rounds++;
	raft_emit(s, RAFT_EV_HEARTBEAT_ROUND, RAFT_NONE, sent);
}

/* The k-th largest of v[0..n) (k from 1), by selection; reorders v. */
static uint64_t kth_largest(uint64_t *v, int n, int k)
{
	int lo = 0;
	int hi = n - 1;
	int want = k - 1;
	int i;
	int j;
	uint64_t pivot;
	uint64_t tmp;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] > pivot)
				i++;
			while (v[j] < pivot)
				j--;
			if (i <= j) {
				tmp = v[i];
				v[i++] = v[j];
				v[j--] = tmp;
			}
		}
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			break;
	}
	return v[want];
}

void raft_leader_commit(struct raft_state *s)
{
	uint64_t match[RAFT_MAX_NODES];
	uint64_t n;
	int i;

	if (s->role != RAFT_LEADER || !s->has_log)
		return;
	for (i = 0; i < s->config.node_count; i++)
		match[i] = i == s->config.id ? s->last_log_index
					     : s->progress[i].match_index;
	/* A majority holds every entry up to n. Terms never decrease along a
	 * log, so if entry n is of an older term, so is every entry before
	 * it, and §5.4.2 commits none of them by counting. */
	n = kth_largest(match, s->config.node_count, raft_majority(s));
	if (n <= s->commit_index)
		return;
	if (raft_term_at(s, n) != s->current_term &&
	    raft_commits_own_term_only(s))
		return;
	raft_commit_to(s, n);
}

static void on_success(struct raft_state *s, int peer,
		       const struct append_entries_reply *r)
{
	struct raft_progress *pr = &s->progress[peer];
	bool moved = false;

	if (r->match_index > s->last_log_index)
		return; /* not a reply to this leader's entries */
	if (r->match_index > pr->match_index) {
		pr->match_index = r->match_index;
		moved = true;
	}
	if (pr->next_index < pr->match_index + 1)
		pr->next_index = pr->match_index + 1;
	switch (pr->state) {
	case RAFT_PROGRESS_PROBE:
		if (r->match_index + 1 >= pr->next_index) { /* found */
			pr->state = RAFT_PROGRESS_REPLICATE;
			pr->probe_sent = false;
			pr->inflight_msgs = 0;
		}
		break;
	case RAFT_PROGRESS_REPLICATE:
		/* Counted per batch acknowledged; a reply for a later batch
		 * may cover earlier ones, so all-acked resets. */
		if (pr->match_index + 1 >= pr->next_index)
			pr->inflight_msgs = 0;
		else if (moved && pr->inflight_msgs > 0)
			pr->inflight_msgs--;
		break;
	default: /* SNAPSHOT: caught up another way */
		if (pr->match_index >= pr->snapshot_index) {
			pr->state = RAFT_PROGRESS_PROBE;
			pr->next_index = pr->match_index + 1;
			pr->probe_sent = false;
		}
		break;
	}
	if (moved)
		raft_leader_commit(s);
}

/* The next index to try after a refusal, from the follower's hint (thesis
 * §5.3): past our last entry of the conflicting term if we hold that term,
 * else the first index the follower holds of it. */
static uint64_t next_from_hint(struct raft_state *s,
			       const struct append_entries_reply *r)
{
	uint64_t i = r->rejected_index;

	if (r->conflict_term == 0)
		return r->conflict_index;
	if (i > s->last_log_index)
		i = s->last_log_index;
	while (i > s->snapshot_index && raft_term_at(s, i) > r->conflict_term)
		i--;
	if (raft_term_at(s, i) == r->conflict_term)
		return i + 1;
	return r->conflict_index;
}

static void on_refusal(struct raft_state *s, int peer,
		       const struct append_entries_reply *r)
{
	struct raft_progress *pr = &s->progress[peer];
	uint64_t next;

	switch (pr->state) {
	case RAFT_PROGRESS_PROBE:
		if (r->rejected_index + 1 != pr->next_index)
			return; /* not the probe outstanding: stale */
		break;
	case RAFT_PROGRESS_REPLICATE:
		if (r->rejected_index <= pr->match_index)
			return; /* stale: it matched there since */
		break;
	default:
		return;
	}
	next = next_from_hint(s, r);
	if (next > r->rejected_index + 1)
		next = r->rejected_index + 1;
	if (next < pr->match_index + 1)
		next = pr->match_index + 1;
	pr->next_index = next;
	pr->state = RAFT_PROGRESS_PROBE;
	pr->probe_sent = false;
	pr->inflight_msgs = 0;
}

void raft_replicate_reply(struct raft_state *s, const struct raft_message *m)
{
	assert(s->role == RAFT_LEADER && m->term == s->current_term);
	if (!s->has_log)
		return;
	if (m->u.ae_reply.success)
		on_success(s, m->from, &m->u.ae_reply);
	else
		on_refusal(s, m->from, &m->u.ae_reply);
	if (s->role == RAFT_LEADER)
		send_to(s, m->from);
}

void raft_snapshot_reply(struct raft_state *s, const struct raft_message *m)
{
	struct raft_progress *pr = &s->progress[m->from];
	const struct install_snapshot_reply *r = &m->u.snap_reply;
	const uint8_t *data;
	uint64_t index;
	uint64_t term;
	size_t len;

	assert(s->role == RAFT_LEADER && m->term == s->current_term);
	if (!s->has_log || pr->state != RAFT_PROGRESS_SNAPSHOT ||
	    r->last_index != pr->snapshot_index || r->next_offset < 0)
		return; /* stale, or it could not keep the chunk: resent */
	s->storage.snapshot_get(s->storage.ctx, &index, &term, &data, &len);
	if (index != pr->snapshot_index) { /* replaced by a newer one */
		snapshot_send(s, m->from);
		return;
	}
	if ((uint64_t)r->next_offset < len) {
		pr->snapshot_offset = (uint64_t)r->next_offset;
		snapshot_send(s, m->from);
		return;
	}
	/* Installed (or already covered by its commit index). */
	if (pr->match_index < r->last_index)
		pr->match_index = r->last_index;
	pr->next_index = pr->match_index + 1;
	pr->state = RAFT_PROGRESS_PROBE;
	pr->probe_sent = false;
	raft_leader_commit(s);
	send_to(s, m->from);
}

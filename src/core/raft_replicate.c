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
 * chunks, one in flight (raft_snapshot_send.c). Replication acts on replies
 * and proposals; the only tick it acts on is the heartbeat round (so
 * raft_ticks_until_action stays exact).
 *
 * What is in flight is counted in bytes sent, not from the log: every
 * AppendEntries carries the running total of entry bytes sent to its peer
 * (flow_mark), and every reply echoes it. Links keep their order, so once
 * a reply echoes a mark, every message sent before it was answered or
 * lost: flow_sent - flow_answered bytes may still be on their way. A
 * progress that goes back to PROBE (a refusal, a snapshot, a lost
 * message) forgets where next was, not what it sent: resent entries count
 * again, and the queue towards a follower holds at most
 * max_inflight_bytes plus one batch. The heartbeat's reply brings the
 * count up to date after losses. (A link that reorders may let a later
 * reply echo past a message still on its way; that one may then come on
 * top.)
 *
 * Lost messages: a later AppendEntries finds the gap and is refused,
 * which sends the peer back to PROBE. When nothing follows the lost one
 * (the pipeline is full, or it was the last), a peer that acknowledged
 * nothing for a whole election_min while messages were in flight gets one
 * inflight slot back (etcd's FreeFirstOne): one more message goes, and
 * finds the gap if there is one. A merely slow follower thus holds at
 * most max_inflight_msgs messages, plus one per election_min of silence
 * (and the heartbeats), and nothing it has queued is sent again.
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

/* Entry bytes not known to be answered (see the top). */
static uint64_t flow_inflight(const struct raft_progress *pr)
{
	return pr->flow_sent - pr->flow_answered;
}

static bool flow_full(const struct raft_state *s,
		      const struct raft_progress *pr)
{
	return flow_inflight(pr) >= s->config.max_inflight_bytes;
}

static int send_entries(struct raft_state *s, int peer, uint64_t prev,
			const struct raft_entry *entries, unsigned n)
{
	struct raft_progress *pr = &s->progress[peer];
	struct raft_message m = {0};
	uint64_t bytes = 0;
	unsigned i;
	int rv;

	for (i = 0; i < n; i++)
		bytes += entries[i].len + RAFT_ENTRY_OVERHEAD;

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
	m.u.ae.flow_mark = pr->flow_sent + bytes;
	raft_read_stamp(s, &m.u.ae);
	rv = raft_send(s, &m);
	if (rv == 0) {
		pr->flow_sent += bytes;
		s->stats.heartbeats_sent++;
	}
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

/* PROBE: one AppendEntries from next; the peer is paused until a reply or
 * the next heartbeat round. While the bytes in flight are at the limit the
 * probe carries no entries: its answer still says whether prev matches. */
static int probe_send(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];
	const struct raft_entry *entries;
	unsigned n;
	int rv;

	if (needs_snapshot(s, pr))
		return raft_snapshot_start(s, peer);
	n = flow_full(s, pr) ? 0 : batch_from(s, pr->next_index, &entries);
	rv = send_entries(s, peer, pr->next_index - 1, n > 0 ? entries : NULL,
			  n);
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
	       !flow_full(s, pr)) {
		if (needs_snapshot(s, pr)) {
			raft_snapshot_start(s, peer);
			return;
		}
		n = batch_from(s, pr->next_index, &entries);
		assert(n > 0);
		if (send_entries(s, peer, pr->next_index - 1, entries, n) != 0)
			return; /* dropped: next stays, retried later */
		if (pr->inflight_msgs == 0)
			pr->acked_at = s->now; /* silence counts from here */
		pr->next_index += n;
		pr->inflight_msgs++;
	}
}

void raft_replicate_to(struct raft_state *s, int peer)
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
			raft_replicate_to(s, i);
}

/* A REPLICATE peer's heartbeat: an AppendEntries with no entries whose
 * prev the peer is known to hold (its match), so that it can take
 * min(leader_commit, match) as its commit index and never commits past
 * what it knows matches this leader. prev = next - 1 would be refused
 * while the entries before it are still on their way, sending the peer
 * to PROBE for nothing. When the leader no longer knows the term at match
 * (compacted: the peer is far behind, entries in flight), the heartbeat
 * carries prev 0: it resets the peer's timer and commits nothing; the
 * entries in flight carry leader_commit themselves. */
int raft_heartbeat_to(struct raft_state *s, int peer)
{
	uint64_t match = s->progress[peer].match_index;

	if (match + 1 < s->storage.first_index(s->storage.ctx))
		match = 0;
	return send_entries(s, peer, match, NULL, 0);
}

/* The heartbeat round's message(s) to one peer. */
static int round_send(struct raft_state *s, int peer)
{
	struct raft_progress *pr = &s->progress[peer];
	int rv;

	switch (pr->state) {
	case RAFT_PROGRESS_REPLICATE:
		rv = raft_heartbeat_to(s, peer);
		if (pr->inflight_msgs > 0 &&
		    s->now - pr->acked_at >= s->config.election_min) {
			/* Silent for an election timeout with messages in
			 * flight: one may be lost (see the top). */
			pr->inflight_msgs--;
			pr->acked_at = s->now;
			if (pr->next_index > s->last_log_index) {
				/* Nothing new would find the gap: probe. */
				pr->state = RAFT_PROGRESS_PROBE;
				pr->next_index = pr->match_index + 1;
				pr->inflight_msgs = 0;
				probe_send(s, peer);
			} else {
				replicate_send(s, peer);
			}
		}
		return rv;
	case RAFT_PROGRESS_SNAPSHOT:
		/* Resent only when no reply moved the transfer on since the
		 * last round: the chunk or its reply may be lost. A resend
		 * while the reply is on its way is answered with the offset
		 * the peer expects, which is no news and ignored. */
		if (pr->snapshot_moved) {
			pr->snapshot_moved = false;
			return -1;
		}
		return raft_snapshot_send(s, peer);
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
	}
	s->stats.heartbeat_rounds++;
	raft_emit(s, RAFT_EV_HEARTBEAT_ROUND, RAFT_NONE, sent);
}

uint64_t raft_kth_largest(uint64_t *v, int n, int k)
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

/* How far the leader's own log counts (thesis §10.2.1): as far as its
 * disk has caught up, which may be behind what it already sent. */
static uint64_t raft_own_match(const struct raft_state *s)
{
	uint64_t durable;

	if (s->storage.durable_index == NULL)
		return s->last_log_index;
	durable = s->storage.durable_index(s->storage.ctx);
	return durable < s->last_log_index ? durable : s->last_log_index;
}

void raft_storage_synced(struct raft_state *s)
{
	raft_leader_commit(s);
}

void raft_leader_commit(struct raft_state *s)
{
	uint64_t match[RAFT_MAX_NODES];
	uint64_t n;
	int i;

	if (s->role != RAFT_LEADER || !s->has_log)
		return;
	for (i = 0; i < s->config.node_count; i++)
		match[i] = s->progress[i].match_index;
	/* Its own progress entry is unused: its disk says how far it is. */
	match[s->config.id] = raft_own_match(s);
	/* A majority holds every entry up to n. Terms never decrease along a
	 * log, so if entry n is of an older term, so is every entry before
	 * it, and §5.4.2 commits none of them by counting. */
	n = raft_kth_largest(match, s->config.node_count, raft_majority(s));
	if (n <= s->commit_index)
		return;
	if (raft_term_at(s, n) != s->current_term &&
	    raft_commits_own_term_only(s))
		return;
	raft_commit_to(s, n);
}

/* Replies can be reordered or merged (a later batch's reply covers the
 * earlier ones), so one that moves match acknowledges at least one
 * message, perhaps more. Every message in flight carries at least one
 * entry after match, so their number is at most next - 1 - match: the
 * count never drifts above what can be in flight (a drift down would
 * break max_inflight_msgs; this bound cannot, it is an upper one). It is
 * exact when batches hold one entry, and loose for fuller batches until
 * the pipeline drains. A ring of batch ends would be exact, but costs
 * max_inflight_msgs words per peer in every node's state (64 x 8 bytes x
 * 1024 peers), for a count that only paces sending. */
static void inflight_acked(struct raft_progress *pr)
{
	uint64_t bound = pr->next_index - 1 - pr->match_index;

	if (pr->inflight_msgs > 0)
		pr->inflight_msgs--;
	if (pr->inflight_msgs > bound)
		pr->inflight_msgs = (uint32_t)bound;
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
		pr->acked_at = s->now;
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
			pr->acked_at = s->now;
		}
		break;
	case RAFT_PROGRESS_REPLICATE:
		if (moved)
			inflight_acked(pr);
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
 * else the first index the follower holds of it. A binary search: terms
 * never decrease along a log. */
static uint64_t next_from_hint(struct raft_state *s,
			       const struct append_entries_reply *r)
{
	uint64_t lo = s->storage.first_index(s->storage.ctx) - 1;
	uint64_t hi = r->rejected_index;
	uint64_t i;

	if (r->conflict_term == 0)
		return r->conflict_index;
	if (hi > s->last_log_index)
		hi = s->last_log_index;
	if (hi < lo)
		return r->conflict_index;
	/* The last index in [lo, hi] of a term <= conflict_term. */
	i = raft_log_first_of_term(s, r->conflict_term + 1, lo, hi);
	if (i > lo && raft_term_at(s, i - 1) == r->conflict_term)
		return i;
	return r->conflict_index;
}

/* A refusal that says prev matched but the follower could not store the
 * entries (no memory; raft_heartbeat.h): sending again at once would
 * ping-pong, so the peer waits for the next heartbeat round's probe. */
static bool refused_for_memory(const struct append_entries_reply *r)
{
	return r->conflict_term == 0 &&
	       r->conflict_index == r->rejected_index + 1;
}

static void on_refusal(struct raft_state *s, int peer,
		       const struct append_entries_reply *r)
{
	struct raft_progress *pr = &s->progress[peer];
	bool busy = refused_for_memory(r);
	uint64_t next;

	switch (pr->state) {
	case RAFT_PROGRESS_PROBE:
		if (r->rejected_index + 1 != pr->next_index)
			return; /* not the probe outstanding: stale */
		break;
	case RAFT_PROGRESS_REPLICATE:
		/* Stale if it matched there since; a follower out of memory
		 * matched at prev but did not store what came after it. A
		 * log shorter than prev that ended before match was the
		 * follower's before it acknowledged match: a message that
		 * overtook another, answered before the gap filled. */
		if (r->rejected_index < pr->match_index ||
		    (r->rejected_index == pr->match_index && !busy))
			return;
		if (r->conflict_term == 0 && !busy &&
		    r->conflict_index <= pr->match_index)
			return;
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
	pr->probe_sent = busy;
	pr->inflight_msgs = 0;
}

void raft_replicate_reply(struct raft_state *s, const struct raft_message *m)
{
	struct raft_progress *pr = &s->progress[m->from];
	uint64_t mark = m->u.ae_reply.flow_mark;

	assert(s->role == RAFT_LEADER && m->term == s->current_term);
	if (!s->has_log)
		return;
	if (mark > pr->flow_answered && mark <= pr->flow_sent)
		pr->flow_answered = mark;
	if (m->u.ae_reply.success)
		on_success(s, m->from, &m->u.ae_reply);
	else
		on_refusal(s, m->from, &m->u.ae_reply);
	if (s->role == RAFT_LEADER)
		raft_replicate_to(s, m->from);
}

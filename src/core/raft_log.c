/* raft_log.c - the log behind the storage interface, commitment, applying
 * and snapshots (Figure 2, §5.3, §5.4.2, §7; thesis §6.4).
 *
 * The core keeps no entry: it reads and changes the log only through
 * s->storage, and caches where the log ends (last_log_index, last_log_term)
 * for the election restriction (§5.4.1) and the leader's first index. Every
 * change to the log goes through raft_log_append or raft_log_truncate here,
 * which keep that cache right and emit the run's log events.
 */
#include <assert.h>

#include "raft_internal.h"
#include "raft_mistake.h"

/* Proposals are given term and index on the stack, this many at a time. */
#define PROPOSE_CHUNK 128
/* The most entries one fsm.apply call gets. */
#define APPLY_BATCH 8192

uint64_t raft_term_at(const struct raft_state *s, uint64_t index)
{
	if (index == 0)
		return 0;
	if (!s->has_log) /* the lesson's empty log */
		return 0;
	return s->storage.term_at(s->storage.ctx, index);
}

uint64_t raft_log_first_of_term(const struct raft_state *s, uint64_t term,
				uint64_t lo, uint64_t hi)
{
	uint64_t end = hi + 1; /* answer in [lo, end] */
	uint64_t mid;

	while (lo < end) {
		mid = lo + (end - lo) / 2;
		if (raft_term_at(s, mid) >= term)
			end = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void raft_log_sync(struct raft_state *s)
{
	const uint8_t *data;
	size_t len;

	s->storage.snapshot_get(s->storage.ctx, &s->snapshot_index,
				&s->snapshot_term, &data, &len);
	s->last_log_index = s->storage.last_index(s->storage.ctx);
	s->last_log_term = raft_term_at(s, s->last_log_index);
}

int raft_attach(struct raft_state *s, const struct raft_storage *storage,
		const struct raft_fsm *fsm)
{
	const uint8_t *data;
	size_t len;
	int rv = RAFT_OK;

	assert(!s->has_log && s->now == 0); /* right after raft_init */
	s->storage = *storage;
	s->fsm = *fsm;
	s->has_log = true;
	raft_log_sync(s);
	if (s->snapshot_index > 0) { /* raft_log_sync read its index, term */
		s->storage.snapshot_get(s->storage.ctx, &s->snapshot_index,
					&s->snapshot_term, &data, &len);
		if (s->fsm.restore(s->fsm.ctx, data, len) != 0) {
			rv = RAFT_ESTORAGE;
			goto err;
		}
	}
	/* Volatile (Figure 2): what the snapshot holds is committed; the
	 * leader tells the rest. */
	s->commit_index = s->snapshot_index;
	s->last_applied = s->snapshot_index;
	s->applied_digest = s->fsm.digest(s->fsm.ctx);
	return RAFT_OK;
err:
	s->has_log = false;
	return rv;
}

/* One RAFT_EV_APPEND per run of entries of one term. */
static void emit_appended(struct raft_state *s,
			  const struct raft_entry *entries, unsigned n)
{
	unsigned start = 0;
	unsigned i;

	for (i = 1; i <= n; i++) {
		if (i < n && entries[i].term == entries[start].term)
			continue;
		raft_emit_log(s, RAFT_EV_APPEND, entries[start].index,
			      entries[i - 1].index, entries[start].term, 0,
			      RAFT_NONE, 0);
		start = i;
	}
}

static int store(struct raft_state *s, const struct raft_entry *entries,
		 unsigned n)
{
	assert(n > 0 && entries[0].index == s->last_log_index + 1);
	if (s->storage.append(s->storage.ctx, entries, n) != 0)
		return -1;
	s->last_log_index = entries[n - 1].index;
	s->last_log_term = entries[n - 1].term;
	s->stats.entries_appended += n;
	return 0;
}

int raft_log_append(struct raft_state *s, const struct raft_entry *entries,
		    unsigned n)
{
	if (n == 0)
		return 0;
	if (store(s, entries, n) != 0)
		return -1;
	emit_appended(s, entries, n);
	return 0;
}

void raft_log_truncate(struct raft_state *s, uint64_t index)
{
	/* A committed entry is never deleted (Leader Completeness); only an
	 * injected mistake (on any node: commit-old-term on the leader) makes
	 * it happen, and the checker is there to see it. */
	assert(index > s->commit_index || s->config.mistakes != 0);
	assert(index > s->snapshot_index && index <= s->last_log_index);
	s->storage.truncate_suffix(s->storage.ctx, index);
	s->last_log_index = index - 1;
	s->last_log_term = raft_term_at(s, index - 1);
	raft_emit_log(s, RAFT_EV_TRUNCATE, index, 0, 0, 0, RAFT_NONE, 0);
}

void raft_commit_to(struct raft_state *s, uint64_t index)
{
	if (index <= s->commit_index)
		return;
	assert(index <= s->last_log_index);
	s->commit_index = index;
	raft_emit_log(s, RAFT_EV_COMMIT, index, 0, 0, 0, RAFT_NONE, 0);
	raft_apply_ready(s);
}

/* Every node keeps this many snapshot intervals of log behind its
 * snapshot (hashicorp's TrailingLogs), leader or follower: a follower a
 * little behind - one that missed a few rounds, or one that was behind
 * when its peer became leader - gets entries, not a snapshot. */
#define TRAILING_KEEP 1
/* A leader keeps at most this many intervals for followers that are
 * catching up; a follower further behind gets the snapshot. */
#define TRAILING_INTERVALS 4

/* A peer heard from within an election timeout (etcd's RecentActive). */
static bool recently_active(const struct raft_state *s, int peer)
{
	return s->last_heard[peer] >= s->leader_since &&
	       s->now - s->last_heard[peer] <= s->config.election_max;
}

/* Where the log may be compacted to after a snapshot at `index`. Every
 * node keeps TRAILING_KEEP x snapshot_entries entries before it. A
 * leader also keeps what an active follower needs next (the lowest match
 * among peers it heard from lately, or the snapshot a peer is being
 * sent): compacting past a follower that has just installed a snapshot
 * would send it another one, and under load it would never catch up (the
 * hashicorp/Consul loop). Memory stays bounded: the log holds at most
 * TRAILING_INTERVALS x snapshot_entries entries before the snapshot,
 * plus what was applied or appended since (snapshot_maybe). */
static uint64_t compact_target(const struct raft_state *s, uint64_t index)
{
	uint64_t every = s->config.snapshot_entries;
	uint64_t keep = TRAILING_INTERVALS * every;
	uint64_t floor = index > keep ? index - keep : 0;
	uint64_t trail = TRAILING_KEEP * every;
	uint64_t target = index > trail ? index - trail : 0;
	uint64_t need;
	int i;

	if (s->role != RAFT_LEADER)
		return target;
	for (i = 0; i < s->config.node_count; i++) {
		const struct raft_progress *pr = &s->progress[i];

		if (i == s->config.id || !recently_active(s, i))
			continue;
		need = pr->match_index;
		if (pr->state == RAFT_PROGRESS_SNAPSHOT &&
		    pr->snapshot_index > need)
			need = pr->snapshot_index;
		if (need < target)
			target = need;
	}
	return target > floor ? target : floor;
}

/* §7: a snapshot every snapshot_entries applied entries; the log is then
 * compacted (compact_target). A leader also holds a new snapshot back
 * while it is sending one to a peer: its storage keeps a single snapshot,
 * so a new one would restart the transfer, and a follower slower than the
 * snapshot interval would never finish. It holds back for at most
 * TRAILING_INTERVALS x snapshot_entries applied entries, which bounds the
 * log it keeps: a follower that needs longer gets the newer snapshot. */
static void snapshot_maybe(struct raft_state *s)
{
	uint64_t every = s->config.snapshot_entries;
	uint64_t index = s->last_applied;
	uint64_t term;
	uint64_t upto;
	const uint8_t *data;
	size_t len;

	if (index > s->commit_index) /* the apply-uncommitted mistake */
		index = s->commit_index;
	if (index > s->last_log_index) /* a committed entry lost: mistakes */
		index = s->last_log_index;
	if (every == 0 || index <= s->snapshot_index ||
	    index - s->snapshot_index < every)
		return;
	if (s->role == RAFT_LEADER && raft_snapshot_transfer_pending(s) &&
	    index - s->snapshot_index < TRAILING_INTERVALS * every)
		return;
	term = raft_term_at(s, index);
	if (s->fsm.snapshot(s->fsm.ctx, &data, &len) != 0 ||
	    s->storage.snapshot_put(s->storage.ctx, index, term, data, len) !=
		    0)
		return; /* no memory: the log stays; tried again later */
	s->snapshot_index = index;
	s->snapshot_term = term;
	upto = compact_target(s, index);
	if (upto >= s->storage.first_index(s->storage.ctx))
		s->storage.compact_prefix(s->storage.ctx, upto,
					  raft_term_at(s, upto));
	s->stats.snapshots_taken++;
	raft_emit_log(s, RAFT_EV_SNAPSHOT, index, 0, term, 0, RAFT_NONE, 0);
}

void raft_apply_ready(struct raft_state *s)
{
	uint64_t target = s->commit_index;
	const struct raft_entry *batch;
	uint64_t want;
	unsigned n;

	if (!s->has_log)
		return;
	if (!raft_applies_only_committed(s) || target > s->last_log_index)
		target = s->last_log_index; /* the second: mistakes only */
	while (s->last_applied < target) {
		want = target - s->last_applied;
		n = s->storage.entries_from(s->storage.ctx, s->last_applied + 1,
					    want > APPLY_BATCH ? APPLY_BATCH
							       : (unsigned)want,
					    (size_t)-1, &batch);
		assert(n > 0 && batch[0].index == s->last_applied + 1);
		s->applied_digest = s->fsm.apply(s->fsm.ctx, batch, n);
		s->last_applied += n;
		s->stats.entries_applied += n;
		raft_emit_log(s, RAFT_EV_APPLY, batch[0].index,
			      batch[n - 1].index, batch[n - 1].term,
			      s->applied_digest, RAFT_NONE, 0);
	}
	snapshot_maybe(s);
}

/* Gives the caller's entries this leader's term and the next indexes, and
 * stores them, PROPOSE_CHUNK at a time; all or nothing. */
static int propose_store(struct raft_state *s, const struct raft_entry *entries,
			 unsigned n)
{
	struct raft_entry chunk[PROPOSE_CHUNK];
	uint64_t first = s->last_log_index + 1;
	unsigned done = 0;
	unsigned k;
	unsigned i;

	while (done < n) {
		k = n - done < PROPOSE_CHUNK ? n - done : PROPOSE_CHUNK;
		for (i = 0; i < k; i++) {
			chunk[i] = entries[done + i];
			chunk[i].term = s->current_term;
			chunk[i].index = s->last_log_index + 1 + i;
		}
		if (store(s, chunk, k) != 0)
			goto err;
		done += k;
	}
	return 0;
err:
	if (done > 0) { /* take back the chunks stored before */
		s->storage.truncate_suffix(s->storage.ctx, first);
		s->last_log_index = first - 1;
		s->last_log_term = raft_term_at(s, first - 1);
		s->stats.entries_appended -= done;
	}
	return -1;
}

/* etcd's MaxUncommittedEntriesSize: whether n more entries would hold
 * too many uncommitted bytes. One proposal always goes when nothing is
 * uncommitted, so an entry larger than the limit is not refused forever. */
static bool uncommitted_full(const struct raft_state *s,
			     const struct raft_entry *entries, unsigned n)
{
	uint64_t limit = s->config.max_uncommitted_bytes;
	uint64_t held;
	uint64_t more = 0;
	unsigned i;

	if (limit == 0) {
		limit = 64 * (uint64_t)s->config.max_batch_bytes;
		if (limit < s->config.max_inflight_bytes)
			limit = s->config.max_inflight_bytes;
	}
	if (s->commit_index >= s->last_log_index)
		return false;
	held = s->storage.bytes_between(s->storage.ctx, s->commit_index,
					s->last_log_index);
	for (i = 0; i < n && held + more <= limit; i++)
		more += entries[i].len + RAFT_ENTRY_OVERHEAD;
	return held + more > limit;
}

int raft_propose(struct raft_state *s, const struct raft_entry *entries,
		 unsigned n, uint64_t *first_index)
{
	uint64_t first = s->last_log_index + 1;
	int rv;

	if (!s->has_log) {
		rv = RAFT_ENOLOG;
		goto err;
	}
	if (s->role != RAFT_LEADER) {
		rv = RAFT_ENOTLEADER;
		goto err;
	}
	if (uncommitted_full(s, entries, n)) {
		rv = RAFT_EBUSY;
		goto err;
	}
	if (first_index != NULL)
		*first_index = first;
	if (n == 0)
		return RAFT_OK;
	if (propose_store(s, entries, n) != 0) {
		rv = RAFT_ENOMEM;
		goto err;
	}
	s->stats.entries_proposed += n;
	raft_emit_log(s, RAFT_EV_PROPOSE, first, s->last_log_index,
		      s->current_term, 0, RAFT_NONE, 0);
	raft_emit_log(s, RAFT_EV_APPEND, first, s->last_log_index,
		      s->current_term, 0, RAFT_NONE, 0);
	raft_leader_commit(s); /* a single node commits at once */
	raft_replicate_all(s);
	return RAFT_OK;
err:
	return rv;
}

/* harness_persist.c - what a node with a WAL promises and when (see
 * harness_disk.h): the term and vote saved when they change, the messages
 * that promise them held until the sync, one persist event a sync, and a
 * node whose disk failed crashed at once. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_clients.h"
#include "harness_disk.h"

/* Buffers the term and vote if the core's differ from the last saved. */
static void save_meta(struct harness_node *n)
{
	struct harness_wal *hw = &n->disk;

	if (hw->saved_term == n->raft.current_term &&
	    hw->saved_vote == n->raft.voted_for)
		return;
	wal_save_meta(hw->wal, n->raft.current_term, n->raft.voted_for);
	hw->saved_term = n->raft.current_term;
	hw->saved_vote = n->raft.voted_for;
}

/* One persist event, if the promised state changed since the last. */
static void publish_persist(struct harness_node *n)
{
	struct harness_wal *hw = &n->disk;
	const struct raft_state *s = &n->raft;
	struct wev w;

	if (hw->published && hw->pub_term == s->current_term &&
	    hw->pub_vote == s->voted_for &&
	    hw->pub_index == s->last_log_index &&
	    hw->pub_entry_term == s->last_log_term)
		return;
	hw->published = true;
	hw->pub_term = s->current_term;
	hw->pub_vote = s->voted_for;
	hw->pub_index = s->last_log_index;
	hw->pub_entry_term = s->last_log_term;
	if (n->h->mon == NULL && n->h->tap.event == NULL)
		return;
	memset(&w, 0, sizeof(w));
	w.type = WEV_PERSIST;
	w.tick = n->tick;
	w.now = s->now;
	w.node = n->id;
	w.term = s->current_term;
	w.peer = s->voted_for;
	w.index = s->last_log_index;
	w.entry_term = s->last_log_term;
	harness_publish(n->h, &w);
}

/* What a message promises: the log (acknowledgements), the vote, or
 * nothing the disk must hold first. */
enum promise { PROMISE_NONE, PROMISE_LOG, PROMISE_VOTE };

static enum promise promise_of(const struct raft_message *msg)
{
	switch (msg->type) {
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		return PROMISE_LOG;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE:
	case RAFT_MSG_PREVOTE_REPLY:
		return PROMISE_VOTE;
	default:
		return PROMISE_NONE;
	}
}

bool harness_disk_hold(struct harness_node *n, const struct raft_message *msg)
{
	struct harness_wal *hw = &n->disk;
	enum promise p = promise_of(msg);
	unsigned mistakes = n->h->opt->mistakes;
	struct harness_held *held;
	size_t bytes;

	if (hw->wal == NULL || p == PROMISE_NONE)
		return false;
	save_meta(n);
	if (wal_failed(hw->wal))
		return true; /* nothing leaves: the node crashes at the end
				of its turn (harness_node_persist) */
	if (!wal_dirty(hw->wal)) {
		/* on disk already (a snapshot's base segment syncs it all):
		 * still a promise, said once */
		publish_persist(n);
		return false;
	}
	if ((p == PROMISE_LOG && (mistakes & RAFT_MISTAKE_NO_FSYNC)) ||
	    (p == PROMISE_VOTE &&
	     (mistakes & RAFT_MISTAKE_VOTE_BEFORE_PERSIST))) {
		publish_persist(n); /* the promise the bug makes */
		return false;
	}
	if (hw->held_len == hw->held_cap) {
		unsigned cap = hw->held_cap > 0 ? 2 * hw->held_cap : 16;
		struct harness_held *q = realloc(hw->held, sizeof(*q) * cap);

		if (q == NULL)
			return true; /* lost, as a message without memory is */
		hw->held = q;
		hw->held_cap = cap;
	}
	held = &hw->held[hw->held_len];
	if (harness_copy_message(&held->msg, msg, &held->extra, &bytes) != 0)
		return true;
	hw->held_len++;
	return true;
}

/* A write or sync failed: the node crashes, never carries on
 * (fsyncgate), and restarts crash-ticks MAX ticks later. */
static enum harness_persist fail_node(struct harness_node *n)
{
	struct harness *h = n->h;
	struct wev w;

	n->disk.fsync_failures++;
	harness_disk_publish(n, WEV_DISK_FAILED, wal_failure(n->disk.wal));
	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	faults_set_status(&h->faults, n->id, NODE_CRASHED,
			  h->tick + h->opt->crash_ticks.max);
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	n->durable = raft_durable_of(&n->raft);
	n->status = NODE_CRASHED;
	harness_node_clients_crash(n);
	harness_disk_crash(n);
	memset(&w, 0, sizeof(w));
	w.type = WEV_CRASH;
	w.tick = h->tick;
	w.node = n->id;
	w.peer = RAFT_NONE;
	harness_publish(h, &w);
	h->ops.status_changed(h->ops.ctx, n->id, NODE_CRASHED);
	return HARNESS_PERSIST_CRASHED;
}

enum harness_persist harness_node_persist(struct harness_node *n, bool sync_now)
{
	struct harness_wal *hw = &n->disk;

	if (hw->wal == NULL || n->status != NODE_UP)
		return HARNESS_PERSIST_CLEAN;
	save_meta(n);
	if (wal_failed(hw->wal))
		return fail_node(n);
	if (!wal_dirty(hw->wal))
		return HARNESS_PERSIST_CLEAN;
	if (sync_now)
		return harness_node_sync(n);
	/* written now, synced --disk-ms later: a crash in between meets
	 * the simulated disk's faults (lost, torn, reordered) */
	if (wal_write(hw->wal) != WAL_OK)
		return fail_node(n);
	return HARNESS_PERSIST_DIRTY;
}

enum harness_persist harness_node_sync(struct harness_node *n)
{
	struct harness_wal *hw = &n->disk;
	uint64_t before;
	uint64_t after;
	unsigned i;

	if (hw->wal == NULL || n->status != NODE_UP)
		return HARNESS_PERSIST_CLEAN;
	save_meta(n);
	before = wal_durable_index(hw->wal);
	if (wal_sync(hw->wal) != WAL_OK)
		return fail_node(n);
	after = wal_durable_index(hw->wal);
	hw->syncs++;
	hw->synced_entries += after > before ? after - before : 0;
	raft_storage_synced(&n->raft);
	publish_persist(n);
	/* In the order they were sent, through the fates they would have
	 * met then. */
	for (i = 0; i < hw->held_len; i++) {
		harness_node_send_now(n, &hw->held[i].msg);
		free(hw->held[i].extra);
	}
	hw->held_len = 0;
	if (wal_failed(hw->wal))
		return fail_node(n);
	save_meta(n);
	return wal_dirty(hw->wal) ? HARNESS_PERSIST_DIRTY
				  : HARNESS_PERSIST_CLEAN;
}

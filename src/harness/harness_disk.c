/* harness_disk.c - a node's durable storage as the harness drives it; see
 * harness_disk.h. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_clients.h"
#include "harness_disk.h"

bool harness_have_wal(const struct harness *h)
{
	return h->opt->sim_disk || h->opt->data_dir != NULL;
}

/* Threads: DIR/node-I, refused if it holds files and this is no resume.
 * raftsim node: DIR itself, the one node's (each process owns its
 * directory, on its own host as often as not). */
static int open_posix(struct harness *h, int i, char *msg, size_t len)
{
	char(*names)[DISK_NAME_MAX + 1] = NULL;
	const char *dir = h->opt->data_dir;
	char path[4096];
	struct disk *d;
	int count = 0;
	int err = 0;
	int n;

	n = h->opt->command == CMD_NODE
		    ? snprintf(path, sizeof(path), "%s", dir)
		    : snprintf(path, sizeof(path), "%s/node-%d", dir, i);
	if (n >= (int)sizeof(path)) {
		snprintf(msg, len, "--data-dir: '%s' is too long",
			 h->opt->data_dir);
		return EXIT_USAGE;
	}
	d = disk_posix_open(path, &err);
	if (d == NULL) {
		snprintf(msg, len, "--data-dir: cannot open %s: %s", path,
			 strerror(-err));
		return EXIT_RUN_FAILED;
	}
	h->node[i].disk.disk = d;
	err = d->ops->list(d, &names, &count);
	free(names);
	if (err < 0) {
		snprintf(msg, len, "--data-dir: cannot list %s: %s", path,
			 strerror(-err));
		return EXIT_RUN_FAILED;
	}
	if (count > 0 && !h->opt->resume) {
		snprintf(msg, len,
			 "%s holds a previous run; add --resume or use an "
			 "empty directory",
			 path);
		return EXIT_USAGE;
	}
	return 0;
}

/* The simulator: a blank disk per node, its own seed, the shared atlas. */
static int open_sim(struct harness *h, int i, char *msg, size_t len)
{
	struct disk_sim_faults faults = {
		.torn = h->opt->disk_torn,
		.corrupt = h->opt->disk_corrupt,
		.fsync_fail = h->opt->disk_fsync_fail,
		.torn_mixed = true, /* --disk-torn: torn or reordered */
	};
	char where[32];

	snprintf(where, sizeof(where), "sim:node-%d", i);
	h->node[i].disk.disk = disk_sim_new(
		where, i, &faults,
		raft_rng_derive(h->opt->seed, 0xd15c00 + (uint64_t)i),
		&h->atlas);
	if (h->node[i].disk.disk != NULL)
		return 0;
	snprintf(msg, len, "out of memory for node %d's simulated disk", i);
	return EXIT_RUN_FAILED;
}

int harness_disk_init(struct harness *h, char *msg, size_t len)
{
	int rv = 0;
	int i;

	if (!harness_have_wal(h))
		return 0;
	h->atlas.nodes = h->nodes;
	for (i = 0; i < h->nodes && rv == 0; i++) {
		h->node[i].disk.saved_vote = RAFT_NONE;
		if (h->node[i].remote)
			continue;
		rv = h->opt->sim_disk ? open_sim(h, i, msg, len)
				      : open_posix(h, i, msg, len);
	}
	return rv;
}

static void drop_held(struct harness_wal *hw)
{
	for (; hw->held_len > 0; hw->held_len--)
		free(hw->held[hw->held_len - 1].extra);
}

void harness_disk_close(struct harness *h)
{
	int i;

	for (i = 0; h->node != NULL && i < h->nodes; i++) {
		struct harness_wal *hw = &h->node[i].disk;

		drop_held(hw);
		free(hw->held);
		free(hw->runs);
		if (hw->wal != NULL)
			wal_close(hw->wal);
		if (hw->disk != NULL && h->opt->sim_disk)
			disk_sim_free(hw->disk);
		else if (hw->disk != NULL)
			disk_posix_close(hw->disk);
		memset(hw, 0, sizeof(*hw));
	}
}

void harness_disk_publish(struct harness_node *n, enum wev_disk_what what,
			  const char *text)
{
	struct wev w;

	if (n->h->mon == NULL && n->h->tap.event == NULL)
		return;
	memset(&w, 0, sizeof(w));
	w.type = WEV_DISK;
	w.tick = n->h->tick;
	w.node = n->id;
	w.peer = RAFT_NONE;
	w.disk_what = what;
	w.text = text;
	harness_publish(n->h, &w);
}

/* The recovered log's terms as (first index, term) runs: a walk from its
 * first entry, once per restart. */
static int collect_runs(struct harness_wal *hw)
{
	struct raft_storage st = wal_storage_ops(hw->wal);
	uint64_t last = st.last_index(st.ctx);
	uint64_t i, term, prev = 0;

	hw->run_count = 0;
	for (i = st.first_index(st.ctx); i <= last; i++) {
		term = st.term_at(st.ctx, i);
		if (term == prev && hw->run_count > 0)
			continue;
		if (hw->run_count == hw->run_cap) {
			int cap = hw->run_cap > 0 ? 2 * hw->run_cap : 16;
			uint64_t *r = realloc(hw->runs,
					      sizeof(*r) * 2 * (size_t)cap);

			if (r == NULL)
				return RAFT_ENOMEM;
			hw->runs = r;
			hw->run_cap = cap;
		}
		hw->runs[2 * hw->run_count] = i;
		hw->runs[2 * hw->run_count + 1] = term;
		hw->run_count++;
		prev = term;
	}
	return RAFT_OK;
}

int harness_disk_open(struct harness_node *n, struct raft_durable *durable,
		      bool *fresh)
{
	struct harness_wal *hw = &n->disk;
	struct disk_sim_stats before = {0}, after = {0};
	struct wal_config cfg = {
		.node = n->id,
		.segment_bytes = n->h->opt->wal_segment_bytes,
		.skip_bad_record = (n->h->opt->mistakes &
				    RAFT_MISTAKE_SKIP_BAD_RECORD) != 0,
	};
	int rv;

	assert(hw->disk != NULL && hw->wal == NULL);
	if (hw->refused)
		return RAFT_ESTORAGE;
	if (n->h->opt->sim_disk)
		disk_sim_stats(hw->disk, &before);
	rv = wal_open(hw->disk, &cfg, &hw->wal, &hw->rec, hw->why,
		      sizeof(hw->why));
	if (n->h->opt->sim_disk) {
		disk_sim_stats(hw->disk, &after);
		if (after.latent > before.latent)
			harness_disk_publish(
				n, WEV_DISK_LATENT,
				"the simulated disk made a sector "
				"unreadable (a latent sector error: the "
				"next read of it fails)");
	}
	if (rv == WAL_ENOMEM)
		return RAFT_ENOMEM;
	if (rv == WAL_EIO) {
		/* The disk failed a write or sync of recovery's own (a fresh
		 * node's first files, a torn tail's cut): not damage, but the
		 * node cannot go on now (fsyncgate); it tries again later. */
		hw->wal = NULL;
		hw->fsync_failures++;
		harness_disk_publish(n, WEV_DISK_FAILED, hw->why);
		return RAFT_EIO;
	}
	if (rv != WAL_OK) {
		/* Damage, or the disk failed while reading: never guessed
		 * past. The node takes no further part. */
		hw->wal = NULL;
		hw->refused = true;
		if (hw->why[0] == '\0')
			snprintf(hw->why, sizeof(hw->why),
				 "node %d: its storage could not be read",
				 n->id);
		n->h->disk_refused++;
		harness_disk_publish(n, WEV_DISK_REFUSED, hw->why);
		return RAFT_ESTORAGE;
	}
	if (collect_runs(hw) != RAFT_OK) {
		wal_close(hw->wal);
		hw->wal = NULL;
		return RAFT_ENOMEM;
	}
	durable->current_term = hw->rec.term;
	durable->voted_for = hw->rec.voted_for;
	hw->saved_term = hw->rec.term;
	hw->saved_vote = hw->rec.voted_for;
	*fresh = hw->rec.term == 0 && hw->rec.voted_for == RAFT_NONE &&
		 hw->rec.last_index == 0 && hw->rec.snapshot_index == 0;
	return RAFT_OK;
}

void harness_disk_report_recovery(struct harness_node *n)
{
	struct harness_wal *hw = &n->disk;
	char text[DISK_NAME_MAX + 96];

	if (hw->wal == NULL)
		return;
	if (hw->rec.torn) {
		hw->torn++;
		snprintf(text, sizeof(text),
			 "%s offset %" PRIu64 ": %" PRIu64 " bytes cut",
			 hw->rec.torn_file, hw->rec.torn_offset,
			 hw->rec.torn_bytes);
		harness_disk_publish(n, WEV_DISK_TORN, text);
	}
	if (hw->rec.skipped) {
		snprintf(text, sizeof(text),
			 "%s offset %" PRIu64 ": damage skipped",
			 hw->rec.skipped_file, hw->rec.skipped_offset);
		harness_disk_publish(n, WEV_DISK_SKIPPED, text);
	}
}

struct raft_storage harness_disk_storage(struct harness_node *n)
{
	assert(n->disk.wal != NULL);
	return wal_storage_ops(n->disk.wal);
}

void harness_disk_describe(struct harness_node *n, struct wev *w)
{
	const struct harness_wal *hw = &n->disk;

	if (hw->wal == NULL)
		return;
	w->recovered = true;
	w->term = hw->rec.term;
	w->peer = hw->rec.voted_for;
	w->index = hw->rec.snapshot_index;
	w->entry_term = hw->rec.snapshot_term;
	w->last_index = hw->rec.last_index;
	w->last_term = hw->rec.last_term;
	w->runs = hw->runs;
	w->run_count = hw->run_count;
}

void harness_disk_crash(struct harness_node *n)
{
	struct harness_wal *hw = &n->disk;

	if (hw->disk == NULL)
		return;
	drop_held(hw);
	if (hw->wal != NULL)
		wal_close(hw->wal);
	hw->wal = NULL;
	hw->syncing = false;
	if (n->h->opt->sim_disk)
		disk_sim_crash(hw->disk);
}

int harness_disk_refused(const struct harness *h)
{
	return h->disk_refused;
}

void harness_disk_summary(struct harness *h, char *buf, size_t size)
{
	uint64_t syncs = 0, entries = 0, torn = 0, failed = 0;
	size_t len = strlen(buf);
	int i;

	if (!harness_have_wal(h) || len >= size)
		return;
	for (i = 0; i < h->nodes; i++) {
		const struct harness_wal *hw = &h->node[i].disk;

		harness_lock(h, HARNESS_LOCK_NODE, i);
		syncs += hw->syncs;
		entries += hw->synced_entries;
		torn += hw->torn;
		failed += hw->fsync_failures;
		harness_unlock(h, HARNESS_LOCK_NODE, i);
	}
	snprintf(buf + len, size - len,
		 "disk: %" PRIu64 " syncs (%.1f entries per sync), %" PRIu64
		 " torn tails repaired, %d refused, %" PRIu64
		 " sync failures\n",
		 syncs, syncs > 0 ? (double)entries / (double)syncs : 0.0, torn,
		 h->disk_refused, failed);
	for (i = 0; i < h->nodes; i++) {
		const struct harness_wal *hw = &h->node[i].disk;

		len = strlen(buf);
		if (hw->refused && len < size)
			snprintf(buf + len, size - len,
				 "disk: node %d refused to start: %s\n", i,
				 hw->why);
	}
}

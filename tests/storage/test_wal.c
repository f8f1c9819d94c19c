/* test_wal.c - the WAL (src/storage/wal*.c) on both disks: what is synced
 * survives, with its term, vote and snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raft_state.h"
#include "storage/disk.h"
#include "storage/wal.h"
#include "testhelp.h"
#include "waltest.h"

static struct wt_model model;

/* Appends, truncates, snapshots, saves meta, closes and reopens d: the
 * same log, term, vote and snapshot come back. */
static void round_trip(struct disk *d)
{
	struct wal_recovery rec;
	struct wal *w;

	wt_model_init(&model);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK_EQ(rec.term, 0);
	CHECK_EQ(rec.voted_for, RAFT_NONE);
	CHECK_EQ(rec.last_index, 0);
	CHECK(wt_append(w, &model, 1, 100, 1) == 0);
	wal_save_meta(w, 3, 2);
	model.term = 3;
	model.vote = 2;
	CHECK(wal_dirty(w));
	CHECK_EQ(wal_durable_index(w), 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	CHECK(!wal_dirty(w));
	CHECK_EQ(wal_durable_index(w), 100);
	wt_truncate(w, &model, 91);
	CHECK_EQ(wal_durable_index(w), 90);
	CHECK(wt_append(w, &model, 91, 150, 3) == 0);
	CHECK(wt_snapshot(w, &model, 120) == 0);
	CHECK(wt_append(w, &model, 151, 200, 3) == 0);
	wal_save_meta(w, 4, RAFT_NONE);
	model.term = 4;
	model.vote = RAFT_NONE;
	CHECK_EQ(wal_sync(w), WAL_OK);
	CHECK(wt_matches(w, &model));
	wal_close(w);

	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK_EQ(rec.term, 4);
	CHECK_EQ(rec.voted_for, RAFT_NONE);
	CHECK_EQ(rec.snapshot_index, 120);
	CHECK_EQ(rec.snapshot_term, 3);
	CHECK_EQ(rec.first_index, 121);
	CHECK_EQ(rec.last_index, 200);
	CHECK_EQ(rec.last_term, 3);
	CHECK(!rec.torn && !rec.skipped);
	CHECK(wt_matches(w, &model));
	CHECK_EQ(wal_durable_index(w), 200);
	/* and it goes on from there */
	CHECK(wt_append(w, &model, 201, 210, 4) == 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	wal_close(w);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK(wt_matches(w, &model));
	wal_close(w);
}

static void wal_round_trip_on_the_sim_disk(void)
{
	struct disk *d = disk_sim_new("sim:node-1", 1, NULL, 1, NULL);

	REQUIRE(d != NULL);
	round_trip(d);
	disk_sim_free(d);
}

static void wal_round_trip_on_posix(void)
{
	char tmpl[] = "/tmp/raftsim-wal-XXXXXX";
	char cmd[100];
	struct disk *d;
	int err;

	REQUIRE(mkdtemp(tmpl) != NULL);
	d = disk_posix_open(tmpl, &err);
	CHECK(d != NULL);
	if (d != NULL) {
		round_trip(d);
		disk_posix_close(d);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	CHECK_EQ(system(cmd), 0);
}

static int count_files(struct disk *d, const char *prefix, const char *suffix)
{
	char(*names)[DISK_NAME_MAX + 1] = NULL;
	int count = 0, i, n = 0;

	if (d->ops->list(d, &names, &count) != 0)
		return -1;
	for (i = 0; i < count; i++) {
		size_t len = strlen(names[i]), sl = strlen(suffix);

		n += strncmp(names[i], prefix, strlen(prefix)) == 0 &&
		     len >= sl && strcmp(names[i] + len - sl, suffix) == 0;
	}
	free(names);
	return n;
}

/* 1..500 synced every 20 entries, on 4 KiB segments. */
static struct disk *many_segments(struct wal **w)
{
	struct disk *d = disk_sim_new("sim:node-1", 1, NULL, 2, NULL);
	struct wal_recovery rec;
	uint64_t i;

	wt_model_init(&model);
	if (d == NULL || wt_open(d, 4096, false, w, &rec) != WAL_OK)
		return d;
	for (i = 1; i <= 500; i += 20) {
		wt_append(*w, &model, i, i + 19, 1 + i / 100);
		if (wal_sync(*w) != WAL_OK)
			break;
	}
	return d;
}

static void segments_roll_and_a_base_segment_removes_old_ones(void)
{
	struct wal_recovery rec;
	struct wal_stats st;
	struct wal *w = NULL;
	struct disk *d = many_segments(&w);

	REQUIRE(d != NULL && w != NULL);
	CHECK(wt_matches(w, &model));
	CHECK(count_files(d, "wal-", ".log") >= 5); /* 500 * 56 B / 4 KiB */
	wal_close(w);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK(rec.segments >= 5);
	CHECK(wt_matches(w, &model));
	CHECK(wt_snapshot(w, &model, 450) == 0);
	CHECK_EQ(count_files(d, "wal-", ".log"), 1);
	wal_stats(w, &st);
	CHECK_EQ(st.base_segments, 1);
	CHECK(wt_append(w, &model, 501, 520, 6) == 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	wal_close(w);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK_EQ(rec.segments, 1);
	CHECK_EQ(rec.first_index, 451);
	CHECK(wt_matches(w, &model));
	wal_close(w);
	disk_sim_free(d);
}

static void base_segment_torn_mid_write_leaves_the_old_segments(void)
{
	static const uint8_t junk[3000] = {1, 2, 3};
	struct wal_recovery rec;
	struct wal *w = NULL;
	struct disk *d = many_segments(&w);
	char name[DISK_NAME_MAX + 1];
	int segs, fd;

	REQUIRE(d != NULL && w != NULL);
	wal_close(w);
	segs = count_files(d, "wal-", ".log");
	/* the crash came while the next base segment and a snapshot were
	 * being written: their .tmp files are left */
	snprintf(name, sizeof(name), "wal-%016x.tmp", segs + 1);
	REQUIRE(d->ops->open(d, name, DISK_CREATE, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, junk, sizeof(junk), 0), 0);
	d->ops->close(d, fd);
	REQUIRE(d->ops->open(d, "snapshot.tmp", DISK_CREATE, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, junk, sizeof(junk), 0), 0);
	d->ops->close(d, fd);
	CHECK_EQ(d->ops->sync_dir(d), 0);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK(wt_matches(w, &model));
	CHECK_EQ(count_files(d, "", ".tmp"), 0);
	CHECK_EQ(count_files(d, "wal-", ".log"), segs);
	wal_close(w);
	disk_sim_free(d);
}

static void snapshot_without_its_base_segment_is_completed(void)
{
	struct wal_recovery rec;
	struct wal *w = NULL;
	struct disk *d = many_segments(&w);
	struct raft_storage st;
	uint8_t data[100];

	REQUIRE(d != NULL && w != NULL);
	/* the snapshot is written; the crash comes before compact_prefix
	 * writes the base segment */
	st = wal_storage_ops(w);
	memset(data, 480 & 0xff, sizeof(data));
	CHECK_EQ(st.snapshot_put(st.ctx, 480, 5, data, sizeof(data)), 0);
	wal_close(w);
	disk_sim_crash(d);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK_EQ(rec.snapshot_index, 480);
	CHECK_EQ(rec.first_index, 481);
	CHECK_EQ(rec.last_index, 500);
	CHECK_EQ(count_files(d, "wal-", ".log"), 1); /* base written */
	model.first = 481;
	model.base_term = 5;
	model.snap_index = 480;
	model.snap_term = 5;
	CHECK(wt_append(w, &model, 501, 510, 6) == 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	wal_close(w);
	disk_sim_crash(d);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK(wt_matches(w, &model));
	wal_close(w);
	disk_sim_free(d);
}

/* The core keeps a trailing log behind its snapshot (for slow
 * followers): compaction stops below the snapshot's index. */
static void base_segment_begins_at_the_snapshot(void)
{
	struct wal_recovery rec;
	struct wal_stats ws;
	struct wal *w = NULL;
	struct disk *d = many_segments(&w);
	struct raft_storage st;
	uint8_t data[100];
	uint64_t before;

	REQUIRE(d != NULL && w != NULL);
	st = wal_storage_ops(w);
	wal_stats(w, &ws);
	before = ws.bytes_written;
	memset(data, 450 & 0xff, sizeof(data)); /* as wt_matches wants */
	CHECK_EQ(st.snapshot_put(st.ctx, 450, 5, data, sizeof(data)), 0);
	st.compact_prefix(st.ctx, 300, st.term_at(st.ctx, 300));
	/* the memory still serves 301..500 */
	CHECK_EQ(st.first_index(st.ctx), 301);
	CHECK_EQ(st.term_at(st.ctx, 301), 4);
	CHECK_EQ(count_files(d, "wal-", ".log"), 1);
	/* 451..500 only (1 BASE + 50 ENTRY records): 301..450 are the
	 * snapshot's, written no more */
	wal_stats(w, &ws);
	CHECK_EQ(ws.bytes_written - before, 40 + 100 + 16 + 24 + 50 * 56);
	CHECK(wt_append(w, &model, 501, 520, 6) == 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	wal_close(w);
	disk_sim_crash(d);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK_EQ(rec.snapshot_index, 450);
	CHECK_EQ(rec.first_index, 451);
	CHECK_EQ(rec.last_index, 520);
	CHECK_EQ(rec.records, 1 + 50 + 20);
	model.first = 451;
	model.base_term = 5;
	model.snap_index = 450;
	model.snap_term = 5;
	CHECK(wt_matches(w, &model));
	/* the log on disk began at the snapshot: no base to write again */
	wal_stats(w, &ws);
	CHECK_EQ(ws.base_segments, 0);
	wal_close(w);
	disk_sim_free(d);
}

static void durable_index_follows_syncs_truncation_and_snapshots(void)
{
	struct disk *d = disk_sim_new("sim:node-1", 1, NULL, 2, NULL);
	struct wal_recovery rec;
	struct raft_storage st;
	struct wal *w;

	REQUIRE(d != NULL);
	wt_model_init(&model);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	st = wal_storage_ops(w);
	REQUIRE(st.durable_index != NULL);
	CHECK(!wal_dirty(w));
	wt_append(w, &model, 1, 10, 1);
	CHECK_EQ(st.durable_index(st.ctx), 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	CHECK_EQ(st.durable_index(st.ctx), 10);
	wt_append(w, &model, 11, 20, 1);
	CHECK_EQ(st.durable_index(st.ctx), 10);
	wt_truncate(w, &model, 6); /* §5.3: the suffix is gone */
	CHECK_EQ(st.durable_index(st.ctx), 5);
	wt_append(w, &model, 6, 30, 2);
	CHECK(wt_snapshot(w, &model, 25) == 0); /* a base: all synced */
	CHECK_EQ(st.durable_index(st.ctx), 30);
	wal_save_meta(w, 2, 1);
	CHECK(wal_dirty(w));
	CHECK_EQ(wal_sync(w), WAL_OK);
	CHECK(!wal_dirty(w));
	wal_close(w);
	disk_sim_crash(d);
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK(wt_matches(w, &model));
	CHECK_EQ(rec.term, 2);
	CHECK_EQ(rec.voted_for, 1);
	wal_close(w);
	disk_sim_free(d);
}

/* A kill between a segment's roll (its file created during a turn) and the
 * end of the turn (its first record still in memory) leaves an empty
 * segment: recovery removes it as a torn tail of no bytes, and the log goes
 * on in the segment before it, so the next recovery finds no damage. */
static void empty_rolled_segment_is_removed(void)
{
	struct wal_recovery rec;
	struct wal *w = NULL;
	struct disk *d = many_segments(&w);
	uint64_t i = 501;
	int segs;

	REQUIRE(d != NULL && w != NULL);
	segs = count_files(d, "wal-", ".log");
	while (count_files(d, "wal-", ".log") == segs && i < 700)
		REQUIRE(wt_append(w, &model, i, i, 6) == 0 && ++i);
	REQUIRE(count_files(d, "wal-", ".log") == segs + 1);
	wal_close(w); /* the kill: nothing of this turn written */
	model.last = 500;
	REQUIRE(wt_open(d, 4096, false, &w, &rec) == WAL_OK);
	CHECK(rec.torn);
	CHECK_EQ(rec.torn_bytes, 0);
	CHECK_EQ(count_files(d, "wal-", ".log"), segs);
	CHECK(wt_matches(w, &model));
	CHECK(wt_append(w, &model, 501, 600, 6) == 0);
	CHECK_EQ(wal_sync(w), WAL_OK);
	wal_close(w);
	CHECK_EQ(wt_open(d, 4096, false, &w, &rec), WAL_OK);
	CHECK(wt_matches(w, &model));
	wal_close(w);
	disk_sim_free(d);
}

const struct test_case wal_tests[] = {
	{"wal: append, truncate, snapshot and meta, reopened, give the same "
	 "log, term, vote, snapshot (sim disk)",
	 wal_round_trip_on_the_sim_disk},
	{"wal: append, truncate, snapshot and meta, reopened, give the same "
	 "log, term, vote, snapshot (real files)",
	 wal_round_trip_on_posix},
	{"wal: segments roll past segment_bytes; a snapshot's base segment "
	 "removes the older ones",
	 segments_roll_and_a_base_segment_removes_old_ones},
	{"wal: a base segment or snapshot torn mid-write (.tmp) is removed; "
	 "the old segments serve",
	 base_segment_torn_mid_write_leaves_the_old_segments},
	{"wal: a crash between a snapshot and its base segment: recovery "
	 "compacts and writes the base",
	 snapshot_without_its_base_segment_is_completed},
	{"wal: a base segment begins at the snapshot, not at the trailing "
	 "log kept in memory behind it, and recovery needs no second base",
	 base_segment_begins_at_the_snapshot},
	{"wal: durable_index is the log's end at the last sync, lowered by a "
	 "truncation, raised by a snapshot",
	 durable_index_follows_syncs_truncation_and_snapshots},
	{"wal: a segment rolled but never written (a kill before the end of "
	 "the turn) is removed at recovery, and the next recovery finds no "
	 "damage",
	 empty_rolled_segment_is_removed},
	{NULL, NULL},
};

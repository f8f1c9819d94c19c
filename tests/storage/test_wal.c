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

const struct test_case wal_tests[] = {
	{"wal: append, truncate, snapshot and meta, reopened, give the same "
	 "log, term, vote, snapshot (sim disk)",
	 wal_round_trip_on_the_sim_disk},
	{"wal: append, truncate, snapshot and meta, reopened, give the same "
	 "log, term, vote, snapshot (real files)",
	 wal_round_trip_on_posix},
	{NULL, NULL},
};

/* test_wal_damage.c - recovery with no silent loss (wal.h "Recovery"):
 * a torn or zero-filled tail is cut and reported, damage in the middle,
 * a bad snapshot or both meta slots bad are refused with where they are,
 * and the skip-bad-record mistake recovers a shorter log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raft_state.h"
#include "storage/disk.h"
#include "storage/wal.h"
#include "testhelp.h"
#include "waltest.h"

static struct wt_model model;

/* A sim disk whose WAL holds 1..200 in two synced groups (1..100 term 1,
 * 101..200 term 2), term 2, vote 0; one segment. */
static struct disk *two_groups(void)
{
	struct disk *d = disk_sim_new("sim:node-1", 1, NULL, 7, NULL);
	struct wal_recovery rec;
	struct wal *w;

	if (d == NULL || wt_open(d, 1 << 20, false, &w, &rec) != WAL_OK)
		return d;
	wt_model_init(&model);
	wt_append(w, &model, 1, 100, 1);
	wal_save_meta(w, 2, 0);
	(void)wal_sync(w);
	wt_append(w, &model, 101, 200, 2);
	(void)wal_sync(w);
	model.term = 2;
	model.vote = 0;
	wal_close(w);
	return d;
}

static int64_t file_size(struct disk *d, const char *name)
{
	int fd;
	int64_t n;

	if (d->ops->open(d, name, 0, &fd) != 0)
		return -1;
	n = d->ops->size(d, fd);
	d->ops->close(d, fd);
	return n;
}

/* Applies f to the bytes [off, off + len) of file name, writes and syncs
 * them back. */
static int poke(struct disk *d, const char *name, uint64_t off, size_t len,
		void (*f)(uint8_t *, size_t))
{
	uint8_t buf[1024];
	int fd, rv;

	if (len > sizeof(buf) || d->ops->open(d, name, 0, &fd) != 0)
		return -1;
	rv = d->ops->pread(d, fd, buf, len, off) == (int64_t)len ? 0 : -1;
	if (rv == 0) {
		f(buf, len);
		rv = d->ops->pwrite(d, fd, buf, len, off);
	}
	if (rv == 0)
		rv = d->ops->sync(d, fd);
	d->ops->close(d, fd);
	return rv;
}

static void flip(uint8_t *p, size_t len)
{
	p[len / 2] ^= 0x10;
}

static void zero(uint8_t *p, size_t len)
{
	memset(p, 0, len);
}

#define SEG1 "wal-0000000000000001.log"
#define REC 56 /* an entry record of 16 payload bytes */

static void mid_log_damage_is_refused_with_file_and_offset(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w = NULL;
	char where[64];
	uint64_t off = 40 + 50 * REC; /* after BASE (40): entry 51 */

	REQUIRE(d != NULL);
	REQUIRE(poke(d, SEG1, off, REC, flip) == 0);
	CHECK_EQ(wt_open(d, 1 << 20, false, &w, &rec), WAL_EDAMAGED);
	CHECK(w == NULL);
	snprintf(where, sizeof(where), "node 1: %s offset %llu: ", SEG1,
		 (unsigned long long)off);
	CHECK(strncmp(wt_msg, where, strlen(where)) == 0);
	CHECK(strstr(wt_msg, "mid-log") != NULL);
	/* refused again: nothing was cut */
	CHECK_EQ(wt_open(d, 1 << 20, false, &w, &rec), WAL_EDAMAGED);
	disk_sim_free(d);
}

static void skip_bad_record_recovers_a_shorter_log(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w = NULL;
	uint64_t off = 40 + 50 * REC;

	REQUIRE(d != NULL);
	REQUIRE(poke(d, SEG1, off, REC, flip) == 0);
	REQUIRE(wt_open(d, 1 << 20, true, &w, &rec) == WAL_OK);
	CHECK(rec.skipped && !rec.torn);
	CHECK(strcmp(rec.skipped_file, SEG1) == 0);
	CHECK_EQ(rec.skipped_offset, off);
	CHECK_EQ(rec.last_index, 50); /* 51..200 gone: the mistake */
	CHECK_EQ(rec.term, 2);
	wal_close(w);
	disk_sim_free(d);
}

static void torn_tail_is_truncated_and_reported(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w;
	uint64_t end = 40 + 200 * REC;
	int fd;

	REQUIRE(d != NULL);
	CHECK_EQ(file_size(d, SEG1), end);
	/* the last record half written */
	REQUIRE(d->ops->open(d, SEG1, 0, &fd) == 0);
	CHECK_EQ(d->ops->truncate(d, fd, end - REC / 2), 0);
	CHECK_EQ(d->ops->sync(d, fd), 0);
	d->ops->close(d, fd);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	CHECK(rec.torn);
	CHECK(strcmp(rec.torn_file, SEG1) == 0);
	CHECK_EQ(rec.torn_offset, end - REC);
	CHECK_EQ(rec.torn_bytes, REC / 2);
	CHECK_EQ(rec.last_index, 199);
	model.last = 199;
	CHECK(wt_matches(w, &model));
	CHECK_EQ(file_size(d, SEG1), end - REC); /* cut on disk */
	wal_close(w);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	CHECK(!rec.torn);
	CHECK(wt_matches(w, &model));
	wal_close(w);
	disk_sim_free(d);
}

static void torn_group_is_cut_at_its_first_bad_record(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w;

	REQUIRE(d != NULL);
	/* a hole in the last group (its sectors reordered): the records
	 * of the same group after it do not make it damage */
	REQUIRE(poke(d, SEG1, 40 + 150 * REC, REC, zero) == 0);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	CHECK(rec.torn);
	CHECK_EQ(rec.torn_offset, 40 + 150 * REC);
	CHECK_EQ(rec.last_index, 150);
	wal_close(w);
	disk_sim_free(d);
}

static void zero_filled_tail_is_truncated(void)
{
	static const uint8_t zeros[4096];
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w;
	uint64_t end = 40 + 200 * REC;
	int fd;

	REQUIRE(d != NULL);
	REQUIRE(d->ops->open(d, SEG1, 0, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, zeros, sizeof(zeros), end), 0);
	CHECK_EQ(d->ops->sync(d, fd), 0);
	d->ops->close(d, fd);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	CHECK(rec.torn);
	CHECK_EQ(rec.torn_offset, end);
	CHECK_EQ(rec.torn_bytes, sizeof(zeros));
	CHECK(wt_matches(w, &model));
	CHECK_EQ(file_size(d, SEG1), end);
	wal_close(w);
	disk_sim_free(d);
}

static void bad_snapshot_is_refused(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w;

	REQUIRE(d != NULL);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	CHECK(wt_snapshot(w, &model, 150) == 0);
	wal_close(w);
	REQUIRE(poke(d, "snapshot", 60, 20, flip) == 0);
	CHECK_EQ(wt_open(d, 1 << 20, false, &w, &rec), WAL_EDAMAGED);
	CHECK(strstr(wt_msg, "node 1: snapshot offset 0: ") == wt_msg);
	disk_sim_free(d);
}

static void both_meta_slots_bad_is_refused(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w;

	REQUIRE(d != NULL);
	/* one bad slot: the other one is taken */
	REQUIRE(poke(d, "meta", 0, 32, flip) == 0);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	wal_close(w);
	REQUIRE(poke(d, "meta", 512, 32, flip) == 0);
	CHECK_EQ(wt_open(d, 1 << 20, false, &w, &rec), WAL_EDAMAGED);
	CHECK(strstr(wt_msg, "node 1: meta offset 0: both") == wt_msg);
	disk_sim_free(d);
}

static void torn_meta_save_keeps_the_previous_state(void)
{
	struct disk *d = two_groups();
	struct wal_recovery rec;
	struct wal *w;

	REQUIRE(d != NULL);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	wal_save_meta(w, 5, 1);
	CHECK_EQ(wal_sync(w), WAL_OK);
	wal_close(w);
	/* the latest save (seq 2, slot 0) torn */
	REQUIRE(poke(d, "meta", 0, 32, zero) == 0);
	REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
	CHECK_EQ(rec.term, 2);
	CHECK_EQ(rec.voted_for, 0);
	wal_close(w);
	disk_sim_free(d);
}

static void checksum_failure_that_passes_on_reread_is_not_damage(void)
{
	struct disk_sim_faults f = {.corrupt = 0.3};
	int seed, retried = 0;

	for (seed = 0; seed < 30; seed++) {
		struct disk *d = disk_sim_new("sim:node-1", 1, &f,
					      (uint64_t)seed, NULL);
		struct wal_recovery rec;
		struct wal *w;

		REQUIRE(d != NULL);
		wt_model_init(&model);
		REQUIRE(wt_open(d, 8192, false, &w, &rec) == WAL_OK);
		wt_append(w, &model, 1, 300, 1);
		wal_save_meta(w, 1, 1);
		model.term = 1;
		model.vote = 1;
		CHECK_EQ(wal_sync(w), WAL_OK);
		wal_close(w);
		disk_sim_crash(d);
		CHECK_EQ(wt_open(d, 8192, false, &w, &rec), WAL_OK);
		if (w != NULL) {
			CHECK(wt_matches(w, &model));
			CHECK_EQ(rec.term, 1);
			retried += rec.retries > 0;
			wal_close(w);
		}
		disk_sim_free(d);
	}
	CHECK(retried > 5);
}

static void read_error_is_damage_never_a_torn_tail(void)
{
	struct disk_sim_faults f = {.corrupt = 0.5};
	struct disk_sim_atlas atlas = {.nodes = 3};
	int seed, refused = 0, recovered = 0;

	for (seed = 0; seed < 30; seed++) {
		struct disk *d = disk_sim_new("sim:node-1", 1, &f,
					      (uint64_t)seed, &atlas);
		struct wal_recovery rec;
		struct wal *w;
		int rv;

		REQUIRE(d != NULL);
		wt_model_init(&model);
		REQUIRE(wt_open(d, 1 << 20, false, &w, &rec) == WAL_OK);
		wt_append(w, &model, 1, 300, 1);
		CHECK_EQ(wal_sync(w), WAL_OK);
		wal_close(w);
		rv = wt_open(d, 1 << 20, false, &w, &rec);
		/* every read flips or errs: never a silently shorter log */
		CHECK(rv == WAL_EDAMAGED || rv == WAL_OK);
		if (rv == WAL_OK) {
			CHECK(wt_matches(w, &model));
			recovered++;
			wal_close(w);
		} else {
			refused++;
			CHECK(strstr(wt_msg, "node 1: ") == wt_msg);
		}
		disk_sim_free(d);
		memset(&atlas, 0, sizeof(atlas));
		atlas.nodes = 3;
	}
	CHECK(refused > 0 && recovered > 0);
}

static void fsync_failure_fails_the_wal_for_good(void)
{
	struct disk_sim_faults f = {.fsync_fail = 0.3};
	struct raft_entry e = {.term = 1};
	int seed, failed = 0;

	for (seed = 0; seed < 10; seed++) {
		struct disk *d = disk_sim_new("sim:node-1", 1, &f,
					      (uint64_t)seed, NULL);
		struct wal_recovery rec;
		struct raft_storage st;
		struct wal *w;
		uint64_t i, durable = 0;
		int rv = WAL_OK;

		REQUIRE(d != NULL);
		wt_model_init(&model);
		if (wt_open(d, 1 << 20, false, &w, &rec) != WAL_OK) {
			disk_sim_free(d);
			continue; /* the fresh node's own syncs failed */
		}
		for (i = 1; i <= 20 && rv == WAL_OK; i++) {
			CHECK(!wal_failed(w));
			durable = wal_durable_index(w);
			CHECK(wt_append(w, &model, i * 10 - 9, i * 10, 1) == 0);
			rv = wal_sync(w);
		}
		if (rv == WAL_EIO) {
			failed++;
			CHECK(wal_failed(w));
			CHECK(strstr(wal_failure(w), "node 1: sync ") ==
			      wal_failure(w));
			CHECK_EQ(wal_durable_index(w), durable);
			st = wal_storage_ops(w);
			e.index = st.last_index(st.ctx) + 1;
			CHECK_EQ(st.append(st.ctx, &e, 1), -1);
			CHECK_EQ(st.last_index(st.ctx), e.index - 1);
			wal_save_meta(w, 9, 1);
			CHECK_EQ(wal_sync(w), WAL_EIO);
		}
		wal_close(w);
		disk_sim_free(d);
	}
	CHECK(failed >= 3);
}

const struct test_case wal_damage_tests[] = {
	{"wal: a bad record in mid-log is refused (WAL_EDAMAGED), naming the "
	 "node, the file and the offset",
	 mid_log_damage_is_refused_with_file_and_offset},
	{"wal: skip-bad-record (the mistake) drops the bad record and all "
	 "after it: a shorter log",
	 skip_bad_record_recovers_a_shorter_log},
	{"wal: a torn tail (the last write, unsynced) is truncated and "
	 "reported",
	 torn_tail_is_truncated_and_reported},
	{"wal: a hole in the last sync group is a torn tail, cut at its first "
	 "bad record",
	 torn_group_is_cut_at_its_first_bad_record},
	{"wal: a zero-filled tail is truncated and reported",
	 zero_filled_tail_is_truncated},
	{"wal: a bad snapshot file is refused", bad_snapshot_is_refused},
	{"wal: one bad meta slot gives the other; both bad is refused",
	 both_meta_slots_bad_is_refused},
	{"wal: a torn meta save leaves the previous term and vote",
	 torn_meta_save_keeps_the_previous_state},
	{"wal: a checksum failure that passes when read again (a bit flip) is "
	 "not damage",
	 checksum_failure_that_passes_on_reread_is_not_damage},
	{"wal: a read error (latent sector error) is damage, never a torn tail",
	 read_error_is_damage_never_a_torn_tail},
	{"wal: a failed fsync fails the WAL for good: appends and syncs fail "
	 "after it",
	 fsync_failure_fails_the_wal_for_good},
	{NULL, NULL},
};

/* durable_bench.c - figures for the WAL on real files (issue 12,
 * "Performance"). Not a test: it prints what it measures.
 *
 *  1. fsync: one 64-byte write appended to a file, then fdatasync, on the
 *     bench's disk: what a commit costs at the least (p50, p99).
 *  2. the WAL alone: 16-byte entries appended through its storage ops,
 *     with a wal_sync per batch of 1, 16 and 256 entries: entries/s.
 *  3. recovery: 1 GiB of WAL (1 KiB entries, 1024 per sync, 64 MiB
 *     segments, no snapshot), then wal_open, from a cold page cache (the
 *     files are dropped from it first) and warm: MB/s. Then a snapshot
 *     near the end (snapshot_put + compact_prefix: a new base segment,
 *     the old segments removed) and wal_open again: snapshots bound it.
 *     Skipped, with a message, when the disk has less than 5 GiB free.
 *
 * Usage: durable_bench [DIR]   (default: a new directory under $TMPDIR or
 * /tmp, removed at the end; it should be a real disk, not tmpfs)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "raft_state.h"
#include "runtime/clock.h"
#include "storage/disk.h"
#include "storage/wal.h"

#define FSYNC_ROUNDS 300
#define RECOVERY_BYTES ((uint64_t)1 << 30)
#define RECOVERY_PAYLOAD 1024
#define RECOVERY_BATCH 1024
#define FREE_NEEDED ((uint64_t)5 << 30)

static char base[4096];

/* Removes every file in dir, then dir (the bench's files only). */
static void remove_tree(const char *dir)
{
	char path[4096 + 256];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			remove_tree(path); /* a node's directory */
	}
	closedir(d);
	rmdir(dir);
}

/* Drops dir's files from the page cache, so that reading them is cold. */
static void drop_cache(const char *dir)
{
	char path[4096 + 256];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		(void)fdatasync(fd);
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	closedir(d);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* 1. write + fdatasync of 64 bytes, appended. */
static int bench_fsync(void)
{
	static int64_t us[FSYNC_ROUNDS];
	char path[4096 + 64], buf[64];
	int64_t sum = 0;
	int fd, i;

	snprintf(path, sizeof(path), "%s/fsync-probe", base);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < FSYNC_ROUNDS; i++) {
		int64_t t0 = clock_now_us();

		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
		    fdatasync(fd) != 0) {
			close(fd);
			return -1;
		}
		us[i] = clock_now_us() - t0;
		sum += us[i];
	}
	close(fd);
	unlink(path);
	qsort(us, FSYNC_ROUNDS, sizeof(us[0]), cmp_i64);
	printf("== fsync: write(64 B, appended) + fdatasync, %d rounds\n",
	       FSYNC_ROUNDS);
	printf("  p50 %" PRId64 " us, p99 %" PRId64 " us, mean %.0f us\n",
	       us[FSYNC_ROUNDS / 2], us[FSYNC_ROUNDS * 99 / 100],
	       (double)sum / FSYNC_ROUNDS);
	return 0;
}

static int open_wal(const char *dir, uint64_t seg, struct disk **d,
		    struct wal **w, struct wal_recovery *rec)
{
	struct wal_config cfg = {.node = 0, .segment_bytes = seg};
	char msg[512];
	int err = 0, rv;

	*w = NULL;
	*d = disk_posix_open(dir, &err);
	if (*d == NULL) {
		fprintf(stderr, "durable_bench: %s: %s\n", dir, strerror(-err));
		return -1;
	}
	rv = wal_open(*d, &cfg, w, rec, msg, sizeof(msg));
	if (rv != WAL_OK) {
		fprintf(stderr, "durable_bench: wal_open: %s\n", msg);
		disk_posix_close(*d);
		return -1;
	}
	return 0;
}

static void close_wal(struct disk *d, struct wal *w)
{
	wal_close(w);
	disk_posix_close(d);
}

/* Appends count entries of len payload bytes from index first, in one
 * call. */
static int append(struct wal *w, uint64_t first, unsigned count, uint32_t len)
{
	static struct raft_entry e[RECOVERY_BATCH];
	static uint8_t payload[RECOVERY_PAYLOAD];
	struct raft_storage st = wal_storage_ops(w);
	unsigned i;

	for (i = 0; i < count; i++) {
		memcpy(payload, &first, sizeof(first));
		e[i] = (struct raft_entry){.term = 1,
					   .index = first + i,
					   .type = RAFT_ENTRY_COMMAND,
					   .len = len,
					   .data = payload};
	}
	return st.append(st.ctx, e, count);
}

/* 2. The WAL alone: entries/s with a sync per batch. */
static int bench_wal(void)
{
	static const unsigned batches[] = {1, 16, 256};
	char dir[4096 + 64];
	size_t b;

	printf("== the WAL alone (disk_posix): 16-byte entries, a wal_sync "
	       "per batch, ~1 s each\n");
	printf("%8s %12s %10s\n", "batch", "entries/s", "syncs/s");
	for (b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		struct wal_recovery rec;
		struct disk *d;
		struct wal *w;
		uint64_t index = 1, syncs = 0;
		int64_t t0, t;

		snprintf(dir, sizeof(dir), "%s/wal-%u", base, batches[b]);
		if (open_wal(dir, 64ull << 20, &d, &w, &rec) != 0)
			return -1;
		t0 = clock_now_us();
		do {
			if (append(w, index, batches[b], 16) != 0 ||
			    wal_sync(w) != WAL_OK) {
				fprintf(stderr, "durable_bench: %s\n",
					wal_failure(w));
				close_wal(d, w);
				return -1;
			}
			index += batches[b];
			syncs++;
			t = clock_now_us() - t0;
		} while (t < 1000000);
		close_wal(d, w);
		remove_tree(dir);
		printf("%8u %12.0f %10.0f\n", batches[b],
		       (double)(index - 1) * 1e6 / (double)t,
		       (double)syncs * 1e6 / (double)t);
	}
	return 0;
}

/* Opens dir's WAL, cold then warm, and prints what it read and how fast. */
static int time_open(const char *dir, const char *what)
{
	struct wal_recovery rec;
	struct disk *d;
	struct wal *w;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		int64_t t0, t;

		if (pass == 0)
			drop_cache(dir);
		t0 = clock_now_us();
		if (open_wal(dir, 64ull << 20, &d, &w, &rec) != 0)
			return -1;
		t = clock_now_us() - t0;
		close_wal(d, w);
		printf("  %s, %s: wal_open %.3f s: %" PRIu64 " segments, %.1f "
		       "MB, %" PRIu64 " records, log %" PRIu64 "..%" PRIu64
		       ": %.0f MB/s\n",
		       what, pass == 0 ? "cold" : "warm", (double)t / 1e6,
		       rec.segments, (double)rec.bytes / 1e6, rec.records,
		       rec.first_index, rec.last_index,
		       (double)rec.bytes / (double)(t > 0 ? t : 1));
	}
	return 0;
}

/* Writes RECOVERY_BYTES of segments; *last: the log's last index. */
static int write_log(const char *dir, uint64_t *last)
{
	struct wal_recovery rec;
	struct wal_stats ws;
	struct disk *d;
	struct wal *w;
	uint64_t index = 1;
	int64_t t0 = clock_now_us();

	if (open_wal(dir, 64ull << 20, &d, &w, &rec) != 0)
		return -1;
	do {
		if (append(w, index, RECOVERY_BATCH, RECOVERY_PAYLOAD) != 0 ||
		    wal_sync(w) != WAL_OK) {
			fprintf(stderr, "durable_bench: %s\n", wal_failure(w));
			close_wal(d, w);
			return -1;
		}
		index += RECOVERY_BATCH;
		wal_stats(w, &ws);
	} while (ws.bytes_written < RECOVERY_BYTES);
	close_wal(d, w);
	*last = index - 1;
	printf("  written: %" PRIu64 " entries, %.1f MB in %.1f s\n", index - 1,
	       (double)ws.bytes_written / 1e6,
	       (double)(clock_now_us() - t0) / 1e6);
	return 0;
}

/* A snapshot 1000 entries before the end; the base segment follows. */
static int snapshot_near_end(const char *dir, uint64_t last)
{
	static uint8_t data[4096];
	struct wal_recovery rec;
	struct raft_storage st;
	struct disk *d;
	struct wal *w;
	uint64_t index = last - 1000;

	if (open_wal(dir, 64ull << 20, &d, &w, &rec) != 0)
		return -1;
	st = wal_storage_ops(w);
	if (st.snapshot_put(st.ctx, index, 1, data, sizeof(data)) != 0) {
		fprintf(stderr, "durable_bench: %s\n", wal_failure(w));
		close_wal(d, w);
		return -1;
	}
	st.compact_prefix(st.ctx, index, 1);
	if (wal_failed(w)) {
		fprintf(stderr, "durable_bench: %s\n", wal_failure(w));
		close_wal(d, w);
		return -1;
	}
	close_wal(d, w);
	printf("  snapshot at %" PRIu64 " (4 KiB), compacted there\n", index);
	return 0;
}

/* 3. Recovery of 1 GiB of WAL, then of the same log after a snapshot. */
static int bench_recovery(void)
{
	struct statvfs sv;
	char dir[4096 + 64];
	uint64_t last = 0, avail;
	int rv;

	printf("== recovery: 1 GiB of WAL (%d-byte entries, %d per sync, 64 "
	       "MiB segments)\n",
	       RECOVERY_PAYLOAD, RECOVERY_BATCH);
	if (statvfs(base, &sv) != 0)
		return -1;
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (avail < FREE_NEEDED) {
		printf("  skipped: %.1f GiB free under %s, 5 GiB needed\n",
		       (double)avail / (1 << 30), base);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/recovery", base);
	rv = write_log(dir, &last);
	if (rv == 0)
		rv = time_open(dir, "1 GiB, no snapshot");
	if (rv == 0)
		rv = snapshot_near_end(dir, last);
	if (rv == 0)
		rv = time_open(dir, "after the snapshot");
	remove_tree(dir);
	return rv;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	bool made = false;
	int rv;

	if (argc > 1) {
		snprintf(base, sizeof(base), "%s", argv[1]);
		if (mkdir(base, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "durable_bench: %s: %s\n", base,
				strerror(errno));
			return 3;
		}
	} else {
		snprintf(base, sizeof(base), "%s/durable_bench.XXXXXX",
			 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		if (mkdtemp(base) == NULL) {
			fprintf(stderr, "durable_bench: mkdtemp %s: %s\n", base,
				strerror(errno));
			return 3;
		}
		made = true;
	}
	printf("durable_bench: files under %s\n", base);
	rv = bench_fsync();
	if (rv == 0)
		rv = bench_wal();
	if (rv == 0)
		rv = bench_recovery();
	if (made)
		remove_tree(base);
	if (rv != 0) {
		fprintf(stderr, "durable_bench: the run could not be carried "
				"out\n");
		return 3;
	}
	return 0;
}

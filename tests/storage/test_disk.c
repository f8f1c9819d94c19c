/* test_disk.c - CRC-32C (src/storage/crc32c.c), the POSIX disk and the
 * simulated disk's crash semantics and faults (src/storage/disk*.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/crc32c.h"
#include "storage/disk.h"
#include "testhelp.h"

static void crc32c_matches_the_check_value(void)
{
	static const uint8_t zeros[32];
	static const uint8_t ones[32] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	CHECK_EQ(crc32c(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ(crc32c(0, "", 0), 0);
	/* RFC 3720 (iSCSI) B.4 test vectors */
	CHECK_EQ(crc32c(0, zeros, 32), 0x8A9136AAu);
	CHECK_EQ(crc32c(0, ones, 32), 0x62A8AB43u);
	/* each path on its own, whichever crc32c() chose */
	CHECK_EQ(crc32c_table(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ(crc32c_hw(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ(crc32c_table(0, ones, 32), 0x62A8AB43u);
	CHECK_EQ(crc32c_hw(0, zeros, 32), 0x8A9136AAu);
}

/* One length at one alignment: the two paths, and crc32c(), from a fresh
 * start and continued from a seed. */
static void crc32c_paths_agree_on(const uint8_t *p, size_t len)
{
	uint32_t ref = crc32c_table(0, p, len);

	CHECK_EQ(crc32c_hw(0, p, len), ref);
	CHECK_EQ(crc32c(0, p, len), ref);
	CHECK_EQ(crc32c_hw(0x12345678u, p, len),
		 crc32c_table(0x12345678u, p, len));
}

static void crc32c_paths_agree(void)
{
	/* long ones cross the hardware path's 3 x 256-byte blocks */
	static const size_t longer[] = {767,  768,  769,  1000, 1535, 1536,
					2303, 2304, 2311, 4096, 65543};
	uint8_t *buf = malloc(65543 + 8);
	uint64_t x = 88172645463325252ull;
	size_t i, len, align;

	REQUIRE(buf != NULL);
	for (i = 0; i < 65543 + 8; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	for (len = 0; len <= 300; len++)
		for (align = 0; align < 8; align++)
			crc32c_paths_agree_on(buf + align, len);
	for (i = 0; i < sizeof(longer) / sizeof(longer[0]); i++)
		for (align = 0; align < 8; align++)
			crc32c_paths_agree_on(buf + align, longer[i]);
	if (!crc32c_hw_available())
		fprintf(stderr, "    (no crc32 instruction here: the hardware "
				"path is the table's)\n");
	free(buf);
}

static void crc32c_is_incremental(void)
{
	uint8_t buf[1000];
	uint32_t whole;
	size_t i, cut;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	whole = crc32c(0, buf, sizeof(buf));
	for (cut = 0; cut <= sizeof(buf); cut += 37)
		CHECK_EQ(crc32c(crc32c(0, buf, cut), buf + cut,
				sizeof(buf) - cut),
			 whole);
	/* unaligned starts take the same path to the same answer */
	CHECK_EQ(crc32c(crc32c(0, "1", 1), "23456789", 8), 0xE3069283u);
	buf[500] ^= 1;
	CHECK(crc32c(0, buf, sizeof(buf)) != whole);
}

/* Writes, reads and lists on any disk: the behaviour both share. */
static void disk_basics(struct disk *d)
{
	const struct disk_ops *o = d->ops;
	char(*names)[DISK_NAME_MAX + 1] = NULL;
	char buf[64];
	int fd, fd2, count = 0;

	CHECK_EQ(o->open(d, "absent", 0, &fd), -ENOENT);
	REQUIRE(o->open(d, "b", DISK_CREATE, &fd) == 0);
	CHECK_EQ(o->pwrite(d, fd, "hello world", 11, 0), 0);
	CHECK_EQ(o->pwrite(d, fd, "HELLO", 5, 0), 0);
	CHECK_EQ(o->size(d, fd), 11);
	CHECK_EQ(o->pread(d, fd, buf, sizeof(buf), 0), 11);
	CHECK(memcmp(buf, "HELLO world", 11) == 0);
	CHECK_EQ(o->pread(d, fd, buf, 4, 6), 4);
	CHECK(memcmp(buf, "worl", 4) == 0);
	CHECK_EQ(o->pread(d, fd, buf, 4, 100), 0);
	CHECK_EQ(o->pwrite(d, fd, "x", 1, 20), 0); /* a hole reads zeros */
	CHECK_EQ(o->pread(d, fd, buf, sizeof(buf), 11), 10);
	CHECK(buf[0] == 0 && buf[8] == 0 && buf[9] == 'x');
	CHECK_EQ(o->sync(d, fd), 0);
	CHECK_EQ(o->truncate(d, fd, 5), 0);
	CHECK_EQ(o->size(d, fd), 5);
	o->close(d, fd);

	REQUIRE(o->open(d, "a", DISK_CREATE, &fd2) == 0);
	CHECK_EQ(o->pwrite(d, fd2, "A", 1, 0), 0);
	o->close(d, fd2);
	REQUIRE(o->open(d, "b", DISK_TRUNC, &fd) == 0);
	CHECK_EQ(o->size(d, fd), 0);
	o->close(d, fd);
	CHECK_EQ(o->rename(d, "a", "c"), 0);
	CHECK_EQ(o->rename(d, "c", "b"), 0); /* replaces b */
	CHECK_EQ(o->sync_dir(d), 0);
	REQUIRE(o->list(d, &names, &count) == 0);
	REQUIRE(count == 1);
	CHECK(strcmp(names[0], "b") == 0);
	free(names);
	REQUIRE(o->open(d, "b", 0, &fd) == 0);
	CHECK_EQ(o->pread(d, fd, buf, sizeof(buf), 0), 1);
	CHECK(buf[0] == 'A');
	o->close(d, fd);
	CHECK_EQ(o->open(d, "z", DISK_CREATE, &fd), 0);
	o->close(d, fd);
	CHECK_EQ(o->open(d, "m", DISK_CREATE, &fd), 0);
	o->close(d, fd);
	REQUIRE(o->list(d, &names, &count) == 0);
	REQUIRE(count == 3);
	CHECK(strcmp(names[0], "b") == 0 && strcmp(names[1], "m") == 0 &&
	      strcmp(names[2], "z") == 0);
	free(names);
	CHECK_EQ(o->remove(d, "b"), 0);
	CHECK_EQ(o->remove(d, "b"), -ENOENT);
	CHECK_EQ(o->open(d, "b", 0, &fd), -ENOENT);
	CHECK_EQ(o->open(d, "a/b", DISK_CREATE, &fd), -EINVAL);
}

static void posix_disk_reads_back_what_it_wrote(void)
{
	char tmpl[] = "/tmp/raftsim-disk-XXXXXX";
	char path[300], cmd[400];
	struct disk *d;
	int err = 0;

	REQUIRE(mkdtemp(tmpl) != NULL);
	snprintf(path, sizeof(path), "%s/x/node-1", tmpl); /* mkdir -p */
	d = disk_posix_open(path, &err);
	CHECK(d != NULL);
	if (d != NULL) {
		disk_basics(d);
		disk_posix_close(d);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	CHECK_EQ(system(cmd), 0);
}

static void posix_disk_open_fails_with_errno(void)
{
	int err = 0;

	CHECK(disk_posix_open("/proc/raftsim-no/such", &err) == NULL);
	CHECK(err < 0);
}

static void sim_disk_reads_back_what_it_wrote(void)
{
	struct disk *d = disk_sim_new("sim:node-0", 0, NULL, 1, NULL);

	REQUIRE(d != NULL);
	disk_basics(d);
	disk_sim_free(d);
}

/* A removed file's buffer is reused by the next file that grows: none of
 * its old bytes may show, in a hole or past a crash. */
static void sim_disk_reused_buffer_shows_no_old_bytes(void)
{
	struct disk *d = disk_sim_new("sim:node-0", 0, NULL, 1, NULL);
	static uint8_t junk[200000];
	uint8_t buf[64];
	int fd, i;

	REQUIRE(d != NULL);
	memset(junk, 0xAA, sizeof(junk));
	REQUIRE(d->ops->open(d, "old", DISK_CREATE, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, junk, sizeof(junk), 0), 0);
	d->ops->close(d, fd);
	CHECK_EQ(d->ops->remove(d, "old"), 0);
	REQUIRE(d->ops->open(d, "new", DISK_CREATE, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, "synced", 6, 0), 0);
	CHECK_EQ(d->ops->sync(d, fd), 0);
	CHECK_EQ(d->ops->sync_dir(d), 0);
	/* grows past its own buffer: a hole, then 4 bytes */
	CHECK_EQ(d->ops->pwrite(d, fd, "tail", 4, 100000), 0);
	CHECK_EQ(d->ops->size(d, fd), 100004);
	CHECK_EQ(d->ops->pread(d, fd, buf, 6, 0), 6);
	CHECK(memcmp(buf, "synced", 6) == 0);
	for (i = 0; i < 100000 - 6; i += 4096) {
		CHECK_EQ(d->ops->pread(d, fd, buf, 1, (uint64_t)(6 + i)), 1);
		CHECK_EQ(buf[0], 0);
	}
	CHECK_EQ(d->ops->pread(d, fd, buf, 4, 100000), 4);
	CHECK(memcmp(buf, "tail", 4) == 0);
	d->ops->close(d, fd);
	disk_sim_crash(d); /* back to the 6 synced bytes */
	REQUIRE(d->ops->open(d, "new", 0, &fd) == 0);
	CHECK_EQ(d->ops->size(d, fd), 6);
	CHECK_EQ(d->ops->pwrite(d, fd, "x", 1, 40), 0);
	CHECK_EQ(d->ops->pread(d, fd, buf, sizeof(buf), 0), 41);
	CHECK(memcmp(buf, "synced", 6) == 0);
	for (i = 6; i < 40; i++)
		CHECK_EQ(buf[i], 0);
	d->ops->close(d, fd);
	disk_sim_free(d);
}

/* ---- the simulated disk's crash semantics ---- */

static uint8_t pattern[8 * DISK_SECTOR];

static void fill(uint8_t seed)
{
	size_t i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(seed + i * 13 + i / 7);
}

/* A file "f" with `synced` bytes synced then `unsynced` more written. */
static struct disk *sim_with(const struct disk_sim_faults *f, uint64_t seed,
			     size_t synced, size_t unsynced)
{
	struct disk *d = disk_sim_new("sim:node-0", 0, f, seed, NULL);
	int fd;

	if (d == NULL)
		return NULL;
	fill(1);
	if (d->ops->open(d, "f", DISK_CREATE, &fd) != 0 ||
	    d->ops->pwrite(d, fd, pattern, synced, 0) != 0 ||
	    d->ops->sync(d, fd) != 0 || d->ops->sync_dir(d) != 0 ||
	    d->ops->pwrite(d, fd, pattern + synced, unsynced, synced) != 0) {
		disk_sim_free(d);
		return NULL;
	}
	return d;
}

static int64_t read_all(struct disk *d, uint8_t *buf, size_t len)
{
	int fd;
	int64_t n;

	if (d->ops->open(d, "f", 0, &fd) != 0)
		return -1;
	n = d->ops->pread(d, fd, buf, len, 0);
	d->ops->close(d, fd);
	return n;
}

static void sim_crash_loses_unsynced_writes(void)
{
	struct disk *d = sim_with(NULL, 1, 700, 2000);
	uint8_t buf[sizeof(pattern)];
	struct disk_sim_stats st;
	int fd;

	REQUIRE(d != NULL);
	/* an overwrite of synced bytes, unsynced, is undone too */
	REQUIRE(d->ops->open(d, "f", 0, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, "zzzz", 4, 10), 0);
	CHECK_EQ(d->ops->truncate(d, fd, 100), 0);
	disk_sim_crash(d);
	CHECK_EQ(read_all(d, buf, sizeof(buf)), 700);
	CHECK(memcmp(buf, pattern, 700) == 0);
	disk_sim_stats(d, &st);
	CHECK_EQ(st.lost_bytes, 2004);
	CHECK_EQ(st.torn, 0);
	disk_sim_free(d);
}

static void sim_torn_write_keeps_a_sector_prefix(void)
{
	struct disk_sim_faults f = {.torn = 1.0};
	uint8_t buf[sizeof(pattern)];
	int seed, lens[8] = {0};

	for (seed = 0; seed < 40; seed++) {
		struct disk *d = sim_with(&f, (uint64_t)seed, 700, 3000);
		int64_t n;

		REQUIRE(d != NULL);
		disk_sim_crash(d);
		n = read_all(d, buf, sizeof(buf));
		/* the write spans sectors 1..7 (bytes 700..3700) */
		CHECK(n == 3700 || (n % DISK_SECTOR == 0 && n >= 1024));
		CHECK(memcmp(buf, pattern, (size_t)n) == 0);
		if (n > 0 && n <= 3700)
			lens[(n - 1) / DISK_SECTOR]++;
		disk_sim_free(d);
	}
	CHECK(lens[1] > 0 && lens[4] > 0 && lens[7] > 0); /* random cuts */
}

static void sim_torn_loses_earlier_unsynced_writes(void)
{
	struct disk_sim_faults f = {.torn = 1.0};
	struct disk *d = sim_with(&f, 3, 512, 512); /* sector 1: lost */
	uint8_t buf[sizeof(pattern)];
	int fd;

	REQUIRE(d != NULL);
	REQUIRE(d->ops->open(d, "f", 0, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, pattern + 1024, 512, 1024), 0);
	disk_sim_crash(d);
	CHECK_EQ(read_all(d, buf, sizeof(buf)), 1536);
	CHECK(memcmp(buf, pattern, 512) == 0);
	CHECK(buf[512] == 0 && buf[1023] == 0); /* the hole */
	CHECK(memcmp(buf + 1024, pattern + 1024, 512) == 0);
	disk_sim_free(d);
}

static void sim_reorder_keeps_a_subset_of_sectors(void)
{
	struct disk_sim_faults f = {.reorder = true};
	uint8_t buf[sizeof(pattern)];
	int seed, holes = 0, kept = 0;

	for (seed = 0; seed < 20; seed++) {
		struct disk *d = sim_with(&f, (uint64_t)seed, 512, 7 * 512);
		int64_t n, s;

		REQUIRE(d != NULL);
		disk_sim_crash(d);
		n = read_all(d, buf, sizeof(buf));
		CHECK(n % DISK_SECTOR == 0);
		CHECK(memcmp(buf, pattern, 512) == 0);
		for (s = 1; s < n / DISK_SECTOR; s++) {
			const uint8_t *p = buf + s * DISK_SECTOR;

			if (memcmp(p, pattern + s * DISK_SECTOR, DISK_SECTOR) ==
			    0) {
				kept++;
			} else {
				static const uint8_t z[DISK_SECTOR];

				CHECK(memcmp(p, z, DISK_SECTOR) == 0);
				holes++;
			}
		}
		disk_sim_free(d);
	}
	CHECK(holes > 0 && kept > 0);
}

static void sim_namespace_reverts_to_the_last_sync_dir(void)
{
	struct disk *d = sim_with(NULL, 1, 100, 0);
	char(*names)[DISK_NAME_MAX + 1] = NULL;
	int fd, count = 0;

	REQUIRE(d != NULL);
	REQUIRE(d->ops->open(d, "new", DISK_CREATE, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, "n", 1, 0), 0);
	CHECK_EQ(d->ops->sync(d, fd), 0); /* bytes synced, name not */
	d->ops->close(d, fd);
	CHECK_EQ(d->ops->rename(d, "f", "g"), 0);
	disk_sim_crash(d);
	REQUIRE(d->ops->list(d, &names, &count) == 0);
	CHECK_EQ(count, 1);
	CHECK(count == 1 && strcmp(names[0], "f") == 0);
	free(names);
	/* once the directory is synced, the rename and removal hold */
	CHECK_EQ(d->ops->rename(d, "f", "g"), 0);
	CHECK_EQ(d->ops->sync_dir(d), 0);
	CHECK_EQ(d->ops->remove(d, "g"), 0);
	disk_sim_crash(d);
	REQUIRE(d->ops->list(d, &names, &count) == 0);
	CHECK(count == 1 && strcmp(names[0], "g") == 0);
	free(names);
	disk_sim_free(d);
}

static void sim_fsync_failure_returns_eio_and_loses_the_writes(void)
{
	struct disk_sim_faults f = {.fsync_fail = 1.0};
	uint8_t buf[sizeof(pattern)];
	struct disk_sim_stats st;
	struct disk *d = disk_sim_new("sim:node-0", 0, &f, 5, NULL);
	int fd;

	REQUIRE(d != NULL);
	fill(2);
	REQUIRE(d->ops->open(d, "f", DISK_CREATE, &fd) == 0);
	CHECK_EQ(d->ops->pwrite(d, fd, pattern, 1000, 0), 0);
	CHECK_EQ(d->ops->sync(d, fd), -EIO);
	CHECK_EQ(d->ops->size(d, fd), 0);
	CHECK_EQ(d->ops->pread(d, fd, buf, sizeof(buf), 0), 0);
	disk_sim_stats(d, &st);
	CHECK_EQ(st.fsync_failed, 1);
	disk_sim_free(d);
}

static void sim_bit_flip_is_transient(void)
{
	struct disk_sim_faults f = {.corrupt = 1.0};
	uint8_t buf[sizeof(pattern)];
	struct disk_sim_stats st;
	struct disk *d = sim_with(&f, 9, 4096, 0);
	int fd, i, diff = 0;

	REQUIRE(d != NULL);
	REQUIRE(d->ops->open(d, "f", 0, &fd) == 0);
	for (i = 0; i < 10; i++) {
		size_t k;
		int bits = 0;

		CHECK_EQ(d->ops->pread(d, fd, buf, 4096, 0), 4096);
		for (k = 0; k < 4096; k++)
			bits += __builtin_popcount(buf[k] ^ pattern[k]);
		CHECK_EQ(bits, 1);
		diff += bits;
	}
	disk_sim_stats(d, &st);
	CHECK_EQ(st.flips, 10); /* no atlas: never a latent error */
	CHECK_EQ(diff, 10);
	d->ops->close(d, fd);
	disk_sim_free(d);
}

static void sim_latent_error_persists_and_the_atlas_allows_one_node(void)
{
	struct disk_sim_faults f = {.corrupt = 1.0};
	struct disk_sim_atlas atlas = {.nodes = 3};
	struct disk *d[3];
	uint8_t buf[sizeof(pattern)];
	int i, fd, latent_nodes = 0;

	for (i = 0; i < 3; i++) {
		d[i] = disk_sim_new("sim:node-i", i, &f, 100 + (uint64_t)i,
				    &atlas);
		REQUIRE(d[i] != NULL);
		fill(3);
		REQUIRE(d[i]->ops->open(d[i], "f", DISK_CREATE, &fd) == 0);
		CHECK_EQ(d[i]->ops->pwrite(d[i], fd, pattern, 4096, 0), 0);
		CHECK_EQ(d[i]->ops->sync(d[i], fd), 0);
	}
	for (i = 0; i < 3; i++) {
		struct disk_sim_stats st;
		int k, eio = 0;

		for (k = 0; k < 40; k++)
			if (d[i]->ops->pread(d[i], fd, buf, 4096, 0) == -EIO)
				eio++;
		disk_sim_stats(d[i], &st);
		if (st.latent > 0) {
			latent_nodes++;
			CHECK(atlas.damaged[i]);
			/* from the first error on, every read fails */
			CHECK(eio >= 40 - 1 - (int)st.flips);
			CHECK(eio > 30);
		} else {
			CHECK_EQ(eio, 0);
		}
	}
	CHECK_EQ(latent_nodes, 1);
	CHECK_EQ(atlas.damaged_count, 1);
	for (i = 0; i < 3; i++)
		disk_sim_free(d[i]);
}

const struct test_case disk_tests[] = {
	{"crc32c: the check value of \"123456789\" is 0xE3069283, and iSCSI's "
	 "vectors match",
	 crc32c_matches_the_check_value},
	{"crc32c: a checksum continued over a second part equals the whole's",
	 crc32c_is_incremental},
	{"crc32c: the table path and the crc32 instruction agree on random "
	 "buffers of every length 0..300 at every alignment, and on long ones",
	 crc32c_paths_agree},
	{"disk_posix: what is written reads back; rename replaces; list is "
	 "sorted; mkdir -p",
	 posix_disk_reads_back_what_it_wrote},
	{"disk_posix: a directory that cannot be made is an error, not a crash",
	 posix_disk_open_fails_with_errno},
	{"disk_sim: what is written reads back, as on a real directory",
	 sim_disk_reads_back_what_it_wrote},
	{"disk_sim: a file that reuses a removed file's buffer shows none of "
	 "its bytes, in a hole or after a crash",
	 sim_disk_reused_buffer_shows_no_old_bytes},
	{"disk_sim: a crash keeps the synced bytes and loses every unsynced "
	 "write and truncation",
	 sim_crash_loses_unsynced_writes},
	{"disk_sim: torn: the last unsynced write survives as a prefix cut at "
	 "a sector boundary",
	 sim_torn_write_keeps_a_sector_prefix},
	{"disk_sim: torn: the writes before the torn one are lost (a hole of "
	 "zeros)",
	 sim_torn_loses_earlier_unsynced_writes},
	{"disk_sim: reorder: a crash keeps a random subset of the unsynced "
	 "sectors",
	 sim_reorder_keeps_a_subset_of_sectors},
	{"disk_sim: names created, renamed or removed revert at a crash until "
	 "sync_dir",
	 sim_namespace_reverts_to_the_last_sync_dir},
	{"disk_sim: a failed fsync returns -EIO and loses what it should have "
	 "synced",
	 sim_fsync_failure_returns_eio_and_loses_the_writes},
	{"disk_sim: a bit flip on read is transient: one bit, once per read",
	 sim_bit_flip_is_transient},
	{"disk_sim: a latent sector error reads -EIO from then on, on one node "
	 "of the atlas only",
	 sim_latent_error_persists_and_the_atlas_allows_one_node},
	{NULL, NULL},
};

/* disk.h - the files under one node's WAL (wal.h): a real directory
 * (disk_posix.c) or a simulated disk (disk_sim.c). The WAL code sees only
 * struct disk, so the same code runs on both (as TigerBeetle and
 * FoundationDB test their storage).
 *
 * A disk is one flat directory of named files (names up to DISK_NAME_MAX
 * bytes, no '/'). Files are opened by name and addressed by a small
 * integer handle that the disk hands out. Every function returns 0 (or a
 * count) on success and a negative errno value on failure: -ENOENT,
 * -EIO, -ENOSPC, -ENOMEM.
 *
 * Durability, as POSIX promises it and as disk_sim enforces it:
 *  - pwrite's bytes reach the medium only at sync (fdatasync) of that
 *    file; a crash before it may lose them, keep them, keep some sectors
 *    of them and not others (reordered), or tear a write at a sector
 *    boundary (DISK_SECTOR).
 *  - A name created, renamed or removed is durable only once sync_dir
 *    returns.
 *  - sync failing (-EIO) leaves what was written since the last good sync
 *    unknown: the caller must not carry on (PostgreSQL's "fsyncgate"); the
 *    WAL then fails the node.
 */
#ifndef DISK_H
#define DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISK_NAME_MAX 64
#define DISK_SECTOR 512

enum disk_open_flags {
	DISK_CREATE = 1 << 0, /* create it if it does not exist */
	DISK_TRUNC = 1 << 1,  /* empty it */
};

struct disk;

struct disk_ops {
	/* Opens `name`; *fd is its handle. -ENOENT if absent without
	 * DISK_CREATE. */
	int (*open)(struct disk *d, const char *name, int flags, int *fd);
	void (*close)(struct disk *d, int fd);
	/* The file's size in bytes (>= 0), or -errno. */
	int64_t (*size)(struct disk *d, int fd);
	/* Reads up to len bytes at off: the count read (short only at the
	 * end of the file), or -errno (-EIO: a sector could not be read). */
	int64_t (*pread)(struct disk *d, int fd, void *buf, size_t len,
			 uint64_t off);
	/* Writes all len bytes at off (extending the file): 0 or -errno. */
	int (*pwrite)(struct disk *d, int fd, const void *buf, size_t len,
		      uint64_t off);
	/* fdatasync: everything written to fd so far is on the medium. */
	int (*sync)(struct disk *d, int fd);
	int (*truncate)(struct disk *d, int fd, uint64_t len);
	/* rename(2) within the directory; replaces `to` atomically. */
	int (*rename)(struct disk *d, const char *from, const char *to);
	int (*remove)(struct disk *d, const char *name);
	/* fsync of the directory itself: names made durable. */
	int (*sync_dir)(struct disk *d);
	/* The file names present, sorted by strcmp: *names is one malloc'd
	 * array of *count strings of DISK_NAME_MAX + 1 bytes each (free it
	 * with free()). */
	int (*list)(struct disk *d, char (**names)[DISK_NAME_MAX + 1],
		    int *count);
};

/* Every implementation embeds this first. */
struct disk {
	const struct disk_ops *ops;
	/* Where it is, for messages: the directory's path, or "sim:node-I". */
	char where[256];
};

/* ---- disk_posix.c: a real directory ---- */

/* Opens (creating it and its parents if needed) the directory `path`.
 * Returns a disk, or NULL with *err set to a negative errno. */
struct disk *disk_posix_open(const char *path, int *err);
void disk_posix_close(struct disk *d);

/* ---- disk_sim.c: a simulated disk, seeded and replayable ---- */

/* Its faults (README "Durable storage"), drawn from the disk's own
 * generator: */
struct disk_sim_faults {
	double torn;       /* --disk-torn: at a crash, the last unsynced
			      write of a file is torn at a random sector
			      boundary (a prefix of it survives; the
			      unsynced writes before it are lost) */
	double corrupt;    /* --disk-corrupt: per pread call, a bit flip in
			      what it returns (once: a read again is
			      right), or, when the atlas allows, a latent
			      sector error (that sector reads -EIO from
			      then on) */
	double fsync_fail; /* --disk-fsync-fail: per sync, -EIO (what was
			      written since the last good sync is treated
			      as a crash would treat it) */
	bool torn_mixed;   /* half the torn crashes keep a random subset of
			      the unsynced sectors instead (--disk-torn:
			      torn or reordered) */
	bool reorder;      /* a crash keeps a random subset of the unsynced
			      sectors of each file, not only a prefix (each
			      with probability 1/2; torn is then unused) */
};

/* What the disks of one cluster share, so that latent sector errors hit
 * one replica at a time, never a majority (TigerBeetle's fault atlas):
 * damaged[i] says node i's disk has a latent error. Single-threaded (the
 * simulator). */
struct disk_sim_atlas {
	int nodes;
	int damaged_count;
	bool damaged[1024];
};

struct disk_sim_stats {
	uint64_t writes, syncs, reads;
	uint64_t torn, flips, latent, fsync_failed; /* faults injected */
	uint64_t lost_bytes; /* unsynced bytes a crash threw away */
};

/* A blank disk for node `node` named where ("sim:node-I"); atlas may be
 * NULL (no latent errors). NULL without memory. */
struct disk *disk_sim_new(const char *where, int node,
			  const struct disk_sim_faults *faults, uint64_t seed,
			  struct disk_sim_atlas *atlas);
void disk_sim_free(struct disk *d);

/* The machine under the disk stops: open handles are closed, and every
 * file keeps its synced bytes plus whatever the faults let survive of the
 * unsynced ones (crash loss is always on); names not made durable by
 * sync_dir revert. The disk object stays: the node's restart opens it
 * again. */
void disk_sim_crash(struct disk *d);

/* A sync on the simulated disk is durable at once: the simulator models
 * the disk's latency (--disk-ms) by starting the WAL's sync that much
 * later (the WAL's records wait in memory meanwhile, and a crash loses
 * them). */

void disk_sim_stats(const struct disk *d, struct disk_sim_stats *out);

/* Bytes of memory the disk holds (its files, durable and cached). */
size_t disk_sim_bytes(const struct disk *d);

#endif

/* disk_sim_internal.h - what the simulated disk's two files share
 * (disk_sim.c: the directory, the operations and the faults on them;
 * disk_sim_file.c: a file's image, its undo log and what a crash leaves
 * of it). */
#ifndef DISK_SIM_INTERNAL_H
#define DISK_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_rng.h"
#include "storage/disk.h"

#define SIM_FILES 16 /* open handles */

struct undo {
	uint64_t off;     /* a write: [off, off + len) written */
	uint64_t len;     /* 0 for a truncation */
	uint64_t old_len; /* the image's length before */
	size_t saved;     /* offset of the replaced bytes in undo_bytes */
	size_t saved_len; /* [off, off + saved_len) (a truncation: the
			     bytes from the new length to old_len) */
};

struct inode {
	uint8_t *img;
	size_t len, cap;
	struct undo *undo;
	size_t undo_count, undo_cap;
	uint8_t *undo_bytes;
	size_t undo_used, undo_bytes_cap;
	uint64_t *bad; /* latent sector errors: sector numbers */
	size_t bad_count, bad_cap;
	int opens;
	bool named, durable; /* marks for the collector */
};

struct name_entry {
	char name[DISK_NAME_MAX + 1];
	struct inode *ino;
};

struct names {
	struct name_entry *v;
	size_t n, cap;
};

struct disk_sim {
	struct disk base;
	int node;
	struct disk_sim_faults faults;
	struct raft_rng rng;
	struct disk_sim_atlas *atlas;
	struct inode **inodes; /* every live file, in creation order */
	size_t inode_count, inode_cap;
	struct names cur, dur;
	struct inode *handles[SIM_FILES];
	struct disk_sim_stats stats;
	/* The largest image buffer of a file freed (a segment a snapshot
	 * removed), handed to the next file that outgrows its own: the new
	 * segment then grows without a copy at each doubling. */
	uint8_t *spare;
	size_t spare_cap;
};

/* Grows *p (of *cap elements of elem bytes) to hold need: 0 or -ENOMEM. */
int disk_sim_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Logs a change of [off, off + len) of ino (len 0: a truncation to off),
 * saving the bytes it replaces: 0 or -ENOMEM. */
int disk_sim_undo_push(struct inode *ino, uint64_t off, uint64_t len);
/* Sets the image's length, zero-filling what it grows by. */
int disk_sim_set_len(struct inode *ino, uint64_t len);
/* Writes len bytes of buf at off, growing the image (a hole before off
 * reads zeros): 0, -ENOSPC or -ENOMEM (nothing written). */
int disk_sim_write_img(struct inode *ino, const void *buf, size_t len,
		       uint64_t off);
/* A sync: the image is the durable state now. */
void disk_sim_undo_clear(struct inode *ino);
/* The file's length as of its last sync. */
uint64_t disk_sim_durable_len(const struct inode *ino);
/* What a crash leaves of the file (disk_sim_file.c's top comment). */
void disk_sim_crash_file(struct disk_sim *ds, struct inode *ino);

#endif

/* disk_sim_file.c - one file of the simulated disk: its image (what
 * reads see), the undo log of the changes since its last sync, and what a
 * crash leaves of it.
 *
 * A crash rolls the image back through the undo log to the last synced
 * state, then puts back the unsynced sectors the faults let survive, with
 * the content the image had for them at the crash:
 *  - no fault (crash loss, always on): none survive;
 *  - `reorder`: each unsynced written sector survives with probability
 *    1/2, independently (a write-back cache that wrote some of them);
 *  - else, with probability `torn`: the last unsynced write survives as
 *    a prefix of its sectors (1 to all of them, uniformly), cut at a
 *    sector boundary, and the earlier unsynced writes are lost (the drive
 *    wrote the newest first, the harsher case for a reader); with
 *    `torn_mixed` (--disk-torn), half of those crashes instead keep the
 *    unsynced sectors as `reorder` does.
 * An unsynced truncation never survives a crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/disk_sim_internal.h"

int disk_sim_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	q = realloc(*p, ncap * elem);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

/* ---- the undo log ---- */

void disk_sim_undo_clear(struct inode *ino)
{
	ino->undo_count = 0;
	ino->undo_used = 0;
}

/* Logs a change of [off, off + len) (len 0: a truncation to off), saving
 * the bytes it replaces. */
int disk_sim_undo_push(struct inode *ino, uint64_t off, uint64_t len)
{
	uint64_t end = len > 0 ? off + len : ino->len;
	size_t saved_len = 0;
	struct undo *u;

	if (off < ino->len)
		saved_len = (size_t)((end < ino->len ? end : ino->len) - off);
	if (disk_sim_grow((void **)&ino->undo, &ino->undo_cap,
			  ino->undo_count + 1, sizeof(*ino->undo)) != 0 ||
	    disk_sim_grow((void **)&ino->undo_bytes, &ino->undo_bytes_cap,
			  ino->undo_used + saved_len + 1, 1) != 0)
		return -ENOMEM;
	u = &ino->undo[ino->undo_count++];
	u->off = off;
	u->len = len;
	u->old_len = ino->len;
	u->saved = ino->undo_used;
	u->saved_len = saved_len;
	if (saved_len > 0)
		memcpy(ino->undo_bytes + ino->undo_used, ino->img + off,
		       saved_len);
	ino->undo_used += saved_len;
	return 0;
}

/* Sets the image's length, zero-filling what it grows by. */
int disk_sim_set_len(struct inode *ino, uint64_t len)
{
	if (len > SIZE_MAX / 2)
		return -ENOSPC;
	if (disk_sim_grow((void **)&ino->img, &ino->cap, (size_t)len + 1, 1) !=
	    0)
		return -ENOMEM;
	if (len > ino->len)
		memset(ino->img + ino->len, 0, (size_t)len - ino->len);
	ino->len = (size_t)len;
	return 0;
}

/* Puts buf at off, growing the image: only a hole before off is zeroed
 * (appending is the common write, and its bytes are copied once). */
int disk_sim_write_img(struct inode *ino, const void *buf, size_t len,
		       uint64_t off)
{
	uint64_t end = off + len;

	if (end > SIZE_MAX / 2)
		return -ENOSPC;
	if (end > ino->len) {
		if (disk_sim_grow((void **)&ino->img, &ino->cap,
				  (size_t)end + 1, 1) != 0)
			return -ENOMEM;
		if (off > ino->len)
			memset(ino->img + ino->len, 0, (size_t)off - ino->len);
		ino->len = (size_t)end;
	}
	memcpy(ino->img + off, buf, len);
	return 0;
}

/* The image as of the last sync: every logged change undone, newest
 * first. */
static void undo_all(struct inode *ino)
{
	size_t i = ino->undo_count;

	while (i-- > 0) {
		struct undo *u = &ino->undo[i];

		if (u->old_len > ino->len)
			(void)disk_sim_set_len(ino,
					       u->old_len); /* it had room */
		memcpy(ino->img + u->off, ino->undo_bytes + u->saved,
		       u->saved_len);
		ino->len = (size_t)u->old_len;
	}
	disk_sim_undo_clear(ino);
}

uint64_t disk_sim_durable_len(const struct inode *ino)
{
	return ino->undo_count > 0 ? ino->undo[0].old_len : ino->len;
}
/* ---- crash ---- */

/* A sector that survives a crash: its content at the crash. */
struct survivor {
	uint64_t sector;
	size_t len; /* bytes of it inside the image (the last may be short) */
	uint8_t data[DISK_SECTOR];
};

static int keep_sector(struct inode *ino, uint64_t s, struct survivor **v,
		       size_t *n, size_t *cap)
{
	uint64_t off = s * DISK_SECTOR;
	struct survivor *sv;

	if (off >= ino->len)
		return 0;
	if (disk_sim_grow((void **)v, cap, *n + 1, sizeof(**v)) != 0)
		return -ENOMEM;
	sv = &(*v)[(*n)++];
	sv->sector = s;
	sv->len = ino->len - off < DISK_SECTOR ? ino->len - off : DISK_SECTOR;
	memcpy(sv->data, ino->img + off, sv->len);
	return 0;
}

static uint64_t first_sector(const struct undo *u)
{
	return u->off / DISK_SECTOR;
}

static uint64_t end_sector(const struct undo *u)
{
	return (u->off + u->len + DISK_SECTOR - 1) / DISK_SECTOR;
}

/* Each unsynced written sector survives with probability 1/2. */
static int pick_reordered(struct disk_sim *ds, struct inode *ino,
			  struct survivor **v, size_t *n, size_t *cap)
{
	size_t i;
	uint64_t s;

	for (i = 0; i < ino->undo_count; i++) {
		struct undo *u = &ino->undo[i];

		for (s = first_sector(u); s < end_sector(u); s++)
			if (raft_rng_chance(&ds->rng, 0.5) &&
			    keep_sector(ino, s, v, n, cap) != 0)
				return -ENOMEM;
	}
	return 0;
}

/* Which unsynced sectors survive (the top comment's rules). */
static int pick_survivors(struct disk_sim *ds, struct inode *ino,
			  struct survivor **v, size_t *n)
{
	size_t cap = 0, i;
	uint64_t s;

	*n = 0;
	if (ds->faults.reorder)
		return pick_reordered(ds, ino, v, n, &cap);
	for (i = ino->undo_count; i-- > 0;) {
		struct undo *u = &ino->undo[i];
		uint64_t keep;

		if (u->len == 0)
			continue; /* the last write, not a truncation */
		if (!raft_rng_chance(&ds->rng, ds->faults.torn))
			return 0;
		ds->stats.torn++;
		if (ds->faults.torn_mixed && raft_rng_chance(&ds->rng, 0.5))
			return pick_reordered(ds, ino, v, n, &cap);
		keep = raft_rng_range(&ds->rng, 1,
				      end_sector(u) - first_sector(u));
		for (s = first_sector(u); s < first_sector(u) + keep; s++)
			if (keep_sector(ino, s, v, n, &cap) != 0)
				return -ENOMEM;
		return 0;
	}
	return 0;
}

static uint64_t unsynced_bytes(const struct inode *ino)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < ino->undo_count; i++)
		sum += ino->undo[i].len;
	return sum;
}

/* What a crash leaves of one file: the synced image plus survivors. A
 * later survivor of the same sector (reorder) overwrites an earlier. */
void disk_sim_crash_file(struct disk_sim *ds, struct inode *ino)
{
	struct survivor *v = NULL;
	uint64_t lost = unsynced_bytes(ino), kept = 0;
	size_t n = 0, i;

	if (ino->undo_count == 0)
		return;
	if (pick_survivors(ds, ino, &v, &n) != 0)
		n = 0; /* no memory for them: all lost, still a crash */
	undo_all(ino);
	for (i = 0; i < n; i++) {
		uint64_t off = v[i].sector * DISK_SECTOR;

		if (off + v[i].len > ino->len &&
		    disk_sim_set_len(ino, off + v[i].len) != 0)
			continue;
		memcpy(ino->img + off, v[i].data, v[i].len);
		kept += v[i].len;
	}
	free(v);
	ds->stats.lost_bytes += kept < lost ? lost - kept : 0;
}
/* disk_sim.c - the simulated disk (disk.h): files in memory with POSIX's
 * weakest durability, and faults drawn from the disk's own seeded
 * generator, so a run replays exactly.
 *
 * A file (struct inode) holds one image, what reads see now, and an undo
 * log of the changes since its last sync (disk_sim_file.c says what a
 * crash keeps of them).
 *
 * The directory: two namespaces, the current one (what open, list, rename
 * and remove see) and the durable one (as of the last sync_dir). A crash
 * makes the durable one current; files no namespace or handle names are
 * freed.
 */
#include "storage/disk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/disk_sim_internal.h"

static struct disk_sim *ds_of(struct disk *d)
{
	return (struct disk_sim *)d;
}

/* ---- namespaces ---- */

static struct name_entry *names_find(struct names *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i].name, name) == 0)
			return &ns->v[i];
	return NULL;
}

static void names_drop(struct names *ns, struct name_entry *e)
{
	*e = ns->v[--ns->n];
}

static int names_copy(struct names *to, const struct names *from)
{
	if (disk_sim_grow((void **)&to->v, &to->cap, from->n, sizeof(*to->v)) !=
	    0)
		return -ENOMEM;
	if (from->n > 0)
		memcpy(to->v, from->v, from->n * sizeof(*to->v));
	to->n = from->n;
	return 0;
}

static void inode_free(struct inode *ino)
{
	free(ino->img);
	free(ino->undo);
	free(ino->undo_bytes);
	free(ino->bad);
	free(ino);
}

#define SPARE_MIN (64 * 1024)

/* Frees a file, keeping its image buffer as the spare if it is the
 * largest. */
static void retire(struct disk_sim *ds, struct inode *ino)
{
	if (ino->cap > ds->spare_cap) {
		free(ds->spare);
		ds->spare = ino->img;
		ds->spare_cap = ino->cap;
		ino->img = NULL;
	}
	inode_free(ino);
}

/* A file about to outgrow its image takes the spare if that holds need
 * bytes: one copy of what it has, instead of one per doubling. Small
 * files (meta, snapshot) leave it to the next segment. */
static void take_spare(struct disk_sim *ds, struct inode *ino, size_t need)
{
	uint8_t *old = ino->img;
	size_t old_cap = ino->cap;

	if (need <= ino->cap || need > ds->spare_cap || need < SPARE_MIN)
		return;
	if (ino->len > 0)
		memcpy(ds->spare, old, ino->len);
	ino->img = ds->spare;
	ino->cap = ds->spare_cap;
	ds->spare = old;
	ds->spare_cap = old_cap;
}

/* Frees the files that no name and no handle reaches any more. */
static void collect(struct disk_sim *ds)
{
	size_t i, j;

	for (i = 0; i < ds->inode_count; i++)
		ds->inodes[i]->named = false;
	for (i = 0; i < ds->cur.n; i++)
		ds->cur.v[i].ino->named = true;
	for (i = 0; i < ds->dur.n; i++)
		ds->dur.v[i].ino->named = true;
	for (i = j = 0; i < ds->inode_count; i++) {
		struct inode *ino = ds->inodes[i];

		if (ino->named || ino->opens > 0)
			ds->inodes[j++] = ino;
		else
			retire(ds, ino);
	}
	ds->inode_count = j;
}

void disk_sim_crash(struct disk *d)
{
	struct disk_sim *ds = ds_of(d);
	size_t i;

	for (i = 0; i < SIM_FILES; i++) {
		if (ds->handles[i] != NULL)
			ds->handles[i]->opens--;
		ds->handles[i] = NULL;
	}
	for (i = 0; i < ds->inode_count; i++)
		disk_sim_crash_file(ds, ds->inodes[i]);
	/* The durable namespace fits where the current one was copied
	 * from: only a failed allocation of a larger array could stop it,
	 * and then the durable one itself stays. */
	if (names_copy(&ds->cur, &ds->dur) != 0)
		ds->cur.n = 0;
	collect(ds);
}

/* ---- struct disk_ops ---- */

static int name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= DISK_NAME_MAX && strchr(name, '/') == NULL;
}

static struct inode *ino_of(struct disk *d, int h)
{
	if (h < 0 || h >= SIM_FILES)
		return NULL;
	return ds_of(d)->handles[h];
}

static int new_inode(struct disk_sim *ds, struct inode **out)
{
	struct inode *ino;

	if (disk_sim_grow((void **)&ds->inodes, &ds->inode_cap,
			  ds->inode_count + 1, sizeof(*ds->inodes)) != 0 ||
	    disk_sim_grow((void **)&ds->cur.v, &ds->cur.cap, ds->cur.n + 1,
			  sizeof(*ds->cur.v)) != 0)
		return -ENOMEM;
	ino = calloc(1, sizeof(*ino));
	if (ino == NULL)
		return -ENOMEM;
	ds->inodes[ds->inode_count++] = ino;
	*out = ino;
	return 0;
}

static int ds_open(struct disk *d, const char *name, int flags, int *h)
{
	struct disk_sim *ds = ds_of(d);
	struct name_entry *e;
	struct inode *ino;
	int i, rv;

	if (!name_ok(name))
		return -EINVAL;
	for (i = 0; i < SIM_FILES && ds->handles[i] != NULL; i++)
		;
	if (i == SIM_FILES)
		return -EMFILE;
	e = names_find(&ds->cur, name);
	if (e == NULL && !(flags & DISK_CREATE))
		return -ENOENT;
	if (e == NULL) {
		rv = new_inode(ds, &ino);
		if (rv != 0)
			return rv;
		e = &ds->cur.v[ds->cur.n++];
		snprintf(e->name, sizeof(e->name), "%s", name);
		e->ino = ino;
	}
	ino = e->ino;
	if ((flags & DISK_TRUNC) && ino->len > 0) {
		rv = disk_sim_undo_push(ino, 0, 0);
		if (rv != 0)
			return rv;
		ino->len = 0;
	}
	ino->opens++;
	ds->handles[i] = ino;
	*h = i;
	return 0;
}

static void ds_close(struct disk *d, int h)
{
	struct inode *ino = ino_of(d, h);

	if (ino == NULL)
		return;
	ino->opens--;
	ds_of(d)->handles[h] = NULL;
	collect(ds_of(d));
}

static int64_t ds_size(struct disk *d, int h)
{
	struct inode *ino = ino_of(d, h);

	return ino == NULL ? -EBADF : (int64_t)ino->len;
}

static bool sector_bad(const struct inode *ino, uint64_t first, uint64_t end)
{
	size_t i;

	for (i = 0; i < ino->bad_count; i++)
		if (ino->bad[i] >= first && ino->bad[i] < end)
			return true;
	return false;
}

/* --disk-corrupt: a latent sector error in a durable sector the read
 * covers, if the atlas lets this node be the damaged one; else a bit
 * flip in what the read returns. */
static void corrupt_read(struct disk_sim *ds, struct inode *ino, uint8_t *buf,
			 size_t n, uint64_t off)
{
	struct disk_sim_atlas *a = ds->atlas;
	uint64_t dlen = disk_sim_durable_len(ino);
	uint64_t first = off / DISK_SECTOR;
	uint64_t end = (off + n) / DISK_SECTOR; /* whole sectors only */
	uint64_t dend = dlen / DISK_SECTOR;
	bool latent_ok = a != NULL && ds->node >= 0 && ds->node < 1024 &&
			 (a->damaged[ds->node] || a->damaged_count == 0);

	if (end > dend)
		end = dend;
	if (latent_ok && first < end && raft_rng_chance(&ds->rng, 0.5) &&
	    disk_sim_grow((void **)&ino->bad, &ino->bad_cap, ino->bad_count + 1,
			  sizeof(*ino->bad)) == 0) {
		ino->bad[ino->bad_count++] = raft_rng_range(&ds->rng, first,
							    end - 1);
		if (!a->damaged[ds->node]) {
			a->damaged[ds->node] = true;
			a->damaged_count++;
		}
		ds->stats.latent++;
		return;
	}
	if (n > 0) {
		uint64_t bit = raft_rng_range(&ds->rng, 0, (uint64_t)n * 8 - 1);

		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ds->stats.flips++;
	}
}

static int64_t ds_pread(struct disk *d, int h, void *buf, size_t len,
			uint64_t off)
{
	struct disk_sim *ds = ds_of(d);
	struct inode *ino = ino_of(d, h);
	size_t n = 0;

	if (ino == NULL)
		return -EBADF;
	ds->stats.reads++;
	if (off < ino->len)
		n = ino->len - off < len ? (size_t)(ino->len - off) : len;
	if (n > 0 && sector_bad(ino, off / DISK_SECTOR,
				(off + n + DISK_SECTOR - 1) / DISK_SECTOR))
		return -EIO;
	if (n > 0)
		memcpy(buf, ino->img + off, n);
	if (ds->faults.corrupt > 0 &&
	    raft_rng_chance(&ds->rng, ds->faults.corrupt)) {
		corrupt_read(ds, ino, buf, n, off);
		if (sector_bad(ino, off / DISK_SECTOR,
			       (off + n + DISK_SECTOR - 1) / DISK_SECTOR))
			return -EIO;
	}
	return (int64_t)n;
}

/* A write remaps the sectors it covers: their latent errors go. */
static void clear_bad(struct inode *ino, uint64_t first, uint64_t end)
{
	size_t i = 0;

	while (i < ino->bad_count) {
		if (ino->bad[i] >= first && ino->bad[i] < end)
			ino->bad[i] = ino->bad[--ino->bad_count];
		else
			i++;
	}
}

static int ds_pwrite(struct disk *d, int h, const void *buf, size_t len,
		     uint64_t off)
{
	struct disk_sim *ds = ds_of(d);
	struct inode *ino = ino_of(d, h);
	int rv;

	if (ino == NULL)
		return -EBADF;
	if (len == 0)
		return 0;
	if (off > SIZE_MAX / 2 || len > SIZE_MAX / 2 - off)
		return -ENOSPC;
	rv = disk_sim_undo_push(ino, off, len);
	if (rv != 0)
		return rv;
	take_spare(ds, ino, (size_t)(off + len) + 1);
	rv = disk_sim_write_img(ino, buf, len, off);
	if (rv != 0) {
		ino->undo_used -= ino->undo[--ino->undo_count].saved_len;
		return rv; /* nothing was written */
	}
	clear_bad(ino, off / DISK_SECTOR,
		  (off + len + DISK_SECTOR - 1) / DISK_SECTOR);
	ds->stats.writes++;
	return 0;
}

static int ds_sync(struct disk *d, int h)
{
	struct disk_sim *ds = ds_of(d);
	struct inode *ino = ino_of(d, h);

	if (ino == NULL)
		return -EBADF;
	ds->stats.syncs++;
	if (ds->faults.fsync_fail > 0 &&
	    raft_rng_chance(&ds->rng, ds->faults.fsync_fail)) {
		ds->stats.fsync_failed++;
		disk_sim_crash_file(ds, ino);
		disk_sim_undo_clear(
			ino); /* what is left is what the medium holds */
		return -EIO;
	}
	disk_sim_undo_clear(ino);
	return 0;
}

static int ds_truncate(struct disk *d, int h, uint64_t len)
{
	struct inode *ino = ino_of(d, h);
	int rv;

	if (ino == NULL)
		return -EBADF;
	if (len == ino->len)
		return 0;
	if (len < ino->len) {
		rv = disk_sim_undo_push(ino, len, 0);
		if (rv == 0)
			ino->len = (size_t)len;
		return rv;
	}
	rv = disk_sim_undo_push(ino, ino->len, 0);
	if (rv == 0 && (rv = disk_sim_set_len(ino, len)) != 0)
		ino->undo_count--;
	return rv;
}

static int ds_rename(struct disk *d, const char *from, const char *to)
{
	struct disk_sim *ds = ds_of(d);
	struct name_entry *src, *dst;

	if (!name_ok(from) || !name_ok(to))
		return -EINVAL;
	src = names_find(&ds->cur, from);
	if (src == NULL)
		return -ENOENT;
	if (strcmp(from, to) == 0)
		return 0;
	dst = names_find(&ds->cur, to);
	if (dst != NULL) {
		dst->ino = src->ino;
		names_drop(&ds->cur, src);
	} else {
		snprintf(src->name, sizeof(src->name), "%s", to);
	}
	collect(ds);
	return 0;
}

static int ds_remove(struct disk *d, const char *name)
{
	struct disk_sim *ds = ds_of(d);
	struct name_entry *e;

	if (!name_ok(name))
		return -EINVAL;
	e = names_find(&ds->cur, name);
	if (e == NULL)
		return -ENOENT;
	names_drop(&ds->cur, e);
	collect(ds);
	return 0;
}

static int ds_sync_dir(struct disk *d)
{
	struct disk_sim *ds = ds_of(d);
	int rv = names_copy(&ds->dur, &ds->cur);

	ds->stats.syncs++;
	if (rv == 0)
		collect(ds);
	return rv;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int ds_list(struct disk *d, char (**names)[DISK_NAME_MAX + 1],
		   int *count)
{
	struct disk_sim *ds = ds_of(d);
	char(*out)[DISK_NAME_MAX + 1];
	size_t i;

	out = malloc((ds->cur.n + 1) * sizeof(*out));
	if (out == NULL)
		return -ENOMEM;
	for (i = 0; i < ds->cur.n; i++)
		memcpy(out[i], ds->cur.v[i].name, sizeof(out[i]));
	qsort(out, ds->cur.n, sizeof(*out), name_cmp);
	*names = out;
	*count = (int)ds->cur.n;
	return 0;
}

static const struct disk_ops sim_ops = {
	.open = ds_open,
	.close = ds_close,
	.size = ds_size,
	.pread = ds_pread,
	.pwrite = ds_pwrite,
	.sync = ds_sync,
	.truncate = ds_truncate,
	.rename = ds_rename,
	.remove = ds_remove,
	.sync_dir = ds_sync_dir,
	.list = ds_list,
};

struct disk *disk_sim_new(const char *where, int node,
			  const struct disk_sim_faults *faults, uint64_t seed,
			  struct disk_sim_atlas *atlas)
{
	struct disk_sim *ds = calloc(1, sizeof(*ds));

	if (ds == NULL)
		return NULL;
	ds->base.ops = &sim_ops;
	snprintf(ds->base.where, sizeof(ds->base.where), "%s", where);
	ds->node = node;
	if (faults != NULL)
		ds->faults = *faults;
	raft_rng_seed(&ds->rng, seed);
	ds->atlas = atlas;
	return &ds->base;
}

void disk_sim_free(struct disk *d)
{
	struct disk_sim *ds = ds_of(d);
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < ds->inode_count; i++)
		inode_free(ds->inodes[i]);
	free(ds->inodes);
	free(ds->cur.v);
	free(ds->dur.v);
	free(ds->spare);
	free(ds);
}

void disk_sim_stats(const struct disk *d, struct disk_sim_stats *out)
{
	*out = ((const struct disk_sim *)d)->stats;
}

size_t disk_sim_bytes(const struct disk *d)
{
	const struct disk_sim *ds = (const struct disk_sim *)d;
	size_t sum = sizeof(*ds) + ds->spare_cap +
		     ds->inode_cap * sizeof(*ds->inodes) +
		     (ds->cur.cap + ds->dur.cap) * sizeof(struct name_entry);
	size_t i;

	for (i = 0; i < ds->inode_count; i++) {
		const struct inode *ino = ds->inodes[i];

		sum += sizeof(*ino) + ino->cap + ino->undo_bytes_cap +
		       ino->undo_cap * sizeof(*ino->undo) +
		       ino->bad_count * sizeof(*ino->bad);
	}
	return sum;
}

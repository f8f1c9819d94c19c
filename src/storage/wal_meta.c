/* wal_meta.c - term and vote (Figure 2 "Persistent state") in the "meta"
 * file: two slots of one sector each, {u32 crc32c of bytes 4..32, u32
 * version 1, u64 seq, u64 term, i64 voted_for}, zeros after. Save number
 * seq goes to slot seq % 2, so a torn save leaves the previous one whole
 * in the other slot; recovery (wal_recover.c) takes the valid slot of the
 * higher seq. */
#include <string.h>

#include "storage/crc32c.h"
#include "storage/wal_internal.h"

#define META_VERSION 1

void wal_meta_encode(uint8_t *slot, uint64_t seq, uint64_t term, int vote)
{
	memset(slot, 0, WAL_META_SLOT);
	wal_put32(slot + 4, META_VERSION);
	wal_put64(slot + 8, seq);
	wal_put64(slot + 16, term);
	wal_put64(slot + 24, (uint64_t)(int64_t)vote);
	wal_put32(slot, crc32c(0, slot + 4, WAL_META_USED - 4));
}

bool wal_meta_decode(const uint8_t *slot, uint64_t *seq, uint64_t *term,
		     int *vote)
{
	int64_t v;

	if (crc32c(0, slot + 4, WAL_META_USED - 4) != wal_get32(slot) ||
	    wal_get32(slot + 4) != META_VERSION)
		return false;
	v = (int64_t)wal_get64(slot + 24);
	if (v < -1 || v > 1 << 20)
		return false;
	*seq = wal_get64(slot + 8);
	*term = wal_get64(slot + 16);
	*vote = (int)v;
	return true;
}

/* The buffered save, written into the slot seq + 1 selects (not synced). */
int wal_meta_write_slot(struct wal *w)
{
	uint8_t slot[WAL_META_SLOT];
	uint64_t seq = w->meta_seq + 1;
	int rv;

	wal_meta_encode(slot, seq, w->meta_term, w->meta_vote);
	rv = w->d->ops->pwrite(w->d, w->meta_fd, slot, sizeof(slot),
			       (seq % 2) * WAL_META_SLOT);
	if (rv == 0)
		rv = wal_mark_sync(w, w->meta_fd, 0);
	if (rv != 0) {
		wal_fail(w, "write", WAL_META_NAME, rv);
		return rv;
	}
	w->stats.bytes_written += sizeof(slot);
	w->meta_seq = seq;
	w->meta_dirty = false;
	return 0;
}

/* A fresh node's meta: written whole as "meta.tmp" (slot 0: seq 0, term
 * 0, no vote; slot 1 empty), synced and renamed, so that a "meta" file
 * always holds a valid slot. Leaves w->meta_fd open on it. */
int wal_meta_create(struct wal *w)
{
	uint8_t slots[2 * WAL_META_SLOT];
	struct disk *d = w->d;
	int rv;

	memset(slots, 0, sizeof(slots));
	wal_meta_encode(slots, 0, 0, -1);
	rv = d->ops->open(d, "meta.tmp", DISK_CREATE | DISK_TRUNC, &w->meta_fd);
	if (rv != 0)
		goto err;
	rv = d->ops->pwrite(d, w->meta_fd, slots, sizeof(slots), 0);
	if (rv == 0)
		rv = d->ops->sync(d, w->meta_fd);
	if (rv == 0)
		rv = d->ops->rename(d, "meta.tmp", WAL_META_NAME);
	if (rv == 0)
		rv = d->ops->sync_dir(d);
	w->stats.fsyncs += 2;
	if (rv != 0) {
		d->ops->close(d, w->meta_fd);
		w->meta_fd = -1;
		goto err;
	}
	w->meta_seq = 0;
	w->meta_term = 0;
	w->meta_vote = -1;
	return 0;
err:
	wal_fail(w, "create", WAL_META_NAME, rv);
	return rv;
}

/* wal_snapshot.c - the snapshot file and the base segment that follows a
 * new snapshot, both written whole, synced and renamed into place before
 * the call returns.
 *
 * "snapshot": {"RSNP", u32 version 1, u64 index, u64 term, u64 len, u32
 * crc32c of the data, u32 crc32c of the 36 header bytes before it}, then
 * the data. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/crc32c.h"
#include "storage/wal_internal.h"

#define SNAP_VERSION 1

static int write_whole(struct wal *w, const char *tmp, const char *name,
		       const uint8_t *a, size_t a_len, const uint8_t *b,
		       size_t b_len, int *keep_fd)
{
	struct disk *d = w->d;
	int fd, rv;

	rv = d->ops->open(d, tmp, DISK_CREATE | DISK_TRUNC, &fd);
	if (rv != 0)
		return rv;
	rv = d->ops->pwrite(d, fd, a, a_len, 0);
	if (rv == 0 && b_len > 0)
		rv = d->ops->pwrite(d, fd, b, b_len, a_len);
	if (rv == 0)
		rv = d->ops->sync(d, fd);
	if (rv == 0)
		rv = d->ops->rename(d, tmp, name);
	if (rv == 0)
		rv = d->ops->sync_dir(d);
	w->stats.fsyncs += 2;
	w->stats.bytes_written += a_len + b_len;
	if (rv != 0 || keep_fd == NULL)
		d->ops->close(d, fd);
	else
		*keep_fd = fd;
	return rv;
}

int wal_snapshot_write(struct wal *w, uint64_t index, uint64_t term,
		       const uint8_t *data, size_t len)
{
	uint8_t h[WAL_SNAP_HEADER];
	int rv;

	if (w->failed)
		return WAL_EIO;
	memcpy(h, "RSNP", 4);
	wal_put32(h + 4, SNAP_VERSION);
	wal_put64(h + 8, index);
	wal_put64(h + 16, term);
	wal_put64(h + 24, len);
	wal_put32(h + 32, crc32c(0, data, len));
	wal_put32(h + 36, crc32c(0, h, 36));
	rv = write_whole(w, WAL_SNAP_TMP, WAL_SNAP_NAME, h, sizeof(h), data,
			 len, NULL);
	if (rv != 0) {
		wal_fail(w, "write", WAL_SNAP_NAME, rv);
		return WAL_EIO;
	}
	w->base_due = true;
	return 0;
}

/* 0 when p holds a whole, valid snapshot file; -1 otherwise. */
int wal_snapshot_parse(const uint8_t *p, size_t len, uint64_t *index,
		       uint64_t *term, const uint8_t **data, size_t *data_len)
{
	if (len < WAL_SNAP_HEADER || memcmp(p, "RSNP", 4) != 0 ||
	    wal_get32(p + 4) != SNAP_VERSION ||
	    crc32c(0, p, 36) != wal_get32(p + 36) ||
	    wal_get64(p + 24) != len - WAL_SNAP_HEADER ||
	    crc32c(0, p + WAL_SNAP_HEADER, len - WAL_SNAP_HEADER) !=
		    wal_get32(p + 32))
		return -1;
	*index = wal_get64(p + 8);
	*term = wal_get64(p + 16);
	*data = p + WAL_SNAP_HEADER;
	*data_len = len - WAL_SNAP_HEADER;
	return 0;
}

/* Removes every segment older than seq (and leftovers), then syncs the
 * directory. */
static int remove_older(struct wal *w, uint64_t seq)
{
	char(*names)[DISK_NAME_MAX + 1] = NULL;
	int count = 0, i, rv, removed = 0;

	rv = w->d->ops->list(w->d, &names, &count);
	for (i = 0; i < count && rv == 0; i++) {
		uint64_t s;
		char tail[8];

		if (sscanf(names[i], "wal-%16" SCNx64 ".%7s", &s, tail) != 2 ||
		    s >= seq)
			continue;
		rv = w->d->ops->remove(w->d, names[i]);
		removed++;
	}
	free(names);
	if (rv == 0 && removed > 0) {
		rv = w->d->ops->sync_dir(w->d);
		w->stats.fsyncs++;
	}
	return rv;
}

/* The log after the snapshot, as a new base segment: BASE (the index
 * before its first entry, its term, the segment's seq), then an ENTRY
 * per entry. The entries the snapshot covers, which the memory keeps for
 * slow followers, are not written again: recovery compacts the log to
 * the snapshot anyway (wal_recover), and the core never truncates at or
 * below it. Buffered records are dropped: this holds their effect. Its
 * records carry a group two past the current one, so that recovery
 * never mistakes the segment, damaged, for the torn tail of the older
 * ones (wal.h). */
int wal_base_write(struct wal *w)
{
	struct raft_storage *m = &w->mem;
	char tmp[DISK_NAME_MAX + 1], name[DISK_NAME_MAX + 1];
	uint64_t seq = w->seg_seq + 1;
	uint64_t i = m->first_index(m->ctx), last = m->last_index(m->ctx);
	uint64_t snap_index, snap_term;
	const uint8_t *snap_data;
	size_t snap_len;
	uint8_t body[24];
	int fd = -1, rv, k;

	m->snapshot_get(m->ctx, &snap_index, &snap_term, &snap_data, &snap_len);
	if (snap_index >= i && snap_index <= last)
		i = snap_index + 1;
	wal_segment_name(tmp, seq, "tmp");
	wal_segment_name(name, seq, "log");
	w->len = 0;
	w->ext_count = 0;
	w->group += 2;
	rv = wal_reserve(w, wal_record_size(sizeof(body)));
	if (rv != 0)
		goto err;
	wal_put64(body, i - 1);
	wal_put64(body + 8, m->term_at(m->ctx, i - 1));
	wal_put64(body + 16, seq);
	wal_encode(w, WAL_REC_BASE, body, sizeof(body), NULL, 0);
	while (i <= last) {
		const struct raft_entry *e;
		unsigned n = m->entries_from(m->ctx, i, 4096, SIZE_MAX, &e);
		size_t bytes = 0;
		unsigned j;

		for (j = 0; j < n; j++)
			bytes += wal_entry_record_size(&e[j]);
		rv = wal_reserve(w, bytes);
		if (rv != 0)
			goto err;
		for (j = 0; j < n; j++)
			wal_encode_entry(w, &e[j]);
		i += n;
	}
	rv = write_whole(w, tmp, name, w->buf, w->len, NULL, 0, &fd);
	if (rv == 0)
		rv = remove_older(w, seq);
	if (rv != 0)
		goto err;
	/* the old segments are gone: their handles too */
	for (k = 0; k < w->to_close_count; k++)
		wal_drop_fd(w, w->to_close[k]);
	w->to_close_count = 0;
	wal_drop_fd(w, w->seg_fd);
	w->seg_fd = fd;
	w->seg_seq = seq;
	w->seg_end = w->len;
	w->seg_group = w->group;
	w->group++;
	w->group_used = false;
	w->len = 0;
	w->durable = last;
	w->stats.base_segments++;
	return 0;
err:
	if (fd >= 0)
		w->d->ops->close(w->d, fd);
	w->len = 0;
	wal_fail(w, "write the base segment", name, rv);
	return WAL_EIO;
}

/* wal_record.c - the WAL's records (wal.h has the layout): encoding into
 * the one growing buffer, decoding and checking, segment roll-over, and
 * writing the buffer out. No allocation per record: the buffer doubles
 * when it must and is reused after each write. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/crc32c.h"
#include "storage/wal_internal.h"

#define ENTRY_BODY 24 /* term, index, type, len */

size_t wal_record_size(size_t payload)
{
	return WAL_RECORD_HEADER + ((payload + 7) & ~(size_t)7);
}

int wal_reserve(struct wal *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 64 * 1024;
	uint8_t *p;

	if (w->len + n <= w->cap)
		return 0;
	while (cap < w->len + n)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (p == NULL)
		return -ENOMEM;
	w->buf = p;
	w->cap = cap;
	return 0;
}

/* The header but its checksum, and the padding after the payload. */
static size_t frame(struct wal *w, uint8_t *p, uint16_t type, size_t payload)
{
	size_t size = wal_record_size(payload);

	wal_put32(p + 4, (uint32_t)payload);
	wal_put32(p + 8, type); /* u16 type, u16 zero */
	wal_put32(p + 12, w->group);
	if (size > WAL_RECORD_HEADER + payload)
		memset(p + WAL_RECORD_HEADER + payload, 0,
		       size - WAL_RECORD_HEADER - payload);
	return size;
}

/* The checksum covers every byte after it to the record's end, padding
 * included, so a record is one contiguous checked span. */
static size_t seal(struct wal *w, uint8_t *p, size_t size)
{
	wal_put32(p, crc32c(0, p + 4, size - 4));
	w->group_used = true;
	w->len += size;
	w->stats.records++;
	return size;
}

size_t wal_encode(struct wal *w, uint16_t type, const void *body,
		  size_t body_len, const void *data, size_t data_len)
{
	uint8_t *p = w->buf + w->len;
	size_t size = frame(w, p, type, body_len + data_len);

	memcpy(p + WAL_RECORD_HEADER, body, body_len);
	if (data_len > 0)
		memcpy(p + WAL_RECORD_HEADER + body_len, data, data_len);
	return seal(w, p, size);
}

/* An ENTRY record, written in place (the hot path: every entry a node
 * appends, and again in each base segment). */
static size_t encode_entry(struct wal *w, const struct raft_entry *e)
{
	uint8_t *p = w->buf + w->len;
	size_t size = frame(w, p, WAL_REC_ENTRY, ENTRY_BODY + e->len);
	uint8_t *body = p + WAL_RECORD_HEADER;

	wal_put64(body, e->term);
	wal_put64(body + 8, e->index);
	wal_put32(body + 16, e->type);
	wal_put32(body + 20, e->len);
	if (e->len > 0)
		memcpy(body + ENTRY_BODY, e->data, e->len);
	return seal(w, p, size);
}

bool wal_decode(const uint8_t *p, size_t avail, struct wal_rec *r)
{
	uint32_t len;
	size_t size;

	if (avail < WAL_RECORD_HEADER)
		return false;
	len = wal_get32(p + 4);
	if (len > WAL_RECORD_MAX || p[10] != 0 || p[11] != 0)
		return false;
	size = wal_record_size(len);
	if (size > avail)
		return false;
	if (crc32c(0, p + 4, size - 4) != wal_get32(p))
		return false;
	r->type = (uint16_t)(p[8] | p[9] << 8);
	r->group = wal_get32(p + 12);
	r->len = len;
	r->payload = p + WAL_RECORD_HEADER;
	r->size = size;
	return true;
}

/* ---- segments ---- */

/* The next records go to the current segment: a new extent if the last
 * one is for another file. */
static int extent_for_segment(struct wal *w)
{
	struct wal_extent *x;

	if (w->ext_count > 0 && w->ext[w->ext_count - 1].fd == w->seg_fd)
		return 0;
	if (w->ext_count == w->ext_cap) {
		size_t cap = w->ext_cap ? w->ext_cap * 2 : 4;
		void *p = realloc(w->ext, cap * sizeof(*w->ext));

		if (p == NULL)
			return -ENOMEM;
		w->ext = p;
		w->ext_cap = cap;
	}
	x = &w->ext[w->ext_count++];
	x->fd = w->seg_fd;
	x->seq = w->seg_seq;
	x->file_off = w->seg_end;
	x->buf_off = w->len;
	return 0;
}

/* A segment past segment_bytes rolls to a new one that begins with a
 * CONT record (its seq, and the index the log's next entry has). At most
 * one roll per sync group, so every segment but the newest begins with a
 * synced record (recovery relies on it). */
static int maybe_roll(struct wal *w, uint64_t next)
{
	char name[DISK_NAME_MAX + 1];
	uint8_t body[16];
	int fd, rv;

	if (w->seg_end < w->cfg.segment_bytes || w->seg_group == w->group)
		return 0;
	if (w->to_close_count == (int)(sizeof(w->to_close) / sizeof(int)))
		return 0; /* roll at the next group instead */
	wal_segment_name(name, w->seg_seq + 1, "log");
	rv = w->d->ops->open(w->d, name, DISK_CREATE | DISK_TRUNC, &fd);
	if (rv != 0) {
		wal_fail(w, "create", name, rv);
		return rv;
	}
	w->to_close[w->to_close_count++] = w->seg_fd;
	w->seg_fd = fd;
	w->seg_seq++;
	w->seg_end = 0;
	w->seg_group = w->group;
	w->dir_dirty = true;
	rv = wal_reserve(w, wal_record_size(sizeof(body)));
	if (rv == 0)
		rv = extent_for_segment(w);
	if (rv != 0) {
		wal_fail(w, "buffer", name, rv);
		return rv;
	}
	wal_put64(body, w->seg_seq);
	wal_put64(body + 8, next);
	w->seg_end += wal_encode(w, WAL_REC_CONT, body, sizeof(body), NULL, 0);
	return 0;
}

/* Room for `bytes` more record bytes in the current segment; next is
 * the index the log's next entry had before the change they record. */
static int prepare(struct wal *w, size_t bytes, uint64_t next)
{
	int rv = maybe_roll(w, next);

	if (rv == 0)
		rv = wal_reserve(w, bytes);
	if (rv == 0)
		rv = extent_for_segment(w);
	if (rv != 0 && !w->failed)
		wal_fail(w, "buffer records for", "the current segment", rv);
	return rv;
}

static int after_put(struct wal *w)
{
	if (w->len >= WAL_EARLY_WRITE)
		return wal_write_out(w);
	return 0;
}

int wal_put_entries(struct wal *w, const struct raft_entry *e, unsigned n)
{
	size_t bytes = 0;
	unsigned i;
	int rv;

	for (i = 0; i < n; i++)
		bytes += wal_record_size(ENTRY_BODY + e[i].len);
	rv = prepare(w, bytes, e[0].index);
	if (rv != 0)
		return rv;
	for (i = 0; i < n; i++)
		w->seg_end += encode_entry(w, &e[i]);
	return after_put(w);
}

int wal_put_truncate(struct wal *w, uint64_t index, uint64_t next)
{
	uint8_t body[8];
	int rv = prepare(w, wal_record_size(sizeof(body)), next);

	if (rv != 0)
		return rv;
	wal_put64(body, index);
	w->seg_end += wal_encode(w, WAL_REC_TRUNCATE, body, sizeof(body), NULL,
				 0);
	return after_put(w);
}

int wal_put_compact(struct wal *w, uint64_t index, uint64_t term, uint64_t next)
{
	uint8_t body[16];
	int rv = prepare(w, wal_record_size(sizeof(body)), next);

	if (rv != 0)
		return rv;
	wal_put64(body, index);
	wal_put64(body + 8, term);
	w->seg_end += wal_encode(w, WAL_REC_COMPACT, body, sizeof(body), NULL,
				 0);
	return after_put(w);
}

/* Writes every buffered extent with one pwrite each (no sync). */
int wal_write_out(struct wal *w)
{
	char name[DISK_NAME_MAX + 1] = "";
	size_t i;
	int rv = 0;

	for (i = 0; i < w->ext_count && rv == 0; i++) {
		struct wal_extent *x = &w->ext[i];
		size_t end = i + 1 < w->ext_count ? w->ext[i + 1].buf_off
						  : w->len;

		rv = w->d->ops->pwrite(w->d, x->fd, w->buf + x->buf_off,
				       end - x->buf_off, x->file_off);
		if (rv != 0)
			wal_segment_name(name, x->seq, "log");
		else
			rv = wal_mark_sync(w, x->fd, x->seq);
		w->stats.bytes_written += end - x->buf_off;
	}
	w->len = 0;
	w->ext_count = 0;
	if (rv != 0)
		wal_fail(w, "write", name, rv);
	return rv;
}

/* An ENTRY record straight into the buffer (room reserved), for a base
 * segment, which goes to its own file. */
void wal_encode_entry(struct wal *w, const struct raft_entry *e)
{
	encode_entry(w, e);
}

size_t wal_entry_record_size(const struct raft_entry *e)
{
	return wal_record_size(ENTRY_BODY + e->len);
}

/* wal_replay.c - recovery of the log (wal_recover.c has the rules): find
 * the newest segment that begins with a valid BASE record, replay it and
 * the CONT segments after it into the in-memory log, and cut a torn tail
 * (or, with skip-bad-record, the damage) off on disk. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/wal_recover.h"

#define FIRST_READ 64 /* bytes: more than a BASE or CONT record */

/* The first record of segment i: *ok says whether it is valid. */
static int first_record(struct recov *r, int i, bool *ok, struct wal_rec *x,
			uint8_t *buf)
{
	struct disk *d = r->w->d;
	int fd, rv, k;
	int64_t n = 0;

	rv = d->ops->open(d, r->segs[i].name, 0, &fd);
	if (rv != 0)
		return wal_io_error(r, "open", r->segs[i].name, rv);
	*ok = false;
	for (k = 0; k <= WAL_RETRIES && !*ok; k++) {
		n = k < WAL_RETRIES ? d->ops->pread(d, fd, buf, FIRST_READ, 0)
				    : wal_read_voted(d, fd, buf, FIRST_READ, 0);
		if (n < 0)
			break;
		*ok = wal_decode(buf, (size_t)n, x);
		if (*ok && k > 0)
			r->rec->retries++;
	}
	d->ops->close(d, fd);
	if (n < 0)
		return wal_damaged(r, r->segs[i].name, 0, "read error (%s)",
				   strerror((int)-n));
	return WAL_OK;
}

/* Every segment but the newest begins with a synced record (one roll per
 * sync group, wal_record.c), so only the newest may begin badly: a CONT
 * segment whose first write was torn. */
static int find_chain(struct recov *r)
{
	uint8_t buf[FIRST_READ];
	struct wal_rec x;
	bool ok = false;
	int i, rv, removed = 0;

	for (i = r->nsegs - 1; i >= 0; i--) {
		rv = first_record(r, i, &ok, &x, buf);
		if (rv != WAL_OK)
			return rv;
		if (ok && x.type == WAL_REC_BASE && x.len == 24 &&
		    wal_get64(x.payload + 16) == r->segs[i].seq)
			break;
		if (ok && x.type != WAL_REC_CONT)
			return wal_damaged(r, r->segs[i].name, 0,
					   "a segment that begins with a "
					   "record of type %u",
					   (unsigned)x.type);
		if (!ok && i != r->nsegs - 1)
			return wal_damaged(r, r->segs[i].name, 0,
					   "bad first record, and a later "
					   "segment follows");
	}
	if (i < 0)
		return wal_damaged(r, r->nsegs > 0 ? r->segs[0].name : "wal", 0,
				   "no base segment");
	r->start = i;
	for (i = r->start + 1; i < r->nsegs; i++)
		if (r->segs[i].seq != r->segs[i - 1].seq + 1)
			return wal_damaged(r, r->segs[i].name, 0,
					   "the segment before it is missing");
	for (i = 0; i < r->start; i++) {
		rv = r->w->d->ops->remove(r->w->d, r->segs[i].name);
		if (rv != 0)
			return wal_io_error(r, "remove", r->segs[i].name, rv);
		removed++;
	}
	if (removed > 0 && (rv = r->w->d->ops->sync_dir(r->w->d)) != 0)
		return wal_io_error(r, "sync", r->w->d->where, rv);
	return WAL_OK;
}

/* ---- one record ---- */

static int apply_entry(struct recov *r, const char *file, size_t off,
		       const struct wal_rec *x)
{
	struct raft_storage *m = &r->w->mem;
	uint64_t first = m->first_index(m->ctx), last = m->last_index(m->ctx);
	struct raft_entry e;

	if (x->len < 24 || wal_get32(x->payload + 20) != x->len - 24)
		return wal_damaged(r, file, off, "entry of a wrong size");
	e.term = wal_get64(x->payload);
	e.index = wal_get64(x->payload + 8);
	e.type = wal_get32(x->payload + 16);
	e.len = x->len - 24;
	e.data = x->payload + 24;
	if (e.index < first || e.index > last + 1)
		return wal_damaged(r, file, off,
				   "entry %" PRIu64 " out of place (the log "
				   "holds %" PRIu64 "..%" PRIu64 ")",
				   e.index, first, last);
	if (e.term < m->term_at(m->ctx, e.index - 1))
		return wal_damaged(r, file, off,
				   "entry %" PRIu64 " of term %" PRIu64
				   " follows a later term",
				   e.index, e.term);
	if (e.index <= last)
		m->truncate_suffix(m->ctx, e.index);
	if (m->append(m->ctx, &e, 1) != 0)
		return wal_io_error(r, "replay", file, -ENOMEM);
	return WAL_OK;
}

static int apply(struct recov *r, int k, size_t off, const struct wal_rec *x)
{
	struct raft_storage *m = &r->w->mem;
	const char *file = r->segs[k].name;
	uint64_t first = m->first_index(m->ctx), last = m->last_index(m->ctx);
	uint64_t a, b;

	if ((off == 0) != (x->type == WAL_REC_BASE || x->type == WAL_REC_CONT))
		return wal_damaged(r, file, off,
				   "a BASE or CONT record out of place");
	switch (x->type) {
	case WAL_REC_BASE:
		if (k != r->start || x->len != 24)
			return wal_damaged(r, file, off, "bad BASE record");
		m->compact_prefix(m->ctx, wal_get64(x->payload),
				  wal_get64(x->payload + 8));
		return WAL_OK;
	case WAL_REC_CONT:
		if (k == r->start || x->len != 16 ||
		    wal_get64(x->payload) != r->segs[k].seq ||
		    wal_get64(x->payload + 8) != last + 1)
			return wal_damaged(r, file, off,
					   "a CONT record that does not "
					   "continue the log");
		return WAL_OK;
	case WAL_REC_ENTRY:
		return apply_entry(r, file, off, x);
	case WAL_REC_TRUNCATE:
		a = x->len == 8 ? wal_get64(x->payload) : 0;
		if (a < first || a > last + 1)
			return wal_damaged(r, file, off, "bad TRUNCATE record");
		if (a <= last)
			m->truncate_suffix(m->ctx, a);
		return WAL_OK;
	case WAL_REC_COMPACT:
		if (x->len != 16)
			return wal_damaged(r, file, off, "bad COMPACT record");
		a = wal_get64(x->payload);
		b = wal_get64(x->payload + 8);
		m->compact_prefix(m->ctx, a, b);
		return WAL_OK;
	default:
		return wal_damaged(r, file, off, "unknown record type %u",
				   (unsigned)x->type);
	}
}

/* ---- a bad record: torn tail or damage ---- */

/* The offset in p[from, len) of a valid record that the torn-tail
 * hypothesis cannot explain, or -1. That hypothesis: everything after the
 * bad record was written by the one unsynced sync group, the group of the
 * record before it (`after`) or the next. *seen: the group of the valid
 * records after the bad one met so far (0: none yet). */
static int64_t unexplained(const uint8_t *p, size_t from, size_t len,
			   uint32_t after, uint32_t *seen)
{
	size_t off = from;
	struct wal_rec x;

	while (off + WAL_RECORD_HEADER <= len) {
		if (!wal_decode(p + off, len - off, &x)) {
			off += 8;
			continue;
		}
		if (x.group > after + 1 || x.group < after ||
		    (*seen != 0 && x.group != *seen))
			return (int64_t)off;
		*seen = x.group;
		off += x.size;
	}
	return -1;
}

/* Looks for a record unexplained() after offset off of segment k, in it
 * and in the chain's later segments. Returns WAL_EDAMAGED (msg set) if
 * there is one (or a later segment cannot be read), WAL_OK if none. */
static int look_ahead(struct recov *r, int k, size_t off, const char *what)
{
	struct disk *d = r->w->d;
	uint32_t seen = 0;
	int64_t at = unexplained(r->data, off + 8, r->usable, r->last_group,
				 &seen);
	int i;

	if (at >= 0)
		return wal_damaged(r, r->segs[k].name, off,
				   "%s (mid-log; a valid record of another "
				   "sync group follows at %" PRId64 ")",
				   what, at);
	for (i = k + 1; i < r->nsegs; i++) {
		int64_t size, n = -1;
		uint8_t *p = NULL;
		int fd;

		if (d->ops->open(d, r->segs[i].name, 0, &fd) != 0)
			continue;
		size = d->ops->size(d, fd);
		if (size >= 0)
			p = malloc((size_t)size + 1);
		if (p != NULL)
			n = d->ops->pread(d, fd, p, (size_t)size, 0);
		d->ops->close(d, fd);
		at = n == size ? unexplained(p, 0, (size_t)n, r->last_group,
					     &seen)
			       : 0;
		free(p);
		if (at >= 0)
			return wal_damaged(r, r->segs[k].name, off,
					   "%s (mid-log; another sync group "
					   "follows in %s at %" PRId64 ")",
					   what, r->segs[i].name, at);
	}
	return WAL_OK;
}

/* Cuts the chain at offset off of segment k (fd): truncated there and
 * synced, the later segments removed (a segment cut to nothing too,
 * unless it is the base). */
static int cut(struct recov *r, int k, int fd, size_t off, bool torn)
{
	struct disk *d = r->w->d;
	struct wal_recovery *rec = r->rec;
	uint64_t bytes = r->size - off;
	int i, rv = 0, first_gone = k + 1;

	if (off == 0 && k > r->start)
		first_gone = k;
	else if ((rv = d->ops->truncate(d, fd, off)) == 0)
		rv = d->ops->sync(d, fd);
	for (i = first_gone; i < r->nsegs && rv == 0; i++)
		rv = d->ops->remove(d, r->segs[i].name);
	if (rv == 0 && first_gone < r->nsegs)
		rv = d->ops->sync_dir(d);
	if (rv != 0)
		return wal_io_error(r, "cut the log in", r->segs[k].name, rv);
	if (torn) {
		rec->torn = true;
		snprintf(rec->torn_file, sizeof(rec->torn_file), "%s",
			 r->segs[k].name);
		rec->torn_offset = off;
		rec->torn_bytes = bytes;
	} else {
		rec->skipped = true;
		snprintf(rec->skipped_file, sizeof(rec->skipped_file), "%s",
			 r->segs[k].name);
		rec->skipped_offset = off;
	}
	r->nsegs = first_gone;
	return WAL_OK;
}

static int bad_record(struct recov *r, int k, int fd, size_t off)
{
	int rv;

	if (r->usable < r->size)
		rv = wal_damaged(r, r->segs[k].name, r->usable,
				 "read error (EIO)");
	else
		rv = look_ahead(r, k, off, "record checksum mismatch");
	if (rv == WAL_OK)
		return cut(r, k, fd, off, true);
	if (rv == WAL_EDAMAGED && r->w->cfg.skip_bad_record)
		return cut(r, k, fd, off, false);
	return rv;
}

/* ---- the chain ---- */

/* Replays segment k; *stop when the chain was cut in it. */
static int replay_segment(struct recov *r, int k, bool *stop)
{
	struct disk *d = r->w->d;
	size_t off = 0;
	int fd, rv;

	rv = d->ops->open(d, r->segs[k].name, 0, &fd);
	if (rv != 0)
		return wal_io_error(r, "open", r->segs[k].name, rv);
	rv = wal_read_file(r, fd, r->segs[k].name);
	r->rec->segments++;
	while (rv == WAL_OK && off < r->size) {
		struct wal_rec x;

		if (!wal_decode(r->data + off, r->usable - off, &x) &&
		    (off >= r->usable || !wal_reread(r, fd, off, &x))) {
			rv = bad_record(r, k, fd, off);
			*stop = true;
			break;
		}
		rv = apply(r, k, off, &x);
		if (rv == WAL_EDAMAGED && r->w->cfg.skip_bad_record) {
			rv = cut(r, k, fd, off, false);
			*stop = true;
			break;
		}
		r->rec->records++;
		r->last_group = x.group;
		if (x.group > r->max_group)
			r->max_group = x.group;
		off += x.size;
	}
	if (rv == WAL_OK && !*stop && r->size == 0 && k > r->start) {
		/* a segment rolled but never written (a kill before the end
		 * of the turn): removed, as a torn tail of no bytes */
		rv = cut(r, k, fd, 0, true);
		*stop = true;
	}
	d->ops->close(d, fd);
	return rv;
}

int wal_recover_chain(struct recov *r)
{
	struct wal *w = r->w;
	struct disk *d = w->d;
	bool stop = false;
	int64_t size;
	int k, rv;

	rv = find_chain(r);
	for (k = r->start; rv == WAL_OK && !stop && k < r->nsegs; k++)
		rv = replay_segment(r, k, &stop);
	if (rv != WAL_OK)
		return rv;
	k = r->nsegs - 1;
	rv = d->ops->open(d, r->segs[k].name, 0, &w->seg_fd);
	if (rv != 0)
		return wal_io_error(r, "open", r->segs[k].name, rv);
	size = d->ops->size(d, w->seg_fd);
	if (size < 0)
		return wal_io_error(r, "size of", r->segs[k].name, (int)size);
	w->seg_seq = r->segs[k].seq;
	w->seg_end = (uint64_t)size;
	w->seg_group = 0; /* made before: the next group may roll it */
	if (r->max_group + 1 > w->group)
		w->group = r->max_group + 1;
	return WAL_OK;
}

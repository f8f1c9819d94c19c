/* wal_recover.c - wal_open's recovery (wal.h "Recovery"): the meta slots,
 * the snapshot file, then the newest base segment and the CONT segments
 * after it, replayed into the in-memory log; a torn tail is cut, damage
 * is refused with where it is.
 *
 * Torn or damaged: a record that is not valid (its length out of bounds
 * or its checksum wrong, after WAL_RETRIES re-reads) is the torn tail
 * when no valid record of a sync group later than (the group of the last
 * valid record before it) + 1 follows it in the chain: everything after
 * it was written by the one unsynced group. Otherwise it is damage. A
 * valid record that makes no sense (unknown type, index gap, term going
 * down, wrong size, a CONT that does not continue) is damage at once, as
 * is a read error. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raft_state.h"
#include "storage/wal_internal.h"
#include "storage/wal_recover.h"

int wal_damaged(struct recov *r, const char *file, uint64_t off,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->msg_len == 0)
		return WAL_EDAMAGED;
	n = snprintf(r->msg, r->msg_len, "node %d: %s offset %" PRIu64 ": ",
		     r->w->cfg.node, file, off);
	if (n >= 0 && (size_t)n < r->msg_len) {
		va_start(ap, fmt);
		vsnprintf(r->msg + n, r->msg_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return WAL_EDAMAGED;
}

int wal_io_error(struct recov *r, const char *what, const char *file, int err)
{
	if (r->msg_len > 0)
		snprintf(r->msg, r->msg_len, "node %d: %s %s: %s",
			 r->w->cfg.node, what, file, strerror(-err));
	return err == -ENOMEM ? WAL_ENOMEM : WAL_EIO;
}

/* Reads the whole of file fd into r->data; a read error leaves r->usable
 * at the first sector that cannot be read (-EIO is damage, never a torn
 * tail). */
int wal_read_file(struct recov *r, int fd, const char *name)
{
	struct disk *d = r->w->d;
	int64_t size = d->ops->size(d, fd), n;
	uint64_t off;

	if (size < 0)
		return wal_io_error(r, "size of", name, (int)size);
	if ((size_t)size + 1 > r->cap) { /* reused: no fresh pages per file */
		free(r->data);
		r->data = malloc((size_t)size + 1);
		r->cap = r->data != NULL ? (size_t)size + 1 : 0;
		if (r->data == NULL)
			return wal_io_error(r, "read", name, -ENOMEM);
	}
	r->size = r->usable = (size_t)size;
	r->rec->bytes += (uint64_t)size;
	n = d->ops->pread(d, fd, r->data, (size_t)size, 0);
	if (n == size)
		return WAL_OK;
	if (n >= 0)
		return wal_io_error(r, "read", name,
				    -EIO); /* shrank under us */
	if (n != -EIO)
		return wal_io_error(r, "read", name, (int)n);
	for (off = 0; off < (uint64_t)size; off += DISK_SECTOR) {
		size_t len = (uint64_t)size - off < DISK_SECTOR
				     ? (size_t)((uint64_t)size - off)
				     : DISK_SECTOR;

		if (d->ops->pread(d, fd, r->data + off, len, off) < 0)
			break;
	}
	r->usable = (size_t)off;
	return WAL_OK;
}

int64_t wal_read_voted(struct disk *d, int fd, uint8_t *buf, size_t len,
		       uint64_t off)
{
	uint8_t *b = malloc(2 * len + 1);
	int64_t n, n2 = 0, n3 = 0;
	size_t i;

	if (b == NULL)
		return -ENOMEM;
	n = d->ops->pread(d, fd, buf, len, off);
	if (n > 0)
		n2 = d->ops->pread(d, fd, b, (size_t)n, off);
	if (n > 0 && n2 == n)
		n3 = d->ops->pread(d, fd, b + len, (size_t)n, off);
	if (n > 0 && (n2 != n || n3 != n))
		n = n2 < 0 ? n2 : n3 < 0 ? n3 : -EIO;
	for (i = 0; n > 0 && i < (size_t)n; i++)
		buf[i] = (uint8_t)((buf[i] & b[i]) | (buf[i] & b[len + i]) |
				   (b[i] & b[len + i]));
	free(b);
	return n;
}

/* Re-reads the record at off after a checksum failure: a bit flip on the
 * way from the disk is not damage. True if it is valid now. */
bool wal_reread(struct recov *r, int fd, size_t off, struct wal_rec *rec)
{
	struct disk *d = r->w->d;
	size_t rest = r->usable - off, n;
	int i;

	for (i = 0; i <= WAL_RETRIES; i++) {
		/* the last time, a vote of three reads over the record and
		 * what may follow it (up to 1 MiB, or the size its header
		 * claims) */
		n = rest < ((size_t)1 << 20) ? rest : (size_t)1 << 20;
		if (i == WAL_RETRIES && rest >= WAL_RECORD_HEADER &&
		    wal_get32(r->data + off + 4) <= WAL_RECORD_MAX &&
		    wal_record_size(wal_get32(r->data + off + 4)) > n &&
		    wal_record_size(wal_get32(r->data + off + 4)) <= rest)
			n = wal_record_size(wal_get32(r->data + off + 4));
		if ((i < WAL_RETRIES
			     ? d->ops->pread(d, fd, r->data + off, n, off)
			     : wal_read_voted(d, fd, r->data + off, n, off)) !=
		    (int64_t)n) {
			r->usable = off; /* a read error: damage */
			return false;
		}
		if (wal_decode(r->data + off, rest, rec)) {
			r->rec->retries++;
			return true;
		}
	}
	return false;
}

/* ---- meta ---- */

static void skipped(struct wal_recovery *rec, uint64_t off)
{
	rec->skipped = true;
	snprintf(rec->skipped_file, sizeof(rec->skipped_file), "%s",
		 WAL_META_NAME);
	rec->skipped_offset = off;
}

/* The skip-bad-record mistake on the meta file: a slot that cannot be
 * read is taken as empty, and the other one, perhaps older, wins. */
static int64_t meta_read_skipping(struct recov *r, uint8_t *slots)
{
	struct disk *d = r->w->d;
	int64_t total = 0, n;
	int k;

	for (k = 0; k < 2; k++) {
		n = d->ops->pread(d, r->w->meta_fd, slots + k * WAL_META_SLOT,
				  WAL_META_SLOT, (uint64_t)k * WAL_META_SLOT);
		if (n < 0) {
			memset(slots + k * WAL_META_SLOT, 0, WAL_META_SLOT);
			skipped(r->rec, (uint64_t)k * WAL_META_SLOT);
		} else {
			total += n;
		}
	}
	return total;
}

static int recover_meta(struct recov *r)
{
	struct wal *w = r->w;
	struct disk *d = w->d;
	uint8_t slots[2 * WAL_META_SLOT];
	bool valid[2] = {false, false};
	uint64_t seq[2], term[2];
	int vote[2], rv, i, k;
	int64_t size;

	rv = d->ops->open(d, WAL_META_NAME, 0, &w->meta_fd);
	if (rv == -ENOENT)
		return wal_meta_create(w) == 0 ? WAL_OK : WAL_EIO;
	if (rv != 0)
		return wal_io_error(r, "open", WAL_META_NAME, rv);
	size = d->ops->size(d, w->meta_fd);
	if (size == 0) {
		d->ops->close(d, w->meta_fd);
		w->meta_fd = -1;
		return wal_meta_create(w) == 0 ? WAL_OK : WAL_EIO;
	}
	/* A slot valid in any read is valid (a bit flip on the way must not
	 * make the older slot win). */
	for (i = 0; i <= WAL_RETRIES; i++) {
		int64_t n;

		memset(slots, 0, sizeof(slots));
		n = d->ops->pread(d, w->meta_fd, slots, sizeof(slots), 0);
		if (n < 0 && w->cfg.skip_bad_record) {
			n = meta_read_skipping(r, slots);
			i = WAL_RETRIES; /* decode what it read, then stop */
		}
		if (n < 0)
			return wal_damaged(r, WAL_META_NAME, 0,
					   "read error (%s)",
					   strerror((int)-n));
		for (k = 0; k < 2; k++)
			if (!valid[k])
				valid[k] = wal_meta_decode(
					slots + k * WAL_META_SLOT, &seq[k],
					&term[k], &vote[k]);
		r->rec->bytes += (uint64_t)n;
	}
	if (!valid[0] && !valid[1] && w->cfg.skip_bad_record) {
		/* the mistake: a fresh node's term and vote */
		skipped(r->rec, 0);
		w->meta_seq = 0;
		w->meta_term = 0;
		w->meta_vote = -1;
		return WAL_OK;
	}
	if (!valid[0] && !valid[1])
		return wal_damaged(r, WAL_META_NAME, 0,
				   "both metadata slots are bad");
	k = !valid[0] || (valid[1] && seq[1] > seq[0]);
	w->meta_seq = seq[k];
	w->meta_term = term[k];
	w->meta_vote = vote[k];
	return WAL_OK;
}

/* ---- snapshot ---- */

static int recover_snapshot(struct recov *r)
{
	struct disk *d = r->w->d;
	const uint8_t *data = NULL;
	uint64_t index = 0, term = 0;
	size_t len = 0;
	int fd, rv, i;

	rv = d->ops->open(d, WAL_SNAP_NAME, 0, &fd);
	if (rv == -ENOENT)
		return WAL_OK;
	if (rv != 0)
		return wal_io_error(r, "open", WAL_SNAP_NAME, rv);
	rv = wal_read_file(r, fd, WAL_SNAP_NAME);
	for (i = 0; rv == WAL_OK && r->usable == r->size; i++) {
		if (wal_snapshot_parse(r->data, r->size, &index, &term, &data,
				       &len) == 0)
			break;
		if (i == WAL_RETRIES) {
			rv = wal_damaged(r, WAL_SNAP_NAME, 0,
					 "bad snapshot (checksum or length)");
			break;
		}
		if ((i < WAL_RETRIES - 1
			     ? d->ops->pread(d, fd, r->data, r->size, 0)
			     : wal_read_voted(d, fd, r->data, r->size, 0)) !=
		    (int64_t)r->size)
			r->usable = 0;
	}
	if (rv == WAL_OK && r->usable < r->size)
		rv = wal_damaged(r, WAL_SNAP_NAME, r->usable,
				 "read error (EIO)");
	d->ops->close(d, fd);
	if (rv != WAL_OK)
		return rv;
	if (r->w->mem.snapshot_put(r->w->mem.ctx, index, term, data, len) != 0)
		return wal_io_error(r, "keep", WAL_SNAP_NAME, -ENOMEM);
	r->rec->snapshot_index = index;
	r->rec->snapshot_term = term;
	return WAL_OK;
}

/* ---- the directory ---- */

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Removes leftovers (*.tmp: a snapshot or base segment cut short) and
 * collects the segments. *fresh: the directory holds nothing of ours. */
static int scan_dir(struct recov *r, bool *fresh)
{
	struct disk *d = r->w->d;
	char(*names)[DISK_NAME_MAX + 1] = NULL;
	int count = 0, i, rv, removed = 0;

	*fresh = true;
	rv = d->ops->list(d, &names, &count);
	if (rv != 0)
		return wal_io_error(r, "list", d->where, rv);
	r->segs = calloc((size_t)count + 1, sizeof(*r->segs));
	if (r->segs == NULL) {
		free(names);
		return wal_io_error(r, "list", d->where, -ENOMEM);
	}
	for (i = 0; i < count && rv == 0; i++) {
		size_t n = strlen(names[i]);
		struct seg *s = &r->segs[r->nsegs];
		char ext[8];

		if (n > 4 && strcmp(names[i] + n - 4, ".tmp") == 0) {
			rv = d->ops->remove(d, names[i]);
			removed++;
		} else if (sscanf(names[i], "wal-%16" SCNx64 ".%3s", &s->seq,
				  ext) == 2 &&
			   strcmp(ext, "log") == 0) {
			snprintf(s->name, sizeof(s->name), "%s", names[i]);
			r->nsegs++;
			*fresh = false;
		} else if (strcmp(names[i], WAL_META_NAME) == 0 ||
			   strcmp(names[i], WAL_SNAP_NAME) == 0) {
			*fresh = false;
		}
	}
	free(names);
	if (rv == 0 && removed > 0)
		rv = d->ops->sync_dir(d);
	if (rv != 0)
		return wal_io_error(r, "remove leftovers in", d->where, rv);
	qsort(r->segs, (size_t)r->nsegs, sizeof(*r->segs), seg_cmp);
	return WAL_OK;
}

int wal_recover(struct wal *w, struct wal_recovery *rec, char *msg,
		size_t msg_len)
{
	struct recov r = {.w = w, .rec = rec, .msg = msg, .msg_len = msg_len};
	struct raft_storage *m = &w->mem;
	bool fresh;
	int rv;

	rv = scan_dir(&r, &fresh);
	if (rv == WAL_OK && fresh) {
		rv = wal_base_write(w) == 0 ? WAL_OK : WAL_EIO;
		if (rv == WAL_OK)
			rv = wal_meta_create(w) == 0 ? WAL_OK : WAL_EIO;
		if (rv != WAL_OK && msg_len > 0)
			snprintf(msg, msg_len, "%s", w->failure);
		goto out;
	}
	if (rv == WAL_OK)
		rv = recover_meta(&r);
	if (rv == WAL_OK)
		rv = recover_snapshot(&r);
	if (rv == WAL_OK)
		rv = wal_recover_chain(&r);
	if (rv == WAL_OK && rec->snapshot_index > 0) {
		uint64_t first = m->first_index(m->ctx);

		m->compact_prefix(m->ctx, rec->snapshot_index,
				  rec->snapshot_term);
		/* The crash came between a snapshot and its base segment:
		 * write that now, or entries after the snapshot would follow
		 * the old log's end on disk. */
		if (m->first_index(m->ctx) != first && wal_base_write(w) != 0)
			rv = WAL_EIO;
	}
	if (rv == WAL_OK && w->failed)
		rv = WAL_EIO;
	if (rv != WAL_OK && w->failed && msg_len > 0 && msg[0] == '\0')
		snprintf(msg, msg_len, "%s", w->failure);
out:
	free(r.segs);
	free(r.data);
	if (rv != WAL_OK)
		return rv;
	rec->term = w->meta_term;
	rec->voted_for = w->meta_vote;
	rec->first_index = m->first_index(m->ctx);
	rec->last_index = m->last_index(m->ctx);
	rec->last_term = m->term_at(m->ctx, rec->last_index);
	w->durable = rec->last_index;
	w->durable_term = w->meta_term;
	w->durable_vote = w->meta_vote;
	return WAL_OK;
}

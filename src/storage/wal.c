/* wal.c - the WAL's life cycle, its struct raft_storage (every read from
 * the in-memory copy, every change also a buffered record), and group
 * commit (wal_sync). See wal.h. */
#include "storage/wal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raft_state.h"
#include "storage/wal_internal.h"

void wal_segment_name(char *out, uint64_t seq, const char *ext)
{
	snprintf(out, DISK_NAME_MAX + 1, "wal-%016" PRIx64 ".%s", seq, ext);
}

/* From now on every call that writes fails (fsyncgate: what a failed
 * write or sync left on the disk is unknown). The first failure is the
 * one reported. */
void wal_fail(struct wal *w, const char *what, const char *file, int err)
{
	if (w->failed)
		return;
	w->failed = true;
	snprintf(w->failure, sizeof(w->failure), "node %d: %s %s: %s",
		 w->cfg.node, what, file, strerror(err < 0 ? -err : err));
}

int wal_mark_sync(struct wal *w, int fd, uint64_t seq)
{
	int i;

	for (i = 0; i < w->to_sync_count; i++)
		if (w->to_sync[i] == fd)
			return 0;
	if (w->to_sync_count == (int)(sizeof(w->to_sync) / sizeof(int)))
		return -ENOMEM; /* at most meta and two segments: never */
	w->to_sync_seq[w->to_sync_count] = seq;
	w->to_sync[w->to_sync_count++] = fd;
	return 0;
}

void wal_drop_fd(struct wal *w, int fd)
{
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < w->to_sync_count; i++)
		if (w->to_sync[i] == fd) {
			w->to_sync_count--;
			w->to_sync_seq[i] = w->to_sync_seq[w->to_sync_count];
			w->to_sync[i--] = w->to_sync[w->to_sync_count];
		}
	w->d->ops->close(w->d, fd);
}

/* ---- struct raft_storage: reads go to the memory ---- */

static struct raft_storage *mem_of(void *ctx)
{
	return &((struct wal *)ctx)->mem;
}

static uint64_t w_first_index(void *ctx)
{
	struct raft_storage *m = mem_of(ctx);

	return m->first_index(m->ctx);
}

static uint64_t w_last_index(void *ctx)
{
	struct raft_storage *m = mem_of(ctx);

	return m->last_index(m->ctx);
}

static uint64_t w_term_at(void *ctx, uint64_t index)
{
	struct raft_storage *m = mem_of(ctx);

	return m->term_at(m->ctx, index);
}

static unsigned w_entries_from(void *ctx, uint64_t first, unsigned max_count,
			       size_t max_bytes, const struct raft_entry **out)
{
	struct raft_storage *m = mem_of(ctx);

	return m->entries_from(m->ctx, first, max_count, max_bytes, out);
}

static uint64_t w_bytes_between(void *ctx, uint64_t after, uint64_t last)
{
	struct raft_storage *m = mem_of(ctx);

	return m->bytes_between(m->ctx, after, last);
}

static void w_snapshot_get(void *ctx, uint64_t *index, uint64_t *term,
			   const uint8_t **data, size_t *len)
{
	struct raft_storage *m = mem_of(ctx);

	m->snapshot_get(m->ctx, index, term, data, len);
}

/* Chunks being received stay in memory only: a crash restarts the
 * transfer. */
static int64_t w_snapshot_receive(void *ctx, uint64_t index, uint64_t term,
				  uint64_t total, uint64_t offset,
				  const uint8_t *data, size_t len)
{
	struct raft_storage *m = mem_of(ctx);

	return m->snapshot_receive(m->ctx, index, term, total, offset, data,
				   len);
}

static void w_snapshot_pending(void *ctx, const uint8_t **data, size_t *len)
{
	struct raft_storage *m = mem_of(ctx);

	m->snapshot_pending(m->ctx, data, len);
}

/* ---- struct raft_storage: changes are records too ---- */

static int w_append(void *ctx, const struct raft_entry *entries, unsigned n)
{
	struct wal *w = ctx;

	if (w->failed)
		return -1;
	if (n == 0)
		return 0;
	if (w->mem.append(w->mem.ctx, entries, n) != 0)
		return -1;
	if (wal_put_entries(w, entries, n) != 0) {
		w->mem.truncate_suffix(w->mem.ctx, entries[0].index);
		return -1;
	}
	return 0;
}

static void w_truncate_suffix(void *ctx, uint64_t index)
{
	struct wal *w = ctx;
	uint64_t next = w->mem.last_index(w->mem.ctx) + 1;

	w->mem.truncate_suffix(w->mem.ctx, index);
	if (w->durable >= index)
		w->durable = index - 1;
	if (!w->failed)
		(void)wal_put_truncate(w, index, next); /* or fails the WAL */
}

/* The snapshot (durable: written before the call that made it returned)
 * covers everything up to index, so the log is durable up to there at
 * least; whatever it drops is no longer the log's. */
static void w_compact_prefix(void *ctx, uint64_t index, uint64_t term)
{
	struct wal *w = ctx;
	uint64_t next = w->mem.last_index(w->mem.ctx) + 1;
	uint64_t last;

	w->mem.compact_prefix(w->mem.ctx, index, term);
	last = w->mem.last_index(w->mem.ctx);
	if (w->durable < index && !w->failed)
		w->durable = index;
	if (w->durable > last)
		w->durable = last;
	if (w->failed)
		return;
	if (w->base_due) {
		w->base_due = false;
		(void)wal_base_write(w);
	} else {
		(void)wal_put_compact(w, index, term, next);
	}
}

static int w_snapshot_put(void *ctx, uint64_t index, uint64_t term,
			  const uint8_t *data, size_t len)
{
	struct wal *w = ctx;

	if (w->failed)
		return -1;
	if (w->mem.snapshot_put(w->mem.ctx, index, term, data, len) != 0)
		return -1;
	return wal_snapshot_write(w, index, term, data, len) == 0 ? 0 : -1;
}

static void w_snapshot_accept(void *ctx)
{
	struct wal *w = ctx;
	uint64_t index, term, index2, term2;
	const uint8_t *data, *data2;
	size_t len, len2;

	w->mem.snapshot_get(w->mem.ctx, &index, &term, &data, &len);
	w->mem.snapshot_accept(w->mem.ctx);
	w->mem.snapshot_get(w->mem.ctx, &index2, &term2, &data2, &len2);
	if (index2 == index && term2 == term && data2 == data && len2 == len)
		return; /* nothing complete was pending */
	(void)wal_snapshot_write(w, index2, term2, data2, len2);
}

static uint64_t w_durable_index(void *ctx)
{
	return ((struct wal *)ctx)->durable;
}

struct raft_storage wal_storage_ops(struct wal *w)
{
	struct raft_storage ops = {
		.ctx = w,
		.first_index = w_first_index,
		.last_index = w_last_index,
		.term_at = w_term_at,
		.append = w_append,
		.truncate_suffix = w_truncate_suffix,
		.entries_from = w_entries_from,
		.bytes_between = w_bytes_between,
		.compact_prefix = w_compact_prefix,
		.snapshot_put = w_snapshot_put,
		.snapshot_get = w_snapshot_get,
		.snapshot_receive = w_snapshot_receive,
		.snapshot_pending = w_snapshot_pending,
		.snapshot_accept = w_snapshot_accept,
		.durable_index = w_durable_index,
	};

	return ops;
}

/* ---- group commit ---- */

void wal_save_meta(struct wal *w, uint64_t term, int voted_for)
{
	if (term == w->meta_term && voted_for == w->meta_vote)
		return;
	w->meta_term = term;
	w->meta_vote = voted_for;
	w->meta_dirty = true;
}

bool wal_dirty(const struct wal *w)
{
	return w->len > 0 || w->meta_dirty || w->to_sync_count > 0 ||
	       w->dir_dirty;
}

int wal_write(struct wal *w)
{
	if (w->failed)
		return WAL_EIO;
	if (w->len > 0 && wal_write_out(w) != 0)
		return WAL_EIO;
	if (w->meta_dirty && wal_meta_write_slot(w) != 0)
		return WAL_EIO;
	return WAL_OK;
}

int wal_sync(struct wal *w)
{
	int i, rv = 0;

	if (w->failed)
		return WAL_EIO;
	if (!wal_dirty(w))
		return WAL_OK;
	if (w->len > 0 && wal_write_out(w) != 0)
		return WAL_EIO;
	if (w->meta_dirty && wal_meta_write_slot(w) != 0)
		return WAL_EIO;
	for (i = 0; i < w->to_sync_count; i++) {
		rv = w->d->ops->sync(w->d, w->to_sync[i]);
		w->stats.fsyncs++;
		if (rv != 0) {
			char name[DISK_NAME_MAX + 1];

			if (w->to_sync[i] == w->meta_fd)
				snprintf(name, sizeof(name), WAL_META_NAME);
			else
				wal_segment_name(name, w->to_sync_seq[i],
						 "log");
			wal_fail(w, "sync", name, rv);
			return WAL_EIO;
		}
	}
	w->to_sync_count = 0;
	if (w->dir_dirty) {
		rv = w->d->ops->sync_dir(w->d);
		w->stats.fsyncs++;
		if (rv != 0) {
			wal_fail(w, "sync", "the directory", rv);
			return WAL_EIO;
		}
		w->dir_dirty = false;
	}
	for (i = 0; i < w->to_close_count; i++)
		w->d->ops->close(w->d, w->to_close[i]);
	w->to_close_count = 0;
	if (w->group_used)
		w->group++;
	w->group_used = false;
	w->durable = w->mem.last_index(w->mem.ctx);
	w->durable_term = w->meta_term;
	w->durable_vote = w->meta_vote;
	w->stats.syncs++;
	return WAL_OK;
}

void wal_durable_meta(const struct wal *w, uint64_t *term, int *voted_for)
{
	*term = w->durable_term;
	*voted_for = w->durable_vote;
}

uint64_t wal_durable_index(const struct wal *w)
{
	return w->durable;
}

bool wal_failed(const struct wal *w)
{
	return w->failed;
}

const char *wal_failure(const struct wal *w)
{
	return w->failed ? w->failure : "";
}

size_t wal_bytes(const struct wal *w)
{
	return sizeof(*w) + mem_storage_bytes(w->ms) + w->cap +
	       w->ext_cap * sizeof(*w->ext);
}

void wal_stats(const struct wal *w, struct wal_stats *out)
{
	*out = w->stats;
}

/* ---- life cycle ---- */

int wal_open(struct disk *d, const struct wal_config *cfg, struct wal **out,
	     struct wal_recovery *rec, char *msg, size_t msg_len)
{
	struct wal *w;
	int rv;

	*out = NULL;
	memset(rec, 0, sizeof(*rec));
	if (msg_len > 0)
		msg[0] = '\0';
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		goto nomem;
	w->ms = mem_storage_new();
	if (w->ms == NULL) {
		free(w);
		goto nomem;
	}
	w->d = d;
	w->cfg = *cfg;
	if (w->cfg.segment_bytes < 4096)
		w->cfg.segment_bytes = 4096;
	w->mem = mem_storage_ops(w->ms);
	w->meta_fd = -1;
	w->seg_fd = -1;
	w->meta_vote = RAFT_NONE;
	w->group = 1;
	rv = wal_recover(w, rec, msg, msg_len);
	if (rv != WAL_OK) {
		wal_close(w);
		return rv;
	}
	*out = w;
	return WAL_OK;
nomem:
	if (msg_len > 0)
		snprintf(msg, msg_len, "node %d: out of memory", cfg->node);
	return WAL_ENOMEM;
}

void wal_close(struct wal *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->to_close_count; i++)
		w->d->ops->close(w->d, w->to_close[i]);
	if (w->seg_fd >= 0)
		w->d->ops->close(w->d, w->seg_fd);
	if (w->meta_fd >= 0)
		w->d->ops->close(w->d, w->meta_fd);
	mem_storage_free(w->ms);
	free(w->buf);
	free(w->ext);
	free(w);
}

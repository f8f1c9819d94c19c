/* mem_snapshot.c - the in-memory storage's snapshots: the current one, and
 * one being received in chunks (§7, InstallSnapshot). */
#include <stdlib.h>
#include <string.h>

#include "storage/mem_storage_internal.h"

/* Makes b hold a copy of len bytes, reusing its buffer when that is not
 * more than twice too big. Returns 0 or -1 (no memory: b unchanged). */
static int snap_copy(struct snap_buf *b, const uint8_t *data, size_t len)
{
	if (len > b->cap || len < b->cap / 2) {
		uint8_t *fresh = len > 0 ? malloc(len) : NULL;

		if (fresh != NULL || len == 0) {
			if (len > 0)
				memcpy(fresh, data, len);
			free(b->data);
			b->data = fresh;
			b->cap = len;
			b->len = len;
			return 0;
		}
		if (len > b->cap)
			return -1;
	}
	if (len > 0)
		memmove(b->data, data, len);
	b->len = len;
	return 0;
}

int mem_snapshot_put(void *ctx, uint64_t index, uint64_t term,
		     const uint8_t *data, size_t len)
{
	struct mem_storage *ms = ctx;

	if (snap_copy(&ms->snap, data, len) != 0)
		return -1;
	ms->snap.index = index;
	ms->snap.term = term;
	return 0;
}

void mem_snapshot_get(void *ctx, uint64_t *index, uint64_t *term,
		      const uint8_t **data, size_t *len)
{
	struct mem_storage *ms = ctx;

	*index = ms->snap.index;
	*term = ms->snap.term;
	*data = ms->snap.data;
	*len = ms->snap.len;
}

/* The pending buffer grows as chunks come (doubling, never past total),
 * so a transfer cut short holds no more than it received twice over. */
static int pending_grow(struct mem_storage *ms, size_t need)
{
	size_t cap = ms->pending.cap * 2;
	uint8_t *data;

	if (need <= ms->pending.cap)
		return 0;
	if (cap < need)
		cap = need;
	if (cap > ms->pending_total)
		cap = (size_t)ms->pending_total;
	data = realloc(ms->pending.data, cap);
	if (data == NULL)
		return -1;
	ms->pending.data = data;
	ms->pending.cap = cap;
	return 0;
}

int64_t mem_snapshot_receive(void *ctx, uint64_t index, uint64_t term,
			     uint64_t total, uint64_t offset,
			     const uint8_t *data, size_t len)
{
	struct mem_storage *ms = ctx;
	struct snap_buf *p = &ms->pending;

	if (p->index != index || p->term != term ||
	    ms->pending_total != total || offset == 0) {
		p->index = index;
		p->term = term;
		p->len = 0;
		ms->pending_total = total;
	}
	if (offset != p->len || len > total - offset)
		return (int64_t)p->len; /* not the chunk it expects */
	if (total > SIZE_MAX || pending_grow(ms, (size_t)(offset + len)) != 0)
		return -1;
	if (len > 0)
		memcpy(p->data + p->len, data, len);
	p->len += len;
	if (p->len < total)
		return (int64_t)p->len;
	/* Complete: it becomes the current snapshot; the old one goes. */
	free(ms->snap.data);
	ms->snap = *p;
	memset(p, 0, sizeof(*p));
	ms->pending_total = 0;
	return (int64_t)total;
}

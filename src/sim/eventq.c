/* eventq.c - see eventq.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "eventq.h"

void eventq_init(struct eventq *q)
{
	memset(q, 0, sizeof(*q)); /* empty; grows on the first push */
}

void eventq_free(struct eventq *q)
{
	size_t i;

	for (i = 0; i < q->len; i++)
		free(q->slab[q->heap[i].slot].extra);
	free(q->heap);
	free(q->slab);
	free(q->free_slots);
	eventq_init(q);
}

static int grow(struct eventq *q)
{
	size_t cap = q->cap ? q->cap * 2 : 256;
	struct eventq_key *heap;
	struct sim_event *slab;
	uint32_t *free_slots;
	size_t i;

	if (cap > UINT32_MAX)
		return -1;
	heap = realloc(q->heap, cap * sizeof(*heap));
	if (heap == NULL)
		return -1;
	q->heap = heap;
	slab = realloc(q->slab, cap * sizeof(*slab));
	if (slab == NULL)
		return -1;
	q->slab = slab;
	free_slots = realloc(q->free_slots, cap * sizeof(*free_slots));
	if (free_slots == NULL)
		return -1;
	q->free_slots = free_slots;
	/* Every slot was in use (the heap was full): the new ones are free,
	 * lowest last so that it is handed out first. */
	for (i = cap; i > q->cap; i--)
		q->free_slots[q->free_len++] = (uint32_t)(i - 1);
	q->cap = cap;
	return 0;
}

static int earlier(const struct eventq_key *a, const struct eventq_key *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

/* Takes a free slot for an event at `at`, files its key, and returns the
 * slot for the caller to fill: no event is built on the stack first.
 * NULL when out of memory. */
static struct sim_event *push_slot(struct eventq *q, int64_t at)
{
	struct eventq_key key;
	size_t i;
	size_t parent;

	if (q->free_len == 0 && grow(q) != 0)
		return NULL;
	key.at = at;
	key.seq = q->next_seq++;
	key.slot = q->free_slots[--q->free_len];
	/* Sift the hole up, then drop the key in once. The new key has the
	 * largest seq, so it only passes parents that are strictly later. */
	i = q->len++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (q->heap[parent].at <= key.at)
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = key;
	return &q->slab[key.slot];
}

int eventq_push(struct eventq *q, const struct sim_event *ev)
{
	struct sim_event *slot = push_slot(q, ev->at);

	if (slot == NULL)
		return -1;
	*slot = *ev;
	return 0;
}

int eventq_push_msg(struct eventq *q, int64_t at,
		    const struct raft_message *msg, void *extra, size_t bytes)
{
	struct sim_event *slot = push_slot(q, at);

	if (slot == NULL)
		return -1;
	slot->at = at;
	slot->msg = *msg;
	slot->extra = extra;
	slot->bytes = bytes;
	slot->reserved = false;
	slot->waiting = false;
	return 0;
}

int eventq_pop(struct eventq *q, struct sim_event *out)
{
	struct eventq_key last;
	size_t i = 0;
	size_t child;
	uint32_t slot;

	if (q->len == 0)
		return -1;
	slot = q->heap[0].slot;
	*out = q->slab[slot];
	q->free_slots[q->free_len++] = slot;
	last = q->heap[--q->len];
	for (;;) {
		child = 2 * i + 1;
		if (child >= q->len)
			break;
		if (child + 1 < q->len &&
		    earlier(&q->heap[child + 1], &q->heap[child]))
			child++;
		if (!earlier(&q->heap[child], &last))
			break;
		q->heap[i] = q->heap[child];
		i = child;
	}
	if (q->len > 0)
		q->heap[i] = last;
	return 0;
}

int64_t eventq_peek_time(const struct eventq *q)
{
	assert(q->len > 0);
	return q->heap[0].at;
}

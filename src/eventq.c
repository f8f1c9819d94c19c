/* eventq.c - see eventq.h. */
#include <assert.h>
#include <stdlib.h>

#include "eventq.h"

void eventq_init(struct eventq *q)
{
	q->heap = NULL;
	q->len = 0;
	q->cap = 0;
	q->next_seq = 0;
}

void eventq_free(struct eventq *q)
{
	free(q->heap);
	eventq_init(q);
}

void eventq_clear(struct eventq *q)
{
	q->len = 0;
	q->next_seq = 0;
}

static int earlier(const struct sim_event *a, const struct sim_event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

int eventq_push(struct eventq *q, const struct sim_event *ev)
{
	size_t i;
	size_t parent;

	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct sim_event *heap = realloc(q->heap, cap * sizeof(*heap));

		if (heap == NULL)
			return -1;
		q->heap = heap;
		q->cap = cap;
	}
	i = q->len++;
	/* Sift the hole up, then drop the event in once. */
	while (i > 0) {
		parent = (i - 1) / 2;
		if (q->heap[parent].at < ev->at ||
		    q->heap[parent].at == ev->at)
			break; /* parent's seq is smaller: it came first */
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = *ev;
	q->heap[i].seq = q->next_seq++;
	return 0;
}

int eventq_pop(struct eventq *q, struct sim_event *out)
{
	struct sim_event last;
	size_t i = 0;
	size_t child;

	if (q->len == 0)
		return -1;
	*out = q->heap[0];
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

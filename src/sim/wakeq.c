/* wakeq.c - see wakeq.h. */
#include <assert.h>
#include <stdlib.h>

#include "wakeq.h"

int wakeq_init(struct wakeq *q, int n)
{
	int i;

	assert(n >= 1);
	q->n = n;
	q->heap = malloc((size_t)n * sizeof(*q->heap));
	q->pos = malloc((size_t)n * sizeof(*q->pos));
	q->at = malloc((size_t)n * sizeof(*q->at));
	if (q->heap == NULL || q->pos == NULL || q->at == NULL) {
		wakeq_free(q);
		return -1;
	}
	for (i = 0; i < n; i++) { /* equal times in id order: a heap */
		q->heap[i] = i;
		q->pos[i] = i;
		q->at[i] = INT64_MAX;
	}
	return 0;
}

void wakeq_free(struct wakeq *q)
{
	free(q->heap);
	free(q->pos);
	free(q->at);
	q->heap = q->pos = NULL;
	q->at = NULL;
}

static int before(const struct wakeq *q, int a, int b)
{
	return q->at[a] < q->at[b] || (q->at[a] == q->at[b] && a < b);
}

static void place(struct wakeq *q, int i, int node)
{
	q->heap[i] = node;
	q->pos[node] = i;
}

void wakeq_set(struct wakeq *q, int node, int64_t at)
{
	int i = q->pos[node];
	int child;

	q->at[node] = at;
	while (i > 0 && before(q, node, q->heap[(i - 1) / 2])) {
		place(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		child = 2 * i + 1;
		if (child >= q->n)
			break;
		if (child + 1 < q->n &&
		    before(q, q->heap[child + 1], q->heap[child]))
			child++;
		if (!before(q, q->heap[child], node))
			break;
		place(q, i, q->heap[child]);
		i = child;
	}
	place(q, i, node);
}

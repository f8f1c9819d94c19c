/* wakeq.h - the simulator's node wake-ups: when each node's core next acts
 * by itself (raft_ticks_until_action). An indexed binary min-heap with one
 * entry per node, ordered by (time, node id): nodes that act at the same
 * virtual time do so in id order, as they did when every tick came round
 * in that order. A node's time changes in place (after each message it
 * takes); INT64_MAX means "not by itself" (down, or after the end).
 */
#ifndef WAKEQ_H
#define WAKEQ_H

#include <stdint.h>

struct wakeq {
	int n;
	int *heap;   /* node ids, heap-ordered */
	int *pos;    /* where each node is in heap */
	int64_t *at; /* each node's wake-up time */
};

/* n nodes, none waking. Returns 0, or -1 when out of memory. */
int wakeq_init(struct wakeq *q, int n);
void wakeq_free(struct wakeq *q);

/* Sets node's wake-up time. */
void wakeq_set(struct wakeq *q, int node, int64_t at);

/* The node that wakes first, and when. */
static inline int wakeq_first(const struct wakeq *q)
{
	return q->heap[0];
}

static inline int64_t wakeq_first_at(const struct wakeq *q)
{
	return q->at[q->heap[0]];
}

#endif

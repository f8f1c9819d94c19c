/* eventq.h - the simulator's message queue: a binary min-heap ordered by
 * (time, sequence), so events at the same virtual time keep the order in
 * which they were scheduled and every run is reproducible.
 *
 * The heap holds small keys; the events themselves sit in a slab with a
 * free list, so sifting moves 24 bytes instead of a whole message. Both
 * grow by doubling and never shrink: after warm-up, scheduling an event
 * allocates nothing (beyond what a message points to: below).
 *
 * A message that points to entries or a snapshot chunk comes with its own
 * copy of them, one block (`extra`, harness_copy_message). The queue owns
 * the block while the event waits: eventq_pop hands it to the caller, and
 * eventq_free frees the blocks of every event still queued.
 */
#ifndef EVENTQ_H
#define EVENTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_msg.h"

/* A message delivery. Ticks need no queue: they come round in a fixed
 * order (sim.c). */
struct sim_event {
	int64_t at; /* virtual microseconds */
	struct raft_message msg;
	void *extra;   /* what msg points to, or NULL; owned */
	size_t bytes;  /* extra's size */
	bool reserved; /* the receiver's service slot is booked (sim.c) */
	bool waiting;  /* counted in its receiver's service queue */
};

struct eventq_key {
	int64_t at;
	uint64_t seq;  /* tie-break: scheduling order */
	uint32_t slot; /* index into the slab */
};

struct eventq {
	struct eventq_key *heap;
	size_t len;
	struct sim_event *slab;
	uint32_t *free_slots;
	size_t free_len;
	size_t cap; /* of heap, slab and free_slots alike */
	uint64_t next_seq;
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);

/* Copies ev in. Returns 0, or -1 when out of memory. */
int eventq_push(struct eventq *q, const struct sim_event *ev);
/* The same, for a message delivered at `at`, with its block of `bytes`.
 * On failure the caller keeps the block. */
int eventq_push_msg(struct eventq *q, int64_t at,
		    const struct raft_message *msg, void *extra, size_t bytes);

/* Removes the earliest event into *out. Returns 0, or -1 if empty. */
int eventq_pop(struct eventq *q, struct sim_event *out);

/* The earliest event's time; the queue must not be empty. */
int64_t eventq_peek_time(const struct eventq *q);

#endif

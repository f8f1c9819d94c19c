/* eventq.h - the simulator's event queue: a binary min-heap ordered by
 * (time, sequence), so events at the same virtual time keep the order in
 * which they were scheduled and every run is reproducible.
 *
 * It grows by doubling and never shrinks: after warm-up, scheduling an
 * event allocates nothing.
 */
#ifndef EVENTQ_H
#define EVENTQ_H

#include <stddef.h>
#include <stdint.h>

#include "raft_msg.h"

enum sim_event_kind { SIM_EV_TICK, SIM_EV_DELIVER };

struct sim_event {
	int64_t at;   /* virtual microseconds */
	uint64_t seq; /* tie-break: scheduling order */
	enum sim_event_kind kind;
	struct raft_message msg; /* SIM_EV_DELIVER */
};

struct eventq {
	struct sim_event *heap;
	size_t len;
	size_t cap;
	uint64_t next_seq;
};

void eventq_init(struct eventq *q);
void eventq_free(struct eventq *q);
void eventq_clear(struct eventq *q);

/* Copies ev in (its seq is assigned here). Returns 0, or -1 when out of
 * memory. */
int eventq_push(struct eventq *q, const struct sim_event *ev);

/* Removes the earliest event into *out. Returns 0, or -1 if empty. */
int eventq_pop(struct eventq *q, struct sim_event *out);

/* The earliest event's time; the queue must not be empty. */
int64_t eventq_peek_time(const struct eventq *q);

#endif

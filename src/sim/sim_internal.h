/* sim_internal.h - the simulator's state, shared by sim.c (the event
 * loop) and sim_ctl.c (inspection and control from outside the schedule).
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "eventq.h"
#include "sim.h"
#include "wakeq.h"

/* A paused node's mailbox: messages wait here until it resumes. */
struct sim_mailbox {
	struct raft_message *mail;
	unsigned len;
};

struct sim_node {
	struct sim_mailbox mailbox;
	uint64_t next_tick; /* the first tick its core has not run */
	int64_t phase;      /* phase_of(i) */
	int64_t wake_at;    /* its next acting tick's time; its key in the
				wake queue may be earlier (reschedule) */
};

struct sim {
	struct raftsim_options opt;
	struct harness h; /* h.tick: the last tick begun by now */
	struct eventq queue;
	struct wakeq wakes;  /* each up node's next acting tick */
	struct raft_rng rng; /* latencies and message fates */
	int64_t now;
	int64_t tick_us;
	int64_t end_us;        /* the last node's last tick */
	uint64_t fault_tick;   /* the next tick the schedule may act on */
	int64_t next_boundary; /* when tick h.tick + 1 begins */
	bool advancing;        /* inside harness_advance, before node ticks */
	enum sim_failure failure; /* the run cannot go on (halted) */
	bool interrupted;         /* SIGINT or SIGTERM stopped it (halted) */
	bool halted;              /* either: nothing more happens */
	/* Nodes' clocks are not aligned: node i ticks i/n of a tick after
	 * node 0, as real servers' timers would. */
	struct sim_node node[];
};

/* Reschedules node i's wake-up after its core changed outside a tick. */
void sim_reschedule(struct sim *s, int i);
/* Runs the silent ticks node i is due by now, before it is looked at or
 * handed something. */
void sim_replay_due(struct sim *s, int i);

#endif

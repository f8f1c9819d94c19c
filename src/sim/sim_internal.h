/* sim_internal.h - the simulator's state, shared by sim.c (the event
 * loop), sim_mail.c (messages), sim_load.c (--load) and sim_ctl.c
 * (inspection and control from outside the schedule).
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "client/clients.h"
#include "eventq.h"
#include "harness/load.h"
#include "sim.h"
#include "wakeq.h"

/* A paused node's mailbox: messages (with their blocks) wait here until
 * it resumes. */
struct sim_mailbox {
	struct sim_event *mail;
	unsigned len;
};

struct sim_node {
	struct sim_mailbox mailbox;
	uint64_t next_tick;    /* the first tick its core has not run */
	int64_t phase;         /* phase_of(i) */
	int64_t wake_at;       /* its next acting tick's time; its key in the
				wake queue may be earlier (reschedule) */
	int64_t serve_until;   /* when the service it has booked ends */
	unsigned slow;         /* --slow's factor, 1 if not slow */
	unsigned waiting;      /* messages waiting for their service slot:
				  at most --mailbox, as a thread's mailbox */
	uint64_t queued_bytes; /* blocks of the messages on their way to it,
				  queued or in its mailbox */
	uint64_t queued_peak;
};

struct sim {
	struct raftsim_options opt;
	struct harness h; /* h.tick: the last tick begun by now */
	struct eventq queue;
	struct wakeq wakes;  /* each up node's next acting tick */
	struct wakeq syncs;  /* each node's sync in flight (--disk) */
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
	struct load load;         /* --load (sim_load.c) */
	bool loading;
	int64_t load_at;        /* the generator's next look; INT64_MAX: none */
	struct clients clients; /* --clients (sim_clients.c) */
	bool have_clients;
	int64_t clients_at; /* their next timer; INT64_MAX: none */
	/* link_at[from * nodes + to]: when the last in-order copy on that
	 * link arrives; a later one never arrives before it (sim_mail.c). */
	int64_t *link_at;
	/* Nodes' clocks are not aligned: node i ticks i/n of a tick after
	 * node 0, as real servers' timers would. */
	struct sim_node node[];
};

/* What every message costs its receiver to handle, before the bytes it
 * carries and the --slow factor (sim_mail.c: service_us). */
#define SIM_SERVICE_BASE_NS 2000

/* sim_mail.c. The harness's deliver op: draws the copy's latency and
 * queues it with its own block. */
int sim_deliver(void *ctx, const struct raft_message *msg, uint64_t extra_us);
/* A queued copy's arrival at its virtual time: lost to a crashed
 * receiver, kept by a paused one, served by an up one (maybe later: its
 * service slot). */
void sim_arrive(struct sim *s, struct sim_event *ev);
/* A copy's end (handled, lost, crashed, left over): frees its block. */
void sim_drop_copy(struct sim *s, struct sim_event *ev);
/* Queues a copy that owns its block for virtual time `at`. Returns 0, or
 * -1 when the run had to end (sim_failure; the block is freed). */
int sim_queue_copy(struct sim *s, int64_t at, const struct raft_message *copy,
		   void *extra, size_t bytes);

/* sim_load.c: the load generator's state, and its turn at load_at. */
int sim_load_init(struct sim *s);
void sim_load_free(struct sim *s);
void sim_load_turn(struct sim *s);

/* sim_clients.c: the clients, started once the nodes are booted; their
 * turn at clients_at, and a reply's arrival. */
int sim_clients_init(struct sim *s);
void sim_clients_start(struct sim *s);
void sim_clients_free(struct sim *s);
void sim_clients_turn(struct sim *s);
void sim_clients_receive(struct sim *s, const struct raft_message *m);

/* Ends the run now (sim_halt: nothing more happens, and sim_run_until
 * returns at once from here on; sim_end_us is now), or because it cannot
 * go on (sim_fail: returns -1). */
void sim_halt(struct sim *s);
int sim_fail(struct sim *s, enum sim_failure why);

/* sim_disk.c (--disk): after node i handled something, its sync starts
 * --disk-ms later if it has unsynced state (one in flight per node);
 * the sync's turn; a crash's end of it. */
void sim_persist(struct sim *s, int i);
void sim_sync_turn(struct sim *s, int i);
void sim_sync_cancel(struct sim *s, int i);

/* After a change outside the schedule (sim_ctl.c): when it may act
 * next. */
void sim_refresh_fault_tick(struct sim *s);

/* Reschedules node i's wake-up after its core changed outside a tick. */
void sim_reschedule(struct sim *s, int i);
/* Runs the silent ticks node i is due by now, before it is looked at or
 * handed something. */
void sim_replay_due(struct sim *s, int i);

#endif

/* runtime.h - the threaded cluster: `raftsim [run]` without --sim.
 *
 * A driver of the harness (src/harness/harness.h), as the simulator is:
 * one pthread per node, each with its own bounded mailbox; ticks at
 * absolute CLOCK_MONOTONIC deadlines (start + k * tick); the harness's
 * send path decides each message's fate (loss, duplication, delay,
 * partitions) and an observer thread advances the fault schedule once per
 * tick (pauses, crashes, restarts). Every core event goes to the monitor
 * (trace, console, checker) under one lock. runtime.c opens with the lock
 * order; runtime_node.c with a message's path.
 *
 * --reorder works here too: a delayed message is stamped "not before" in
 * the receiver's mailbox and later messages may overtake it.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stdint.h>
#include <stdio.h>

#include "cli/options.h"
#include "harness/harness.h"
#include "harness/lathist.h"
#include "raft_state.h"

struct runtime_node_result {
	enum raft_role role;
	uint64_t term;
	int up;                  /* 0: paused or crashed at the end */
	struct raft_stats stats; /* summed across restarts */
	uint64_t mailbox_full;   /* messages dropped by its full mailbox */
	unsigned mailbox_peak;
	struct service_stats service; /* --clients: its client service */
	uint64_t lease_clears; /* turns a tick or more late: lease cleared */
};

struct runtime_result {
	int exit_code;
	int nodes;
	uint64_t ticks;  /* ticks the observer went through */
	int64_t wall_us; /* start event to end event */
	/* The event checker's findings (the verdict). */
	uint64_t violations;
	uint64_t spurious_elections;
	uint64_t elections; /* elections started, all nodes */
	uint64_t leaders_elected;
	/* The network. */
	uint64_t messages_sent;    /* handed to the transport */
	uint64_t messages_lost;    /* --drop, partitions */
	uint64_t messages_dropped; /* full or crashed mailboxes */
	/* Timing, in microseconds. */
	struct lathist tick_late;     /* node ticks: raft_tick after deadline */
	struct lathist observer_late; /* observer wake-ups after deadline */
	struct lathist mail_wait;     /* enqueue (or not-before) to raft_step */
	/* --clients: the clients' figures, the stores' and the fenced
	 * store's (zero without clients). */
	struct clients_stats clients;
	struct harness_client_summary stores;
	struct runtime_node_result node[OPT_MAX_NODES];
};

/* Runs the cluster for o->ticks ticks (fewer if SIGINT or SIGTERM stops
 * it) and prints the verdict. Returns the exit code: EXIT_PASS,
 * EXIT_VIOLATION (an invariant broken, or a spurious election in a run
 * without faults), EXIT_USAGE (the trace file cannot be opened, the
 * configuration is refused), EXIT_RUN_FAILED (out of memory, threads,
 * or an output that failed: harness_verdict) or 128 + the signal. */
int runtime_run(const struct raftsim_options *o, FILE *out, FILE *err);

/* The same, for tests and the benchmark: `tap` (may be NULL) sees every
 * event after the monitor, under the monitor lock, so it must not block or
 * call back into the runtime; `res`, if not NULL, receives the figures (it
 * is large: allocate it on the heap). */
int runtime_run_with(const struct raftsim_options *o, FILE *out, FILE *err,
		     const struct harness_tap *tap, struct runtime_result *res);

/* Something that steers a threaded run from outside (--live, cli/live.h).
 * The observer calls poll at every wake-up, at least every
 * RUNTIME_CONTROL_PERIOD_US, on its own thread and holding no lock, after
 * the ticks it began: poll may apply faults (harness_pause, harness_crash,
 * harness_partition...) and read nodes, each under its lock. started: once
 * the node threads run; stopped: after the observer's last tick, before
 * the verdict is printed. Any may be NULL. */
#define RUNTIME_CONTROL_PERIOD_US 50000
struct runtime_control {
	void (*started)(void *ctx, struct harness *h);
	void (*poll)(void *ctx, struct harness *h);
	void (*stopped)(void *ctx);
	void *ctx;
};

/* runtime_run_with, steered by `ctl` (may be NULL). With a control the
 * console prints no event lines: the control owns the screen. */
int runtime_run_control(const struct raftsim_options *o, FILE *out, FILE *err,
			const struct harness_tap *tap,
			const struct runtime_control *ctl,
			struct runtime_result *res);

#endif

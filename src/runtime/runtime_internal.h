/* runtime_internal.h - what runtime.c, runtime_node.c and runtime_observer.c
 * share. The lock order and what each lock guards are at the top of
 * runtime.c; the comments here only say which lock a field belongs to.
 */
#ifndef RUNTIME_INTERNAL_H
#define RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/faults.h"
#include "lathist.h"
#include "mailbox.h"
#include "harness/monitor.h"
#include "cli/options.h"
#include "raft.h"
#include "runtime.h"

struct cluster;

struct rnode {
	struct cluster *c;
	int id;
	pthread_t thread;
	bool started;        /* main thread only */

	pthread_mutex_t mu;  /* the node lock: every field down to `mb` */
	struct raft_state raft;
	enum node_status status;
	struct raft_durable durable; /* saved at a crash */
	uint64_t restarts;
	uint64_t tick;       /* the tick this node handled last */
	uint64_t next_tick;  /* the tick whose deadline it waits for */
	bool resync;         /* resumed or restarted: skip to the present */
	struct raft_rng net_rng; /* message fates of what this node sends */
	uint64_t sent;
	uint64_t lost;       /* --drop or a partition */
	struct lathist tick_late;
	struct lathist mail_wait;

	struct mailbox mb;   /* its own lock */
};

/* One sample of a node, taken by the observer under the node lock. */
struct sample {
	enum raft_role role;
	uint64_t term;
	enum node_status status;
	uint64_t elections;
};

/* The observer's state: touched only by the observer (the main thread). */
struct observer {
	struct sample prev[OPT_MAX_NODES];
	struct sample cur[OPT_MAX_NODES];
	uint64_t up_streak[OPT_MAX_NODES];   /* samples in a row up */
	uint64_t lead_streak[OPT_MAX_NODES]; /* ... up and leader, one term */
	uint64_t led_term[OPT_MAX_NODES];    /* last term seen leading, or 0 */
	uint64_t regroup_tick;               /* last partition or heal */
	uint64_t live_violations;
	uint64_t live_spurious;
	uint64_t ticks;
	struct lathist late;
	struct fault_action actions[FAULT_MAX_ACTIONS];
	pthread_mutex_t wait_mu;             /* only for timed waits */
	pthread_cond_t wait_cond;
};

struct cluster {
	const struct raftsim_options *o;
	int n;
	int64_t tick_us;
	int64_t start_us;    /* written before the gate opens, then read-only */

	pthread_mutex_t gate_mu; /* node threads wait here for start_us */
	pthread_cond_t gate_cond;
	bool gate_open;

	pthread_mutex_t net_mu; /* the net lock: faults */
	struct faults faults;

	pthread_mutex_t mon_mu; /* the monitor lock: mon, tap, err */
	struct monitor mon;     /* and through it the trace, console, checker */
	FILE *err;
	struct runtime_tap tap;

	struct observer obs;
	struct rnode node[];
};

/* runtime_node.c */
void *node_main(void *arg);
/* Starts (or restarts, from rn->durable) the node's core. Node lock held,
 * or the thread not started yet. Returns a RAFT_* code. */
int node_boot(struct rnode *rn, bool restart);
/* Microseconds since the run started; call under the monitor lock so
 * events come out in time order. */
int64_t cluster_elapsed_us(const struct cluster *c);
/* Stamps and records one world event (takes the monitor lock). */
void cluster_publish(struct cluster *c, struct wev *w);

/* runtime_observer.c */
int observer_init(struct cluster *c);
void observer_destroy(struct cluster *c);
/* Runs ticks 1..o->ticks; returns when the last one has been observed. */
void observer_run(struct cluster *c);

#endif

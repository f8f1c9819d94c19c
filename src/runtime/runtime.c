/* runtime.c - the threaded cluster; see runtime.h.
 *
 * THREADS, LOCKS AND LOCK ORDER (read this before touching the runtime).
 *
 * Threads:
 *  - Node thread i, one per node (runtime_node.c). Changes node i's
 *    raft_state, always under node lock i. Pushes into other nodes'
 *    mailboxes (their mailbox lock only), reads partitions under the net
 *    lock, and records its core's events under the monitor lock.
 *  - The observer: the main thread, which also starts and stops the others
 *    (runtime_observer.c). Once per tick it reads every node under that
 *    node's lock, one node at a time; applies pause, resume, crash and
 *    restart to a node under its lock (a restart is the only raft_init after
 *    start, done by the observer under the node lock); advances the fault
 *    schedule under the net lock; owns struct observer alone.
 *
 * Locks, and what each guards:
 *  - node lock (rnode.mu), one per node: its raft_state, status, durable
 *    copy, tick counters, message-fate generator, counters and histograms.
 *  - mailbox lock (mailbox.mu), one per node: its ring, mode (run, frozen,
 *    closed), stop flag and drop counters. Anyone pushes; only the owner
 *    waits on its condition variable and takes.
 *  - net lock (cluster.net_mu): struct faults. The observer changes it;
 *    transports read faults_connected() under it.
 *  - monitor lock (cluster.mon_mu): the monitor (trace file, console,
 *    checker), the tap, the error stream, and the clock reading that stamps
 *    each event, so trace lines come out in non-decreasing "ms".
 *  - gate lock and the observer's wait lock: private to start-up and to the
 *    observer's timed waits; nothing is taken under them.
 *
 * Order (left before right, never the reverse):
 *      node lock -> net lock
 *      node lock -> mailbox lock (its own, or a receiver's)
 *      node lock -> monitor lock
 * The net, mailbox and monitor locks are leaves: nothing is taken while one
 * is held. No thread ever holds two node locks: a sender reaches a receiver
 * only through the receiver's mailbox, and the observer visits nodes one by
 * one.
 *
 * After the observer's last tick the main thread stops every mailbox and
 * joins every node thread; after the joins it reads all state unlocked.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "runtime_internal.h"

/* Node threads need little stack (a batch of mail, a trace line); 1 MiB
 * keeps 256 of them cheap and leaves room for the sanitizers. */
#define NODE_STACK (1u << 20)

static void cluster_free(struct cluster *c, int inited)
{
	int i;

	for (i = 0; i < inited; i++) {
		mailbox_destroy(&c->node[i].mb);
		pthread_mutex_destroy(&c->node[i].mu);
	}
	free(c);
}

static int node_init(struct cluster *c, int id)
{
	struct rnode *rn = &c->node[id];
	int rv;

	rn->c = c;
	rn->id = id;
	rv = pthread_mutex_init(&rn->mu, NULL);
	if (rv != 0)
		goto err;
	rv = mailbox_init(&rn->mb, c->o->mailbox);
	if (rv != 0)
		goto err_mu;
	raft_rng_seed(&rn->net_rng,
		      raft_rng_derive(c->o->seed, 0x6e6574 + (uint64_t)id));
	lathist_init(&rn->tick_late);
	lathist_init(&rn->mail_wait);
	rv = node_boot(rn, false);
	if (rv != RAFT_OK) {
		rv = EINVAL;
		goto err_mb;
	}
	return 0;
err_mb:
	mailbox_destroy(&rn->mb);
err_mu:
	pthread_mutex_destroy(&rn->mu);
err:
	return rv;
}

/* Allocates the cluster and its mailboxes; returns NULL with errno-like
 * *why set on failure. */
static struct cluster *cluster_new(const struct raftsim_options *o, FILE *err,
				   const struct runtime_tap *tap, int *why)
{
	struct cluster *c;
	int i = 0;
	int rv;

	c = calloc(1, sizeof(*c) + (size_t)o->nodes * sizeof(c->node[0]));
	if (c == NULL) {
		rv = ENOMEM;
		goto err;
	}
	c->o = o;
	c->n = o->nodes;
	c->err = err;
	c->tick_us = (int64_t)o->tick_us;
	if (tap != NULL)
		c->tap = *tap;
	faults_init(&c->faults, o, o->seed);
	/* Static-style initializers are not enough for condition variables
	 * on CLOCK_MONOTONIC, so everything is initialized alike. */
	if ((rv = pthread_mutex_init(&c->gate_mu, NULL)) != 0 ||
	    (rv = pthread_cond_init(&c->gate_cond, NULL)) != 0 ||
	    (rv = pthread_mutex_init(&c->net_mu, NULL)) != 0 ||
	    (rv = pthread_mutex_init(&c->mon_mu, NULL)) != 0 ||
	    (rv = observer_init(c)) != 0)
		goto err_free; /* only fails without memory: leak the rest */
	for (i = 0; i < c->n; i++) {
		rv = node_init(c, i);
		if (rv != 0)
			goto err_nodes;
	}
	return c;
err_nodes:
	observer_destroy(c);
err_free:
	cluster_free(c, i);
err:
	*why = rv;
	return NULL;
}

static void cluster_destroy(struct cluster *c)
{
	observer_destroy(c);
	pthread_mutex_destroy(&c->mon_mu);
	pthread_mutex_destroy(&c->net_mu);
	pthread_cond_destroy(&c->gate_cond);
	pthread_mutex_destroy(&c->gate_mu);
	cluster_free(c, c->n);
}

static void open_gate(struct cluster *c)
{
	pthread_mutex_lock(&c->gate_mu);
	c->gate_open = true;
	pthread_cond_broadcast(&c->gate_cond);
	pthread_mutex_unlock(&c->gate_mu);
}

static void stop_and_join(struct cluster *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		mailbox_stop(&c->node[i].mb);
	open_gate(c); /* in case start-up failed before it opened */
	for (i = 0; i < c->n; i++) {
		if (!c->node[i].started)
			continue;
		pthread_join(c->node[i].thread, NULL);
		c->node[i].started = false;
	}
}

/* Starts every node thread behind the gate. Returns 0 or an errno value,
 * after stopping the threads already started. */
static int start_threads(struct cluster *c)
{
	pthread_attr_t attr;
	int rv;
	int i;

	rv = pthread_attr_init(&attr);
	if (rv != 0)
		goto err;
	rv = pthread_attr_setstacksize(&attr, NODE_STACK);
	for (i = 0; rv == 0 && i < c->n; i++) {
		rv = pthread_create(&c->node[i].thread, &attr, node_main,
				    &c->node[i]);
		c->node[i].started = rv == 0;
	}
	pthread_attr_destroy(&attr);
	if (rv != 0)
		stop_and_join(c);
err:
	return rv;
}

static void fill_result(const struct cluster *c, struct runtime_result *res,
			int64_t wall_us, int code)
{
	const struct rnode *rn;
	int i;

	memset(res, 0, sizeof(*res));
	res->exit_code = code;
	res->nodes = c->n;
	res->ticks = c->obs.ticks;
	res->wall_us = wall_us;
	res->violations = checker_violation_count(c->mon.checker);
	res->spurious_elections = checker_spurious_elections(c->mon.checker);
	res->elections = c->mon.elections;
	res->leaders_elected = c->mon.leaders_elected;
	res->live_violations = c->obs.live_violations;
	res->live_spurious = c->obs.live_spurious;
	lathist_init(&res->tick_late);
	lathist_init(&res->mail_wait);
	res->observer_late = c->obs.late;
	for (i = 0; i < c->n; i++) {
		rn = &c->node[i];
		res->node[i].role = rn->raft.role;
		res->node[i].term = rn->raft.current_term;
		res->node[i].up = rn->status == NODE_UP;
		res->node[i].stats = rn->raft.stats;
		res->node[i].mailbox_full = rn->mb.dropped_full;
		res->node[i].mailbox_peak = rn->mb.peak;
		res->messages_sent += rn->sent;
		res->messages_lost += rn->lost;
		res->messages_dropped += rn->mb.dropped_full +
					 rn->mb.dropped_closed;
		lathist_merge(&res->tick_late, &rn->tick_late);
		lathist_merge(&res->mail_wait, &rn->mail_wait);
	}
}

/* The verdict: the monitor's, failed further by the observer's findings
 * when the event checker missed them. Threads joined. */
static int verdict(struct cluster *c, FILE *out, FILE *err)
{
	struct node_summary sum[OPT_MAX_NODES];
	const struct observer *obs = &c->obs;
	int code;
	int i;

	for (i = 0; i < c->n; i++) {
		const struct rnode *rn = &c->node[i];

		sum[i].role = rn->raft.role;
		sum[i].term = rn->raft.current_term;
		sum[i].timeout_resets = rn->raft.stats.timeout_resets;
		sum[i].elections_started = rn->raft.stats.elections_started;
		sum[i].up = rn->status == NODE_UP;
	}
	code = monitor_verdict(&c->mon, sum, c->n, out, err);
	if (obs->live_spurious > 0 && !options_have_faults(c->o))
		fprintf(err, "raftsim: observer: %llu spurious election(s) in "
			"a run without faults\n",
			(unsigned long long)obs->live_spurious);
	if (obs->live_violations > 0 ||
	    (obs->live_spurious > 0 && !options_have_faults(c->o))) {
		if (code == EXIT_PASS)
			fprintf(err, "raftsim: FAIL: the observer's live check "
				"failed a run the event checker passed\n");
		code = EXIT_VIOLATION;
	}
	if (c->mon.trace_failed) {
		fprintf(err, "raftsim: --trace: writing '%s' failed\n",
			c->o->trace_path);
		if (code == EXIT_PASS)
			code = EXIT_VIOLATION;
	}
	return code;
}

int runtime_run_with(const struct raftsim_options *o, FILE *out, FILE *err,
		     const struct runtime_tap *tap, struct runtime_result *res)
{
	struct cluster *c = NULL;
	struct run_info info;
	FILE *trace = NULL;
	int64_t wall_us;
	int code = EXIT_USAGE;
	int rv;

	assert(o != NULL && out != NULL && err != NULL);
	assert(o->nodes >= 1 && o->nodes <= OPT_MAX_NODES);
	assert(o->ticks > 0 && o->tick_us > 0 && o->mailbox > 0);
	if (o->trace_path != NULL) {
		trace = fopen(o->trace_path, "w");
		if (trace == NULL) {
			fprintf(err, "raftsim: --trace: cannot open '%s': %s\n",
				o->trace_path, strerror(errno));
			goto err;
		}
	}
	c = cluster_new(o, err, tap, &rv);
	if (c == NULL) {
		fprintf(err, "raftsim: cannot set up %d nodes: %s\n", o->nodes,
			rv == EINVAL ? "configuration refused" : strerror(rv));
		goto err_trace;
	}
	run_info_from_options(&info, o, "threads");
	if (monitor_init(&c->mon, &info, trace, o->quiet ? NULL : out) != 0) {
		fprintf(err, "raftsim: out of memory\n");
		goto err_cluster;
	}
	if (c->tap.event != NULL) {
		struct wev start = {0};

		start.type = WEV_START;
		start.info = &c->mon.info;
		c->tap.event(c->tap.ctx, &start);
	}
	rv = start_threads(c);
	if (rv != 0) {
		fprintf(err, "raftsim: cannot start %d node threads: %s\n",
			o->nodes, strerror(rv));
		goto err_monitor;
	}
	/* Written before the gate opens: the threads read it after. */
	c->start_us = clock_now_us();
	open_gate(c);
	observer_run(c);
	stop_and_join(c);
	wall_us = cluster_elapsed_us(c);
	monitor_end(&c->mon, wall_us, c->obs.ticks);
	code = verdict(c, out, err);
	if (res != NULL)
		fill_result(c, res, wall_us, code);
err_monitor:
	monitor_free(&c->mon);
err_cluster:
	cluster_destroy(c);
err_trace:
	if (trace != NULL && fclose(trace) != 0 && code == EXIT_PASS) {
		fprintf(err, "raftsim: --trace: closing '%s' failed\n",
			o->trace_path);
		code = EXIT_VIOLATION;
	}
err:
	if (res != NULL) {
		if (code == EXIT_USAGE) /* nothing ran */
			memset(res, 0, sizeof(*res));
		res->exit_code = code;
	}
	return code;
}

int runtime_run(const struct raftsim_options *o, FILE *out, FILE *err)
{
	return runtime_run_with(o, out, err, NULL, NULL);
}

/* runtime.c - the threaded cluster, a driver of the harness
 * (src/harness/harness.h); see runtime.h. runtime_node.c's top comment
 * follows a message from the sender's transport to the receiver's
 * raft_step.
 *
 * THREADS, LOCKS AND LOCK ORDER (read this before touching the runtime).
 *
 * Threads:
 *  - Node thread i, one per local node (runtime_node.c; raftsim node runs
 *    only its own, the others are other processes). Changes node i's
 *    raft_state (c->h.node[i]), always under node lock i. Through the
 *    harness's send path it reads partitions under the net lock and pushes
 *    into other nodes' mailboxes (their mailbox lock only, released
 *    before a copy lost to a full one is reported); the harness records its
 *    core's events, those losses and its own late ticks under the monitor
 *    lock.
 *  - The observer: the main thread, which also starts and stops the others
 *    (runtime_observer.c). With --live it also applies the keys' faults
 *    (runtime.h's control: poll, holding no lock, as for the schedule). It begins every tick with harness_advance
 *    (tickless: several at a wake-up, when nothing can happen on them),
 *    which for a --pause leader@TICK reads every node under that node's
 *    lock, one node at a time (the leader); advances the fault schedule
 *    under the net lock; and applies pause, resume, crash and restart to a
 *    node under its lock (a restart is the only raft_init after start),
 *    publishing the event, replaying the silent ticks a node going down
 *    slept through (raft_tick) and setting the node's mailbox mode under
 *    that same lock. It owns struct observer alone. It stops early, at a
 *    tick boundary, when SIGINT or SIGTERM asks (harness/harness_stop.h).
 *  - The load thread, with --load (runtime_load.c): finds the leader
 *    (harness_leader: each node lock alone, in turn) and pushes proposals
 *    into its mailbox (that mailbox lock alone); its own load lock only
 *    guards its sleep, stop and kick flags, and is taken with nothing else
 *    held. A leader's node thread, applying, sets the kick flag and
 *    signals under the load lock (a leaf).
 *  - The client thread, with --clients (runtime_clients.c): runs the
 *    run's struct clients, which is its own (no lock guards it; the main
 *    thread reads it only after the join). Its requests go through the
 *    harness's client send path into a node's mailbox (that mailbox lock
 *    alone; the node is woken after a few, with no lock held), its
 *    history events out under the monitor lock; it takes either with
 *    nothing else held. Replies reach it through its inbox: a node
 *    thread, in its step under its node lock, appends under the inbox
 *    lock (a leaf), and wakes the client thread after a few replies or at
 *    the end of its turn, the inbox lock released; the client thread
 *    swaps the list out under that lock and handles it with none held.
 *  - With --transport tcp, the transport's loop thread (src/net/tcp.h,
 *    runtime_tcp.c): pushes each message it decodes into the receiver's
 *    mailbox (that mailbox lock alone), and reports a copy a full mailbox
 *    lost under the monitor lock, holding nothing else; in raftsim node
 *    it first reads the partition under the net lock, alone too, and
 *    before it writes frames it waits, holding no lock, until the trace
 *    writer has handed every line to the kernel (writer_sync). It never
 *    takes a node lock. A sender's tcp_send takes a tcp queue lock (and for a
 *    reply to a remote client the routes lock above it) under its node
 *    lock: leaves, as a mailbox lock is.
 *  - Two writer threads, the trace's and the console's (when there is a
 *    trace, or a console): each takes only its own writer lock.
 *  - With --live, its view thread (cli/live_screen.c): reads each node
 *    under its node lock alone, 20 times a second, and takes the live
 *    lock (cli/live_internal.h) with nothing else held. The tap takes the
 *    live lock under the monitor lock.
 *
 * Locks, and what each guards (the harness takes them through
 * runtime_node_ops: HARNESS_LOCK_NODE, _NET and _EVENTS):
 *  - node lock (rnode.mu), one per node: its harness node (raft_state,
 *    status, durable copy, restarts, tick, message-fate generator,
 *    counters, and with --data-dir its WAL and the messages held for
 *    its sync), and its rnode's tick counters and histograms. With
 *    --data-dir it is held across the node's fdatasync at the end of
 *    each turn (group commit, harness_disk.h) and across wal_open at a
 *    restart: an observer that takes it (harness_leader, the summary, a
 *    fault) waits at most one fsync or one recovery. No other lock is
 *    held across disk I/O.
 *  - mailbox lock (mailbox.mu), one per node: its ring, mode (run, frozen,
 *    closed), stop flag and drop counters. Anyone pushes; only the owner
 *    waits on its condition variable and takes.
 *  - net lock (cluster.net_mu): the harness's struct faults. The observer
 *    changes it; the send path reads faults_connected() under it.
 *  - monitor lock (cluster.mon_mu): the monitor (its trace and console
 *    streams' producer side, the checker), the tap, and the clock reading
 *    that stamps each event, so trace lines come out in non-decreasing
 *    "ms". No I/O happens under it: lines go into the writers' rings.
 *  - writer lock (writer.mu), one per output stream (trace, console):
 *    its ring. The monitor puts lines under it; the stream's writer thread
 *    takes them under it and writes them out with no lock held, so a
 *    stalled stdout or disk never holds a node (src/harness/writer.h). A
 *    trace put may wait on the writer's room condition for up to
 *    WRITER_KEEP_WAIT_US, holding the locks above it; a console put never
 *    waits (a full ring drops the line, counted).
 *  - load lock (rload.mu): the load thread's stop and kick flags, and
 *    its sleep.
 *  - inbox lock (rclients.mu): the replies queued for the clients, their
 *    thread's stop flag, and its sleep.
 *  - fenced store lock (cluster.fenced_mu): the harness's fenced store
 *    (--fenced-store). A leader's thread writes to it in its step, under
 *    its node lock; the summary reads it after the run. Its refusals are
 *    published after it is released.
 *  - tcp queue locks and the tcp routes lock (net/tcp_internal.h): a
 *    peer's send queue; the reply routes to remote clients.
 *  - gate lock and the observer's wait lock: private to start-up and to the
 *    observer's timed waits; nothing is taken under them.
 *
 * Order (left before right, never the reverse):
 *      node lock -> net lock
 *      node lock -> mailbox lock (its own, or a receiver's)
 *      node lock -> monitor lock -> writer lock
 *      node lock -> load lock
 *      node lock -> inbox lock
 *      node lock -> fenced store lock
 *      node lock -> monitor lock -> live lock (--live's tap)
 *      node lock -> tcp routes lock -> tcp queue lock
 * The net, mailbox, writer, load, inbox, fenced store, live and tcp queue
 * locks are leaves (the tcp routes lock has only a queue lock under it): nothing is taken while one is held; under the monitor lock, only
 * a writer lock or the live lock. No thread ever holds two node locks: a
 * sender reaches a receiver only through the receiver's mailbox, and the
 * observer (and --live's view thread) visits nodes one by one. The load
 * and client threads hold no lock while they take another (only their
 * own, to test flags and sleep). No lock is held while a thread sleeps,
 * except the one its condition variable waits on.
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

/* Node threads need little stack (a batch of mail, a trace line, a
 * heartbeat round's list of followers: about 20 KiB at 1024 nodes); 1 MiB
 * keeps 1024 of them cheap and leaves room for the sanitizers. */
#define NODE_STACK (1u << 20)

static void nodes_destroy(struct cluster *c, int inited)
{
	int i;

	for (i = 0; i < inited; i++) {
		mailbox_destroy(&c->node[i].mb);
		pthread_mutex_destroy(&c->node[i].mu);
	}
}

static int node_init(struct cluster *c, int id)
{
	struct rnode *rn = &c->node[id];
	int rv;

	rn->c = c;
	rn->id = id;
	rn->resync = true; /* its first turn finds the present tick */
	rn->slow = options_slow_factor(c->o, id);
	lathist_init(&rn->tick_late);
	lathist_init(&rn->mail_wait);
	rv = pthread_mutex_init(&rn->mu, NULL);
	if (rv != 0)
		goto err;
	rv = mailbox_init(&rn->mb, c->o->mailbox);
	if (rv != 0)
		goto err_mu;
	return 0;
err_mu:
	pthread_mutex_destroy(&rn->mu);
err:
	return rv;
}

/* Allocates the cluster, its locks, mailboxes and booted nodes. Returns
 * NULL with an errno value in *why on failure (EINVAL: the configuration
 * was refused; EEXIST, EIO: the storage, with msg saying why), having
 * released everything it had taken. */
static struct cluster *cluster_new(const struct raftsim_options *o,
				   struct monitor *mon,
				   const struct harness_tap *tap, int *why,
				   char *msg, size_t msg_len)
{
	struct harness_ops ops;
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
	c->tick_us = (int64_t)o->tick_us;
	/* Static-style initializers are not enough for condition variables
	 * on CLOCK_MONOTONIC, so everything is initialized alike. */
	if ((rv = pthread_mutex_init(&c->gate_mu, NULL)) != 0)
		goto err_free;
	if ((rv = pthread_cond_init(&c->gate_cond, NULL)) != 0)
		goto err_gate_mu;
	if ((rv = pthread_mutex_init(&c->net_mu, NULL)) != 0)
		goto err_gate_cond;
	if ((rv = pthread_mutex_init(&c->mon_mu, NULL)) != 0)
		goto err_net_mu;
	if ((rv = pthread_mutex_init(&c->fenced_mu, NULL)) != 0)
		goto err_mon_mu;
	if ((rv = runtime_observer_init(c)) != 0)
		goto err_fenced_mu;
	ops = runtime_node_ops(c);
	if (harness_init(&c->h, o, &ops, mon) != 0) {
		rv = ENOMEM;
		goto err_observer;
	}
	if (tap != NULL)
		c->h.tap = *tap;
	for (i = 0; i < c->n; i++)
		if ((rv = node_init(c, i)) != 0)
			goto err_nodes;
	rv = harness_boot(&c->h);
	if (rv == RAFT_ESTORAGE && c->h.boot_exit != 0) {
		snprintf(msg, msg_len, "%s", c->h.boot_msg);
		rv = c->h.boot_exit == EXIT_USAGE ? EEXIST : EIO;
		goto err_nodes;
	}
	if (rv != RAFT_OK) {
		rv = rv == RAFT_ENOMEM ? ENOMEM : EINVAL;
		goto err_nodes;
	}
	if ((rv = runtime_load_init(c)) != 0)
		goto err_nodes;
	if ((rv = runtime_clients_init(c)) != 0)
		goto err_load;
	return c;
err_load:
	runtime_load_destroy(c);
err_nodes:
	nodes_destroy(c, i);
	harness_close(&c->h);
err_observer:
	runtime_observer_destroy(c);
err_fenced_mu:
	pthread_mutex_destroy(&c->fenced_mu);
err_mon_mu:
	pthread_mutex_destroy(&c->mon_mu);
err_net_mu:
	pthread_mutex_destroy(&c->net_mu);
err_gate_cond:
	pthread_cond_destroy(&c->gate_cond);
err_gate_mu:
	pthread_mutex_destroy(&c->gate_mu);
err_free:
	free(c);
err:
	*why = rv;
	return NULL;
}

static void cluster_destroy(struct cluster *c)
{
	runtime_clients_destroy(c);
	runtime_load_destroy(c);
	nodes_destroy(c, c->n);
	harness_close(&c->h);
	runtime_observer_destroy(c);
	pthread_mutex_destroy(&c->fenced_mu);
	pthread_mutex_destroy(&c->mon_mu);
	pthread_mutex_destroy(&c->net_mu);
	pthread_cond_destroy(&c->gate_cond);
	pthread_mutex_destroy(&c->gate_mu);
	free(c);
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
		if (!harness_node_local(&c->h, i))
			continue; /* another process's (raftsim node) */
		rv = pthread_create(&c->node[i].thread, &attr,
				    runtime_node_main, &c->node[i]);
		c->node[i].started = rv == 0;
	}
	pthread_attr_destroy(&attr);
	if (rv != 0)
		stop_and_join(c);
err:
	return rv;
}

/* The figures of a finished run. Threads joined. */
static void fill_result(struct cluster *c, struct runtime_result *res,
			int64_t wall_us, int code)
{
	const struct monitor *mon = c->h.mon;
	int i;

	memset(res, 0, sizeof(*res));
	res->exit_code = code;
	res->nodes = c->n;
	res->ticks = c->obs.ticks;
	res->wall_us = wall_us;
	res->violations = checker_violation_count(mon->checker);
	res->spurious_elections = checker_spurious_elections(mon->checker);
	res->elections = mon->elections;
	res->leaders_elected = mon->leaders_elected;
	lathist_init(&res->tick_late);
	lathist_init(&res->mail_wait);
	res->observer_late = c->obs.late;
	for (i = 0; i < c->n; i++) {
		const struct harness_node *hn = &c->h.node[i];
		const struct rnode *rn = &c->node[i];

		res->node[i].role = hn->raft.role;
		res->node[i].term = hn->raft.current_term;
		res->node[i].up = hn->status == NODE_UP;
		res->node[i].stats = hn->raft.stats;
		res->node[i].mailbox_full = rn->mb.dropped_full;
		res->node[i].mailbox_peak = rn->mb.peak;
		res->messages_sent += hn->sent;
		res->messages_lost += hn->lost;
		res->messages_dropped += rn->mb.dropped_full +
					 rn->mb.dropped_closed;
		lathist_merge(&res->tick_late, &rn->tick_late);
		lathist_merge(&res->mail_wait, &rn->mail_wait);
		res->node[i].lease_clears = rn->lease_clears;
		if (hn->service_ready)
			res->node[i].service = hn->service.stats;
	}
	if (c->clients.active) {
		res->clients = c->clients.run.stats;
		harness_client_summary(&c->h, &res->stores);
	}
}

int runtime_run_control(const struct raftsim_options *o, FILE *out, FILE *err,
			const struct harness_tap *tap,
			const struct runtime_control *ctl,
			struct runtime_result *res)
{
	struct harness_output output;
	char msg[512] = "";
	struct cluster *c;
	bool ran = false;
	int64_t wall_us;
	int code;
	int rv;

	assert(o != NULL && out != NULL && err != NULL);
	assert(o->nodes >= 1 && o->nodes <= OPT_MAX_NODES);
	assert(o->ticks > 0 && o->tick_us > 0 && o->mailbox > 0);
	code = harness_output_open(&output, o,
				   o->command == CMD_NODE ? "node" : "threads",
				   o->quiet || ctl != NULL ? NULL : out, err);
	if (code != EXIT_PASS)
		goto err;
	c = cluster_new(o, &output.mon, tap, &rv, msg, sizeof(msg));
	if (c == NULL && (rv == EEXIST || rv == EIO)) {
		fprintf(err, "raftsim: %s\n", msg);
		code = rv == EEXIST ? EXIT_USAGE : EXIT_RUN_FAILED;
		goto err_output;
	}
	if (c == NULL) {
		fprintf(err, "raftsim: cannot set up %d nodes: %s\n", o->nodes,
			rv == EINVAL ? "configuration refused" : strerror(rv));
		code = rv == EINVAL ? EXIT_USAGE : EXIT_RUN_FAILED;
		goto err_output;
	}
	c->ctl = ctl;
	/* Every pair connected before the clock starts: the first election
	 * is not judged on connection set-up. */
	code = runtime_tcp_open(c, err);
	if (code != EXIT_PASS)
		goto err_cluster;
	if (tap != NULL && tap->event != NULL) {
		struct wev start = {0};

		start.type = WEV_START;
		start.info = &output.mon.info;
		tap->event(tap->ctx, &start);
	}
	rv = start_threads(c);
	if (rv != 0) {
		fprintf(err, "raftsim: cannot start %d node threads: %s\n",
			o->nodes, strerror(rv));
		code = EXIT_RUN_FAILED;
		goto err_cluster;
	}
	/* Written before the gate opens: the threads read it after.
	 * raftsim node's time 0 is the one its start line gave (mono_us),
	 * so that other processes' traces can be merged on it. */
	c->start_us = output.mon.info.one_node ? output.mon.info.mono_us
					       : clock_now_us();
	/* A resumed run's restarts at its time 0, before any node acts. */
	harness_announce(&c->h);
	open_gate(c);
	rv = runtime_load_start(c);
	if (rv != 0)
		fprintf(err, "raftsim: cannot start the load thread: %s\n",
			strerror(rv));
	else if ((rv = runtime_clients_start(c)) != 0)
		fprintf(err, "raftsim: cannot start the client thread: %s\n",
			strerror(rv));
	else {
		if (ctl != NULL && ctl->started != NULL)
			ctl->started(ctl->ctx, &c->h);
		runtime_observer_run(c);
	}
	if (ctl != NULL && ctl->stopped != NULL)
		ctl->stopped(ctl->ctx);
	runtime_clients_stop(c);
	runtime_load_stop(c);
	stop_and_join(c);
	runtime_tcp_close(c);
	runtime_report_stuck(c);
	wall_us = runtime_elapsed_us(c);
	code = harness_verdict(&c->h, wall_us, c->obs.ticks, out, err);
	runtime_tcp_summary(c, out);
	if (rv != 0)
		code = EXIT_RUN_FAILED;
	ran = true;
	if (res != NULL)
		fill_result(c, res, wall_us, code);
err_cluster:
	runtime_tcp_close(c);
	cluster_destroy(c);
err_output:
	code = harness_output_close(&output, code, err);
err:
	if (res != NULL) {
		if (!ran)
			memset(res, 0, sizeof(*res));
		res->exit_code = code;
	}
	return code;
}

int runtime_run_with(const struct raftsim_options *o, FILE *out, FILE *err,
		     const struct harness_tap *tap, struct runtime_result *res)
{
	return runtime_run_control(o, out, err, tap, NULL, res);
}

int runtime_run(const struct raftsim_options *o, FILE *out, FILE *err)
{
	return runtime_run_with(o, out, err, NULL, NULL);
}

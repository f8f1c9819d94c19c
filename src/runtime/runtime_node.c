/* runtime_node.c - a node's thread, its transport and its event sink.
 *
 * The thread sleeps on its mailbox until mail is ready or its next tick
 * deadline (start + k * tick) comes, then takes its node lock and handles
 * what is due: mail first (it arrived before the deadline it woke for),
 * then at most one raft_tick. See runtime.c for the lock order.
 */
#include <assert.h>

#include "clock.h"
#include "runtime_internal.h"

/* Mail handled per turn; the rest waits for the next turn, a few
 * microseconds later, so one busy node cannot starve its own ticks. */
#define NODE_BATCH 32

int64_t cluster_elapsed_us(const struct cluster *c)
{
	return clock_now_us() - c->start_us;
}

void cluster_publish(struct cluster *c, struct wev *w)
{
	pthread_mutex_lock(&c->mon_mu);
	w->us = cluster_elapsed_us(c);
	monitor_event(&c->mon, w);
	if (c->tap.event != NULL)
		c->tap.event(c->tap.ctx, w);
	pthread_mutex_unlock(&c->mon_mu);
}

/* The core's event sink: called by the node's own thread (or by the
 * observer during a restart) with the node lock held. */
static void node_emit(void *ctx, const struct raft_event *ev)
{
	struct rnode *rn = ctx;
	struct cluster *c = rn->c;
	struct wev w;

	pthread_mutex_lock(&c->mon_mu);
	w = wev_from_raft(ev, cluster_elapsed_us(c), rn->tick);
	monitor_event(&c->mon, &w);
	if (c->tap.event != NULL)
		c->tap.event(c->tap.ctx, &w);
	pthread_mutex_unlock(&c->mon_mu);
}

/* The core's transport: called by the sender's thread, its node lock held.
 * Applies the fault model, then pushes into the receiver's mailbox without
 * ever touching the receiver's node lock. */
static int node_send(void *ctx, const struct raft_message *msg)
{
	struct rnode *rn = ctx;
	struct cluster *c = rn->c;
	struct mailbox *to;
	struct msg_fate fate;
	bool connected;
	int64_t now;
	int handed = 0;
	int i;

	assert(msg->to >= 0 && msg->to < c->n && msg->to != rn->id);
	rn->sent++;
	pthread_mutex_lock(&c->net_mu);
	connected = faults_connected(&c->faults, msg->from, msg->to);
	pthread_mutex_unlock(&c->net_mu);
	fate = faults_message(c->o, &rn->net_rng);
	if (!connected || fate.copies == 0) {
		rn->lost++;
		return -1;
	}
	to = &c->node[msg->to].mb;
	now = clock_now_us();
	for (i = 0; i < fate.copies; i++) {
		int64_t ready = now + (int64_t)fate.extra_us[i];

		if (mailbox_push(to, msg, now, ready) == MAILBOX_OK)
			handed = 1;
	}
	return handed ? 0 : -1;
}

int node_boot(struct rnode *rn, bool restart)
{
	const struct raftsim_options *o = rn->c->o;
	struct raft_transport t = {node_send, rn};
	struct raft_event_sink e = {node_emit, rn};
	struct raft_stats kept = rn->raft.stats;
	struct raft_config cfg;
	int rv;

	/* A restarted node draws fresh timeouts, as the simulator does. */
	options_node_config(o, rn->id, rn->restarts, &cfg);
	rv = raft_init(&rn->raft, &cfg, restart ? &rn->durable : NULL, t, e);
	if (rv != RAFT_OK)
		goto err;
	/* Counters are for the summary only; keep them across restarts. */
	if (restart)
		rn->raft.stats = kept;
	rn->status = NODE_UP;
	rn->resync = true;
err:
	return rv;
}

/* The index of the first tick deadline strictly after `now`. */
static uint64_t tick_after(const struct cluster *c, int64_t now)
{
	int64_t since = now - c->start_us;

	return since < 0 ? 1 : (uint64_t)(since / c->tick_us) + 1;
}

static int64_t deadline_of(const struct cluster *c, uint64_t tick)
{
	return c->start_us + (int64_t)tick * c->tick_us;
}

/* When the thread should wake next at the latest. Node lock held. */
static int64_t next_deadline(const struct rnode *rn)
{
	if (rn->next_tick > rn->c->o->ticks)
		return INT64_MAX; /* ticks are over: mail only, until stop */
	return deadline_of(rn->c, rn->next_tick);
}

static void handle_mail(struct rnode *rn, struct mail *batch)
{
	int64_t now = clock_now_us();
	int64_t since;
	int n;
	int i;

	n = mailbox_take(&rn->mb, batch, NODE_BATCH, now);
	for (i = 0; i < n; i++) {
		since = batch[i].ready_us > batch[i].enqueued_us
				? batch[i].ready_us
				: batch[i].enqueued_us;
		lathist_add(&rn->mail_wait, clock_now_us() - since);
		raft_step(&rn->raft, &batch[i].msg);
	}
}

/* One raft_tick if the awaited deadline has come. A node that is more than
 * a tick behind (descheduled, or just resumed) ticks once for the present
 * and does not replay the ticks it missed. */
static void handle_tick(struct rnode *rn)
{
	struct cluster *c = rn->c;
	uint64_t now_tick;
	int64_t now;

	if (rn->next_tick > c->o->ticks)
		return;
	now = clock_now_us();
	if (now < deadline_of(c, rn->next_tick))
		return;
	lathist_add(&rn->tick_late, now - deadline_of(c, rn->next_tick));
	now_tick = tick_after(c, now) - 1;
	if (now_tick > c->o->ticks)
		now_tick = c->o->ticks;
	rn->tick = now_tick;
	raft_tick(&rn->raft);
	rn->next_tick = now_tick + 1;
}

/* One turn of the node thread, node lock held. */
static void node_turn(struct rnode *rn, struct mail *batch)
{
	if (rn->status != NODE_UP)
		return; /* paused or crashed after the wake-up */
	if (rn->resync) {
		rn->next_tick = tick_after(rn->c, clock_now_us());
		rn->resync = false;
	}
	handle_mail(rn, batch);
	handle_tick(rn);
}

static void gate_wait(struct cluster *c)
{
	pthread_mutex_lock(&c->gate_mu);
	while (!c->gate_open)
		pthread_cond_wait(&c->gate_cond, &c->gate_mu);
	pthread_mutex_unlock(&c->gate_mu);
}

void *node_main(void *arg)
{
	struct rnode *rn = arg;
	struct mail batch[NODE_BATCH];
	int64_t deadline;

	gate_wait(rn->c);
	pthread_mutex_lock(&rn->mu);
	deadline = next_deadline(rn);
	pthread_mutex_unlock(&rn->mu);
	while (!mailbox_wait(&rn->mb, deadline)) {
		pthread_mutex_lock(&rn->mu);
		node_turn(rn, batch);
		deadline = next_deadline(rn);
		pthread_mutex_unlock(&rn->mu);
	}
	return NULL;
}

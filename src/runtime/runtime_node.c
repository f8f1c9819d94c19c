/* runtime_node.c - a node's thread and its inbox: the runtime's half of the
 * send path. See runtime.c for the lock order.
 *
 * A message's path, from the sender's transport to the receiver's
 * raft_step:
 *   1. the sender's thread, under its node lock, is in raft_step or
 *      raft_tick; the core calls its transport, the harness's node_send
 *      (harness.c): partition? (read under the net lock) then the
 *      message's fate, drawn from the sender's own generator
 *      (faults_message: lost, doubled, delayed);
 *   2. each surviving copy comes to runtime_deliver below, which pushes it
 *      into the receiver's mailbox (mailbox.c, the mailbox lock only),
 *      stamped "not before" now plus the fate's delay; a full mailbox, or
 *      a crashed node's closed one, drops it;
 *   3. the receiver's thread wakes in mailbox_wait, takes its node lock and
 *      in handle_mail takes what is ready and calls raft_step. A paused
 *      node's mailbox is frozen: mail queues until it resumes.
 *
 * The thread sleeps on its mailbox until mail is ready or its next tick
 * deadline (start + k * tick) comes, then takes its node lock and handles
 * what is due: mail first (it arrived before the deadline it woke for),
 * then at most one raft_tick.
 */
#include "clock.h"
#include "runtime_internal.h"

/* Mail handled per turn; the rest waits for the next turn, a few
 * microseconds later, so one busy node cannot starve its own ticks. */
#define NODE_BATCH 32

int64_t runtime_elapsed_us(const struct cluster *c)
{
	return clock_now_us() - c->start_us;
}

/* The harness's send path hands each copy of a message here: the
 * sender's thread, its node lock held. Never the receiver's node lock. */
static int runtime_deliver(void *ctx, const struct raft_message *msg,
			   uint64_t extra_us)
{
	struct cluster *c = ctx;
	int64_t now = clock_now_us();

	return mailbox_push(&c->node[msg->to].mb, msg, now,
			    now + (int64_t)extra_us) == MAILBOX_OK
		       ? 0
		       : -1;
}

/* How a node is frozen: its mailbox. Node lock held (the observer). */
static void runtime_status_changed(void *ctx, int node,
				   enum node_status status)
{
	struct rnode *rn = &((struct cluster *)ctx)->node[node];

	switch (status) {
	case NODE_PAUSED:
		mailbox_set_mode(&rn->mb, MAILBOX_FROZEN);
		break;
	case NODE_UP: /* resumed or restarted: ticks go on from now */
		rn->resync = true;
		mailbox_set_mode(&rn->mb, MAILBOX_RUN);
		break;
	case NODE_CRASHED:
		mailbox_set_mode(&rn->mb, MAILBOX_CLOSED);
		break;
	}
}

static int64_t runtime_now_us(void *ctx)
{
	return runtime_elapsed_us(ctx);
}

static pthread_mutex_t *lock_of(struct cluster *c, enum harness_lock which,
				int node)
{
	switch (which) {
	case HARNESS_LOCK_NODE:
		return &c->node[node].mu;
	case HARNESS_LOCK_NET:
		return &c->net_mu;
	case HARNESS_LOCK_EVENTS:
		break;
	}
	return &c->mon_mu;
}

static void runtime_lock(void *ctx, enum harness_lock which, int node)
{
	pthread_mutex_lock(lock_of(ctx, which, node));
}

static void runtime_unlock(void *ctx, enum harness_lock which, int node)
{
	pthread_mutex_unlock(lock_of(ctx, which, node));
}

struct harness_ops runtime_node_ops(struct cluster *c)
{
	struct harness_ops ops = {
		.ctx = c,
		.deliver = runtime_deliver,
		.status_changed = runtime_status_changed,
		.now_us = runtime_now_us,
		.lock = runtime_lock,
		.unlock = runtime_unlock,
	};

	return ops;
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
	struct raft_state *raft = &rn->c->h.node[rn->id].raft;
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
		raft_step(raft, &batch[i].msg);
	}
}

/* One raft_tick if the awaited deadline has come. A node that is more than
 * a tick behind (descheduled, or just resumed) ticks once for the present
 * and does not replay the ticks it missed. */
static void handle_tick(struct rnode *rn)
{
	struct cluster *c = rn->c;
	struct harness_node *hn = &c->h.node[rn->id];
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
	hn->tick = now_tick;
	raft_tick(&hn->raft);
	rn->next_tick = now_tick + 1;
}

/* One turn of the node thread, node lock held. */
static void node_turn(struct rnode *rn, struct mail *batch)
{
	if (rn->c->h.node[rn->id].status != NODE_UP)
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

void *runtime_node_main(void *arg)
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

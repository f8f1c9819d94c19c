/* sim.c - the simulator: a driver of the harness (src/harness/harness.h)
 * in virtual time, on one thread. See sim.h.
 *
 * What this driver supplies, and the harness does not: how time passes
 * (ticks come round node by node, messages wait in one event queue), how a
 * message is delivered (after a drawn latency), and how a node is frozen
 * (its mail waits in a small array until it resumes).
 *
 * A message's path, from the sender's transport to the receiver's
 * raft_step:
 *   1. the core calls its transport, the harness's node_send (harness.c):
 *      partition? then the message's fate, drawn from the simulator's one
 *      generator (faults_message: lost, doubled, delayed);
 *   2. each surviving copy comes to sim_deliver below, which draws its
 *      latency (--latency-ms, plus the fate's delay, plus --disk-ms for
 *      vote traffic) and pushes it into the event queue (eventq.c);
 *   3. sim_run_until pops it at its virtual time and calls arrive(): a
 *      crashed receiver loses it, a paused one keeps it in its mailbox
 *      until the harness resumes it (status_changed), an up one gets
 *      raft_step at once.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eventq.h"
#include "harness/harness_stop.h"
#include "sim.h"

/* A paused node's mailbox: messages wait here until it resumes. */
struct sim_mailbox {
	struct raft_message *mail;
	unsigned len;
};

struct sim {
	struct raftsim_options opt;
	struct harness h;
	struct eventq queue;
	struct raft_rng rng; /* latencies and message fates */
	int64_t now;
	int64_t tick_us;
	int64_t end_us;      /* the last node's last tick */
	/* Nodes' clocks are not aligned: node i ticks i/n of a tick after
	 * node 0, as real servers' timers would. Ticks come round in that
	 * order, so they need no queue. */
	int next_node;       /* the next node to tick */
	int64_t next_tick_at;
	enum sim_failure failure; /* the run cannot go on (halted) */
	bool interrupted;    /* SIGINT or SIGTERM stopped it (halted) */
	bool halted;         /* either: nothing more happens */
	struct sim_mailbox mailbox[];
};

/* How long after node 0 node i ticks. */
static int64_t phase_of(const struct sim *s, int i)
{
	return s->tick_us * i / s->opt.nodes;
}

static int64_t sim_now_us(void *ctx)
{
	const struct sim *s = ctx;

	return s->now;
}

/* Ends the run now: nothing more happens, and sim_run_until returns at
 * once from here on (sim_end_us is now). */
static void halt(struct sim *s)
{
	s->end_us = s->now;
	s->next_tick_at = INT64_MAX;
	s->halted = true;
}

/* A copy that cannot be queued is not a lost message: losing it silently
 * would let the checker blame Raft for it. The run ends instead. */
static int fail(struct sim *s, enum sim_failure why)
{
	if (s->failure == SIM_OK)
		s->failure = why;
	halt(s);
	return -1;
}

/* The harness's send path hands each copy of a message here. */
static int sim_deliver(void *ctx, const struct raft_message *msg,
		       uint64_t extra_us)
{
	struct sim *s = ctx;
	struct sim_event ev;
	int64_t latency = (int64_t)s->opt.latency_us.min;

	if (s->opt.latency_us.max > s->opt.latency_us.min)
		latency = (int64_t)raft_rng_range(&s->rng, s->opt.latency_us.min,
						  s->opt.latency_us.max);
	latency += (int64_t)extra_us;
	if (msg->type == RAFT_MSG_REQUEST_VOTE_REPLY ||
	    (msg->type == RAFT_MSG_REQUEST_VOTE && !s->opt.disk_parallel))
		latency += s->opt.disk_us; /* persisted before it leaves */
	ev.at = s->now + latency;
	ev.msg = *msg;
	if (s->failure != SIM_OK)
		return -1; /* halted in this same step: nothing is queued */
	if (s->queue.len >= SIM_MAX_IN_FLIGHT)
		return fail(s, SIM_FAILED_IN_FLIGHT);
	if (eventq_push(&s->queue, &ev) != 0)
		return fail(s, SIM_FAILED_MEMORY);
	return 0;
}

/* A message's arrival, at its virtual time. */
static void arrive(struct sim *s, const struct raft_message *m)
{
	struct harness_node *n = &s->h.node[m->to];
	struct sim_mailbox *mb = &s->mailbox[m->to];

	switch (n->status) {
	case NODE_CRASHED:
		return;
	case NODE_PAUSED:
		if (mb->len < s->opt.mailbox) /* else it is lost */
			mb->mail[mb->len++] = *m;
		return;
	case NODE_UP:
		raft_step(&n->raft, m);
		return;
	}
}

static void sim_status_changed(void *ctx, int node, enum node_status status)
{
	struct sim *s = ctx;
	struct sim_mailbox *mb = &s->mailbox[node];
	unsigned i;

	switch (status) {
	case NODE_PAUSED:
		break; /* arrive() keeps its mail from now on */
	case NODE_UP:
		/* It goes on from now: what waited is handled at once, in
		 * arrival order; the ticks it missed are not replayed. */
		for (i = 0; i < mb->len; i++)
			raft_step(&s->h.node[node].raft, &mb->mail[i]);
		mb->len = 0;
		break;
	case NODE_CRASHED:
		mb->len = 0;
		break;
	}
}

int sim_create(const struct raftsim_options *o, struct monitor *mon,
	       struct sim **out)
{
	struct harness_ops ops = {
		.deliver = sim_deliver,
		.status_changed = sim_status_changed,
		.now_us = sim_now_us,
	};
	struct sim *s;
	int rv = ENOMEM;
	int i;

	*out = NULL;
	s = calloc(1, sizeof(*s) + (size_t)o->nodes * sizeof(s->mailbox[0]));
	if (s == NULL)
		return ENOMEM;
	s->opt = *o;
	ops.ctx = s;
	eventq_init(&s->queue);
	if (harness_init(&s->h, &s->opt, &ops, mon) != 0)
		goto err;
	s->tick_us = (int64_t)o->tick_us;
	s->end_us = (int64_t)o->ticks * s->tick_us + phase_of(s, o->nodes - 1);
	raft_rng_seed(&s->rng, raft_rng_derive(o->seed, 0x5e4d));
	harness_share_fate_rng(&s->h, &s->rng);
	for (i = 0; i < o->nodes; i++) {
		s->mailbox[i].mail = calloc(o->mailbox, sizeof(struct raft_message));
		if (s->mailbox[i].mail == NULL)
			goto err;
	}
	if (harness_boot(&s->h) != RAFT_OK) {
		rv = EINVAL;
		goto err;
	}
	s->next_node = 0;
	s->next_tick_at = s->tick_us; /* tick 1 */
	*out = s;
	return 0;
err:
	sim_free(s);
	return rv;
}

struct sim *sim_new(const struct raftsim_options *o, struct monitor *mon)
{
	struct sim *s;

	return sim_create(o, mon, &s) == 0 ? s : NULL;
}

void sim_free(struct sim *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->opt.nodes; i++)
		free(s->mailbox[i].mail);
	harness_close(&s->h);
	eventq_free(&s->queue);
	free(s);
}

/* One node's tick. Node 0's also begins the tick for the whole cluster:
 * the fault schedule moves on first. */
static void process_tick(struct sim *s)
{
	struct harness_node *n = &s->h.node[s->next_node];
	int i;

	if (s->next_node == 0) {
		/* Every node's events carry the cluster's tick. */
		for (i = 0; i < s->opt.nodes; i++)
			s->h.node[i].tick = s->h.tick + 1;
		harness_advance(&s->h, s->h.tick + 1);
	}
	if (n->status == NODE_UP)
		raft_tick(&n->raft);
	s->next_node = (s->next_node + 1) % s->opt.nodes;
	if (s->next_node == 0 && s->h.tick >= s->opt.ticks)
		s->next_tick_at = INT64_MAX; /* the run is over */
	else
		s->next_tick_at = (int64_t)(s->h.tick + (s->next_node == 0)) *
					  s->tick_us +
				  phase_of(s, s->next_node);
}

/* SIGINT or SIGTERM (harness_stop.h): the run ends before this tick. */
static bool stop_requested(struct sim *s)
{
	if (!harness_stop_requested())
		return false;
	s->interrupted = true;
	halt(s);
	return true;
}

void sim_run_until(struct sim *s, int64_t until_us)
{
	struct sim_event ev;
	int64_t next_msg;

	if (until_us > s->end_us)
		until_us = s->end_us;
	for (;;) {
		if (s->halted)
			break;
		next_msg = s->queue.len > 0 ? eventq_peek_time(&s->queue)
					    : INT64_MAX;
		if (s->next_tick_at <= next_msg) { /* ticks first on a tie */
			if (s->next_tick_at > until_us)
				break;
			if (s->next_node == 0 && stop_requested(s))
				break; /* at a tick boundary, as asked */
			s->now = s->next_tick_at;
			process_tick(s);
			continue;
		}
		if (next_msg > until_us)
			break;
		eventq_pop(&s->queue, &ev);
		s->now = ev.at;
		arrive(s, &ev.msg);
	}
	if (s->now < until_us && !s->halted)
		s->now = until_us;
}

void sim_run_all(struct sim *s)
{
	sim_run_until(s, s->end_us);
}

enum sim_failure sim_failure(const struct sim *s)
{
	return s->failure;
}

bool sim_interrupted(const struct sim *s)
{
	return s->interrupted;
}

void sim_print_failure(const struct sim *s, FILE *err)
{
	double ms = (double)s->now / 1000.0;

	switch (s->failure) {
	case SIM_OK:
		break;
	case SIM_FAILED_MEMORY:
		fprintf(err, "raftsim: out of memory at %.3f ms (virtual): the "
			     "simulator could not queue a message, and a run "
			     "that loses one cannot be judged\n", ms);
		break;
	case SIM_FAILED_IN_FLIGHT:
		fprintf(err, "raftsim: %u messages in flight at %.3f ms "
			     "(virtual), the simulator's limit: a latency of up "
			     "to %.3f ms (--latency-ms) keeps them in flight "
			     "for that long; the run cannot go on\n",
			SIM_MAX_IN_FLIGHT, ms,
			(double)s->opt.latency_us.max / 1000.0);
		break;
	}
}

int64_t sim_now(const struct sim *s)
{
	return s->now;
}

uint64_t sim_tick(const struct sim *s)
{
	return s->h.tick;
}

int64_t sim_end_us(const struct sim *s)
{
	return s->end_us;
}

struct harness *sim_harness(struct sim *s)
{
	return &s->h;
}

const struct raft_state *sim_node(const struct sim *s, int id)
{
	return &s->h.node[id].raft;
}

enum node_status sim_status(const struct sim *s, int id)
{
	return s->h.node[id].status;
}

int sim_leader(struct sim *s)
{
	return harness_leader(&s->h);
}

void sim_crash(struct sim *s, int id)
{
	harness_crash(&s->h, id);
}

void sim_restart(struct sim *s, int id)
{
	harness_restart(&s->h, id);
}

void sim_partition(struct sim *s, const uint8_t *group_of)
{
	harness_partition(&s->h, group_of);
}

void sim_set_tap(struct sim *s, const struct harness_tap *tap)
{
	static const struct harness_tap none = {NULL, NULL};

	s->h.tap = tap != NULL ? *tap : none;
}

void sim_set_log_tail(struct sim *s, int id, uint64_t last_index,
		      uint64_t last_term)
{
	raft_set_log_tail(&s->h.node[id].raft, last_index, last_term);
}

void sim_campaign(struct sim *s, int id)
{
	struct harness_node *n = &s->h.node[id];

	if (n->status == NODE_UP && n->raft.role != RAFT_LEADER)
		raft_start_election(&n->raft);
}

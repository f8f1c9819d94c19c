/* sim.c - see sim.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "eventq.h"
#include "sim.h"

struct sim_node {
	struct sim *sim;
	int id;
	struct raft_state state;
	struct raft_durable durable; /* kept across a crash */
	uint64_t restarts;
	/* A paused node's mailbox: messages wait here until it resumes. */
	struct raft_message *mailbox;
	unsigned mailbox_len;
};

struct sim {
	struct raftsim_options opt;
	struct monitor *mon;
	struct faults faults;
	struct eventq queue;
	struct raft_rng rng; /* latencies and message fates */
	int64_t now;
	uint64_t tick;       /* the last tick begun (by node 0) */
	int64_t tick_us;
	int64_t end_us;      /* the last node's last tick */
	/* Nodes' clocks are not aligned: node i ticks i/n of a tick after
	 * node 0, as real servers' timers would. Ticks come round in that
	 * order, so they need no queue. */
	int next_node;       /* the next node to tick */
	int64_t next_tick_at;
	void (*listener)(void *ctx, const struct wev *ev);
	void *listener_ctx;
	struct sim_node nodes[];
};

/* How long after node 0 node i ticks. */
static int64_t phase_of(const struct sim *s, int i)
{
	return s->tick_us * i / s->opt.nodes;
}

static void publish(struct sim *s, const struct wev *ev)
{
	if (s->mon != NULL)
		monitor_event(s->mon, ev);
	if (s->listener != NULL)
		s->listener(s->listener_ctx, ev);
}

static void on_raft_event(void *ctx, const struct raft_event *ev)
{
	struct sim_node *n = ctx;
	struct wev w;

	if (n->sim->mon == NULL && n->sim->listener == NULL)
		return;
	w = wev_from_raft(ev, n->sim->now, n->sim->tick);
	publish(n->sim, &w);
}

static int on_send(void *ctx, const struct raft_message *msg)
{
	struct sim_node *n = ctx;
	struct sim *s = n->sim;
	struct sim_event ev;
	struct msg_fate fate;
	int64_t latency;
	int i;

	if (!faults_connected(&s->faults, msg->from, msg->to))
		return -1;
	fate = faults_message(&s->opt, &s->rng);
	for (i = 0; i < fate.copies; i++) {
		latency = (int64_t)s->opt.latency_us.min;
		if (s->opt.latency_us.max > s->opt.latency_us.min)
			latency = (int64_t)raft_rng_range(
				&s->rng, s->opt.latency_us.min,
				s->opt.latency_us.max);
		latency += (int64_t)fate.extra_us[i];
		if (msg->type == RAFT_MSG_REQUEST_VOTE_REPLY ||
		    (msg->type == RAFT_MSG_REQUEST_VOTE && !s->opt.disk_parallel))
			latency += s->opt.disk_us; /* persisted before it leaves */
		ev.at = s->now + latency;
		ev.msg = *msg;
		if (eventq_push(&s->queue, &ev) != 0)
			return -1;
	}
	return fate.copies > 0 ? 0 : -1;
}

static int node_start(struct sim *s, struct sim_node *n,
		      const struct raft_durable *durable)
{
	struct raft_config cfg;
	struct raft_transport t = {on_send, n};
	struct raft_event_sink e = {on_raft_event, n};
	struct raft_stats kept = n->state.stats;
	int rv;

	options_node_config(&s->opt, n->id, n->restarts, &cfg);
	rv = raft_init(&n->state, &cfg, durable, t, e);
	/* Counters are for the summary only; keep them across restarts. */
	if (rv == RAFT_OK && durable != NULL)
		n->state.stats = kept;
	return rv;
}

struct sim *sim_new(const struct raftsim_options *o, struct monitor *mon)
{
	struct sim *s;
	int i;

	s = calloc(1, sizeof(*s) + (size_t)o->nodes * sizeof(s->nodes[0]));
	if (s == NULL)
		goto err;
	s->opt = *o;
	s->mon = mon;
	s->tick_us = (int64_t)o->tick_us;
	s->end_us = (int64_t)o->ticks * s->tick_us + phase_of(s, o->nodes - 1);
	faults_init(&s->faults, &s->opt, o->seed);
	eventq_init(&s->queue);
	raft_rng_seed(&s->rng, raft_rng_derive(o->seed, 0x5e4d));
	for (i = 0; i < o->nodes; i++) {
		struct sim_node *n = &s->nodes[i];

		n->sim = s;
		n->id = i;
		n->mailbox = calloc(o->mailbox, sizeof(*n->mailbox));
		if (n->mailbox == NULL || node_start(s, n, NULL) != RAFT_OK)
			goto err;
	}
	s->next_node = 0;
	s->next_tick_at = s->tick_us; /* tick 1 */
	return s;
err:
	sim_free(s);
	return NULL;
}

void sim_free(struct sim *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->opt.nodes; i++)
		free(s->nodes[i].mailbox);
	eventq_free(&s->queue);
	free(s);
}

static void fault_event(struct sim *s, enum wev_type type, int node)
{
	struct wev w;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.us = s->now;
	w.tick = s->tick;
	w.node = node;
	w.group_of = s->faults.group_of;
	publish(s, &w);
}

static void deliver(struct sim *s, const struct raft_message *m)
{
	struct sim_node *n = &s->nodes[m->to];

	switch (s->faults.status[m->to]) {
	case NODE_CRASHED:
		return;
	case NODE_PAUSED:
		if (n->mailbox_len < s->opt.mailbox) /* else it is lost */
			n->mailbox[n->mailbox_len++] = *m;
		return;
	case NODE_UP:
		raft_step(&n->state, m);
		return;
	}
}

/* What a crash loses: everything but the durable term and vote. */
static void crash_node(struct sim *s, int id)
{
	struct sim_node *n = &s->nodes[id];

	n->durable = raft_durable_of(&n->state);
	n->mailbox_len = 0;
	fault_event(s, WEV_CRASH, id);
}

void sim_crash(struct sim *s, int id)
{
	s->faults.status[id] = NODE_CRASHED;
	s->faults.until[id] = UINT64_MAX; /* only sim_restart revives it */
	crash_node(s, id);
}

void sim_restart(struct sim *s, int id)
{
	struct sim_node *n = &s->nodes[id];
	int rv;

	s->faults.status[id] = NODE_UP;
	n->restarts++;
	fault_event(s, WEV_RESTART, id);
	rv = node_start(s, n, &n->durable);
	assert(rv == RAFT_OK); /* the same configuration started before */
	(void)rv;
}

static void apply_action(struct sim *s, const struct fault_action *a)
{
	struct sim_node *n;
	unsigned i;

	switch (a->type) {
	case FAULT_PAUSE:
		fault_event(s, WEV_PAUSE, a->node);
		break;
	case FAULT_RESUME:
		fault_event(s, WEV_RESUME, a->node);
		n = &s->nodes[a->node];
		/* It goes on from now: what waited is handled at once, in
		 * arrival order; the ticks it missed are not replayed. */
		for (i = 0; i < n->mailbox_len; i++)
			raft_step(&n->state, &n->mailbox[i]);
		n->mailbox_len = 0;
		break;
	case FAULT_CRASH:
		crash_node(s, a->node);
		break;
	case FAULT_RESTART:
		sim_restart(s, a->node);
		break;
	case FAULT_PARTITION:
		fault_event(s, WEV_PARTITION, -1);
		break;
	case FAULT_HEAL:
		fault_event(s, WEV_HEAL, -1);
		break;
	}
}

int sim_leader(const struct sim *s)
{
	int leader = RAFT_NONE;
	int i;

	for (i = 0; i < s->opt.nodes; i++) {
		const struct raft_state *r = &s->nodes[i].state;

		if (s->faults.status[i] == NODE_UP && r->role == RAFT_LEADER &&
		    (leader == RAFT_NONE ||
		     r->current_term > s->nodes[leader].state.current_term))
			leader = i;
	}
	return leader;
}

/* One node's tick. Node 0's also begins the tick for the whole cluster:
 * the fault schedule moves on first. */
static void process_tick(struct sim *s)
{
	struct fault_action actions[FAULT_MAX_ACTIONS];
	int node = s->next_node;
	int count;
	int i;

	if (node == 0) {
		s->tick++;
		count = faults_advance(&s->faults, s->tick, sim_leader(s),
				       actions);
		for (i = 0; i < count; i++)
			apply_action(s, &actions[i]);
	}
	if (s->faults.status[node] == NODE_UP)
		raft_tick(&s->nodes[node].state);
	s->next_node = (node + 1) % s->opt.nodes;
	if (s->next_node == 0 && s->tick >= s->opt.ticks)
		s->next_tick_at = INT64_MAX; /* the run is over */
	else
		s->next_tick_at = (int64_t)(s->tick + (s->next_node == 0)) *
					  s->tick_us +
				  phase_of(s, s->next_node);
}

void sim_run_until(struct sim *s, int64_t until_us)
{
	struct sim_event ev;
	int64_t next_msg;

	if (until_us > s->end_us)
		until_us = s->end_us;
	for (;;) {
		next_msg = s->queue.len > 0 ? eventq_peek_time(&s->queue)
					    : INT64_MAX;
		if (s->next_tick_at <= next_msg) { /* ticks first on a tie */
			if (s->next_tick_at > until_us)
				break;
			s->now = s->next_tick_at;
			process_tick(s);
			continue;
		}
		if (next_msg > until_us)
			break;
		eventq_pop(&s->queue, &ev);
		s->now = ev.at;
		deliver(s, &ev.msg);
	}
	if (s->now < until_us)
		s->now = until_us;
}

void sim_run_all(struct sim *s)
{
	sim_run_until(s, s->end_us);
}

int64_t sim_now(const struct sim *s)
{
	return s->now;
}

uint64_t sim_tick(const struct sim *s)
{
	return s->tick;
}

int64_t sim_end_us(const struct sim *s)
{
	return s->end_us;
}

const struct raft_state *sim_node(const struct sim *s, int id)
{
	return &s->nodes[id].state;
}

enum node_status sim_status(const struct sim *s, int id)
{
	return s->faults.status[id];
}

void sim_set_listener(struct sim *s,
		      void (*fn)(void *ctx, const struct wev *ev), void *ctx)
{
	s->listener = fn;
	s->listener_ctx = ctx;
}

void sim_summaries(const struct sim *s, struct node_summary *out)
{
	int i;

	for (i = 0; i < s->opt.nodes; i++) {
		const struct raft_state *r = &s->nodes[i].state;

		out[i].role = r->role;
		out[i].term = r->current_term;
		out[i].timeout_resets = r->stats.timeout_resets;
		out[i].elections_started = r->stats.elections_started;
		out[i].up = s->faults.status[i] == NODE_UP;
	}
}

void sim_set_log_tail(struct sim *s, int id, uint64_t last_index,
		      uint64_t last_term)
{
	raft_set_log_tail(&s->nodes[id].state, last_index, last_term);
}

void sim_campaign(struct sim *s, int id)
{
	if (s->faults.status[id] == NODE_UP &&
	    s->nodes[id].state.role != RAFT_LEADER)
		raft_start_election(&s->nodes[id].state);
}

void sim_partition(struct sim *s, const uint8_t *group_of)
{
	if (group_of == NULL) {
		s->faults.partitioned = false;
		memset(s->faults.group_of, 0, sizeof(s->faults.group_of));
		fault_event(s, WEV_HEAL, -1);
		return;
	}
	memcpy(s->faults.group_of, group_of, (size_t)s->opt.nodes);
	s->faults.partitioned = true;
	s->faults.partition_until = UINT64_MAX;
	fault_event(s, WEV_PARTITION, -1);
}

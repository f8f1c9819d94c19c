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
 *   2. each surviving copy comes to sim_deliver (sim_mail.c), which draws its
 *      latency (--latency-ms, plus the fate's delay, plus --disk-ms for
 *      vote traffic) and pushes it into the event queue (eventq.c);
 *   3. sim_run_until pops it at its virtual time and calls sim_arrive: a
 *      crashed receiver loses it, a paused one keeps it in its mailbox
 *      until the harness resumes it (status_changed; a full one loses it,
 *      and says so: a loss event), an up one replays
 *      the silent ticks it is due and gets it at once (harness_node_step:
 *      raft_step, or a client's request to the node's service).
 *
 * Tickless: node i's tick k comes at k * tick + phase(i), but most ticks
 * do nothing, and raft_ticks_until_action says which one will. Each node
 * has one wake-up, at its next acting tick (wakeq.c); the silent ticks
 * before it are replayed, one raft_tick each, just before the node takes a
 * message, goes down, or the run stops (replay_due). The fault schedule is
 * advanced only on the ticks faults_next_tick names (every tick with
 * random faults: one call for the cluster). Order is kept as it was when
 * every tick was an event: at one virtual time, the schedule first, then
 * node ticks in id order, then messages in the order they were sent.
 * Silent ticks show nothing, so replaying them late changes nothing a run
 * shows: same events, same times, same draws.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eventq.h"
#include "harness/harness_stop.h"
#include "sim_internal.h"

/* How long after node 0 node i ticks. */
static int64_t phase_of(const struct sim *s, int i)
{
	return s->tick_us * i / s->opt.nodes;
}

/* When node i's tick k comes. */
static int64_t tick_time(const struct sim *s, int i, uint64_t k)
{
	return (int64_t)k * s->tick_us + s->node[i].phase;
}

/* Node i's last tick that comes at or before `t` (before `t` if strict),
 * up to the end; 0 if none. */
static uint64_t last_tick_by(const struct sim *s, int i, int64_t t, bool strict)
{
	int64_t since = t - s->node[i].phase - (strict ? 1 : 0);
	uint64_t k;

	if (since < s->tick_us)
		return 0;
	k = (uint64_t)(since / s->tick_us);
	return k < s->opt.ticks ? k : s->opt.ticks;
}

/* Moves virtual time to `t`. THE TICK BOUNDARY: the cluster's ticks up to
 * t / tick have begun (node 0's, which the schedule and every node's
 * events are counted by; sim.h). */
static void move_to(struct sim *s, int64_t t)
{
	uint64_t tick;

	s->now = t;
	if (t < s->next_boundary)
		return; /* still the same tick: most events */
	tick = (uint64_t)(t / s->tick_us);
	s->h.tick = tick < s->opt.ticks ? tick : s->opt.ticks;
	s->next_boundary = (int64_t)(s->h.tick + 1) * s->tick_us;
}

/* Replays node i's ticks that come by `t` (before `t` if strict): silent
 * ones, since its wake-up comes first on the one that acts. */
static void replay_by(struct sim *s, int i, int64_t t, bool strict)
{
	struct sim_node *sn = &s->node[i];
	struct harness_node *n = &s->h.node[i];
	int64_t at = tick_time(s, i, sn->next_tick);

	for (;
	     sn->next_tick <= s->opt.ticks && (at < t || (!strict && at == t));
	     sn->next_tick++, at += s->tick_us) {
		assert(raft_ticks_until_action(&n->raft) > 1);
		raft_tick(&n->raft);
	}
}

/* Replays the ticks node i is due by now: all up to now, or, inside the
 * schedule's turn, up to the tick before (that turn comes first). */
void sim_replay_due(struct sim *s, int i)
{
	/* Most calls find nothing due, or one tick: check before calling. */
	if (tick_time(s, i, s->node[i].next_tick) <= s->now)
		replay_by(s, i, s->now, s->advancing);
}

/* Schedules node i's wake-up for its next acting tick, if it is up and
 * that tick comes before the end. A later time than its key in the queue
 * (a heartbeat pushed its timeout back: most messages) leaves the key
 * where it is: when it comes up, the loop moves it on (stale_wake). */
void sim_reschedule(struct sim *s, int i)
{
	struct harness_node *n = &s->h.node[i];
	uint64_t tick;
	int64_t at = INT64_MAX;

	if (n->status == NODE_UP) {
		tick = s->node[i].next_tick - 1 +
		       raft_ticks_until_action(&n->raft);
		if (tick <= s->opt.ticks)
			at = tick_time(s, i, tick);
	}
	s->node[i].wake_at = at;
	if (at < s->wakes.at[i])
		wakeq_set(&s->wakes, i, at);
}

/* Whether the first key in the wake queue is early; if so, moves it to
 * its node's real wake-up. */
static bool stale_wake(struct sim *s)
{
	int i = wakeq_first(&s->wakes);

	if (s->wakes.at[i] == s->node[i].wake_at)
		return false;
	wakeq_set(&s->wakes, i, s->node[i].wake_at);
	return true;
}

static int64_t sim_now_us(void *ctx)
{
	const struct sim *s = ctx;

	return s->now;
}

void sim_halt(struct sim *s)
{
	s->end_us = s->now;
	s->halted = true;
}

static void sim_status_changed(void *ctx, int node, enum node_status status)
{
	struct sim *s = ctx;
	struct sim_node *sn = &s->node[node];
	struct harness_node *n = &s->h.node[node];
	unsigned i;

	switch (status) {
	case NODE_PAUSED:
	case NODE_CRASHED:
		/* It stops having run the ticks due before now; arrive()
		 * keeps a paused node's mail from now on. */
		sim_replay_due(s, node);
		if (status == NODE_CRASHED)
			sim_sync_cancel(s, node);
		if (status == NODE_CRASHED)
			for (; sn->mailbox.len > 0; sn->mailbox.len--)
				sim_drop_copy(
					s,
					&sn->mailbox.mail[sn->mailbox.len - 1]);
		break;
	case NODE_UP:
		/* It goes on from now: what waited is handled at once, in
		 * arrival order; the ticks it missed are not replayed. */
		sn->next_tick = last_tick_by(s, node, s->now, s->advancing) + 1;
		n->tick = s->h.tick;
		for (i = 0; i < sn->mailbox.len; i++) {
			harness_node_step(n, &sn->mailbox.mail[i].msg);
			sim_drop_copy(s, &sn->mailbox.mail[i]);
		}
		sn->mailbox.len = 0;
		sn->serve_until = s->now;
		break;
	}
	sim_reschedule(s, node);
	if (status == NODE_UP)
		sim_persist(s, node);
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
	s = calloc(1, sizeof(*s) + (size_t)o->nodes * sizeof(s->node[0]));
	if (s == NULL)
		return ENOMEM;
	s->opt = *o;
	ops.ctx = s;
	eventq_init(&s->queue);
	if (wakeq_init(&s->wakes, o->nodes) != 0) {
		free(s);
		return ENOMEM;
	}
	if (wakeq_init(&s->syncs, o->nodes) != 0) {
		wakeq_free(&s->wakes);
		free(s);
		return ENOMEM;
	}
	if (harness_init(&s->h, &s->opt, &ops, mon) != 0)
		goto err;
	s->tick_us = (int64_t)o->tick_us;
	s->end_us = (int64_t)o->ticks * s->tick_us + phase_of(s, o->nodes - 1);
	raft_rng_seed(&s->rng, raft_rng_derive(o->seed, 0x5e4d));
	harness_share_fate_rng(&s->h, &s->rng);
	s->link_at = calloc((size_t)o->nodes * (size_t)o->nodes,
			    sizeof(*s->link_at));
	if (s->link_at == NULL)
		goto err;
	for (i = 0; i < o->nodes; i++) {
		s->node[i].slow = options_slow_factor(o, i);
		s->node[i].mailbox.mail = calloc(o->mailbox,
						 sizeof(struct sim_event));
		if (s->node[i].mailbox.mail == NULL)
			goto err;
	}
	if (sim_load_init(s) != 0 || sim_clients_init(s) != 0)
		goto err;
	rv = harness_boot(&s->h);
	if (rv != RAFT_OK) {
		rv = rv == RAFT_ENOMEM || s->h.boot_exit == EXIT_RUN_FAILED
			     ? ENOMEM
			     : EINVAL;
		goto err;
	}
	s->next_boundary = s->tick_us;
	for (i = 0; i < o->nodes; i++) {
		s->node[i].next_tick = 1;
		s->node[i].wake_at = INT64_MAX;
		s->node[i].phase = phase_of(s, i);
		sim_reschedule(s, i);
	}
	s->fault_tick = faults_next_tick(&s->h.faults, 0);
	sim_clients_start(s);
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
	for (i = 0; i < s->opt.nodes; i++) {
		struct sim_mailbox *mb = &s->node[i].mailbox;

		for (; mb->mail != NULL && mb->len > 0; mb->len--)
			free(mb->mail[mb->len - 1].extra);
		free(mb->mail);
	}
	sim_clients_free(s);
	harness_close(&s->h);
	sim_load_free(s);
	eventq_free(&s->queue);
	wakeq_free(&s->wakes);
	wakeq_free(&s->syncs);
	free(s->link_at);
	free(s);
}

/* The schedule's turn on a tick it may act on: before any node's tick
 * that comes at the same time. */
static void begin_tick(struct sim *s)
{
	uint64_t tick = s->fault_tick;

	s->advancing = true;
	harness_advance(&s->h, tick);
	s->advancing = false;
	s->fault_tick = faults_next_tick(&s->h.faults, tick);
}

/* Node i's acting tick. */
static void wake(struct sim *s, int i)
{
	struct harness_node *n = &s->h.node[i];
	uint64_t tick = last_tick_by(s, i, s->now, false);

	replay_by(s, i, s->now, true);
	n->tick = s->h.tick;
	harness_node_tick(n);
	s->node[i].next_tick = tick + 1;
	sim_reschedule(s, i);
	wakeq_set(&s->wakes, i, s->node[i].wake_at); /* its key is now */
	sim_persist(s, i);
}

/* When the schedule next acts, if before the end. */
static int64_t fault_time(const struct sim *s)
{
	if (s->fault_tick > s->opt.ticks)
		return INT64_MAX;
	return (int64_t)s->fault_tick * s->tick_us;
}

/* SIGINT or SIGTERM (harness_stop.h): the run ends before the next tick
 * begins, at the tick boundary of move_to. */
static bool stop_before(struct sim *s, int64_t t)
{
	if (t < s->next_boundary || !harness_stop_requested())
		return false;
	s->interrupted = true;
	sim_halt(s);
	return true;
}

void sim_run_until(struct sim *s, int64_t until_us)
{
	struct sim_event ev;
	int64_t next_msg;
	int64_t next_sync;
	int64_t next_fault;
	int64_t next_wake;
	int64_t next_other;
	int i;

	if (until_us > s->end_us)
		until_us = s->end_us;
	for (;;) {
		if (s->halted)
			return;
		next_msg = s->queue.len > 0 ? eventq_peek_time(&s->queue)
					    : INT64_MAX;
		next_fault = fault_time(s);
		next_wake = wakeq_first_at(&s->wakes);
		next_sync = wakeq_first_at(&s->syncs);
		next_other = next_msg < next_wake ? next_msg : next_wake;
		if (next_sync < next_other)
			next_other = next_sync;
		if (next_fault < next_other)
			next_other = next_fault;
		/* On a tie: the schedule, then ticks, then syncs, then
		 * messages, then the load, then the clients. */
		if (s->clients_at < next_other && s->clients_at < s->load_at) {
			if (s->clients_at > until_us ||
			    stop_before(s, s->clients_at))
				break;
			move_to(s, s->clients_at);
			sim_clients_turn(s);
		} else if (s->load_at < next_other) {
			if (s->load_at > until_us || stop_before(s, s->load_at))
				break;
			move_to(s, s->load_at);
			sim_load_turn(s);
		} else if (next_fault <= next_other) {
			if (next_fault > until_us || stop_before(s, next_fault))
				break;
			move_to(s, next_fault);
			begin_tick(s);
		} else if (next_wake <= next_msg && next_wake <= next_sync) {
			if (next_wake > until_us)
				break;
			if (stale_wake(s))
				continue;
			if (stop_before(s, next_wake))
				break;
			move_to(s, next_wake);
			wake(s, wakeq_first(&s->wakes));
		} else if (next_sync <= next_msg) {
			if (next_sync > until_us || stop_before(s, next_sync))
				break;
			move_to(s, next_sync);
			sim_sync_turn(s, wakeq_first(&s->syncs));
		} else {
			if (next_msg > until_us || stop_before(s, next_msg))
				break;
			eventq_pop(&s->queue, &ev);
			move_to(s, ev.at);
			sim_arrive(s, &ev);
		}
	}
	if (s->now < until_us && !s->halted)
		move_to(s, until_us);
	/* Whoever looks at the nodes now sees every tick that has come. */
	for (i = 0; i < s->opt.nodes; i++)
		if (s->h.node[i].status == NODE_UP)
			sim_replay_due(s, i);
}

void sim_run_all(struct sim *s)
{
	sim_run_until(s, s->end_us);
}

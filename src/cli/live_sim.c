/* live_sim.c - `raftsim --live --sim --speed X` (live.h): the simulator on
 * this thread, tick by tick, each tick's end slept to at an absolute
 * CLOCK_MONOTONIC deadline (start + virtual time / X: no drift; a change
 * of speed starts the count again from where the run is). The view thread
 * draws what this thread publishes after each tick.
 *
 * Keys become scheduled faults: a window (--pause N@TICK:LEN, --crash,
 * --partition) added to the run's own options for the first tick not yet
 * begun, open until its closing key sets its length. The schedule then
 * applies them exactly as it would the command line's, so the replay
 * command printed at the end runs the same run, event for event.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "harness/harness_stop.h"
#include "live_internal.h"
#include "live_term.h"
#include "runtime/clock.h"
#include "sim/sim.h"

/* The nodes are copied for the view at most this often. */
#define PUBLISH_US 10000

/* Wall time against virtual time: virtual wall0 + (t - virt0) / speed. */
struct pace {
	int64_t wall0;
	int64_t virt0;
	double speed;
	int64_t next_publish;
};

static void publish(struct live *lv, struct sim *sim, struct pace *p, bool now)
{
	struct harness *h = sim_harness(sim);
	int64_t t = clock_now_us();
	int i;

	if (!now && t < p->next_publish)
		return;
	p->next_publish = t + PUBLISH_US;
	pthread_mutex_lock(&lv->mu);
	for (i = 0; i < lv->o->nodes; i++)
		live_node_of(&h->node[i], &lv->published[i]);
	lv->published_tick = sim_tick(sim);
	pthread_mutex_unlock(&lv->mu);
}

/* Sleeps until virtual time `until` is due on the wall clock; `from` is
 * where the run is, should the speed change meanwhile. */
static void pace_to(struct live *lv, struct pace *p, int64_t from,
		    int64_t until)
{
	int64_t deadline;

	pthread_mutex_lock(&lv->mu);
	while (!harness_stop_requested()) {
		if (lv->speed != p->speed) {
			p->wall0 = clock_now_us();
			p->virt0 = from;
			p->speed = lv->speed;
		}
		deadline = p->wall0 +
			   (int64_t)((double)(until - p->virt0) / p->speed);
		if (clock_now_us() >= deadline)
			break;
		clock_cond_wait_until(&lv->cond, &lv->mu, deadline);
	}
	pthread_mutex_unlock(&lv->mu);
}

/* The window of `who` still open at `tick` (the latest that began), or
 * NULL. */
static struct fault_window *open_window(struct fault_window *w, int count,
					int who, uint64_t tick)
{
	int i;

	for (i = count - 1; i >= 0; i--)
		if (w[i].who == who && w[i].tick < tick &&
		    w[i].tick + w[i].len > tick)
			return &w[i];
	return NULL;
}

/* Opens a window for `node` at `tick`, or closes its open one there. */
static void toggle(struct live *lv, struct sim *sim, struct fault_window *w,
		   int *count, int node, uint64_t tick, bool down,
		   const char *what)
{
	struct fault_window *open;

	if (!down) {
		if (*count >= OPT_MAX_SCHEDULED) {
			live_say(lv, "no room for more: %d %s windows",
				 OPT_MAX_SCHEDULED, what);
			return;
		}
		w[*count].who = node;
		w[*count].tick = tick;
		w[*count].len = OPT_MAX_TICKS; /* until its closing key */
		(*count)++;
		sim_schedule_changed(sim, node, UINT64_MAX);
		live_say(lv, "node %d: %s at tick %" PRIu64, node, what, tick);
		return;
	}
	open = open_window(w, *count, node, tick);
	if (open == NULL) {
		live_say(lv,
			 "node %d is down by a random fault: it comes "
			 "back by itself",
			 node);
		return;
	}
	open->len = tick - open->tick;
	sim_schedule_changed(sim, node, tick);
	live_say(lv, "node %d: %s ends at tick %" PRIu64, node, what, tick);
}

static void isolate_or_heal(struct live *lv, struct sim *sim, int node,
			    uint64_t tick)
{
	struct raftsim_options *so = sim_schedule(sim);
	struct partition_window *p;
	int i;

	if (node == RAFT_NONE) { /* heal */
		for (i = so->partition_count - 1; i >= 0; i--) {
			p = &so->partitions[i];
			if (p->tick < tick && p->tick + p->len > tick) {
				p->len = tick - p->tick;
				sim_schedule_changed(sim, RAFT_NONE, tick);
				live_say(lv, "h: healed at tick %" PRIu64,
					 tick);
				return;
			}
		}
		live_say(lv, "h: no partition of the schedule's is open");
		return;
	}
	if (sim_harness(sim)->faults.partitioned || lv->o->nodes < 2 ||
	    so->partition_count >= OPT_MAX_SCHEDULED) {
		live_say(lv, "x: heal first (h), or no room for more");
		return;
	}
	p = &so->partitions[so->partition_count++];
	memset(p, 0, sizeof(*p));
	p->tick = tick;
	p->len = OPT_MAX_TICKS;
	p->group_of[node] = 1;
	p->max_node = lv->o->nodes - 1;
	sim_schedule_changed(sim, RAFT_NONE, UINT64_MAX);
	live_say(lv, "x: node %d is cut off at tick %" PRIu64 " (h heals)",
		 node, tick);
}

/* One key's fault, for the first tick not begun. */
static void apply_sim(struct live *lv, struct sim *sim,
		      const struct live_cmd *c)
{
	struct raftsim_options *so = sim_schedule(sim);
	struct harness *h = sim_harness(sim);
	uint64_t tick = sim_tick(sim) + 1;
	enum node_status s;
	int node;

	if (c->type == LIVE_HEAL) {
		isolate_or_heal(lv, sim, RAFT_NONE, tick);
		return;
	}
	node = live_target(h, c);
	if (node == RAFT_NONE) {
		live_say(lv,
			 "no leader right now: give a node's id (p 2, k 2)");
		return;
	}
	s = h->node[node].status;
	if (c->type == LIVE_ISOLATE)
		isolate_or_heal(lv, sim, node, tick);
	else if (c->type == LIVE_PAUSE && s != NODE_CRASHED)
		toggle(lv, sim, so->pauses, &so->pause_count, node, tick,
		       s == NODE_PAUSED, "paused");
	else if (c->type == LIVE_CRASH && s != NODE_PAUSED)
		toggle(lv, sim, so->crashes, &so->crash_count, node, tick,
		       s == NODE_CRASHED, "crashed");
	else
		live_say(lv, "node %d is %s: %c %d first", node,
			 s == NODE_CRASHED ? "crashed" : "paused",
			 s == NODE_CRASHED ? 'k' : 'p', node);
}

/* The windows still open at the end close with the run (the replay needs
 * no longer ones), and an interrupted run replays as far as it went. */
static void print_replay(struct sim *sim, FILE *out)
{
	struct raftsim_options *so = sim_schedule(sim);
	uint64_t end = sim_tick(sim);
	char *cmd = malloc(OPTIONS_COMMAND_MAX);
	int i;

	if (cmd == NULL)
		return;
	so->ticks = end;
	for (i = 0; i < so->pause_count; i++)
		if (so->pauses[i].tick + so->pauses[i].len > end + 1)
			so->pauses[i].len = end + 1 - so->pauses[i].tick;
	for (i = 0; i < so->crash_count; i++)
		if (so->crashes[i].tick + so->crashes[i].len > end + 1)
			so->crashes[i].len = end + 1 - so->crashes[i].tick;
	for (i = 0; i < so->partition_count; i++)
		if (so->partitions[i].tick + so->partitions[i].len > end + 1)
			so->partitions[i].len = end + 1 -
						so->partitions[i].tick;
	if (options_format_command(so, cmd, OPTIONS_COMMAND_MAX) == 0)
		fprintf(out, "replay (keys as scheduled faults): %s\n", cmd);
	free(cmd);
}

/* Ticks one by one, paced; the keys between them. */
static void run_paced(struct live *lv, struct sim *sim)
{
	const struct raftsim_options *o = lv->o;
	int64_t tick_us = (int64_t)o->tick_us;
	struct live_cmd cmds[LIVE_QUEUE];
	struct pace p = {clock_now_us(), 0, o->speed, 0};
	uint64_t k;
	int i, n;

	for (k = 1; k <= o->ticks; k++) {
		sim_run_until(sim, (int64_t)k * tick_us - 1);
		if (sim_failure(sim) != SIM_OK || sim_interrupted(sim))
			return;
		publish(lv, sim, &p, false);
		pace_to(lv, &p, (int64_t)k * tick_us - 1, (int64_t)k * tick_us);
		n = live_take_queue(lv, cmds);
		for (i = 0; i < n; i++)
			apply_sim(lv, sim, &cmds[i]);
		if (n > 0)
			publish(lv, sim, &p, true);
	}
	sim_run_all(sim);
}

int live_sim_main(struct live *lv, FILE *out, FILE *err)
{
	const struct raftsim_options *o = lv->o;
	struct harness_output output;
	struct harness_tap tap = {live_tap_event, lv};
	struct sim *sim;
	int code;

	code = sim_open(o, NULL, err, &output, &sim);
	if (code != EXIT_PASS)
		return code;
	sim_set_tap(sim, &tap);
	pthread_mutex_lock(&lv->mu);
	lv->h = sim_harness(sim);
	pthread_mutex_unlock(&lv->mu);
	if (live_term_open() == 0)
		live_view_start(lv);
	run_paced(lv, sim);
	live_view_stop(lv);
	live_term_restore();
	if (sim_failure(sim) != SIM_OK) {
		sim_print_failure(sim, err);
		code = EXIT_RUN_FAILED;
	} else {
		code = harness_verdict(sim_harness(sim), sim_now(sim),
				       sim_tick(sim), out, err);
		print_replay(sim, out);
	}
	sim_free(sim);
	return harness_output_close(&output, code, err);
}

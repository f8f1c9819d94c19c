/* live.c - `raftsim --live` (live.h): the session, the tap that feeds the
 * screen its events, and the threaded run's keys (the view thread is
 * live_screen.c's). The lock rules are in live_internal.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live_internal.h"
#include "live_term.h"
#include "runtime/clock.h"
#include "runtime/runtime.h"

int live_init(struct live *lv, const struct raftsim_options *o, bool sim)
{
	size_t n = (size_t)o->nodes;
	int rv;

	memset(lv, 0, sizeof(*lv));
	lv->o = o;
	lv->sim = sim;
	lv->speed = o->speed;
	live_keys_init(&lv->keys, o->nodes);
	lv->view.mode = sim ? "sim" : "threads";
	lv->view.nodes = o->nodes;
	lv->view.ticks = o->ticks;
	lv->flash = calloc(n, sizeof(*lv->flash));
	lv->published = calloc(n, sizeof(*lv->published));
	lv->view.node = calloc(n, sizeof(*lv->view.node));
	/* a row is at most a few hundred bytes with its escapes */
	lv->frame_cap = (n + 64) * 512;
	lv->frame = malloc(lv->frame_cap);
	if (!lv->flash || !lv->published || !lv->view.node || !lv->frame)
		goto err;
	rv = pthread_mutex_init(&lv->mu, NULL);
	if (rv != 0)
		goto err;
	if (clock_cond_init(&lv->cond) != 0) {
		pthread_mutex_destroy(&lv->mu);
		goto err;
	}
	return 0;
err:
	free(lv->flash);
	free(lv->published);
	free(lv->view.node);
	free(lv->frame);
	return -1;
}

void live_destroy(struct live *lv)
{
	pthread_cond_destroy(&lv->cond);
	pthread_mutex_destroy(&lv->mu);
	free(lv->flash);
	free(lv->published);
	free(lv->view.node);
	free(lv->frame);
}

/* An event worth a line on the screen, in words; false for the rest. */
static bool event_text(const struct wev *ev, char *out, size_t cap)
{
	double s = (double)ev->us / 1e6;

	switch (ev->type) {
	case WEV_ELECTION:
		snprintf(out, cap,
			 "%8.3fs  node %d starts an election, term %" PRIu64, s,
			 ev->node, ev->term);
		return true;
	case WEV_ROLE:
		snprintf(out, cap, "%8.3fs  node %d is %s in term %" PRIu64, s,
			 ev->node,
			 ev->role == RAFT_LEADER      ? "LEADER"
			 : ev->role == RAFT_CANDIDATE ? "candidate"
						      : "follower",
			 ev->term);
		return ev->role != RAFT_CANDIDATE; /* the election said it */
	case WEV_PAUSE:
	case WEV_RESUME:
	case WEV_CRASH:
	case WEV_RESTART:
		snprintf(out, cap, "%8.3fs  node %d %s", s, ev->node,
			 ev->type == WEV_PAUSE    ? "paused"
			 : ev->type == WEV_RESUME ? "resumed"
			 : ev->type == WEV_CRASH  ? "crashed"
						  : "restarted");
		return true;
	case WEV_PARTITION:
		snprintf(out, cap, "%8.3fs  the network is partitioned", s);
		return true;
	case WEV_HEAL:
		snprintf(out, cap, "%8.3fs  the partition is healed", s);
		return true;
	default:
		return false;
	}
}

void live_tap_event(void *ctx, const struct wev *ev)
{
	struct live *lv = ctx;
	char text[LIVE_EVENT_LEN];
	bool shown = event_text(ev, text, sizeof(text));

	pthread_mutex_lock(&lv->mu);
	if (ev->type == WEV_ROUND && ev->node >= 0 && ev->node < lv->o->nodes)
		lv->flash[ev->node] = LIVE_FLASH_FRAMES;
	if (ev->type == WEV_PARTITION || ev->type == WEV_HEAL)
		lv->partitioned = ev->type == WEV_PARTITION;
	if (shown) {
		if (lv->event_count == LIVE_EVENTS) {
			memmove(lv->events[0], lv->events[1],
				sizeof(lv->events[0]) * (LIVE_EVENTS - 1));
			lv->event_count--;
		}
		memcpy(lv->events[lv->event_count++], text, sizeof(text));
	}
	/* The tap runs where the monitor does (the events lock): the
	 * checker's count can be read here. */
	if (lv->h != NULL && lv->h->mon != NULL)
		lv->violations = checker_violation_count(lv->h->mon->checker);
	pthread_mutex_unlock(&lv->mu);
}

void live_say(struct live *lv, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lv->mu);
	va_start(ap, fmt);
	vsnprintf(lv->status, sizeof(lv->status), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&lv->mu);
}

void live_node_of(const struct harness_node *n, struct live_node_view *out)
{
	const struct raft_state *r = &n->raft;

	out->status = n->status;
	out->role = r->role;
	out->term = r->current_term;
	out->voted_for = r->voted_for;
	out->leader_id = r->leader_id;
	out->election_elapsed = r->election_elapsed;
	out->election_timeout = r->election_timeout;
	out->commit_index = r->commit_index;
	out->last_applied = r->last_applied;
}

int live_target(struct harness *h, const struct live_cmd *c)
{
	return c->node != RAFT_NONE ? c->node : harness_leader(h);
}

int live_take_queue(struct live *lv, struct live_cmd *out)
{
	int n;

	pthread_mutex_lock(&lv->mu);
	n = lv->queued;
	memcpy(out, lv->queue, (size_t)n * sizeof(*out));
	lv->queued = 0;
	pthread_mutex_unlock(&lv->mu);
	return n;
}

static enum node_status status_of(struct harness *h, int node)
{
	enum node_status s;

	harness_lock(h, HARNESS_LOCK_NODE, node);
	s = h->node[node].status;
	harness_unlock(h, HARNESS_LOCK_NODE, node);
	return s;
}

static void heal(struct live *lv, struct harness *h)
{
	bool split;

	harness_lock(h, HARNESS_LOCK_NET, RAFT_NONE);
	split = h->faults.partitioned;
	harness_unlock(h, HARNESS_LOCK_NET, RAFT_NONE);
	if (!split) {
		live_say(lv, "h: the network is whole: nothing to heal");
		return;
	}
	harness_partition(h, NULL);
	live_say(lv, "h: healed at tick %" PRIu64, atomic_load(&h->tick));
}

/* One key's fault, on threads: from the observer's thread, holding no
 * lock, as the schedule's faults are applied. */
static void apply_threads(struct live *lv, struct harness *h,
			  const struct live_cmd *c)
{
	uint8_t group_of[OPT_MAX_NODES] = {0};
	uint64_t tick = atomic_load(&h->tick);
	enum node_status s;
	int node;

	if (c->type == LIVE_HEAL) {
		heal(lv, h);
		return;
	}
	node = live_target(h, c);
	if (node == RAFT_NONE) {
		live_say(lv,
			 "no leader right now: give a node's id (p 2, k 2)");
		return;
	}
	s = status_of(h, node);
	switch (c->type) {
	case LIVE_PAUSE:
		if (s == NODE_CRASHED) {
			live_say(lv, "node %d is crashed: k %d restarts it",
				 node, node);
		} else if (s == NODE_PAUSED) {
			harness_resume(h, node);
			live_say(lv, "p: node %d resumed at tick %" PRIu64,
				 node, tick);
		} else {
			harness_pause(h, node);
			live_say(lv,
				 "p: node %d paused at tick %" PRIu64
				 " (p %d resumes it)",
				 node, tick, node);
		}
		break;
	case LIVE_CRASH:
		if (s == NODE_CRASHED) {
			harness_restart(h, node);
			live_say(lv, "k: node %d restarted at tick %" PRIu64,
				 node, tick);
		} else {
			harness_crash(h, node);
			live_say(lv,
				 "k: node %d crashed at tick %" PRIu64
				 " (k %d restarts it)",
				 node, tick, node);
		}
		break;
	case LIVE_ISOLATE:
		if (lv->o->nodes < 2) {
			live_say(lv, "x: one node cannot be cut off");
			break;
		}
		group_of[node] = 1;
		harness_partition(h, group_of);
		live_say(lv,
			 "x: node %d is cut off at tick %" PRIu64 " (h heals)",
			 node, tick);
		break;
	default:
		break;
	}
}

static void threads_started(void *ctx, struct harness *h)
{
	struct live *lv = ctx;

	pthread_mutex_lock(&lv->mu);
	lv->h = h;
	pthread_mutex_unlock(&lv->mu);
	if (live_term_open() == 0)
		live_view_start(lv);
}

static void threads_poll(void *ctx, struct harness *h)
{
	struct live *lv = ctx;
	struct live_cmd cmds[LIVE_QUEUE];
	int n = live_take_queue(lv, cmds);
	int i;

	for (i = 0; i < n; i++)
		apply_threads(lv, h, &cmds[i]);
}

static void threads_stopped(void *ctx)
{
	struct live *lv = ctx;

	live_view_stop(lv);
	live_term_restore();
}

int live_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct harness_tap tap;
	struct runtime_control ctl;
	struct live *lv;
	int code;

	if (!isatty(STDOUT_FILENO)) {
		fprintf(err, "raftsim: --live needs a terminal: stdout is not "
			     "one (drop --live, or run it in a terminal)\n");
		return EXIT_USAGE;
	}
	lv = malloc(sizeof(*lv));
	if (lv == NULL || live_init(lv, o, o->sim) != 0) {
		free(lv);
		fprintf(err, "raftsim: --live: out of memory\n");
		return EXIT_RUN_FAILED;
	}
	tap.event = live_tap_event;
	tap.ctx = lv;
	if (o->sim) {
		code = live_sim_main(lv, out, err);
	} else {
		ctl.started = threads_started;
		ctl.poll = threads_poll;
		ctl.stopped = threads_stopped;
		ctl.ctx = lv;
		code = runtime_run_control(o, out, err, &tap, &ctl, NULL);
	}
	live_view_stop(lv);
	live_term_restore();
	live_destroy(lv);
	free(lv);
	return code;
}

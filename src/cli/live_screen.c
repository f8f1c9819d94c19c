/* live_screen.c - the view thread of --live (live.h): 20 frames a second
 * drawn from a snapshot of the nodes, and the keys. On threads the
 * snapshot is read here, each node under its node lock; in the simulator
 * it is what the simulator's thread published at its last tick. */
#include <signal.h>
#include <string.h>

#include "harness/harness_stop.h"
#include "live_internal.h"
#include "live_term.h"
#include "runtime/clock.h"

#define LIVE_MIN_SPEED 0.001

/* The shared part of the view, under the live lock; the nodes of a
 * threaded run after it, each under its own lock. */
static void snapshot(struct live *lv)
{
	struct live_view *v = &lv->view;
	struct live_node_view node;
	struct harness *h;
	uint64_t now_tick;
	uint64_t last;
	int i;

	pthread_mutex_lock(&lv->mu);
	h = lv->h;
	memcpy(v->events, lv->events, sizeof(v->events));
	v->event_count = lv->event_count;
	v->violations = lv->violations;
	v->partitioned = lv->partitioned;
	v->speed = lv->sim ? lv->speed : 0;
	if (lv->sim) {
		memcpy(v->node, lv->published,
		       (size_t)lv->o->nodes * sizeof(v->node[0]));
		v->tick = lv->published_tick;
	}
	for (i = 0; i < lv->o->nodes; i++) {
		v->node[i].flash = lv->flash[i] > 0;
		if (lv->flash[i] > 0)
			lv->flash[i]--;
	}
	pthread_mutex_unlock(&lv->mu);
	if (lv->sim || h == NULL)
		return;
	v->tick = atomic_load(&h->tick);
	now_tick = (uint64_t)(h->ops.now_us(h->ops.ctx) /
			      (int64_t)lv->o->tick_us);
	for (i = 0; i < lv->o->nodes; i++) {
		harness_lock(h, HARNESS_LOCK_NODE, i);
		live_node_of(&h->node[i], &node);
		last = h->node[i].tick;
		harness_unlock(h, HARNESS_LOCK_NODE, i);
		/* A node thread sleeps through its silent ticks and counts
		 * them when it next wakes (runtime_node.c): the bar counts
		 * them now, so that it drains while the leader is silent. */
		if (node.status == NODE_UP && now_tick > last &&
		    node.election_elapsed < node.election_timeout)
			node.election_elapsed +=
				(unsigned)(now_tick - last <
							   node.election_timeout
						   ? now_tick - last
						   : node.election_timeout);
		node.flash = v->node[i].flash;
		v->node[i] = node;
	}
}

static void draw(struct live *lv)
{
	struct live_view *v = &lv->view;
	char pending[LIVE_STATUS_LEN];
	int rows, cols;
	bool resized = live_term_size(&rows, &cols);
	size_t len;

	if (!lv->frozen)
		snapshot(lv);
	v->frozen = lv->frozen;
	live_keys_pending(&lv->keys, pending, sizeof(pending));
	pthread_mutex_lock(&lv->mu);
	memcpy(v->status, pending[0] ? pending : lv->status, sizeof(v->status));
	pthread_mutex_unlock(&lv->mu);
	len = live_draw(v, rows, cols, lv->frame, lv->frame_cap);
	if (resized)
		live_term_write("\x1b[2J", 4);
	live_term_write(lv->frame, len);
}

/* + and -: the simulator's speed, doubled or halved. */
static void change_speed(struct live *lv, bool faster)
{
	if (!lv->sim) {
		live_say(lv,
			 "%c: only the simulator has a speed "
			 "(--sim --speed X)",
			 faster ? '+' : '-');
		return;
	}
	pthread_mutex_lock(&lv->mu);
	lv->speed = faster ? lv->speed * 2 : lv->speed / 2;
	if (lv->speed > OPT_MAX_SPEED)
		lv->speed = OPT_MAX_SPEED;
	if (lv->speed < LIVE_MIN_SPEED)
		lv->speed = LIVE_MIN_SPEED;
	snprintf(lv->status, sizeof(lv->status), "speed %gx", lv->speed);
	pthread_cond_broadcast(&lv->cond); /* a long sleep starts over */
	pthread_mutex_unlock(&lv->mu);
}

static void handle(struct live *lv, const struct live_cmd *c)
{
	switch (c->type) {
	case LIVE_FREEZE:
		lv->frozen = !lv->frozen;
		return;
	case LIVE_QUIT:
		live_say(lv, "q: the run ends (as Ctrl-C ends it)");
		harness_stop_request(SIGINT);
		pthread_mutex_lock(&lv->mu);
		pthread_cond_broadcast(&lv->cond);
		pthread_mutex_unlock(&lv->mu);
		return;
	case LIVE_FASTER:
	case LIVE_SLOWER:
		change_speed(lv, c->type == LIVE_FASTER);
		return;
	default:
		break;
	}
	pthread_mutex_lock(&lv->mu);
	if (lv->queued < LIVE_QUEUE)
		lv->queue[lv->queued++] = *c;
	else
		snprintf(lv->status, sizeof(lv->status),
			 "too many keys at once: that one was dropped");
	pthread_mutex_unlock(&lv->mu);
}

static bool stopping(struct live *lv)
{
	bool stop;

	pthread_mutex_lock(&lv->mu);
	stop = lv->stop;
	pthread_mutex_unlock(&lv->mu);
	return stop;
}

/* Frames at absolute deadlines (a late one is skipped, not made up);
 * keys in between. */
static void *view_main(void *arg)
{
	struct live *lv = arg;
	struct live_cmd cmds[2];
	int64_t next = clock_now_us();
	int64_t now;
	char keys[64];
	size_t len, i;
	int n, j;

	while (!stopping(lv)) {
		now = clock_now_us();
		if (now >= next) {
			draw(lv);
			next += LIVE_FRAME_US;
			if (next <= now)
				next = now + LIVE_FRAME_US;
		}
		now = clock_now_us();
		len = live_term_read(
			keys, sizeof(keys),
			next > now ? (int)((next - now + 999) / 1000) : 0);
		now = clock_now_us();
		for (i = 0; i < len; i++) {
			n = live_keys_feed(&lv->keys, (unsigned char)keys[i],
					   now, cmds);
			for (j = 0; j < n; j++)
				handle(lv, &cmds[j]);
		}
		if (live_keys_expire(&lv->keys, now, &cmds[0]))
			handle(lv, &cmds[0]);
	}
	return NULL;
}

int live_view_start(struct live *lv)
{
	int rv = pthread_create(&lv->thread, NULL, view_main, lv);

	lv->started = rv == 0;
	return rv;
}

void live_view_stop(struct live *lv)
{
	if (!lv->started)
		return;
	pthread_mutex_lock(&lv->mu);
	lv->stop = true;
	pthread_mutex_unlock(&lv->mu);
	pthread_join(lv->thread, NULL);
	lv->started = false;
}

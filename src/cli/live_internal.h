/* live_internal.h - what live.c (the session, its view thread, threads)
 * and live_sim.c (the simulator's pacing and keys) share.
 *
 * Locks: the live lock (mu) is a leaf. The tap takes it under the events
 * lock (node -> events -> live); the view thread and the observer take it
 * holding nothing else, and apply faults only after releasing it. The view
 * thread reads the nodes (threads) each under its node lock alone.
 */
#ifndef LIVE_INTERNAL_H
#define LIVE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness/harness.h"
#include "live.h"
#include "live_view.h"

#define LIVE_FRAME_US 50000 /* 20 frames a second */
#define LIVE_QUEUE 32       /* keys' faults not yet applied */
#define LIVE_FLASH_FRAMES 2 /* a heartbeat round shows this long */

struct live {
	const struct raftsim_options *o;
	bool sim;

	pthread_mutex_t mu;  /* the live lock: everything below it */
	pthread_cond_t cond; /* monotonic: the simulator's paced sleeps */
	struct harness *h;   /* once the run has started */
	struct live_cmd queue[LIVE_QUEUE];
	int queued;
	char events[LIVE_EVENTS][LIVE_EVENT_LEN];
	int event_count;
	uint8_t *flash; /* nodes long: frames a round still shows */
	uint64_t violations;
	char status[LIVE_STATUS_LEN];
	double speed; /* sim only */
	bool stop;
	/* sim: the nodes as of the last tick the simulator published */
	struct live_node_view *published;
	uint64_t published_tick;
	bool partitioned;

	/* The view thread's own. */
	pthread_t thread;
	bool started;
	bool frozen;
	struct live_keys keys;
	struct live_view view;
	char *frame;
	size_t frame_cap;
};

/* live.c */
int live_init(struct live *lv, const struct raftsim_options *o, bool sim);
void live_destroy(struct live *lv);
/* The tap: every event of the run. */
void live_tap_event(void *ctx, const struct wev *ev);
/* Starts and stops the view thread (it draws from `published` in sim). */
int live_view_start(struct live *lv);
void live_view_stop(struct live *lv);
/* Takes the keys' faults queued so far; returns how many. */
int live_take_queue(struct live *lv, struct live_cmd *out);
/* Says what the last key did, on the status line (printf-style). */
void live_say(struct live *lv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* One node as a frame shows it; its node lock held (or one thread). */
void live_node_of(const struct harness_node *n, struct live_node_view *out);
/* The node a key means: its id, or the leader (RAFT_NONE if none). */
int live_target(struct harness *h, const struct live_cmd *c);

/* live_sim.c: the --sim --speed run. */
int live_sim_main(struct live *lv, FILE *out, FILE *err);

#endif

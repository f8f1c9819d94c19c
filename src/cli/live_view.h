/* live_view.h - the pure parts of `raftsim --live` (live.h is the rest):
 * what one frame shows, how it is drawn into ANSI text, and how the keys a
 * user types become commands. No terminal, no threads, no clock here: the
 * caller passes the time and the screen size, so tests drive them by hand.
 */
#ifndef LIVE_VIEW_H
#define LIVE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/faults.h"
#include "raft_state.h"

#define LIVE_EVENTS 12     /* the last events kept for the screen */
#define LIVE_EVENT_LEN 72  /* one event's text, with its NUL */
#define LIVE_STATUS_LEN 96 /* the line that answers the last key */

/* One node as a frame shows it, read under the node's lock. */
struct live_node_view {
	enum node_status status;
	enum raft_role role;
	uint64_t term;
	int voted_for; /* RAFT_NONE: none */
	int leader_id; /* RAFT_NONE: none known */
	unsigned election_elapsed;
	unsigned election_timeout;
	uint64_t commit_index;
	uint64_t last_applied;
	bool flash; /* led a heartbeat round since the last frame or so */
};

struct live_view {
	const char *mode; /* "threads" or "sim" */
	int nodes;
	uint64_t tick;  /* the schedule's tick */
	uint64_t ticks; /* the run's length */
	double speed;   /* sim: virtual seconds per wall second; 0: threads */
	bool frozen;    /* space: the view stands still, the run goes on */
	bool partitioned;
	uint64_t violations;
	int event_count; /* the last events, oldest first */
	char events[LIVE_EVENTS][LIVE_EVENT_LEN];
	char status[LIVE_STATUS_LEN];
	struct live_node_view *node; /* nodes long */
};

/* The election-timeout bar: `width` cells, full just after a reset and
 * empty when the timer runs out (elapsed >= timeout). Writes width bytes
 * and a NUL into out (cap > width). */
void live_bar(char *out, size_t cap, unsigned elapsed, unsigned timeout,
	      int width);

/* Draws one whole frame for a rows x cols terminal into buf: cursor home,
 * every line cleared to its end and cut to cols visible characters, the
 * nodes that fit (then "N more"), the last events that fit, the verdict so
 * far and the keys. A terminal too small for the least of it gets one line
 * saying so. Returns the bytes written (at most cap - 1, NUL ended). */
size_t live_draw(const struct live_view *v, int rows, int cols, char *buf,
		 size_t cap);

/* The smallest terminal live_draw lays out. */
#define LIVE_MIN_ROWS 6
#define LIVE_MIN_COLS 40

/* What a key (or a few) asks for. node: a node id, or RAFT_NONE for "the
 * leader" (p or k without a number). */
enum live_cmd_type {
	LIVE_PAUSE,   /* p [N]: pause or resume */
	LIVE_CRASH,   /* k [N]: crash or restart */
	LIVE_ISOLATE, /* x: partition the leader away */
	LIVE_HEAL,    /* h */
	LIVE_SLOWER,  /* - */
	LIVE_FASTER,  /* + */
	LIVE_FREEZE,  /* space */
	LIVE_QUIT,    /* q */
};

struct live_cmd {
	enum live_cmd_type type;
	int node;
};

/* How long a `p` or `k` waits for its node's number before it means the
 * leader. */
#define LIVE_KEY_WAIT_US 800000

/* The keys typed so far of a command not yet complete. */
struct live_keys {
	int nodes; /* ids are 0 .. nodes - 1 */
	char verb; /* 'p', 'k', or 0: nothing pending */
	int node;  /* the number typed, or -1 */
	int64_t since_us;
};

void live_keys_init(struct live_keys *k, int nodes);

/* Feeds one key typed at now_us. Writes the commands it completes into
 * out (at most 2: a pending `p` the key ends, and the key's own) and
 * returns how many. A number that no more digits could keep below `nodes`
 * completes at once ("p3" with 5 nodes); Enter completes it too. Unknown
 * keys are ignored. */
int live_keys_feed(struct live_keys *k, int key, int64_t now_us,
		   struct live_cmd out[2]);

/* A pending command whose wait ran out by now_us: written to *out, 1;
 * else 0. */
int live_keys_expire(struct live_keys *k, int64_t now_us, struct live_cmd *out);

/* What is pending, for the status line ("p 1_"), or "" when nothing is. */
void live_keys_pending(const struct live_keys *k, char *out, size_t cap);

#endif

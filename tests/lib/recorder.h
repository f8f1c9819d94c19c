/* recorder.h - one event recorder for the tests of both worlds: a
 * harness_tap that keeps what it sees, for the simulator (sim_set_tap) and
 * the threaded runtime (runtime_run_with), and ways to look things up. */
#ifndef RECORDER_H
#define RECORDER_H

#include <stdint.h>

#include "harness/harness.h"

/* What the recorder keeps of one event. */
struct rec_ev {
	enum wev_type type;
	int64_t us;
	uint64_t tick;
	int node;
	uint64_t term;
	enum raft_role role;
	int peer;
};

struct recorder {
	struct rec_ev *ev;
	int n;
	int cap;
	int overflow; /* events came after it was full */
};

/* Room for `cap` events. Returns 0, or -1 when out of memory. */
int recorder_init(struct recorder *r, int cap);
void recorder_free(struct recorder *r);
/* Forgets what it saw. */
void recorder_clear(struct recorder *r);

/* The tap to hand to a run. Its callback only copies: safe under the
 * runtime's monitor lock. */
struct harness_tap recorder_tap(struct recorder *r);

/* The index of the first event of `type` from `node` (-1: any node) at or
 * after index `from`, or -1. */
int recorder_find(const struct recorder *r, int from, enum wev_type type,
		  int node);
/* The same for a role event to `role` by a node other than not_node. */
int recorder_find_role(const struct recorder *r, int from, int node,
		       enum raft_role role, int not_node);
/* How many events of `type` from `node` (-1: any). */
int recorder_count(const struct recorder *r, enum wev_type type, int node);

#endif

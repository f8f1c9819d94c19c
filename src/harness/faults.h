/* faults.h - the fault model, shared by the threaded runtime and the
 * simulator: which messages are lost, doubled or delayed, and when nodes
 * pause, crash, restart and are partitioned.
 *
 * Pure: no clocks, no locks. The caller owns the randomness (each sender
 * passes its own generator, so threads never share one) and applies the
 * actions; the schedule is advanced once per tick by one caller only.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/options.h"
#include "raft_msg.h"

enum node_status { NODE_UP, NODE_PAUSED, NODE_CRASHED };

enum fault_action_type {
	FAULT_PAUSE,
	FAULT_RESUME,
	FAULT_CRASH,
	FAULT_RESTART,
	FAULT_PARTITION,
	FAULT_HEAL,
};

struct fault_action {
	enum fault_action_type type;
	int node; /* pause/resume/crash/restart */
};

/* Per tick: a resume or restart and a pause or crash per node, a heal,
 * and every --partition that starts on it (the last one wins). */
#define FAULT_MAX_ACTIONS (2 * OPT_MAX_NODES + OPT_MAX_SCHEDULED + 2)

struct faults {
	const struct raftsim_options *opt;
	struct raft_rng rng; /* the schedule's own: random pauses etc. */
	enum node_status status[OPT_MAX_NODES];
	uint64_t until[OPT_MAX_NODES]; /* tick a pause or crash ends */
	uint8_t group_of[OPT_MAX_NODES];
	bool partitioned;
	uint64_t partition_until;
};

/* What becomes of one message. */
struct msg_fate {
	int copies;           /* 0: lost; 1; 2: duplicated */
	uint64_t extra_us[2]; /* added delay of each copy (--reorder) */
};

void faults_init(struct faults *f, const struct raftsim_options *opt,
		 uint64_t seed);

/* Advances the schedule to `tick`: fills `out` with what happens now, in
 * order (ends before starts), updates status/groups, and returns the count.
 * `leader` is the node that is leader now (RAFT_NONE if none), for
 * --pause leader@TICK. */
int faults_advance(struct faults *f, uint64_t tick, int leader,
		   struct fault_action *out);

/* Whether faults_advance draws on every tick (--pause-prob, --crash-prob,
 * --partition-prob). */
bool faults_random(const struct faults *f);

/* The first tick after `after` on which faults_advance may act or draw: a
 * scheduled fault starts, a pause, crash or partition ends, or (with random
 * faults) after + 1. UINT64_MAX if none. Ticks before it are quiet: a
 * tickless driver need not advance the schedule through them. */
uint64_t faults_next_tick(const struct faults *f, uint64_t after);

/* Whether tick `tick` pauses or crashes "leader": only then does
 * faults_advance read its `leader` argument. */
bool faults_needs_leader(const struct faults *f, uint64_t tick);

/* Outside the schedule (failover): sets a node's status now, until tick
 * `until` (UINT64_MAX: until it is set again). */
void faults_set_status(struct faults *f, int node, enum node_status status,
		       uint64_t until);

/* Outside the schedule: splits the network now (group_of[i] for every
 * node) until tick `until`, or heals it (NULL). */
void faults_set_partition(struct faults *f, const uint8_t *group_of,
			  uint64_t until);

/* Whether a message from `from` can reach `to` right now (partitions). */
bool faults_connected(const struct faults *f, int from, int to);

/* The most extra delay faults_message gives a copy under `opt` (0 without
 * --reorder): a receiver over TCP bounds a peer's claimed delay by it. */
uint64_t faults_max_extra_us(const struct raftsim_options *opt);

/* Decides a message's fate with the sender's generator: `copies`, and the
 * extra delay of each copy (only those are set). Does not look at
 * node status: a paused receiver still queues, a crashed one is the
 * caller's to drop. */
void faults_message(const struct raftsim_options *opt, struct raft_rng *rng,
		    struct msg_fate *fate);

#endif

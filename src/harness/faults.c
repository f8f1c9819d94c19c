/* faults.c - the fault model; see faults.h. */
#include <assert.h>
#include <string.h>

#include "faults.h"

void faults_init(struct faults *f, const struct raftsim_options *opt,
		 uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->opt = opt;
	raft_rng_seed(&f->rng, raft_rng_derive(seed, 0xfa17));
}

static void push(struct fault_action *out, int *n, enum fault_action_type type,
		 int node)
{
	assert(*n < FAULT_MAX_ACTIONS);
	out[*n].type = type;
	out[*n].node = node;
	(*n)++;
}

static void take_down(struct faults *f, int node, enum node_status status,
		      uint64_t until, struct fault_action *out, int *n)
{
	if (node < 0 || f->status[node] != NODE_UP)
		return; /* already down, or no leader to pause */
	f->status[node] = status;
	f->until[node] = until;
	push(out, n, status == NODE_PAUSED ? FAULT_PAUSE : FAULT_CRASH, node);
}

static void split(struct faults *f, const uint8_t *group_of, uint64_t until,
		  struct fault_action *out, int *n)
{
	memcpy(f->group_of, group_of, sizeof(f->group_of));
	f->partitioned = true;
	f->partition_until = until;
	push(out, n, FAULT_PARTITION, -1);
}

/* A random split into two non-empty sides. */
static void random_split(struct faults *f, uint64_t tick,
			 struct fault_action *out, int *n)
{
	uint8_t group_of[OPT_MAX_NODES] = {0};
	const struct raftsim_options *o = f->opt;
	int ones = 0;
	int i;

	if (o->nodes < 2)
		return;
	for (i = 0; i < o->nodes; i++) {
		group_of[i] = (uint8_t)(raft_rng_next(&f->rng) & 1);
		ones += group_of[i];
	}
	if (ones == 0 || ones == o->nodes) {
		int flip = (int)raft_rng_range(&f->rng, 0,
					       (uint64_t)o->nodes - 1);
		group_of[flip] ^= 1;
	}
	split(f, group_of,
	      tick + raft_rng_range(&f->rng, o->partition_ticks.min,
				    o->partition_ticks.max),
	      out, n);
}

/* A --crash window: one node, the leader, or (all) every node at once,
 * the whole-cluster crash: every node that runs (one paused or already
 * down keeps its own window). */
static void crash_window(struct faults *f, const struct fault_window *w,
			 int leader, struct fault_action *out, int *n)
{
	uint64_t until = w->tick + w->len;
	int i;

	if (w->who != WHO_ALL) {
		take_down(f, w->who == WHO_LEADER ? leader : w->who,
			  NODE_CRASHED, until, out, n);
		return;
	}
	for (i = 0; i < f->opt->nodes; i++) {
		take_down(f, i, NODE_CRASHED, until, out, n);
	}
}

int faults_advance(struct faults *f, uint64_t tick, int leader,
		   struct fault_action *out)
{
	const struct raftsim_options *o = f->opt;
	int n = 0;
	int i;

	/* Ends first, so that a window ending and one starting on the same
	 * tick read as resume-then-pause. */
	for (i = 0; i < o->nodes; i++) {
		if (f->status[i] == NODE_UP || f->until[i] > tick)
			continue;
		push(out, &n,
		     f->status[i] == NODE_PAUSED ? FAULT_RESUME : FAULT_RESTART,
		     i);
		f->status[i] = NODE_UP;
	}
	if (f->partitioned && f->partition_until <= tick) {
		f->partitioned = false;
		memset(f->group_of, 0, sizeof(f->group_of));
		push(out, &n, FAULT_HEAL, -1);
	}

	for (i = 0; i < o->pause_count; i++)
		if (o->pauses[i].tick == tick)
			take_down(f,
				  o->pauses[i].who == WHO_LEADER
					  ? leader
					  : o->pauses[i].who,
				  NODE_PAUSED, tick + o->pauses[i].len, out,
				  &n);
	for (i = 0; i < o->crash_count; i++)
		if (o->crashes[i].tick == tick)
			crash_window(f, &o->crashes[i], leader, out, &n);
	for (i = 0; i < o->partition_count; i++)
		if (o->partitions[i].tick == tick)
			split(f, o->partitions[i].group_of,
			      tick + o->partitions[i].len, out, &n);

	for (i = 0; i < o->nodes; i++) {
		if (f->status[i] != NODE_UP)
			continue;
		if (raft_rng_chance(&f->rng, o->pause_prob))
			take_down(f, i, NODE_PAUSED,
				  tick + raft_rng_range(&f->rng,
							o->pause_ticks.min,
							o->pause_ticks.max),
				  out, &n);
		else if (raft_rng_chance(&f->rng, o->crash_prob))
			take_down(f, i, NODE_CRASHED,
				  tick + raft_rng_range(&f->rng,
							o->crash_ticks.min,
							o->crash_ticks.max),
				  out, &n);
	}
	if (!f->partitioned && raft_rng_chance(&f->rng, o->partition_prob))
		random_split(f, tick, out, &n);
	return n;
}

bool faults_random(const struct faults *f)
{
	const struct raftsim_options *o = f->opt;

	return o->pause_prob > 0 || o->crash_prob > 0 || o->partition_prob > 0;
}

static uint64_t earliest_after(uint64_t best, uint64_t tick, uint64_t after)
{
	return tick > after && tick < best ? tick : best;
}

uint64_t faults_next_tick(const struct faults *f, uint64_t after)
{
	const struct raftsim_options *o = f->opt;
	uint64_t next = UINT64_MAX;
	int i;

	if (faults_random(f))
		return after + 1;
	/* What faults_advance compares: an end is due once `until` has
	 * come, so an overdue one (set outside the schedule) is due now. */
	for (i = 0; i < o->nodes; i++)
		if (f->status[i] != NODE_UP)
			next = earliest_after(next,
					      f->until[i] > after ? f->until[i]
								  : after + 1,
					      after);
	if (f->partitioned)
		next = earliest_after(next,
				      f->partition_until > after
					      ? f->partition_until
					      : after + 1,
				      after);
	for (i = 0; i < o->pause_count; i++)
		next = earliest_after(next, o->pauses[i].tick, after);
	for (i = 0; i < o->crash_count; i++)
		next = earliest_after(next, o->crashes[i].tick, after);
	for (i = 0; i < o->partition_count; i++)
		next = earliest_after(next, o->partitions[i].tick, after);
	return next;
}

bool faults_needs_leader(const struct faults *f, uint64_t tick)
{
	const struct raftsim_options *o = f->opt;
	int i;

	for (i = 0; i < o->pause_count; i++)
		if (o->pauses[i].tick == tick && o->pauses[i].who == WHO_LEADER)
			return true;
	for (i = 0; i < o->crash_count; i++)
		if (o->crashes[i].tick == tick &&
		    o->crashes[i].who == WHO_LEADER)
			return true;
	return false;
}

void faults_set_status(struct faults *f, int node, enum node_status status,
		       uint64_t until)
{
	assert(node >= 0 && node < f->opt->nodes);
	f->status[node] = status;
	f->until[node] = until;
}

void faults_set_partition(struct faults *f, const uint8_t *group_of,
			  uint64_t until)
{
	memset(f->group_of, 0, sizeof(f->group_of));
	f->partitioned = group_of != NULL;
	f->partition_until = until;
	if (group_of != NULL)
		memcpy(f->group_of, group_of, (size_t)f->opt->nodes);
}

bool faults_connected(const struct faults *f, int from, int to)
{
	return !f->partitioned || f->group_of[from] == f->group_of[to];
}

uint64_t faults_max_extra_us(const struct raftsim_options *opt)
{
	/* Up to one heartbeat interval: enough to swap a message with the
	 * next round, never enough on its own to trip an election timer. */
	if (opt->reorder <= 0)
		return 0;
	return (uint64_t)opt->heartbeat_ticks * opt->tick_us;
}

void faults_message(const struct raftsim_options *opt, struct raft_rng *rng,
		    struct msg_fate *fate_out)
{
	struct msg_fate fate = {1, {0, 0}};
	uint64_t max_extra;
	int i;

	if (opt->drop <= 0 && opt->dup <= 0 && opt->reorder <= 0) {
		/* The common case draws nothing. Field by field: the
		 * simulator's hot path reads it so (no stalled copy). */
		fate_out->copies = 1;
		fate_out->extra_us[0] = 0;
		return;
	}
	max_extra = faults_max_extra_us(opt);
	if (raft_rng_chance(rng, opt->drop)) {
		fate.copies = 0;
		*fate_out = fate;
		return;
	}
	if (raft_rng_chance(rng, opt->dup))
		fate.copies = 2;
	for (i = 0; i < fate.copies; i++)
		if (raft_rng_chance(rng, opt->reorder))
			fate.extra_us[i] = raft_rng_range(rng, 0, max_extra);
	*fate_out = fate;
}

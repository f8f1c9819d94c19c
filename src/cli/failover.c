/* failover.c - see failover.h: trials in the simulator, and statistics. */
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "sim/sim.h"

/* Trials tick every 100 us: the paper's servers used real clocks, and
 * 1 ms ticks would turn 150-155 ms into six values that tie too often. */
#define TICK_US 100
#define TICKS_PER_MS (1000 / TICK_US)

/* How long a trial may wait for a leader, in ms: the paper saw split votes
 * last over 10 s at 150-150 ms. */
#define CAP_MIN_MS 20000

static uint64_t cap_ms(const struct tick_range *range_ms)
{
	uint64_t cap = 40 * range_ms->max;

	return cap > CAP_MIN_MS ? cap : CAP_MIN_MS;
}

void failover_trial_options(const struct raftsim_options *base,
			    const struct tick_range *range_ms,
			    struct raftsim_options *o)
{
	options_default(o);
	o->threads = base->threads;
	o->command = CMD_RUN;
	o->sim = true;
	o->quiet = true;
	o->nodes = base->nodes;
	/* Real threads tick every 1 ms: finer would only measure the OS. */
	unsigned per_ms = base->threads ? 1 : TICKS_PER_MS;

	o->tick_us = base->threads ? 1000 : TICK_US;
	o->election.min = range_ms->min * per_ms;
	o->election.max = range_ms->max * per_ms;
	/* The paper: half the minimum timeout. */
	o->heartbeat_ticks = base->heartbeat_ms
				     ? base->heartbeat_ms * per_ms
				     : (unsigned)(o->election.min / 2);
	o->latency_us = base->latency_us;
	o->disk_us = base->disk_us;
	o->disk_parallel = base->disk_parallel;
	o->first_ranked = base->first_ranked;
	o->prevote = base->prevote;
	o->check_quorum = base->check_quorum;
	o->ranked_timeouts = base->ranked_timeouts;
	o->mailbox = base->mailbox;
	o->transport = base->transport;
	o->secret_path = base->secret_path;
	o->cluster_id = base->cluster_id;
	o->load_rate = base->load_rate;
	o->load_max = base->load_max;
	o->payload = base->payload;
	/* Warm-up (a few timeouts) plus the cap. */
	o->ticks = 10 * o->election.max + cap_ms(range_ms) * per_ms;
}

/* A leader that every node follows, in the last step's state. */
static int stable_leader(struct sim *sim, int nodes)
{
	int leader = sim_leader(sim);
	int i;

	if (leader == RAFT_NONE)
		return RAFT_NONE;
	for (i = 0; i < nodes; i++)
		if (sim_node(sim, i)->leader_id != leader ||
		    sim_node(sim, i)->current_term !=
			    sim_node(sim, leader)->current_term)
			return RAFT_NONE;
	return leader;
}

static uint64_t max_live_term(const struct sim *sim, int nodes)
{
	uint64_t term = 0;
	int i;

	for (i = 0; i < nodes; i++)
		if (sim_status(sim, i) == NODE_UP &&
		    sim_node(sim, i)->current_term > term)
			term = sim_node(sim, i)->current_term;
	return term;
}

/* The follower ranked first after the leader goes with it: crashed, or
 * cut off alone (it then campaigns on its own, unheard). */
static void take_first_ranked(struct sim *sim, struct failover_watch *w,
			      int leader, int how)
{
	uint8_t group_of[OPT_MAX_NODES] = {0};

	w->absent = (leader + 1) % w->nodes;
	if (how == FIRST_RANKED_DOWN) {
		sim_crash(sim, w->absent);
		return;
	}
	group_of[w->absent] = 1;
	sim_partition(sim, group_of);
}

/* How a trial's simulation ended, for failover_sim_trial's result: the
 * simulator halts on Ctrl-C (interrupted) or when it cannot queue a
 * message (failed); either way, what it measured is not a trial. */
static int trial_end(struct sim *sim, struct trial_result *res)
{
	int rv = sim_failure(sim) != SIM_OK ? -1 : sim_interrupted(sim) ? 1 : 0;

	res->finished = rv == 0;
	sim_free(sim);
	return rv;
}

int failover_sim_trial(const struct raftsim_options *base, uint64_t seed,
		       struct trial_result *res)
{
	struct raftsim_options o = *base;
	struct failover_watch w;
	struct harness_tap tap = {failover_watch_event, &w};
	struct raft_rng rng;
	struct sim *sim;
	int64_t step = (int64_t)o.heartbeat_ticks * o.tick_us;
	struct tick_range range_ms = {o.election.min / TICKS_PER_MS,
				      o.election.max / TICKS_PER_MS};
	int64_t crash_us, cap_us;
	int leader;

	o.seed = seed;
	raft_rng_seed(&rng, raft_rng_derive(seed, 0xfa11));
	sim = sim_new(&o, NULL);
	if (sim == NULL)
		return -1;
	failover_watch_init(&w, o.nodes);
	sim_set_tap(sim, &tap);
	/* Elect a first leader at once: with equal timeouts (150-150) the
	 * cluster might never get one by itself, and the measurement is of
	 * the failover, not of the start. */
	sim_campaign(sim, (int)raft_rng_range(&rng, 0, (uint64_t)o.nodes - 1));
	for (;;) { /* a stable leader, that has sent a round since */
		sim_run_until(sim, sim_now(sim) + step);
		leader = stable_leader(sim, o.nodes);
		if (leader != RAFT_NONE || sim_now(sim) >= sim_end_us(sim))
			break;
	}
	if (leader == RAFT_NONE) { /* never stable: report the cap */
		res->capped = 1;
		res->downtime_ms = (double)cap_ms(&range_ms);
		res->rounds = max_live_term(sim, o.nodes);
		return trial_end(sim, res);
	}
	w.round_us[leader] = -1; /* the next round, from now on */
	while (w.round_us[leader] < 0 && sim_now(sim) < sim_end_us(sim))
		sim_run_until(sim, sim_now(sim) + 1000);
	crash_us = w.round_us[leader] +
		   (int64_t)raft_rng_range(&rng, 0, (uint64_t)step - 1);
	sim_run_until(sim, crash_us);
	sim_crash(sim, leader); /* the watch learns of it from its event */
	if (o.first_ranked != FIRST_RANKED_UP)
		take_first_ranked(sim, &w, leader, o.first_ranked);
	cap_us = crash_us + (int64_t)cap_ms(&range_ms) * 1000;
	while (!w.done && sim_now(sim) < cap_us &&
	       sim_now(sim) < sim_end_us(sim))
		sim_run_until(sim, sim_now(sim) + step);
	res->capped = !w.done;
	res->downtime_ms = (double)((w.done ? w.done_us : cap_us) - crash_us) /
			   1000.0;
	res->rounds = (w.done ? w.new_term : max_live_term(sim, o.nodes)) -
		      w.old_term;
	res->stale_at_crash = failover_watch_stale(&w, w.at_crash);
	res->stale_at_vote = failover_watch_stale(&w, w.at_vote);
	return trial_end(sim, res);
}

static int by_downtime(const void *a, const void *b)
{
	const struct trial_result *x = a, *y = b;

	return (x->downtime_ms > y->downtime_ms) -
	       (x->downtime_ms < y->downtime_ms);
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const struct trial_result *sorted, int n, double p)
{
	int rank = (int)(p * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1].downtime_ms;
}

void failover_stats(struct trial_result *results, int n, struct range_stats *st)
{
	double sum = 0, rounds = 0, at_crash = 0, at_vote = 0;
	int i;

	memset(st, 0, sizeof(*st));
	if (n == 0)
		return;
	qsort(results, (size_t)n, sizeof(*results), by_downtime);
	for (i = 0; i < n; i++) {
		sum += results[i].downtime_ms;
		rounds += (double)results[i].rounds;
		at_crash += results[i].stale_at_crash;
		at_vote += results[i].stale_at_vote;
		st->capped += results[i].capped;
	}
	st->trials = n;
	st->mean = sum / n;
	st->rounds_mean = rounds / n;
	st->stale_at_crash_mean = at_crash / n;
	st->stale_at_vote_mean = at_vote / n;
	st->p50 = percentile(results, n, 0.50);
	st->p90 = percentile(results, n, 0.90);
	st->p99 = percentile(results, n, 0.99);
	st->max = results[n - 1].downtime_ms;
}

/* test_harness.c - the harness's node lifecycle, in the simulator, where
 * every step can be watched exactly: a crash keeps only the durable term
 * and vote, a restart keeps the counters and draws fresh timeouts, and the
 * fault schedule's actions happen as their events say. */
#include <string.h>

#include "recorder.h"
#include "sim/sim.h"
#include "testhelp.h"

static void three_nodes(struct raftsim_options *o, uint64_t ticks)
{
	options_default(o);
	o->sim = true;
	o->nodes = 3;
	o->ticks = ticks;
	o->seed = 21;
}

static void boot_alone(struct raft_state *r, const struct raft_config *cfg)
{
	struct raft_transport t = {NULL, NULL};
	struct raft_event_sink e = {NULL, NULL};

	(void)raft_init(r, cfg, NULL, t, e);
}

static void restart_keeps_counters_and_draws_fresh(void)
{
	struct raftsim_options o;
	struct raft_config first, second;
	struct raft_state fresh;
	struct raft_stats before;
	const struct raft_state *r;
	struct recorder rec;
	struct harness_tap tap;
	struct sim *sim;
	uint64_t term;
	int voted, node, i;

	three_nodes(&o, 200);
	REQUIRE(recorder_init(&rec, 4096) == 0);
	sim = sim_new(&o, NULL);
	REQUIRE(sim != NULL);
	tap = recorder_tap(&rec);
	sim_set_tap(sim, &tap);
	sim_run_until(sim, 60 * (int64_t)o.tick_us);
	REQUIRE(sim_leader(sim) != RAFT_NONE);
	node = (sim_leader(sim) + 1) % 3; /* a follower that voted */
	r = sim_node(sim, node);
	before = r->stats;
	term = r->current_term;
	voted = r->voted_for;
	CHECK(before.ticks > 0 && before.timeout_resets > 0);
	sim_crash(sim, node);
	CHECK(sim_status(sim, node) == NODE_CRASHED);
	sim_run_until(sim, 80 * (int64_t)o.tick_us);
	sim_restart(sim, node);
	CHECK(sim_status(sim, node) == NODE_UP);
	/* Durable state back, the role a follower's, the counters kept. */
	CHECK_EQ(r->current_term, term);
	CHECK_EQ(r->voted_for, voted);
	CHECK(r->role == RAFT_FOLLOWER);
	CHECK(memcmp(&r->stats, &before, sizeof(before)) == 0);
	/* Fresh timeouts: the generator of a node restarted once, not the
	 * one it booted with. */
	options_node_config(&o, node, 0, &first);
	options_node_config(&o, node, 1, &second);
	CHECK(first.seed != second.seed);
	boot_alone(&fresh, &second);
	CHECK(memcmp(&r->rng, &fresh.rng, sizeof(fresh.rng)) == 0);
	CHECK_EQ(r->election_timeout, fresh.election_timeout);
	/* Both changes came out as events, stamped with the cluster's tick. */
	i = recorder_find(&rec, 0, WEV_CRASH, node);
	REQUIRE(i >= 0);
	CHECK_EQ(rec.ev[i].tick, 60);
	i = recorder_find(&rec, i, WEV_RESTART, node);
	REQUIRE(i >= 0);
	CHECK_EQ(rec.ev[i].tick, 80);
	CHECK_EQ(rec.ev[i].us, 80 * (int64_t)o.tick_us);
	/* Its ticks go on counting from where they were. */
	sim_run_all(sim);
	CHECK(sim_node(sim, node)->stats.ticks > before.ticks + 100);
	sim_free(sim);
	recorder_free(&rec);
}

/* Whether node spoke (a core event) between events from and to. */
static int spoke(const struct recorder *rec, int node, int from, int to)
{
	int i;

	for (i = from + 1; i < to; i++)
		if (rec->ev[i].node == node && rec->ev[i].type >= WEV_TERM &&
		    rec->ev[i].type <= WEV_SAW_TERM)
			return 1;
	return 0;
}

static void restart_and_pause_on_one_tick(void)
{
	struct raftsim_options o;
	struct recorder rec;
	struct harness_tap tap;
	struct sim *sim;
	int restarted, paused, resumed;

	three_nodes(&o, 120);
	o.crash_count = 1;
	o.crashes[0] = (struct fault_window){1, 4, 24}; /* back at 28 */
	o.pause_count = 1;
	o.pauses[0] = (struct fault_window){1, 28, 24}; /* 28 to 52 */
	REQUIRE(recorder_init(&rec, 4096) == 0);
	sim = sim_new(&o, NULL);
	REQUIRE(sim != NULL);
	tap = recorder_tap(&rec);
	sim_set_tap(sim, &tap);
	sim_run_until(sim, 40 * (int64_t)o.tick_us);
	CHECK(sim_status(sim, 1) == NODE_PAUSED);
	sim_run_all(sim);
	restarted = recorder_find(&rec, 0, WEV_RESTART, 1);
	paused = recorder_find(&rec, restarted, WEV_PAUSE, 1);
	resumed = recorder_find(&rec, paused, WEV_RESUME, 1);
	REQUIRE(restarted >= 0 && paused > restarted && resumed > paused);
	CHECK_EQ(rec.ev[restarted].tick, 28);
	CHECK_EQ(rec.ev[paused].tick, 28);
	CHECK_EQ(rec.ev[resumed].tick, 52);
	/* Paused means silent, from the pause to the resume. */
	CHECK(!spoke(&rec, 1, paused, resumed));
	sim_free(sim);
	recorder_free(&rec);
}

const struct test_case harness_tests[] = {
	{"harness: a restarted node comes back a follower at its durable term "
	 "and vote, keeps its counters, and draws fresh timeouts",
	 restart_keeps_counters_and_draws_fresh},
	{"harness: a node restarted and paused on the same tick stays paused, "
	 "and silent, until it resumes",
	 restart_and_pause_on_one_tick},
	{NULL, NULL},
};

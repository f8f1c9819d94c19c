/* test_sim_disk.c - nodes on simulated disks (issue 12): what a node
 * promised survives its crashes, the whole-cluster crash loses no
 * committed entry, torn tails are repaired and said, damage makes a node
 * refuse while the rest go on, a failed sync crashes the node; and each
 * storage mistake is caught in each of 20 seeds while correct code passes
 * the same 20. The checker (schema 5's restart rules) judges every run. */
#include <stdio.h>
#include <string.h>

#include "check/checker.h"
#include "harness/monitor.h"
#include "sim/sim.h"
#include "testhelp.h"

#define SEEDS 20

/* What a run showed: its verdict and the storage events it published. */
struct disk_run {
	uint64_t violations;
	char first[256];
	uint64_t persists, restarts, recovered, crashes;
	uint64_t disk[WEV_DISK_LATENT + 1];
	uint64_t committed; /* the highest commit index at the end */
	int refused_nodes;
	int up_at_end;
};

static void count_event(void *ctx, const struct wev *ev)
{
	struct disk_run *r = ctx;

	switch (ev->type) {
	case WEV_PERSIST:
		r->persists++;
		break;
	case WEV_RESTART:
		r->restarts++;
		r->recovered += ev->recovered && ev->last_index > 0;
		break;
	case WEV_CRASH:
		r->crashes++;
		break;
	case WEV_DISK:
		if (ev->disk_what <= WEV_DISK_LATENT)
			r->disk[ev->disk_what]++;
		break;
	default:
		break;
	}
}

/* Runs o in the simulator with a checker and counts its events. Returns
 * 0, or -1 when it could not be set up. */
static int disk_run(const struct raftsim_options *o, struct disk_run *r)
{
	struct harness_tap tap = {count_event, r};
	const struct checker_violation *reports;
	struct run_info info;
	struct monitor mon;
	struct sim *sim;
	int i;

	memset(r, 0, sizeof(*r));
	monitor_run_info(&info, o, "sim");
	if (monitor_init(&mon, &info, NULL, NULL) != 0)
		return -1;
	sim = sim_new(o, &mon);
	if (sim == NULL) {
		monitor_free(&mon);
		return -1;
	}
	sim_set_tap(sim, &tap);
	sim_run_all(sim);
	monitor_end(&mon, sim_now(sim), sim_tick(sim));
	r->violations = checker_violation_count(mon.checker);
	if (r->violations > 0 && checker_reports(mon.checker, &reports) > 0)
		snprintf(r->first, sizeof(r->first), "%s", reports[0].what);
	for (i = 0; i < o->nodes; i++) {
		if (sim_node(sim, i)->commit_index > r->committed)
			r->committed = sim_node(sim, i)->commit_index;
		r->refused_nodes += sim_harness(sim)->node[i].disk.refused;
		r->up_at_end += sim_status(sim, i) == NODE_UP;
	}
	sim_free(sim);
	monitor_free(&mon);
	return 0;
}

/* 5 nodes on simulated disks under a steady load. */
static void base(struct raftsim_options *o, uint64_t seed)
{
	options_default(o);
	o->sim = true;
	o->sim_disk = true;
	o->disk_us = 200;
	o->nodes = 5;
	o->ticks = 400;
	o->load_rate = 2000;
	o->seed = seed;
}

static void report(const char *what, uint64_t seed, const struct disk_run *r)
{
	if (r->violations > 0)
		fprintf(stderr, "    %s, seed %llu: %s\n", what,
			(unsigned long long)seed, r->first);
}

static void promises_survive_crashes(void)
{
	struct raftsim_options o;
	struct disk_run r;
	uint64_t seed, restarts = 0, recovered = 0, persists = 0;

	for (seed = 1; seed <= SEEDS; seed++) {
		base(&o, seed);
		o.crash_prob = 0.005;
		o.disk_us = 3000;
		REQUIRE(disk_run(&o, &r) == 0);
		report("crashes", seed, &r);
		CHECK_EQ(r.violations, 0);
		restarts += r.restarts;
		recovered += r.recovered;
		persists += r.persists;
	}
	/* the runs did crash nodes that came back with logs */
	CHECK(restarts >= SEEDS);
	CHECK(recovered >= SEEDS / 2);
	CHECK(persists > 100 * SEEDS);
}

static void whole_cluster_crash(void)
{
	struct raftsim_options o;
	struct disk_run before, after;
	uint64_t seed;

	for (seed = 1; seed <= 5; seed++) {
		base(&o, seed);
		o.ticks = 150;
		REQUIRE(disk_run(&o, &before) == 0);
		o.ticks = 400;
		o.crash_count = 1;
		o.crashes[0] = (struct fault_window){WHO_ALL, 150, 10};
		REQUIRE(disk_run(&o, &after) == 0);
		report("whole-cluster crash", seed, &after);
		CHECK_EQ(after.violations, 0);
		CHECK_EQ(after.crashes, 5);
		CHECK_EQ(after.recovered, 5);
		/* it commits again after, past what it had committed */
		CHECK(before.committed > 0);
		CHECK(after.committed > before.committed);
	}
}

static void torn_tail_repaired(void)
{
	struct raftsim_options o;
	struct disk_run r;
	uint64_t seed, torn = 0;

	for (seed = 1; seed <= 10; seed++) {
		base(&o, seed);
		/* The simulator writes and syncs at once (disk.h): a
		 * write is left unsynced only by a failed sync, which
		 * crashes the node, and the tear comes then. */
		o.disk_torn = 1.0;
		o.disk_fsync_fail = 0.002;
		REQUIRE(disk_run(&o, &r) == 0);
		report("torn", seed, &r);
		CHECK_EQ(r.violations, 0);
		CHECK_EQ(r.disk[WEV_DISK_REFUSED], 0);
		torn += r.disk[WEV_DISK_TORN];
	}
	CHECK(torn > 0);
}

static void latent_error_refuses(void)
{
	struct raftsim_options o;
	struct disk_run r;
	uint64_t seed;
	int refused = 0;

	for (seed = 1; seed <= 10; seed++) {
		base(&o, seed);
		o.disk_corrupt = 0.5;
		o.crash_prob = 0.005;
		REQUIRE(disk_run(&o, &r) == 0);
		report("corrupt", seed, &r);
		CHECK_EQ(r.violations, 0);
		/* the atlas: one replica at a time, never a majority */
		CHECK(r.refused_nodes <= 1);
		CHECK_EQ((uint64_t)r.refused_nodes, r.disk[WEV_DISK_REFUSED]);
		refused += r.refused_nodes;
		if (r.refused_nodes > 0)
			CHECK(r.up_at_end <= o.nodes - 1);
	}
	CHECK(refused > 0);
}

static void fsync_failure_crashes(void)
{
	struct raftsim_options o;
	struct disk_run r;
	uint64_t seed, failed = 0;

	for (seed = 1; seed <= 10; seed++) {
		base(&o, seed);
		o.disk_fsync_fail = 0.002;
		REQUIRE(disk_run(&o, &r) == 0);
		report("fsync failures", seed, &r);
		CHECK_EQ(r.violations, 0);
		/* every failure crashed its node (no other crash here) */
		CHECK_EQ(r.crashes, r.disk[WEV_DISK_FAILED]);
		failed += r.disk[WEV_DISK_FAILED];
	}
	CHECK(failed > 0);
}

/* no-fsync: acknowledgements leave before the sync, which takes long;
 * followers crash often, losing what they acknowledged. */
static void no_fsync_scenario(struct raftsim_options *o, uint64_t seed)
{
	base(o, seed);
	o->disk_us = 8000;
	o->crash_prob = 0.01;
}

/* vote-before-persist: many elections (the leader crashes), and voters
 * crash often within a long sync. */
static void vote_scenario(struct raftsim_options *o, uint64_t seed)
{
	int i;

	base(o, seed);
	o->load_rate = 0;
	o->ticks = 800;
	o->disk_us = 30000;
	o->crash_prob = 0.03;
	o->crash_ticks.min = 1;
	o->crash_ticks.max = 5;
	o->crash_count = 20;
	for (i = 0; i < o->crash_count; i++)
		o->crashes[i] = (struct fault_window){WHO_LEADER,
						      40 + 35 * (uint64_t)i, 3};
}

/* A snapshot every 20 entries and syncs that fail: a snapshot or base
 * segment write fails in the middle of a turn, after the node appended
 * entries it would acknowledge. Nothing may leave before it crashes. */
static void failed_snapshot_write_lets_nothing_leave(void)
{
	struct raftsim_options o;
	struct disk_run r;
	uint64_t seed, failed = 0;

	for (seed = 1; seed <= 3; seed++) {
		options_default(&o);
		o.sim = true;
		o.sim_disk = true;
		o.disk_us = 200;
		o.ticks = 3000;
		o.load_rate = 200;
		o.snapshot_entries = 20;
		o.disk_fsync_fail = 0.05;
		o.seed = seed;
		REQUIRE(disk_run(&o, &r) == 0);
		report("correct code", seed, &r);
		CHECK_EQ(r.violations, 0);
		failed += r.disk[WEV_DISK_FAILED];
	}
	CHECK(failed > 10);
}

/* skip-bad-record: reads go bad (a latent error is born on a read at one
 * restart and found at the next), and crashes make nodes read often. */
static void skip_scenario(struct raftsim_options *o, uint64_t seed)
{
	base(o, seed);
	o->ticks = 1000;
	o->disk_corrupt = 0.3;
	o->crash_prob = 0.02;
}

static void caught_in_every_seed(unsigned bit,
				 void (*scenario)(struct raftsim_options *,
						  uint64_t))
{
	struct raftsim_options o;
	struct disk_run r;
	int caught = 0, passed = 0;
	uint64_t seed;

	for (seed = 1; seed <= SEEDS; seed++) {
		scenario(&o, seed);
		REQUIRE(disk_run(&o, &r) == 0);
		report("correct code", seed, &r);
		passed += r.violations == 0;
		o.mistakes = bit;
		REQUIRE(disk_run(&o, &r) == 0);
		if (r.violations > 0)
			caught++;
		else
			fprintf(stderr, "    mistake, seed %llu: passed\n",
				(unsigned long long)seed);
	}
	CHECK_EQ(caught, SEEDS);
	CHECK_EQ(passed, SEEDS);
}

static void no_fsync_caught(void)
{
	caught_in_every_seed(RAFT_MISTAKE_NO_FSYNC, no_fsync_scenario);
}

static void vote_before_persist_caught(void)
{
	caught_in_every_seed(RAFT_MISTAKE_VOTE_BEFORE_PERSIST, vote_scenario);
}

static void skip_bad_record_caught(void)
{
	caught_in_every_seed(RAFT_MISTAKE_SKIP_BAD_RECORD, skip_scenario);
}

const struct test_case sim_disk_tests[] = {
	{"disk: a node on a simulated disk comes back from each crash with at "
	 "least the term, vote and log it promised (20 seeds, checker PASS)",
	 promises_survive_crashes},
	{"disk: the whole-cluster crash loses no committed entry, and the "
	 "cluster commits past it",
	 whole_cluster_crash},
	{"disk: a torn tail is cut at recovery and said, never refused",
	 torn_tail_repaired},
	{"disk: a latent sector error makes its node refuse to start, on one "
	 "replica at most, and the run goes on without it",
	 latent_error_refuses},
	{"disk: a failed sync crashes its node (fsyncgate), and the run "
	 "passes",
	 fsync_failure_crashes},
	{"disk: a snapshot or base segment whose write fails lets no "
	 "acknowledgement leave: the node crashes first (3 seeds PASS)",
	 failed_snapshot_write_lets_nothing_leave},
	{"disk: no-fsync (acknowledging before the sync) is caught in each of "
	 "20 seeds, and correct code passes the same 20",
	 no_fsync_caught},
	{"disk: vote-before-persist is caught in each of 20 seeds, and correct "
	 "code passes the same 20",
	 vote_before_persist_caught},
	{"disk: skip-bad-record (recovery skipping damage) is caught in each "
	 "of 20 seeds, and correct code passes the same 20",
	 skip_bad_record_caught},
	{NULL, NULL},
};

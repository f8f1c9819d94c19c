/* test_sim.c - the deterministic simulator: replay, faults, Pre-Vote and
 * CheckQuorum on whole clusters, explore's replay commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/explore.h"
#include "sim/sim.h"
#include "testhelp.h"
#include "testrun.h"
#include "testsim.h"

static void same_seed_same_bytes_on(struct cmd_pair *p)
{
	const char *flags = "--sim --nodes 5 --ticks 400 --seed 99 "
			    "--drop 0.05 --dup 0.05 --reorder 0.1 "
			    "--pause leader@60:40 --crash 2@150:30 "
			    "--partition '250:40:0,1|2,3,4'";
	char *trace_a = NULL, *trace_b = NULL;
	char a[64], b[64];

	test_tmp(a, sizeof(a), "a.jsonl");
	test_tmp(b, sizeof(b), "b.jsonl");
	REQUIRE(run_cmd(&p->first, "%s/raftsim %s --trace %s", test_bin_dir(),
			flags, a) == 0);
	REQUIRE(run_cmd(&p->second, "%s/raftsim %s --trace %s", test_bin_dir(),
			flags, b) == 0);
	CHECK_EQ(p->first.status, 0);
	CHECK(strcmp(p->first.out, p->second.out) == 0);
	trace_a = test_slurp(a, NULL);
	trace_b = test_slurp(b, NULL);
	remove(a);
	remove(b);
	CHECK(trace_a != NULL && *trace_a != '\0' && trace_b != NULL);
	if (trace_a != NULL && trace_b != NULL) {
		CHECK(strcmp(trace_a, trace_b) == 0);
		/* Every fault kind made it into the trace. */
		CHECK(strstr(trace_a, "\"ev\":\"pause\"") != NULL);
		CHECK(strstr(trace_a, "\"ev\":\"crash\"") != NULL);
		CHECK(strstr(trace_a, "\"ev\":\"restart\"") != NULL);
		CHECK(strstr(trace_a, "\"groups\":[[0,1],[2,3,4]]") != NULL);
		CHECK(strstr(trace_a, "\"ev\":\"heal\"") != NULL);
	}
	free(trace_a);
	free(trace_b);
	/* And another seed tells a different story. */
	REQUIRE(run_cmd(&p->second,
			"%s/raftsim --sim --nodes 5 --ticks 400 "
			"--seed 100 --drop 0.05",
			test_bin_dir()) == 0);
	CHECK(strcmp(p->first.out, p->second.out) != 0);
}

static void check_agrees_with_the_live_checker_on(struct cmd_pair *p)
{
	static const char *const runs[] = {
		"--sim --nodes 5 --ticks 300 --seed 5",
		"--sim --nodes 5 --ticks 300 --seed 6 --pause leader@50:40",
		"--sim --nodes 5 --ticks 300 --seed 7 --mistake no-reset",
		"--nodes 3 --ticks 60 --tick-ms 20 --seed 8",
	};
	char c[64];
	size_t i;

	test_tmp(c, sizeof(c), "c.jsonl");
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		REQUIRE(run_cmd(&p->first, "%s/raftsim %s -q --trace %s",
				test_bin_dir(), runs[i], c) == 0);
		REQUIRE(run_cmd(&p->second, "%s/raftsim check %s",
				test_bin_dir(), c) == 0);
		CHECK_EQ(p->second.status, p->first.status);
		if (p->second.status != p->first.status)
			fprintf(stderr, "    %s\n    live: %s    check: %s%s\n",
				runs[i], p->first.out, p->second.out,
				p->second.err);
	}
	remove(c);
}

/* A paused node's mailbox of 2 overflows with the leader's heartbeats:
 * each copy lost is a loss event, said in the verdict, and neither the
 * live checker nor `check` fails the run for what it lost. */
static void paused_mailbox_overflow_is_a_loss_on(struct cmd_pair *p)
{
	char t[64], *trace;

	test_tmp(t, sizeof(t), "loss.jsonl");
	REQUIRE(run_cmd(&p->first,
			"%s/raftsim --sim --nodes 3 --ticks 600 "
			"--seed 3 --mailbox 2 --pause 1@100:300 --trace %s",
			test_bin_dir(), t) == 0);
	CHECK_EQ(p->first.status, 0);
	CHECK(strstr(p->first.out,
		     "raftsim: 98 messages lost to full "
		     "mailboxes (--mailbox 2); liveness excludes what they "
		     "touched\n") != NULL);
	CHECK(strstr(p->first.out,
		     "network: a message from node-0 to node-1 "
		     "lost (mailbox full) at tick 108\n") != NULL);
	trace = test_slurp(t, NULL);
	CHECK(trace != NULL &&
	      strstr(trace, "{\"ev\":\"loss\",\"ms\":"
			    "1081.171,\"node\":1,\"from\":0}\n") != NULL);
	free(trace);
	REQUIRE(run_cmd(&p->second, "%s/raftsim check %s", test_bin_dir(), t) ==
		0);
	CHECK_EQ(p->second.status, 0);
	CHECK(strstr(p->second.out,
		     "check: 98 messages lost to full "
		     "mailboxes; liveness excludes what they touched\n") !=
	      NULL);
	remove(t);
}

static void lab_options(struct raftsim_options *o, uint64_t seed)
{
	options_default(o);
	o->sim = true;
	o->nodes = 5;
	o->ticks = 400;
	o->seed = seed;
}

/* Sets up seed's scenario for a mistake; the correct run uses it too. */
static void lab_scenario(struct raftsim_options *o, unsigned bit, uint64_t seed)
{
	int leader, i;

	lab_options(o, seed);
	if (bit == RAFT_MISTAKE_NO_STEPDOWN) {
		/* Cut the leader off; the majority elects another; heal. The
		 * old leader then hears the new term in AppendEntries. */
		leader = testsim_leader_at(o, 60);
		o->partition_count = 1;
		o->partitions[0].tick = 60;
		o->partitions[0].len = 60;
		o->partitions[0].max_node = o->nodes - 1;
		for (i = 0; i < o->nodes; i++)
			o->partitions[0].group_of[i] = i == leader ? 0 : 1;
	}
	if (bit == RAFT_MISTAKE_FIXED_TIMEOUT) {
		/* Nodes tick 2 ms apart: equal timeouts collide when a
		 * RequestVote takes longer than that to arrive. */
		o->latency_us.min = 8000;
		o->latency_us.max = 12000;
	}
	if (bit == RAFT_MISTAKE_DOUBLE_VOTE) {
		/* A second election, where two candidates may overlap. */
		o->pause_count = 1;
		o->pauses[0] = (struct fault_window){WHO_LEADER, 60, 40};
	}
}

/* Runs 20 seeds of a mistake's scenario, with and without the mistake.
 * Returns how many seeds showed a violation with it; *false_alarms counts
 * violations without it. *what keeps the first violation seen. */
static int lab_run(unsigned bit, int *false_alarms, char *what, size_t size)
{
	struct raftsim_options o;
	uint64_t seed;
	int caught = 0;

	*false_alarms = 0;
	what[0] = '\0';
	for (seed = 1; seed <= 20; seed++) {
		lab_scenario(&o, bit, seed);
		*false_alarms += testsim_violations(&o, NULL, 0) > 0;
		o.mistakes = bit;
		if (bit == RAFT_MISTAKE_LONG_HEARTBEAT)
			o.heartbeat_ticks = 30; /* what the flag does too */
		if (testsim_violations(&o, caught ? NULL : what, size) > 0)
			caught++;
	}
	return caught;
}

static void lab_expect(unsigned bit, int at_least, const char *words)
{
	char what[200];
	int false_alarms;
	int caught = lab_run(bit, &false_alarms, what, sizeof(what));

	CHECK_EQ(false_alarms, 0);
	CHECK(caught >= at_least);
	CHECK(strstr(what, words) != NULL);
	if (caught < at_least || strstr(what, words) == NULL)
		fprintf(stderr, "    %s: caught in %d of 20 seeds; first: %s\n",
			options_mistake_name(bit), caught, what);
}

static void lab_long_heartbeat(void)
{
	lab_expect(RAFT_MISTAKE_LONG_HEARTBEAT, 20, "spurious");
}

static void lab_no_reset(void)
{
	lab_expect(RAFT_MISTAKE_NO_RESET, 20, "spurious");
}

static void lab_fixed_timeout(void)
{
	lab_expect(RAFT_MISTAKE_FIXED_TIMEOUT, 20, "liveness");
}

static void lab_no_stepdown(void)
{
	lab_expect(RAFT_MISTAKE_NO_STEPDOWN, 20, "stayed leader");
}

static void lab_double_vote(void)
{
	/* Only elections with overlapping candidates show it. */
	lab_expect(RAFT_MISTAKE_DOUBLE_VOTE, 3, "vote");
}

/* A node cut off for a long time, then healed. */
static uint64_t leader_stepdowns_after_rejoin(bool prevote)
{
	struct raftsim_options o;
	struct sim *sim;
	uint64_t before, after;
	int leader, i;

	options_default(&o);
	o.sim = true;
	o.nodes = 5;
	o.ticks = 600;
	o.seed = 11;
	o.prevote = prevote;
	sim = sim_new(&o, NULL);
	if (sim == NULL)
		return 999;
	sim_run_until(sim, 100 * 10000); /* tick 100: a leader by now */
	leader = sim_leader(sim);
	if (leader == RAFT_NONE) {
		sim_free(sim);
		return 999;
	}
	/* Cut off one follower for 300 ticks: without Pre-Vote it keeps
	 * campaigning and inflates its term. */
	for (i = 0; i < o.nodes && i == leader; i++)
		;
	o.partition_count = 1;
	sim_free(sim);
	o.partitions[0].tick = 100;
	o.partitions[0].len = 300;
	o.partitions[0].max_node = o.nodes - 1;
	memset(o.partitions[0].group_of, 0, sizeof(o.partitions[0].group_of));
	o.partitions[0].group_of[i] = 1;
	sim = sim_new(&o, NULL);
	if (sim == NULL)
		return 999;
	sim_run_until(sim, 399 * 10000);
	leader = sim_leader(sim);
	before = leader == RAFT_NONE ? 0
				     : sim_node(sim, leader)->stats.stepdowns;
	sim_run_all(sim);
	after = leader == RAFT_NONE ? 999
				    : sim_node(sim, leader)->stats.stepdowns;
	sim_free(sim);
	return after - before;
}

static void rejoin_disrupts_without_prevote_only(void)
{
	CHECK_EQ(leader_stepdowns_after_rejoin(false), 1);
	CHECK_EQ(leader_stepdowns_after_rejoin(true), 0);
}

static void explore_failures_replay_on(struct cmd_pair *p)
{
	struct raftsim_options base, run;
	char cmd[2048];
	char e1[64], e2[64];

	options_default(&base);
	base.nodes = 5;
	base.ticks = 300;
	base.seed = 3;
	base.mistakes = RAFT_MISTAKE_NO_STEPDOWN;
	base.mailbox = 1; /* not the default: the replay must carry it */
	explore_plan_run(&base, 4, &run);
	REQUIRE(options_format_command(&run, cmd, sizeof(cmd)) == 0);
	CHECK(strstr(cmd, "--sim") != NULL);
	CHECK(strstr(cmd, "--mistake no-stepdown") != NULL);
	CHECK(strstr(cmd, "--mailbox 1 ") != NULL);
	test_tmp(e1, sizeof(e1), "e1.jsonl");
	test_tmp(e2, sizeof(e2), "e2.jsonl");
	REQUIRE(run_cmd(&p->first, "%s/%s --trace %s", test_bin_dir(), cmd,
			e1) == 0);
	REQUIRE(run_cmd(&p->second, "%s/%s --trace %s", test_bin_dir(), cmd,
			e2) == 0);
	CHECK(strcmp(p->first.out, p->second.out) == 0);
	REQUIRE(run_cmd(&p->second, "cmp -s %s %s", e1, e2) == 0);
	CHECK_EQ(p->second.status, 0);
	remove(e1);
	remove(e2);
	/* The same plan, run in-process, gives the same verdict. */
	CHECK_EQ(testsim_violations(&run, NULL, 0) > 0, p->first.status == 1);
}

static void same_seed_same_bytes(void)
{
	with_cmd_pair(same_seed_same_bytes_on);
}

static void paused_mailbox_overflow_is_a_loss(void)
{
	with_cmd_pair(paused_mailbox_overflow_is_a_loss_on);
}

static void check_agrees_with_the_live_checker(void)
{
	with_cmd_pair(check_agrees_with_the_live_checker_on);
}

static void explore_failures_replay(void)
{
	with_cmd_pair(explore_failures_replay_on);
}

const struct test_case sim_tests[] = {
	{"sim: a paused node's full mailbox loses mail as loss events, said "
	 "in the verdict and in check, and no false liveness FAIL",
	 paused_mailbox_overflow_is_a_loss},
	{"sim: the same seed and flags give byte-identical stdout and trace",
	 same_seed_same_bytes},
	{"sim: raftsim check agrees with the live checker on every trace",
	 check_agrees_with_the_live_checker},
	{"lab: long-heartbeat causes spurious elections the checker reports",
	 lab_long_heartbeat},
	{"lab: no-reset causes spurious elections the checker reports",
	 lab_no_reset},
	{"lab: fixed-timeout splits every vote; the checker reports no leader",
	 lab_fixed_timeout},
	{"lab: no-stepdown leaves a stale leader the checker reports",
	 lab_no_stepdown},
	{"lab: double-vote gives two votes in a term; the checker reports it",
	 lab_double_vote},
	{"§9.6: a node partitioned away rejoins; without Pre-Vote the leader "
	 "steps down, with Pre-Vote it stays",
	 rejoin_disrupts_without_prevote_only},
	{"explore: a failing run's printed command replays it byte for byte",
	 explore_failures_replay},
	{NULL, NULL},
};

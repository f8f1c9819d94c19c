/* test_mistakes_log.c - the mistakes lab of log replication (issue 10,
 * item 7): each mistake, in a fault schedule built to create the situation
 * it gets wrong, is caught in every one of 20 seeds, and correct Raft
 * passes the same 20 runs. commit-old-term has its scripted Figure 8
 * (tests/cli/test_figure8.c). The README's mistakes lab shows one seed of
 * each as a command. */
#include <stdio.h>
#include <string.h>

#include "check/checker.h"
#include "harness/monitor.h"
#include "sim/sim.h"
#include "testhelp.h"
#include "testsim.h"

#define SEEDS 20
#define CUT_TICK 40 /* the partition starts: a leader has been elected */

/* 5 nodes under a steady load: 20 proposals a tick, few enough that the
 * logs never reach a snapshot, which would replace a stale suffix whole. */
static void base_options(struct raftsim_options *o, uint64_t seed)
{
	options_default(o);
	o->sim = true;
	o->nodes = 5;
	o->ticks = 150;
	o->load_rate = 2000;
	o->seed = seed;
}

/* Cuts `node` off from the others from CUT_TICK for len ticks. */
static void isolate(struct raftsim_options *o, int node, uint64_t len)
{
	int i;

	o->partition_count = 1;
	o->partitions[0].tick = CUT_TICK;
	o->partitions[0].len = len;
	o->partitions[0].max_node = o->nodes - 1;
	for (i = 0; i < o->nodes; i++)
		o->partitions[0].group_of[i] = i == node ? 1 : 0;
}

/* The first tick at or after `from` in which `node` starts an election,
 * or 0 if none does before the run ends. */
static uint64_t election_tick(const struct raftsim_options *o, int node,
			      uint64_t from)
{
	struct sim *sim = sim_new(o, NULL);
	uint64_t tick, before, found = 0;

	if (sim == NULL)
		return 0;
	sim_run_until(sim, (int64_t)(from * o->tick_us) - 1);
	before = sim_node(sim, node)->stats.elections_started;
	for (tick = from; tick < o->ticks && found == 0; tick++) {
		sim_run_until(sim, (int64_t)((tick + 1) * o->tick_us) - 1);
		if (sim_node(sim, node)->stats.elections_started > before)
			found = tick;
	}
	sim_free(sim);
	return found;
}

/* vote-any-log needs a candidate whose log lacks committed entries and
 * whose vote requests reach the others: a follower is cut off while the
 * rest commit, and the network heals in the very tick it next starts an
 * election (the heal comes first), so every node hears it before its own
 * timer runs out. Without the election restriction they all vote for it. */
static int stale_candidate(struct raftsim_options *o, uint64_t seed)
{
	int leader, stale;
	uint64_t heal;

	base_options(o, seed);
	leader = testsim_leader_at(o, CUT_TICK);
	if (leader == RAFT_NONE)
		return -1;
	stale = (leader + 1) % o->nodes;
	isolate(o, stale, 60);
	heal = election_tick(o, stale, CUT_TICK + 30);
	if (heal == 0)
		return -1;
	isolate(o, stale, heal - CUT_TICK);
	return 0;
}

/* no-truncate needs a follower with a conflicting uncommitted suffix: the
 * leader is cut off with the load's proposals it could not replicate; the
 * rest elect a leader, which writes other entries at those indexes; on the
 * heal the old leader follows it and must delete its own. */
static int conflicting_suffix(struct raftsim_options *o, uint64_t seed)
{
	int leader;

	base_options(o, seed);
	leader = testsim_leader_at(o, CUT_TICK);
	if (leader == RAFT_NONE)
		return -1;
	isolate(o, leader, 40);
	return 0;
}

/* apply-uncommitted shows on any follower: it applies an entry when it
 * appends it, before a majority holds it and the leader says committed. */
static int any_follower(struct raftsim_options *o, uint64_t seed)
{
	base_options(o, seed);
	o->ticks = 60;
	return 0;
}

/* Whether `what` starts with one of the rule names in `rules`. */
static int names_one_of(const char *what, const char *const *rules)
{
	for (; *rules != NULL; rules++)
		if (strncmp(what, *rules, strlen(*rules)) == 0)
			return 1;
	return 0;
}

/* Runs seeds 1..SEEDS of a scenario with and without the mistake `bit`.
 * Every run with it must report a violation, the first of one of the
 * `rules` (NULL-terminated); every run without it must pass. */
static void caught_in_every_seed(unsigned bit,
				 int (*scenario)(struct raftsim_options *,
						 uint64_t),
				 const char *const *rules)
{
	struct raftsim_options o;
	char what[256];
	int caught = 0, passed = 0;
	uint64_t seed;

	for (seed = 1; seed <= SEEDS; seed++) {
		REQUIRE(scenario(&o, seed) == 0);
		if (testsim_violations(&o, what, sizeof(what)) == 0)
			passed++;
		else
			fprintf(stderr, "    correct Raft, seed %llu: %s\n",
				(unsigned long long)seed, what);
		o.mistakes = bit;
		if (testsim_violations(&o, what, sizeof(what)) > 0 &&
		    names_one_of(what, rules))
			caught++;
		else
			fprintf(stderr, "    %s, seed %llu: not caught (%s)\n",
				options_mistake_name(bit),
				(unsigned long long)seed, what);
	}
	CHECK_EQ(caught, SEEDS);
	CHECK_EQ(passed, SEEDS);
}

static void vote_any_log_caught(void)
{
	static const char *const rules[] = {"leader completeness", NULL};

	caught_in_every_seed(RAFT_MISTAKE_VOTE_ANY_LOG, stale_candidate, rules);
}

static void no_truncate_caught(void)
{
	/* The stale entries show as a term starting at another index once
	 * the node appends past them; while it holds more of them than the
	 * leader sent, as a commit of an index committed with another term. */
	static const char *const rules[] = {"log matching",
					    "committed entry lost", NULL};

	caught_in_every_seed(RAFT_MISTAKE_NO_TRUNCATE, conflicting_suffix,
			     rules);
}

static void apply_uncommitted_caught(void)
{
	static const char *const rules[] = {"apply:", NULL};

	caught_in_every_seed(RAFT_MISTAKE_APPLY_UNCOMMITTED, any_follower,
			     rules);
}

const struct test_case mistakes_log_tests[] = {
	{"vote-any-log: a follower cut off while the others commit wins the "
	 "vote when it rejoins; caught in each of 20 seeds, and correct Raft "
	 "passes the same 20",
	 vote_any_log_caught},
	{"no-truncate: a leader cut off with uncommitted entries keeps them "
	 "under the new leader's; caught in each of 20 seeds, and correct "
	 "Raft passes the same 20",
	 no_truncate_caught},
	{"apply-uncommitted: followers apply entries before they commit; "
	 "caught in each of 20 seeds, and correct Raft passes the same 20",
	 apply_uncommitted_caught},
	{NULL, NULL},
};

/* test_timeouts.c - §5.2 randomized timeouts and §5.6 timing rules. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void timeouts_cover_the_whole_range(void)
{
	struct testnet net;
	unsigned seen[21] = {0};
	struct raft_state *s;
	struct append_entries_msg ae = {.term = 1, .leader_id = 1};
	unsigned v;
	int i;

	testnet_init(&net, 3, 31, NULL);
	s = &net.nodes[0];
	for (i = 0; i < 1000; i++) {
		append_entries_handle(s, &ae); /* each reset redraws */
		v = s->election_timeout;
		REQUIRE(v >= 10 && v <= 20);
		seen[v]++;
	}
	for (v = 10; v <= 20; v++) {
		CHECK(seen[v] > 0);
		/* Uniform: expected 91 each; 40 would be far out in the tail. */
		CHECK(seen[v] > 40);
	}
}

/* One round: every node draws, and the earliest ones fire. Once the first
 * fires, its RequestVote resets the others, so only a tie at the earliest
 * tick can split the vote. */
static void few_rounds_have_simultaneous_timeouts(void)
{
	struct testnet net;
	int rounds_with_tie = 0;
	int round;
	int i;

	testnet_init(&net, 5, 32, NULL);
	for (round = 0; round < 1000; round++) {
		unsigned earliest = 1000;
		int at_earliest = 0;

		for (i = 0; i < 5; i++) {
			struct append_entries_msg ae = {
				.term = 1, .leader_id = (i + 1) % 5};
			append_entries_handle(&net.nodes[i], &ae);
		}
		for (i = 0; i < 5; i++) {
			unsigned t = net.nodes[i].election_timeout;
			if (t < earliest) {
				earliest = t;
				at_earliest = 1;
			} else if (t == earliest) {
				at_earliest++;
			}
		}
		if (at_earliest >= 2)
			rounds_with_tie++;
	}
	/* Theory for 5 draws over 11 values: 21.4%. */
	CHECK(rounds_with_tie <= 300);
	CHECK(rounds_with_tie >= 100); /* and the ties are real, not absent */
}

static void config_is_refused_without_asserting(void)
{
	struct raft_config cfg;
	struct raft_state s;
	struct raft_transport t = {NULL, NULL};
	struct raft_event_sink e = {NULL, NULL};

	raft_config_default(&cfg, 0, 3, 1);
	CHECK_EQ(raft_config_validate(&cfg), RAFT_OK);
	cfg.heartbeat_interval = 10;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_EHEARTBEAT);
	CHECK_EQ(raft_init(&s, &cfg, NULL, t, e), RAFT_EHEARTBEAT);
	cfg.heartbeat_interval = 9;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_OK);
	cfg.heartbeat_interval = 11;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_EHEARTBEAT);
	raft_config_default(&cfg, 0, 3, 1);
	cfg.election_min = 21;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_ERANGE);
	raft_config_default(&cfg, 0, 3, 1);
	cfg.heartbeat_interval = 0;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_EZERO);
	raft_config_default(&cfg, 0, 3, 1);
	cfg.election_min = 0;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_EZERO);
	raft_config_default(&cfg, 0, 3, 1);
	cfg.election_max = 0;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_EZERO);
	raft_config_default(&cfg, 0, 0, 1);
	CHECK_EQ(raft_config_validate(&cfg), RAFT_ENODES);
	raft_config_default(&cfg, 3, 3, 1);
	CHECK_EQ(raft_config_validate(&cfg), RAFT_ENODES);
	raft_config_default(&cfg, 0, RAFT_MAX_NODES + 1, 1);
	CHECK_EQ(raft_config_validate(&cfg), RAFT_ENODES);
	CHECK(strlen(raft_strerror(RAFT_EHEARTBEAT)) > 0);
}

static void timeouts_pass_a_chi_square_test(void)
{
	struct testnet net;
	unsigned seen[21] = {0};
	struct raft_state *s;
	struct append_entries_msg ae = {.term = 1, .leader_id = 1};
	double chi2 = 0.0;
	unsigned v;
	int i;

	/* "Every value appears" misses a draw that favours some values; a
	 * chi-square test over 11000 draws (1000 expected per value) does
	 * not. */
	testnet_init(&net, 3, 34, NULL);
	s = &net.nodes[0];
	for (i = 0; i < 11000; i++) {
		append_entries_handle(s, &ae);
		v = s->election_timeout;
		REQUIRE(v >= 10 && v <= 20);
		seen[v]++;
	}
	for (v = 10; v <= 20; v++) {
		double d = (double)seen[v] - 1000.0;
		chi2 += d * d / 1000.0;
	}
	/* 10 degrees of freedom: a uniform draw exceeds 41 with p < 1e-5. */
	if (chi2 >= 41.0)
		TEST_FAIL_AT("chi-square %.1f over 11 values is not uniform",
			     chi2);
}

static void config_edges_are_accepted(void)
{
	struct raft_config cfg;
	struct raft_state s;
	struct raft_transport t = {NULL, NULL};
	struct raft_event_sink e = {NULL, NULL};
	struct append_entries_msg ae = {.term = 1, .leader_id = 1};
	int i;

	/* min == max is a fixed timeout, not min > max. */
	raft_config_default(&cfg, 0, 3, 1);
	cfg.election_min = 15;
	cfg.election_max = 15;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_OK);
	REQUIRE(raft_init(&s, &cfg, NULL, t, e) == RAFT_OK);
	for (i = 0; i < 20; i++) {
		append_entries_handle(&s, &ae);
		CHECK_EQ(s.election_timeout, 15);
	}
	/* The smallest valid values: every one 1 or more, heartbeat below
	 * election_min. */
	raft_config_default(&cfg, 0, 1, 1);
	cfg.heartbeat_interval = 1;
	cfg.election_min = 2;
	cfg.election_max = 2;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_OK);
	cfg.election_min = 1;
	cfg.election_max = 1;
	CHECK_EQ(raft_config_validate(&cfg), RAFT_EHEARTBEAT);
}

static void ranked(struct raft_config *cfg)
{
	cfg->ranked_timeouts = true;
	cfg->election_min = 100;
	cfg->election_max = 199;
	cfg->heartbeat_interval = 50;
}

static void ranked_timeouts_never_collide(void)
{
	struct testnet net;
	int round;
	int i, j;

	testnet_init(&net, 5, 33, ranked);
	for (round = 0; round < 200; round++) {
		unsigned lo[5], hi[5];

		for (i = 1; i < 5; i++) { /* node 0 leads; 4 followers */
			struct append_entries_msg ae = {.term = 1,
							.leader_id = 0};
			append_entries_handle(&net.nodes[i], &ae);
			lo[i] = net.nodes[i].election_timeout;
			hi[i] = lo[i];
			CHECK(lo[i] >= 100 && lo[i] <= 199);
		}
		/* Each follower in its own slot, with a guard gap of at least
		 * half a slot (12 ticks) to any other follower's timeout. */
		for (i = 1; i < 5; i++)
			for (j = i + 1; j < 5; j++)
				CHECK(lo[i] > hi[j] + 12 || lo[j] > hi[i] + 12);
	}
}

const struct test_case timeout_tests[] = {
	{"§5.2: election timeouts are uniform over [10, 20] and every value "
	 "appears in 1000 draws",
	 timeouts_cover_the_whole_range},
	{"§5.2: with 5 nodes over 1000 rounds, at most 30% of rounds have two "
	 "or more nodes timing out first on the same tick",
	 few_rounds_have_simultaneous_timeouts},
	{"§5.6: a configuration with heartbeat >= election_min, min > max, or a "
	 "zero is refused with an error code",
	 config_is_refused_without_asserting},
	{"ranked timeouts: followers of one leader never time out within half a "
	 "slot of each other",
	 ranked_timeouts_never_collide},
	{"§5.2: election timeouts are drawn uniformly: 11000 draws pass a "
	 "chi-square test",
	 timeouts_pass_a_chi_square_test},
	{"§5.6: the edges of a valid configuration are accepted: min == max, "
	 "heartbeat = min - 1",
	 config_edges_are_accepted},
	{NULL, NULL},
};

/* test_tick_deadline.c - raft_ticks_until_action: the tickless drivers
 * sleep through the ticks it says are silent, so it must be exact. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

/* The configuration of the cluster being set up (testnet's tweak takes no
 * context). */
static struct raft_config drawn;

static void use_drawn(struct raft_config *cfg)
{
	cfg->heartbeat_interval = drawn.heartbeat_interval;
	cfg->election_min = drawn.election_min;
	cfg->election_max = drawn.election_max;
	cfg->prevote = drawn.prevote;
	cfg->check_quorum = drawn.check_quorum;
	cfg->ranked_timeouts = drawn.ranked_timeouts;
	cfg->mistakes = drawn.mistakes;
}

/* A configuration raft_init accepts, any mistakes included. */
static void draw_config(struct raft_rng *rng)
{
	unsigned span = (unsigned)raft_rng_range(rng, 0, 12);

	memset(&drawn, 0, sizeof(drawn));
	drawn.election_min = (unsigned)raft_rng_range(rng, 2, 12);
	drawn.election_max = drawn.election_min + span;
	drawn.heartbeat_interval = (unsigned)raft_rng_range(
		rng, 1, drawn.election_min - 1);
	drawn.prevote = raft_rng_chance(rng, 0.5);
	drawn.check_quorum = raft_rng_chance(rng, 0.5);
	drawn.ranked_timeouts = raft_rng_chance(rng, 0.3);
	drawn.mistakes = (unsigned)raft_rng_range(rng, 0, 31) &
			 (unsigned)raft_rng_range(rng, 0, 31);
	if (drawn.mistakes & RAFT_MISTAKE_LONG_HEARTBEAT)
		drawn.heartbeat_interval = (unsigned)raft_rng_range(
			rng, 1, drawn.election_max + 5);
}

struct trial {
	struct testnet net;
	unsigned left[TESTNET_MAX_NODES]; /* the last prediction */
	long ticks;
	long acted;
};

/* Ticks node i once and checks the prediction: silent while more than one
 * tick was left, acting on the last one, and one fewer left after a silent
 * tick. */
static void tick_and_check(struct trial *t, int i)
{
	struct raft_state *s = &t->net.nodes[i];
	enum raft_role role = s->role;
	uint64_t term = s->current_term;
	int outbox = t->net.outbox_len;
	int acted;

	t->net.event_len = 0;
	raft_tick(s);
	acted = t->net.event_len > 0 || t->net.outbox_len != outbox ||
		s->role != role || s->current_term != term;
	t->ticks++;
	t->acted += acted;
	if (acted != (t->left[i] == 1))
		TEST_FAIL_AT("node %d: predicted %u ticks, %s", i, t->left[i],
			     acted ? "acted early" : "silent on the last");
	if (!acted)
		CHECK_EQ(raft_ticks_until_action(s), t->left[i] - 1);
	t->left[i] = raft_ticks_until_action(s);
	CHECK(t->left[i] >= 1);
}

/* Hands the oldest message to its receiver (or loses it), who then gets a
 * fresh prediction: a heartbeat or a vote may have reset its timer. */
static void deliver_one(struct trial *t, struct raft_rng *rng)
{
	struct testnet *net = &t->net;
	struct raft_message m = net->outbox[0];

	memmove(&net->outbox[0], &net->outbox[1],
		sizeof(m) * (size_t)(net->outbox_len - 1));
	net->outbox_len--;
	if (net->cut[m.from] || net->cut[m.to] || raft_rng_chance(rng, 0.1))
		return;
	raft_step(&net->nodes[m.to], &m);
	t->left[m.to] = raft_ticks_until_action(&net->nodes[m.to]);
}

/* One random cluster, driven by random ticks, deliveries, losses and cut
 * nodes (so that CheckQuorum leaders lose their majority). */
static void run_trial(struct trial *t, uint64_t seed)
{
	struct raft_rng rng;
	int n;
	int i;
	int step;
	double p;

	raft_rng_seed(&rng, seed);
	draw_config(&rng);
	n = (int)raft_rng_range(&rng, 1, 7);
	testnet_init(&t->net, n, seed, use_drawn);
	for (i = 0; i < n; i++)
		t->left[i] = raft_ticks_until_action(&t->net.nodes[i]);
	for (step = 0; step < 3000; step++) {
		p = raft_rng_unit(&rng);
		if (p < 0.55 || t->net.outbox_len == 0)
			tick_and_check(t, (int)raft_rng_range(&rng, 0,
							      (uint64_t)n - 1));
		else if (p < 0.98)
			deliver_one(t, &rng);
		else
			t->net.cut[raft_rng_range(&rng, 0, (uint64_t)n - 1)] ^=
				1;
		while (t->net.outbox_len > TESTNET_OUTBOX / 2)
			deliver_one(t, &rng);
	}
}

static void prediction_is_exact_in_random_clusters(void)
{
	static struct trial t; /* large: off the stack */
	long ticks = 0;
	long acted = 0;
	uint64_t seed;

	for (seed = 1; seed <= 300 && test_failures == 0; seed++) {
		run_trial(&t, seed);
		ticks += t.ticks;
		acted += t.acted;
		t.ticks = t.acted = 0;
	}
	/* The runs must have exercised both sides of the prediction. */
	CHECK(acted > 1000);
	CHECK(ticks > 3 * acted);
	if (test_failures > 0)
		fprintf(stderr, "    %ld ticks, %ld acted\n", ticks, acted);
}

/* The plain case, by hand: a follower's timer, then a leader's round. */
static void silent_until_the_predicted_tick(void)
{
	struct testnet net;
	struct raft_state *s;
	unsigned left;
	unsigned i;

	testnet_init(&net, 3, 5, NULL);
	s = &net.nodes[1];
	left = raft_ticks_until_action(s);
	CHECK_EQ(left, s->election_timeout);
	for (i = 1; i < left; i++)
		raft_tick(s);
	CHECK_EQ(net.event_len, 0);
	CHECK_EQ(net.outbox_len, 0);
	raft_tick(s);
	CHECK_EQ(s->role, RAFT_CANDIDATE);

	testnet_init(&net, 3, 5, NULL);
	testnet_elect(&net, 0);
	s = &net.nodes[0];
	REQUIRE(s->role == RAFT_LEADER);
	net.outbox_len = 0;
	CHECK_EQ(raft_ticks_until_action(s), s->heartbeat_interval);
	raft_tick(s);
	CHECK_EQ(raft_ticks_until_action(s), s->heartbeat_interval - 1);
}

static void with_check_quorum(struct raft_config *cfg)
{
	cfg->check_quorum = true;
	cfg->heartbeat_interval = 9; /* longer than the quorum's window */
	cfg->election_min = 10;
	cfg->election_max = 20;
}

/* A CheckQuorum leader cut off from everyone: its step-down comes before
 * its next round, and the prediction names that tick. */
static void quorum_loss_is_predicted(void)
{
	struct testnet net;
	struct raft_state *s;
	unsigned left;
	unsigned i;

	testnet_init(&net, 3, 7, with_check_quorum);
	testnet_elect(&net, 0);
	s = &net.nodes[0];
	REQUIRE(s->role == RAFT_LEADER);
	for (i = 0; i < 9; i++)
		raft_tick(s); /* one round */
	net.outbox_len = 0;
	net.event_len = 0;
	left = raft_ticks_until_action(s);
	CHECK(left < s->heartbeat_interval);
	for (i = 1; i < left; i++)
		raft_tick(s);
	CHECK_EQ(s->role, RAFT_LEADER);
	CHECK_EQ(net.event_len, 0);
	raft_tick(s);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(s->stats.quorum_stepdowns, 1);
}

const struct test_case tick_deadline_tests[] = {
	{"tickless: a follower's N-1 ticks are silent and the Nth starts its "
	 "election; a leader's next round is heartbeat_interval away",
	 silent_until_the_predicted_tick},
	{"tickless: a cut-off CheckQuorum leader's step-down is predicted to "
	 "the tick, before its next round",
	 quorum_loss_is_predicted},
	{"tickless: in 300 random clusters (every option and mistake, lost "
	 "messages, cut nodes) raft_tick acts exactly when predicted",
	 prediction_is_exact_in_random_clusters},
	{NULL, NULL},
};

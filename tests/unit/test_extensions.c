/* test_extensions.c - Pre-Vote (thesis §9.6), CheckQuorum, the Figure 2
 * timer rule, and the lesson's mistakes, at the level of the core. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void with_prevote(struct raft_config *cfg)
{
	cfg->prevote = true;
}

static void with_check_quorum(struct raft_config *cfg)
{
	cfg->check_quorum = true;
}

static void higher_term_alone_keeps_the_timer(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message m;
	unsigned timeout;

	testnet_init(&net, 3, 41, NULL);
	s = &net.nodes[0];
	raft_tick(s);
	raft_tick(s);
	timeout = s->election_timeout;
	/* A refusal from a stale-log candidate's term: no leader, no grant. */
	s->last_log_term = 0;
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 1, 0, 4);
	raft_step(s, &m);
	CHECK_EQ(s->current_term, 4);
	CHECK_EQ(s->election_elapsed, 2);
	CHECK_EQ(s->election_timeout, timeout);
}

static void prevote_does_not_change_terms(void)
{
	struct testnet net;
	struct raft_state *s;
	int i;

	testnet_init(&net, 3, 42, with_prevote);
	s = &net.nodes[0];
	while (s->stats.prevotes_started == 0)
		raft_tick(s);
	CHECK_EQ(s->current_term, 0); /* no term spent on asking */
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_PREVOTE, 0), 2);
	for (i = 0; i < net.outbox_len; i++)
		CHECK_EQ(net.outbox[i].term, 1); /* the probe */
	/* Deliver the two pre-votes only (a cut would drop them too): the
	 * voters grant them, yet neither their terms nor their votes move. */
	testnet_deliver(&net, 2);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_PREVOTE_REPLY, RAFT_NONE), 2);
	for (i = 0; i < net.outbox_len; i++) {
		CHECK_EQ(net.outbox[i].u.rv_reply.vote_granted, 1);
		CHECK_EQ(net.outbox[i].term, 1); /* the probe, echoed */
	}
	for (i = 1; i < 3; i++) {
		CHECK_EQ(net.nodes[i].current_term, 0);
		CHECK_EQ(net.nodes[i].voted_for, RAFT_NONE);
		CHECK_EQ(net.nodes[i].role, RAFT_FOLLOWER);
	}
	CHECK_EQ(testnet_events(&net, RAFT_EV_TERM, RAFT_NONE), 0);
	CHECK_EQ(testnet_events(&net, RAFT_EV_VOTE, RAFT_NONE), 0);
}

static void prevote_majority_starts_the_real_election(void)
{
	struct testnet net;
	struct raft_state *s;

	testnet_init(&net, 3, 43, with_prevote);
	s = &net.nodes[0];
	while (s->stats.prevotes_started == 0)
		raft_tick(s);
	testnet_deliver(&net, 100);
	CHECK_EQ(s->role, RAFT_LEADER);
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->stats.elections_started, 1);
}

/* Ticks the whole cluster and delivers after each tick, up to `limit`
 * ticks or until `stop` says so. Returns the ticks it took. */
static int run_until(struct testnet *net, int limit,
		     int (*stop)(const struct testnet *net))
{
	int t;

	for (t = 1; t <= limit; t++) {
		testnet_tick(net);
		testnet_deliver(net, 10000);
		if (stop(net))
			return t;
	}
	return limit + 1;
}

static int node0_leads(const struct testnet *net)
{
	return net->nodes[0].role == RAFT_LEADER;
}

/* etcd's liveness bug: with Pre-Vote, a node whose term is behind but
 * whose log is ahead must still be able to win. Node 1 is down; node 2 has
 * the higher term but a stale log, so only node 0 can lead, and only if a
 * refusal teaches it the higher term. */
static void smaller_term_can_still_win_with_prevote(void)
{
	struct testnet net;
	struct raft_message m;

	testnet_init(&net, 3, 44, with_prevote);
	net.cut[1] = 1;
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 0, 2, 7);
	raft_step(&net.nodes[2], &m); /* term 7, no leader */
	net.nodes[2].last_log_term = 3;
	net.nodes[2].last_log_index = 2;
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 2, 0, 5);
	raft_step(&net.nodes[0], &m);
	net.nodes[0].last_log_term = 5;
	net.nodes[0].last_log_index = 10;
	net.outbox_len = 0;
	CHECK(run_until(&net, 200, node0_leads) <= 200);
	CHECK(net.nodes[0].current_term > 7);
	CHECK_EQ(net.nodes[2].role, RAFT_FOLLOWER);
}

static int someone_leads(const struct testnet *net)
{
	int i;

	for (i = 0; i < net->n; i++)
		if (net->nodes[i].role == RAFT_LEADER)
			return 1;
	return 0;
}

static void narrow(struct raft_config *cfg)
{
	cfg->prevote = true;
	cfg->election_min = 10;
	cfg->election_max = 11; /* split votes are common */
}

static void prevote_elections_finish_under_split_votes(void)
{
	struct testnet net;
	uint64_t seed;
	int worst = 0;

	for (seed = 1; seed <= 50; seed++) {
		int took;

		testnet_init(&net, 5, seed, narrow);
		took = run_until(&net, 2000, someone_leads);
		if (took > worst)
			worst = took;
	}
	CHECK(worst <= 2000);
}

static void check_quorum_leader_cut_off_steps_down(void)
{
	struct testnet net;
	struct raft_state *s;
	int t;

	testnet_init(&net, 5, 45, with_check_quorum);
	testnet_elect(&net, 0);
	s = &net.nodes[0];
	REQUIRE(s->role == RAFT_LEADER);
	for (t = 0; t < 30; t++) { /* healthy: it keeps leading */
		testnet_tick(&net);
		testnet_deliver(&net, 1000);
	}
	CHECK_EQ(s->role, RAFT_LEADER);
	net.cut[0] = 1;
	for (t = 1; t <= 10 && s->role == RAFT_LEADER; t++)
		raft_tick(s);
	CHECK_EQ(s->role, RAFT_FOLLOWER); /* within election_min = 10 */
	CHECK_EQ(s->stats.quorum_stepdowns, 1);
	CHECK_EQ(s->current_term, 1);
}

static void check_quorum_lease_ignores_disruptive_votes(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message rv;

	testnet_init(&net, 3, 46, with_check_quorum);
	testnet_elect(&net, 0);
	s = &net.nodes[1];
	REQUIRE(s->leader_id == 0);
	rv = testnet_msg(RAFT_MSG_REQUEST_VOTE, 2, 1, 9);
	raft_step(s, &rv);
	CHECK_EQ(s->current_term, 1); /* it heard from its leader lately */
	CHECK_EQ(s->voted_for, 0);
}

static void prevote_and_check_quorum(struct raft_config *cfg)
{
	cfg->prevote = true;
	cfg->check_quorum = true;
}

/* etcd's order: the lease is checked before the pre-vote exemption, or a
 * pre-candidate's higher probe term would win it a pre-vote and, through
 * the refusals of its later RequestVotes, depose a healthy leader. */
static void check_quorum_lease_ignores_prevotes_too(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message pv;

	testnet_init(&net, 3, 46, prevote_and_check_quorum);
	testnet_elect(&net, 0);
	s = &net.nodes[1];
	REQUIRE(s->leader_id == 0);
	net.outbox_len = 0;
	pv = testnet_msg(RAFT_MSG_PREVOTE, 2, 1, 2);
	raft_step(s, &pv);
	CHECK_EQ(net.outbox_len, 0); /* ignored: no grant, no refusal */
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->leader_id, 0);
}

static int leader_of(const struct testnet *net)
{
	int i;

	for (i = 0; i < net->n; i++)
		if (net->nodes[i].role == RAFT_LEADER && !net->cut[i])
			return i;
	return RAFT_NONE;
}

static int someone_uncut_leads(const struct testnet *net)
{
	return leader_of(net) != RAFT_NONE;
}

static void prevote_elects_again_after_the_leader_is_lost(void)
{
	struct testnet net;
	int old;

	/* Every voter gave its real vote to the first leader, so a pre-vote
	 * must not be refused for that vote: it binds nothing. */
	testnet_init(&net, 5, 51, with_prevote);
	REQUIRE(run_until(&net, 500, someone_uncut_leads) <= 500);
	old = leader_of(&net);
	net.cut[old] = 1;
	CHECK(run_until(&net, 500, someone_uncut_leads) <= 500);
	CHECK(leader_of(&net) != old);
}

static void precandidate_hearing_the_leader_drops_its_round(void)
{
	struct testnet net;
	struct raft_message held[2];
	struct raft_message ae;
	struct raft_state *s;
	int i;

	testnet_init(&net, 3, 52, with_prevote);
	testnet_elect(&net, 0);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	s = &net.nodes[1];
	net.outbox_len = 0;
	while (s->stats.prevotes_started == 0) /* its heartbeats were late */
		raft_tick(s);
	REQUIRE(net.outbox_len == 2);
	held[0] = net.outbox[0];
	held[1] = net.outbox[1];
	net.outbox_len = 0;
	/* The leader's heartbeat arrives before the answers do. */
	ae = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 0, 1, 1);
	raft_step(s, &ae);
	net.outbox_len = 0;
	for (i = 0; i < 2; i++)
		if (held[i].to == 2)
			raft_step(&net.nodes[2], &held[i]); /* node 2 grants */
	REQUIRE(testnet_count(&net, RAFT_MSG_PREVOTE_REPLY, 2) == 1);
	REQUIRE(net.outbox[0].u.rv_reply.vote_granted == 1);
	testnet_deliver(&net, 10);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->stats.elections_started, 0);
	CHECK_EQ(net.nodes[0].role, RAFT_LEADER);
}

static void prevote_reply_from_an_old_round_is_ignored(void)
{
	struct testnet net;
	struct raft_message old_probe;
	struct raft_message ae;
	struct raft_state *s;
	int i;

	testnet_init(&net, 3, 53, with_prevote);
	s = &net.nodes[0];
	while (s->stats.prevotes_started == 0) /* round 1: probe term 1 */
		raft_tick(s);
	old_probe = net.outbox[0];
	REQUIRE(old_probe.type == RAFT_MSG_PREVOTE && old_probe.term == 1);
	net.outbox_len = 0;
	/* Node 2 wins term 1 without us; then we time out again. */
	ae = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 2, 0, 1);
	raft_step(s, &ae);
	REQUIRE(s->current_term == 1);
	while (s->stats.prevotes_started == 1) /* round 2: probe term 2 */
		raft_tick(s);
	net.outbox_len = 0;
	/* The voter answers round 1's probe only now; the grant echoes term
	 * 1, which is our term, so only the round check can refuse it. */
	raft_step(&net.nodes[old_probe.to], &old_probe);
	REQUIRE(net.outbox_len == 1);
	REQUIRE(net.outbox[0].u.rv_reply.vote_granted == 1);
	REQUIRE(net.outbox[0].term == 1);
	testnet_deliver(&net, 10);
	CHECK_EQ(s->stats.elections_started, 0);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(s->current_term, 1);
	for (i = 0; i < 3; i++)
		CHECK(net.nodes[i].current_term <= 1);
}

static void check_quorum_bare_majority_keeps_the_leader(void)
{
	struct testnet net;
	struct raft_state *s;
	int t;

	/* Itself and one of two followers make 2 of 3: a majority. */
	testnet_init(&net, 3, 54, with_check_quorum);
	testnet_elect(&net, 0);
	s = &net.nodes[0];
	REQUIRE(s->role == RAFT_LEADER);
	net.cut[2] = 1;
	for (t = 0; t < 60; t++) {
		testnet_tick(&net);
		testnet_deliver(&net, 1000);
	}
	CHECK_EQ(s->role, RAFT_LEADER);
	CHECK_EQ(s->stats.quorum_stepdowns, 0);
	CHECK_EQ(s->current_term, 1);
}

static void check_quorum_lease_ends_after_election_min(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message rv;

	testnet_init(&net, 3, 55, with_check_quorum);
	testnet_elect(&net, 0);
	s = &net.nodes[1];
	REQUIRE(s->leader_id == 0);
	REQUIRE(s->election_elapsed == 0);
	/* The leader falls silent; the lease lasts election_min ticks. This
	 * seed draws a longer timeout, so the node is still a follower. */
	while (s->election_elapsed < s->config.election_min)
		raft_tick(s);
	REQUIRE(s->role == RAFT_FOLLOWER);
	REQUIRE(s->leader_id == 0);
	rv = testnet_msg(RAFT_MSG_REQUEST_VOTE, 2, 1, 9);
	raft_step(s, &rv);
	CHECK_EQ(s->current_term, 9);
	CHECK_EQ(s->voted_for, 2);
}

static void mistake(struct raft_config *cfg, unsigned bit)
{
	cfg->mistakes = bit;
}

static void no_reset(struct raft_config *cfg)
{
	mistake(cfg, RAFT_MISTAKE_NO_RESET);
}

static void fixed_timeout(struct raft_config *cfg)
{
	mistake(cfg, RAFT_MISTAKE_FIXED_TIMEOUT);
}

static void no_stepdown(struct raft_config *cfg)
{
	mistake(cfg, RAFT_MISTAKE_NO_STEPDOWN);
}

static void double_vote(struct raft_config *cfg)
{
	mistake(cfg, RAFT_MISTAKE_DOUBLE_VOTE);
}

static void mistakes_change_what_they_claim(void)
{
	struct testnet net;
	struct append_entries_msg ae = {.term = 1, .leader_id = 1};
	struct request_vote_msg rv = {1, 1, 0, 0};
	struct raft_message m;
	int i;

	testnet_init(&net, 3, 47, no_reset);
	raft_tick(&net.nodes[0]);
	append_entries_handle(&net.nodes[0], &ae);
	CHECK_EQ(net.nodes[0].election_elapsed, 1); /* not reset */

	testnet_init(&net, 5, 48, fixed_timeout);
	for (i = 0; i < 5; i++)
		CHECK_EQ(net.nodes[i].election_timeout, 10);

	testnet_init(&net, 3, 49, no_stepdown);
	testnet_elect(&net, 0);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 2, 0, 5);
	raft_step(&net.nodes[0], &m);
	CHECK_EQ(net.nodes[0].role, RAFT_LEADER); /* the damage */
	CHECK_EQ(net.nodes[0].current_term, 1);

	testnet_init(&net, 3, 50, double_vote);
	raft_request_vote_handle(&net.nodes[0], &rv);
	rv.candidate_id = 2;
	CHECK_EQ(raft_request_vote_handle(&net.nodes[0], &rv).vote_granted, 1);
	CHECK_EQ(testnet_events(&net, RAFT_EV_VOTE, 0),
		 2); /* twice in term 1 */
}

const struct test_case extension_tests[] = {
	{"Figure 2: a follower that only learns of a higher term keeps its "
	 "election timer running",
	 higher_term_alone_keeps_the_timer},
	{"§9.6 Pre-Vote: asking spends no term, and moves no voter's term",
	 prevote_does_not_change_terms},
	{"§9.6 Pre-Vote: a majority of pre-votes starts the real election",
	 prevote_majority_starts_the_real_election},
	{"§9.6 Pre-Vote: a node with a smaller term but a newer log can still "
	 "win",
	 smaller_term_can_still_win_with_prevote},
	{"§9.6 Pre-Vote: elections still finish under split votes (50 seeds, "
	 "timeouts 10-11)",
	 prevote_elections_finish_under_split_votes},
	{"CheckQuorum: a leader cut off from the majority steps down within one "
	 "election timeout",
	 check_quorum_leader_cut_off_steps_down},
	{"CheckQuorum: a follower that heard from its leader ignores a "
	 "disruptive RequestVote",
	 check_quorum_lease_ignores_disruptive_votes},
	{"CheckQuorum with Pre-Vote: a follower that heard from its leader "
	 "ignores a pre-vote too",
	 check_quorum_lease_ignores_prevotes_too},
	{"lesson mistakes: each injected mistake does what it says",
	 mistakes_change_what_they_claim},
	{"§9.6 Pre-Vote: after the leader is lost, the others elect a new one "
	 "although each gave it its vote",
	 prevote_elects_again_after_the_leader_is_lost},
	{"§9.6 Pre-Vote: a pre-candidate that hears from the leader drops its "
	 "round; late grants start no election",
	 precandidate_hearing_the_leader_drops_its_round},
	{"§9.6 Pre-Vote: a grant that answers an older round is not counted",
	 prevote_reply_from_an_old_round_is_ignored},
	{"CheckQuorum: a leader that hears from a bare majority, itself "
	 "included, keeps leading",
	 check_quorum_bare_majority_keeps_the_leader},
	{"CheckQuorum: a follower's lease ends election_min ticks after it last "
	 "heard its leader",
	 check_quorum_lease_ends_after_election_min},
	{NULL, NULL},
};

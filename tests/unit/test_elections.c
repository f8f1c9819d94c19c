/* test_elections.c - §5.2 and §5.4.1: timers, votes, majorities. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void with_prevote(struct raft_config *cfg)
{
	cfg->prevote = true;
}

static void follower_timeout_starts_election(void)
{
	struct testnet net;
	struct raft_state *s;
	int i;

	testnet_init(&net, 5, 11, NULL);
	s = &net.nodes[2];
	testnet_tick_to_timeout(s);
	REQUIRE(s->role == RAFT_FOLLOWER); /* one tick short: nothing yet */
	CHECK_EQ(net.outbox_len, 0);
	raft_tick(s);
	CHECK_EQ(s->role, RAFT_CANDIDATE);
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->voted_for, 2);
	CHECK_EQ(s->election_elapsed, 0);
	CHECK(s->election_timeout >= 10 && s->election_timeout <= 20);
	CHECK_EQ(s->stats.elections_started, 1);
	CHECK_EQ(net.outbox_len, 4);
	for (i = 0; i < net.outbox_len; i++) {
		CHECK_EQ(net.outbox[i].type, RAFT_MSG_REQUEST_VOTE);
		CHECK_EQ(net.outbox[i].from, 2);
		CHECK_EQ(net.outbox[i].to, i < 2 ? i : i + 1);
		CHECK_EQ(net.outbox[i].u.rv.term, 1);
		CHECK_EQ(net.outbox[i].u.rv.candidate_id, 2);
	}
}

static void candidate_timeout_starts_new_election(void)
{
	struct testnet net;
	struct raft_state *s;

	testnet_init(&net, 3, 12, NULL);
	s = &net.nodes[0];
	raft_start_election(s);
	net.outbox_len = 0;
	testnet_tick_to_timeout(s);
	CHECK_EQ(s->current_term, 1);
	raft_tick(s);
	CHECK_EQ(s->role, RAFT_CANDIDATE);
	CHECK_EQ(s->current_term, 2);
	CHECK_EQ(s->voted_for, 0);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_REQUEST_VOTE, 0), 2);
}

static void accepted_heartbeat_records_leader_and_resets_timer(void)
{
	struct testnet net;
	struct raft_state *s;
	struct append_entries_msg ae = {.term = 4, .leader_id = 1};
	struct append_entries_reply reply;
	unsigned timeouts_seen[32] = {0};
	int distinct = 0;
	int i;

	testnet_init(&net, 3, 13, NULL);
	s = &net.nodes[0];
	for (i = 0; i < 40; i++) {
		raft_tick(s);
		raft_tick(s);
		reply = append_entries_handle(s, &ae);
		CHECK_EQ(reply.success, 1);
		CHECK_EQ(reply.term, 4);
		CHECK_EQ(s->leader_id, 1);
		CHECK_EQ(s->election_elapsed, 0);
		if (!timeouts_seen[s->election_timeout & 31]++)
			distinct++;
	}
	CHECK_EQ(s->stats.timeout_resets, 40);
	CHECK(distinct > 1); /* redrawn at every reset */
	CHECK_EQ(s->role, RAFT_FOLLOWER);
}

static void candidate_accepting_heartbeat_becomes_follower(void)
{
	struct testnet net;
	struct raft_state *s;
	struct append_entries_msg ae = {.term = 0, .leader_id = 2};
	struct append_entries_reply reply;

	testnet_init(&net, 3, 14, NULL);
	s = &net.nodes[0];
	raft_start_election(s);
	ae.term = s->current_term; /* same term: 2 won it */
	reply = append_entries_handle(s, &ae);
	CHECK_EQ(reply.success, 1);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->voted_for, 0); /* same term: the vote stands */
	CHECK_EQ(s->leader_id, 2);
}

static void one_vote_per_term_first_come(void)
{
	struct testnet net;
	struct raft_state *s;
	struct request_vote_msg rv = {1, 1, 0, 0};
	struct request_vote_reply reply;

	testnet_init(&net, 3, 15, NULL);
	s = &net.nodes[0];
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 1);
	CHECK_EQ(s->voted_for, 1);
	rv.candidate_id = 2;
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 0);
	CHECK_EQ(s->voted_for, 1);
	rv.candidate_id = 1; /* the same candidate asking again: a retry */
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 1);
	rv.term = 2;
	rv.candidate_id = 2; /* a new term frees the vote */
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 1);
	CHECK_EQ(s->voted_for, 2);
	CHECK_EQ(testnet_events(&net, RAFT_EV_VOTE, 0),
		 2); /* the retry is no new vote */
}

static void granting_resets_timer_refusing_does_not(void)
{
	struct testnet net;
	struct raft_state *s;
	struct request_vote_msg rv = {1, 1, 0, 0};

	testnet_init(&net, 3, 16, NULL);
	s = &net.nodes[0];
	raft_tick(s);
	raft_tick(s);
	raft_request_vote_handle(s, &rv);
	CHECK_EQ(s->election_elapsed, 0);
	CHECK_EQ(s->stats.timeout_resets, 1);
	raft_tick(s);
	raft_tick(s);
	rv.candidate_id = 2;
	raft_request_vote_handle(s, &rv);
	CHECK_EQ(s->election_elapsed, 2);
	CHECK_EQ(s->stats.timeout_resets, 1);
}

static void voter_refuses_less_up_to_date_log(void)
{
	struct testnet net;
	struct raft_state *s;
	struct request_vote_msg rv = {5, 1, 0, 0};
	struct request_vote_reply reply;

	testnet_init(&net, 3, 17, NULL);
	s = &net.nodes[0];
	/* The log is empty in this version; stand in a non-empty one. */
	s->last_log_term = 3;
	s->last_log_index = 7;
	rv.last_log_term = 2;
	rv.last_log_index = 100; /* longer, but of an older term */
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 0);
	rv.last_log_term = 3;
	rv.last_log_index = 6; /* same term, shorter */
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 0);
	CHECK_EQ(s->voted_for, RAFT_NONE);
	rv.last_log_index = 7; /* same term, as long */
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 1);
	CHECK(raft_log_up_to_date(s, 4, 0));
	CHECK(!raft_log_up_to_date(s, 2, 99));
}

/* Counts the distinct values in `v`; the timeouts are at most 20 ticks. */
static int distinct_values(const unsigned *v, int n)
{
	unsigned seen[64] = {0};
	int distinct = 0;
	int i;

	for (i = 0; i < n; i++)
		if (!seen[v[i] & 63]++)
			distinct++;
	return distinct;
}

static void candidacy_and_grant_each_draw_a_new_timeout(void)
{
	struct testnet net;
	struct raft_state *s;
	struct request_vote_msg rv = {0, 1, 0, 0};
	unsigned drawn[40];
	int i;

	/* A candidate that keeps timing out: each candidacy draws again, so
	 * two candidates that tied once are unlikely to tie again. */
	testnet_init(&net, 3, 22, NULL);
	s = &net.nodes[0];
	for (i = 0; i < 40; i++) {
		testnet_tick_to_timeout(s);
		raft_tick(s);
		REQUIRE(s->current_term == (uint64_t)i + 1);
		CHECK_EQ(s->election_elapsed, 0);
		drawn[i] = s->election_timeout;
		CHECK(drawn[i] >= 10 && drawn[i] <= 20);
	}
	CHECK(distinct_values(drawn, 40) >= 5);

	/* A voter granting once per term: each grant draws again. */
	testnet_init(&net, 3, 23, NULL);
	s = &net.nodes[0];
	for (i = 0; i < 40; i++) {
		raft_tick(s);
		rv.term = (uint64_t)i + 1;
		REQUIRE(raft_request_vote_handle(s, &rv).vote_granted == 1);
		CHECK_EQ(s->election_elapsed, 0);
		drawn[i] = s->election_timeout;
		CHECK(drawn[i] >= 10 && drawn[i] <= 20);
	}
	CHECK(distinct_values(drawn, 40) >= 5);
}

static void vote_request_carries_last_log_index_and_term(void)
{
	struct testnet net;
	static const char *const modes[] = {"RequestVote", "PreVote"};
	int mode;

	for (mode = 0; mode < 2; mode++) {
		struct raft_state *s;
		enum raft_msg_type type = mode == 0 ? RAFT_MSG_REQUEST_VOTE
						    : RAFT_MSG_PREVOTE;
		int i;

		testnet_init(&net, 3, 24, mode == 0 ? NULL : with_prevote);
		s = &net.nodes[1];
		/* The log is empty in this version; stand in a non-empty one
		 * whose index and term differ, so a swap would show. */
		s->last_log_index = 7;
		s->last_log_term = 3;
		testnet_tick_to_timeout(s);
		raft_tick(s);
		CHECK_EQ(testnet_count(&net, type, 1), 2);
		for (i = 0; i < net.outbox_len; i++) {
			if (net.outbox[i].type != type)
				continue;
			if (net.outbox[i].u.rv.last_log_index != 7 ||
			    net.outbox[i].u.rv.last_log_term != 3)
				TEST_FAIL_AT(
					"%s to %d carries %llu/%llu, not 7/3",
					modes[mode], net.outbox[i].to,
					(unsigned long long)net.outbox[i]
						.u.rv.last_log_index,
					(unsigned long long)net.outbox[i]
						.u.rv.last_log_term);
		}
	}
}

/* Node 0 campaigns in an n-node cluster and gets `grants` grants (its own
 * vote included) and refusals from the rest. Returns its role. */
static enum raft_role campaign(int n, int grants)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message m;
	int peer;

	testnet_init(&net, n, 18, NULL);
	s = &net.nodes[0];
	raft_start_election(s);
	for (peer = 1; peer < n; peer++) {
		m = testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY, peer, 0, 1);
		m.u.rv_reply.vote_granted = peer < grants;
		raft_step(s, &m);
		raft_step(s, &m); /* a duplicate reply counts once */
	}
	return s->role;
}

static void strict_majority_makes_a_leader(void)
{
	CHECK_EQ(campaign(1, 1), RAFT_LEADER);
	CHECK_EQ(campaign(3, 1), RAFT_CANDIDATE);
	CHECK_EQ(campaign(3, 2), RAFT_LEADER);
	CHECK_EQ(campaign(3, 3), RAFT_LEADER);
	CHECK_EQ(campaign(5, 2), RAFT_CANDIDATE);
	CHECK_EQ(campaign(5, 3), RAFT_LEADER);
	CHECK_EQ(campaign(4, 2), RAFT_CANDIDATE); /* 2 of 4 is no majority */
	CHECK_EQ(campaign(4, 3), RAFT_LEADER);
}

static void single_node_elects_itself(void)
{
	struct testnet net;
	struct raft_state *s;

	testnet_init(&net, 1, 19, NULL);
	s = &net.nodes[0];
	testnet_tick_to_timeout(s);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	raft_tick(s);
	CHECK_EQ(s->role, RAFT_LEADER);
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->leader_id, 0);
	CHECK_EQ(net.outbox_len, 0);
}

const struct test_case election_tests[] = {
	{"§5.2: a follower whose election timer runs out increments its term, "
	 "votes for itself, sends RequestVote to every peer and draws a new "
	 "timeout",
	 follower_timeout_starts_election},
	{"§5.2: a candidate whose timer runs out starts a new election",
	 candidate_timeout_starts_new_election},
	{"§5.2: an accepted AppendEntries records the leader and resets the "
	 "election timer",
	 accepted_heartbeat_records_leader_and_resets_timer},
	{"§5.2: a candidate that accepts an AppendEntries of its term falls back "
	 "to follower",
	 candidate_accepting_heartbeat_becomes_follower},
	{"§5.2: a node gives at most one vote per term, first come first served",
	 one_vote_per_term_first_come},
	{"§5.2: granting a vote resets the election timer; refusing does not",
	 granting_resets_timer_refusing_does_not},
	{"§5.4.1: a voter refuses a candidate whose log is less up to date",
	 voter_refuses_less_up_to_date_log},
	{"§5.2: votes from a strict majority make a leader (1, 3, 4, 5 nodes); "
	 "fewer leave a candidate",
	 strict_majority_makes_a_leader},
	{"§5.2: a 1-node cluster elects itself", single_node_elects_itself},
	{"§5.2: a new candidacy and a granted vote each draw a new election "
	 "timeout",
	 candidacy_and_grant_each_draw_a_new_timeout},
	{"§5.4.1: a vote request carries the candidate's last log index and "
	 "term",
	 vote_request_carries_last_log_index_and_term},
	{NULL, NULL},
};

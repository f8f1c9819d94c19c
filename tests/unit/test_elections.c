/* test_elections.c - §5.2 and §5.4.1: timers, votes, majorities. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void with_prevote(struct raft_config *cfg)
{
	cfg->prevote = true;
}

static void tick_until_timeout(struct raft_state *s)
{
	unsigned timeout = s->election_timeout;
	unsigned i;

	for (i = 1; i < timeout; i++)
		raft_tick(s);
}

static void follower_timeout_starts_election(void)
{
	struct testnet net;
	struct raft_state *s;
	int i;

	testnet_init(&net, 5, 11, NULL);
	s = &net.nodes[2];
	tick_until_timeout(s);
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
	tick_until_timeout(s);
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
	struct append_entries_msg ae = {4, 1, 0, 0, 0};
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
	struct append_entries_msg ae = {0, 2, 0, 0, 0};
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
	CHECK_EQ(testnet_events(&net, RAFT_EV_VOTE, 0), 2); /* the retry is no new vote */
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
		tick_until_timeout(s);
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
		tick_until_timeout(s);
		raft_tick(s);
		CHECK_EQ(testnet_count(&net, type, 1), 2);
		for (i = 0; i < net.outbox_len; i++) {
			if (net.outbox[i].type != type)
				continue;
			if (net.outbox[i].u.rv.last_log_index != 7 ||
			    net.outbox[i].u.rv.last_log_term != 3)
				TEST_FAIL_AT("%s to %d carries %llu/%llu, not 7/3",
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
	tick_until_timeout(s);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	raft_tick(s);
	CHECK_EQ(s->role, RAFT_LEADER);
	CHECK_EQ(s->current_term, 1);
	CHECK_EQ(s->leader_id, 0);
	CHECK_EQ(net.outbox_len, 0);
}

static void new_leader_heartbeats_at_once_then_every_interval(void)
{
	struct testnet net;
	struct raft_state *s;
	int tick;
	int i;

	testnet_init(&net, 5, 20, NULL);
	s = &net.nodes[0];
	raft_start_election(s);
	for (i = 1; i <= 2; i++) { /* two grants make 3 of 5 */
		struct raft_message m =
			testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY, i, 0, 1);
		m.u.rv_reply.vote_granted = 1;
		net.outbox_len = 0;
		raft_step(s, &m);
	}
	REQUIRE(s->role == RAFT_LEADER);
	/* At once: one empty AppendEntries to each of the 4 followers. */
	CHECK_EQ(net.outbox_len, 4);
	for (i = 0; i < net.outbox_len; i++) {
		const struct raft_message *m = &net.outbox[i];
		CHECK_EQ(m->type, RAFT_MSG_APPEND_ENTRIES);
		CHECK_EQ(m->to, i + 1);
		CHECK_EQ(m->u.ae.term, 1);
		CHECK_EQ(m->u.ae.leader_id, 0);
		CHECK_EQ(m->u.ae.entries_count, 0);
		CHECK_EQ(m->u.ae.prev_log_index, 0);
		CHECK_EQ(m->u.ae.prev_log_term, 0);
	}
	/* Then exactly one round per heartbeat_interval (3) ticks. */
	net.outbox_len = 0;
	for (tick = 1; tick <= 30; tick++) {
		raft_tick(s);
		CHECK_EQ(net.outbox_len, tick % 3 == 0 ? 4 : 0);
		for (i = 0; i < net.outbox_len; i++)
			CHECK_EQ(net.outbox[i].to, i + 1);
		net.outbox_len = 0;
	}
	CHECK_EQ(s->stats.heartbeat_rounds, 11);
	CHECK_EQ(s->stats.heartbeats_sent, 44);
}

static void leader_steps_down_before_sending_again(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message m;

	testnet_init(&net, 3, 21, NULL);
	testnet_elect(&net, 0);
	s = &net.nodes[0];
	REQUIRE(s->role == RAFT_LEADER);
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 2, 0, 4);
	raft_step(s, &m);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(s->leader_id, 2);
	net.outbox_len = 0;
	raft_tick(s);
	raft_tick(s);
	raft_tick(s);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0), 0);
}

/* Node `id` of an n-node cluster campaigns and wins on manual grants; the
 * outbox then holds only its first heartbeat round. */
static struct raft_state *win_by_grants(struct testnet *net, int id, int n)
{
	struct raft_state *s = &net->nodes[id];
	int peer;

	raft_start_election(s);
	for (peer = 0; peer < n && s->role != RAFT_LEADER; peer++) {
		struct raft_message m;

		if (peer == id)
			continue;
		m = testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY, peer, id,
				s->current_term);
		m.u.rv_reply.vote_granted = 1;
		net->outbox_len = 0;
		raft_step(s, &m);
	}
	return s;
}

/* Checks that the outbox holds exactly one empty AppendEntries from
 * `leader` to each other node, and nothing else. */
static void check_one_heartbeat_each(const struct testnet *net, int leader,
				     int n, uint64_t term)
{
	int got[RAFT_MAX_NODES] = {0};
	int i;

	CHECK_EQ(net->outbox_len, n - 1);
	for (i = 0; i < net->outbox_len; i++) {
		const struct raft_message *m = &net->outbox[i];

		CHECK_EQ(m->type, RAFT_MSG_APPEND_ENTRIES);
		CHECK_EQ(m->from, leader);
		CHECK_EQ(m->u.ae.term, term);
		CHECK_EQ(m->u.ae.entries_count, 0);
		if (m->to >= 0 && m->to < n)
			got[m->to]++;
	}
	for (i = 0; i < n; i++)
		CHECK_EQ(got[i], i == leader ? 0 : 1);
}

static void any_leader_heartbeats_every_follower(void)
{
	struct testnet net;
	struct raft_state *s;
	int tick;

	/* Node 2 leads, so a loop that starts at 1 or stops one short would
	 * miss a follower on either side of it. */
	testnet_init(&net, 5, 25, NULL);
	s = win_by_grants(&net, 2, 5);
	REQUIRE(s->role == RAFT_LEADER);
	check_one_heartbeat_each(&net, 2, 5, 1);
	for (tick = 1; tick <= 9; tick++) {
		net.outbox_len = 0;
		raft_tick(s);
		if (tick % 3 == 0)
			check_one_heartbeat_each(&net, 2, 5, 1);
		else
			CHECK_EQ(net.outbox_len, 0);
	}
}

static void re_elected_leader_counts_interval_afresh(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message m;
	int tick;

	testnet_init(&net, 3, 26, NULL);
	s = win_by_grants(&net, 0, 3);
	REQUIRE(s->role == RAFT_LEADER);
	raft_tick(s);
	raft_tick(s); /* two ticks into its interval */
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 1, 0, 2);
	raft_step(s, &m);
	REQUIRE(s->role == RAFT_FOLLOWER);
	s = win_by_grants(&net, 0, 3); /* term 3 */
	REQUIRE(s->role == RAFT_LEADER);
	REQUIRE(s->current_term == 3);
	check_one_heartbeat_each(&net, 0, 3, 3);
	/* The old leadership's count must not carry over: nothing until a
	 * whole interval has passed. */
	for (tick = 1; tick <= 6; tick++) {
		net.outbox_len = 0;
		raft_tick(s);
		if (tick % 3 == 0)
			check_one_heartbeat_each(&net, 0, 3, 3);
		else
			CHECK_EQ(net.outbox_len, 0);
	}
}

static void deposed_leader_starts_a_fresh_timeout(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message m;
	int tick;

	testnet_init(&net, 3, 27, NULL);
	s = &net.nodes[0];
	raft_start_election(s);
	/* Win on the last tick before the candidacy would time out, so a
	 * timer carried over from it would fire at once after stepping down. */
	tick_until_timeout(s);
	REQUIRE(s->role == RAFT_CANDIDATE);
	m = testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY, 1, 0, 1);
	m.u.rv_reply.vote_granted = 1;
	raft_step(s, &m);
	REQUIRE(s->role == RAFT_LEADER);
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 2, 0, 5);
	raft_step(s, &m);
	REQUIRE(s->role == RAFT_FOLLOWER);
	net.outbox_len = 0;
	for (tick = 1; tick < 10; tick++) /* below election_min */
		raft_tick(s);
	CHECK_EQ(s->role, RAFT_FOLLOWER);
	CHECK_EQ(s->current_term, 5);
	CHECK_EQ(net.outbox_len, 0);
	for (; tick <= 20 && s->role == RAFT_FOLLOWER; tick++)
		raft_tick(s);
	CHECK_EQ(s->role, RAFT_CANDIDATE); /* and by election_max it fires */
	CHECK_EQ(s->current_term, 6);
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
	{"§5.2: a new leader sends heartbeats at once, then one empty "
	 "AppendEntries per follower per interval",
	 new_leader_heartbeats_at_once_then_every_interval},
	{"§5.1: a leader that steps down sends no more heartbeats",
	 leader_steps_down_before_sending_again},
	{"§5.2: a new candidacy and a granted vote each draw a new election "
	 "timeout",
	 candidacy_and_grant_each_draw_a_new_timeout},
	{"§5.4.1: a vote request carries the candidate's last log index and "
	 "term",
	 vote_request_carries_last_log_index_and_term},
	{"§5.2: a leader that is not node 0 sends exactly one empty "
	 "AppendEntries to every follower per interval",
	 any_leader_heartbeats_every_follower},
	{"§5.2: a leader elected again sends heartbeats at once, then a whole "
	 "interval later",
	 re_elected_leader_counts_interval_afresh},
	{"§5.2: a leader that steps down starts a fresh election timeout",
	 deposed_leader_starts_a_fresh_timeout},
	{NULL, NULL},
};

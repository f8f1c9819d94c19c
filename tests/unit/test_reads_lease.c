/* test_reads_lease.c - the leader lease (thesis §6.4.1): reads served at
 * once while no other leader can have been elected; driven by hand on a
 * testnet, followers' ticks placed at the worst phase and drift. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void check_quorum_on(struct raft_config *cfg)
{
	cfg->check_quorum = true;
}

static void lease_only_with_check_quorum(void)
{
	struct testnet net;

	testnet_lead_settled(&net, 3, 7, NULL);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	CHECK(!raft_lease_valid(&net.nodes[0]));
	testnet_free(&net);

	testnet_lead_settled(&net, 3, 7, check_quorum_on);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	CHECK(raft_lease_valid(&net.nodes[0]));
	CHECK(!raft_lease_valid(&net.nodes[1]));
	testnet_free(&net);
}

static void lease_needs_own_term_commit(void)
{
	struct testnet net;
	struct raft_state *s;
	int i;

	testnet_init(&net, 3, 8, check_quorum_on);
	testnet_attach(&net);
	s = &net.nodes[0];
	raft_start_election(s);
	testnet_deliver(&net, 2);
	testnet_deliver(&net, 2);
	REQUIRE(s->role == RAFT_LEADER);
	/* Both followers answer its first round, refusing: acknowledged by
	 * all, but its no-op is not committed yet. */
	REQUIRE(net.outbox_len == 2);
	for (i = 0; i < 2; i++) {
		net.outbox[i].u.ae.prev_log_index = 50;
		net.outbox[i].u.ae.prev_log_term = 1;
		net.outbox[i].u.ae.entries_count = 0;
	}
	testnet_deliver(&net, 4);
	REQUIRE(s->role == RAFT_LEADER && s->commit_index == 0);
	REQUIRE(s->progress[1].lease_acked == s->now);
	CHECK(!raft_lease_valid(s));
	for (i = 0; i < 3; i++) /* its next heartbeat probes again */
		raft_tick(s);
	testnet_settle(&net);
	REQUIRE(s->commit_index == 1);
	CHECK(raft_lease_valid(s));
	testnet_free(&net);
}

/* The leader's lease is valid at now = t + k exactly while k < 7 (with
 * election_min 10): the last send acknowledged was at t. */
static void lease_expires_after_margin(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t t;
	int i;

	testnet_lead_settled(&net, 3, 9, check_quorum_on);
	s = &net.nodes[0];
	for (i = 0; i < 3; i++)
		raft_tick(s);
	t = s->now; /* its heartbeat round goes now, and is answered */
	testnet_settle(&net);
	REQUIRE(raft_lease_valid(s));
	net.cut[1] = net.cut[2] = 1;
	while (s->now < t + 6) {
		raft_tick(s);
		CHECK(raft_lease_valid(s));
	}
	raft_tick(s); /* now = t + 7 = t + (10 - 1) * 7 / 8 */
	CHECK(!raft_lease_valid(s));
	CHECK_EQ(s->role, RAFT_LEADER); /* CheckQuorum has not acted yet */
	/* A single acknowledgement (2 of 3) of a later send renews it. */
	net.cut[1] = 0;
	testnet_clear(&net);
	t = s->now;
	REQUIRE(testnet_propose(&net, 0, 1, 8) == RAFT_OK);
	testnet_settle(&net);
	CHECK(raft_lease_valid(s));
	while (s->now < t + 6)
		raft_tick(s);
	CHECK(raft_lease_valid(s));
	net.cut[1] = 1;
	raft_tick(s);
	CHECK(!raft_lease_valid(s));
	testnet_free(&net);
}

/* Whether node id would ignore a RequestVote of a higher term with an
 * up-to-date log, asked of a copy (the node itself is left as it is). */
static bool ignores_votes(struct testnet *net, int id, int candidate)
{
	static struct raft_state copy;
	struct raft_message m;
	int len = net->outbox_len;
	bool ignored;

	copy = net->nodes[id];
	m = testnet_msg(RAFT_MSG_REQUEST_VOTE, candidate, id,
			copy.current_term + 1);
	m.u.rv.last_log_index = copy.last_log_index + 100;
	m.u.rv.last_log_term = copy.current_term + 1;
	raft_step(&copy, &m);
	ignored = copy.current_term == net->nodes[id].current_term &&
		  net->outbox_len == len;
	testnet_clear(net);
	return ignored;
}

/* Ideal clocks, the worst phase: a follower hears the leader just before
 * its own tick; it ticks before the leader does each round. Wherever the
 * leader's lease holds, both followers refuse a rival's vote request. */
static void partitioned_lease_ends_before_any_election(void)
{
	struct testnet net;
	struct raft_state *s;
	int lease_steps = 0;
	int step;

	testnet_lead_settled(&net, 3, 10, check_quorum_on);
	s = &net.nodes[0];
	REQUIRE(raft_lease_valid(s));
	net.cut[0] = 1;
	for (step = 0; step < 12; step++) {
		raft_tick(&net.nodes[1]);
		raft_tick(&net.nodes[2]);
		if (raft_lease_valid(s)) {
			lease_steps++;
			CHECK(ignores_votes(&net, 1, 2));
			CHECK(ignores_votes(&net, 2, 1));
		}
		raft_tick(s);
		if (raft_lease_valid(s)) {
			CHECK(ignores_votes(&net, 1, 2));
			CHECK(ignores_votes(&net, 2, 1));
		}
	}
	CHECK_EQ(lease_steps, 7);
	/* Not vacuous: the followers do vote once their own lease ends. */
	CHECK(!ignores_votes(&net, 1, 2));
	testnet_free(&net);
}

/* Drift at the assumed bound: the followers' ticks last 7/8 of the
 * leader's (70 and 80 time units), the first just after they heard it. */
static void drifting_lease_ends_before_any_election(void)
{
	struct testnet net;
	struct raft_state *s;
	int f_next = 1;
	int l_next = 80;
	int valid_until = 0;
	int time;

	testnet_lead_settled(&net, 3, 11, check_quorum_on);
	s = &net.nodes[0];
	REQUIRE(raft_lease_valid(s));
	net.cut[0] = 1;
	for (time = 0; time < 1000; time++) {
		if (time == f_next) {
			raft_tick(&net.nodes[1]);
			raft_tick(&net.nodes[2]);
			f_next += 70;
		}
		if (time == l_next) {
			raft_tick(s);
			l_next += 80;
		}
		if (raft_lease_valid(s)) {
			valid_until = time;
			CHECK(ignores_votes(&net, 1, 2));
			CHECK(ignores_votes(&net, 2, 1));
		}
	}
	CHECK(valid_until >= 7 * 80 - 1); /* the lease held a while */
	testnet_free(&net);
}

/* A follower acknowledges the leader, crashes and comes back at once:
 * it forgot hearing the leader, yet must not vote while the lease lasts. */
static void restarted_follower_keeps_the_lease(void)
{
	struct testnet net;
	struct raft_state *s;
	int lease_steps = 0;
	int step;

	testnet_lead_settled(&net, 3, 15, check_quorum_on);
	s = &net.nodes[0];
	REQUIRE(raft_lease_valid(s));
	net.cut[0] = 1;
	testnet_restart(&net, 1);
	testnet_restart(&net, 2);
	for (step = 0; step < 12; step++) {
		raft_tick(&net.nodes[1]);
		raft_tick(&net.nodes[2]);
		if (raft_lease_valid(s)) {
			lease_steps++;
			CHECK(ignores_votes(&net, 1, 2));
			CHECK(ignores_votes(&net, 2, 1));
		}
		raft_tick(s);
	}
	CHECK_EQ(lease_steps, 7);
	CHECK(!ignores_votes(&net, 1, 2));
	testnet_free(&net);

	/* Without check_quorum there is no lease, and it votes at once. */
	testnet_lead_settled(&net, 3, 15, NULL);
	testnet_restart(&net, 1);
	CHECK(!ignores_votes(&net, 1, 2));
	testnet_free(&net);
}

static void lease_clear_voids_earlier_acks(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message late;
	int i;

	testnet_lead_settled(&net, 3, 12, check_quorum_on);
	s = &net.nodes[0];
	for (i = 0; i < 3; i++)
		raft_tick(s);
	/* A reply held up (as in a paused node's mailbox) while it was
	 * frozen, then handled after it resumed. */
	testnet_deliver(&net, 2);
	i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES_REPLY, 0);
	REQUIRE(i >= 0);
	late = net.outbox[i];
	testnet_settle(&net);
	REQUIRE(raft_lease_valid(s));
	raft_lease_clear(s);
	CHECK(!raft_lease_valid(s));
	raft_step(s, &late);
	CHECK(!raft_lease_valid(s));
	/* A send after the clear, acknowledged, brings it back. */
	raft_tick(s);
	REQUIRE(testnet_propose(&net, 0, 1, 8) == RAFT_OK);
	testnet_settle(&net);
	CHECK(raft_lease_valid(s));
	testnet_free(&net);
}

const struct test_case lease_tests[] = {
	{"§6.4.1: the lease holds only with check_quorum",
	 lease_only_with_check_quorum},
	{"§6.4.1: a new leader holds no lease until it commits an entry of its "
	 "term",
	 lease_needs_own_term_commit},
	{"§6.4.1: the lease expires election_min minus the margin after the "
	 "last acknowledged send",
	 lease_expires_after_margin},
	{"§6.4.1: a partitioned leader's lease expires before any other node "
	 "can be elected",
	 partitioned_lease_ends_before_any_election},
	{"§6.4.1: with followers' ticks 1/8 shorter, the lease still expires "
	 "before any of them votes",
	 drifting_lease_ends_before_any_election},
	{"§6.4.1: a follower that restarts ignores vote requests for "
	 "election_min ticks, so the lease survives its crash",
	 restarted_follower_keeps_the_lease},
	{"§6.4.1: acknowledgements of sends before raft_lease_clear (a pause) "
	 "do not hold the lease",
	 lease_clear_voids_earlier_acks},
	{NULL, NULL},
};

/* test_reads.c - ReadIndex (thesis §6.4): reads that skip the log, served
 * once a heartbeat round sent after them is acknowledged by a majority;
 * driven by hand on a testnet (test_reads_lease.c: the lease). */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void check_quorum_on(struct raft_config *cfg)
{
	cfg->check_quorum = true;
}

static void read_waits_for_heartbeat_sent_after_it(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t round = 0;
	int i;

	testnet_lead_settled(&net, 3, 1, NULL);
	s = &net.nodes[0];
	REQUIRE(s->role == RAFT_LEADER);
	/* A heartbeat round goes out before the read arrives... */
	for (i = 0; i < 3; i++)
		raft_tick(s);
	REQUIRE(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0) == 2);
	REQUIRE(raft_read_index(s, &index, &round) == RAFT_OK);
	CHECK_EQ(index, s->commit_index);
	/* ...and the read starts its own at once. */
	CHECK_EQ(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0), 4);
	CHECK(!raft_read_ready(s, round));
	/* The earlier round reaches both followers and both answer: that
	 * says nothing about the time after the read arrived. */
	testnet_deliver(&net, 2);
	while ((i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES_REPLY, 0)) >=
	       0)
		testnet_deliver_at(&net, i);
	CHECK(!raft_read_ready(s, round));
	CHECK_EQ(s->role, RAFT_LEADER);
	/* One follower answers the read's round: with the leader, 2 of 3. */
	i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES, 1);
	REQUIRE(i >= 0);
	testnet_deliver_at(&net, i);
	CHECK(!raft_read_ready(s, round)); /* the reply is still on its way */
	i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES_REPLY, 0);
	REQUIRE(i >= 0);
	testnet_deliver_at(&net, i);
	CHECK(raft_read_ready(s, round));
	CHECK_EQ(s->stats.reads_confirmed, 1);
	testnet_free(&net);
}

static void new_leader_refuses_reads_until_its_term_commits(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t round = 0;
	int i;

	testnet_lead_settled(&net, 3, 2, NULL);
	/* Node 0 commits an entry the followers hold but do not yet know
	 * committed (they learn it with the next AppendEntries). */
	REQUIRE(testnet_propose(&net, 0, 1, 8) == RAFT_OK);
	testnet_deliver(&net, 2); /* the entry to both followers */
	testnet_deliver(&net, 2); /* their acknowledgements */
	REQUIRE(net.nodes[0].commit_index == 2);
	REQUIRE(net.nodes[1].commit_index == 1);
	testnet_clear(&net);
	CHECK_EQ(raft_read_index(&net.nodes[1], &index, &round),
		 RAFT_ENOTLEADER);
	/* Node 1 wins term 2 with commit index 1, behind index 2. */
	s = &net.nodes[1];
	raft_start_election(s);
	testnet_deliver(&net, 2); /* the vote requests */
	testnet_deliver(&net, 2); /* the grants */
	REQUIRE(s->role == RAFT_LEADER);
	REQUIRE(s->commit_index == 1);
	CHECK_EQ(raft_read_index(s, &index, &round), RAFT_EBUSY);
	CHECK_EQ(s->stats.read_rounds, 0);
	/* Its no-op (index 3) goes out and comes back: now it may. */
	for (i = 0; i < 4; i++)
		testnet_deliver(&net, 1);
	REQUIRE(s->commit_index == 3);
	CHECK_EQ(raft_read_index(s, &index, &round), RAFT_OK);
	CHECK_EQ(index, 3);
	testnet_free(&net);
}

static void deposed_leader_read_never_ready(void)
{
	struct testnet net;
	struct raft_state *old;
	uint64_t index = 0;
	uint64_t round = 0;
	uint64_t later = 0;
	int tick;

	testnet_lead_settled(&net, 3, 3, NULL);
	old = &net.nodes[0];
	net.cut[0] = 1; /* the leader is partitioned away */
	REQUIRE(raft_read_index(old, &index, &round) == RAFT_OK);
	testnet_elect(&net, 1);
	testnet_settle(&net);
	REQUIRE(net.nodes[1].role == RAFT_LEADER);
	REQUIRE(testnet_propose(&net, 1, 1, 8) == RAFT_OK);
	testnet_settle(&net);
	CHECK(!raft_read_ready(old, round));
	/* Healed: its heartbeats meet the higher term and it steps down. */
	net.cut[0] = 0;
	for (tick = 0; tick < 3 && old->role == RAFT_LEADER; tick++) {
		raft_tick(old);
		testnet_settle(&net);
		CHECK(!raft_read_ready(old, round));
	}
	CHECK_EQ(old->role, RAFT_FOLLOWER);
	/* Leading again later, with rounds past the old one confirmed, it
	 * still must not serve that read: another leader committed in
	 * between. */
	for (tick = 0;
	     tick < 30 && old->last_log_index < net.nodes[1].last_log_index;
	     tick++) {
		raft_tick(&net.nodes[1]);
		testnet_settle(&net);
	}
	testnet_elect(&net, 0);
	testnet_settle(&net);
	REQUIRE(old->role == RAFT_LEADER);
	REQUIRE(raft_read_index(old, &index, &later) == RAFT_OK);
	testnet_settle(&net);
	REQUIRE(later > round);
	CHECK(raft_read_ready(old, later));
	CHECK(!raft_read_ready(old, round));
	testnet_free(&net);
}

static void one_round_serves_many_reads(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t first = 0;
	uint64_t rounds[5];
	int i;

	testnet_lead_settled(&net, 3, 4, NULL);
	s = &net.nodes[0];
	REQUIRE(raft_read_index(s, &index, &first) == RAFT_OK);
	CHECK_EQ(net.outbox_len, 2);
	/* Five more while that round is out: no more messages, one round
	 * to wait for, the next. */
	for (i = 0; i < 5; i++) {
		REQUIRE(raft_read_index(s, &index, &rounds[i]) == RAFT_OK);
		CHECK_EQ(rounds[i], first + 1);
	}
	CHECK_EQ(net.outbox_len, 2);
	CHECK_EQ(s->stats.read_rounds, 1);
	/* The first round's acknowledgement starts the second at once. */
	testnet_deliver(&net, 2);
	testnet_deliver(&net, 1);
	CHECK(raft_read_ready(s, first));
	CHECK(!raft_read_ready(s, first + 1));
	CHECK_EQ(s->stats.read_rounds, 2);
	CHECK_EQ(s->stats.reads_confirmed, 1);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0), 2);
	testnet_settle(&net);
	for (i = 0; i < 5; i++)
		CHECK(raft_read_ready(s, rounds[i]));
	CHECK_EQ(s->stats.read_rounds, 2);
	CHECK_EQ(s->stats.reads_confirmed, 6);
	testnet_free(&net);
}

static void waiting_reads_go_with_the_next_heartbeat(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t first = 0;
	uint64_t next = 0;
	int i;

	testnet_lead_settled(&net, 3, 5, NULL);
	s = &net.nodes[0];
	REQUIRE(raft_read_index(s, &index, &first) == RAFT_OK);
	REQUIRE(raft_read_index(s, &index, &next) == RAFT_OK);
	REQUIRE(next == first + 1);
	testnet_clear(&net); /* the first round's messages are lost */
	for (i = 0; i < 3; i++)
		raft_tick(s);
	CHECK_EQ(s->stats.read_rounds, 2);
	for (i = 0; i < net.outbox_len; i++)
		CHECK_EQ(net.outbox[i].u.ae.read_round, next);
	/* One answer to it (2 of 3) confirms both rounds. */
	testnet_deliver_at(&net,
			   testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES, 1));
	testnet_deliver_at(
		&net, testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES_REPLY, 0));
	CHECK(raft_read_ready(s, first));
	CHECK(raft_read_ready(s, next));
	CHECK_EQ(s->stats.reads_confirmed, 2);
	testnet_settle(&net);
	/* Nothing waits: the heartbeat after that carries the same round,
	 * and begins none. */
	for (i = 0; i < 3; i++)
		raft_tick(s);
	CHECK_EQ(s->stats.read_rounds, 2);
	CHECK_EQ(net.outbox_len, 2);
	for (i = 0; i < net.outbox_len; i++)
		CHECK_EQ(net.outbox[i].u.ae.read_round, next);
	testnet_free(&net);
}

static void earlier_round_answered_late_confirms_nothing_newer(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t first = 0;
	uint64_t next = 0;
	int i;

	testnet_lead_settled(&net, 3, 14, NULL);
	s = &net.nodes[0];
	REQUIRE(raft_read_index(s, &index, &first) == RAFT_OK);
	REQUIRE(raft_read_index(s, &index, &next) == RAFT_OK);
	REQUIRE(next == first + 1);
	for (i = 0; i < 3; i++) /* the heartbeat begins round `next` */
		raft_tick(s);
	REQUIRE(net.outbox_len == 4);
	/* Only the first round's messages (sent before the second read
	 * arrived) are delivered and answered. */
	testnet_deliver(&net, 2);
	while ((i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES_REPLY, 0)) >=
	       0)
		testnet_deliver_at(&net, i);
	CHECK(raft_read_ready(s, first));
	CHECK(!raft_read_ready(s, next));
	CHECK_EQ(s->stats.reads_confirmed, 1);
	testnet_settle(&net);
	CHECK(raft_read_ready(s, next));
	CHECK_EQ(s->stats.reads_confirmed, 2);
	testnet_free(&net);
}

static void reads_survive_refusals_in_the_same_term(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t round = 0;
	int i;

	testnet_lead_settled(&net, 3, 6, NULL);
	s = &net.nodes[0];
	REQUIRE(raft_read_index(s, &index, &round) == RAFT_OK);
	testnet_drop_at(&net,
			testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES, 2));
	/* Node 1's copy asks about an entry it lacks: it refuses it, in
	 * the leader's term, and still echoes the round. */
	i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES, 1);
	REQUIRE(i >= 0);
	net.outbox[i].u.ae.prev_log_index = 50;
	net.outbox[i].u.ae.prev_log_term = s->current_term;
	testnet_deliver_at(&net, i);
	i = testnet_find_to(&net, RAFT_MSG_APPEND_ENTRIES_REPLY, 0);
	REQUIRE(i >= 0);
	CHECK_EQ(net.outbox[i].u.ae_reply.success, 0);
	CHECK_EQ(net.outbox[i].u.ae_reply.read_round, round);
	testnet_deliver_at(&net, i);
	CHECK_EQ(s->role, RAFT_LEADER);
	CHECK(raft_read_ready(s, round));
	testnet_free(&net);
}

static void single_node_reads_at_once(void)
{
	struct testnet net;
	struct raft_state *s;
	uint64_t index = 0;
	uint64_t round = 0;

	testnet_init(&net, 1, 13, check_quorum_on);
	testnet_attach(&net);
	s = &net.nodes[0];
	raft_start_election(s);
	REQUIRE(s->role == RAFT_LEADER);
	REQUIRE(raft_read_index(s, &index, &round) == RAFT_OK);
	CHECK(raft_read_ready(s, round));
	CHECK(raft_lease_valid(s));
	CHECK_EQ(s->stats.reads_confirmed, 1);
	testnet_free(&net);
}

const struct test_case read_tests[] = {
	{"§6.4: a leader serves a read only after a majority acknowledges a "
	 "heartbeat sent after the read arrived",
	 read_waits_for_heartbeat_sent_after_it},
	{"§6.4: a new leader refuses reads until it commits an entry of its "
	 "term",
	 new_leader_refuses_reads_until_its_term_commits},
	{"§6.4: a deposed leader's read is never ready, even if it leads again",
	 deposed_leader_read_never_ready},
	{"§6.4: one round serves many reads; those arriving while it is out "
	 "wait for the next, begun when it is acknowledged",
	 one_round_serves_many_reads},
	{"§6.4: reads waiting behind an unanswered round go with the next "
	 "heartbeat",
	 waiting_reads_go_with_the_next_heartbeat},
	{"§6.4: answers to a round sent before a read arrived never confirm "
	 "it, even when they come after its own round began",
	 earlier_round_answered_late_confirms_nothing_newer},
	{"§6.4: a refusal in the leader's term acknowledges its round",
	 reads_survive_refusals_in_the_same_term},
	{"§6.4: a single node confirms its reads and holds its lease alone",
	 single_node_reads_at_once},
	{NULL, NULL},
};

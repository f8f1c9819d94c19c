/* test_leader_heartbeats.c - §5.2: a leader's heartbeats, from its first
 * round to its step-down (test_elections.c: timers, votes, majorities). */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

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
		struct raft_message m = testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY,
						    i, 0, 1);
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
	testnet_tick_to_timeout(s);
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

const struct test_case leader_heartbeat_tests[] = {
	{"§5.2: a new leader sends heartbeats at once, then one empty "
	 "AppendEntries per follower per interval",
	 new_leader_heartbeats_at_once_then_every_interval},
	{"§5.1: a leader that steps down sends no more heartbeats",
	 leader_steps_down_before_sending_again},
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

/* test_terms.c - §5.1: terms, the single entry point, and stepping down. */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void starts_as_follower_at_term_0(void)
{
	struct testnet net;
	int i;

	testnet_init(&net, 5, 1, NULL);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(net.nodes[i].role, RAFT_FOLLOWER);
		CHECK_EQ(net.nodes[i].current_term, 0);
		CHECK_EQ(net.nodes[i].voted_for, RAFT_NONE);
		CHECK_EQ(net.nodes[i].leader_id, RAFT_NONE);
	}
}

/* Puts node 0 of a fresh 3-node cluster in `role` at term 2, having voted. */
static struct raft_state *node_in_role(struct testnet *net, enum raft_role role)
{
	struct raft_state *s;

	testnet_init(net, 3, 7, NULL);
	s = &net->nodes[0];
	raft_start_election(s); /* term 1 */
	if (role != RAFT_CANDIDATE || s->current_term < 2)
		raft_start_election(s); /* term 2 */
	if (role == RAFT_LEADER) {
		struct raft_message grant = testnet_msg(
			RAFT_MSG_REQUEST_VOTE_REPLY, 1, 0, s->current_term);
		grant.u.rv_reply.vote_granted = 1;
		raft_step(s, &grant);
	} else if (role == RAFT_FOLLOWER) {
		struct raft_message ae = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 1,
						     0, 2);
		raft_step(s, &ae);
	}
	net->outbox_len = 0;
	return s;
}

static void higher_term_makes_any_role_a_follower(void)
{
	static const enum raft_msg_type types[] = {
		RAFT_MSG_APPEND_ENTRIES, RAFT_MSG_APPEND_ENTRIES_REPLY,
		RAFT_MSG_REQUEST_VOTE,   RAFT_MSG_REQUEST_VOTE_REPLY,
		RAFT_MSG_PREVOTE_REPLY, /* a refusal carries the voter's term */
	};
	static const enum raft_role roles[] = {RAFT_FOLLOWER, RAFT_CANDIDATE,
					       RAFT_LEADER};
	struct testnet net;
	size_t t, r;

	for (r = 0; r < 3; r++) {
		for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			struct raft_state *s = node_in_role(&net, roles[r]);
			struct raft_message m;

			REQUIRE(s->role == roles[r]);
			REQUIRE(s->current_term == 2);
			REQUIRE(s->voted_for != RAFT_NONE);
			m = testnet_msg(types[t], 2, 0, 9);
			/* A candidate asking for a vote gets it only after the
			 * vote was cleared; the grant must name it, not us. */
			raft_step(s, &m);
			CHECK_EQ(s->current_term, 9);
			CHECK_EQ(s->role, RAFT_FOLLOWER);
			if (types[t] == RAFT_MSG_REQUEST_VOTE)
				CHECK_EQ(s->voted_for, 2);
			else
				CHECK_EQ(s->voted_for, RAFT_NONE);
		}
	}
}

static void higher_term_emits_term_before_role(void)
{
	struct testnet net;
	struct raft_state *s = node_in_role(&net, RAFT_LEADER);
	struct raft_message m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 1, 0,
					    5);
	int first = net.event_len;

	raft_step(s, &m);
	REQUIRE(net.event_len >= first + 3);
	CHECK_EQ(net.events[first].type, RAFT_EV_SAW_TERM);
	CHECK_EQ(net.events[first + 1].type, RAFT_EV_TERM);
	CHECK_EQ(net.events[first + 1].term, 5);
	CHECK_EQ(net.events[first + 2].type, RAFT_EV_ROLE);
	CHECK_EQ(net.events[first + 2].role, RAFT_FOLLOWER);
	CHECK_EQ(s->stats.stepdowns, 1);
}

static void lower_term_append_entries_is_rejected(void)
{
	struct testnet net;
	struct raft_state *s = node_in_role(&net, RAFT_FOLLOWER);
	struct append_entries_msg ae = {.term = 1, .leader_id = 2};
	struct append_entries_reply reply;
	unsigned elapsed;

	raft_tick(s);
	elapsed = s->election_elapsed;
	reply = append_entries_handle(s, &ae);
	CHECK_EQ(reply.success, 0);
	CHECK_EQ(reply.term, 2);
	CHECK_EQ(s->leader_id, 1); /* still the real leader of term 2 */
	CHECK_EQ(s->election_elapsed, elapsed); /* no reset */
	CHECK_EQ(s->current_term, 2);
}

static void lower_term_request_vote_is_refused(void)
{
	struct testnet net;
	struct raft_state *s;
	struct request_vote_msg rv = {2, 2, 0, 0};
	struct request_vote_reply reply;
	struct raft_message m;

	testnet_init(&net, 3, 3, NULL);
	s = &net.nodes[0];
	/* A follower at term 3 with its vote still free. */
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES_REPLY, 1, 0, 3);
	raft_step(s, &m);
	REQUIRE(s->current_term == 3);
	REQUIRE(s->voted_for == RAFT_NONE);
	reply = raft_request_vote_handle(s, &rv);
	CHECK_EQ(reply.vote_granted, 0);
	CHECK_EQ(reply.term, 3);
	CHECK_EQ(s->voted_for, RAFT_NONE);
	CHECK_EQ(s->stats.stale_rejected, 1);
}

static void stale_replies_are_ignored(void)
{
	struct testnet net;
	struct raft_state *s = node_in_role(&net, RAFT_CANDIDATE);
	struct raft_message grant = testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY, 1,
						0, 1);

	grant.u.rv_reply.vote_granted = 1;
	raft_step(s, &grant); /* a vote from term 1, we are at 2 */
	CHECK_EQ(s->role, RAFT_CANDIDATE);
	CHECK_EQ(s->granted_count, 1);
	CHECK_EQ(net.outbox_len, 0);
}

static void messages_from_non_peers_are_dropped(void)
{
	struct testnet net;
	struct raft_state *s;
	struct raft_message m;

	testnet_init(&net, 3, 3, NULL);
	s = &net.nodes[0];
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 7, 0, 9);
	raft_step(s, &m);
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, -1, 0, 9);
	raft_step(s, &m);
	CHECK_EQ(s->current_term, 0);
	CHECK_EQ(net.outbox_len, 0);
}

const struct test_case term_tests[] = {
	{"§5.1: every node starts as a follower at term 0",
	 starts_as_follower_at_term_0},
	{"§5.1: a message or reply with a higher term makes any role adopt it, "
	 "clear its vote and become a follower",
	 higher_term_makes_any_role_a_follower},
	{"§5.1: when one step changes term and role, the term event comes first",
	 higher_term_emits_term_before_role},
	{"§5.1: an AppendEntries with a lower term is rejected with success=0 "
	 "and the receiver's term",
	 lower_term_append_entries_is_rejected},
	{"§5.1: a RequestVote with a lower term is refused",
	 lower_term_request_vote_is_refused},
	{"§5.1: a reply from an older term is ignored",
	 stale_replies_are_ignored},
	{"robustness: a message from a node outside the cluster changes nothing",
	 messages_from_non_peers_are_dropped},
	{NULL, NULL},
};

/* test_log_leader.c - the leader's side of replication: the no-op, commit
 * by counting (§5.4.2, Figure 8), the election restriction (§5.4.1) and
 * flow control (etcd's Progress). */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

static void new_leader_appends_a_noop_of_its_term(void)
{
	struct testnet net;
	int i;

	testnet_init(&net, 3, 10, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(net.nodes[i].last_log_index, 1);
		CHECK_EQ(testnet_term_at(&net, i, 1),
			 net.nodes[0].current_term);
	}
	CHECK_EQ(net.nodes[0].commit_index, 1);
	CHECK_EQ(net.nodes[0].last_applied, 1);
	/* One heartbeat round per interval, even with a log. */
	CHECK_EQ(testnet_events(&net, RAFT_EV_HEARTBEAT_ROUND, 0), 1);
	testnet_free(&net);
}

static void single_node_commits_a_proposal_at_once(void)
{
	struct testnet net;

	testnet_init(&net, 1, 11, NULL);
	testnet_attach(&net);
	raft_start_election(&net.nodes[0]);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	CHECK_EQ(testnet_propose(&net, 0, 3, 16), RAFT_OK);
	CHECK_EQ(net.nodes[0].commit_index, 4); /* no-op + 3 */
	CHECK_EQ(net.nodes[0].last_applied, 4);
	CHECK_EQ(testnet_events(&net, RAFT_EV_PROPOSE, 0), 1);
	CHECK_EQ(net.nodes[0].stats.entries_proposed, 3);
	testnet_free(&net);
}

static void proposal_to_a_follower_is_refused(void)
{
	struct testnet net;

	testnet_init(&net, 3, 12, NULL);
	CHECK_EQ(testnet_propose(&net, 1, 1, 8), RAFT_ENOLOG);
	testnet_attach(&net);
	CHECK_EQ(testnet_propose(&net, 1, 1, 8), RAFT_ENOTLEADER);
	CHECK_EQ(net.nodes[1].last_log_index, 0);
	testnet_free(&net);
}

/* Applies exactly once, in order: every node's apply events cover 1..last
 * without a gap or a repeat, and the digests agree. */
static void applies_each_entry_once_in_order(void)
{
	struct testnet net;
	uint64_t next[3] = {1, 1, 1};
	int round;
	int i;

	testnet_init(&net, 3, 13, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	for (round = 0; round < 10; round++) {
		CHECK_EQ(testnet_propose(&net, 0, 5, 12), RAFT_OK);
		testnet_settle(&net);
		testnet_tick(&net);
		testnet_tick(&net);
		testnet_tick(&net); /* a round tells the followers the commit */
		testnet_settle(&net);
	}
	for (i = 0; i < net.event_len; i++) {
		const struct raft_event *ev = &net.events[i];
		if (ev->type != RAFT_EV_APPLY)
			continue;
		CHECK_EQ(ev->index, next[ev->node]);
		next[ev->node] = ev->last_index + 1;
	}
	for (i = 0; i < 3; i++) {
		CHECK_EQ(net.nodes[i].last_applied, 51);
		CHECK_EQ(next[i], 52);
		CHECK_EQ(net.nodes[i].applied_digest,
			 net.nodes[0].applied_digest);
	}
	testnet_free(&net);
}

/* The paper's Figure 8, (c): S1 (id 0) leads term 4 with [1, 2] while S5
 * (id 4) holds [1, 3]. Entry 2 (term 2) reaches a majority before any entry
 * of term 4 does. */
static void figure8(struct testnet *net, unsigned mistakes)
{
	static const uint64_t s1[] = {1, 2};
	static const uint64_t s3[] = {1};
	static const uint64_t s5[] = {1, 3};
	int i;

	testnet_init(net, 5, 14, NULL);
	for (i = 0; i < 5; i++) {
		net->nodes[i].config.mistakes = mistakes;
		net->nodes[i].config.max_batch_bytes = 1; /* one entry each */
	}
	testnet_preload(net, 0, 3, s1, 2);
	testnet_preload(net, 1, 3, s1, 2);
	testnet_preload(net, 2, 3, s3, 1);
	testnet_preload(net, 3, 3, s3, 1);
	testnet_preload(net, 4, 3, s5, 2);
	testnet_attach(net);
	testnet_elect(net, 0);
	testnet_settle(net);
}

/* The first index node 0 committed. */
static uint64_t first_commit(const struct testnet *net)
{
	int i;

	for (i = 0; i < net->event_len; i++)
		if (net->events[i].type == RAFT_EV_COMMIT &&
		    net->events[i].node == 0)
			return net->events[i].index;
	return 0;
}

static void leader_never_commits_old_term_entry_by_counting(void)
{
	struct testnet net;

	figure8(&net, 0);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	REQUIRE(net.nodes[0].current_term == 4);
	/* It committed, but first entry 3 (its no-op, term 4), which carries
	 * entry 2 with it: never entry 2 on its own. */
	CHECK_EQ(first_commit(&net), 3);
	CHECK_EQ(net.nodes[0].commit_index, 3);
	testnet_free(&net);
}

static void commit_old_term_commits_by_counting(void)
{
	struct testnet net;

	figure8(&net, RAFT_MISTAKE_COMMIT_OLD_TERM);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	CHECK_EQ(first_commit(&net), 2); /* Figure 8's unsafe commit */
	testnet_free(&net);
}

static void election_restriction(unsigned mistakes, int *granted)
{
	static const uint64_t longer[] = {1, 2};
	static const uint64_t shorter[] = {1};
	struct testnet net;
	struct request_vote_msg rv = {3, 2, 1, 1};
	struct request_vote_reply reply;
	int i;

	testnet_init(&net, 3, 15, NULL);
	for (i = 0; i < 3; i++)
		net.nodes[i].config.mistakes = mistakes;
	testnet_preload(&net, 0, 2, longer, 2);
	testnet_preload(&net, 2, 2, shorter, 1);
	testnet_attach(&net);
	CHECK_EQ(net.nodes[0].last_log_index, 2); /* from the storage */
	CHECK_EQ(net.nodes[0].last_log_term, 2);
	reply = raft_request_vote_handle(&net.nodes[0], &rv);
	*granted = reply.vote_granted;
	testnet_free(&net);
}

static void voter_refuses_candidate_with_older_log(void)
{
	int granted = -1;

	election_restriction(0, &granted);
	CHECK_EQ(granted, 0);
	election_restriction(RAFT_MISTAKE_VOTE_ANY_LOG, &granted);
	CHECK_EQ(granted, 1); /* the mistake skips §5.4.1 */
}

static void probe_then_replicate_within_inflight_limits(void)
{
	struct testnet net;
	struct raft_state *l;
	int i;

	testnet_init(&net, 2, 16, NULL);
	net.nodes[0].config.max_batch_bytes = 1; /* one entry a message */
	net.nodes[0].config.max_inflight_msgs = 3;
	testnet_attach(&net);
	raft_start_election(&net.nodes[0]);
	testnet_deliver(&net, 2); /* the vote request and its grant */
	l = &net.nodes[0];
	REQUIRE(l->role == RAFT_LEADER);
	CHECK_EQ(l->progress[1].state, RAFT_PROGRESS_PROBE);
	/* A probe is one message; more proposals wait for its reply. */
	CHECK_EQ(testnet_propose(&net, 0, 10, 8), RAFT_OK);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0), 1);
	testnet_deliver(&net, 2); /* probe and its reply */
	CHECK_EQ(l->progress[1].state, RAFT_PROGRESS_REPLICATE);
	CHECK_EQ(l->progress[1].match_index, 1);
	/* Replicate: 3 messages in flight, no more. */
	CHECK_EQ(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0), 3);
	CHECK_EQ(l->progress[1].inflight_msgs, 3);
	CHECK_EQ(l->progress[1].next_index, 5);
	testnet_settle(&net);
	CHECK_EQ(l->progress[1].match_index, 11);
	CHECK_EQ(l->commit_index, 11);
	/* The byte limit: 2 entries of 8 + 24 bytes stop the pipeline. */
	l->config.max_inflight_msgs = 100;
	l->config.max_inflight_bytes = 2 * (8 + RAFT_ENTRY_OVERHEAD);
	testnet_clear(&net);
	CHECK_EQ(testnet_propose(&net, 0, 10, 8), RAFT_OK);
	CHECK_EQ(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0), 2);
	for (i = 0; i < net.outbox_len; i++)
		CHECK_EQ(net.outbox[i].u.ae.entries_count, 1);
	testnet_free(&net);
}

static void lost_message_recovers_at_heartbeat_round(void)
{
	struct testnet net;
	struct raft_state *l;
	int t;

	testnet_init(&net, 2, 17, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	l = &net.nodes[0];
	REQUIRE(l->progress[1].state == RAFT_PROGRESS_REPLICATE);
	CHECK_EQ(testnet_propose(&net, 0, 4, 8), RAFT_OK);
	REQUIRE(net.outbox_len == 1);
	testnet_drop_at(&net, 0); /* lost */
	CHECK_EQ(l->progress[1].inflight_msgs, 1);
	/* A round or two may be a slow follower: nothing is resent. */
	for (t = 0; t < 2 * 3; t++) {
		raft_tick(l);
		testnet_settle(&net);
	}
	CHECK_EQ(l->progress[1].match_index, 1);
	/* Silent for election_min (10 ticks): it is resent. */
	for (t = 0; t < 2 * 3; t++) {
		raft_tick(l);
		testnet_settle(&net);
	}
	CHECK_EQ(l->progress[1].match_index, 5);
	CHECK_EQ(net.nodes[1].last_log_index, 5);
	CHECK_EQ(l->commit_index, 5);
	testnet_free(&net);
}

/* A follower that holds 30 entries of 3 old terms, none the leader's: the
 * hint skips a term per round trip, not an entry. */
static void conflict_hint_finds_match_in_terms_not_entries(void)
{
	uint64_t leader_log[31];
	uint64_t stale[30];
	struct testnet net;
	int refusals;
	int i;

	for (i = 0; i < 31; i++)
		leader_log[i] = i < 1 ? 1 : 5; /* [1, 5 x 30] */
	for (i = 0; i < 30; i++)
		stale[i] = i < 1 ? 1 : (uint64_t)(2 + (i - 1) / 10); /* 2,3,4 */
	testnet_init(&net, 2, 18, NULL);
	testnet_preload(&net, 0, 5, leader_log, 31);
	testnet_preload(&net, 1, 5, stale, 30);
	testnet_attach(&net);
	net.nodes[1].config.election_min = 1000; /* stays a follower */
	net.nodes[1].config.election_max = 1000;
	testnet_elect(&net, 0);
	testnet_settle(&net);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	refusals = (int)net.nodes[1].stats.append_refused;
	CHECK(refusals <= 4); /* one per term, not 29 */
	CHECK_EQ(net.nodes[1].last_log_index, 32);
	CHECK_EQ(testnet_term_at(&net, 1, 2), 5);
	CHECK_EQ(net.nodes[0].commit_index, 32);
	testnet_free(&net);
}

const struct test_case log_leader_tests[] = {
	{"thesis §6.4: a new leader appends a no-op of its term, replicates "
	 "and commits it",
	 new_leader_appends_a_noop_of_its_term},
	{"§5.3: a single-node leader commits and applies a proposal at once",
	 single_node_commits_a_proposal_at_once},
	{"§5.3: a proposal needs a log and a leader",
	 proposal_to_a_follower_is_refused},
	{"Figure 2: every node applies each committed entry exactly once, in "
	 "order, to the same digest",
	 applies_each_entry_once_in_order},
	{"§5.4.2, Figure 8: a leader never commits an older term's entry by "
	 "counting replicas",
	 leader_never_commits_old_term_entry_by_counting},
	{"mistake commit-old-term: the leader commits Figure 8's old entry by "
	 "counting",
	 commit_old_term_commits_by_counting},
	{"§5.4.1: a voter refuses a candidate whose log is less up to date "
	 "(vote-any-log grants it)",
	 voter_refuses_candidate_with_older_log},
	{"flow control: a peer is probed, then replicated to within the "
	 "inflight message and byte limits",
	 probe_then_replicate_within_inflight_limits},
	{"flow control: a lost last AppendEntries is resent once nothing was "
	 "acknowledged for election_min ticks, not after one round",
	 lost_message_recovers_at_heartbeat_round},
	{"thesis §5.3: the conflict hint finds the match in one round trip per "
	 "term",
	 conflict_hint_finds_match_in_terms_not_entries},
	{NULL, NULL},
};

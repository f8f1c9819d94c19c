/* heartbeat_test.c - the lesson's steps 7 and 8 (w12-l02 "Heartbeats").
 *
 * Three nodes; node-0 is elected with the L01 logic (raft_start_election and
 * RequestVote); then 10 ticks, each calling raft_tick on all three nodes.
 * The lesson's expected output shows a heartbeat on every tick, so this test
 * uses a heartbeat interval of 1 tick (raftsim's default is 3).
 *
 * Every printed line is backed by a check; on a failed check the test says
 * why on stderr and exits 1 before printing anything it cannot stand behind.
 */
#include <stdio.h>
#include <stdlib.h>

#include "raft.h"
#include "testnet.h"

#define NODES 3
#define TICKS 10

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "heartbeat_test: FAIL (%s)\n", what);
		exit(1);
	}
}

static void every_tick(struct raft_config *cfg)
{
	cfg->heartbeat_interval = 1;
}

int main(void)
{
	struct testnet net;
	uint64_t resets_before[NODES];
	int tick;
	int i;

	testnet_init(&net, NODES, 2026, every_tick);
	testnet_elect(&net, 0);
	expect(net.nodes[0].role == RAFT_LEADER, "node-0 is leader");
	expect(net.nodes[0].current_term == 1, "node-0 leads term 1");
	for (i = 1; i < NODES; i++) {
		expect(net.nodes[i].role == RAFT_FOLLOWER, "others follow");
		expect(net.nodes[i].leader_id == 0, "others know node-0");
		resets_before[i] = net.nodes[i].stats.timeout_resets;
	}
	printf("node-%d: leader for term=%llu, sending heartbeats\n", 0,
	       (unsigned long long)net.nodes[0].current_term);

	for (tick = 1; tick <= TICKS; tick++) {
		int heartbeats;

		testnet_tick(&net);
		heartbeats = testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0);
		expect(heartbeats == NODES - 1, "one heartbeat per follower");
		expect(testnet_count(&net, RAFT_MSG_REQUEST_VOTE, RAFT_NONE) ==
			       0,
		       "no RequestVote: nobody started an election");
		for (i = 0; i < net.outbox_len; i++)
			expect(net.outbox[i].u.ae.entries_count == 0 &&
				       net.outbox[i].u.ae.term == 1,
			       "heartbeats are empty and carry term 1");
		testnet_deliver(&net, 100);
		for (i = 1; i < NODES; i++)
			expect(net.nodes[i].election_elapsed == 0,
			       "each heartbeat reset the follower's timer");
		printf("tick %d: heartbeat sent to %d followers\n", tick,
		       heartbeats);
	}

	for (i = 1; i < NODES; i++) {
		uint64_t resets = net.nodes[i].stats.timeout_resets -
				  resets_before[i];

		expect(net.nodes[i].role == RAFT_FOLLOWER, "still follower");
		expect(net.nodes[i].current_term == 1, "term unchanged");
		expect(net.nodes[i].stats.elections_started == 0,
		       "no spurious election");
		expect(resets == TICKS, "timeout reset once per heartbeat");
		printf("node-%d: still follower, timeout reset %llu times\n", i,
		       (unsigned long long)resets);
	}
	expect(net.nodes[0].role == RAFT_LEADER &&
		       net.nodes[0].current_term == 1,
	       "node-0 still leads term 1");
	printf("heartbeat_test: PASS (no spurious elections in %d ticks)\n",
	       TICKS);
	return 0;
}

/* test_log_durable.c - a storage that writes behind (include/raft_log.h,
 * durable_index): the leader counts itself towards a majority only up to
 * what its disk holds, and may send entries before writing them (Raft
 * thesis §10.2.1). The drivers' side (holding acknowledgements until the
 * sync) is tested in tests/sim/test_sim_disk.c. */
#include "testhelp.h"
#include "testnet.h"

/* One node's disk, as the test moves it on. */
static uint64_t disk_at;

static uint64_t fake_durable(void *ctx)
{
	(void)ctx;
	return disk_at;
}

static void writes_behind(struct raft_state *s)
{
	s->storage.durable_index = fake_durable;
}

static void single_leader_commits_only_what_its_disk_holds(void)
{
	struct testnet net;

	testnet_init(&net, 1, 31, NULL);
	testnet_attach(&net);
	disk_at = 0;
	writes_behind(&net.nodes[0]);
	raft_start_election(&net.nodes[0]);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	CHECK_EQ(net.nodes[0].last_log_index, 1); /* its no-op */
	CHECK_EQ(net.nodes[0].commit_index, 0);
	CHECK_EQ(testnet_propose(&net, 0, 3, 16), RAFT_OK);
	CHECK_EQ(net.nodes[0].commit_index, 0);
	disk_at = 2;
	raft_storage_synced(&net.nodes[0]);
	CHECK_EQ(net.nodes[0].commit_index, 2);
	CHECK_EQ(net.nodes[0].last_applied, 2);
	disk_at = 4;
	raft_storage_synced(&net.nodes[0]);
	CHECK_EQ(net.nodes[0].commit_index, 4);
	testnet_free(&net);
}

static void leader_sends_before_its_write_and_counts_followers(void)
{
	struct testnet net;

	testnet_init(&net, 3, 32, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	REQUIRE(net.nodes[0].commit_index == 1);
	disk_at = 1;
	writes_behind(&net.nodes[0]);
	CHECK_EQ(testnet_propose(&net, 0, 2, 16), RAFT_OK);
	/* The entries left at once, though its own disk has none of them. */
	CHECK(testnet_count(&net, RAFT_MSG_APPEND_ENTRIES, 0) >= 2);
	/* Both followers acknowledge: a majority without the leader. */
	testnet_settle(&net);
	CHECK_EQ(net.nodes[0].commit_index, 3);
	testnet_free(&net);
}

static void leader_and_one_follower_wait_for_the_leaders_disk(void)
{
	struct testnet net;

	testnet_init(&net, 3, 33, NULL);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	REQUIRE(net.nodes[0].role == RAFT_LEADER);
	disk_at = 1;
	writes_behind(&net.nodes[0]);
	net.cut[2] = 1;
	CHECK_EQ(testnet_propose(&net, 0, 2, 16), RAFT_OK);
	testnet_settle(&net);
	CHECK_EQ(net.nodes[1].last_log_index, 3);
	/* Node 1's acknowledgement and the leader's unwritten copy are not
	 * a majority of durable copies. */
	CHECK_EQ(net.nodes[0].commit_index, 1);
	disk_at = 3;
	raft_storage_synced(&net.nodes[0]);
	CHECK_EQ(net.nodes[0].commit_index, 3);
	testnet_free(&net);
}

const struct test_case log_durable_tests[] = {
	{"§10.2.1: a leader alone commits only what its disk holds, and "
	 "commits the rest when the driver says its sync is done",
	 single_leader_commits_only_what_its_disk_holds},
	{"§10.2.1: a leader sends entries before writing them, and commits "
	 "on a majority of followers' acknowledgements without its own disk",
	 leader_sends_before_its_write_and_counts_followers},
	{"§10.2.1: a leader counts its own copy only once its disk holds it "
	 "(leader + one follower of three commit after the leader's sync)",
	 leader_and_one_follower_wait_for_the_leaders_disk},
	{NULL, NULL},
};

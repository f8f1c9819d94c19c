/* test_log_snapshot.c - §7: snapshots, compaction, InstallSnapshot in
 * chunks, and a restart from the storage. */
#include "testhelp.h"
#include "testnet.h"

static void settle(struct testnet *net)
{
	while (testnet_deliver(net, 100000) > 0)
		;
}

static void every_five(struct raft_config *cfg)
{
	cfg->snapshot_entries = 5;
	cfg->snapshot_chunk_bytes = 1; /* every byte its own chunk */
}

/* Proposes `rounds` x 4 entries to leader 0 and lets a heartbeat round
 * carry the commit index to the followers. */
static void load(struct testnet *net, int rounds)
{
	int r;
	int t;

	for (r = 0; r < rounds; r++) {
		testnet_propose(net, 0, 4, 10);
		settle(net);
		for (t = 0; t < 3; t++) {
			raft_tick(&net->nodes[0]);
			settle(net);
		}
	}
}

static void snapshot_taken_and_log_compacted(void)
{
	struct testnet net;
	struct raft_state *l;

	testnet_init(&net, 3, 30, every_five);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	settle(&net);
	load(&net, 3); /* 13 entries with the no-op */
	l = &net.nodes[0];
	CHECK_EQ(l->commit_index, 13);
	CHECK(l->snapshot_index >= 5);
	CHECK(l->stats.snapshots_taken >= 1);
	CHECK_EQ(testnet_term_at(&net, 0, 1), 0); /* compacted away */
	CHECK_EQ(testnet_term_at(&net, 0, l->snapshot_index), l->current_term);
	CHECK(testnet_events(&net, RAFT_EV_SNAPSHOT, 0) >= 1);
	testnet_free(&net);
}

static void lagging_follower_gets_snapshot_in_one_byte_chunks(void)
{
	struct testnet net;
	struct raft_state *l;
	struct raft_state *f;

	testnet_init(&net, 3, 31, every_five);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	settle(&net);
	net.cut[2] = 1;
	load(&net, 4); /* 17 entries; node 2 misses them all */
	l = &net.nodes[0];
	REQUIRE(l->snapshot_index > 1);
	net.cut[2] = 0;
	load(&net, 1);
	f = &net.nodes[2];
	CHECK_EQ(f->stats.snapshots_installed, 1);
	CHECK_EQ(l->stats.snapshot_chunks_sent >= DIGEST_FSM_SNAPSHOT_BYTES, 1);
	CHECK_EQ(f->last_log_index, l->last_log_index);
	CHECK_EQ(f->commit_index, l->commit_index);
	CHECK_EQ(f->last_applied, l->last_applied);
	CHECK_EQ(f->applied_digest, l->applied_digest);
	CHECK_EQ(l->progress[2].state, RAFT_PROGRESS_REPLICATE);
	testnet_free(&net);
}

static void installed_snapshot_keeps_matching_suffix(void)
{
	static const uint64_t held[] = {1, 1, 1, 1, 1, 1, 1};
	struct testnet net;
	struct raft_message m;
	struct raft_state *f;
	uint8_t snap[DIGEST_FSM_SNAPSHOT_BYTES] = {0};

	testnet_init(&net, 3, 32, NULL);
	testnet_preload(&net, 1, 1, held, 7);
	testnet_attach(&net);
	f = &net.nodes[1];
	/* A snapshot of (5, 1) in one chunk: entries 6 and 7 match. */
	m = testnet_msg(RAFT_MSG_INSTALL_SNAPSHOT, 0, 1, 1);
	m.u.snap.term = 1;
	m.u.snap.leader_id = 0;
	m.u.snap.last_index = 5;
	m.u.snap.last_term = 1;
	m.u.snap.total = sizeof(snap);
	m.u.snap.offset = 0;
	m.u.snap.data = snap;
	m.u.snap.len = sizeof(snap);
	raft_step(f, &m);
	CHECK_EQ(f->snapshot_index, 5);
	CHECK_EQ(f->commit_index, 5);
	CHECK_EQ(f->last_applied, 5);
	CHECK_EQ(f->last_log_index, 7);
	CHECK_EQ(testnet_term_at(&net, 1, 7), 1);
	CHECK_EQ(f->leader_id, 0);
	REQUIRE(net.outbox_len == 1);
	CHECK_EQ(net.outbox[0].type, RAFT_MSG_INSTALL_SNAPSHOT_REPLY);
	CHECK_EQ(net.outbox[0].u.snap_reply.next_offset, sizeof(snap));
	testnet_free(&net);
}

static void restart_restores_fsm_from_snapshot(void)
{
	struct testnet net;
	struct raft_state *f;
	uint64_t digest_at_snapshot = 0;
	uint64_t snap_index;
	int i;

	testnet_init(&net, 3, 33, every_five);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	settle(&net);
	load(&net, 3);
	f = &net.nodes[1];
	snap_index = f->snapshot_index;
	REQUIRE(snap_index >= 5);
	for (i = 0; i < net.event_len; i++)
		if (net.events[i].type == RAFT_EV_APPLY &&
		    net.events[i].node == 1 &&
		    net.events[i].last_index == snap_index)
			digest_at_snapshot = net.events[i].digest;
	testnet_restart(&net, 1);
	CHECK_EQ(f->commit_index, snap_index);
	CHECK_EQ(f->last_applied, snap_index);
	CHECK_EQ(f->applied_digest, digest_at_snapshot);
	CHECK_EQ(f->last_log_index, net.nodes[0].last_log_index);
	/* The leader's next round brings it back to the same state. */
	load(&net, 1);
	CHECK_EQ(f->last_applied, net.nodes[0].last_applied);
	CHECK_EQ(f->applied_digest, net.nodes[0].applied_digest);
	testnet_free(&net);
}

const struct test_case log_snapshot_tests[] = {
	{"§7: a node snapshots every snapshot_entries applied entries and "
	 "compacts its log",
	 snapshot_taken_and_log_compacted},
	{"§7: a follower behind the compaction point gets InstallSnapshot in "
	 "1-byte chunks and catches up",
	 lagging_follower_gets_snapshot_in_one_byte_chunks},
	{"§7: a follower installing a snapshot keeps the suffix of its log "
	 "that matches it",
	 installed_snapshot_keeps_matching_suffix},
	{"§7: a restarted node restores its state machine from the stored "
	 "snapshot",
	 restart_restores_fsm_from_snapshot},
	{NULL, NULL},
};

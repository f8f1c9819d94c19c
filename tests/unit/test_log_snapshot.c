/* test_log_snapshot.c - §7: snapshots, compaction, InstallSnapshot in
 * chunks, and a restart from the storage. */
#include "testhelp.h"
#include "testnet.h"

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
		testnet_settle(net);
		for (t = 0; t < 3; t++) {
			raft_tick(&net->nodes[0]);
			testnet_settle(net);
		}
	}
}

/* Delivers, in order, the messages of a type to or from a node. */
static void deliver_matching(struct testnet *net, enum raft_msg_type to_type,
			     enum raft_msg_type from_type, int node)
{
	int i;

	for (;;) {
		for (i = 0; i < net->outbox_len; i++)
			if ((net->outbox[i].to == node &&
			     net->outbox[i].type == to_type) ||
			    (net->outbox[i].from == node &&
			     net->outbox[i].type == from_type))
				break;
		if (i == net->outbox_len)
			return;
		testnet_deliver_at(net, i);
	}
}

/* Node 2 misses 33 entries and an election timeout: the leader sends it
 * a snapshot at its next round. */
static struct raft_state *behind_by_a_snapshot(struct testnet *net,
					       uint64_t seed)
{
	int t;

	testnet_init(net, 3, seed, every_five);
	testnet_attach(net);
	testnet_elect(net, 0);
	testnet_settle(net);
	net->cut[2] = 1;
	load(net, 8);
	net->cut[2] = 0;
	for (t = 0; t < 3; t++)
		raft_tick(&net->nodes[0]);
	return &net->nodes[0];
}

/* The hashicorp/Consul loop: after the transfer, the leader commits more
 * and snapshots again before the follower's first probe is answered; it
 * must not compact past what the follower now holds. */
static void installed_follower_goes_back_to_entries(void)
{
	struct testnet net;
	struct raft_state *l;
	int cycle;

	l = behind_by_a_snapshot(&net, 31);
	REQUIRE(l->progress[2].state == RAFT_PROGRESS_SNAPSHOT);
	for (cycle = 0; cycle < 5; cycle++) {
		deliver_matching(&net, RAFT_MSG_INSTALL_SNAPSHOT,
				 RAFT_MSG_INSTALL_SNAPSHOT_REPLY, 2);
		/* Meanwhile the leader commits 5 more with node 1. */
		testnet_propose(&net, 0, 5, 10);
		deliver_matching(&net, RAFT_MSG_APPEND_ENTRIES,
				 RAFT_MSG_APPEND_ENTRIES_REPLY, 1);
		deliver_matching(&net, RAFT_MSG_APPEND_ENTRIES,
				 RAFT_MSG_APPEND_ENTRIES_REPLY, 2);
	}
	CHECK_EQ(net.nodes[2].stats.snapshots_installed, 1);
	CHECK_EQ(l->progress[2].state, RAFT_PROGRESS_REPLICATE);
	CHECK_EQ(net.nodes[2].last_log_index, l->last_log_index);
	CHECK(l->stats.snapshots_taken >= 6);
	testnet_free(&net);
}

/* One duplicated InstallSnapshot reply, and heartbeat rounds mid-way,
 * leave one chunk in flight. */
static void one_chunk_in_flight_despite_duplicates(void)
{
	struct testnet net;
	struct raft_message copy;
	struct raft_state *l;
	int dup_done = 0;
	int max_inflight = 0;
	int rounds = 0;
	int steps = 0;
	int c;
	int t;

	l = behind_by_a_snapshot(&net, 31);
	deliver_matching(&net, RAFT_MSG_APPEND_ENTRIES,
			 RAFT_MSG_APPEND_ENTRIES_REPLY, 1);
	REQUIRE(l->progress[2].state == RAFT_PROGRESS_SNAPSHOT);
	while (net.outbox_len > 0 && steps < 1000) {
		c = testnet_count_to(&net, RAFT_MSG_INSTALL_SNAPSHOT, 2);
		if (c > max_inflight)
			max_inflight = c;
		if (!dup_done &&
		    net.outbox[0].type == RAFT_MSG_INSTALL_SNAPSHOT_REPLY) {
			copy = net.outbox[0];
			raft_step(l, &copy); /* the network duplicated it */
			dup_done = 1;
		}
		testnet_deliver_at(&net, 0);
		steps++;
		if (steps % 8 == 0 && rounds < 2 &&
		    l->progress[2].state == RAFT_PROGRESS_SNAPSHOT) {
			for (t = 0; t < 3; t++)
				raft_tick(l); /* a heartbeat round mid-way */
			rounds++;
		}
	}
	CHECK_EQ(max_inflight, 1);
	CHECK(l->stats.snapshot_chunks_sent <= DIGEST_FSM_SNAPSHOT_BYTES + 2);
	CHECK_EQ(net.nodes[2].stats.snapshots_installed, 1);
	testnet_free(&net);
}

static void every_one(struct raft_config *cfg)
{
	cfg->snapshot_entries = 1; /* keeps at most 4 entries for a peer */
}

/* Node 2's entries are on their way when the leader compacts past its
 * match (it keeps at most 4 snapshot intervals for it). */
static void round_sends_no_snapshot_to_entries_in_flight(void)
{
	struct testnet net;
	struct raft_state *l;
	int t;

	testnet_init(&net, 3, 33, every_one);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
	l = &net.nodes[0];
	REQUIRE(l->progress[2].state == RAFT_PROGRESS_REPLICATE);
	testnet_propose(&net, 0, 10, 10);
	deliver_matching(&net, RAFT_MSG_APPEND_ENTRIES,
			 RAFT_MSG_APPEND_ENTRIES_REPLY, 1);
	REQUIRE(l->commit_index == 11);
	REQUIRE(l->progress[2].match_index + 1 <
		l->storage.first_index(l->storage.ctx));
	REQUIRE(l->progress[2].next_index == 12);
	for (t = 0; t < 3; t++)
		raft_tick(l);
	CHECK_EQ(testnet_count_to(&net, RAFT_MSG_INSTALL_SNAPSHOT, 2), 0);
	CHECK_EQ(l->progress[2].state, RAFT_PROGRESS_REPLICATE);
	testnet_settle(&net);
	CHECK_EQ(net.nodes[2].last_log_index, 11);
	CHECK_EQ(net.nodes[2].commit_index, 1); /* the heartbeat had prev 0 */
	for (t = 0; t < 3; t++)
		raft_tick(l); /* now with prev = its match, 11 */
	testnet_settle(&net);
	CHECK_EQ(net.nodes[2].stats.snapshots_installed, 0);
	CHECK_EQ(net.nodes[2].commit_index, 11);
	CHECK_EQ(net.nodes[2].applied_digest, l->applied_digest);
	testnet_free(&net);
}

/* Leader 0 of term 1 sends node 1 a snapshot of (5, 1) in one chunk. */
static struct raft_message whole_snapshot_msg(const uint8_t *snap, uint32_t len)
{
	struct raft_message m = testnet_msg(RAFT_MSG_INSTALL_SNAPSHOT, 0, 1, 1);

	m.u.snap.term = 1;
	m.u.snap.leader_id = 0;
	m.u.snap.last_index = 5;
	m.u.snap.last_term = 1;
	m.u.snap.total = len;
	m.u.snap.offset = 0;
	m.u.snap.data = snap;
	m.u.snap.len = len;
	return m;
}

/* A snapshot the state machine refuses: nothing changes, the log is not
 * compacted, the node keeps working. */
static void snapshot_that_does_not_restore_changes_nothing(void)
{
	static const uint64_t held[] = {1, 1, 1, 1, 1, 1, 1};
	struct testnet net;
	struct raft_message m;
	struct raft_state *f;
	uint8_t snap[3] = {0}; /* not 16 bytes: digest_fsm refuses it */
	const uint8_t *data;
	uint64_t index;
	uint64_t term;
	size_t len;

	testnet_init(&net, 3, 32, NULL);
	testnet_preload(&net, 1, 1, held, 7);
	testnet_attach(&net);
	f = &net.nodes[1];
	m = whole_snapshot_msg(snap, sizeof(snap));
	raft_step(f, &m);
	REQUIRE(net.outbox_len == 1);
	CHECK_EQ(net.outbox[0].u.snap_reply.next_offset, -1);
	CHECK_EQ(f->snapshot_index, 0);
	CHECK_EQ(f->last_applied, 0);
	CHECK_EQ(f->storage.first_index(f->storage.ctx), 1);
	CHECK_EQ(f->last_log_index, 7);
	f->storage.snapshot_get(f->storage.ctx, &index, &term, &data, &len);
	CHECK_EQ(index, 0);
	/* The entries still commit and apply. */
	m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 0, 1, 1);
	m.u.ae.term = 1;
	m.u.ae.leader_id = 0;
	m.u.ae.prev_log_index = 7;
	m.u.ae.prev_log_term = 1;
	m.u.ae.leader_commit = 7;
	raft_step(f, &m);
	CHECK_EQ(f->last_applied, 7);
	testnet_free(&net);
}

static void snapshot_taken_and_log_compacted(void)
{
	struct testnet net;
	struct raft_state *l;

	testnet_init(&net, 3, 30, every_five);
	testnet_attach(&net);
	testnet_elect(&net, 0);
	testnet_settle(&net);
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
	testnet_settle(&net);
	net.cut[2] = 1;
	/* 33 entries; node 2 misses them all, and is silent for longer than
	 * an election timeout: the leader stops keeping entries for it. */
	load(&net, 8);
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
	m = whole_snapshot_msg(snap, sizeof(snap));
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
	testnet_settle(&net);
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

static void every_ten(struct raft_config *cfg)
{
	cfg->snapshot_entries = 10;
}

/* Leader 0 and node 1 at index 12 after a snapshot at 12; node 2 stopped
 * at 7, silent for longer than an election timeout meanwhile. */
static void five_behind_a_snapshot(struct testnet *net, uint64_t seed)
{
	int t;

	testnet_init(net, 3, seed, every_ten);
	testnet_attach(net);
	testnet_elect(net, 0);
	testnet_settle(net);
	testnet_propose(net, 0, 6, 10); /* 2..7 */
	testnet_settle(net);
	net->cut[2] = 1;
	for (t = 0; t < 25; t++) { /* node 2 is no longer recently active */
		raft_tick(&net->nodes[0]);
		testnet_settle(net);
	}
	testnet_propose(net, 0, 5, 10); /* 8..12 */
	testnet_settle(net);
	for (t = 0; t < 3; t++) { /* a round carries commit 12 to node 1 */
		raft_tick(&net->nodes[0]);
		testnet_settle(net);
	}
}

static void silent_follower_a_little_behind_gets_entries(void)
{
	struct testnet net;
	struct raft_state *l;
	int t;

	five_behind_a_snapshot(&net, 40);
	l = &net.nodes[0];
	REQUIRE(l->snapshot_index == 12 && net.nodes[2].last_log_index == 7);
	net.cut[2] = 0;
	for (t = 0; t < 30; t++) {
		raft_tick(l);
		testnet_settle(&net);
	}
	CHECK_EQ(l->stats.snapshots_sent, 0);
	CHECK_EQ(net.nodes[2].stats.snapshots_installed, 0);
	CHECK_EQ(net.nodes[2].last_log_index, 12);
	CHECK_EQ(net.nodes[2].last_applied, 12);
	CHECK_EQ(l->progress[2].state, RAFT_PROGRESS_REPLICATE);
	testnet_free(&net);
}

static void new_leader_keeps_entries_for_a_follower_behind(void)
{
	struct testnet net;
	struct raft_state *l;
	int t;

	five_behind_a_snapshot(&net, 41);
	REQUIRE(net.nodes[1].snapshot_index == 12);
	/* Node 0 is gone; node 1, whose log is longer, is elected by 2. */
	net.cut[0] = 1;
	net.cut[2] = 0;
	testnet_elect(&net, 1);
	testnet_settle(&net);
	l = &net.nodes[1];
	REQUIRE(l->role == RAFT_LEADER);
	for (t = 0; t < 30; t++) {
		raft_tick(l);
		testnet_settle(&net);
	}
	CHECK_EQ(l->stats.snapshots_sent, 0);
	CHECK_EQ(net.nodes[2].stats.snapshots_installed, 0);
	CHECK_EQ(net.nodes[2].last_log_index, l->last_log_index);
	CHECK_EQ(net.nodes[2].last_applied, l->last_applied);
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
	{"§7: a follower that has installed a snapshot goes back to entries, "
	 "not to another snapshot, while the leader keeps snapshotting",
	 installed_follower_goes_back_to_entries},
	{"§7: a duplicated InstallSnapshot reply or a heartbeat round "
	 "mid-transfer leaves one chunk in flight",
	 one_chunk_in_flight_despite_duplicates},
	{"§7: a heartbeat round sends no snapshot to a follower whose entries "
	 "are on their way",
	 round_sends_no_snapshot_to_entries_in_flight},
	{"§7: a snapshot that does not restore changes neither the log nor "
	 "the stored snapshot",
	 snapshot_that_does_not_restore_changes_nothing},
	{"§7: a leader keeps snapshot_entries entries behind its snapshot, so "
	 "a follower a little behind and silent for an election timeout gets "
	 "entries, not a snapshot",
	 silent_follower_a_little_behind_gets_entries},
	{"§7: a follower keeps snapshot_entries entries behind its snapshot, "
	 "so as a new leader it sends entries, not a snapshot, to a follower "
	 "a little behind",
	 new_leader_keeps_entries_for_a_follower_behind},
	{NULL, NULL},
};

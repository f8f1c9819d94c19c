/* test_checker_log.c - the log's safety rules (Figure 3) and the
 * proposals' liveness, over hand-made event streams: each rule has a
 * stream correct Raft could produce, which passes, and a broken one, which
 * fails with the rule's name. */
#include "check/checker_internal.h"
#include "checkfeed.h"
#include "testhelp.h"

/* Leader of term t gets first..last proposed, all of n nodes append,
 * commit and apply them (with a heartbeat round, as the core sends). */
static void replicate(int64_t us, int leader, uint64_t t, uint64_t first,
		      uint64_t last, int n)
{
	int i;

	log_event(WEV_PROPOSE, us, leader, t, first, last, t);
	append(us, leader, t, first, last, t);
	feed(WEV_ROUND, us, leader, t, RAFT_NONE);
	for (i = 0; i < n; i++)
		if (i != leader)
			append(us, i, t, first, last, t);
	for (i = 0; i < n; i++) {
		commit(us, (leader + i) % n, t, last);
		apply(us, (leader + i) % n, t, first, last, t);
	}
}

static void replication_in_step_passes(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 1, 3); /* the no-op */
	replicate(MS(30), 0, 1, 2, 10, 3);
	lead_but(MS(30), MS(200), 0, 1, 1);
	elect(MS(200), 1, 2, 3);
	replicate(MS(210), 1, 2, 11, 11, 3);
	replicate(MS(220), 1, 2, 12, 40, 3);
	checker_finish(ck, MS(300));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

/* Node 1 got entries 1..3 of term 1, and then entries of term 2 at 4
 * although term 2's leader appended its first at 5. */
static void term_starting_elsewhere_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 4, 1);
	append(MS(10), 1, 1, 1, 3, 1);
	lead_but(MS(10), MS(200), 0, 1, 2);
	elect(MS(200), 2, 2, 3);
	append(MS(200), 2, 2, 1, 4, 1);
	append(MS(200), 2, 2, 5, 5, 2);
	append(MS(210), 1, 2, 4, 4, 2);
	CHECK(reported("log matching: node 1's entries of term 2 start at "
		       "index 4, node 2's at 5"));
}

/* no-truncate: an entry overwritten in place keeps an older term after a
 * newer one. */
static void terms_going_down_fail(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 1, 1, 1, 3, 1);
	append(MS(20), 1, 1, 4, 4, 3);
	append(MS(20), 1, 1, 5, 6, 1);
	CHECK(reported("log matching: node 1 appended term 1 at index 5 after "
		       "term 3"));
}

static void overwrite_without_truncate_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 1, 1, 1, 3, 1);
	append(MS(20), 1, 1, 2, 2, 1);
	CHECK(reported("log matching: node 1 appended index 2 over its log "
		       "ending at 3 without deleting it first"));
}

static void conflict_truncated_then_replaced_passes(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 3, 1);
	append(MS(10), 1, 1, 1, 3, 1);
	lead_but(MS(10), MS(200), 0, 1, 2);
	elect(MS(200), 2, 2, 3);
	append(MS(200), 2, 2, 1, 1, 1);
	append(MS(200), 2, 2, 2, 2, 2);
	truncate_from(MS(210), 1, 2, 2);
	append(MS(210), 1, 2, 2, 2, 2);
	commit(MS(210), 2, 2, 2);
	commit(MS(210), 1, 2, 2);
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

static void leader_truncating_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 3, 1);
	truncate_from(MS(20), 0, 1, 2);
	CHECK(reported("leader append-only: leader 0 of term 1 deleted its "
		       "entries from index 2"));
}

/* Entries 1..2 of term 1 are committed on nodes 0 and 1; node 2 holds
 * only entry 1. */
static void committed_two_of_three(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 2, 1);
	append(MS(10), 1, 1, 1, 2, 1);
	append(MS(10), 2, 1, 1, 1, 1);
	commit(MS(20), 0, 1, 2);
	lead_but(MS(10), MS(200), 0, 1, 2);
}

static void leader_missing_committed_entry_fails(void)
{
	committed_two_of_three();
	elect(MS(200), 2, 2, 3); /* vote-any-log: 2's log is behind */
	CHECK(reported("leader completeness: node 2 leads term 2 without "
		       "entry 2 of term 1, committed in term 1"));
}

static void leader_with_committed_entries_passes(void)
{
	committed_two_of_three();
	lead_but(MS(190), MS(400), 0, 1, 1);
	elect(MS(400), 1, 2, 3);
	checker_finish(ck, MS(400));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

static void late_commit_seen_after_election_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 2, 1);
	append(MS(10), 1, 1, 1, 2, 1);
	lead_but(MS(10), MS(200), 0, 1, 2);
	campaign(MS(200), 2, 2);
	feed(WEV_TERM, MS(200), 0, 2, RAFT_NONE);
	feed(WEV_ROLE, MS(200), 0, 2, RAFT_FOLLOWER);
	feed(WEV_VOTE, MS(200), 0, 2, 2);
	feed(WEV_ROLE, MS(200), 2, 2, RAFT_LEADER);
	commit(MS(200), 1, 1, 2); /* node 1 is still in term 1 */
	CHECK(reported("leader completeness: node 2 leads term 2 without "
		       "entry 2 of term 1, committed in term 1"));
}

static void different_states_at_one_index_fail(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 5, 3);
	apply(MS(30), 1, 1, 6, 6, 1); /* beyond commit as well */
	apply(MS(30), 2, 1, 6, 6, 2);
	CHECK(reported("state machine safety: at index 6 node 2 applied "
		       "term 2"));
}

static void commit_going_back_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 1, 1, 1, 5, 1);
	commit(MS(20), 1, 1, 4);
	commit(MS(30), 1, 1, 3);
	CHECK(reported("commit: node 1's commit index went back from 4 to 3"));
}

static void commit_beyond_log_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 1, 1, 1, 5, 1);
	commit(MS(20), 1, 1, 6);
	CHECK(reported("commit: node 1 committed index 6 beyond its last "
		       "entry 5"));
}

/* A restart starts commit and apply over from the snapshot; the log
 * stays. */
static void restart_applies_again_from_snapshot_passes(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 8, 3);
	snapshot(MS(20), 1, 1, 5, 1, RAFT_NONE);
	feed(WEV_CRASH, MS(30), 1, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(40), 1, 0, RAFT_NONE);
	log_event(WEV_COMMIT, MS(50), 1, 1, 8, 0, 0);
	apply(MS(50), 1, 1, 6, 8, 1);
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

static void truncating_committed_entry_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 1, 1, 1, 5, 1);
	commit(MS(20), 1, 1, 4);
	truncate_from(MS(30), 1, 1, 3);
	CHECK(reported("committed entry lost: node 1 deleted its entries "
		       "from index 3, at or below its commit index 4"));
}

static void apply_out_of_order_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 5, 3);
	append(MS(30), 1, 1, 6, 9, 1);
	commit(MS(30), 1, 1, 9);
	apply(MS(30), 1, 1, 7, 9, 1);
	CHECK(reported("apply: node 1 applied 7..9 after index 5"));
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 5, 3);
	apply(MS(30), 1, 1, 5, 5, 1);
	CHECK(reported("apply: node 1 applied 5..5 after index 5"));
}

static void apply_uncommitted_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 1, 1, 1, 5, 1);
	commit(MS(20), 1, 1, 2);
	apply(MS(20), 1, 1, 1, 5, 1);
	CHECK(reported("apply: node 1 applied up to index 5, beyond its "
		       "commit index 2"));
}

static void installed_snapshot_passes(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 100, 2); /* node 2 is behind */
	snapshot(MS(20), 0, 1, 100, 1, RAFT_NONE);
	snapshot(MS(30), 2, 1, 100, 1, 0);
	replicate(MS(40), 0, 1, 101, 110, 3);
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

/* Edits a trace can carry that no core emits: a snapshot a node installs
 * from itself, or one at index 0 (it covers nothing). */
static void snapshot_from_itself_or_of_nothing_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 100, 3);
	snapshot(MS(30), 2, 1, 100, 1, 2);
	CHECK(reported("event: node 2's snapshot at index 100 of term 1 came "
		       "from itself"));
	snapshot(MS(40), 1, 1, 0, 0, RAFT_NONE);
	CHECK(reported("event: node 1's snapshot at index 0 of term 0 covers "
		       "no entry"));
}

static void snapshot_disagreeing_with_commits_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	replicate(MS(20), 0, 1, 1, 100, 2);
	snapshot(MS(30), 2, 1, 100, 2, 0);
	CHECK(reported("committed entry lost: node 2 committed index 100 of "
		       "term 2, committed before with term 1"));
}

/* Figure 8 with nodes 0..4 for S1..S5: S1 leads term 2 and puts (2, 2) on
 * S2; S5 leads term 3 with (2, 3); S1 leads term 4, puts (2, 2) on S3 and,
 * with commit-old-term, counts it committed; then S5 leads term 5 and
 * overwrites it. Correct Raft: S1 commits (3, 4) instead, and S5 cannot
 * win. */
static void figure8_prefix(void)
{
	int i;

	begin(5);
	elect(MS(10), 0, 1, 5);
	for (i = 0; i < 5; i++)
		append(MS(10), i, 1, 1, 1, 1);
	commit(MS(10), 0, 1, 1);
	lead(MS(10), MS(200), 0, 1);
	feed(WEV_TERM, MS(200), 0, 2, RAFT_NONE);
	feed(WEV_ROLE, MS(200), 0, 2, RAFT_FOLLOWER);
	elect(MS(200), 0, 2, 3);
	append(MS(200), 0, 2, 2, 2, 2);
	append(MS(200), 1, 2, 2, 2, 2);
	feed(WEV_ROLE, MS(210), 0, 2, RAFT_FOLLOWER);
	campaign(MS(400), 4, 3);
	for (i = 2; i < 4; i++) {
		feed(WEV_TERM, MS(400), i, 3, RAFT_NONE);
		feed(WEV_VOTE, MS(400), i, 3, 4);
	}
	feed(WEV_ROLE, MS(400), 4, 3, RAFT_LEADER);
	append(MS(400), 4, 3, 2, 2, 3);
	feed(WEV_ROLE, MS(410), 4, 3, RAFT_FOLLOWER);
	campaign(MS(600), 0, 4);
	for (i = 1; i < 3; i++) {
		feed(WEV_TERM, MS(600), i, 4, RAFT_NONE);
		feed(WEV_VOTE, MS(600), i, 4, 0);
	}
	feed(WEV_ROLE, MS(600), 0, 4, RAFT_LEADER);
	append(MS(600), 2, 4, 2, 2, 2);
}

static void figure8_commit_old_term_fails(void)
{
	int i;

	figure8_prefix();
	commit(MS(600), 0, 4, 2); /* counted (2, 2) on S1, S2, S3 */
	feed(WEV_CRASH, MS(610), 0, 0, RAFT_NONE);
	campaign(MS(800), 4, 5);
	for (i = 1; i < 4; i++) {
		feed(WEV_TERM, MS(800), i, 5, RAFT_NONE);
		feed(WEV_VOTE, MS(800), i, 5, 4);
	}
	feed(WEV_ROLE, MS(800), 4, 5, RAFT_LEADER);
	CHECK(reported("leader completeness: node 4 leads term 5 without "
		       "entry 2 of term 2, committed in term 4"));
	truncate_from(MS(810), 1, 5, 2);
	append(MS(810), 1, 5, 2, 2, 3);
	commit(MS(810), 4, 5, 2);
	CHECK(reported("committed entry lost: node 1 deleted entry 2 of term "
		       "2, committed"));
	CHECK(reported("committed entry lost: node 4 committed index 2 of "
		       "term 3, committed before with term 2"));
}

static void figure8_correct_passes(void)
{
	int i;

	figure8_prefix();
	append(MS(600), 0, 4, 3, 3, 4);
	for (i = 1; i < 3; i++)
		append(MS(600), i, 4, 3, 3, 4);
	commit(MS(600), 0, 4, 3);
	checker_finish(ck, MS(600));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

/* Leader 0 of term 1 is paused with entry 3 that only node 1 shares.
 * Node 2 leads term 2 (votes of 3 and 4) and appends (3, 2); node 1 leads
 * term 3 (votes of 3 and 4) and commits (3, 1) with its own (4, 3). Node 0
 * resumes and handles node 2's late AppendEntries of term 2: it replaces
 * (3, 1), committed, but only in term 3, after node 2's election - correct
 * Raft (the leader of term 3 repairs it). Found by a seeded run: --sim
 * --nodes 5 --load max with random faults, seed 7. */
static void stale_leader_replacing_later_commit_passes(void)
{
	uint64_t now;
	struct wev ev;
	int i;

	begin(5);
	now = MS(200) / info.tick_us;
	elect(MS(10), 0, 1, 5);
	for (i = 0; i < 5; i++)
		append(MS(10), i, 1, 1, 2, 1);
	commit(MS(10), 0, 1, 2);
	append(MS(10), 0, 1, 3, 3, 1);
	append(MS(10), 1, 1, 3, 3, 1);
	lead(MS(10), MS(200), 0, 1);
	feed(WEV_PAUSE, MS(200), 0, 0, RAFT_NONE);
	campaign(MS(400), 2, 2);
	for (i = 3; i < 5; i++) {
		feed(WEV_TERM, MS(400), i, 2, RAFT_NONE);
		feed(WEV_VOTE, MS(400), i, 2, 2);
	}
	feed(WEV_ROLE, MS(400), 2, 2, RAFT_LEADER);
	append(MS(400), 2, 2, 3, 3, 2);
	feed(WEV_ROLE, MS(410), 2, 2, RAFT_FOLLOWER);
	campaign(MS(600), 1, 3);
	for (i = 3; i < 5; i++) {
		feed(WEV_TERM, MS(600), i, 3, RAFT_NONE);
		feed(WEV_VOTE, MS(600), i, 3, 1);
	}
	feed(WEV_ROLE, MS(600), 1, 3, RAFT_LEADER);
	append(MS(600), 1, 3, 4, 4, 3);
	for (i = 3; i < 5; i++) {
		append(MS(600), i, 3, 3, 3, 1);
		append(MS(600), i, 3, 4, 4, 3);
	}
	commit(MS(600), 1, 3, 4);
	/* Node 0's clock stood still while it was paused. */
	feed(WEV_RESUME, MS(800), 0, 0, RAFT_NONE);
	feed_clock(WEV_TERM, MS(800), now, 0, 2, RAFT_NONE);
	feed_clock(WEV_ROLE, MS(800), now, 0, 2, RAFT_FOLLOWER);
	ev = stream_event(WEV_TRUNCATE, MS(800), 0, 2, RAFT_NONE, &info);
	ev.now = now;
	ev.index = 3;
	checker_feed(ck, &ev);
	ev = stream_event(WEV_APPEND, MS(800), 0, 2, RAFT_NONE, &info);
	ev.now = now;
	ev.index = ev.last_index = 3;
	ev.entry_term = 2;
	checker_feed(ck, &ev);
	checker_finish(ck, MS(800));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

/* A million entries through 1000 terms: the model stays within its
 * constant bound and no rule fires. */
static void million_entries_stay_bounded(void)
{
	const size_t bound = 3 * CHECKER_LOG_RUNS + CHECKER_LOG_TERMS +
			     CHECKER_LOG_RUNS + CHECKER_LOG_POINTS +
			     CHECKER_APPLY_WINDOW;
	uint64_t index = 1, t;
	int64_t us = MS(10);
	size_t most = 0;
	int leader = 0, b;

	begin(3);
	for (t = 1; t <= 1000; t++) {
		elect(us, leader, t, 3);
		for (b = 0; b < 250; b++, index += 4) {
			us += 100;
			replicate(us, leader, t, index, index + 3, 3);
		}
		if (t % 100 == 0)
			for (b = 0; b < 3; b++)
				snapshot(us, b, t, index - 1, t, RAFT_NONE);
		if (checker_log_records(ck) > most)
			most = checker_log_records(ck);
		lead_but(us, us + MS(150), leader, t, (leader + 1) % 3);
		us += MS(150);
		leader = (leader + 1) % 3;
	}
	CHECK(index > 1000000);
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
	CHECK(most <= bound);
	CHECK(most > 0);
}

const struct test_case checker_log_tests[] = {
	{"checker log: event: a snapshot installed from the node itself, or at "
	 "index 0, is a violation",
	 snapshot_from_itself_or_of_nothing_fails},
	{"checker log: a cluster that replicates, commits and applies in step "
	 "breaks no rule",
	 replication_in_step_passes},
	{"checker log: log matching: a term's entries starting at another "
	 "index on one node is a violation",
	 term_starting_elsewhere_fails},
	{"checker log: log matching: an older term after a newer one in a log "
	 "is a violation (no-truncate)",
	 terms_going_down_fail},
	{"checker log: log matching: appending over entries without deleting "
	 "them is a violation",
	 overwrite_without_truncate_fails},
	{"checker log: a conflicting suffix deleted, then replaced is no "
	 "violation",
	 conflict_truncated_then_replaced_passes},
	{"checker log: leader append-only: a leader deleting entries is a "
	 "violation",
	 leader_truncating_fails},
	{"checker log: leader completeness: a leader elected without a "
	 "committed entry is a violation",
	 leader_missing_committed_entry_fails},
	{"checker log: leader completeness: a leader holding every committed "
	 "entry is no violation",
	 leader_with_committed_entries_passes},
	{"checker log: leader completeness: an earlier term's commit seen "
	 "after a later leader's election is judged too",
	 late_commit_seen_after_election_fails},
	{"checker log: state machine safety: two states at one index is a "
	 "violation",
	 different_states_at_one_index_fail},
	{"checker log: commit: a commit index that goes back is a violation",
	 commit_going_back_fails},
	{"checker log: commit: a commit index beyond the log is a violation",
	 commit_beyond_log_fails},
	{"checker log: a restart commits and applies again from its snapshot "
	 "without a violation",
	 restart_applies_again_from_snapshot_passes},
	{"checker log: committed entry lost: deleting below the commit index "
	 "is a violation",
	 truncating_committed_entry_fails},
	{"checker log: apply: a gap or a repeat is a violation",
	 apply_out_of_order_fails},
	{"checker log: apply: applying beyond the commit index is a violation "
	 "(apply-uncommitted)",
	 apply_uncommitted_fails},
	{"checker log: a snapshot installed from the leader, then more "
	 "entries, is no violation",
	 installed_snapshot_passes},
	{"checker log: an installed snapshot of another term than the "
	 "committed entry is a violation",
	 snapshot_disagreeing_with_commits_fails},
	{"checker log: Figure 8: an old-term entry counted committed, then "
	 "overwritten, is a violation",
	 figure8_commit_old_term_fails},
	{"checker log: Figure 8 done right (the leader commits its own term's "
	 "entry) is no violation",
	 figure8_correct_passes},
	{"checker log: a deposed leader's late AppendEntries may replace an "
	 "entry committed only in a later term on a node outside that "
	 "majority",
	 stale_leader_replacing_later_commit_passes},
	{"checker log: a million entries through 1000 terms keep the model "
	 "within its fixed bound",
	 million_entries_stay_bounded},
	{NULL, NULL},
};

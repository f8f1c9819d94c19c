/* test_checker_storage.c - the storage rules (issue 12, schema 5) over
 * hand-made event streams: what a node promised (persist) against what it
 * recovered (a restart's state), and the log rules after a restart that
 * replaced the node's log. Each rule has a stream correct Raft with a WAL
 * could produce, which passes, and a broken one, which fails by name. */
#include "check/checker_internal.h"
#include "checkfeed.h"
#include "testhelp.h"

/* A log of term 1 only, from index 1. */
static const uint64_t term1[] = {1, 1};

static void expect_clean(void)
{
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

/* Node 0 leads term 1; every node has promised its vote for it, and
 * entries 1..3 of term 1 are on every node, promised and committed. */
static void three_promised_and_committed(void)
{
	int i;

	begin(3);
	elect(MS(10), 0, 1, 3);
	for (i = 0; i < 3; i++)
		persist(MS(10), i, 1, 0, 0, 0);
	append(MS(20), 0, 1, 1, 3, 1);
	for (i = 1; i < 3; i++)
		append(MS(20), i, 1, 1, 3, 1);
	for (i = 0; i < 3; i++)
		persist(MS(21), i, 1, 0, 3, 1);
	for (i = 0; i < 3; i++) {
		commit(MS(22), i, 1, 3);
		apply(MS(22), i, 1, 1, 3, 1);
	}
}

static void restart_losing_only_unpromised_entries_passes(void)
{
	three_promised_and_committed();
	append(MS(30), 0, 1, 4, 5, 1);
	append(MS(30), 1, 1, 4, 5, 1); /* never synced */
	persist(MS(31), 0, 1, 0, 5, 1);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	lead_but(MS(10), MS(40), 0, 1, 1);
	recover(MS(40), 1, 1, 0, 0, 0, term1, 1, 3, 1);
	/* The leader sends 4..5 again; node 2 makes the majority. */
	append(MS(50), 1, 1, 4, 5, 1);
	append(MS(50), 2, 1, 4, 5, 1);
	persist(MS(51), 2, 1, 0, 5, 1);
	commit(MS(52), 0, 1, 5);
	commit(MS(52), 2, 1, 5);
	commit(MS(53), 1, 1, 5);
	apply(MS(53), 1, 1, 1, 5, 1); /* from the snapshot (none): again */
	checker_finish(ck, MS(100));
	expect_clean();
}

/* Before the WAL, a crash kept the checker's model of the log: the lost
 * entries 4..5 appended again would have been appended over the log. */
static void restart_without_state_keeps_the_log(void)
{
	three_promised_and_committed();
	append(MS(30), 1, 1, 4, 5, 1);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(40), 1, 0, RAFT_NONE);
	append(MS(50), 1, 1, 4, 5, 1);
	CHECK(reported("log matching: node 1 appended index 4 over its log "
		       "ending at 5"));
}

/* Entry 3 of term 1 reached nodes 0 and 1 only, uncommitted; node 2 leads
 * term 2 and replaces it on node 1, which crashes before that reaches its
 * disk and comes back with entry 3 of term 1: never promised gone, so no
 * loss; the leader replaces it again. */
static void restart_resurrecting_a_truncated_suffix_passes(void)
{
	int i;

	begin(3);
	elect(MS(10), 0, 1, 3);
	for (i = 0; i < 3; i++)
		persist(MS(10), i, 1, 0, 0, 0);
	for (i = 0; i < 3; i++)
		append(MS(20), i, 1, 1, 2, 1);
	for (i = 0; i < 3; i++)
		persist(MS(21), i, 1, 0, 2, 1);
	for (i = 0; i < 3; i++)
		commit(MS(22), i, 1, 2);
	append(MS(30), 0, 1, 3, 3, 1);
	append(MS(30), 1, 1, 3, 3, 1);
	persist(MS(31), 1, 1, 0, 3, 1);
	lead_but(MS(10), MS(290), 0, 1, 2);
	elect(MS(300), 2, 2, 3);
	persist(MS(300), 2, 2, 2, 2, 1);
	persist(MS(300), 1, 2, 2, 3, 1);
	append(MS(310), 2, 2, 3, 3, 2);
	truncate_from(MS(310), 1, 2, 3);
	append(MS(310), 1, 2, 3, 3, 2); /* not synced */
	feed(WEV_CRASH, MS(320), 1, 0, RAFT_NONE);
	feed(WEV_ROUND, MS(330), 2, 2, RAFT_NONE);
	recover(MS(330), 1, 2, 2, 0, 0, term1, 1, 3, 1);
	truncate_from(MS(340), 1, 2, 3);
	append(MS(340), 1, 2, 3, 3, 2);
	persist(MS(341), 1, 2, 2, 3, 2);
	commit(MS(342), 2, 2, 3);
	commit(MS(343), 1, 2, 3);
	checker_finish(ck, MS(400));
	expect_clean();
}

static void restart_below_promised_term_fails(void)
{
	three_promised_and_committed();
	feed(WEV_TERM, MS(30), 1, 2, RAFT_NONE);
	persist(MS(31), 1, 2, RAFT_NONE, 3, 1);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	recover(MS(40), 1, 1, 0, 0, 0, term1, 1, 3, 1);
	CHECK(reported("durable term: node 1 restarted in term 1, below term "
		       "2 it had promised"));
}

/* Node 1's term 2 never reached its disk: back in term 1 is no fault. */
static void restart_below_unpromised_term_passes(void)
{
	three_promised_and_committed();
	feed(WEV_TERM, MS(30), 1, 2, RAFT_NONE);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	recover(MS(40), 1, 1, 0, 0, 0, term1, 1, 3, 1);
	feed(WEV_HEARTBEAT, MS(50), 1, 1, 0);
	checker_finish(ck, MS(100));
	expect_clean();
}

static void restart_with_another_vote_fails(void)
{
	three_promised_and_committed();
	campaign(MS(300), 2, 2);
	feed(WEV_TERM, MS(300), 1, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(300), 1, 2, 2);
	persist(MS(301), 1, 2, 2, 3, 1);
	feed(WEV_CRASH, MS(310), 1, 0, RAFT_NONE);
	recover(MS(320), 1, 2, 0, 0, 0, term1, 1, 3, 1);
	CHECK(reported("durable vote: node 1 restarted in term 2 with a vote "
		       "for 0, having promised its vote to 2"));
	feed(WEV_CRASH, MS(330), 1, 0, RAFT_NONE);
	persist(MS(330), 1, 2, 2, 3, 1); /* the test's: promised again */
	CHECK(reported("promised term 2 and entry 3 while crashed"));
	recover(MS(340), 1, 2, RAFT_NONE, 0, 0, term1, 1, 3, 1);
	CHECK(reported("durable vote: node 1 restarted in term 2 with no "
		       "vote"));
}

static void restart_without_promised_entry_fails(void)
{
	three_promised_and_committed();
	append(MS(30), 1, 1, 4, 5, 1);
	persist(MS(31), 1, 1, 0, 5, 1);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	recover(MS(40), 1, 1, 0, 0, 0, term1, 1, 3, 1);
	CHECK(reported("durable log: node 1 restarted without entry 5 (term "
		       "1) it had acknowledged"));
	CHECK_EQ(violations(), 1);
}

/* The promised entry of another term at its index is lost as well. */
static void restart_with_promised_index_of_another_term_fails(void)
{
	static const uint64_t runs[] = {1, 1, 4, 2};

	three_promised_and_committed();
	append(MS(30), 1, 1, 4, 5, 1);
	persist(MS(31), 1, 1, 0, 5, 1);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	recover(MS(40), 1, 1, 0, 0, 0, runs, 2, 5, 2);
	CHECK(reported("durable log: node 1 restarted without entry 5 (term "
		       "1) it had acknowledged"));
}

/* A snapshot at or past the promised entry holds it. */
static void restart_from_snapshot_past_promise_passes(void)
{
	three_promised_and_committed();
	snapshot(MS(30), 1, 1, 3, 1, RAFT_NONE);
	feed(WEV_CRASH, MS(32), 1, 0, RAFT_NONE);
	recover(MS(40), 1, 1, 0, 3, 1, NULL, 0, 3, 1);
	append(MS(50), 1, 1, 4, 4, 1);
	commit(MS(51), 1, 1, 4);
	apply(MS(51), 1, 1, 4, 4, 1);
	checker_finish(ck, MS(100));
	expect_clean();
}

static void two_promised_votes_in_one_term_fail(void)
{
	begin(3);
	feed(WEV_TERM, MS(10), 1, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(10), 1, 2, 0);
	persist(MS(11), 1, 2, 0, 0, 0);
	persist(MS(12), 1, 2, 2, 0, 0);
	CHECK(reported("durable vote: node 1 promised votes to 0 and 2 in "
		       "term 2"));
	persist(MS(13), 1, 2, RAFT_NONE, 0, 0);
	CHECK(reported("durable vote: node 1 promised its vote to 0 in term "
		       "2, then no vote"));
}

/* A vote the node never promised never left it: cast again differently
 * after the restart, it is no second vote (while node 2 keeps term 2's
 * record alive). */
static void unpromised_vote_cast_again_passes(void)
{
	three_promised_and_committed();
	campaign(MS(300), 2, 2); /* node 2 stays in term 2 */
	feed(WEV_TERM, MS(300), 1, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(300), 1, 2, 2);
	feed(WEV_CRASH, MS(301), 1, 0, RAFT_NONE);
	recover(MS(310), 1, 1, 0, 0, 0, term1, 1, 3, 1);
	feed(WEV_TERM, MS(320), 1, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(320), 1, 2, 0);
	checker_finish(ck, MS(400));
	expect_clean();
}

/* ...but a vote recovered from the disk still counts. */
static void promised_vote_then_another_fails(void)
{
	three_promised_and_committed();
	feed(WEV_TERM, MS(300), 1, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(300), 1, 2, 2);
	persist(MS(300), 1, 2, 2, 3, 1);
	feed(WEV_CRASH, MS(301), 1, 0, RAFT_NONE);
	recover(MS(310), 1, 2, 2, 0, 0, term1, 1, 3, 1);
	feed(WEV_VOTE, MS(320), 1, 2, 0);
	CHECK(reported("one vote: node 1 voted twice in term 2"));
}

/* The whole cluster crashed with entries 2..3 committed but on no disk
 * (promises that lied, or none made): the new leader lacks them. */
static void committed_entry_lost_in_whole_cluster_crash_fails(void)
{
	int i;

	begin(3);
	elect(MS(10), 0, 1, 3);
	for (i = 0; i < 3; i++)
		append(MS(20), i, 1, 1, 3, 1);
	for (i = 0; i < 3; i++)
		commit(MS(21), i, 1, 3);
	for (i = 0; i < 3; i++)
		feed(WEV_CRASH, MS(30), i, 0, RAFT_NONE);
	for (i = 0; i < 3; i++)
		recover(MS(40), i, 1, 0, 0, 0, term1, 1, 1, 1);
	CHECK_EQ(violations(), 0);
	elect(MS(300), 0, 2, 3);
	CHECK(reported("leader completeness: node 0 leads term 2 without "
		       "entry 3 of term 1"));
	append(MS(310), 0, 2, 2, 2, 2);
	commit(MS(311), 0, 2, 2);
	CHECK(reported("committed entry lost: node 0 committed index 2 of "
		       "term 2, committed before with term 1"));
}

/* A restart's log where a term goes down, or a term starting at another
 * index than on the others, is caught by the log's rules. */
static void recovered_log_breaking_log_matching_fails(void)
{
	static const uint64_t down[] = {1, 2, 3, 1};
	static const uint64_t shifted[] = {1, 1, 3, 2};

	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(20), 0, 1, 1, 3, 1);
	elect(MS(300), 2, 2, 3);
	append(MS(310), 2, 2, 1, 3, 1);
	append(MS(310), 2, 2, 4, 4, 2);
	feed(WEV_CRASH, MS(320), 1, 0, RAFT_NONE);
	recover(MS(330), 1, 2, 2, 0, 0, down, 2, 4, 1);
	CHECK(reported("durable log: node 1 recovered term 1 at index 3 "
		       "after term 2"));
	feed(WEV_CRASH, MS(340), 1, 0, RAFT_NONE);
	recover(MS(350), 1, 2, 2, 0, 0, shifted, 2, 4, 2);
	CHECK(reported("log matching: node 1's entries of term 2 start at "
		       "index 3, node 2's at 4"));
}

static void recovered_state_not_a_log_fails(void)
{
	static const uint64_t gap[] = {3, 1};

	begin(3);
	feed(WEV_CRASH, MS(10), 1, 0, RAFT_NONE);
	recover(MS(20), 1, 0, RAFT_NONE, 0, 0, gap, 1, 4, 1);
	CHECK(reported("event: node 1's restart recovered a snapshot at 0 "
		       "and a log to 4 (term 1) that its 1 runs do not"));
}

/* Node 2's disk refused to recover: it is down for good. Node 1 crashes
 * too; with one node of three up there is no majority to expect a
 * leader of, and node 2's restart would be an error. */
static void refused_node_is_down_for_the_rest_passes(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	lead(MS(10), MS(100), 0, 1);
	disk(MS(100), 2, WEV_DISK_REFUSED);
	feed(WEV_CRASH, MS(110), 0, 0, RAFT_NONE);
	checker_finish(ck, MS(3000));
	expect_clean();
	CHECK_EQ(checker_storage_stats(ck).refused, 1);
}

/* Without the refusal node 2 counts as up: the same stream fails. */
static void refused_test_fails_without_refusal(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	lead(MS(10), MS(100), 0, 1);
	disk(MS(100), 2, WEV_DISK_TORN);
	feed(WEV_CRASH, MS(110), 0, 0, RAFT_NONE);
	checker_finish(ck, MS(3000));
	CHECK(reported("liveness:"));
}

static void refused_node_restarting_fails(void)
{
	begin(3);
	feed(WEV_CRASH, MS(10), 2, 0, RAFT_NONE);
	disk(MS(20), 2, WEV_DISK_REFUSED);
	recover(MS(30), 2, 0, RAFT_NONE, 0, 0, NULL, 0, 0, 0);
	CHECK(reported("event: node 2 restarted after its disk refused"));
}

/* A failed sync crashes the node: an event of it before its restart is a
 * violation; the crash event that follows the failure changes nothing. */
static void failed_disk_crashes_the_node(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	disk(MS(20), 1, WEV_DISK_FAILED);
	feed(WEV_CRASH, MS(20), 1, 0, RAFT_NONE);
	CHECK_EQ(violations(), 0);
	feed(WEV_HEARTBEAT, MS(40), 1, 1, 0);
	CHECK(reported("event: node 1 reported a heartbeat event while "
		       "crashed"));
	CHECK_EQ(checker_storage_stats(ck).failed, 1);
}

/* A resumed run: every node down at its start line, its times counted on
 * from the killed run's last. */
static void resumed_run_continues_the_history(void)
{
	three_promised_and_committed();
	lead(MS(10), MS(400), 0, 1);
	resume_at(0);
	CHECK_EQ(violations(), 0);
	feed(WEV_HEARTBEAT, MS(5), 2, 1, 0);
	CHECK(reported("event: node 2 reported a heartbeat event while "
		       "crashed"));
	/* At 5 ms of the resumed run: 405 ms of the whole history. */
	CHECK_EQ(checker_last_violation_us(ck), MS(405));
	CHECK_EQ(violations(), 1); /* no time went back */
}

static void resumed_run_passes(void)
{
	int i;

	three_promised_and_committed();
	lead(MS(10), MS(400), 0, 1);
	resume_at(0);
	for (i = 0; i < 3; i++)
		recover(MS(10), i, 1, 0, 0, 0, term1, 1, 3, 1);
	feed_clock(WEV_HEARTBEAT, MS(20), 0, 1, 1, 0);
	checker_finish(ck, MS(100));
	expect_clean();
	CHECK_EQ(checker_storage_stats(ck).resumes, 1);
	CHECK_EQ(checker_storage_stats(ck).recoveries, 3);
}

const struct test_case checker_storage_tests[] = {
	{"checker storage: a restart that lost only entries it never "
	 "promised breaks no rule",
	 restart_losing_only_unpromised_entries_passes},
	{"checker storage: a restart without a recovered state keeps the "
	 "checker's log (schema 4 and no WAL)",
	 restart_without_state_keeps_the_log},
	{"checker storage: a restart that brought back a truncated suffix it "
	 "never promised breaks no rule",
	 restart_resurrecting_a_truncated_suffix_passes},
	{"checker storage: durable term: a restart below the promised term is "
	 "a violation",
	 restart_below_promised_term_fails},
	{"checker storage: a restart below a term never promised breaks no "
	 "rule",
	 restart_below_unpromised_term_passes},
	{"checker storage: durable vote: a restart in the promised term with "
	 "another vote or none is a violation",
	 restart_with_another_vote_fails},
	{"checker storage: durable log: a restart without the promised last "
	 "entry is a violation",
	 restart_without_promised_entry_fails},
	{"checker storage: durable log: a restart with another term at the "
	 "promised index is a violation",
	 restart_with_promised_index_of_another_term_fails},
	{"checker storage: a snapshot at or past the promised entry holds it",
	 restart_from_snapshot_past_promise_passes},
	{"checker storage: durable vote: two promised votes (or a vote, then "
	 "none) in one term are a violation",
	 two_promised_votes_in_one_term_fail},
	{"checker storage: one vote: a vote never promised, cast otherwise "
	 "after the restart, is no second vote",
	 unpromised_vote_cast_again_passes},
	{"checker storage: one vote: a recovered vote, then another in its "
	 "term, is a violation",
	 promised_vote_then_another_fails},
	{"checker storage: committed entry lost: a whole-cluster crash that "
	 "lost committed entries is caught after the restarts",
	 committed_entry_lost_in_whole_cluster_crash_fails},
	{"checker storage: log matching: a recovered log whose terms go down "
	 "or start elsewhere is a violation",
	 recovered_log_breaking_log_matching_fails},
	{"checker storage: event: a recovered state whose runs do not "
	 "describe its log is a violation",
	 recovered_state_not_a_log_fails},
	{"checker storage: a node whose disk refused is down for the rest of "
	 "the run (liveness does not wait for it)",
	 refused_node_is_down_for_the_rest_passes},
	{"checker storage: the refusal test's stream without the refusal "
	 "fails liveness",
	 refused_test_fails_without_refusal},
	{"checker storage: event: a node restarting after its disk refused is "
	 "a violation",
	 refused_node_restarting_fails},
	{"checker storage: a failed disk crashes the node",
	 failed_disk_crashes_the_node},
	{"checker storage: a resumed run's start line takes every node down "
	 "and its times count on",
	 resumed_run_continues_the_history},
	{"checker storage: a resumed run whose nodes restart from their disks "
	 "breaks no rule",
	 resumed_run_passes},
	{NULL, NULL},
};

/* test_checker_propose.c - the proposals' liveness rule (checker_propose.c)
 * over hand-made event streams: a stable leader with a quiet majority
 * commits what it was proposed within W, progress restarting the wait. */
#include "check/checker_internal.h"
#include "checkfeed.h"
#include "testhelp.h"

static void proposal_never_committed_fails(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	log_event(WEV_PROPOSE, MS(20), 0, 1, 1, 1, 1);
	append(MS(20), 0, 1, 1, 1, 1);
	lead(MS(10), MS(2000), 0, 1);
	checker_finish(ck, MS(2000));
	CHECK(reported("liveness: leader 0 of term 1 did not commit index 1 "
		       "within 830.000 ms"));
}

static void proposal_committed_in_time_passes(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	log_event(WEV_PROPOSE, MS(20), 0, 1, 1, 1, 1);
	append(MS(20), 0, 1, 1, 1, 1);
	lead(MS(10), MS(800), 0, 1);
	append(MS(800), 1, 1, 1, 1, 1);
	commit(MS(800), 0, 1, 1);
	lead(MS(790), MS(2000), 0, 1);
	checker_finish(ck, MS(2000));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
	CHECK_EQ(ck->log.props_judged, 1);
}

/* A new leader's proposal at index 30 waits behind 29 older entries that
 * reach the followers one every 90 ms (one entry a message): progress,
 * not a stall, although it takes 2.7 s; a copy that stops is a stall. */
static void proposal_behind_backlog(uint64_t copied)
{
	int64_t at = MS(10);
	uint64_t i;

	begin(3);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 29, 1);
	log_event(WEV_PROPOSE, MS(10), 0, 1, 30, 30, 1);
	append(MS(10), 0, 1, 30, 30, 1);
	for (i = 1; i <= copied; i++, at += MS(90)) {
		lead(at, at + MS(90), 0, 1);
		append(at + MS(90), 1, 1, i, i, 1);
		append(at + MS(90), 2, 1, i, i, 1);
	}
	if (copied == 30)
		commit(at, 0, 1, 30);
	lead(at, MS(5000), 0, 1);
	checker_finish(ck, MS(5000));
}

/* The same backlog, but node 2 first holds a long stale suffix of term 1,
 * which counts towards the reach (node 1's first copy sees it) until the
 * leader of term 2 cuts it: the reach it seemed to give must not hide the
 * slow copy's progress after. */
static void proposal_behind_a_stale_suffix_passes(void)
{
	int64_t at = MS(10);
	uint64_t i;

	begin(3);
	append(MS(5), 2, 0, 1, 500, 1);
	elect(MS(10), 0, 2, 3);
	append(MS(10), 0, 2, 1, 29, 2);
	log_event(WEV_PROPOSE, MS(10), 0, 2, 30, 30, 2);
	append(MS(10), 0, 2, 30, 30, 2);
	for (i = 1; i <= 30; i++, at += MS(90)) {
		lead(at, at + MS(90), 0, 2);
		append(at + MS(90), 1, 2, i, i, 2);
		if (i == 1)
			truncate_from(at + MS(90), 2, 2, 1);
		append(at + MS(90), 2, 2, i, i, 2);
	}
	commit(at, 0, 2, 30);
	lead(at, MS(5000), 0, 2);
	checker_finish(ck, MS(5000));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

static void proposal_behind_a_backlog_passes(void)
{
	proposal_behind_backlog(30);
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

static void proposal_whose_copy_stalls_fails(void)
{
	proposal_behind_backlog(10);
	CHECK(reported("liveness: leader 0 of term 1 did not commit index 30 "
		       "within 830.000 ms"));
}

/* Both followers paused: no majority with the leader, nothing judged. */
static void proposal_without_majority_unjudged(void)
{
	int64_t us;

	begin(3);
	elect(MS(10), 0, 1, 3);
	log_event(WEV_PROPOSE, MS(20), 0, 1, 1, 1, 1);
	append(MS(20), 0, 1, 1, 1, 1);
	feed(WEV_PAUSE, MS(30), 1, 0, RAFT_NONE);
	feed(WEV_PAUSE, MS(30), 2, 0, RAFT_NONE);
	for (us = MS(40); us <= MS(2000); us += MS(30))
		feed(WEV_ROUND, us, 0, 1, RAFT_NONE);
	checker_finish(ck, MS(2000));
	if (violations())
		checker_print(ck, stderr);
	CHECK_EQ(violations(), 0);
}

const struct test_case checker_propose_tests[] = {
	{"checker log: liveness: a stable leader's proposal not committed "
	 "within W is a violation",
	 proposal_never_committed_fails},
	{"checker log: liveness: a proposal committed within W is no "
	 "violation",
	 proposal_committed_in_time_passes},
	{"checker log: liveness: a proposal behind a long backlog that keeps "
	 "being copied is no violation, however long it takes",
	 proposal_behind_a_backlog_passes},
	{"checker log: liveness: a follower's stale suffix, cut by the new "
	 "leader, does not hide the slow copy's progress after it",
	 proposal_behind_a_stale_suffix_passes},
	{"checker log: liveness: a proposal whose copying stops for W with a "
	 "quiet majority is a violation",
	 proposal_whose_copy_stalls_fails},
	{"checker log: liveness: a proposal without a quiet majority is not "
	 "judged",
	 proposal_without_majority_unjudged},
	{NULL, NULL},
};

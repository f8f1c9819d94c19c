/* test_checker.c - the checker's safety rules, firing and not firing.
 *
 * Each test feeds a hand-made event stream (checkfeed.h), so it shows exactly
 * the pattern a rule is about: one leader per term, terms that never go
 * back, one vote per term, legitimate leaders and their heartbeats, and
 * leaders that step down at once. test_checker_live.c has the rest.
 */
#include "checkfeed.h"
#include "testhelp.h"

static void clean_run_raises_nothing(void)
{
	begin(3);
	elect(MS(50), 0, 1, 3);
	lead(MS(50), MS(1000), 0, 1);
	checker_finish(ck, MS(1000));
	CHECK_EQ(violations(), 0);
	CHECK_EQ(checker_spurious_elections(ck), 0);
}

static void two_leaders_in_one_term(void)
{
	begin(5);
	elect(MS(10), 0, 1, 3);
	feed(WEV_TERM, MS(11), 4, 1, RAFT_NONE);
	feed(WEV_ROLE, MS(11), 4, 1, RAFT_CANDIDATE);
	feed(WEV_ROLE, MS(12), 4, 1, RAFT_LEADER);
	CHECK(reported("nodes 0 and 4 both became leader of term 1"));
}

static void leaders_of_different_terms(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	lead_but(MS(10), MS(190), 0, 1,
		 1);                /* node 1 hears none: it times out */
	saw_term(MS(200), 0, 1, 2); /* node 1's vote request */
	feed(WEV_TERM, MS(200), 0, 2, RAFT_NONE);
	feed(WEV_ROLE, MS(200), 0, 2, RAFT_FOLLOWER);
	elect(MS(200), 1, 2, 3);
	CHECK_EQ(violations(), 0);
}

static void term_goes_back(void)
{
	begin(3);
	feed(WEV_TERM, MS(1), 1, 3, RAFT_NONE);
	feed(WEV_TERM, MS(2), 1, 2, RAFT_NONE);
	CHECK_EQ(violations(), 1);
	CHECK(reported("node 1's term went back from 3 to 2"));
}

static void term_goes_back_after_restart(void)
{
	begin(3);
	feed(WEV_TERM, MS(1), 1, 3, RAFT_NONE);
	feed(WEV_CRASH, MS(2), 1, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(3), 1, 0, RAFT_NONE);
	feed(WEV_TERM, MS(4), 1, 1, RAFT_NONE); /* started over from 0 */
	CHECK(reported("node 1's term went back from 3 to 1"));
}

static void term_continues_after_restart(void)
{
	begin(3);
	feed(WEV_TERM, MS(1), 1, 3, RAFT_NONE);
	feed(WEV_CRASH, MS(2), 1, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(3), 1, 0, RAFT_NONE);
	feed(WEV_TERM, MS(4), 1, 4, RAFT_NONE);
	CHECK_EQ(violations(), 0);
}

static void two_votes_in_one_term(void)
{
	begin(3);
	feed(WEV_TERM, MS(1), 1, 1, RAFT_NONE);
	feed(WEV_VOTE, MS(1), 1, 1, 0);
	feed(WEV_VOTE, MS(2), 1, 1, 2);
	CHECK(reported("node 1 voted twice in term 1 (for 0, then for 2)"));
}

static void two_votes_across_restart(void)
{
	begin(3);
	feed(WEV_TERM, MS(1), 1, 1, RAFT_NONE);
	feed(WEV_VOTE, MS(1), 1, 1, 0);
	feed(WEV_CRASH, MS(2), 1, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(3), 1, 0, RAFT_NONE);
	feed(WEV_VOTE, MS(4), 1, 1, 2); /* the vote was not durable */
	CHECK(reported("node 1 voted twice in term 1"));
}

static void one_vote_per_term(void)
{
	begin(3);
	feed(WEV_TERM, MS(1), 1, 1, RAFT_NONE);
	feed(WEV_VOTE, MS(1), 1, 1, 0);
	feed(WEV_TERM, MS(2), 1, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(2), 1, 2, 2);
	CHECK_EQ(violations(), 0);
}

static void leader_without_majority(void)
{
	begin(5);
	elect(MS(10), 0, 1, 2); /* itself and node 1: 2 of 5 */
	CHECK(reported("node 0 became leader of term 1 with 2 of 5 votes"));
}

static void leader_with_bare_majority(void)
{
	begin(5);
	elect(MS(10), 4, 1, 2); /* nodes 0, 1 and itself: 3 of 5 */
	CHECK_EQ(violations(), 0);
}

static void heartbeat_from_non_leader(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	feed(WEV_HEARTBEAT, MS(20), 1, 1, 2);
	CHECK(reported("heartbeat from node 2 in term 1, whose leader is "
		       "node 0"));
	feed(WEV_TERM, MS(30), 1, 2, RAFT_NONE);
	feed(WEV_HEARTBEAT, MS(30), 1, 2, 2);
	CHECK(reported("heartbeat from node 2 in term 2, which has no leader"));
	CHECK_EQ(violations(), 2);
}

static void leader_stays_after_higher_term(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	saw_term(MS(20), 0, 1, 5);
	feed(WEV_ROUND, MS(30), 0, 1, RAFT_NONE); /* still leading */
	CHECK(reported("node 0 stayed leader of term 1 after seeing term 5"));
	CHECK_EQ(violations(), 1);
}

static void leader_adopts_term_but_keeps_role(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	saw_term(MS(20), 0, 1, 5);
	feed(WEV_TERM, MS(20), 0, 5, RAFT_NONE);
	feed(WEV_ROUND, MS(20), 0, 5, RAFT_NONE);
	CHECK(reported("node 0 stayed leader of term 1 after seeing term 5"));
}

static void run_ends_after_sighting(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	saw_term(MS(20), 0, 1, 5);
	checker_finish(ck, MS(30));
	CHECK(reported("node 0 stayed leader of term 1 after seeing term 5"));
}

static void leader_steps_down_at_once(void)
{
	begin(3);
	elect(MS(10), 0, 1, 3);
	saw_term(MS(20), 0, 1, 5);
	feed(WEV_TERM, MS(20), 0, 5, RAFT_NONE);
	feed(WEV_ROLE, MS(20), 0, 5, RAFT_FOLLOWER);
	feed(WEV_VOTE, MS(20), 0, 5, 2);
	saw_term(MS(25), 1, 1, 5); /* a follower is not watched */
	feed(WEV_TERM, MS(25), 1, 5, RAFT_NONE);
	checker_finish(ck, MS(30));
	CHECK_EQ(violations(), 0);
}

const struct test_case checker_tests[] = {
	{"checker: a clean election and heartbeats raise nothing",
	 clean_run_raises_nothing},
	{"checker: two leaders in one term is a violation",
	 two_leaders_in_one_term},
	{"checker: leaders of different terms are no violation",
	 leaders_of_different_terms},
	{"checker: a term that goes back is a violation", term_goes_back},
	{"checker: a term that goes back after a restart is a violation",
	 term_goes_back_after_restart},
	{"checker: a term that continues after a restart is no violation",
	 term_continues_after_restart},
	{"checker: two votes in one term is a violation",
	 two_votes_in_one_term},
	{"checker: two votes in one term across a restart is a violation",
	 two_votes_across_restart},
	{"checker: one vote per term is no violation", one_vote_per_term},
	{"checker: a leader without a majority of votes is a violation",
	 leader_without_majority},
	{"checker: a leader with a bare majority of votes is no violation",
	 leader_with_bare_majority},
	{"checker: a heartbeat from a node that is not the term's leader is "
	 "a violation",
	 heartbeat_from_non_leader},
	{"checker: a leader that keeps leading after seeing a higher term is "
	 "a violation",
	 leader_stays_after_higher_term},
	{"checker: a leader that adopts a higher term but stays leader is a "
	 "violation",
	 leader_adopts_term_but_keeps_role},
	{"checker: a run that ends right after a leader saw a higher term is "
	 "a violation",
	 run_ends_after_sighting},
	{"checker: a leader that steps down at once is no violation",
	 leader_steps_down_at_once},
	{NULL, NULL},
};

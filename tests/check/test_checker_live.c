/* test_checker_live.c - the checker over whole runs, firing and not firing:
 * the timer rules (in each node's own clock), spurious elections (counted,
 * never judged) and liveness, from hand-made event streams (checkfeed.h).
 * test_checker_events.c has event consistency, reports, long runs and the
 * real core.
 *
 * checkfeed's streams: 10 ms ticks, heartbeat 3, election 10-20, no
 * latency, so the liveness window is 4 rounds of 20 ticks and a heartbeat:
 * (4 * 20 + 3) * 10 = 830 ms.
 */
#include <stdlib.h>
#include <string.h>

#include "checkfeed.h"
#include "harness/monitor.h"
#include "testhelp.h"
#include "testnet.h"

static void timer_reset_fires(void)
{
	begin(3);
	elect(MS(0), 0, 1, 3);
	lead(0, MS(90), 0, 1);
	campaign(MS(100), 2, 2); /* 1 tick after the heartbeat of 90 ms */
	CHECK(reported("timer reset: node 2 started an election of term 2 1 "
		       "of its ticks after node 0's heartbeat, under the "
		       "10-tick minimum timeout"));
	CHECK(reported("(a spurious election)"));
	begin(3); /* a pre-vote comes from the same timer */
	elect(MS(0), 0, 1, 3);
	feed(WEV_PREVOTE, MS(50), 1, 1, RAFT_NONE);
	CHECK(reported("timer reset: node 1 started a pre-vote of term 2 5 of "
		       "its ticks after node 0's heartbeat"));
}

/* The rule counts the node's own ticks only, so no fault excuses it. */
static void timer_reset_fires_under_faults_and_loss(void)
{
	static const uint8_t apart[3] = {0, 0, 1};

	setup(3);
	info.drop = 0.3;
	info.random_faults = true;
	start();
	elect(MS(0), 0, 1, 3);
	feed(WEV_PAUSE, MS(5), 1, 0, RAFT_NONE);
	partition(MS(6), apart);
	feed(WEV_RESUME, MS(8), 1, 0, RAFT_NONE);
	loss(MS(9), 0, 2);
	campaign(MS(60), 2, 2);
	CHECK_EQ(violations(), 1);
	CHECK(reported("timer reset: node 2"));
}

static void timer_reset_quiet_on_correct_timing(void)
{
	begin(3); /* exactly the minimum after the last heartbeat */
	elect(MS(0), 0, 1, 3);
	lead(0, MS(90), 0, 1);
	campaign(MS(190), 2, 2);
	CHECK_EQ(violations(), 0);
	begin(3); /* a paused node's clock stands still: 12 of its ticks */
	elect(MS(0), 0, 1, 3);
	feed(WEV_PAUSE, MS(10), 2, 0, RAFT_NONE);
	feed(WEV_RESUME, MS(500), 2, 0, RAFT_NONE);
	feed_clock(WEV_TERM, MS(620), 12, 2, 2, RAFT_NONE);
	feed_clock(WEV_ROLE, MS(620), 12, 2, 2, RAFT_CANDIDATE);
	feed_clock(WEV_ELECTION, MS(620), 12, 2, 2, RAFT_NONE);
	CHECK_EQ(violations(), 0);
	begin(3); /* ...and counts again from 0 after a restart */
	elect(MS(0), 0, 1, 3);
	lead(0, MS(300), 0, 1);
	feed(WEV_CRASH, MS(305), 2, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(310), 2, 0, RAFT_NONE);
	feed_clock(WEV_TERM, MS(420), 11, 2, 2, RAFT_NONE);
	feed_clock(WEV_ROLE, MS(420), 11, 2, 2, RAFT_CANDIDATE);
	feed_clock(WEV_ELECTION, MS(420), 11, 2, 2, RAFT_NONE);
	CHECK_EQ(violations(), 0);
}

static void heartbeat_gap_fires(void)
{
	begin(3); /* rounds too rare: deposed before the next */
	elect(MS(0), 0, 1, 3);
	saw_term(MS(100), 0, 1, 2);
	CHECK(reported("heartbeat gap: leader 0 of term 1 sent no round for "
		       "10 of its ticks; §5.6 needs one every 3, under the "
		       "10-tick minimum timeout, or followers start spurious "
		       "elections"));
	begin(3); /* a round late by a tick */
	elect(MS(0), 0, 1, 3);
	lead(0, MS(30), 0, 1);
	feed(WEV_ROUND, MS(70), 0, 1, RAFT_NONE);
	feed(WEV_ROUND, MS(110), 0, 1, RAFT_NONE);
	CHECK(reported("heartbeat gap: leader 0 of term 1 sent no round for "
		       "4 of its ticks"));
	CHECK_EQ(violations(), 1); /* once per leadership */
}

static void heartbeat_gap_quiet_on_correct_timing(void)
{
	begin(3); /* rounds every 3 ticks, deposed 2 ticks after one */
	elect(MS(0), 0, 1, 3);
	lead(0, MS(300), 0, 1);
	saw_term(MS(320), 0, 1, 2);
	feed(WEV_TERM, MS(320), 0, 2, RAFT_NONE);
	feed(WEV_ROLE, MS(320), 0, 2, RAFT_FOLLOWER);
	CHECK_EQ(violations(), 0);
	begin(3); /* a paused leader's clock stands still */
	elect(MS(0), 0, 1, 3);
	feed(WEV_PAUSE, MS(10), 0, 0, RAFT_NONE);
	feed(WEV_RESUME, MS(900), 0, 0, RAFT_NONE);
	feed_clock(WEV_SAW_TERM, MS(900), 1, 0, 1, RAFT_NONE);
	CHECK(!reported("heartbeat gap"));
}

static void spurious_counted_not_judged(void)
{
	begin(3); /* a healthy leader of 300 ms that node 1 did not hear */
	elect(MS(0), 0, 1, 3);
	lead_but(0, MS(300), 0, 1, 1);
	campaign(MS(300), 1, 2);
	CHECK_EQ(checker_spurious_elections(ck), 1);
	CHECK_EQ(violations(), 0);
	begin(3);
	elect(MS(0), 0, 1, 3);
	feed(WEV_ROUND, MS(30), 0, 1, RAFT_NONE);
	feed(WEV_HEARTBEAT, MS(30), 2, 1, 0);
	feed(WEV_ROUND, MS(60), 0, 1, RAFT_NONE);
	feed(WEV_HEARTBEAT, MS(60), 2, 1, 0);
	feed(WEV_ROUND, MS(90), 0, 1, RAFT_NONE);
	feed(WEV_HEARTBEAT, MS(90), 2, 1, 0);
	campaign(MS(210), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 1);
	CHECK_EQ(violations(), 0);
}

static void election_not_spurious(void)
{
	static const uint8_t apart[3] = {0, 0, 1};

	begin(3); /* the leader is too new to have reached the node */
	campaign(0, 0, 1);
	feed(WEV_TERM, 0, 1, 1, RAFT_NONE);
	feed(WEV_VOTE, 0, 1, 1, 0);
	feed(WEV_ROLE, 0, 0, 1, RAFT_LEADER);
	feed(WEV_HEARTBEAT, MS(1), 1, 1, 0);      /* but not node 2 */
	feed(WEV_TERM, MS(150), 2, 1, RAFT_NONE); /* a vote request */
	campaign(MS(150), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 0);
	setup(3); /* messages may be lost */
	info.drop = 0.01;
	start();
	elect(MS(0), 0, 1, 3);
	campaign(MS(300), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 0);
	begin(3); /* cut off from the leader */
	elect(MS(0), 0, 1, 3);
	partition(MS(50), apart);
	campaign(MS(300), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 0);
	begin(3); /* the candidate had just been resumed */
	elect(MS(0), 0, 1, 3);
	feed(WEV_PAUSE, MS(10), 2, 0, RAFT_NONE);
	feed(WEV_RESUME, MS(250), 2, 0, RAFT_NONE);
	campaign(MS(300), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 0);
	begin(3); /* a message of it was lost */
	elect(MS(0), 0, 1, 3);
	loss(MS(280), 0, 2);
	campaign(MS(300), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 0);
}

static void no_leader_is_a_liveness_violation(void)
{
	begin(3);
	campaign(MS(100), 1, 1);                  /* nobody answers */
	feed(WEV_TERM, MS(831), 0, 1, RAFT_NONE); /* judged before this */
	CHECK(reported("liveness: no leader among the 3 running, connected "
		       "nodes for 830.000 ms"));
	checker_finish(ck, MS(2000));
	CHECK_EQ(violations(), 1); /* once per leaderless stretch */
	begin(3);                  /* a leader at the deadline is in time */
	elect(MS(830), 1, 1, 3);
	checker_finish(ck, MS(2000));
	CHECK_EQ(violations(), 0);
	begin(3); /* the end of the run judges the deadline itself */
	checker_finish(ck, MS(830));
	CHECK(reported("liveness: no leader"));
}

/* Faults on other nodes do not excuse a quiet majority. */
static void liveness_judged_under_random_faults(void)
{
	int64_t t;

	setup(5);
	info.random_faults = true;
	info.reorder = 0.1;
	info.latency_max_us = 5000;
	start();
	/* A delay: 5 ms latency + a 30 ms reorder. Rounds of 200 + 4 * 35
	 * ms, 4 + 4 * 140 / 110 of them (rounded up to quarters), and a
	 * heartbeat. */
	CHECK_EQ(checker_live_stats(ck).window_us, MS(340 * 37 / 4 + 30));
	for (t = MS(10); t < MS(4000); t += MS(100)) {
		feed(WEV_PAUSE, t, 3, 0, RAFT_NONE);
		feed(WEV_CRASH, t + MS(10), 4, 0, RAFT_NONE);
		feed(WEV_RESUME, t + MS(50), 3, 0, RAFT_NONE);
		feed(WEV_RESTART, t + MS(60), 4, 0, RAFT_NONE);
	}
	CHECK(reported("liveness: no leader among the 5 running, connected "
		       "nodes for 3175.000 ms"));
	CHECK_EQ(violations(), 1);
}

static void liveness_leader_lost_and_regained(void)
{
	static const uint8_t apart[3] = {0, 1, 1};

	begin(3); /* leader paused at 500; node 1 wins 400 ms later */
	elect(MS(50), 0, 1, 3);
	lead(MS(50), MS(490), 0, 1);
	feed(WEV_PAUSE, MS(500), 0, 0, RAFT_NONE);
	campaign(MS(900), 1, 2);
	feed(WEV_TERM, MS(900), 2, 2, RAFT_NONE);
	feed(WEV_VOTE, MS(900), 2, 2, 1);
	feed(WEV_ROLE, MS(900), 1, 2, RAFT_LEADER);
	checker_finish(ck, MS(910));
	CHECK_EQ(violations(), 0);
	CHECK_EQ(checker_live_stats(ck).judged, 2);
	CHECK_EQ(checker_live_stats(ck).longest_us, MS(400));
	begin(3); /* a leader cut off in a minority does not count */
	elect(MS(50), 0, 1, 3);
	partition(MS(100), apart);
	checker_finish(ck, MS(930));
	CHECK(reported("liveness: no leader among the 2 running, connected "
		       "nodes"));
}

static void liveness_waits_for_a_quiet_majority(void)
{
	static const uint8_t apart[3] = {0, 1, 1};
	int64_t t;

	begin(3); /* no majority connected until the heal */
	partition(MS(10), (const uint8_t[3]){0, 1, 2});
	feed(WEV_HEAL, MS(900), RAFT_NONE, 0, RAFT_NONE);
	checker_finish(ck, MS(1729));
	CHECK_EQ(violations(), 0);
	begin(3); /* a majority touched again and again */
	for (t = MS(10); t < MS(3000); t += MS(200)) {
		feed(WEV_PAUSE, t, 1, 0, RAFT_NONE);
		feed(WEV_RESUME, t + MS(20), 1, 0, RAFT_NONE);
		feed(WEV_PAUSE, t + MS(100), 2, 0, RAFT_NONE);
		feed(WEV_RESUME, t + MS(120), 2, 0, RAFT_NONE);
	}
	checker_finish(ck, MS(3000));
	CHECK_EQ(violations(), 0);
	begin(3); /* lost messages touch both ends */
	for (t = MS(10); t < MS(3000); t += MS(300))
		loss(t, 1, 2);
	checker_finish(ck, MS(3000));
	CHECK_EQ(violations(), 0);
	begin(3); /* the group with the majority changed at 400 ms */
	partition(MS(10), apart);
	partition(MS(400), (const uint8_t[3]){0, 0, 1});
	checker_finish(ck, MS(1229));
	CHECK_EQ(violations(), 0);
	begin(3);
	partition(MS(10), apart);
	partition(MS(400), (const uint8_t[3]){0, 0, 1});
	checker_finish(ck, MS(1230));
	CHECK_EQ(violations(), 1);
}

static void liveness_not_judged_with_drop(void)
{
	setup(3);
	info.drop = 0.2;
	start();
	checker_finish(ck, MS(5000));
	CHECK_EQ(violations(), 0);
}

/* Past CHECKER_LIVE_NODES_PER_TICK nodes per tick of spread, split votes
 * can last longer than any safe window: not judged, and said so; at the
 * limit, judged as usual. */
static void liveness_not_judged_in_a_crowded_spread(void)
{
	int limit = CHECKER_LIVE_NODES_PER_TICK * 11; /* 10-20 ticks */

	setup(limit + 1);
	start();
	checker_finish(ck, MS(5000));
	CHECK_EQ(violations(), 0);
	CHECK_EQ(checker_live_stats(ck).skip, CHECKER_LIVE_CROWDED);
	setup(limit);
	start();
	checker_finish(ck, MS(5000));
	CHECK_EQ(checker_live_stats(ck).skip, CHECKER_LIVE_JUDGED);
	CHECK(violations() > 0);
}

/* A trace may promise any latency: the window saturates, never wraps to a
 * small one that would fail correct code. */
static void liveness_window_saturates(void)
{
	setup(3);
	info.latency_max_us = UINT64_MAX / 4;
	info.election_min = info.election_max = 10;
	start();
	CHECK(checker_live_stats(ck).window_us == INT64_MAX);
	setup(3);
	info.latency_max_us = 100000000000ull; /* 10^8 ms */
	info.election_min = info.election_max = 10;
	start();
	CHECK(checker_live_stats(ck).window_us == INT64_MAX); /* 6.4e19 us */
}

const struct test_case checker_live_tests[] = {
	{"checker: an election or pre-vote under election_min ticks of the "
	 "node's clock after a heartbeat is a timer-reset violation",
	 timer_reset_fires},
	{"checker: the timer-reset rule holds under pauses, partitions and "
	 "loss",
	 timer_reset_fires_under_faults_and_loss},
	{"checker: a timeout at the minimum, after a pause or after a restart "
	 "is no timer-reset violation",
	 timer_reset_quiet_on_correct_timing},
	{"checker: a leader without a round for heartbeat_ticks, or for "
	 "election_min, of its clock is a heartbeat-gap violation",
	 heartbeat_gap_fires},
	{"checker: rounds on time, or a leader paused, are no heartbeat-gap "
	 "violation",
	 heartbeat_gap_quiet_on_correct_timing},
	{"checker: a spurious election is counted, never a violation",
	 spurious_counted_not_judged},
	{"checker: elections under a new, older, unreachable leader, by a "
	 "resumed node, or after loss, are not spurious",
	 election_not_spurious},
	{"checker: no leader for the window is a liveness violation",
	 no_leader_is_a_liveness_violation},
	{"checker: a quiet majority must elect whatever faults other nodes "
	 "have, within a window that counts latency and reordering",
	 liveness_judged_under_random_faults},
	{"checker: a leader lost and regained in time passes; one in a "
	 "minority does not count",
	 liveness_leader_lost_and_regained},
	{"checker: liveness waits for a majority that faults leave alone",
	 liveness_waits_for_a_quiet_majority},
	{"checker: liveness is not judged with --drop",
	 liveness_not_judged_with_drop},
	{"checker: liveness is not judged, and said so, with more nodes than "
	 "24 per tick of the timeouts' spread",
	 liveness_not_judged_in_a_crowded_spread},
	{"checker: the liveness window saturates for any promised latency",
	 liveness_window_saturates},
	{NULL, NULL},
};

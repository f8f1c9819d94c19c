/* test_checker_live.c - the checker over whole runs, firing and not firing.
 *
 * Spurious elections, liveness, malformed streams, reports and long runs, from
 * hand-made event streams (checkfeed.h); the last tests drive the real core
 * through testnet and feed what it reports.
 */
#include <string.h>

#include "checkfeed.h"
#include "harness/monitor.h"
#include "testhelp.h"
#include "testnet.h"

static void spurious_election_fault_free(void)
{
	begin(3);
	elect(MS(0), 0, 1, 3);
	lead(0, MS(300), 0, 1);
	campaign(MS(300), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 1);
	CHECK(reported("spurious election: node 2 started term 2 while node 0 "
		       "had led term 1"));
}

static void spurious_after_heartbeat(void)
{
	begin(3);
	elect(MS(0), 0, 1, 3);
	lead(0, MS(60), 0, 1);
	campaign(MS(150), 2, 2); /* too soon for the 200 ms rule */
	CHECK_EQ(checker_spurious_elections(ck), 1);
	CHECK(reported("node 0 had led term 1 for 150 ms and reached it"));
}

static void spurious_election_with_faults(void)
{
	begin(3);
	elect(MS(0), 0, 1, 3);
	feed(WEV_PAUSE, MS(10), 1, 0, RAFT_NONE);
	feed(WEV_RESUME, MS(20), 1, 0, RAFT_NONE);
	lead(0, MS(300), 0, 1);
	campaign(MS(300), 2, 2);
	CHECK_EQ(checker_spurious_elections(ck), 1);
	CHECK_EQ(violations(), 0);
	setup(3);
	info.dup = 0.1; /* duplicates cannot excuse it, but it is a fault */
	start();
	elect(MS(0), 0, 1, 3);
	campaign(MS(300), 2, 2);
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
	feed(WEV_HEARTBEAT, MS(1), 1, 1, 0); /* but not node 2 */
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
	begin(3); /* the leader's term is older than the candidate's */
	elect(MS(0), 0, 1, 3);
	feed(WEV_TERM, MS(10), 2, 7, RAFT_NONE);
	campaign(MS(300), 2, 8);
	CHECK_EQ(checker_spurious_elections(ck), 0);
}

static void no_leader_is_a_liveness_violation(void)
{
	begin(3);
	campaign(MS(100), 1, 1); /* nobody answers */
	feed(WEV_TERM, MS(431), 0, 1, RAFT_NONE); /* judged before this */
	CHECK(reported("liveness: no leader 43 ticks after the faults ended"));
	checker_finish(ck, MS(2000));
	CHECK_EQ(violations(), 1); /* once per quiet period */
}

static void follower_without_leader_fails_liveness(void)
{
	begin(3);
	elect(MS(50), 0, 1, 3);
	feed(WEV_ROUND, MS(80), 0, 1, RAFT_NONE);
	feed(WEV_HEARTBEAT, MS(80), 1, 1, 0);
	feed(WEV_TERM, MS(90), 2, 2, RAFT_NONE); /* node 2 wanders off */
	feed(WEV_ROLE, MS(90), 2, 2, RAFT_CANDIDATE);
	checker_finish(ck, MS(430)); /* the deadline itself counts */
	CHECK(reported("liveness: node 2 (candidate of term 2) does not "
		       "follow node 0, leader of term 1"));
}

static void liveness_waits_for_faults_to_end(void)
{
	static const uint8_t apart[3] = {0, 1, 1};

	begin(3);
	partition(MS(10), apart);
	feed(WEV_HEAL, MS(900), RAFT_NONE, 0, RAFT_NONE);
	checker_finish(ck, MS(1329)); /* 900 + 430 not reached */
	CHECK_EQ(violations(), 0);
	begin(3);
	feed(WEV_CRASH, MS(10), 2, 0, RAFT_NONE);
	feed(WEV_RESTART, MS(900), 2, 0, RAFT_NONE);
	elect(MS(1000), 1, 1, 3);
	checker_finish(ck, MS(2000));
	CHECK_EQ(violations(), 0);
	begin(3);
	feed(WEV_PAUSE, MS(10), 2, 0, RAFT_NONE);
	feed(WEV_RESUME, MS(900), 2, 0, RAFT_NONE);
	checker_finish(ck, MS(1330));
	CHECK_EQ(violations(), 1);
}

static void liveness_not_judged_with_loss(void)
{
	setup(3);
	info.drop = 0.2;
	start();
	checker_finish(ck, MS(5000));
	CHECK_EQ(violations(), 0);
	setup(3);
	info.random_faults = true;
	start();
	checker_finish(ck, MS(5000));
	CHECK_EQ(violations(), 0);
}

static void events_out_of_order(void)
{
	begin(3);
	feed(WEV_TERM, MS(5), 0, 1, RAFT_NONE);
	feed(WEV_TERM, MS(4), 1, 1, RAFT_NONE);
	CHECK(reported("term event at 4000 us comes after one at 5000 us"));
	CHECK_EQ(violations(), 1);
}

static void events_before_start(void)
{
	setup(3);
	checker_free(ck);
	ck = checker_new();
	feed(WEV_TERM, MS(1), 0, 1, RAFT_NONE);
	feed(WEV_TERM, MS(2), 0, 2, RAFT_NONE);
	CHECK_EQ(violations(), 1);
	CHECK(reported("events before the start event"));
	begin(3); /* node ids outside the cluster */
	feed(WEV_TERM, MS(1), 3, 1, RAFT_NONE);
	feed(WEV_VOTE, MS(1), 0, 1, -1);
	CHECK_EQ(violations(), 2);
}

static void mistakes_do_not_disable_checks(void)
{
	setup(5);
	info.mistakes = RAFT_MISTAKE_DOUBLE_VOTE | RAFT_MISTAKE_NO_STEPDOWN;
	start();
	elect(MS(10), 0, 1, 3);
	feed(WEV_VOTE, MS(11), 1, 1, 4);
	CHECK(reported("node 1 voted twice in term 1"));
}

static void reports_are_kept_and_printed(void)
{
	char line[256];
	FILE *f;
	int i, lines = 0;

	begin(3);
	for (i = 0; i < 20; i++) {
		feed(WEV_TERM, MS(1) + 500 + i, 0, 10, RAFT_NONE);
		feed(WEV_TERM, MS(1) + 500 + i, 0, 9, RAFT_NONE);
	}
	CHECK_EQ(violations(), 20);
	f = tmpfile();
	REQUIRE(f != NULL);
	checker_print(ck, f);
	rewind(f);
	REQUIRE(fgets(line, sizeof(line), f) != NULL);
	CHECK(strcmp(line, "  at 1.500 ms: node 0's term went back from 10 "
			   "to 9\n") == 0);
	for (lines = 1; fgets(line, sizeof(line), f) != NULL; lines++)
		;
	CHECK_EQ(lines, CHECKER_MAX_REPORTS + 1);
	CHECK(strcmp(line, "  ... and 4 more\n") == 0);
	fclose(f);
	checker_finish(ck, MS(5));
	checker_finish(ck, MS(5000)); /* idempotent: no second verdict */
	CHECK_EQ(violations(), 20);
}

static void many_terms_stay_correct(void)
{
	uint64_t t;

	begin(3);
	for (t = 1; t <= 20000; t++) {
		if (t > 1) { /* the last leader hears of term t and yields */
			saw_term(MS(t), (int)((t - 1) % 3), t - 1, t);
			feed(WEV_TERM, MS(t), (int)((t - 1) % 3), t, RAFT_NONE);
			feed(WEV_ROLE, MS(t), (int)((t - 1) % 3), t,
			     RAFT_FOLLOWER);
		}
		elect(MS(t), (int)(t % 3), t, 3);
	}
	checker_finish(ck, MS(20001));
	CHECK_EQ(violations(), 0);
	feed(WEV_TERM, MS(20002), 0, 1, RAFT_NONE); /* after the end */
	CHECK_EQ(violations(), 0);
}

/* The real core, driven by testnet: every event it reports is fed with the
 * time of the tick it happened in. */
static struct testnet net;
static int fed;

static void drain(int64_t us)
{
	struct wev w;

	for (; fed < net.event_len; fed++) {
		w = wev_from_raft(&net.events[fed], us, 0);
		checker_feed(ck, &w);
	}
}

static unsigned core_mistakes;

static void set_mistakes(struct raft_config *cfg)
{
	cfg->mistakes = core_mistakes;
}

/* Node 0 leads term 1, is cut off while node 1 wins term 2, and returns;
 * the checker hears of the cut as a partition, as in a real run. */
static void core_scenario(unsigned mistakes)
{
	static const uint8_t apart[3] = {0, 1, 1};
	int tick;

	core_mistakes = mistakes;
	setup(3);
	info.mistakes = mistakes;
	start();
	fed = 0;
	testnet_init(&net, 3, 5, set_mistakes);
	testnet_elect(&net, 0);
	drain(0);
	net.cut[0] = 1;
	partition(MS(5), apart);
	testnet_elect(&net, 1);
	drain(MS(10));
	net.cut[0] = 0;
	feed(WEV_HEAL, MS(15), RAFT_NONE, 0, RAFT_NONE);
	for (tick = 2; tick < 30; tick++) {
		testnet_tick(&net);
		testnet_deliver(&net, 1000);
		drain(MS(10 * tick));
	}
	checker_finish(ck, MS(300));
}

static void real_core_passes(void)
{
	core_scenario(0);
	CHECK_EQ(violations(), 0);
	CHECK_EQ(net.nodes[0].role, RAFT_FOLLOWER);
}

static void real_core_no_stepdown_caught(void)
{
	core_scenario(RAFT_MISTAKE_NO_STEPDOWN);
	CHECK(reported("node 0 stayed leader of term 1 after seeing term 2"));
}

const struct test_case checker_live_tests[] = {
	{"checker: an election under a healthy leader is spurious, and a "
	 "violation in a fault-free run", spurious_election_fault_free},
	{"checker: an election after a healthy leader's heartbeat reached the "
	 "node is spurious", spurious_after_heartbeat},
	{"checker: a spurious election in a run with faults is counted, not a "
	 "violation", spurious_election_with_faults},
	{"checker: elections under a new, older, unreachable leader or by a "
	 "resumed node, or with loss, are not spurious",
	 election_not_spurious},
	{"checker: no leader once faults have ended is a liveness violation",
	 no_leader_is_a_liveness_violation},
	{"checker: a running node that follows no leader is a liveness "
	 "violation", follower_without_leader_fails_liveness},
	{"checker: liveness is judged from the end of the last fault",
	 liveness_waits_for_faults_to_end},
	{"checker: liveness is not judged with message loss or random faults",
	 liveness_not_judged_with_loss},
	{"checker: events out of time order are a violation",
	 events_out_of_order},
	{"checker: events before the start event or naming no node are "
	 "violations", events_before_start},
	{"checker: injected mistakes do not switch the checks off",
	 mistakes_do_not_disable_checks},
	{"checker: keeps the first reports, counts all, prints them with "
	 "their time", reports_are_kept_and_printed},
	{"checker: twenty thousand terms raise nothing", many_terms_stay_correct},
	{"checker: the real core's elections and step-downs pass every check",
	 real_core_passes},
	{"checker: the real core with the no-stepdown mistake is caught",
	 real_core_no_stepdown_caught},
	{NULL, NULL},
};

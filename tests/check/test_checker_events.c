/* test_checker_events.c - every event checked against its node's state,
 * malformed streams, the checker's reports, runs of many terms, and the real
 * core driven through testnet with every event it reports fed to the
 * checker. Streams as in test_checker_live.c (checkfeed.h).
 */
#include <stdlib.h>
#include <string.h>

#include "checkfeed.h"
#include "harness/monitor.h"
#include "testhelp.h"
#include "testnet.h"

static void events_must_match_their_node(void)
{
	begin(3);
	feed(WEV_PAUSE, MS(1), 1, 0, RAFT_NONE);
	feed(WEV_TERM, MS(2), 1, 1, RAFT_NONE);
	CHECK(reported("event: node 1 reported a term event while paused"));
	begin(3);
	feed(WEV_TERM, MS(1), 1, 1, RAFT_NONE);
	feed(WEV_ROLE, MS(1), 1, 1, RAFT_LEADER);
	CHECK(reported("event: node 1 became leader from follower in term 1 "
		       "(Figure 4 forbids it)"));
	begin(3);
	feed(WEV_ROUND, MS(1), 2, 0, RAFT_NONE);
	CHECK(reported("event: node 2 reported a round event as leader in "
		       "term 0, but it is follower"));
	begin(3);
	feed_clock(WEV_TERM, MS(1), 7, 0, 1, RAFT_NONE);
	feed_clock(WEV_TERM, MS(2), 6, 0, 2, RAFT_NONE);
	CHECK(reported("event: node 0's clock went back from tick 7 to 6"));
	begin(3);
	feed(WEV_TERM, MS(1), 0, 1, RAFT_NONE);
	feed(WEV_TERM, MS(2), 0, 1, RAFT_NONE);
	CHECK(reported("event: node 0 reported a change to term 1, its term "
		       "already"));
	CHECK_EQ(violations(), 1);
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
	loss(MS(1), 0, 3);
	CHECK_EQ(violations(), 3);
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
	CHECK(strcmp(line, "  at 1.500 ms: term: node 0's term went back from "
			   "10 to 9\n") == 0);
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
	int64_t us;
	int old;

	begin(3);
	for (t = 1; t <= 20000; t++) {
		us = MS(200) * (int64_t)t;
		old = (int)((t - 1) % 3);
		if (t > 1) { /* the last leader hears of term t and yields */
			lead_but(us - MS(200), us - MS(20), old, t - 1,
				 (int)(t % 3));
			saw_term(us, old, t - 1, t);
			feed(WEV_TERM, us, old, t, RAFT_NONE);
			feed(WEV_ROLE, us, old, t, RAFT_FOLLOWER);
		}
		elect(us, (int)(t % 3), t, 3);
	}
	checker_finish(ck, MS(200) * 20001);
	CHECK_EQ(violations(), 0);
	feed(WEV_TERM, MS(200) * 20002, 0, 1, RAFT_NONE); /* after the end */
	CHECK_EQ(violations(), 0);
}

/* Issue 8: one node cut off alone climbs terms for ever while the others
 * keep theirs. The old checker kept a window of terms and gave up after
 * 65,536 of them at 256 nodes; records now exist only for terms in use. */
static void a_node_far_ahead_is_checked_for_ever(void)
{
	static uint8_t apart[256];
	uint64_t t;
	int64_t us;

	memset(apart, 0, sizeof(apart));
	apart[255] = 1;
	begin(256);
	elect(MS(10), 0, 1, 256);
	partition(MS(20), apart);
	lead_but(MS(10), MS(190), 0, 1, 255);
	for (t = 2; t <= 70000; t++) {
		us = MS(200) + (int64_t)t * 1000;
		campaign(us, 255, t);
		if (us % MS(30) == MS(10)) /* node 0 leads on */
			feed(WEV_ROUND, us, 0, 1, RAFT_NONE);
	}
	feed(WEV_VOTE, us, 255, 70000, 0); /* still judged: a second vote */
	CHECK_EQ(violations(), 1);
	CHECK(reported("one vote: node 255 voted twice in term 70000"));
}

/* The real core, driven by testnet: every event it reports is fed with the
 * time of the tick it happened in. */
struct core_run {
	struct testnet net;
	int fed;
};

static void drain(struct core_run *r, int64_t us)
{
	struct wev w;

	for (; r->fed < r->net.event_len; r->fed++) {
		w = wev_from_raft(&r->net.events[r->fed], us, 0);
		checker_feed(ck, &w);
	}
}

static void no_stepdown(struct raft_config *cfg)
{
	cfg->mistakes = RAFT_MISTAKE_NO_STEPDOWN;
}

/* Node 0 leads term 1 and is cut off; the others time out and elect a
 * leader of a later term; node 0 comes back. The checker hears of the cut
 * as a partition, as in a real run. */
static struct core_run *core_scenario(unsigned mistakes)
{
	static const uint8_t apart[3] = {0, 1, 1};
	struct core_run *r = calloc(1, sizeof(*r));
	int tick;

	if (r == NULL)
		return NULL;
	setup(3);
	info.mistakes = mistakes;
	start();
	testnet_init(&r->net, 3, 5, mistakes ? no_stepdown : NULL);
	testnet_elect(&r->net, 0);
	drain(r, 0);
	r->net.cut[0] = 1;
	partition(MS(5), apart);
	for (tick = 1; tick <= 60; tick++) {
		if (tick == 40) {
			r->net.cut[0] = 0;
			feed(WEV_HEAL, MS(10 * tick), RAFT_NONE, 0, RAFT_NONE);
		}
		testnet_tick(&r->net);
		testnet_deliver(&r->net, 1000);
		drain(r, MS(10 * tick));
	}
	checker_finish(ck, MS(610));
	return r;
}

static void real_core_passes(void)
{
	struct core_run *r = core_scenario(0);

	REQUIRE(r != NULL);
	CHECK_EQ(violations(), 0);
	CHECK_EQ(r->net.nodes[0].role, RAFT_FOLLOWER);
	CHECK(r->net.nodes[0].current_term > 1);
	free(r);
}

static void real_core_no_stepdown_caught(void)
{
	struct core_run *r = core_scenario(RAFT_MISTAKE_NO_STEPDOWN);

	REQUIRE(r != NULL);
	CHECK(reported("node 0 stayed leader of term 1 after seeing term"));
	free(r);
}

const struct test_case checker_event_tests[] = {
	{"checker: every event must match its node's term, role, state and "
	 "clock",
	 events_must_match_their_node},
	{"checker: events out of time order are a violation",
	 events_out_of_order},
	{"checker: events before the start event or naming no node are "
	 "violations",
	 events_before_start},
	{"checker: injected mistakes do not switch the checks off",
	 mistakes_do_not_disable_checks},
	{"checker: keeps the first reports, counts all, prints them with "
	 "their time",
	 reports_are_kept_and_printed},
	{"checker: twenty thousand terms raise nothing",
	 many_terms_stay_correct},
	{"checker: a node seventy thousand terms ahead of the others is still "
	 "checked",
	 a_node_far_ahead_is_checked_for_ever},
	{"checker: the real core's elections and step-downs pass every check",
	 real_core_passes},
	{"checker: the real core with the no-stepdown mistake is caught",
	 real_core_no_stepdown_caught},
	{NULL, NULL},
};

/* test_checker_overload.c - what the machine could not keep: late ticks
 * (threads) and messages lost to full mailboxes are faults for liveness,
 * counted and said in the verdict; a run they kept from being judged
 * exits 3, unless it broke a safety rule. From hand-made event streams
 * (checkfeed.h: 10 ms ticks, election 10-20, a liveness window of 830 ms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkfeed.h"
#include "cli/options.h"
#include "harness/monitor.h"
#include "testhelp.h"

/* Late ticks of nodes 1 and 2 every 100 ms until `to`: no two nodes of
 * three are ever quiet for long. */
static void both_late_until(int64_t to)
{
	int64_t t;

	for (t = MS(10); t < to; t += MS(100)) {
		late(t, 1, MS(20));
		late(t + MS(50), 2, MS(20));
	}
}

static void late_tick_is_a_fault_for_liveness(void)
{
	struct checker_overload o;
	int64_t t;

	begin(3);
	both_late_until(MS(3000));
	checker_finish(ck, MS(3000));
	CHECK_EQ(violations(), 0);
	o = checker_overload(ck);
	CHECK_EQ(o.late, 60);
	CHECK_EQ(o.late_nodes, 2);
	CHECK_EQ(o.longest_late_us, MS(20));
	CHECK_EQ(o.lost, 0);
	/* A late tick of one node does not excuse the other two. */
	begin(3);
	for (t = MS(10); t < MS(3000); t += MS(100))
		late(t, 1, MS(20));
	checker_finish(ck, MS(3000));
	CHECK_EQ(violations(), 1);
	CHECK(reported("liveness: no leader among the 3 running, connected "
		       "nodes for 830.000 ms"));
}

/* A thread can say it was late only when it runs again, after other
 * threads' events: on threads a failed wait waits for the nodes it
 * counted as quiet. */
static void threads_liveness_waits_for_late_ticks(void)
{
	const struct checker_violation *v;

	setup(3);
	strcpy(info.mode, "threads");
	start();
	late(MS(900), 1, MS(200)); /* late from 700 ms: through 830 */
	CHECK_EQ(violations(), 0);
	late(MS(905), 2, MS(200)); /* now only node 0 was quiet */
	checker_finish(ck, MS(1000));
	CHECK_EQ(violations(), 0);
	CHECK_EQ(checker_overload(ck).live_withdrawn, 1);
	/* Its wait starts over, and is judged. */
	setup(3);
	strcpy(info.mode, "threads");
	start();
	late(MS(900), 1, MS(200));
	late(MS(905), 2, MS(200));
	checker_finish(ck, MS(2000));
	CHECK_EQ(violations(), 1);
	REQUIRE(checker_reports(ck, &v) == 1);
	CHECK_EQ(v[0].us, MS(1730));
	/* Late only after the deadline: reported, at the deadline, once
	 * every node it counted on has been heard from. */
	setup(3);
	strcpy(info.mode, "threads");
	start();
	late(MS(900), 1, MS(50));
	late(MS(905), 2, MS(50));
	CHECK_EQ(violations(), 0);
	feed(WEV_TERM, MS(910), 0, 1, RAFT_NONE);
	CHECK_EQ(violations(), 1);
	REQUIRE(checker_reports(ck, &v) == 1);
	CHECK_EQ(v[0].us, MS(830));
	/* The simulator has no late ticks: judged at once. */
	begin(3);
	late(MS(900), 1, MS(200));
	CHECK_EQ(violations(), 1);
}

static void same_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		TEST_FAIL_AT("got \"%s\", want \"%s\"", got, want);
}

static char *overload_text(unsigned mailbox)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	checker_print_overload(ck, f, "raftsim", mailbox);
	fclose(f);
	return text;
}

static void overload_said_in_the_verdict(void)
{
	char *text;

	begin(3);
	late(MS(100), 1, MS(85));
	late(MS(200), 2, MS(20));
	loss(MS(300), 0, 2);
	checker_finish(ck, MS(400));
	CHECK_EQ(checker_overload(ck).lost, 1);
	text = overload_text(1);
	REQUIRE(text != NULL);
	same_text(text,
		  "raftsim: the machine could not keep the schedule: "
		  "2 ticks run a tick or more late (the longest 85 ms) on "
		  "2 nodes; liveness excludes what they touched\n"
		  "raftsim: 1 message lost to full mailboxes (--mailbox "
		  "1); liveness excludes what they touched\n");
	free(text);
	begin(3); /* nothing to say */
	checker_finish(ck, MS(400));
	text = overload_text(1);
	REQUIRE(text != NULL);
	same_text(text, "");
	free(text);
}

/* The verdict of the stream fed to ck, as a run would print it. */
static int verdict(char **text)
{
	struct node_summary sums[3];
	struct monitor m;
	size_t len = 0;
	FILE *out = open_memstream(text, &len);
	FILE *err = fopen("/dev/null", "w");
	int code = -1;

	memset(sums, 0, sizeof(sums));
	memset(&m, 0, sizeof(m));
	m.info = info;
	m.checker = ck;
	m.mailbox = 1;
	if (out != NULL && err != NULL)
		code = monitor_verdict(&m, sums, 3, out, err);
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return code;
}

static void unjudged_run_exits_3_unless_unsafe(void)
{
	char *text = NULL;

	setup(3);
	strcpy(info.mode, "threads");
	start();
	both_late_until(MS(3000));
	checker_finish(ck, MS(3000));
	CHECK(checker_unjudged(ck));
	CHECK_EQ(checker_overload(ck).excluded_us, MS(3000 - 830));
	CHECK_EQ(verdict(&text), EXIT_RUN_FAILED);
	CHECK(text != NULL &&
	      strstr(text, "raftsim: CANNOT JUDGE (3 nodes: "
			   "for 2170 of 3000 ms a majority had no "
			   "leader") != NULL);
	free(text);
	text = NULL;
	/* A safety violation is one whatever the load. */
	setup(3);
	strcpy(info.mode, "threads");
	start();
	both_late_until(MS(2900));
	feed(WEV_TERM, MS(2950), 0, 2, RAFT_NONE);
	feed(WEV_TERM, MS(2960), 0, 1, RAFT_NONE);
	checker_finish(ck, MS(3000));
	CHECK(checker_unjudged(ck));
	CHECK_EQ(verdict(&text), EXIT_VIOLATION);
	CHECK(text != NULL && strstr(text, "raftsim: FAIL (1 violation of "
					   "term") != NULL);
	free(text);
	text = NULL;
	/* Late ticks while a leader leads leave the run judged. */
	begin(3);
	elect(MS(0), 0, 1, 3);
	both_late_until(MS(3000));
	checker_finish(ck, MS(3000));
	CHECK(!checker_unjudged(ck));
	CHECK_EQ(verdict(&text), EXIT_PASS);
	CHECK(text != NULL && strstr(text, "raftsim: PASS") != NULL);
	free(text);
}

const struct test_case checker_overload_tests[] = {
	{"checker: a tick run late is a fault touching its node: liveness "
	 "excludes it, and counts it",
	 late_tick_is_a_fault_for_liveness},
	{"checker: on threads a failed liveness wait waits for the nodes it "
	 "counted on, and is withdrawn if their late ticks covered it",
	 threads_liveness_waits_for_late_ticks},
	{"checker: late ticks and lost messages are said in the verdict",
	 overload_said_in_the_verdict},
	{"checker: a run overload kept from being judged most of the time "
	 "exits 3 (CANNOT JUDGE); a safety violation still exits 1",
	 unjudged_run_exits_3_unless_unsafe},
	{NULL, NULL},
};

/* test_cluster.c - the threaded runtime in real time (issue 3, "Cluster
 * tests").
 *
 * Each test runs a whole cluster through runtime_run_with and looks at the
 * event stream (through the tap) and the result struct. Bounds are in
 * ticks and generous, so that a loaded 2-core machine or ThreadSanitizer
 * (5-15x slower) cannot make them fail. What bounds cannot absorb is a
 * stalled thread: a leader descheduled for about election.min - heartbeat
 * = 7 ticks lets a follower time out, which the steady-state test counts
 * as a spurious election. Hence a tick of test_tick_ms() (30 ms), so
 * that such a stall has to last 210 ms; RAFTSIM_TEST_TICK_MS overrides it
 * (`make tsan` sets it). test_cli.c uses the same tick for its threaded
 * runs. The seeds are fixed so that the nodes' first timeout draws are the
 * same every time; only the thread timing varies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "recorder.h"
#include "runtime/runtime.h"
#include "testhelp.h"
#include "testrun.h"

#define REC_MAX 65536

/* One test's cluster: its options, its figures and its events. */
struct fixture {
	struct raftsim_options opts;
	struct runtime_result result;
	struct recorder rec;
};

static int64_t ticks_us(const struct fixture *f, uint64_t ticks)
{
	return (int64_t)ticks * (int64_t)f->opts.tick_us;
}

static void configure(struct fixture *f, int nodes, uint64_t ticks,
		      uint64_t seed)
{
	options_default(&f->opts);
	f->opts.nodes = nodes;
	f->opts.ticks = ticks;
	f->opts.tick_us = (uint64_t)test_tick_ms() * 1000;
	f->opts.seed = seed;
	f->opts.seed_given = true;
	f->opts.quiet = true;
}

/* Runs one test body on a fresh fixture, and frees it however it ends. */
static void with_fixture(void (*body)(struct fixture *f))
{
	struct fixture *f = calloc(1, sizeof(*f));

	REQUIRE(f != NULL);
	if (recorder_init(&f->rec, REC_MAX) == 0)
		body(f);
	else
		CHECK(!"out of memory");
	recorder_free(&f->rec);
	free(f);
}

static void pause_at(struct fixture *f, int who, uint64_t tick, uint64_t len)
{
	struct fault_window *w = &f->opts.pauses[f->opts.pause_count++];

	w->who = who;
	w->tick = tick;
	w->len = len;
}

static void dump(FILE *file, const char *what)
{
	char buf[4096];
	size_t n;

	rewind(file);
	fprintf(stderr, "    --- %s:\n", what);
	while ((n = fread(buf, 1, sizeof(buf), file)) > 0)
		fwrite(buf, 1, n, stderr);
}

/* Election safety as the tap saw it: no two nodes became leader of one
 * term. A second look beside the checker's count, on the raw events. */
static int two_leaders_in_a_term(const struct recorder *rec)
{
	int i, j;

	for (i = 0; (i = recorder_find_role(rec, i, -1, RAFT_LEADER, -1)) >= 0;
	     i++)
		for (j = 0; (j = recorder_find_role(rec, j, -1, RAFT_LEADER,
						    rec->ev[i].node)) >= 0 &&
			    j < i;
		     j++)
			if (rec->ev[j].term == rec->ev[i].term)
				return 1;
	return 0;
}

/* Runs the cluster; on a failed check later, the output is shown. */
static int run(struct fixture *f)
{
	struct harness_tap tap = recorder_tap(&f->rec);
	FILE *out = tmpfile();
	FILE *err = tmpfile();
	int failures = test_failures;
	int code = -1;

	recorder_clear(&f->rec);
	if (out == NULL || err == NULL)
		goto done;
	code = runtime_run_with(&f->opts, out, err, &tap, &f->result);
	CHECK(!f->rec.overflow);
	CHECK_EQ(f->result.violations, 0);
	CHECK(!two_leaders_in_a_term(&f->rec));
	if (code != EXIT_PASS || test_failures != failures) {
		dump(out, "stdout");
		dump(err, "stderr");
	}
done:
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return code;
}

static int the_leader(const struct fixture *f)
{
	int leader = -1;
	int i;

	for (i = 0; i < f->result.nodes; i++) {
		if (f->result.node[i].role != RAFT_LEADER)
			continue;
		CHECK(leader == -1); /* exactly one */
		leader = i;
	}
	return leader;
}

static void steady_three_nodes_on(struct fixture *f)
{
	const struct runtime_node_result *l;
	uint64_t rounds;
	int elected;
	int leader;
	int hb;
	int i;
	int fo;

	configure(f, 3, 100, 1);
	REQUIRE(run(f) == EXIT_PASS);
	CHECK_EQ(f->result.spurious_elections, 0);
	/* The checker counted the elections the nodes started. */
	CHECK_EQ(f->result.elections,
		 recorder_count(&f->rec, WEV_ELECTION, -1));
	CHECK_EQ(f->result.leaders_elected, 1);
	leader = the_leader(f);
	REQUIRE(leader >= 0);
	l = &f->result.node[leader];
	for (i = 0; i < 3; i++)
		CHECK_EQ(f->result.node[i].term, l->term);
	/* The term stays the same once the leader is elected. */
	elected = recorder_find_role(&f->rec, 0, leader, RAFT_LEADER, -1);
	REQUIRE(elected >= 0);
	CHECK_EQ(f->rec.ev[elected].term, l->term);
	/* (A follower may adopt the leader's term after the election.) */
	for (i = elected; (i = recorder_find(&f->rec, i, WEV_TERM, -1)) >= 0;
	     i++)
		CHECK_EQ(f->rec.ev[i].term, l->term);
	CHECK_EQ(recorder_find(&f->rec, elected, WEV_ELECTION, -1), -1);
	/* A round every heartbeat interval from the election to the end. */
	rounds = l->stats.heartbeat_rounds;
	CHECK(rounds * 3 + 9 >=
	      (uint64_t)(ticks_us(f, 100) - f->rec.ev[elected].us) /
		      (uint64_t)ticks_us(f, 1));
	/* Every follower accepted every round and reset its timer at each
	 * one: its resets are its heartbeats plus the vote it gave. The last
	 * rounds may be undelivered: mailbox_stop ends the node threads with
	 * whatever mail is still queued, and a loaded machine can leave a
	 * follower a round or two behind the leader when that happens. Hence
	 * three rounds of slack, out of about 30 in the run: a follower that
	 * loses or ignores heartbeats along the way still fails. */
	for (fo = 0; fo < 3; fo++) {
		const struct raft_stats *s = &f->result.node[fo].stats;

		if (fo == leader)
			continue;
		CHECK(s->heartbeats_received <= rounds);
		CHECK(s->heartbeats_received + 3 >= rounds);
		CHECK_EQ(s->timeout_resets,
			 s->heartbeats_received + s->votes_granted);
		for (hb = 0, i = 0;
		     (i = recorder_find(&f->rec, i, WEV_HEARTBEAT, fo)) >= 0;
		     i++) {
			CHECK_EQ(f->rec.ev[i].peer, leader);
			hb++;
		}
		CHECK_EQ(hb, s->heartbeats_received);
	}
}

static void frozen_leader_is_replaced_on(struct fixture *f)
{
	const uint64_t emin = 10, emax = 20, hb = 3;
	int paused, elected, resumed, down, before;
	int p;

	configure(f, 3, 170, 2);
	pause_at(f, WHO_LEADER, 40, 100);
	REQUIRE(run(f) == EXIT_PASS);
	paused = recorder_find(&f->rec, 0, WEV_PAUSE, -1);
	REQUIRE(paused >= 0); /* a leader existed at tick 40 */
	p = f->rec.ev[paused].node;
	/* It was the leader: its last role change before the pause. */
	for (before = -1, elected = 0;
	     (elected = recorder_find(&f->rec, elected, WEV_ROLE, p)) >= 0 &&
	     elected < paused;
	     elected++)
		before = elected;
	REQUIRE(before >= 0);
	CHECK(f->rec.ev[before].role == RAFT_LEADER);
	/* Another node takes over at a higher term: not before the followers'
	 * timers could run out, and within the election window (a timeout,
	 * plus two more rounds in case of split votes between the two). */
	elected = recorder_find_role(&f->rec, paused, -1, RAFT_LEADER, p);
	REQUIRE(elected >= 0);
	CHECK(f->rec.ev[elected].term > f->rec.ev[before].term);
	CHECK(f->rec.ev[elected].us - f->rec.ev[paused].us >=
	      ticks_us(f, emin - hb - 1));
	CHECK(f->rec.ev[elected].us - f->rec.ev[paused].us <=
	      ticks_us(f, 3 * emax + hb));
	/* Nothing from the frozen node while frozen. */
	resumed = recorder_find(&f->rec, paused, WEV_RESUME, p);
	REQUIRE(resumed >= 0);
	CHECK(recorder_find(&f->rec, paused + 1, WEV_ROLE, p) == -1 ||
	      recorder_find(&f->rec, paused + 1, WEV_ROLE, p) > resumed);
	CHECK(recorder_find(&f->rec, paused + 1, WEV_ROUND, p) == -1 ||
	      recorder_find(&f->rec, paused + 1, WEV_ROUND, p) > resumed);
	/* Back, it steps down within about one heartbeat interval: on the
	 * new leader's heartbeats queued while it was frozen, or on the next
	 * one (hb ticks), or on a follower's reply to its own heartbeat. The
	 * bound is 2 * hb + 2 ticks: one interval, plus one more and 2 ticks
	 * because on a loaded machine (or under TSAN) the resumed thread and
	 * the new leader's thread may each be scheduled late. */
	down = recorder_find_role(&f->rec, resumed, p, RAFT_FOLLOWER, -1);
	REQUIRE(down >= 0);
	CHECK(f->rec.ev[down].term >= f->rec.ev[elected].term);
	CHECK(f->rec.ev[down].us - f->rec.ev[resumed].us <=
	      ticks_us(f, 2 * hb + 2));
	CHECK(f->result.node[p].role == RAFT_FOLLOWER);
}

static void four_of_seven_keep_a_leader_on(struct fixture *f)
{
	uint64_t term[7] = {0};
	enum raft_role role[7] = {RAFT_FOLLOWER};
	uint64_t top = 0;
	int resumed;
	int leaders = 0;
	int i;

	/* 0, 1 and 2 freeze at once: the leader among them or not, 3-6 must
	 * have a leader before the three come back. */
	configure(f, 7, 240, 3);
	pause_at(f, 0, 30, 150);
	pause_at(f, 1, 30, 150);
	pause_at(f, 2, 30, 150);
	REQUIRE(run(f) == EXIT_PASS);
	resumed = recorder_find(&f->rec, 0, WEV_RESUME, -1);
	REQUIRE(resumed >= 0);
	for (i = 0; i < resumed; i++) {
		const struct rec_ev *e = &f->rec.ev[i];

		if (e->type == WEV_TERM || e->type == WEV_ROLE)
			term[e->node] = e->term;
		if (e->type == WEV_ROLE)
			role[e->node] = e->role;
	}
	for (i = 3; i < 7; i++)
		if (term[i] > top)
			top = term[i];
	for (i = 3; i < 7; i++)
		if (role[i] == RAFT_LEADER && term[i] == top)
			leaders++;
	CHECK_EQ(leaders, 1);
	CHECK(the_leader(f) >= 0);
}

static void drops_keep_safety_on(struct fixture *f)
{
	configure(f, 5, 200, 4);
	f->opts.drop = 0.2;
	REQUIRE(run(f) == EXIT_PASS); /* violations checked in run() */
	CHECK(f->result.leaders_elected >= 1);
	CHECK(f->result.messages_sent > 100);
	/* Roughly a fifth were lost. */
	CHECK(f->result.messages_lost * 10 >= f->result.messages_sent);
	CHECK(f->result.messages_lost * 10 <= f->result.messages_sent * 3);
}

static void frozen_node_queues_and_skips_on(struct fixture *f)
{
	const struct runtime_node_result *x;
	int paused, resumed, i, lost;

	/* A tiny mailbox so that the frozen node's overflows. */
	configure(f, 3, 120, 5);
	f->opts.mailbox = 4;
	pause_at(f, 1, 30, 60);
	REQUIRE(run(f) == EXIT_PASS);
	x = &f->result.node[1];
	CHECK_EQ(x->mailbox_peak, 4);
	CHECK(x->mailbox_full > 0);
	/* Frozen: no core event from it between pause and resume; what its
	 * full mailbox lost is said, as losses to it (and a thread late at
	 * the pause says so as it goes down). */
	paused = recorder_find(&f->rec, 0, WEV_PAUSE, 1);
	resumed = recorder_find(&f->rec, 0, WEV_RESUME, 1);
	REQUIRE(paused >= 0 && resumed > paused);
	lost = 0;
	for (i = paused + 1; i < resumed; i++) {
		lost += f->rec.ev[i].type == WEV_LOSS;
		CHECK(f->rec.ev[i].node != 1 || f->rec.ev[i].type == WEV_LOSS ||
		      f->rec.ev[i].type == WEV_LATE);
	}
	CHECK(lost > 0);
	CHECK(!f->rec.overflow);
	CHECK_EQ((uint64_t)recorder_count(&f->rec, WEV_LOSS, 1),
		 x->mailbox_full);
	/* It missed 60 ticks and did not replay them; the others ticked
	 * throughout (a loaded machine may make any node skip a few). */
	CHECK(x->stats.ticks <= 120 - 60 + 3);
	CHECK(x->stats.ticks >= 30);
	for (i = 0; i < 3; i++)
		if (i != 1)
			CHECK(f->result.node[i].stats.ticks > 60 + 1);
}

/* 16 nodes with mailboxes of 1: vote replies and heartbeats are lost to
 * full mailboxes. Raft is not to blame: the run passes or cannot be
 * judged (exit 3), never fails, and says how many were lost, one loss
 * event each. */
static void mailbox_of_one_is_overload_on(struct fixture *f)
{
	struct harness_tap tap = recorder_tap(&f->rec);
	FILE *out = tmpfile(), *err = tmpfile();
	char text[256], *line = NULL;
	uint64_t full = 0;
	size_t len = 0;
	int code, i, said = 0, failures = test_failures;

	REQUIRE(out != NULL && err != NULL);
	configure(f, 16, 100, 6);
	f->opts.mailbox = 1;
	code = runtime_run_with(&f->opts, out, err, &tap, &f->result);
	CHECK(code == EXIT_PASS || code == EXIT_RUN_FAILED);
	for (i = 0; i < 16; i++)
		full += f->result.node[i].mailbox_full;
	CHECK(full > 0);
	CHECK(!f->rec.overflow);
	CHECK_EQ((uint64_t)recorder_count(&f->rec, WEV_LOSS, -1), full);
	snprintf(text, sizeof(text),
		 "raftsim: %llu messages lost to full "
		 "mailboxes (--mailbox 1); liveness excludes what they "
		 "touched\n",
		 (unsigned long long)full);
	rewind(out);
	while (getline(&line, &len, out) > 0) {
		said += strcmp(line, text) == 0;
		if (code == EXIT_RUN_FAILED)
			said += strncmp(line, "raftsim: CANNOT JUDGE", 21) == 0;
	}
	free(line);
	CHECK_EQ(said, code == EXIT_RUN_FAILED ? 2 : 1);
	if (test_failures != failures) {
		dump(out, "stdout");
		dump(err, "stderr");
	}
	fclose(out);
	fclose(err);
}

static void crashed_node_restarts_on(struct fixture *f)
{
	const struct runtime_node_result *x;
	int crashed, restarted, i;
	uint64_t term_at_crash = 0;

	configure(f, 3, 90, 7);
	f->opts.crashes[0] = (struct fault_window){2, 30, 20}; /* back at 50 */
	f->opts.crash_count = 1;
	REQUIRE(run(f) == EXIT_PASS);
	crashed = recorder_find(&f->rec, 0, WEV_CRASH, 2);
	restarted = recorder_find(&f->rec, crashed, WEV_RESTART, 2);
	REQUIRE(crashed >= 0 && restarted > crashed);
	CHECK_EQ(f->rec.ev[crashed].tick, 30);
	CHECK_EQ(f->rec.ev[restarted].tick, 50);
	/* Nothing from it while down; back, never below its durable term. */
	for (i = 0; i < restarted; i++)
		if (f->rec.ev[i].node == 2 && f->rec.ev[i].type == WEV_TERM)
			term_at_crash = f->rec.ev[i].term;
	for (i = crashed + 1; i < restarted; i++)
		CHECK(f->rec.ev[i].node != 2);
	for (i = restarted; (i = recorder_find(&f->rec, i, WEV_TERM, 2)) >= 0;
	     i++)
		CHECK(f->rec.ev[i].term >= term_at_crash);
	/* Its counters were kept across the restart: it ticked before the
	 * crash and after it (a reset count would hold about 40 ticks). */
	x = &f->result.node[2];
	CHECK(x->up);
	CHECK(x->stats.ticks >= 90 - 20 - 10);
	CHECK(x->stats.ticks <= 90 - 20 + 3);
}

static void crashed_node_restarts(void)
{
	with_fixture(crashed_node_restarts_on);
}

static void steady_three_nodes(void)
{
	with_fixture(steady_three_nodes_on);
}

static void frozen_leader_is_replaced(void)
{
	with_fixture(frozen_leader_is_replaced_on);
}

static void four_of_seven_keep_a_leader(void)
{
	with_fixture(four_of_seven_keep_a_leader_on);
}

static void drops_keep_safety(void)
{
	with_fixture(drops_keep_safety_on);
}

static void mailbox_of_one_is_overload(void)
{
	with_fixture(mailbox_of_one_is_overload_on);
}

static void frozen_node_queues_and_skips(void)
{
	with_fixture(frozen_node_queues_and_skips_on);
}

const struct test_case cluster_tests[] = {
	{"cluster: 3 nodes, no faults, 100 ticks: one leader, one term, every "
	 "follower resets its timeout at every heartbeat",
	 steady_three_nodes},
	{"cluster: a leader frozen past the election timeout is replaced at a "
	 "higher term and steps down soon after it resumes",
	 frozen_leader_is_replaced},
	{"cluster: 7 nodes with 3 frozen at once: the other 4 have a leader",
	 four_of_seven_keep_a_leader},
	{"cluster: 5 nodes with 20% of messages dropped: safety holds",
	 drops_keep_safety},
	{"cluster: a crashed node restarts at its durable term, keeps its "
	 "counters and ticks on",
	 crashed_node_restarts},
	{"cluster: a frozen node's mailbox fills and overflows, and it does "
	 "not replay the ticks it missed",
	 frozen_node_queues_and_skips},
	{"cluster: 16 nodes with mailboxes of 1: the lost messages are named "
	 "in the verdict, and liveness excludes them (no FAIL)",
	 mailbox_of_one_is_overload},
	{NULL, NULL},
};

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

#include "cli/options.h"
#include "runtime/runtime.h"
#include "testhelp.h"
#include "testrun.h"

#define REC_MAX 65536

/* What the tap keeps of one event. */
struct rec_ev {
	enum wev_type type;
	int64_t us;
	int node;
	uint64_t term;
	enum raft_role role;
	int peer;
};

static struct {
	struct rec_ev ev[REC_MAX];
	int n;
	int overflow;
} rec;

static struct runtime_result result; /* large: not on the stack */
static struct raftsim_options opts;

/* Called under the runtime's monitor lock: only copies. */
static void rec_event(void *ctx, const struct wev *w)
{
	struct rec_ev *e;

	(void)ctx;
	if (rec.n == REC_MAX) {
		rec.overflow = 1;
		return;
	}
	e = &rec.ev[rec.n++];
	e->type = w->type;
	e->us = w->us;
	e->node = w->node;
	e->term = w->term;
	e->role = w->role;
	e->peer = w->peer;
}

static int64_t ticks_us(uint64_t ticks)
{
	return (int64_t)ticks * (int64_t)opts.tick_us;
}

static void setup(int nodes, uint64_t ticks, uint64_t seed)
{
	options_default(&opts);
	opts.nodes = nodes;
	opts.ticks = ticks;
	opts.tick_us = (uint64_t)test_tick_ms() * 1000;
	opts.seed = seed;
	opts.seed_given = true;
	opts.quiet = true;
}

static void pause_at(int who, uint64_t tick, uint64_t len)
{
	struct fault_window *w = &opts.pauses[opts.pause_count++];

	w->who = who;
	w->tick = tick;
	w->len = len;
}

static void dump(FILE *f, const char *what)
{
	char buf[4096];
	size_t n;

	rewind(f);
	fprintf(stderr, "    --- %s:\n", what);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
}

/* Runs the cluster; on a failed check later, the output is shown. */
static int run(void)
{
	struct runtime_tap tap = {rec_event, NULL};
	FILE *out = tmpfile();
	FILE *err = tmpfile();
	int failures = test_failures;
	int code = -1;

	rec.n = 0;
	rec.overflow = 0;
	if (out == NULL || err == NULL)
		goto done;
	code = runtime_run_with(&opts, out, err, &tap, &result);
	CHECK(!rec.overflow);
	CHECK_EQ(result.violations, 0);
	CHECK_EQ(result.live_violations, 0);
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

/* The first event of `type` from `node` (or any node if -1) at or after
 * index `from`, or -1. */
static int find(int from, enum wev_type type, int node)
{
	int i;

	for (i = from < 0 ? 0 : from; i < rec.n; i++)
		if (rec.ev[i].type == type &&
		    (node < 0 || rec.ev[i].node == node))
			return i;
	return -1;
}

static int find_role(int from, int node, enum raft_role role, int not_node)
{
	int i = from;

	while ((i = find(i, WEV_ROLE, node)) >= 0) {
		if (rec.ev[i].role == role && rec.ev[i].node != not_node)
			return i;
		i++;
	}
	return -1;
}

static int the_leader(void)
{
	int leader = -1;
	int i;

	for (i = 0; i < result.nodes; i++) {
		if (result.node[i].role != RAFT_LEADER)
			continue;
		CHECK(leader == -1); /* exactly one */
		leader = i;
	}
	return leader;
}

static void steady_three_nodes(void)
{
	const struct runtime_node_result *l;
	uint64_t rounds;
	int elected;
	int leader;
	int hb;
	int i;
	int f;

	setup(3, 100, 1);
	REQUIRE(run() == EXIT_PASS);
	CHECK_EQ(result.spurious_elections, 0);
	CHECK_EQ(result.live_spurious, 0);
	CHECK_EQ(result.leaders_elected, 1);
	leader = the_leader();
	REQUIRE(leader >= 0);
	l = &result.node[leader];
	for (i = 0; i < 3; i++)
		CHECK_EQ(result.node[i].term, l->term);
	/* The term stays the same once the leader is elected. */
	elected = find_role(0, leader, RAFT_LEADER, -1);
	REQUIRE(elected >= 0);
	CHECK_EQ(rec.ev[elected].term, l->term);
	/* (A follower may adopt the leader's term after the election.) */
	for (i = elected; (i = find(i, WEV_TERM, -1)) >= 0; i++)
		CHECK_EQ(rec.ev[i].term, l->term);
	CHECK_EQ(find(elected, WEV_ELECTION, -1), -1);
	/* A round every heartbeat interval from the election to the end. */
	rounds = l->stats.heartbeat_rounds;
	CHECK(rounds * 3 + 9 >= (uint64_t)(ticks_us(100) - rec.ev[elected].us) /
					(uint64_t)ticks_us(1));
	/* Every follower accepted every round and reset its timer at each
	 * one: its resets are its heartbeats plus the vote it gave. The last
	 * rounds may be undelivered: mailbox_stop ends the node threads with
	 * whatever mail is still queued, and a loaded machine can leave a
	 * follower a round or two behind the leader when that happens. Hence
	 * three rounds of slack, out of about 30 in the run: a follower that
	 * loses or ignores heartbeats along the way still fails. */
	for (f = 0; f < 3; f++) {
		const struct raft_stats *s = &result.node[f].stats;

		if (f == leader)
			continue;
		CHECK(s->heartbeats_received <= rounds);
		CHECK(s->heartbeats_received + 3 >= rounds);
		CHECK_EQ(s->timeout_resets,
			 s->heartbeats_received + s->votes_granted);
		for (hb = 0, i = 0; (i = find(i, WEV_HEARTBEAT, f)) >= 0; i++) {
			CHECK_EQ(rec.ev[i].peer, leader);
			hb++;
		}
		CHECK_EQ(hb, s->heartbeats_received);
	}
}

static void frozen_leader_is_replaced(void)
{
	const uint64_t emin = 10, emax = 20, hb = 3;
	int paused, elected, resumed, down, before;
	int p;

	setup(3, 170, 2);
	pause_at(WHO_LEADER, 40, 100);
	REQUIRE(run() == EXIT_PASS);
	paused = find(0, WEV_PAUSE, -1);
	REQUIRE(paused >= 0); /* a leader existed at tick 40 */
	p = rec.ev[paused].node;
	/* It was the leader: its last role change before the pause. */
	for (before = -1, elected = 0;
	     (elected = find(elected, WEV_ROLE, p)) >= 0 && elected < paused;
	     elected++)
		before = elected;
	REQUIRE(before >= 0);
	CHECK(rec.ev[before].role == RAFT_LEADER);
	/* Another node takes over at a higher term: not before the followers'
	 * timers could run out, and within the election window (a timeout,
	 * plus two more rounds in case of split votes between the two). */
	elected = find_role(paused, -1, RAFT_LEADER, p);
	REQUIRE(elected >= 0);
	CHECK(rec.ev[elected].term > rec.ev[before].term);
	CHECK(rec.ev[elected].us - rec.ev[paused].us >=
	      ticks_us(emin - hb - 1));
	CHECK(rec.ev[elected].us - rec.ev[paused].us <=
	      ticks_us(3 * emax + hb));
	/* Nothing from the frozen node while frozen. */
	resumed = find(paused, WEV_RESUME, p);
	REQUIRE(resumed >= 0);
	CHECK(find(paused + 1, WEV_ROLE, p) == -1 ||
	      find(paused + 1, WEV_ROLE, p) > resumed);
	CHECK(find(paused + 1, WEV_ROUND, p) == -1 ||
	      find(paused + 1, WEV_ROUND, p) > resumed);
	/* Back, it steps down within about one heartbeat interval: on the
	 * new leader's heartbeats queued while it was frozen, or on the next
	 * one (hb ticks), or on a follower's reply to its own heartbeat. The
	 * bound is 2 * hb + 2 ticks: one interval, plus one more and 2 ticks
	 * because on a loaded machine (or under TSAN) the resumed thread and
	 * the new leader's thread may each be scheduled late. */
	down = find_role(resumed, p, RAFT_FOLLOWER, -1);
	REQUIRE(down >= 0);
	CHECK(rec.ev[down].term >= rec.ev[elected].term);
	CHECK(rec.ev[down].us - rec.ev[resumed].us <= ticks_us(2 * hb + 2));
	CHECK(result.node[p].role == RAFT_FOLLOWER);
}

static void four_of_seven_keep_a_leader(void)
{
	uint64_t term[7] = {0};
	enum raft_role role[7] = {RAFT_FOLLOWER};
	uint64_t top = 0;
	int resumed;
	int leaders = 0;
	int i;

	/* 0, 1 and 2 freeze at once: the leader among them or not, 3-6 must
	 * have a leader before the three come back. */
	setup(7, 240, 3);
	pause_at(0, 30, 150);
	pause_at(1, 30, 150);
	pause_at(2, 30, 150);
	REQUIRE(run() == EXIT_PASS);
	resumed = find(0, WEV_RESUME, -1);
	REQUIRE(resumed >= 0);
	for (i = 0; i < resumed; i++) {
		const struct rec_ev *e = &rec.ev[i];

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
	CHECK(the_leader() >= 0);
}

static void drops_keep_safety(void)
{
	setup(5, 200, 4);
	opts.drop = 0.2;
	REQUIRE(run() == EXIT_PASS); /* violations checked in run() */
	CHECK(result.leaders_elected >= 1);
	CHECK(result.messages_sent > 100);
	/* Roughly a fifth were lost. */
	CHECK(result.messages_lost * 10 >= result.messages_sent);
	CHECK(result.messages_lost * 10 <= result.messages_sent * 3);
}

static void frozen_node_queues_and_skips(void)
{
	const struct runtime_node_result *x;
	int paused, resumed, i;

	/* A tiny mailbox so that the frozen node's overflows. */
	setup(3, 120, 5);
	opts.mailbox = 4;
	pause_at(1, 30, 60);
	REQUIRE(run() == EXIT_PASS);
	x = &result.node[1];
	CHECK_EQ(x->mailbox_peak, 4);
	CHECK(x->mailbox_full > 0);
	/* Frozen: no core event from it between pause and resume. */
	paused = find(0, WEV_PAUSE, 1);
	resumed = find(0, WEV_RESUME, 1);
	REQUIRE(paused >= 0 && resumed > paused);
	for (i = paused + 1; i < resumed; i++)
		CHECK(rec.ev[i].node != 1 || rec.ev[i].type == WEV_PAUSE);
	/* It missed 60 ticks and did not replay them; the others ticked
	 * throughout (a loaded machine may make any node skip a few). */
	CHECK(x->stats.ticks <= 120 - 60 + 3);
	CHECK(x->stats.ticks >= 30);
	for (i = 0; i < 3; i++)
		if (i != 1)
			CHECK(result.node[i].stats.ticks > 60 + 1);
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
	{"cluster: a frozen node's mailbox fills and overflows, and it does "
	 "not replay the ticks it missed",
	 frozen_node_queues_and_skips},
	{NULL, NULL},
};

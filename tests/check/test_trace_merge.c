/* test_trace_merge.c - `raftsim check A B C` merges per-node traces: a
 * correct run split per node passes on one host and across hosts whose
 * clocks disagree by far more than an election timeout, kills and restarts
 * included; a broken run still fails on the rules that rest on terms and
 * votes; files that are not one cluster's node traces are refused.
 *
 * The per-node traces are made here from a simulator run's trace, as
 * `raftsim node` writes them (trace_node.h): each node's events in its own
 * file under a "node" start line with its clocks' time 0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/trace.h"
#include "checkfeed.h"
#include "testhelp.h"
#include "testrun.h"

#define SPLIT_MAX 5
#define HOST_MONO ((int64_t)5000000000)
#define HOST_UNIX ((int64_t)1700000000000000)

struct split {
	int n;
	int64_t skew_us[SPLIT_MAX]; /* node i's clocks ahead by */
	bool each_host;             /* one host per node, else one */
	bool each_boot; /* one hostname, but a boot id per node: machines
			   cloned under one name */
	bool kill;      /* a crash and restart become a killed process and its
		      resumed trace */
	bool stop;      /* with kill: the process was stopped (SIGTERM), its
		      trace ended with an end line */
	char path[SPLIT_MAX][96];
	const char *paths[SPLIT_MAX];
};

/* A "node" start line for node i whose time 0 is run time `at_us`. */
static void put_start(FILE *f, const struct split *s, struct run_info ri, int i,
		      int64_t at_us, bool resume)
{
	struct wev ev;
	char line[2048];
	int len;

	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_START;
	snprintf(ri.mode, sizeof(ri.mode), "node");
	ri.resume = resume;
	ev.info = &ri;
	len = trace_format(line, sizeof(line), &ev, ri.nodes);
	if (len < 3)
		return;
	line[len - 2] = '\0'; /* the closing "}\n" */
	fprintf(f,
		"%s,\"node_id\":%d,\"transport\":\"tcp\",\"mono_us\":%" PRId64
		",\"unix_us\":%" PRId64
		",\"host\":\"h%d\",\"boot_id\":\"b%d\"}\n",
		line, i, HOST_MONO + s->skew_us[i] + at_us,
		HOST_UNIX + s->skew_us[i] + at_us, s->each_host ? i : 0,
		s->each_host || s->each_boot ? i : 0);
}

static void put_event(FILE *f, struct wev ev, int64_t offset, int nodes)
{
	char line[65536];

	ev.us -= offset;
	if (trace_format(line, sizeof(line), &ev, nodes) > 0)
		fputs(line, f);
}

/* Splits the whole-cluster trace at src into s->n node traces. Events
 * without a node (partition, heal, end) go to every file. */
static int split_trace(const char *src, struct split *s)
{
	static char line[65536];
	struct trace_slots slots = {0};
	struct run_info run = {0};
	int64_t offset[SPLIT_MAX] = {0};
	FILE *in = fopen(src, "r"), *out[SPLIT_MAX] = {0};
	char why[128], name[32];
	struct wev ev;
	int i, rv = -1;

	for (i = 0; i < s->n; i++) {
		snprintf(name, sizeof(name), "merge-node%d.jsonl", i);
		s->paths[i] = test_tmp(s->path[i], sizeof(s->path[i]), name);
		out[i] = fopen(s->path[i], "w");
		if (out[i] == NULL)
			goto done;
	}
	while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (trace_parse(line, &ev, &slots, run.nodes, why,
				sizeof(why)) != 0)
			goto done;
		if (ev.type == WEV_START)
			run = *ev.info;
		for (i = 0; ev.type == WEV_START && i < s->n; i++)
			put_start(out[i], s, run, i, 0, false);
		if (ev.type == WEV_START)
			continue;
		if (ev.node < 0 || ev.node >= s->n) {
			for (i = 0; i < s->n; i++)
				put_event(out[i], ev, offset[i], s->n);
			continue;
		}
		if (s->kill && ev.type == WEV_CRASH) {
			struct wev end = ev; /* SIGTERM: an end line */

			end.type = WEV_END;
			end.interrupted = true;
			if (s->stop)
				put_event(out[ev.node], end, offset[ev.node],
					  s->n);
			continue; /* kill -9: nothing written */
		}
		if (s->kill && ev.type == WEV_RESTART) {
			offset[ev.node] = ev.us;
			put_start(out[ev.node], s, run, ev.node, ev.us, true);
		}
		put_event(out[ev.node], ev, offset[ev.node], s->n);
	}
	rv = in != NULL && run.nodes == s->n ? 0 : -1;
done:
	trace_slots_free(&slots);
	for (i = 0; i < s->n; i++)
		if (out[i] != NULL)
			fclose(out[i]);
	if (in != NULL)
		fclose(in);
	return rv;
}

/* Checks the files, keeping what was printed. */
static int check_split(const char *const *paths, int count, char *outbuf,
		       size_t size)
{
	FILE *out = tmpfile();
	size_t n;
	int rv = -1;

	outbuf[0] = '\0';
	if (out == NULL)
		return -1;
	rv = trace_check_files(paths, count, out, out);
	rewind(out);
	n = fread(outbuf, 1, size - 1, out);
	outbuf[n] = '\0';
	fclose(out);
	return rv;
}

/* A 5-node simulator run with node 2 crashed and restarted, a partition
 * and client load, its trace at path; mistake NULL for none. */
static int sim_run(const char *path, const char *mistake)
{
	struct cmd_result *r = malloc(sizeof(*r));
	int rv;

	if (r == NULL)
		return -1;
	rv = run_cmd(r,
		     "%s/raftsim --sim --seed 5 --nodes 5 --ticks 500 "
		     "--load 100 --crash 2@150:40 --partition "
		     "'300:60:0,1|2,3,4' %s%s --trace %s -q",
		     test_bin_dir(), mistake ? "--mistake " : "",
		     mistake ? mistake : "", path);
	rv = rv == 0 ? r->status : -1;
	free(r);
	return rv;
}

static char out[1 << 16];

static void merged_run(const struct split *tmpl, const char *mistake,
		       int want_run, int want_check)
{
	struct split s = *tmpl;
	char src[96];
	int i;

	test_tmp(src, sizeof(src), "merge-whole.jsonl");
	REQUIRE(sim_run(src, mistake) == want_run);
	REQUIRE(split_trace(src, &s) == 0);
	CHECK_EQ(check_split(s.paths, s.n, out, sizeof(out)), want_check);
	if (test_failures)
		fprintf(stderr, "%.2000s", out);
	unlink(src);
	for (i = 0; i < s.n; i++)
		unlink(s.path[i]);
}

static void one_host_merge_passes(void)
{
	struct split s = {.n = 5, .kill = true};

	merged_run(&s, NULL, 0, 0);
	CHECK(strstr(out, "check: merged 5 traces (nodes 0, 1, 2, 3, 4), "
			  "clock: one host (monotonic)\n") == out);
	CHECK(strstr(out, "check: OK (") != NULL);
	CHECK(strstr(out, "not checked") == NULL);
}

/* A node stopped with SIGTERM and started again with the same command:
 * its file holds an end line, then a resume start line. */
static void stopped_and_started_again_passes(void)
{
	struct split s = {.n = 5, .kill = true, .stop = true};

	merged_run(&s, NULL, 0, 0);
	CHECK(strstr(out, "check: OK (") != NULL);
}

/* Machines that share a hostname but not a boot: their monotonic clocks
 * are not one, so the merge goes by wall clocks (0.8 s apart here). */
static void one_hostname_two_boots_go_by_wall_clocks(void)
{
	struct split s = {.n = 5, .kill = true, .each_boot = true};

	s.skew_us[1] = -800000;
	merged_run(&s, NULL, 0, 0);
	CHECK(strstr(out, "clock: several hosts") != NULL);
	CHECK(strstr(out, "check: OK (") != NULL);
}

/* Clocks up to 300 ms apart: far more than the 100-200 ms timeouts. */
static const struct split skewed = {
	.n = 5,
	.skew_us = {0, 300000, -300000, 170000, -90000},
	.each_host = true,
	.kill = true,
};

static void skewed_hosts_merge_of_a_correct_run_passes(void)
{
	merged_run(&skewed, NULL, 0, 0);
	CHECK(strstr(out, "clock: several hosts (wall clocks, timing checks "
			  "off)\ncheck: hosts differ: clocks not comparable; "
			  "timing checks off\n") != NULL);
	CHECK(strstr(out, "check: OK (") != NULL);
	CHECK(strstr(out, "check: not checked (clocks of different hosts are "
			  "not comparable): liveness") != NULL);
}

static void skewed_hosts_merge_of_a_double_vote_fails(void)
{
	merged_run(&skewed, "double-vote", 1, 1);
	CHECK(strstr(out, "check: FAIL (") != NULL);
	CHECK(strstr(out, ": one vote: node ") != NULL);
	/* Two leaders of term 1: the reports past the first 16 are
	 * counted only, so it shows as their heartbeats. */
	CHECK(strstr(out, "heartbeat legitimacy: heartbeat from node 1 in "
			  "term 1, whose leader is node 2") != NULL);
}

static void skewed_hosts_merge_of_a_no_truncate_fails(void)
{
	merged_run(&skewed, "no-truncate", 1, 1);
	CHECK(strstr(out, "check: FAIL (") != NULL);
}

/* The refusals, each exit 2 with the file and why. */
static void files_that_are_not_one_clusters_nodes_are_refused(void)
{
	struct split s = {.n = 5};
	const char *paths[SPLIT_MAX + 1];
	char src[96];
	int i;

	test_tmp(src, sizeof(src), "merge-whole.jsonl");
	REQUIRE(sim_run(src, NULL) == 0);
	REQUIRE(split_trace(src, &s) == 0);
	for (i = 0; i < s.n; i++)
		paths[i] = s.paths[i];
	paths[4] = s.paths[3]; /* node 3 twice, node 4 never */
	CHECK_EQ(check_split(paths, 5, out, sizeof(out)), 2);
	CHECK(strstr(out, "are both node 3's trace") != NULL);
	CHECK_EQ(check_split(paths, 4, out, sizeof(out)), 2);
	CHECK(strstr(out, "no trace of node 4 of the 5-node cluster") != NULL);
	paths[4] = src; /* the whole run's trace among node traces */
	CHECK_EQ(check_split(paths, 5, out, sizeof(out)), 2);
	CHECK(strstr(out, "is a whole-cluster trace (mode \"sim\")") != NULL);
	/* One whole trace alone is checked as before. */
	CHECK_EQ(check_split(&paths[4], 1, out, sizeof(out)), 0);
	CHECK(strstr(out, "check: OK (") == out);
	unlink(src);
	for (i = 0; i < s.n; i++)
		unlink(s.path[i]);
}

/* Clocks apart: node 2 led term 2 without an entry node 1 commits in term
 * 1, a commit the merged stream shows after node 2's leadership ended. */
static void late_commit_of_an_earlier_term_still_judges_past_leader(void)
{
	begin(3);
	checker_free(ck);
	ck = checker_new();
	REQUIRE(ck != NULL && checker_set_clocks_apart(ck) == 0);
	feed(WEV_START, 0, RAFT_NONE, 0, RAFT_NONE);
	elect(MS(10), 0, 1, 3);
	append(MS(10), 0, 1, 1, 2, 1);
	append(MS(10), 1, 1, 1, 2, 1);
	lead_but(MS(10), MS(200), 0, 1, 2);
	campaign(MS(200), 2, 2);
	feed(WEV_TERM, MS(200), 0, 2, RAFT_NONE);
	feed(WEV_ROLE, MS(200), 0, 2, RAFT_FOLLOWER);
	feed(WEV_VOTE, MS(200), 0, 2, 2);
	feed(WEV_ROLE, MS(200), 2, 2, RAFT_LEADER);
	feed(WEV_TERM, MS(220), 2, 3, RAFT_NONE); /* node 2 steps down */
	feed(WEV_ROLE, MS(220), 2, 3, RAFT_FOLLOWER);
	CHECK_EQ(violations(), 0);
	commit(MS(260), 1, 1, 2); /* node 1, still in term 1 */
	CHECK(reported("leader completeness: node 2 leads term 2 without "
		       "entry 2 of term 1, committed in term 1"));
}

const struct test_case trace_merge_tests[] = {
	{"check A B C: one hostname but two boot ids is two clocks: a correct "
	 "run 0.8 s apart passes",
	 one_hostname_two_boots_go_by_wall_clocks},
	{"check A B C: a node stopped (an end line) and started again (a "
	 "resume start line) is a restart, and a correct run passes",
	 stopped_and_started_again_passes},
	{"check A B C: a correct run's node traces, killed and resumed, "
	 "merged on one host's monotonic clock, pass",
	 one_host_merge_passes},
	{"check A B C: the same across hosts 300 ms apart passes, with the "
	 "timing checks said to be off",
	 skewed_hosts_merge_of_a_correct_run_passes},
	{"check A B C: across skewed hosts, nodes that vote twice still fail "
	 "one vote and their two leaders' heartbeats",
	 skewed_hosts_merge_of_a_double_vote_fails},
	{"check A B C: across skewed hosts, a follower that never truncates "
	 "still fails",
	 skewed_hosts_merge_of_a_no_truncate_fails},
	{"check A B C: a node twice, a node missing, a whole-cluster trace "
	 "among node traces: refused with exit 2",
	 files_that_are_not_one_clusters_nodes_are_refused},
	{"clocks apart: a commit of an earlier term seen after a leader's "
	 "term ended still judges its log at election (leader completeness)",
	 late_commit_of_an_earlier_term_still_judges_past_leader},
	{NULL, NULL},
};

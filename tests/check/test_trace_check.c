/* test_trace_check.c - `raftsim check` judges trace files: clean ones pass,
 * violations fail, an incomplete trace is judged as far as it goes, a
 * malformed one is named by its line, a missing one is exit 2. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/trace.h"
#include "checkfeed.h"
#include "testhelp.h"

/* A fault-free 3-node simulator run with the lesson's timers. */
static const struct run_info clean_info = {
	.mode = "sim",
	.nodes = 3,
	.seed = 1234567890123ull,
	.tick_us = 10000,
	.heartbeat_ticks = 3,
	.election_min = 10,
	.election_max = 20,
	.mistakes = 24,
	.latency_min_us = 1500,
	.latency_max_us = 25001,
};

/* A trace file under /tmp, written by trace_format, and what `check`
 * printed about it: one per test. */
struct tfile {
	char path[64];
	FILE *file;
	struct run_info info;
	char out[4096], err[4096];
};

static void file_open(struct tfile *t)
{
	int fd;

	strcpy(t->path, "/tmp/raftsim-trace-XXXXXX");
	fd = mkstemp(t->path);
	t->file = fd < 0 ? NULL : fdopen(fd, "w");
}

static void file_ev(struct tfile *t, enum wev_type type, int64_t us, int node,
		    uint64_t term, int peer)
{
	struct wev ev = stream_event(type, us, node, term, peer, &t->info);
	char line[1024];

	if (t->file != NULL && trace_format(line, sizeof(line), &ev, 3) > 0)
		fputs(line, t->file);
}

/* Starts a fault-free 3-node trace in which node 0 wins term 1. */
static void file_start(struct tfile *t)
{
	int i;

	t->info = clean_info;
	file_open(t);
	file_ev(t, WEV_START, 0, 0, 0, 0);
	file_ev(t, WEV_TERM, 1000, 0, 1, 0);
	file_ev(t, WEV_ROLE, 1000, 0, 1, RAFT_CANDIDATE);
	file_ev(t, WEV_VOTE, 1000, 0, 1, 0);
	for (i = 1; i < 3; i++) {
		file_ev(t, WEV_TERM, 2000, i, 1, 0);
		file_ev(t, WEV_VOTE, 2000, i, 1, 0);
	}
	file_ev(t, WEV_ROLE, 3000, 0, 1, RAFT_LEADER);
	for (i = 1; i < 3; i++)
		file_ev(t, WEV_HEARTBEAT, 4000, i, 1, 0);
}

static void file_end(struct tfile *t, uint64_t violations)
{
	struct wev ev;
	char line[256];

	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_END;
	ev.us = 5000;
	ev.tick = 1;
	ev.violations = violations;
	if (t->file != NULL && trace_format(line, sizeof(line), &ev, 3) > 0)
		fputs(line, t->file);
}

/* Closes the file, checks it, keeps what was printed, removes it. */
static int file_check(struct tfile *t)
{
	FILE *out = tmpfile(), *err = tmpfile();
	size_t n;
	int rv = -1;

	t->out[0] = t->err[0] = '\0';
	if (t->file != NULL)
		fclose(t->file);
	t->file = NULL;
	if (out != NULL && err != NULL) {
		rv = trace_check_file(t->path, out, err);
		rewind(out);
		rewind(err);
		n = fread(t->out, 1, sizeof(t->out) - 1, out);
		t->out[n] = '\0';
		n = fread(t->err, 1, sizeof(t->err) - 1, err);
		t->err[n] = '\0';
	}
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	unlink(t->path);
	return rv;
}

static void check_file_verdicts(void)
{
	struct tfile t;

	file_start(&t);
	REQUIRE(t.file != NULL);
	file_end(&t, 0);
	CHECK_EQ(file_check(&t), 0);
	CHECK(strcmp(t.out, "check: OK (12 events, 1 terms, 0 violations, "
			    "0 spurious elections)\n") == 0);
	file_start(&t); /* node 2 claims term 1 as well */
	file_ev(&t, WEV_ROLE, 4500, 2, 1, RAFT_LEADER);
	file_end(&t, 2);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.out, "check: FAIL (13 events, 1 terms, 3 violations, "
			    "0 spurious elections)\n") == t.out);
	CHECK(strstr(t.out, "  at 4.500 ms: election safety: nodes 0 and 2 "
			    "both became leader of term 1\n") != NULL);
	file_start(&t); /* the run said it was clean */
	file_ev(&t, WEV_HEARTBEAT, 4500, 1, 1, 2);
	file_end(&t, 0);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.out, "the run recorded 0 violations") != NULL);
}

/* A run killed before its end line: what is there is checked. */
static void check_file_without_end(void)
{
	struct tfile t;

	file_start(&t);
	REQUIRE(t.file != NULL);
	CHECK_EQ(file_check(&t), 0);
	CHECK(strstr(t.out, "check: incomplete trace: no end event") == t.out);
	CHECK(strstr(t.out, "check: OK (11 events, 1 terms, 0 violations") !=
	      NULL);
	file_start(&t);
	file_ev(&t, WEV_ROLE, 4500, 2, 1, RAFT_LEADER);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.out, "check: incomplete trace: no end event") == t.out);
	CHECK(strstr(t.out, "election safety: nodes 0 and 2") != NULL);
	/* kill -9 in the middle of a write: the last line has no newline */
	file_start(&t);
	fputs("{\"ev\":\"heartbeat\",\"ms\":4.6,\"no", t.file);
	CHECK_EQ(file_check(&t), 0);
	CHECK(strstr(t.err, ":12: note: the last line is cut short") != NULL);
	CHECK(strstr(t.out, "check: OK (11 events, 1 terms, 0 violations") !=
	      NULL);
}

/* The trace adversarial testing found (issue 8): every node moves to term
 * 2, then node 2 leads term 1 without a vote and sends heartbeats. */
static void check_file_stale_term_leader(void)
{
	static const char *const lines[] = {
		"{\"ev\":\"start\",\"ms\":0.000,\"mode\":\"sim\",\"nodes\":3,"
		"\"seed\":1,\"tick_ms\":10,\"heartbeat_ticks\":3,"
		"\"election_ticks\":[10,20],\"schema\":2,\"drop\":0,\"dup\":0,"
		"\"reorder\":0,\"random_faults\":false,\"prevote\":false,"
		"\"check_quorum\":false,\"ranked_timeouts\":false,"
		"\"mistakes\":0,\"latency_ms\":[1.000,5.000]}",
		"{\"ev\":\"term\",\"ms\":10,\"node\":0,\"term\":2,\"now\":1}",
		"{\"ev\":\"term\",\"ms\":10,\"node\":1,\"term\":2,\"now\":1}",
		"{\"ev\":\"term\",\"ms\":10,\"node\":2,\"term\":2,\"now\":1}",
		"{\"ev\":\"role\",\"ms\":20,\"node\":2,\"term\":1,"
		"\"role\":\"leader\",\"now\":2}",
		"{\"ev\":\"round\",\"ms\":20,\"node\":2,\"term\":1,\"tick\":2,"
		"\"sent\":2,\"now\":2}",
		"{\"ev\":\"heartbeat\",\"ms\":21,\"node\":0,\"term\":1,"
		"\"leader\":2,\"now\":2}",
		"{\"ev\":\"heartbeat\",\"ms\":21,\"node\":1,\"term\":1,"
		"\"leader\":2,\"now\":2}",
		"{\"ev\":\"round\",\"ms\":50,\"node\":2,\"term\":1,\"tick\":5,"
		"\"sent\":2,\"now\":5}",
		"{\"ev\":\"heartbeat\",\"ms\":51,\"node\":0,\"term\":1,"
		"\"leader\":2,\"now\":5}",
		"{\"ev\":\"heartbeat\",\"ms\":51,\"node\":1,\"term\":1,"
		"\"leader\":2,\"now\":5}",
		"{\"ev\":\"round\",\"ms\":80,\"node\":2,\"term\":1,\"tick\":8,"
		"\"sent\":2,\"now\":8}",
		"{\"ev\":\"end\",\"ms\":90,\"ticks\":9,\"violations\":0,"
		"\"spurious_elections\":0}",
	};
	struct tfile t;
	size_t i;

	file_open(&t);
	REQUIRE(t.file != NULL);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(t.file, "%s\n", lines[i]);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.out, "check: FAIL (13 events, 2 terms, 8 violations") ==
	      t.out);
	CHECK(strstr(t.out, "at 20.000 ms: event: node 2's role event is in "
			    "term 1, but the node is in term 2\n") != NULL);
	CHECK(strstr(t.out,
		     "at 21.000 ms: event: node 0's heartbeat event "
		     "is in term 1, but the node is in term 2\n") != NULL);
}

static void check_file_malformed(void)
{
	struct tfile t;
	int i;

	file_start(&t);
	REQUIRE(t.file != NULL);
	fputs("{\"ev\":\"term\",\"ms\":5,\"node\":9,\"term\":1,\"now\":0}\n",
	      t.file);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.err, ":12: malformed trace: column ") != NULL);
	file_start(&t);
	file_end(&t, 0);
	file_ev(&t, WEV_HEAL, 6000, 0, 0, 0);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.err, ":13: malformed trace: an event after the end") !=
	      NULL);
	file_start(&t);
	for (i = 0; i < TRACE_LINE_MAX + 1; i++)
		fputc(' ', t.file);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.err, ":12: malformed trace: the line is longer "
			    "than 1048576 bytes") != NULL);
	file_open(&t); /* empty */
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.err, "no start event") != NULL);
	file_open(&t);
	fputs("{\"ev\":\"heal\",\"ms\":1}\n", t.file);
	CHECK_EQ(file_check(&t), 1);
	file_start(&t);
	file_ev(&t, WEV_START, 6000, 0, 0, 0);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.err, "a second start event") != NULL);
	file_start(&t);
	fputs("\n  \n", t.file); /* blank lines say nothing */
	fputc('\0', t.file);
	CHECK_EQ(file_check(&t), 1);
	CHECK(strstr(t.err, ":14: malformed trace: the line has a NUL "
			    "byte") != NULL);
}

static void check_file_missing(void)
{
	struct tfile t;

	strcpy(t.path, "/tmp/raftsim-no-such-dir/none.jsonl");
	t.file = NULL;
	CHECK_EQ(file_check(&t), 2);
	CHECK(strstr(t.err, "cannot open /tmp/raftsim-no-such-dir") != NULL);
	CHECK(t.out[0] == '\0');
}

const struct test_case trace_check_tests[] = {
	{"trace: check passes a clean trace and fails one with violations",
	 check_file_verdicts},
	{"trace: check says a trace without its end line is incomplete and "
	 "judges what it holds, a last line cut by a kill left out",
	 check_file_without_end},
	{"trace: check fails a leader of a term every node has left, and "
	 "events in a term other than their node's",
	 check_file_stale_term_leader},
	{"trace: check names the line of a malformed trace",
	 check_file_malformed},
	{"trace: check returns 2 for a file it cannot open",
	 check_file_missing},
	{NULL, NULL},
};

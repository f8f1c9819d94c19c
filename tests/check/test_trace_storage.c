/* test_trace_storage.c - schema 5's lines (persist, disk, a recovered
 * restart, a resumed run's start line) written and read back, refused when
 * malformed, and `raftsim check` on a trace that a resumed run continues. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/trace.h"
#include "checkfeed.h"
#include "testhelp.h"

static struct run_info three(void)
{
	struct run_info r;

	memset(&r, 0, sizeof(r));
	strcpy(r.mode, "sim");
	r.nodes = 3;
	r.seed = 7;
	r.tick_us = 10000;
	r.heartbeat_ticks = 3;
	r.election_min = 10;
	r.election_max = 20;
	return r;
}

static struct wev event(enum wev_type type, int64_t us, int node)
{
	struct wev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.us = us;
	ev.node = node;
	ev.peer = RAFT_NONE;
	return ev;
}

/* Formats ev, checks the line is `want` (unless NULL), parses it back. */
static int round_trip(const struct wev *in, const char *want, struct wev *out,
		      struct trace_slots *slots, char *line, size_t size)
{
	char err[160];

	if (trace_format(line, size, in, 3) < 0) {
		TEST_FAIL_AT("%s did not fit", wev_name(in->type));
		return -1;
	}
	if (want != NULL && strcmp(line, want) != 0) {
		TEST_FAIL_AT("wrote %s, wanted %s", line, want);
		return -1;
	}
	if (trace_parse(line, out, slots, in->type == WEV_START ? 0 : 3, err,
			sizeof(err)) != 0) {
		TEST_FAIL_AT("%s: %s", line, err);
		return -1;
	}
	CHECK_EQ(out->type, in->type);
	CHECK_EQ(out->us, in->us);
	return 0;
}

static void persist_and_disk_round_trip(void)
{
	struct trace_slots slots = {0};
	struct wev in = event(WEV_PERSIST, 1500, 2), out;
	char line[1024];

	in.term = 9000000000ull;
	in.peer = 1;
	in.index = 8000000000ull;
	in.entry_term = 8999999999ull;
	if (round_trip(&in,
		       "{\"ev\":\"persist\",\"ms\":1.500,\"node\":2,\"term\":"
		       "9000000000,\"vote\":1,\"index\":8000000000,"
		       "\"entry_term\":8999999999}\n",
		       &out, &slots, line, sizeof(line)) == 0) {
		CHECK_EQ(out.node, 2);
		CHECK(out.term == in.term && out.index == in.index &&
		      out.entry_term == in.entry_term);
		CHECK_EQ(out.peer, 1);
	}
	in.peer = RAFT_NONE;
	if (round_trip(&in, NULL, &out, &slots, line, sizeof(line)) == 0) {
		CHECK(strstr(line, "\"vote\":null") != NULL);
		CHECK_EQ(out.peer, RAFT_NONE);
	}
	in = event(WEV_DISK, 2000, 1);
	in.disk_what = WEV_DISK_REFUSED;
	in.text = "node-1/wal-3: bad CRC at \"offset\" 4096\n\tsee\\here";
	if (round_trip(&in,
		       "{\"ev\":\"disk\",\"ms\":2.000,\"node\":1,\"what\":"
		       "\"refused\",\"text\":\"node-1/wal-3: bad CRC at "
		       "\\\"offset\\\" 4096\\u000a\\u0009see\\\\here\"}\n",
		       &out, &slots, line, sizeof(line)) == 0) {
		CHECK_EQ(out.disk_what, WEV_DISK_REFUSED);
		REQUIRE(out.text != NULL);
		CHECK(strcmp(out.text, in.text) == 0);
	}
	for (in.disk_what = WEV_DISK_TORN; in.disk_what <= WEV_DISK_LATENT;
	     in.disk_what++)
		if (round_trip(&in, NULL, &out, &slots, line, sizeof(line)) ==
		    0)
			CHECK_EQ(out.disk_what, in.disk_what);
	trace_slots_free(&slots);
}

static void restart_round_trips(void)
{
	static const uint64_t runs[] = {5, 2, 9, 4, 12, 7};
	struct trace_slots slots = {0};
	struct wev in = event(WEV_RESTART, 3000, 0), out;
	char line[1024];

	if (round_trip(&in, "{\"ev\":\"restart\",\"ms\":3.000,\"node\":0}\n",
		       &out, &slots, line, sizeof(line)) == 0)
		CHECK(!out.recovered);
	in.recovered = true;
	in.term = 8;
	in.peer = 2;
	in.index = 4;
	in.entry_term = 2;
	in.last_index = 20;
	in.last_term = 7;
	in.runs = runs;
	in.run_count = 3;
	if (round_trip(&in,
		       "{\"ev\":\"restart\",\"ms\":3.000,\"node\":0,\"term\":8,"
		       "\"vote\":2,\"snapshot\":[4,2],\"log_end\":[20,7],"
		       "\"runs\":[[5,2],[9,4],[12,7]]}\n",
		       &out, &slots, line, sizeof(line)) == 0) {
		CHECK(out.recovered);
		CHECK(out.term == 8 && out.peer == 2);
		CHECK(out.index == 4 && out.entry_term == 2);
		CHECK(out.last_index == 20 && out.last_term == 7);
		REQUIRE(out.run_count == 3 && out.runs != NULL);
		CHECK(memcmp(out.runs, runs, sizeof(runs)) == 0);
	}
	in.run_count = 0;
	in.peer = RAFT_NONE;
	if (round_trip(&in, NULL, &out, &slots, line, sizeof(line)) == 0) {
		CHECK(out.recovered && out.run_count == 0);
		CHECK_EQ(out.peer, RAFT_NONE);
	}
	trace_slots_free(&slots);
}

/* A log of 20,000 terms: a line of hundreds of KiB, read into the slots'
 * array grown to fit it. */
static void long_restart_round_trips(void)
{
	enum { RUNS = 20000 };
	struct trace_slots slots = {0};
	struct wev in = event(WEV_RESTART, 3000, 1), out;
	uint64_t *runs = malloc(2 * RUNS * sizeof(*runs));
	size_t size = TRACE_LINE_MAX + 1;
	char *line = malloc(size);
	int i;

	REQUIRE(runs != NULL && line != NULL);
	for (i = 0; i < RUNS; i++) {
		runs[2 * i] = 1000000000ull + 3 * (uint64_t)i;
		runs[2 * i + 1] = 1000000ull + (uint64_t)i;
	}
	in.recovered = true;
	in.term = 2000000;
	in.index = 999999999;
	in.entry_term = 999999;
	in.last_index = runs[2 * RUNS - 2] + 2;
	in.last_term = runs[2 * RUNS - 1];
	in.runs = runs;
	in.run_count = RUNS;
	if (round_trip(&in, NULL, &out, &slots, line, size) == 0) {
		REQUIRE(out.run_count == RUNS);
		CHECK(memcmp(out.runs, runs, 2 * RUNS * sizeof(*runs)) == 0);
	}
	trace_slots_free(&slots);
	free(runs);
	free(line);
}

static void resume_start_round_trips(void)
{
	struct trace_slots slots = {0};
	struct run_info first = three();
	struct wev in = event(WEV_START, 0, RAFT_NONE), out;
	char line[1024];

	in.info = &first;
	if (round_trip(&in, NULL, &out, &slots, line, sizeof(line)) == 0) {
		CHECK(strstr(line, "resume") == NULL);
		CHECK(strstr(line, "\"schema\":5") != NULL);
		CHECK(!out.info->resume);
	}
	first.resume = true;
	if (round_trip(&in, NULL, &out, &slots, line, sizeof(line)) == 0) {
		CHECK(strstr(line, ",\"resume\":true}") != NULL);
		CHECK(out.info->resume);
	}
	trace_slots_free(&slots);
}

static void malformed_storage_lines_are_refused(void)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{"{\"ev\":\"restart\",\"ms\":1,\"node\":0,\"term\":2}",
		 "a recovered restart needs"},
		{"{\"ev\":\"restart\",\"ms\":1,\"node\":0,\"term\":2,\"vote\":"
		 "null,\"snapshot\":[0,0],\"log_end\":[3,1],\"runs\":[[2,1],"
		 "[2,1]]}",
		 "the first indexes do not increase"},
		{"{\"ev\":\"restart\",\"ms\":1,\"node\":0,\"term\":2,\"vote\":"
		 "null,\"snapshot\":[0],\"log_end\":[3,1],\"runs\":[]}",
		 "expected ','"},
		{"{\"ev\":\"persist\",\"ms\":1,\"node\":0,\"term\":2,\"vote\":3,"
		 "\"index\":0,\"entry_term\":0}",
		 "\"vote\" is 3: not a node of 3"},
		{"{\"ev\":\"persist\",\"ms\":1,\"node\":0,\"term\":2,\"vote\":"
		 "\"x\",\"index\":0,\"entry_term\":0}",
		 "expected a number"},
		{"{\"ev\":\"persist\",\"ms\":1,\"node\":0,\"term\":2,\"index\":0,"
		 "\"entry_term\":0}",
		 "no \"vote\" field"},
		{"{\"ev\":\"disk\",\"ms\":1,\"node\":0,\"what\":\"melted\","
		 "\"text\":\"\"}",
		 "unknown disk \"what\""},
		{"{\"ev\":\"disk\",\"ms\":1,\"node\":0,\"what\":\"torn\"}",
		 "no \"text\" field"},
	};
	struct trace_slots slots = {0};
	struct wev out;
	char err[160], big[TRACE_TEXT_MAX + 100];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (trace_parse(cases[i].line, &out, &slots, 3, err,
				sizeof(err)) == 0)
			TEST_FAIL_AT("accepted: %s", cases[i].line);
		else if (strstr(err, cases[i].why) == NULL)
			TEST_FAIL_AT("%s: wanted \"%s\", got \"%s\"",
				     cases[i].line, cases[i].why, err);
	}
	snprintf(big, sizeof(big),
		 "{\"ev\":\"disk\",\"ms\":1,\"node\":0,\"what\":\"torn\","
		 "\"text\":\"%0*d\"}",
		 TRACE_TEXT_MAX, 0);
	CHECK(trace_parse(big, &out, &slots, 3, err, sizeof(err)) == -1);
	CHECK(strstr(err, "\"text\" is too long") != NULL);
	trace_slots_free(&slots);
}

/* A trace file for `raftsim check`: written line by line. */
struct sfile {
	char path[64];
	FILE *f;
	char out[4096];
};

static void sfile_open(struct sfile *t)
{
	int fd;

	strcpy(t->path, "/tmp/raftsim-storage-XXXXXX");
	fd = mkstemp(t->path);
	t->f = fd < 0 ? NULL : fdopen(fd, "w");
}

static void put_ev(struct sfile *t, const struct wev *ev)
{
	char line[1024];

	if (t->f != NULL && trace_format(line, sizeof(line), ev, 3) > 0)
		fputs(line, t->f);
}

static void put(struct sfile *t, enum wev_type type, int64_t us, int node,
		uint64_t term, int peer, const struct run_info *run)
{
	struct wev ev = stream_event(type, us, node, term, peer, run);

	put_ev(t, &ev);
}

static int sfile_check(struct sfile *t)
{
	FILE *out = tmpfile(), *err = tmpfile();
	size_t n;
	int rv = -1;

	t->out[0] = '\0';
	if (t->f != NULL)
		fclose(t->f);
	t->f = NULL;
	if (out != NULL && err != NULL) {
		rv = trace_check_file(t->path, out, err);
		fputs("--\n", out);
		rewind(err);
		n = fread(t->out, 1, sizeof(t->out) / 2, err);
		t->out[n] = '\0';
		rewind(out);
		n += fread(t->out + n, 1, sizeof(t->out) - n - 1, out);
		t->out[n] = '\0';
	}
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	unlink(t->path);
	return rv;
}

/* Node 0 wins term 1, every node promises its vote; the run is killed at
 * 50 ms (with an end line if `ended`), and resumed (its times from 0):
 * every node restarts from its disk, node 0 leads again. */
static void killed_and_resumed(struct sfile *t, bool ended, bool resume)
{
	static const uint64_t none[] = {0, 0};
	struct run_info run = three(), again = three();
	struct wev ev;
	int i;

	again.resume = resume;
	sfile_open(t);
	put(t, WEV_START, 0, 0, 0, 0, &run);
	put(t, WEV_TERM, 10000, 0, 1, 0, &run);
	put(t, WEV_ROLE, 10000, 0, 1, RAFT_CANDIDATE, &run);
	put(t, WEV_VOTE, 10000, 0, 1, 0, &run);
	for (i = 1; i < 3; i++) {
		put(t, WEV_TERM, 10000, i, 1, 0, &run);
		put(t, WEV_VOTE, 10000, i, 1, 0, &run);
	}
	for (i = 0; i < 3; i++) {
		ev = stream_event(WEV_PERSIST, 11000, i, 1, 0, &run);
		put_ev(t, &ev);
	}
	put(t, WEV_ROLE, 12000, 0, 1, RAFT_LEADER, &run);
	if (ended) {
		ev = stream_event(WEV_END, 50000, RAFT_NONE, 0, 0, &run);
		put_ev(t, &ev);
	}
	put(t, WEV_START, 0, 0, 0, 0, &again);
	for (i = 0; i < 3; i++) {
		ev = stream_event(WEV_RESTART, 1000, i, 1, 0, &run);
		ev.recovered = true;
		ev.runs = none;
		put_ev(t, &ev);
	}
	put(t, WEV_TERM, 200000, 1, 2, 0, &run);
	put(t, WEV_ROLE, 200000, 1, 2, RAFT_CANDIDATE, &run);
	put(t, WEV_VOTE, 200000, 1, 2, 1, &run);
	put(t, WEV_TERM, 200000, 2, 2, 0, &run);
	put(t, WEV_VOTE, 200000, 2, 2, 1, &run);
	put(t, WEV_ROLE, 201000, 1, 2, RAFT_LEADER, &run);
	ev = stream_event(WEV_END, 210000, RAFT_NONE, 0, 0, &run);
	put_ev(t, &ev);
}

static void resumed_trace_is_checked_as_one_history(void)
{
	struct sfile t;

	killed_and_resumed(&t, false, true);
	REQUIRE(t.f != NULL);
	CHECK_EQ(sfile_check(&t), 0);
	CHECK(strstr(t.out, "check: OK (") != NULL);
	CHECK(strstr(t.out, "check: checked storage: durable term, vote and "
			    "log over 3 promises and 3 recoveries") != NULL);
	CHECK(strstr(t.out, "1 resumed run") != NULL);
	killed_and_resumed(&t, true, true); /* the first run had ended */
	REQUIRE(t.f != NULL);
	CHECK_EQ(sfile_check(&t), 0);
	killed_and_resumed(&t, false, false);
	REQUIRE(t.f != NULL);
	CHECK_EQ(sfile_check(&t), 1);
	CHECK(strstr(t.out, "a second start event without \"resume\"") != NULL);
}

const struct test_case trace_storage_tests[] = {
	{"trace storage: persist and disk events survive trace_format then "
	 "trace_parse, the disk's text escaped",
	 persist_and_disk_round_trip},
	{"trace storage: a restart without a recovered state stays a bare "
	 "line; with one, its term, vote, snapshot, log end and runs survive",
	 restart_round_trips},
	{"trace storage: a restart of 20,000 term runs survives (the runs "
	 "array grows)",
	 long_restart_round_trips},
	{"trace storage: a resumed run's start line says \"resume\":true; a "
	 "first one says nothing of it",
	 resume_start_round_trips},
	{"trace storage: malformed persist, disk and restart lines are "
	 "refused with a reason",
	 malformed_storage_lines_are_refused},
	{"trace storage: check reads a killed run and its resumed run as one "
	 "history; a second start line without resume is refused",
	 resumed_trace_is_checked_as_one_history},
	{NULL, NULL},
};

/* test_trace.c - the trace reader is the writer's inverse, refuses any
 * malformed line without crashing, and `raftsim check` judges files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkfeed.h"
#include "testhelp.h"
#include "check/trace.h"

static struct run_info sample_info = {
	"sim", 5, 1234567890123ull, 10000, 3, 10, 20, 0.25, 0.5, 0.125,
	true, false, true, false, 24,
};

static const uint8_t groups[5] = {0, 1, 0, 2, 1};

/* One event of every type, with fields that differ from their defaults. */
static struct wev sample(enum wev_type type)
{
	struct wev ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.us = 123456789012 + (int64_t)type;
	ev.node = (int)type % 5;
	ev.term = 7000000000ull + (uint64_t)type;
	ev.role = type == WEV_ROLE ? RAFT_CANDIDATE : RAFT_LEADER;
	ev.peer = 4;
	ev.seen_term = 9000000000ull;
	ev.count = 3;
	ev.tick = 424242;
	ev.info = &sample_info;
	ev.group_of = groups;
	ev.violations = 11;
	ev.spurious_elections = 12;
	return ev;
}

static void same_info(const struct run_info *a, const struct run_info *b)
{
	REQUIRE(a != NULL);
	CHECK(strcmp(a->mode, b->mode) == 0);
	CHECK_EQ(a->nodes, b->nodes);
	CHECK(a->seed == b->seed);
	CHECK_EQ(a->tick_us, b->tick_us);
	CHECK_EQ(a->heartbeat_ticks, b->heartbeat_ticks);
	CHECK_EQ(a->election_min, b->election_min);
	CHECK_EQ(a->election_max, b->election_max);
	CHECK(a->drop == b->drop && a->dup == b->dup &&
	      a->reorder == b->reorder);
	CHECK_EQ(a->random_faults, b->random_faults);
	CHECK_EQ(a->prevote, b->prevote);
	CHECK_EQ(a->check_quorum, b->check_quorum);
	CHECK_EQ(a->ranked_timeouts, b->ranked_timeouts);
	CHECK_EQ(a->mistakes, b->mistakes);
}

static void every_type_round_trips(void)
{
	struct trace_slots slots;
	struct wev in, out;
	char line[1024], err[128];
	int t;

	for (t = 0; t < WEV_TYPE_COUNT; t++) {
		in = sample((enum wev_type)t);
		REQUIRE(trace_format(line, sizeof(line), &in, 5) > 0);
		if (trace_parse(line, &out, &slots, t == WEV_START ? 0 : 5, err,
				sizeof(err)) != 0) {
			TEST_FAIL_AT("%s: %s", line, err);
			continue;
		}
		CHECK_EQ(out.type, t);
		CHECK_EQ(out.us, in.us);
		if (t >= WEV_TERM && t <= WEV_RESTART)
			CHECK_EQ(out.node, in.node);
		if (t >= WEV_TERM && t <= WEV_SAW_TERM)
			CHECK(out.term == in.term);
		if (t == WEV_ROLE || t == WEV_SAW_TERM)
			CHECK_EQ(out.role, in.role);
		if (t == WEV_VOTE || t == WEV_HEARTBEAT || t == WEV_SAW_TERM)
			CHECK_EQ(out.peer, in.peer);
		if (t == WEV_SAW_TERM)
			CHECK(out.seen_term == in.seen_term);
		if (t == WEV_ROUND)
			CHECK_EQ(out.count, in.count);
		if (t == WEV_ROUND || t == WEV_ELECTION || t == WEV_PREVOTE ||
		    t == WEV_END)
			CHECK_EQ(out.tick, in.tick);
		if (t == WEV_END) {
			CHECK_EQ(out.violations, 11);
			CHECK_EQ(out.spurious_elections, 12);
		}
		if (t == WEV_PARTITION)
			CHECK(out.group_of != NULL &&
			      memcmp(out.group_of, groups, 5) == 0);
		if (t == WEV_START)
			same_info(out.info, &sample_info);
	}
}

static void times_keep_every_microsecond(void)
{
	static const int64_t times[] = {0, 1, 999, 1000, 1001, 59999999,
					INT64_MAX / 1000 * 1000 - 1};
	struct trace_slots slots;
	struct wev in, out;
	char line[256], err[128];
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		in = sample(WEV_HEAL);
		in.us = times[i];
		REQUIRE(trace_format(line, sizeof(line), &in, 5) > 0);
		REQUIRE(trace_parse(line, &out, &slots, 5, err, sizeof(err)) == 0);
		CHECK(out.us == times[i]);
	}
	REQUIRE(trace_parse("{\"ms\":2.5,\"ev\":\"heal\"}", &out, &slots, 5,
			    err, sizeof(err)) == 0);
	CHECK_EQ(out.us, 2500); /* fewer decimals, any field order */
}

static void unknown_fields_and_escapes(void)
{
	struct trace_slots slots;
	struct wev out;
	char err[128];

	CHECK_EQ(trace_parse(" { \"x\" : { \"a\" : [ 1 , { \"b\" : null } , -2.5e-3 ]"
			  " , \"c\" : \"}\\\"]\" } , \"ev\" : \"t\\u0065rm\" ,"
			  " \"ms\" : 1 , \"node\" : 2 , \"term\" : 3 , "
			  "\"later\" : [ true , false , [ ] , { } ] }\r\n",
			  &out, &slots, 5, err, sizeof(err)), 0);
	if (err[0] != '\0')
		fprintf(stderr, "    %s\n", err);
	CHECK_EQ(out.type, WEV_TERM);
	CHECK_EQ(out.node, 2);
	CHECK_EQ(out.term, 3);
}

static const char *const bad_lines[] = {
	"", "   ", "hello", "null", "[]", "{}", "{\"ev\":\"term\"", "{\"ev\"",
	"{\"ev\":}", "{\"ev\":\"term\",}", "{,\"ev\":\"term\"}",
	"{\"ev\":\"bogus\",\"ms\":1}", "{\"ev\":1,\"ms\":1}",
	"{\"ev\":\"heal\",\"ms\":\"1\"}", "{\"ev\":\"heal\",\"ms\":-1}",
	"{\"ev\":\"heal\",\"ms\":1.2345}", "{\"ev\":\"heal\",\"ms\":1e3}",
	"{\"ev\":\"heal\",\"ms\":1e400}", "{\"ev\":\"heal\",\"ms\":01}",
	"{\"ev\":\"heal\",\"ms\":99999999999999999999}",
	"{\"ev\":\"heal\",\"ms\":1,\"ms\":2}", "{\"ev\":\"heal\",\"ms\":1} x",
	"{\"ev\":\"term\",\"ms\":1,\"node\":0}",
	"{\"ev\":\"term\",\"ms\":1,\"node\":\"0\",\"term\":1}",
	"{\"ev\":\"term\",\"ms\":1,\"node\":5,\"term\":1}",
	"{\"ev\":\"term\",\"ms\":1,\"node\":0,\"term\":true}",
	"{\"ev\":\"term\",\"ms\":1,\"node\":0,\"term\":1.5}",
	"{\"ev\":\"term\",\"ms\":1,\"node\":0,\"term\":18446744073709551616}",
	"{\"ev\":\"role\",\"ms\":1,\"node\":0,\"term\":1,\"role\":\"king\"}",
	"{\"ev\":\"vote\",\"ms\":1,\"node\":0,\"term\":1,\"for\":-1}",
	"{\"ev\":\"partition\",\"ms\":1,\"groups\":[[0,1],[2,3]]}",
	"{\"ev\":\"partition\",\"ms\":1,\"groups\":[[0,1,2],[2,3,4]]}",
	"{\"ev\":\"partition\",\"ms\":1,\"groups\":[[0,1,2,3,4],[]]}",
	"{\"ev\":\"partition\",\"ms\":1,\"groups\":[0,1,2,3,4]}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":\"unterminated}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":\"bad \\q escape\"}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":\"\\u12\"}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":[1,2,]}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":[1 2]}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":{\"a\" 1}}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":tru}",
	"{\"ev\":\"heal\",\"ms\":1,\"x\":\"tab\there\"}",
	"{\"ev\":\"start\",\"ms\":0,\"mode\":\"sim\",\"nodes\":3,\"seed\":1,"
	"\"tick_ms\":10,\"heartbeat_ticks\":3,\"election_ticks\":[10,20],"
	"\"schema\":2,\"drop\":0,\"dup\":0,\"reorder\":0,\"random_faults\":"
	"false,\"prevote\":false,\"check_quorum\":false,\"ranked_timeouts\":"
	"false,\"mistakes\":0}",
	NULL,
};

static void malformed_lines_are_refused(void)
{
	struct trace_slots slots;
	struct wev out;
	char err[128];
	int i;

	for (i = 0; bad_lines[i] != NULL; i++) {
		err[0] = '\0';
		if (trace_parse(bad_lines[i], &out, &slots, 5, err,
				sizeof(err)) != -1)
			TEST_FAIL_AT("accepted: %s", bad_lines[i]);
		else if (strncmp(err, "column ", 7) != 0)
			TEST_FAIL_AT("no reason for: %s", bad_lines[i]);
	}
	/* Events need the start line first; a tiny or absent err buffer is
	 * fine. */
	CHECK(trace_parse("{\"ev\":\"heal\",\"ms\":1}", &out, &slots, 0, err,
			  sizeof(err)) == -1);
	CHECK(strstr(err, "before the start event") != NULL);
	CHECK(trace_parse("{", &out, &slots, 5, err, 4) == -1);
	CHECK(strlen(err) == 3);
	CHECK(trace_parse("{", &out, &slots, 5, NULL, 0) == -1);
}

static void deep_nesting_is_refused(void)
{
	static char line[4096];
	struct trace_slots slots;
	struct wev out;
	char err[128];
	int depth, i, len;

	for (depth = 20; depth <= 1000; depth += 980) {
		len = snprintf(line, sizeof(line), "{\"ev\":\"heal\",\"ms\":1,"
						   "\"x\":");
		for (i = 0; i < depth; i++)
			line[len++] = '[';
		for (i = 0; i < depth; i++)
			line[len++] = ']';
		line[len++] = '}';
		line[len] = '\0';
		CHECK_EQ(trace_parse(line, &out, &slots, 5, err, sizeof(err)),
			 depth == 20 ? 0 : -1);
	}
}

/* Every prefix of a valid line, and random corruptions of it, must be
 * refused or parsed; never read past the end (the sanitizer run checks). */
static void truncated_and_corrupted_lines(void)
{
	struct trace_slots slots;
	struct wev in, out;
	char line[1024], copy[1024], err[128];
	unsigned seed = 12345;
	int t, k, len, rounds;

	for (t = 0; t < WEV_TYPE_COUNT; t++) {
		in = sample((enum wev_type)t);
		len = trace_format(line, sizeof(line), &in, 5);
		REQUIRE(len > 2);
		for (k = 0; k < len - 2; k++) {
			memcpy(copy, line, (size_t)k);
			copy[k] = '\0';
			if (trace_parse(copy, &out, &slots, 5, err,
					sizeof(err)) != -1)
				TEST_FAIL_AT("prefix accepted: %s", copy);
		}
		for (rounds = 0; rounds < 2000; rounds++) {
			memcpy(copy, line, (size_t)len + 1);
			for (k = 0; k < 3; k++) {
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % (unsigned)len] =
					(char)(seed >> 20 | 1);
			}
			(void)trace_parse(copy, &out, &slots, 5, err,
					  sizeof(err));
		}
	}
}

/* A trace file under /tmp, written by trace_format. */
static char path[64];
static FILE *file;
static struct run_info finfo;

static void file_open(void)
{
	int fd;

	strcpy(path, "/tmp/raftsim-trace-XXXXXX");
	fd = mkstemp(path);
	file = fd < 0 ? NULL : fdopen(fd, "w");
}

static void file_ev(enum wev_type type, int64_t us, int node, uint64_t term,
		    int peer)
{
	struct wev ev = stream_event(type, us, node, term, peer, &finfo);
	char line[1024];

	if (file != NULL && trace_format(line, sizeof(line), &ev, 3) > 0)
		fputs(line, file);
}

/* Starts a fault-free 3-node trace in which node 0 wins term 1. */
static void file_start(void)
{
	int i;

	finfo = sample_info;
	finfo.nodes = 3;
	finfo.drop = finfo.dup = finfo.reorder = 0;
	finfo.random_faults = false;
	file_open();
	file_ev(WEV_START, 0, 0, 0, 0);
	file_ev(WEV_TERM, 1000, 0, 1, 0);
	file_ev(WEV_ROLE, 1000, 0, 1, RAFT_CANDIDATE);
	file_ev(WEV_VOTE, 1000, 0, 1, 0);
	for (i = 1; i < 3; i++) {
		file_ev(WEV_TERM, 2000, i, 1, 0);
		file_ev(WEV_VOTE, 2000, i, 1, 0);
	}
	file_ev(WEV_ROLE, 3000, 0, 1, RAFT_LEADER);
	for (i = 1; i < 3; i++)
		file_ev(WEV_HEARTBEAT, 4000, i, 1, 0);
}

static void file_end(uint64_t violations)
{
	struct wev ev;
	char line[256];

	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_END;
	ev.us = 5000;
	ev.tick = 1;
	ev.violations = violations;
	if (file != NULL && trace_format(line, sizeof(line), &ev, 3) > 0)
		fputs(line, file);
}

static char out_text[4096], err_text[4096];

/* Closes the file, checks it, keeps what was printed, removes it. */
static int file_check(void)
{
	FILE *out = tmpfile(), *err = tmpfile();
	size_t n;
	int rv = -1;

	out_text[0] = err_text[0] = '\0';
	if (file != NULL)
		fclose(file);
	file = NULL;
	if (out != NULL && err != NULL) {
		rv = trace_check_file(path, out, err);
		rewind(out);
		rewind(err);
		n = fread(out_text, 1, sizeof(out_text) - 1, out);
		out_text[n] = '\0';
		n = fread(err_text, 1, sizeof(err_text) - 1, err);
		err_text[n] = '\0';
	}
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	unlink(path);
	return rv;
}

static void check_file_verdicts(void)
{
	file_start();
	REQUIRE(file != NULL);
	file_end(0);
	CHECK_EQ(file_check(), 0);
	CHECK(strcmp(out_text, "check: OK (12 events, 1 terms, 0 violations, "
			       "0 spurious elections)\n") == 0);
	file_start(); /* node 2 claims term 1 as well */
	file_ev(WEV_ROLE, 4500, 2, 1, RAFT_LEADER);
	file_end(2);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(out_text, "check: FAIL (13 events, 1 terms, 2 violations, "
			       "0 spurious elections)\n") == out_text);
	CHECK(strstr(out_text, "  at 4.500 ms: nodes 0 and 2 both became "
			       "leader of term 1\n") != NULL);
	file_start(); /* the run said it was clean */
	file_ev(WEV_HEARTBEAT, 4500, 1, 1, 2);
	file_end(0);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(out_text, "the run recorded 0 violations") != NULL);
	file_start(); /* cut short */
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(out_text, "no end event") != NULL);
}

static void check_file_malformed(void)
{
	int i;

	file_start();
	REQUIRE(file != NULL);
	fputs("{\"ev\":\"term\",\"ms\":5,\"node\":9,\"term\":1}\n", file);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(err_text, ":12: malformed trace: column ") != NULL);
	file_start();
	file_end(0);
	file_ev(WEV_HEAL, 6000, 0, 0, 0);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(err_text, ":13: malformed trace: an event after the end")
	      != NULL);
	file_start();
	for (i = 0; i < 70000; i++)
		fputc(' ', file);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(err_text, ":12: malformed trace: the line is longer "
			       "than 65536 bytes")
	      != NULL);
	file_open(); /* empty */
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(err_text, "no start event") != NULL);
	file_open();
	fputs("{\"ev\":\"heal\",\"ms\":1}\n", file);
	CHECK_EQ(file_check(), 1);
	file_start();
	file_ev(WEV_START, 6000, 0, 0, 0);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(err_text, "a second start event") != NULL);
	file_start();
	fputs("\n  \n", file); /* blank lines say nothing */
	fputc('\0', file);
	CHECK_EQ(file_check(), 1);
	CHECK(strstr(err_text, ":14: malformed trace: the line has a NUL "
			       "byte")
	      != NULL);
}

static void check_file_missing(void)
{
	strcpy(path, "/tmp/raftsim-no-such-dir/none.jsonl");
	file = NULL;
	CHECK_EQ(file_check(), 2);
	CHECK(strstr(err_text, "cannot open /tmp/raftsim-no-such-dir") != NULL);
	CHECK(out_text[0] == '\0');
}

const struct test_case trace_tests[] = {
	{"trace: every event type survives trace_format then trace_parse",
	 every_type_round_trips},
	{"trace: times keep every microsecond", times_keep_every_microsecond},
	{"trace: unknown fields of any type are skipped and escapes decoded",
	 unknown_fields_and_escapes},
	{"trace: malformed lines are refused with a column and a reason",
	 malformed_lines_are_refused},
	{"trace: nesting deeper than the limit is refused",
	 deep_nesting_is_refused},
	{"trace: truncated and corrupted lines never crash the parser",
	 truncated_and_corrupted_lines},
	{"trace: check passes a clean trace and fails one with violations",
	 check_file_verdicts},
	{"trace: check names the line of a malformed trace",
	 check_file_malformed},
	{"trace: check returns 2 for a file it cannot open",
	 check_file_missing},
	{NULL, NULL},
};

/* test_trace.c - the trace reader is the writer's inverse and refuses any
 * malformed line without crashing (test_trace_check.c: `raftsim check`). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/trace.h"
#include "checkfeed.h"
#include "testhelp.h"

static const struct run_info sample_info = {
	"sim", 5,     1234567890123ull,
	10000, 3,     10,
	20,    0.25,  0.5,
	0.125, true,  false,
	true,  false, 24,
	1500,  25001, false,
	false, 0,     0,
	0,     "",    "",
};

static const uint8_t groups[5] = {0, 1, 0, 2, 1};

/* A cas, whose line has every kind of field a history line can have. */
static const struct hist_event sample_hist = {
	.type = HIST_INVOKE,
	.us = 1,
	.client = 3,
	.id = 77,
	.op = HIST_CAS,
	.key = {"k1", 2, false},
	.value = {"c3i77...", 8, false},
	.expect = {NULL, 0, true},
};

static const uint64_t sample_runs[] = {
	8000000002ull, 5, 8000000050ull, 6, 8000000090ull, 6000000077ull};

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
	ev.now = 5000000000ull + (uint64_t)type;
	ev.info = &sample_info;
	ev.group_of = groups;
	ev.violations = 11;
	ev.spurious_elections = 12;
	ev.late_us = 85123;
	ev.index = 8000000001ull + (uint64_t)type;
	ev.last_index = 8000000100ull;
	ev.entry_term = 6000000000ull + (uint64_t)type;
	ev.digest = 0xfedcba9876543210ull;
	ev.installed = true;
	ev.token = 7;
	ev.highest = 9;
	ev.accepted = true;
	ev.client = 3;
	ev.seq = 8000000002ull;
	if (wev_is_hist(type))
		ev.hist = &sample_hist;
	if (type == WEV_RESTART) { /* schema 5: recovered from a WAL */
		ev.recovered = true;
		ev.last_term = 6000000077ull;
		ev.runs = sample_runs;
		ev.run_count = 3;
	}
	ev.disk_what = WEV_DISK_LATENT;
	ev.text = "sector 9 of \"wal-1\"\tunreadable";
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
	CHECK_EQ(a->latency_min_us, b->latency_min_us);
	CHECK_EQ(a->latency_max_us, b->latency_max_us);
}

static void every_type_round_trips(void)
{
	struct trace_slots slots = {0};
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
		if (wev_kind(t) == WEV_KIND_CORE ||
		    wev_kind(t) == WEV_KIND_NODE_FAULT || t == WEV_LOSS)
			CHECK_EQ(out.node, in.node);
		if (wev_kind(t) == WEV_KIND_CORE) {
			CHECK(out.term == in.term);
			CHECK(out.now == in.now);
		}
		if (t == WEV_ROLE || t == WEV_SAW_TERM)
			CHECK_EQ(out.role, in.role);
		if (t == WEV_VOTE || t == WEV_HEARTBEAT || t == WEV_SAW_TERM ||
		    t == WEV_LOSS)
			CHECK_EQ(out.peer, in.peer);
		if (t == WEV_SAW_TERM)
			CHECK(out.seen_term == in.seen_term);
		if (t == WEV_RESTART || t == WEV_PERSIST) {
			CHECK(out.term == in.term && out.peer == in.peer);
			CHECK(out.index == in.index);
			CHECK(out.entry_term == in.entry_term);
		}
		if (t == WEV_RESTART) {
			CHECK(out.recovered);
			CHECK(out.last_index == in.last_index);
			CHECK(out.last_term == in.last_term);
			CHECK(out.run_count == 3 &&
			      memcmp(out.runs, sample_runs,
				     sizeof(sample_runs)) == 0);
		}
		if (t == WEV_DISK) {
			CHECK_EQ(out.disk_what, WEV_DISK_LATENT);
			CHECK(out.text != NULL &&
			      strcmp(out.text, in.text) == 0);
		}
		if (t == WEV_ROUND)
			CHECK_EQ(out.count, in.count);
		if (t == WEV_ROUND || t == WEV_ELECTION || t == WEV_PREVOTE ||
		    t == WEV_LATE || t == WEV_END)
			CHECK_EQ(out.tick, in.tick);
		if (t == WEV_LATE)
			CHECK_EQ(out.late_us, 85123);
		if (t == WEV_END) {
			CHECK_EQ(out.violations, 11);
			CHECK_EQ(out.spurious_elections, 12);
		}
		if (t == WEV_APPEND || t == WEV_COMMIT || t == WEV_APPLY ||
		    t == WEV_TRUNCATE || t == WEV_SNAPSHOT || t == WEV_PROPOSE)
			CHECK(out.index == in.index);
		if (t == WEV_APPEND || t == WEV_APPLY || t == WEV_PROPOSE)
			CHECK(out.last_index == in.last_index);
		if (t == WEV_APPEND || t == WEV_APPLY || t == WEV_SNAPSHOT ||
		    t == WEV_PROPOSE)
			CHECK(out.entry_term == in.entry_term);
		if (t == WEV_APPLY)
			CHECK(out.digest == in.digest);
		if (t == WEV_SNAPSHOT) {
			CHECK(out.installed);
			CHECK_EQ(out.peer, in.peer);
		}
		if (t == WEV_PARTITION)
			CHECK(out.group_of != NULL &&
			      memcmp(out.group_of, groups, 5) == 0);
		if (t == WEV_START)
			same_info(out.info, &sample_info);
		if (t == WEV_FENCED) {
			CHECK(out.token == 7 && out.highest == 9);
			CHECK(out.accepted);
		}
		if (t == WEV_DUPLICATE) {
			CHECK_EQ(out.client, 3);
			CHECK(out.seq == in.seq && out.index == in.index);
		}
		if (wev_is_hist(t)) { /* test_trace_clients.c: the rest */
			REQUIRE(out.hist != NULL);
			CHECK_EQ(out.hist->client, 3);
			CHECK(out.hist->us == in.us);
		}
	}
	trace_slots_free(&slots);
}

static void times_keep_every_microsecond(void)
{
	static const int64_t times[] = {
		0, 1, 999, 1000, 1001, 59999999, INT64_MAX / 1000 * 1000 - 1};
	struct trace_slots slots = {0};
	struct wev in, out;
	char line[256], err[128];
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		in = sample(WEV_HEAL);
		in.us = times[i];
		REQUIRE(trace_format(line, sizeof(line), &in, 5) > 0);
		REQUIRE(trace_parse(line, &out, &slots, 5, err, sizeof(err)) ==
			0);
		CHECK(out.us == times[i]);
	}
	REQUIRE(trace_parse("{\"ms\":2.5,\"ev\":\"heal\"}", &out, &slots, 5,
			    err, sizeof(err)) == 0);
	CHECK_EQ(out.us, 2500); /* fewer decimals, any field order */
}

static void unknown_fields_and_escapes(void)
{
	struct trace_slots slots = {0};
	struct wev out;
	char err[128];

	CHECK_EQ(
		trace_parse(
			" { \"x\" : { \"a\" : [ 1 , { \"b\" : null } , -2.5e-3 ]"
			" , \"c\" : \"}\\\"]\" } , \"ev\" : \"t\\u0065rm\" ,"
			" \"ms\" : 1 , \"node\" : 2 , \"term\" : 3 , "
			"\"later\" : [ true , false , [ ] , { } ] , "
			"\"now\" : 4 }\r\n",
			&out, &slots, 5, err, sizeof(err)),
		0);
	if (err[0] != '\0')
		fprintf(stderr, "    %s\n", err);
	CHECK_EQ(out.type, WEV_TERM);
	CHECK_EQ(out.node, 2);
	CHECK_EQ(out.term, 3);
	CHECK_EQ(out.now, 4);
}

static const char *const bad_lines[] = {
	"",
	"   ",
	"hello",
	"null",
	"[]",
	"{}",
	"{\"ev\":\"term\"",
	"{\"ev\"",
	"{\"ev\":}",
	"{\"ev\":\"term\",}",
	"{,\"ev\":\"term\"}",
	"{\"ev\":\"bogus\",\"ms\":1}",
	"{\"ev\":1,\"ms\":1}",
	"{\"ev\":\"heal\",\"ms\":\"1\"}",
	"{\"ev\":\"heal\",\"ms\":-1}",
	"{\"ev\":\"heal\",\"ms\":1.2345}",
	"{\"ev\":\"heal\",\"ms\":1e3}",
	"{\"ev\":\"heal\",\"ms\":1e400}",
	"{\"ev\":\"heal\",\"ms\":01}",
	"{\"ev\":\"heal\",\"ms\":99999999999999999999}",
	"{\"ev\":\"heal\",\"ms\":1,\"ms\":2}",
	"{\"ev\":\"heal\",\"ms\":1} x",
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
	"{\"ev\":\"term\",\"ms\":1,\"node\":0,\"term\":1}", /* no "now" */
	"{\"ev\":\"loss\",\"ms\":1,\"node\":0}",
	"{\"ev\":\"late\",\"ms\":1,\"node\":0,\"tick\":3}",
	"{\"ev\":\"late\",\"ms\":1,\"node\":0,\"tick\":3,\"late_ms\":-1}",
	/* log events: ranges backwards, missing fields, bad digests and
	 * node ids */
	"{\"ev\":\"append\",\"ms\":1,\"node\":0,\"term\":1,\"first\":3,"
	"\"last\":2,\"entry_term\":1,\"now\":1}",
	"{\"ev\":\"append\",\"ms\":1,\"node\":0,\"term\":1,\"first\":3,"
	"\"entry_term\":1,\"now\":1}",
	"{\"ev\":\"commit\",\"ms\":1,\"node\":0,\"term\":1,\"now\":1}",
	"{\"ev\":\"apply\",\"ms\":1,\"node\":0,\"term\":1,\"first\":1,"
	"\"last\":2,\"entry_term\":1,\"digest\":\"\",\"now\":1}",
	"{\"ev\":\"apply\",\"ms\":1,\"node\":0,\"term\":1,\"first\":1,"
	"\"last\":2,\"entry_term\":1,\"digest\":\"00000000000000001\","
	"\"now\":1}",
	"{\"ev\":\"apply\",\"ms\":1,\"node\":0,\"term\":1,\"first\":1,"
	"\"last\":2,\"entry_term\":1,\"digest\":\"12g4\",\"now\":1}",
	"{\"ev\":\"apply\",\"ms\":1,\"node\":0,\"term\":1,\"first\":1,"
	"\"last\":2,\"entry_term\":1,\"digest\":1234,\"now\":1}",
	"{\"ev\":\"truncate\",\"ms\":1,\"node\":0,\"term\":1,\"now\":1}",
	"{\"ev\":\"snapshot\",\"ms\":1,\"node\":0,\"term\":1,\"index\":5,"
	"\"entry_term\":1,\"leader\":5,\"now\":1}",
	"{\"ev\":\"saw_term\",\"ms\":1,\"node\":0,\"term\":1,"
	"\"role\":\"leader\",\"from\":7,\"seen\":2,\"now\":1}",
	NULL,
};

static void malformed_lines_are_refused(void)
{
	struct trace_slots slots = {0};
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

/* A start line with these values for the fields a start line is judged
 * on. */
static void start_line(char *buf, size_t size, const char *schema,
		       const char *tick_ms, const char *heartbeat,
		       const char *election, const char *latency)
{
	snprintf(buf, size,
		 "{\"ev\":\"start\",\"ms\":0,\"mode\":\"sim\","
		 "\"nodes\":3,\"seed\":1,\"tick_ms\":%s,\"heartbeat_ticks\":%s,"
		 "\"election_ticks\":%s,\"schema\":%s,\"drop\":0,\"dup\":0,"
		 "\"reorder\":0,\"random_faults\":false,\"prevote\":false,"
		 "\"check_quorum\":false,\"ranked_timeouts\":false,"
		 "\"mistakes\":0,\"latency_ms\":%s}",
		 tick_ms, heartbeat, election, schema, latency);
}

static void start_lines_the_core_refuses(void)
{
	static const struct {
		const char *schema, *tick, *hb, *el, *lat, *why;
	} cases[] = {
		{"2", "10", "3", "[10,20]", "[1,5]", NULL},
		{"2", "0.1", "1", "[3,3]", "[0,0]", NULL},
		{"1", "10", "3", "[10,20]", "[1,5]", "schema 1 is not 2 to 5"},
		{"2", "10", "3", "[20,10]", "[1,5]",
		 "\"election_ticks\": the first value exceeds the second"},
		{"2", "0", "3", "[10,20]", "[1,5]", "\"tick_ms\" is 0"},
		{"2", "0.000", "3", "[10,20]", "[1,5]", "\"tick_ms\" is 0"},
		{"2", "10", "0", "[10,20]", "[1,5]",
		 "\"heartbeat_ticks\" is 0"},
		{"2", "10", "3", "[0,20]", "[1,5]", "\"election_ticks\" is 0"},
		{"2", "10", "3", "[10,20]", "[5,1]",
		 "\"latency_ms\": the first value exceeds the second"},
		{"2", "10", "3", "[10,20]", "[1.0001,5]",
		 "more than 3 decimals"},
	};
	struct trace_slots slots = {0};
	struct wev out;
	char line[1024], err[160];
	size_t i;
	int rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start_line(line, sizeof(line), cases[i].schema, cases[i].tick,
			   cases[i].hb, cases[i].el, cases[i].lat);
		rv = trace_parse(line, &out, &slots, 0, err, sizeof(err));
		if (cases[i].why == NULL && rv != 0)
			TEST_FAIL_AT("refused: %s: %s", line, err);
		else if (cases[i].why != NULL &&
			 (rv != -1 || strstr(err, cases[i].why) == NULL))
			TEST_FAIL_AT("%s: wanted \"%s\", got \"%s\"", line,
				     cases[i].why, rv ? err : "accepted");
	}
}

static void deep_nesting_is_refused(void)
{
	static char line[4096];
	struct trace_slots slots = {0};
	struct wev out;
	char err[128];
	int depth, i, len;

	for (depth = 20; depth <= 1000; depth += 980) {
		len = snprintf(line, sizeof(line),
			       "{\"ev\":\"heal\",\"ms\":1,"
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
	struct trace_slots slots = {0};
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
	trace_slots_free(&slots);
}

const struct test_case trace_tests[] = {
	{"trace: every event type survives trace_format then trace_parse",
	 every_type_round_trips},
	{"trace: times keep every microsecond", times_keep_every_microsecond},
	{"trace: unknown fields of any type are skipped and escapes decoded",
	 unknown_fields_and_escapes},
	{"trace: malformed lines are refused with a column and a reason",
	 malformed_lines_are_refused},
	{"trace: a start line with a range backwards, a zero tick or timer, "
	 "or another schema is refused",
	 start_lines_the_core_refuses},
	{"trace: nesting deeper than the limit is refused",
	 deep_nesting_is_refused},
	{"trace: truncated and corrupted lines never crash the parser",
	 truncated_and_corrupted_lines},
	{NULL, NULL},
};

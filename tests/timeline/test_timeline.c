/* test_timeline.c - the timeline's rules, on hand-made event streams and on
 * simulator traces: width, window, locale, priorities, violations, and
 * what it does with a trace it cannot draw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkfeed.h"
#include "testhelp.h"
#include "testrun.h"
#include "timeline_util.h"

static struct cmd_result r; /* large: never on the stack */
static struct wev evs[256];
static size_t nevs;
static char lane_buf[4][1024];

static void add(enum wev_type type, int64_t us, int node, uint64_t term,
		int peer)
{
	evs[nevs++] = stream_event(type, us, node, term, peer, &info);
}

/* 3 nodes, node 0 elected leader of term 1 at 10 ms with both votes. */
static void stream_begin(void)
{
	setup(3);
	nevs = 0;
	add(WEV_START, 0, RAFT_NONE, 0, RAFT_NONE);
	add(WEV_TERM, MS(10), 0, 1, 0);
	add(WEV_ROLE, MS(10), 0, 1, RAFT_CANDIDATE);
	add(WEV_VOTE, MS(10), 0, 1, 0);
	add(WEV_ELECTION, MS(10), 0, 1, 0);
	add(WEV_TERM, MS(11), 1, 1, 0);
	add(WEV_VOTE, MS(11), 1, 1, 0);
	add(WEV_ROLE, MS(12), 0, 1, RAFT_LEADER);
}

static struct timeline_opts opts(int width, int64_t from_us, int64_t to_us)
{
	struct timeline_opts t = {width, from_us, to_us, false};

	return t;
}

/* The chart's cells of one lane (after its label), in a zeroed buffer. */
static const char *cells(const char *got, const char *label, int slot)
{
	char *line = timeline_lane(got, label, lane_buf[slot],
				   sizeof(lane_buf[0]));

	return line != NULL && strlen(line) > 9 ? line + 9 : "";
}

/* Columns of a line: UTF-8 characters. */
static int line_cols(const char *s, size_t len)
{
	int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* The widest line of a picture, and the width of its time axis. */
static int widest(const char *got, int *axis)
{
	const char *line = got, *nl;
	int w = 0, c;

	for (; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		c = line_cols(line, (size_t)(nl - line));
		w = c > w ? c : w;
		if (strncmp(line, "time ", 5) == 0)
			*axis = c;
	}
	return w;
}

static void test_marks_at_their_time(void)
{
	char *got = NULL;
	size_t len;
	struct timeline_opts t = opts(9 + 100, 0, MS(100)); /* 1 ms a column */
	const char *n0, *n1;

	stream_begin();
	add(WEV_ROUND, MS(12), 0, 1, 0);
	add(WEV_HEARTBEAT, MS(14), 1, 1, 0);
	add(WEV_ROUND, MS(42), 0, 1, 0);
	add(WEV_HEARTBEAT, MS(44), 1, 1, 0);
	add(WEV_PAUSE, MS(60), 0, 0, 0);
	add(WEV_RESUME, MS(70), 0, 0, 0);
	add(WEV_LATE, MS(90), 1, 0, RAFT_NONE); /* held back since 85 ms */
	evs[nevs - 1].late_us = MS(5);
	add(WEV_END, MS(100), RAFT_NONE, 0, 0);
	REQUIRE(tl_draw_events(evs, nevs, &t, &got, &len) == TIMELINE_DRAWN);
	n0 = cells(got, "node-0", 0);
	n1 = cells(got, "node-1", 1);
	CHECK(strncmp(n1 + 84, " ::::::", 7) == 0 && n1[91] != ':');
	CHECK(strncmp(n0 + 10, "E1L1", 4) == 0); /* L at 12 beats E's 1 */
	CHECK(n0[10] == 'E' && n0[12] == 'L' && n0[13] == '1');
	CHECK(n0[42] == '|' && n0[43] == '-');
	CHECK(strncmp(n0 + 60, ":::::::::::", 11) == 0 && n0[71] == '-');
	CHECK(n1[14] == 'v' && n1[44] == 'v' && n1[13] == ' ');
	CHECK(strstr(got, "Checker: no violation.") != NULL);
	free(got);
}

/* k partition events without groups at one moment: violations that are
 * no node's, whatever else the checker's rules become. */
static void bad_partitions(int64_t us, int k)
{
	while (k-- > 0)
		add(WEV_PARTITION, us, RAFT_NONE, 0, 0);
}

static void test_violation_wins_its_column(void)
{
	char *got = NULL;
	size_t len;
	struct timeline_opts t = opts(9 + 100, 0, MS(100));
	const char *n1, *chk;

	stream_begin();
	add(WEV_ROUND, MS(30), 0, 1, 0);
	/* Node 1 accepts the heartbeat and times out in the same column: a
	 * spurious election, in a run without faults so far. */
	add(WEV_HEARTBEAT, MS(30) + 100, 1, 1, 0);
	add(WEV_TERM, MS(30) + 200, 1, 2, 0);
	add(WEV_ROLE, MS(30) + 200, 1, 2, RAFT_CANDIDATE);
	add(WEV_VOTE, MS(30) + 200, 1, 2, 1);
	add(WEV_ELECTION, MS(30) + 200, 1, 2, 0);
	bad_partitions(MS(50), 3);
	bad_partitions(MS(70), 12);
	add(WEV_END, MS(100), RAFT_NONE, 0, 0);
	REQUIRE(tl_draw_events(evs, nevs, &t, &got, &len) == TIMELINE_DRAWN);
	n1 = cells(got, "node-1", 0);
	chk = cells(got, "checker", 1);
	CHECK(n1[30] == '!' && n1[31] == '2'); /* E's term stays */
	CHECK(chk[30] == '!' && chk[50] == '3' && chk[70] == '+');
	CHECK(strstr(got, "Checker: 16 violations, 16 in this window") != NULL);
	CHECK(strstr(got, "! at 30.2 ms: timer reset: node 1") != NULL);
	free(got);
}

/* The checker words its first 16 violations; the rest still get a mark
 * at their own time. */
static void test_every_violation_is_drawn(void)
{
	char *got = NULL;
	size_t len;
	struct timeline_opts t = opts(9 + 100, 0, MS(100));
	const char *chk;
	int i, marks = 0;

	stream_begin();
	for (i = 0; i < 40; i++)
		bad_partitions(MS(20 + 2 * i), 1);
	add(WEV_END, MS(100), RAFT_NONE, 0, 0);
	REQUIRE(tl_draw_events(evs, nevs, &t, &got, &len) == TIMELINE_DRAWN);
	chk = cells(got, "checker", 0);
	for (i = 0; i < 40; i++)
		marks += chk[20 + 2 * i] == '!';
	CHECK_EQ(marks, 40);
	CHECK(strstr(got, "... and 24 more") != NULL);
	free(got);
}

static void test_window_keeps_only_its_events(void)
{
	char *got = NULL;
	size_t len;
	struct timeline_opts t = opts(9 + 50, MS(40), MS(90));
	const char *n0, *n1;

	stream_begin();
	add(WEV_HEARTBEAT, MS(20), 1, 1, 0);
	add(WEV_ROUND, MS(42), 0, 1, 0);
	add(WEV_HEARTBEAT, MS(44), 1, 1, 0);
	add(WEV_HEARTBEAT, MS(95), 1, 1, 0);
	bad_partitions(MS(95), 1); /* a violation after the window */
	add(WEV_END, MS(100), RAFT_NONE, 0, 0);
	REQUIRE(tl_draw_events(evs, nevs, &t, &got, &len) == TIMELINE_DRAWN);
	n0 = cells(got, "node-0", 0);
	n1 = cells(got, "node-1", 1);
	/* Leader since before the window: its lane starts as one. */
	CHECK(n0[0] == '-' && n0[2] == '|' && n0[49] == '-');
	CHECK(n1[4] == 'v' && strchr(n1, 'v') == n1 + 4 &&
	      strchr(n1 + 5, 'v') == NULL && strchr(n1, '!') == NULL);
	CHECK(strstr(got, "From 40 to 90 ms, one column = 1 ms.") != NULL);
	CHECK(strstr(got, "Checker: 1 violation, 0 in this window.") != NULL);
	free(got);
}

/* A trace of the simulator, for the tests below; "" if it failed. */
static const char *sim_trace(const char *args)
{
	static char path[128];

	test_tmp(path, sizeof(path), "timeline-t.jsonl");
	if (run_cmd(&r, "%s/raftsim --sim %s -q --trace %s", test_bin_dir(),
		    args, path) != 0 ||
	    r.status > 1)
		return "";
	return path;
}

static void test_width_follows_columns(void)
{
	static const char *const widths[] = {"40", "80", "200", "", "x", "7"};
	static const int want[] = {40, 80, 200, 80, 80, TIMELINE_MIN_WIDTH};
	const char *trace = sim_trace("--nodes 3 --ticks 300 --seed 2 "
				      "--mistake no-reset");
	struct timeline_opts t;
	char *got = NULL;
	size_t i, len;
	int axis = 0;

	REQUIRE(*trace != '\0');
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		setenv("COLUMNS", widths[i], 1);
		timeline_opts_from_env(&t);
		REQUIRE(tl_draw_file(trace, &t, &got, &len, NULL) == 0);
		CHECK_EQ(widest(got, &axis), want[i]);
		CHECK_EQ(axis, want[i]);
		free(got);
	}
	unsetenv("COLUMNS");
	remove(trace);
}

static void test_utf8_only_in_a_utf8_locale(void)
{
	static const struct {
		const char *all, *ctype, *lang;
		bool utf8;
	} cases[] = {
		{NULL, NULL, NULL, false},
		{NULL, NULL, "en_US.UTF-8", true},
		{NULL, "C.utf8", "C", true},
		{"C", NULL, "en_US.UTF-8", false},
		{"", "de_DE.ISO-8859-1", "C.UTF-8", false},
	};
	const char *trace = sim_trace("--nodes 3 --ticks 200 --seed 1");
	struct timeline_opts t;
	char *got = NULL;
	size_t i, j, len;
	bool ascii;

	REQUIRE(*trace != '\0');
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
#define SETENV(name, v) ((v) ? setenv(name, v, 1) : unsetenv(name))
		SETENV("LC_ALL", cases[i].all);
		SETENV("LC_CTYPE", cases[i].ctype);
		SETENV("LANG", cases[i].lang);
		timeline_opts_from_env(&t);
		CHECK(t.utf8 == cases[i].utf8);
		REQUIRE(tl_draw_file(trace, &t, &got, &len, NULL) == 0);
		for (ascii = true, j = 0; j < len; j++)
			ascii = ascii && (unsigned char)got[j] < 0x80;
		CHECK(ascii == !cases[i].utf8);
		free(got);
	}
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	unsetenv("LANG");
	remove(trace);
}

/* Without a window's end the file is read twice; with it, once: the same
 * picture. And the file and the same events in memory draw the same. */
static void test_one_picture_however_read(void)
{
	const char *trace = sim_trace("--nodes 5 --ticks 400 --seed 7 --pause "
				      "leader@100:40 --crash 2@200:30 "
				      "--partition '300:40:0,1|2,3,4'");
	struct timeline_opts whole = opts(100, 0, -1), to = whole;
	char *a = NULL, *b = NULL;
	size_t alen, blen;

	REQUIRE(*trace != '\0');
	to.to_us = MS(4000) + 8000; /* 400 ticks and the last latency */
	REQUIRE(tl_draw_file(trace, &whole, &a, &alen, NULL) == 0);
	REQUIRE(tl_draw_file(trace, &to, &b, &blen, NULL) == 0);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	CHECK(strstr(a, "From 0 to 4008 ms") != NULL);
	CHECK(strstr(a, "Partition from 3000 ms to 3400 ms: {0,1} {2,3,4}") !=
	      NULL);
	free(a);
	free(b);
	remove(trace);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_bad_traces_are_refused(void)
{
	static const char start[] =
		"{\"ev\":\"start\",\"ms\":0,"
		"\"mode\":\"sim\",\"nodes\":3,\"seed\":1,\"tick_ms\":10,"
		"\"heartbeat_ticks\":3,"
		"\"election_ticks\":[10,20],\"schema\":2,\"drop\":0,\"dup\":0,"
		"\"reorder\":0,\"random_faults\":false,\"prevote\":false,"
		"\"check_quorum\":false,\"ranked_timeouts\":false,"
		"\"mistakes\":0,\"latency_ms\":[1,5]}\n";
	struct timeline_opts t = opts(80, 0, -1);
	char path[128], line[2048], err[1024], *got = NULL;
	size_t len;

	test_tmp(path, sizeof(path), "timeline-bad.jsonl");
	snprintf(line, sizeof(line), "%s{\"ev\":\"heartbeat\",\"ms\":1}\n",
		 start);
	write_file(path, line);
	CHECK_EQ(tl_draw_file(path, &t, &got, &len, err), TIMELINE_BAD);
	CHECK(strstr(err, ":2: malformed trace: column") != NULL);
	CHECK(got == NULL || len == 0);
	free(got);
	write_file(path, "{\"ev\":\"heal\",\"ms\":1}\n");
	CHECK_EQ(tl_draw_file(path, &t, &got, &len, err), TIMELINE_BAD);
	CHECK(strstr(err, ":1: malformed trace") != NULL);
	free(got);
	write_file(path, "\n\n");
	CHECK_EQ(tl_draw_file(path, &t, &got, &len, err), TIMELINE_BAD);
	CHECK(strstr(err, "no start event") != NULL);
	free(got);
	remove(path);
	CHECK_EQ(tl_draw_file(path, &t, &got, &len, err), TIMELINE_BAD);
	CHECK(strstr(err, "cannot open") != NULL);
	free(got);
}

static void test_cut_trace_and_bad_windows(void)
{
	const char *trace = sim_trace("--nodes 3 --ticks 100 --seed 1");
	struct timeline_opts t = opts(80, 0, -1);
	char err[1024], *got = NULL;
	size_t len;

	REQUIRE(*trace != '\0');
	/* Cut before its end line: drawn, and said so. */
	REQUIRE(run_cmd(&r, "sed -i '$d' %s", trace) == 0);
	CHECK_EQ(tl_draw_file(trace, &t, &got, &len, err), TIMELINE_DRAWN);
	CHECK(got != NULL && strstr(got, "no end event") != NULL);
	free(got);
	t.from_us = MS(5000);
	CHECK_EQ(tl_draw_file(trace, &t, &got, &len, err), TIMELINE_BAD);
	CHECK(strstr(err, "when the trace has ended") != NULL);
	free(got);
	t.to_us = MS(4000);
	CHECK_EQ(tl_draw_file(trace, &t, &got, &len, err), TIMELINE_BAD);
	CHECK(strstr(err, "end after it starts") != NULL);
	free(got);
	remove(trace);
}

/* A killed run (no end line) resumed in the same trace: its times from 0
 * are drawn on from the killed run's last, every node crashed from the
 * resume line to its restart 5 ms later. */
static void test_resumed_run_is_drawn_on(void)
{
	const char *trace = sim_trace("--nodes 3 --ticks 100 --seed 1");
	struct timeline_opts t = opts(80, 0, -1);
	char err[1024], *got = NULL, *head = NULL;
	double was = 0, now = 0;
	size_t len;
	int i;

	REQUIRE(*trace != '\0');
	REQUIRE(run_cmd(&r, "sed -i '$d' %s", trace) == 0);
	REQUIRE(tl_draw_file(trace, &t, &head, &len, err) == TIMELINE_DRAWN);
	REQUIRE(run_cmd(&r, "head -1 %s | sed 's/}$/,\"resume\":true}/' >> %s",
			trace, trace) == 0);
	for (i = 0; i < 3; i++)
		REQUIRE(run_cmd(&r,
				"echo '{\"ev\":\"restart\",\"ms\":50,"
				"\"node\":%d}' >> %s",
				i, trace) == 0);
	CHECK_EQ(tl_draw_file(trace, &t, &got, &len, err), TIMELINE_DRAWN);
	REQUIRE(got != NULL && head != NULL);
	/* The picture runs 50 ms further than the killed run's. */
	REQUIRE(strstr(head, "From 0 to ") && strstr(got, "From 0 to "));
	CHECK(sscanf(strstr(head, "From 0 to "), "From 0 to %lf", &was) == 1);
	CHECK(sscanf(strstr(got, "From 0 to "), "From 0 to %lf", &now) == 1);
	CHECK(now > was + 49.999 && now < was + 50.001);
	for (i = 0; i < 3; i++)
		CHECK(strchr(cells(got,
				   i == 0   ? "node-0"
				   : i == 1 ? "node-1"
					    : "node-2",
				   0),
			     'x') != NULL);
	free(got);
	free(head);
	remove(trace);
}

static void test_write_error_is_io(void)
{
	const char *trace = sim_trace("--nodes 3 --ticks 100 --seed 1");
	struct timeline_opts t = opts(80, 0, -1);
	FILE *full = fopen("/dev/full", "w"), *null = fopen("/dev/null", "w");

	REQUIRE(*trace != '\0' && full != NULL && null != NULL);
	CHECK_EQ(timeline_render_file(trace, &t, full, null), TIMELINE_IO);
	fclose(full);
	fclose(null);
	remove(trace);
}

/* `raftsim timeline FILE` lands in check_path until its flags are wired. */
static void test_main_draws_the_named_trace(void)
{
	static struct raftsim_options o;
	const char *trace = sim_trace("--nodes 3 --ticks 100 --seed 1");
	FILE *out = tmpfile(), *err = tmpfile();

	REQUIRE(*trace != '\0' && out != NULL && err != NULL);
	options_default(&o);
	CHECK_EQ(timeline_main(&o, out, err), TIMELINE_BAD);
	o.check_path = trace;
	CHECK_EQ(timeline_main(&o, out, err), TIMELINE_DRAWN);
	CHECK(ftell(out) > 0);
	fclose(out);
	fclose(err);
	remove(trace);
}

const struct test_case timeline_tests[] = {
	{"timeline: a resumed run is drawn on from the killed run's last "
	 "time, its nodes crashed in between",
	 test_resumed_run_is_drawn_on},
	{"timeline: rounds, resets, elections, roles, pauses and late ticks "
	 "(as pauses) are drawn in the column of their time",
	 test_marks_at_their_time},
	{"timeline: a violation wins its column over an election and a "
	 "heartbeat, and the checker lane counts them",
	 test_violation_wins_its_column},
	{"timeline: violations past the checker's first 16 reports are drawn "
	 "too",
	 test_every_violation_is_drawn},
	{"timeline: a window draws only its own events, and the state before "
	 "it",
	 test_window_keeps_only_its_events},
	{"timeline: the picture is as wide as COLUMNS (40, 80, 200), 80 when "
	 "unset",
	 test_width_follows_columns},
	{"timeline: UTF-8 glyphs only in a UTF-8 locale, plain ASCII "
	 "otherwise",
	 test_utf8_only_in_a_utf8_locale},
	{"timeline: one picture whether the trace is read once or twice",
	 test_one_picture_however_read},
	{"timeline: a malformed or missing trace is refused with exit 2, "
	 "naming the line",
	 test_bad_traces_are_refused},
	{"timeline: a trace cut short is drawn; a window past its end is "
	 "refused",
	 test_cut_trace_and_bad_windows},
	{"timeline: a failed write is exit 3", test_write_error_is_io},
	{"timeline: timeline_main draws the trace named on the command line",
	 test_main_draws_the_named_trace},
	{NULL, NULL},
};

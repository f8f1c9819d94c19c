/* test_trace_clients.c - client events in the trace (schema 4): every one
 * is read back as written, byte for byte; `raftsim check` of a run's trace
 * with client events gives the run's own verdict; a line longer than the
 * stack's buffer is written and read whole.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/trace.h"
#include "checkfeed.h"
#include "cli/options.h"
#include "harness/monitor.h"
#include "lincheck/history.h"
#include "testhelp.h"

#define S(text)                                                                \
	{                                                                      \
		text, sizeof(text) - 1, false                                  \
	}
#define NUL_STR                                                                \
	{                                                                      \
		NULL, 0, true                                                  \
	}

/* Every shape of history line: each op, each kind of completion, null
 * values, strings that need escapes and bytes beyond ASCII. */
static const struct hist_event hists[] = {
	{.type = HIST_INVOKE,
	 .client = 0,
	 .id = 1,
	 .op = HIST_GET,
	 .key = S("k0")},
	{.type = HIST_INVOKE,
	 .client = 1,
	 .id = 2,
	 .op = HIST_PUT,
	 .key = S("k1"),
	 .value = S("c1i2............")},
	{.type = HIST_INVOKE,
	 .client = 2,
	 .id = 3,
	 .op = HIST_APPEND,
	 .key = S("k\"2\\"),
	 .value = S("c2i3\n\t\x01 \xc3\xa9")},
	{.type = HIST_INVOKE,
	 .client = 3,
	 .id = 4,
	 .op = HIST_CAS,
	 .key = S("k3"),
	 .expect = S("c1i2"),
	 .value = S("c3i4")},
	{.type = HIST_INVOKE,
	 .client = 3,
	 .id = 5,
	 .op = HIST_CAS,
	 .key = S("k3"),
	 .expect = NUL_STR,
	 .value = S("c3i5")},
	{.type = HIST_INVOKE,
	 .client = 4,
	 .id = 6,
	 .op = HIST_DELETE,
	 .key = S("k4")},
	{.type = HIST_OK,
	 .client = 0,
	 .id = 1,
	 .value = S("c1i2c2i3"),
	 .has_value = true},
	{.type = HIST_OK,
	 .client = 0,
	 .id = 7,
	 .value = NUL_STR,
	 .has_value = true},
	{.type = HIST_OK,
	 .client = 3,
	 .id = 4,
	 .swapped = true,
	 .has_swapped = true},
	{.type = HIST_OK,
	 .client = 3,
	 .id = 5,
	 .swapped = false,
	 .has_swapped = true},
	{.type = HIST_OK, .client = 1, .id = 2},
	{.type = HIST_FAIL, .client = 2, .id = 3},
	{.type = HIST_INFO, .client = 1024, .id = 9223372036854775807ull},
};

static const enum wev_type wev_of[] = {
	[HIST_INVOKE] = WEV_INVOKE,
	[HIST_OK] = WEV_OK,
	[HIST_FAIL] = WEV_FAIL,
	[HIST_INFO] = WEV_INFO,
};

static bool same_str(struct hist_str a, struct hist_str b)
{
	return a.null == b.null && a.len == b.len &&
	       (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}

/* Formats ev, parses the line, formats the result: the same bytes. */
static void round_trip(const struct wev *ev, struct trace_slots *slots,
		       struct wev *out)
{
	char line[1024], again[1024], err[160];
	int len;

	len = trace_format(line, sizeof(line), ev, 3);
	REQUIRE(len > 0 && line[len - 1] == '\n');
	line[len - 1] = '\0';
	if (trace_parse(line, out, slots, 3, err, sizeof(err)) != 0) {
		TEST_FAIL_AT("%s: %s", line, err);
		return;
	}
	CHECK_EQ(out->type, ev->type);
	CHECK_EQ(out->us, ev->us);
	CHECK_EQ(trace_format(again, sizeof(again), out, 3), len);
	again[len - 1] = '\0';
	if (strcmp(line, again) != 0)
		TEST_FAIL_AT("%s became %s", line, again);
}

static void client_events_round_trip(void)
{
	struct trace_slots slots = {0};
	const struct hist_event *in;
	struct hist_event h;
	struct wev ev, out;
	size_t i;

	for (i = 0; i < sizeof(hists) / sizeof(hists[0]); i++) {
		h = hists[i];
		h.us = 1234567 + (int64_t)i;
		ev = wev_from_hist(&h);
		CHECK_EQ(ev.type, wev_of[h.type]);
		round_trip(&ev, &slots, &out);
		REQUIRE(out.hist != NULL);
		in = &h;
		CHECK_EQ(out.hist->type, in->type);
		CHECK_EQ(out.hist->us, in->us);
		CHECK_EQ(out.hist->client, in->client);
		CHECK(out.hist->id == in->id);
		if (in->type == HIST_INVOKE) {
			CHECK_EQ(out.hist->op, in->op);
			CHECK(same_str(out.hist->key, in->key));
		}
		if (in->type == HIST_INVOKE && in->op == HIST_CAS)
			CHECK(same_str(out.hist->expect, in->expect));
		if (in->value.len > 0 || in->value.null)
			CHECK(same_str(out.hist->value, in->value));
		CHECK_EQ(out.hist->has_value, in->has_value);
		CHECK_EQ(out.hist->has_swapped, in->has_swapped);
		CHECK_EQ(out.hist->swapped, in->swapped);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_FENCED;
	ev.us = 5000001;
	ev.node = 2;
	ev.token = 3;
	ev.highest = 4;
	ev.accepted = false;
	round_trip(&ev, &slots, &out);
	CHECK(out.node == 2 && out.token == 3 && out.highest == 4 &&
	      !out.accepted);
	ev.accepted = true;
	round_trip(&ev, &slots, &out);
	CHECK(out.accepted);
	memset(&ev, 0, sizeof(ev));
	ev.type = WEV_DUPLICATE;
	ev.us = 5000002;
	ev.node = 1;
	ev.client = 7;
	ev.seq = 12;
	ev.index = 99;
	round_trip(&ev, &slots, &out);
	CHECK(out.node == 1 && out.client == 7 && out.seq == 12 &&
	      out.index == 99);
	trace_slots_free(&slots);
}

static void client_lines_are_checked(void)
{
	static const char *const bad[] = {
		/* no "client" */
		"{\"ev\":\"fail\",\"ms\":1,\"id\":1}",
		/* not an operation hist_parse knows */
		"{\"ev\":\"invoke\",\"ms\":1,\"client\":0,\"id\":1,"
		"\"op\":\"frob\",\"key\":\"k\"}",
		/* a fenced event's node outside the cluster */
		"{\"ev\":\"fenced\",\"ms\":1,\"node\":3,\"token\":1,"
		"\"highest\":2,\"accepted\":false}",
		"{\"ev\":\"duplicate\",\"ms\":1,\"node\":0,\"client\":1,"
		"\"seq\":2}",
	};
	struct trace_slots slots = {0};
	struct wev out;
	char err[160];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (trace_parse(bad[i], &out, &slots, 3, err, sizeof(err)) !=
		    -1)
			TEST_FAIL_AT("accepted: %s", bad[i]);
	/* Before a start line (nodes 0) a client event is refused too:
	 * `raftsim check` needs a run; `raftsim lincheck` reads these. */
	CHECK_EQ(trace_parse("{\"ev\":\"info\",\"ms\":1,\"client\":0,\"id\":1}",
			     &out, &slots, 0, err, sizeof(err)),
		 -1);
	CHECK(strstr(err, "\"info\" event before the start event") != NULL);
	trace_slots_free(&slots);
}

/* One run through a monitor writing its trace to a file, and its
 * verdict; then `raftsim check` of that file. */
struct twin {
	char path[64];
	int live_code, file_code;
	uint64_t live_violations;
	char *live_out;
	char file_out[8192];
};

static void emit(struct monitor *m, const struct wev *ev)
{
	monitor_event(m, ev);
}

/* A heartbeat round of node 0, term 1's leader, heard by both others. */
static void hb_round(struct monitor *m, int64_t us)
{
	struct wev ev = stream_event(WEV_ROUND, us, 0, 1, RAFT_NONE, &info);
	int i;

	ev.count = 2;
	emit(m, &ev);
	for (i = 1; i < 3; i++) {
		ev = stream_event(WEV_HEARTBEAT, us, i, 1, 0, &info);
		emit(m, &ev);
	}
}

static void emit_hist(struct monitor *m, enum hist_type type, int64_t us,
		      int client, uint64_t id, enum hist_op op,
		      const char *value)
{
	struct hist_event h;
	struct wev ev;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.us = us;
	h.client = client;
	h.id = id;
	h.op = op;
	h.key.s = "k0";
	h.key.len = 2;
	if (value != NULL) {
		h.value.s = value;
		h.value.len = strlen(value);
		h.has_value = type == HIST_OK;
	}
	ev = wev_from_hist(&h);
	emit(m, &ev);
}

/* Node 0 leads term 1 of 3; client 0 writes "c0i1" then `second`; client
 * 1 then reads `seen`; the fenced store refuses one stale write. */
static void run_twin(struct twin *t, const char *second, const char *seen)
{
	struct node_summary sums[3];
	struct monitor m;
	struct wev ev;
	FILE *trace, *out, *check_out, *err;
	size_t len = 0;
	int fd, i;

	memset(t, 0, sizeof(*t));
	t->live_code = t->file_code = -1;
	strcpy(t->path, "/tmp/raftsim-clients-XXXXXX");
	fd = mkstemp(t->path);
	trace = fd < 0 ? NULL : fdopen(fd, "w");
	REQUIRE(trace != NULL);
	setup(3);
	REQUIRE(monitor_init(&m, &info, trace, NULL) == 0);
	ev = stream_event(WEV_TERM, MS(1), 0, 1, RAFT_NONE, &info);
	emit(&m, &ev);
	ev = stream_event(WEV_ROLE, MS(1), 0, 1, RAFT_CANDIDATE, &info);
	emit(&m, &ev);
	ev = stream_event(WEV_VOTE, MS(1), 0, 1, 0, &info);
	emit(&m, &ev);
	for (i = 1; i < 3; i++) {
		ev = stream_event(WEV_TERM, MS(2), i, 1, RAFT_NONE, &info);
		emit(&m, &ev);
		ev = stream_event(WEV_VOTE, MS(2), i, 1, 0, &info);
		emit(&m, &ev);
	}
	ev = stream_event(WEV_ROLE, MS(3), 0, 1, RAFT_LEADER, &info);
	emit(&m, &ev);
	emit_hist(&m, HIST_INVOKE, MS(10), 0, 1, HIST_PUT, "c0i1");
	emit_hist(&m, HIST_OK, MS(20), 0, 1, HIST_PUT, NULL);
	hb_round(&m, MS(30));
	emit_hist(&m, HIST_INVOKE, MS(30), 0, 2, HIST_PUT, second);
	emit_hist(&m, HIST_OK, MS(40), 0, 2, HIST_PUT, NULL);
	emit_hist(&m, HIST_INVOKE, MS(50), 1, 1, HIST_GET, NULL);
	hb_round(&m, MS(60));
	emit_hist(&m, HIST_OK, MS(60), 1, 1, HIST_GET, seen);
	ev = stream_event(WEV_FENCED, MS(61), 2, 0, RAFT_NONE, &info);
	ev.token = 0;
	ev.highest = 1;
	emit(&m, &ev);
	emit_hist(&m, HIST_INVOKE, MS(70), 1, 2, HIST_GET, NULL); /* open */
	hb_round(&m, MS(90));
	monitor_end(&m, MS(100), 10);
	fclose(trace);
	memset(sums, 0, sizeof(sums));
	out = open_memstream(&t->live_out, &len);
	err = fopen("/dev/null", "w");
	check_out = tmpfile();
	if (out != NULL && err != NULL && check_out != NULL) {
		t->live_code = monitor_verdict(&m, sums, 3, out, err);
		t->live_violations = checker_violation_count(m.checker);
		t->file_code = trace_check_file(t->path, check_out, err);
		rewind(check_out);
		len = fread(t->file_out, 1, sizeof(t->file_out) - 1, check_out);
		t->file_out[len] = '\0';
	}
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	if (check_out != NULL)
		fclose(check_out);
	monitor_free(&m);
	unlink(t->path);
}

static void check_agrees_with_the_live_verdict(void)
{
	struct twin t;

	run_twin(&t, "c0i2", "c0i2");
	CHECK_EQ(t.live_code, EXIT_PASS);
	CHECK_EQ(t.file_code, 0);
	CHECK_EQ(t.live_violations, 0);
	CHECK(strstr(t.file_out, "check: OK") != NULL);
	CHECK(strstr(t.file_out,
		     "check: checked 4 client operations on 1 key (1 open, 0 "
		     "failed): linearizable; fencing: 1 stale write refused, "
		     "0 accepted") != NULL);
	CHECK(t.live_out != NULL &&
	      strstr(t.live_out,
		     "raftsim: checked 4 client operations on 1 key (1 "
		     "open, 0 failed): linearizable; fencing: 1 stale write "
		     "refused, 0 accepted") != NULL);
	free(t.live_out);
	run_twin(&t, "c0i2", "c0i1"); /* a stale read */
	CHECK_EQ(t.live_code, EXIT_VIOLATION);
	CHECK_EQ(t.file_code, 1);
	CHECK_EQ(t.live_violations, 1);
	CHECK(strstr(t.file_out, "check: FAIL (") != NULL);
	CHECK(strstr(t.file_out, " 1 violations,") != NULL);
	CHECK(strstr(t.file_out, "linearizability: the history of 4 "
				 "operations is not linearizable") != NULL);
	/* The counts in the end line agree with the file's. */
	CHECK(strstr(t.file_out, "the run recorded") == NULL);
	CHECK(t.live_out != NULL &&
	      strstr(t.live_out, "raftsim: FAIL (1 violation of "
				 "linearizability") != NULL);
	free(t.live_out);
}

/* A get of a long appended value: longer than the monitor's stack line,
 * written from its heap buffer and read back whole by check. */
static void long_client_lines_are_written_and_read(void)
{
	struct twin t;
	char *big = malloc(200001);
	int i;

	REQUIRE(big != NULL);
	for (i = 0; i < 200000; i += 20)
		memcpy(big + i, "c0i1................", 20);
	big[200000] = '\0';
	/* The history is not linearizable ("c0i1..." x 10000 was never
	 * written): what matters is that both sides see the same line. */
	run_twin(&t, "c0i2", big);
	CHECK_EQ(t.live_code, EXIT_VIOLATION);
	CHECK_EQ(t.file_code, 1);
	CHECK(strstr(t.file_out, "malformed") == NULL);
	CHECK(strstr(t.file_out, "check: FAIL (") != NULL);
	/* The file holds the long read: the same verdict for the same
	 * reason, and the same counts as the end line. */
	CHECK(strstr(t.file_out, "NOT linearizable") != NULL);
	CHECK(strstr(t.file_out, "the run recorded") == NULL);
	free(t.live_out);
	free(big);
}

/* A line over TRACE_LINE_MAX is not written: the trace fails, said by
 * the run (exit 3), rather than holding a line check would refuse. */
static void a_line_over_the_limit_fails_the_trace(void)
{
	size_t n = TRACE_LINE_MAX;
	char *big = malloc(n + 1);
	FILE *trace = tmpfile();
	struct monitor m;

	REQUIRE(big != NULL && trace != NULL);
	memset(big, '.', n);
	big[0] = 'c';
	big[n] = '\0';
	setup(3);
	REQUIRE(monitor_init(&m, &info, trace, NULL) == 0);
	emit_hist(&m, HIST_INVOKE, MS(1), 0, 1, HIST_PUT, big + n / 2);
	CHECK_EQ(m.trace_failed, 0);
	emit_hist(&m, HIST_INVOKE, MS(2), 1, 1, HIST_PUT, big);
	CHECK_EQ(m.trace_failed, 1);
	monitor_free(&m);
	fclose(trace);
	free(big);
}

const struct test_case trace_clients_tests[] = {
	{"trace: every client event is read back as written, byte for byte",
	 client_events_round_trip},
	{"trace: a client line without its fields, or before the start line, "
	 "is refused",
	 client_lines_are_checked},
	{"trace: check of a trace with client events gives the run's own "
	 "verdict",
	 check_agrees_with_the_live_verdict},
	{"trace: a client line longer than the monitor's stack buffer is "
	 "written and read whole",
	 long_client_lines_are_written_and_read},
	{"trace: a client line over 1 MiB fails the trace instead of being "
	 "written",
	 a_line_over_the_limit_fails_the_trace},
	{NULL, NULL},
};

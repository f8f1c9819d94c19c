/* test_checker_clients.c - the clients' rules (issue 11): the history fed
 * to the checker is decided by lincheck at the end, live as from a file;
 * a stale fenced write and a request executed twice are violations; the
 * verdict says what was checked and prints a failing key's report after
 * its own line. Streams as in test_checker_live.c (checkfeed.h).
 */
#include <stdlib.h>
#include <string.h>

#include "checkfeed.h"
#include "cli/options.h"
#include "harness/monitor.h"
#include "lincheck/history.h"
#include "testhelp.h"

static struct hist_str str(const char *s)
{
	struct hist_str v = {s, s != NULL ? strlen(s) : 0, s == NULL};

	return v;
}

static void feed_hist(const struct hist_event *h)
{
	struct wev ev = wev_from_hist(h);

	checker_feed(ck, &ev);
}

/* Client `client` invokes operation `id`: op on key with value (NULL:
 * none, or a cas's expect of an absent key). */
static void invoke(int64_t us, int client, uint64_t id, enum hist_op op,
		   const char *key, const char *value)
{
	struct hist_event h;

	memset(&h, 0, sizeof(h));
	h.type = HIST_INVOKE;
	h.us = us;
	h.client = client;
	h.id = id;
	h.op = op;
	h.key = str(key);
	if (op == HIST_PUT || op == HIST_APPEND || op == HIST_CAS)
		h.value = str(value);
	feed_hist(&h);
}

/* A completion; a get's ok carries the value read (NULL: absent). */
static void complete(enum hist_type type, int64_t us, int client, uint64_t id)
{
	struct hist_event h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.us = us;
	h.client = client;
	h.id = id;
	feed_hist(&h);
}

static void read_ok(int64_t us, int client, uint64_t id, const char *value)
{
	struct hist_event h;

	memset(&h, 0, sizeof(h));
	h.type = HIST_OK;
	h.us = us;
	h.client = client;
	h.id = id;
	h.value = str(value);
	h.has_value = true;
	feed_hist(&h);
}

static void fenced(int64_t us, int node, uint64_t token, uint64_t highest,
		   bool accepted)
{
	struct wev ev = stream_event(WEV_FENCED, us, node, 0, RAFT_NONE, &info);

	ev.token = token;
	ev.highest = highest;
	ev.accepted = accepted;
	checker_feed(ck, &ev);
}

static void duplicate(int64_t us, int node, int client, uint64_t seq,
		      uint64_t index)
{
	struct wev ev = stream_event(WEV_DUPLICATE, us, node, 0, RAFT_NONE,
				     &info);

	ev.client = client;
	ev.seq = seq;
	ev.index = index;
	checker_feed(ck, &ev);
}

/* Client 0 writes v1 then v2 to k0, each completed; then client 1 reads
 * `seen`, after both. */
static void two_writes_then_read(const char *seen)
{
	invoke(MS(10), 0, 1, HIST_PUT, "k0", "c0i1");
	complete(HIST_OK, MS(20), 0, 1);
	invoke(MS(30), 0, 2, HIST_PUT, "k0", "c0i2");
	complete(HIST_OK, MS(40), 0, 2);
	invoke(MS(50), 1, 1, HIST_GET, "k0", NULL);
	read_ok(MS(60), 1, 1, seen);
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
	if (out != NULL && err != NULL)
		code = monitor_verdict(&m, sums, 3, out, err);
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return code;
}

static void stale_read_is_not_linearizable(void)
{
	struct checker_clients_stats st;

	begin(3);
	elect(MS(0), 0, 1, 3);
	two_writes_then_read("c0i1");
	CHECK_EQ(violations(), 0); /* decided at the end */
	checker_finish(ck, MS(100));
	st = checker_clients_stats(ck);
	CHECK_EQ(st.lin, CHECKER_LIN_ILLEGAL);
	CHECK_EQ(st.operations, 3);
	CHECK_EQ(st.keys, 1);
	CHECK_EQ(violations(), 1);
	CHECK(reported("linearizability: the history of 3 operations is not "
		       "linearizable"));
}

static void correct_history_passes(void)
{
	struct checker_clients_stats st;
	char *text = NULL;

	begin(3);
	elect(MS(0), 0, 1, 3);
	two_writes_then_read("c0i2");
	/* A read concurrent with the second write may see either. */
	invoke(MS(70), 0, 3, HIST_PUT, "k0", "c0i3");
	invoke(MS(71), 1, 2, HIST_GET, "k0", NULL);
	read_ok(MS(72), 1, 2, "c0i2");
	complete(HIST_OK, MS(80), 0, 3);
	invoke(MS(81), 2, 1, HIST_GET, "k1", NULL);
	read_ok(MS(82), 2, 1, NULL);
	checker_finish(ck, MS(100));
	st = checker_clients_stats(ck);
	CHECK_EQ(st.lin, CHECKER_LIN_OK);
	CHECK_EQ(st.operations, 6);
	CHECK_EQ(st.keys, 2);
	CHECK_EQ(violations(), 0);
	CHECK_EQ(verdict(&text), EXIT_PASS);
	CHECK(text != NULL &&
	      strstr(text, "raftsim: checked 6 client operations on 2 keys "
			   "(0 open, 0 failed): linearizable; fencing: 0 "
			   "stale writes refused, 0 accepted; exactly-once: "
			   "0 duplicates\n") != NULL);
	CHECK(text != NULL && strstr(text, "raftsim: PASS") != NULL);
	free(text);
}

/* The report of the smallest failing key comes after the verdict line,
 * on the verdict's stream. */
static void failing_key_report_follows_the_verdict(void)
{
	char *text = NULL;
	const char *fail;

	begin(3);
	elect(MS(0), 0, 1, 3);
	two_writes_then_read("c0i1");
	checker_finish(ck, MS(100));
	CHECK_EQ(verdict(&text), EXIT_VIOLATION);
	REQUIRE(text != NULL);
	fail = strstr(text, "raftsim: FAIL (1 violation of linearizability");
	CHECK(fail != NULL);
	CHECK(strstr(text, "NOT linearizable") != NULL);
	/* Something follows the verdict line: the report names the key. */
	if (fail != NULL) {
		fail = strchr(fail, '\n');
		CHECK(fail != NULL && strstr(fail, "k0") != NULL);
	}
	free(text);
}

static void fenced_store_taking_a_stale_token_fails(void)
{
	struct checker_clients_stats st;

	begin(3);
	fenced(MS(10), 1, 1, 2, false);
	CHECK_EQ(violations(), 0);
	fenced(MS(20), 1, 1, 2, true);
	CHECK_EQ(violations(), 1);
	CHECK(reported("fencing: the fenced store accepted node 1's write "
		       "with token 1, below the highest it had seen (2)"));
	checker_finish(ck, MS(100));
	st = checker_clients_stats(ck);
	CHECK_EQ(st.fenced_refused, 1);
	CHECK_EQ(st.fenced_accepted, 1);
	CHECK_EQ(st.lin, CHECKER_LIN_NONE);
}

static void duplicate_execution_fails(void)
{
	begin(3);
	duplicate(MS(10), 2, 5, 7, 42);
	CHECK_EQ(violations(), 1);
	CHECK(reported("exactly-once: node 2 executed client 5's request 7 a "
		       "second time, at index 42"));
	CHECK_EQ(checker_clients_stats(ck).duplicates, 1);
	/* A node of no cluster is an event error, not a duplicate. */
	begin(3);
	duplicate(MS(10), 3, 5, 7, 42);
	CHECK(reported("event: duplicate event names node 3 of a 3-node "
		       "cluster"));
	CHECK_EQ(checker_clients_stats(ck).duplicates, 0);
}

static void malformed_history_is_a_violation(void)
{
	begin(3);
	invoke(MS(10), 0, 1, HIST_PUT, "k0", "c0i1");
	complete(HIST_OK, MS(20), 0, 2); /* no invoke of id 2 */
	CHECK_EQ(violations(), 1);
	CHECK(reported("history: client 0's ok of operation 2 does not fit "
		       "the history"));
	invoke(MS(30), 0, 3, HIST_GET, "k0", NULL);
	read_ok(MS(40), 0, 3, "never written");
	checker_finish(ck, MS(100));
	/* Nothing after it is checked: it could not be matched. */
	CHECK_EQ(checker_clients_stats(ck).lin, CHECKER_LIN_MALFORMED);
	CHECK_EQ(violations(), 1);
	/* A history event with no operation. */
	begin(3);
	{
		struct wev ev = stream_event(WEV_OK, MS(1), RAFT_NONE, 0,
					     RAFT_NONE, &info);
		checker_feed(ck, &ev);
	}
	CHECK(reported("history: the ok event has no operation"));
}

/* An interrupted run's open operations may or may not have happened. */
static void open_operations_stay_open(void)
{
	struct checker_clients_stats st;

	begin(3);
	invoke(MS(10), 0, 1, HIST_PUT, "k0", "c0i1");
	complete(HIST_INFO, MS(20), 0, 1);
	invoke(MS(30), 0, 2, HIST_PUT, "k0", "c0i2");
	invoke(MS(31), 1, 1, HIST_GET, "k0", NULL);
	read_ok(MS(40), 1, 1, "c0i2");
	invoke(MS(41), 1, 2, HIST_GET, "k0", NULL);
	read_ok(MS(50), 1, 2, "c0i1"); /* only if c0i1 came after c0i2 */
	invoke(MS(51), 2, 1, HIST_PUT, "k0", "c2i1");
	complete(HIST_FAIL, MS(52), 2, 1);
	checker_finish(ck, MS(60));
	st = checker_clients_stats(ck);
	CHECK_EQ(st.lin, CHECKER_LIN_OK);
	CHECK_EQ(st.open, 2);
	CHECK_EQ(st.failed, 1);
	CHECK_EQ(violations(), 0);
}

/* Linearizability does not depend on liveness: a run the overload kept
 * from being judged still fails a stale read. */
static void unjudged_run_still_checks_linearizability(void)
{
	char *text = NULL;
	int64_t t;

	setup(3);
	strcpy(info.mode, "threads");
	start();
	for (t = MS(10); t < MS(3000); t += MS(100)) {
		late(t, 1, MS(20));
		late(t + MS(50), 2, MS(20));
	}
	two_writes_then_read("c0i1");
	checker_finish(ck, MS(3000));
	CHECK(checker_unjudged(ck));
	CHECK(reported("linearizability:"));
	CHECK_EQ(verdict(&text), EXIT_VIOLATION);
	CHECK(text != NULL && strstr(text, "raftsim: FAIL") != NULL);
	free(text);
}

/* Values written twice defeat the inference from unique values, so the
 * search must decide: with a limit of 1 us it cannot. */
static void undecided_history_cannot_pass(void)
{
	char *text = NULL;
	int64_t t = MS(10);
	int i;

	begin(3);
	elect(MS(0), 0, 1, 3);
	checker_set_lincheck_timeout(ck, 1);
	for (i = 0; i < 400; i++, t += 4) {
		invoke(t, i % 4, (uint64_t)i + 1, HIST_PUT, "k0", "same");
		invoke(t + 1, 4 + i % 4, (uint64_t)i + 1, HIST_GET, "k0", NULL);
		complete(HIST_OK, t + 2, i % 4, (uint64_t)i + 1);
		read_ok(t + 3, 4 + i % 4, (uint64_t)i + 1, "same");
	}
	checker_finish(ck, t);
	CHECK_EQ(checker_clients_stats(ck).lin, CHECKER_LIN_UNDECIDED);
	CHECK(checker_clients_undecided(ck));
	CHECK_EQ(violations(), 0);
	CHECK_EQ(verdict(&text), EXIT_RUN_FAILED);
	CHECK(text != NULL &&
	      strstr(text, "raftsim: CANNOT JUDGE (3 nodes, 0 violations, but "
			   "the history of 800 client operations was not "
			   "decided: the linearizability check ran past its "
			   "limit of 1e-06 s") != NULL);
	CHECK(text != NULL && strstr(text, "PASS") == NULL);
	free(text);
}

const struct test_case checker_clients_tests[] = {
	{"clients: a read of an overwritten value fails linearizability",
	 stale_read_is_not_linearizable},
	{"clients: a linearizable history passes, and the verdict counts its "
	 "operations and keys",
	 correct_history_passes},
	{"clients: the smallest failing key's report follows the FAIL line",
	 failing_key_report_follows_the_verdict},
	{"clients: a fenced store that accepts a stale token fails fencing; "
	 "refusals are counted",
	 fenced_store_taking_a_stale_token_fails},
	{"clients: a request executed twice fails exactly-once",
	 duplicate_execution_fails},
	{"clients: a completion without its invoke fails history and stops "
	 "the linearizability check",
	 malformed_history_is_a_violation},
	{"clients: info and unfinished operations stay open; failed ones "
	 "never happened",
	 open_operations_stay_open},
	{"clients: a run that cannot be judged for liveness still fails a "
	 "stale read",
	 unjudged_run_still_checks_linearizability},
	{"clients: a history undecided within the time limit is CANNOT "
	 "JUDGE (exit 3), never PASS",
	 undecided_history_cannot_pass},
	{NULL, NULL},
};

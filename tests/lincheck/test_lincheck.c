/* test_lincheck.c - the linearizability checker (src/lincheck) on
 * hand-made histories with a known answer. Each history is decided twice:
 * as lincheck_run decides it (inference first), and by the search alone;
 * both must give the known answer. */
#include <stdio.h>
#include <string.h>

#include "lchist.h"
#include "testhelp.h"

/* Builds the history under both modes and checks the verdict of each. */
static void expect(void (*build)(void), enum lincheck_verdict want,
		   const char *in_report)
{
	int mode;

	for (mode = 0; mode < 2; mode++) {
		enum lincheck_verdict got;

		h_begin(mode == 1);
		build();
		CHECK_EQ(h_refused(), 0);
		got = h_verdict();
		if (got != want)
			TEST_FAIL_AT("%s: verdict %d, want %d\n%s",
				     mode ? "search only" : "inference first",
				     got, want, h_report());
		if (in_report != NULL && strstr(h_report(), in_report) == NULL)
			TEST_FAIL_AT("%s: the report lacks \"%s\":\n%s",
				     mode ? "search only" : "inference first",
				     in_report, h_report());
	}
	h_end();
}

static void latest_write(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_put(20, 1, "k", "b");
	h_ok(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, "b");
}

static void a_read_of_the_latest_completed_write_is_linearizable(void)
{
	expect(latest_write, LINCHECK_OK, NULL);
}

static void stale_read(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_put(20, 1, "k", "b");
	h_ok(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, "a");
}

static void a_stale_read_is_not_linearizable(void)
{
	expect(stale_read, LINCHECK_ILLEGAL, "client 2 id 1 get -> \"a\"");
}

static void lost_write(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_get(20, 2, "k");
	h_read(30, 2, NULL);
}

static void a_completed_write_that_a_later_read_misses_is_lost(void)
{
	expect(lost_write, LINCHECK_ILLEGAL, "key \"k\": 2 operations");
}

static void phantom(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_get(20, 2, "k");
	h_read(30, 2, "z");
}

static void a_read_of_a_value_never_written_is_not_linearizable(void)
{
	expect(phantom, LINCHECK_ILLEGAL, NULL);
}

static void cas_wrong(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_cas(20, 2, "k", "b", "c");
	h_swapped(30, 2, true);
}

static void a_cas_that_swapped_a_value_the_key_did_not_hold_is_illegal(void)
{
	expect(cas_wrong, LINCHECK_ILLEGAL, NULL);
}

static void cas_refused_on_match(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_cas(20, 2, "k", "a", "c");
	h_swapped(30, 2, false);
}

static void a_cas_that_did_not_swap_the_value_it_expected_is_illegal(void)
{
	expect(cas_refused_on_match, LINCHECK_ILLEGAL, NULL);
}

static void info_write_read(void)
{
	h_put(0, 1, "k", "a");
	h_info(10, 1);
	h_get(50, 2, "k");
	h_read(60, 2, "a");
}

static void an_info_write_that_was_read_is_assumed_to_have_happened(void)
{
	expect(info_write_read, LINCHECK_OK, NULL);
}

static void info_write_too_late(void)
{
	h_get(0, 2, "k");
	h_read(10, 2, "a");
	h_put(20, 1, "k", "a");
	h_info(30, 1);
}

static void an_info_write_cannot_take_effect_before_its_invoke(void)
{
	expect(info_write_too_late, LINCHECK_ILLEGAL, NULL);
}

static void info_write_unread(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_put(20, 1, "k", "b");
	h_info(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, "a");
	h_put(60, 1, "k", "c"); /* the client goes on after its info */
	h_ok(70, 1);
}

static void an_info_write_may_never_take_effect(void)
{
	expect(info_write_unread, LINCHECK_OK, NULL);
}

static void failed_write_read(void)
{
	h_put(0, 1, "k", "a");
	h_fail(10, 1);
	h_get(20, 2, "k");
	h_read(30, 2, "a");
}

static void a_failed_write_never_took_effect(void)
{
	expect(failed_write_read, LINCHECK_ILLEGAL, NULL);
}

static void open_write_failed_cas(void)
{
	/* the cas could only fail if the open put of "b" came first */
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_put(20, 1, "k", "b");
	h_info(30, 1);
	h_cas(40, 2, "k", "a", "c");
	h_swapped(50, 2, false);
}

static void an_unread_info_write_can_explain_a_cas_that_did_not_swap(void)
{
	expect(open_write_failed_cas, LINCHECK_OK, NULL);
}

static void appends_in_order(void)
{
	h_append(0, 1, "k", "a");
	h_ok(10, 1);
	h_append(20, 1, "k", "b");
	h_ok(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, "ab");
}

static void appends_reversed(void)
{
	h_append(0, 1, "k", "a");
	h_ok(10, 1);
	h_append(20, 1, "k", "b");
	h_ok(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, "ba");
}

static void appends_concurrent(void)
{
	h_append(0, 1, "k", "a");
	h_append(0, 2, "k", "b");
	h_ok(10, 1);
	h_ok(10, 2);
	h_get(40, 3, "k");
	h_read(50, 3, "ba");
}

static void append_to_absent(void)
{
	h_get(0, 3, "k");
	h_read(5, 3, NULL);
	h_append(10, 1, "k", "x");
	h_ok(20, 1);
	h_get(30, 3, "k");
	h_read(40, 3, "x");
}

static void an_append_concatenates_to_the_value_or_to_nothing(void)
{
	expect(appends_in_order, LINCHECK_OK, NULL);
	expect(appends_reversed, LINCHECK_ILLEGAL, NULL);
	expect(appends_concurrent, LINCHECK_OK, NULL);
	expect(append_to_absent, LINCHECK_OK, NULL);
}

static void delete_then_absent(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_delete(20, 1, "k");
	h_ok(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, NULL);
}

static void delete_then_value(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_delete(20, 1, "k");
	h_ok(30, 1);
	h_get(40, 2, "k");
	h_read(50, 2, "a");
}

static void a_delete_makes_the_key_absent(void)
{
	expect(delete_then_absent, LINCHECK_OK, NULL);
	expect(delete_then_value, LINCHECK_ILLEGAL, NULL);
}

static void cas_null_on_absent(void)
{
	h_cas(0, 1, "k", NULL, "a");
	h_swapped(10, 1, true);
	h_get(20, 2, "k");
	h_read(30, 2, "a");
}

static void cas_null_on_present(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_cas(20, 2, "k", NULL, "b");
	h_swapped(30, 2, true);
}

static void cas_null_after_delete(void)
{
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_delete(20, 1, "k");
	h_ok(30, 1);
	h_cas(40, 2, "k", NULL, "b");
	h_swapped(50, 2, true);
}

static void a_cas_expecting_null_swaps_only_an_absent_key(void)
{
	expect(cas_null_on_absent, LINCHECK_OK, NULL);
	expect(cas_null_on_present, LINCHECK_ILLEGAL, NULL);
	expect(cas_null_after_delete, LINCHECK_OK, NULL);
}

/* ---- appends and deletes of raftsim's chunks ("c<client>i<id>"): the
 * append inference decides them (lincheck_infer_append.c) ---- */

/* Like expect(), and the inference, not the search, decided it (with
 * in_report in its report). */
static void expect_inferred(void (*build)(void), enum lincheck_verdict want,
			    const char *in_report)
{
	expect(build, want, NULL);
	h_begin(false);
	build();
	CHECK_EQ(h_verdict(), want);
	CHECK_EQ(h_keys_by_inference(), 1);
	if (in_report != NULL && strstr(h_report(), in_report) == NULL)
		TEST_FAIL_AT("the report lacks \"%s\":\n%s", in_report,
			     h_report());
	h_end();
}

static void chunks_in_order(void)
{
	h_put(0, 1, "k", "c1i1");
	h_ok(10, 1);
	h_append(20, 1, "k", "c1i2");
	h_ok(30, 1);
	h_append(25, 2, "k", "c2i1");
	h_ok(35, 2);
	h_get(40, 3, "k");
	h_read(50, 3, "c1i1c2i1c1i2");
}

/* c1i2 was acknowledged before the read began; the read lacks it. */
static void acked_append_missing(void)
{
	h_put(0, 1, "k", "c1i1");
	h_ok(10, 1);
	h_append(20, 1, "k", "c1i2");
	h_ok(30, 1);
	h_get(40, 3, "k");
	h_read(50, 3, "c1i1");
}

/* A retried append applied twice: the no-dedup signature. */
static void append_shown_twice(void)
{
	h_put(0, 1, "k", "c1i1");
	h_ok(10, 1);
	h_append(20, 1, "k", "c1i2");
	h_ok(30, 1);
	h_get(40, 3, "k");
	h_read(50, 3, "c1i1c1i2c1i2");
}

/* c1i2 completed before c2i1 was invoked, yet the read shows c2i1 first. */
static void appends_against_real_time(void)
{
	h_put(0, 1, "k", "c1i1");
	h_ok(10, 1);
	h_append(20, 1, "k", "c1i2");
	h_ok(30, 1);
	h_append(40, 2, "k", "c2i1");
	h_ok(50, 2);
	h_get(60, 3, "k");
	h_read(70, 3, "c1i1c2i1c1i2");
}

static void a_read_of_appends_names_their_order_and_catches_what_breaks_it(void)
{
	expect_inferred(chunks_in_order, LINCHECK_OK, NULL);
	expect_inferred(acked_append_missing, LINCHECK_ILLEGAL, NULL);
	expect_inferred(append_shown_twice, LINCHECK_ILLEGAL, "twice");
	expect_inferred(appends_against_real_time, LINCHECK_ILLEGAL, NULL);
}

/* Two deletes, reads of absent between, appends to absent after each, a
 * cas from absent: the absences are told apart by time. */
static void absences_told_apart(void)
{
	h_put(0, 1, "k", "c1i1");
	h_ok(10, 1);
	h_delete(20, 1, "k");
	h_ok(30, 1);
	h_get(35, 2, "k");
	h_read(40, 2, NULL);
	h_append(45, 2, "k", "c2i2");
	h_ok(50, 2);
	h_get(55, 3, "k");
	h_read(60, 3, "c2i2");
	h_delete(65, 1, "k");
	h_get(66, 2, "k");
	h_ok(70, 1);
	h_read(72, 2, NULL);
	h_cas(75, 3, "k", NULL, "c3i2");
	h_swapped(80, 3, true);
	h_append(85, 1, "k", "c1i3");
	h_ok(90, 1);
	h_get(95, 2, "k");
	h_read(99, 2, "c3i2c1i3");
	h_cas(100, 3, "k", NULL, "c3i3"); /* present: cannot swap */
	h_swapped(110, 3, false);
}

/* The second read of absent came after c2i2 was appended to the first
 * absence, and no delete came after it. */
static void absent_with_no_delete_left(void)
{
	h_delete(0, 1, "k");
	h_ok(10, 1);
	h_append(20, 2, "k", "c2i1");
	h_ok(30, 2);
	h_get(40, 3, "k");
	h_read(50, 3, "c2i1");
	h_get(60, 3, "k");
	h_read(70, 3, NULL);
}

static void deletes_make_absences_that_reads_and_appends_share(void)
{
	expect_inferred(absences_told_apart, LINCHECK_OK, NULL);
	expect(absent_with_no_delete_left, LINCHECK_ILLEGAL, NULL);
}

/* put a and put b overlap; the reads after both tell their order. */
static void one_order(void)
{
	h_put(0, 1, "k", "a");
	h_put(0, 2, "k", "b");
	h_ok(100, 1);
	h_ok(100, 2);
	h_get(110, 3, "k");
	h_read(120, 3, "a");
	h_get(130, 3, "k");
	h_read(140, 3, "a");
}

static void no_order(void)
{
	h_put(0, 1, "k", "a");
	h_put(0, 2, "k", "b");
	h_ok(100, 1);
	h_ok(100, 2);
	h_get(110, 3, "k");
	h_read(120, 3, "a");
	h_get(130, 3, "k");
	h_read(140, 3, "b");
}

static void cas_chain(void)
{
	/* three overlapping cas: only a -> b -> c -> d works */
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_cas(20, 3, "k", "c", "d");
	h_cas(20, 2, "k", "b", "c");
	h_cas(20, 1, "k", "a", "b");
	h_swapped(90, 1, true);
	h_swapped(90, 2, true);
	h_swapped(90, 3, true);
	h_get(100, 4, "k");
	h_read(110, 4, "d");
}

static void concurrent_writes_are_linearizable_in_the_one_order_reads_show(void)
{
	expect(one_order, LINCHECK_OK, NULL);
	expect(no_order, LINCHECK_ILLEGAL, "no order works");
	expect(cas_chain, LINCHECK_OK, NULL);
}

static void own_write_then_stale_read(void)
{
	/* client 1 writes b and reads at the same microsecond */
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_put(20, 1, "k", "b");
	h_ok(30, 1);
	h_get(30, 1, "k");
	h_read(40, 1, "a");
}

static void other_client_at_the_same_instant(void)
{
	/* client 2's get, invoked when client 1's put completed: either */
	h_put(0, 1, "k", "a");
	h_ok(10, 1);
	h_put(20, 1, "k", "b");
	h_ok(30, 1);
	h_get(30, 2, "k");
	h_read(40, 2, "a");
}

static void a_client_s_next_op_follows_its_last_even_at_the_same_instant(void)
{
	expect(own_write_then_stale_read, LINCHECK_ILLEGAL, NULL);
	expect(other_client_at_the_same_instant, LINCHECK_OK, NULL);
}

static void two_keys(void)
{
	int i;

	for (i = 0; i < 4; i++) { /* key "big": fine, 8 ops */
		h_put(i * 10, 1, "big", i % 2 ? "x1" : "x0");
		h_ok(i * 10 + 5, 1);
	}
	stale_read(); /* key "k", 4 ops: the smallest failing one */
	h_put(200, 5, "c", "q");
	h_ok(210, 5);
	h_get(220, 6, "c");
	h_read(230, 6, NULL);
}

static void the_report_names_the_smallest_failing_key(void)
{
	expect(two_keys, LINCHECK_ILLEGAL, "key \"c\": 2 operations");
}

static void a_completion_must_match_an_open_invoke_of_its_client(void)
{
	h_begin(false);
	h_put(0, 1, "k", "a");
	h_ok(10, 2); /* client 2 has nothing open */
	CHECK_EQ(h_refused(), 1);
	h_ok(10, 1);
	h_ok(20, 1); /* completed already */
	CHECK_EQ(h_refused(), 2);
	h_put(30, 1, "k", "b");
	h_put(40, 1, "k", "c"); /* its put of b is still open */
	CHECK_EQ(h_refused(), 3);
	h_end();
}

/* Invokes a get of client 1 with `id` and completes it; 0 if accepted. */
static int get_with_id(struct lincheck *lc, uint64_t id, int64_t at)
{
	struct hist_event ev = {.type = HIST_INVOKE, .us = at, .client = 1};
	char err[128];

	ev.id = id;
	ev.key = (struct hist_str){"k", 1, false};
	if (lincheck_add(lc, &ev, err, sizeof(err)) != 0)
		return -1;
	ev.type = HIST_OK;
	ev.us = at + 1;
	ev.has_value = true;
	ev.value = (struct hist_str){NULL, 0, true};
	return lincheck_add(lc, &ev, err, sizeof(err));
}

static void an_id_is_used_once_per_client(void)
{
	struct lincheck *lc = lincheck_new();

	REQUIRE(lc != NULL);
	CHECK_EQ(get_with_id(lc, 5, 0), 0);
	CHECK_EQ(get_with_id(lc, 9, 10), 0);
	CHECK_EQ(get_with_id(lc, 7, 20), 0); /* back, but new */
	CHECK_EQ(get_with_id(lc, 9, 30), -1);
	CHECK_EQ(get_with_id(lc, 5, 40), -1);
	CHECK_EQ(get_with_id(lc, 11, 50), 0);
	CHECK_EQ(get_with_id(lc, 11, 60), -1);
	CHECK_EQ(lincheck_run(lc, 0, NULL), LINCHECK_OK);
	lincheck_free(lc);
}

/* 40 clients' puts and 30 appends end in info, nobody reads their
 * values, and an append keeps the key from inference: each may go
 * anywhere after its call, or nowhere, and a search that tries them all
 * runs out of memory. */
static void unobserved_open_puts(void)
{
	char v[16];
	int c;

	h_append(0, 0, "k", "x");
	h_ok(1, 0);
	for (c = 1; c <= 40; c++) {
		snprintf(v, sizeof(v), "c%di1", c);
		h_put(2, c, "k", v);
		h_info(2.5, c);
	}
	for (c = 41; c <= 70; c++) {
		snprintf(v, sizeof(v), "c%di1", c);
		h_append(2, c, "k", v);
		h_info(2.5, c);
	}
	h_get(3, 0, "k");
	h_read(4, 0, "x");
}

static void open_writes_nobody_observed_are_decided_at_once(void)
{
	expect(unobserved_open_puts, LINCHECK_OK, NULL);
}

const struct test_case lincheck_tests[] = {
	{"lincheck: a read of the latest completed write is linearizable",
	 a_read_of_the_latest_completed_write_is_linearizable},
	{"lincheck: a stale read is not linearizable",
	 a_stale_read_is_not_linearizable},
	{"lincheck: a completed write that a later read misses is lost",
	 a_completed_write_that_a_later_read_misses_is_lost},
	{"lincheck: a read of a value never written is not linearizable",
	 a_read_of_a_value_never_written_is_not_linearizable},
	{"lincheck: a cas that swapped a value the key did not hold is illegal",
	 a_cas_that_swapped_a_value_the_key_did_not_hold_is_illegal},
	{"lincheck: a cas that did not swap the value it expected is illegal",
	 a_cas_that_did_not_swap_the_value_it_expected_is_illegal},
	{"lincheck: an info write that was read is assumed to have happened",
	 an_info_write_that_was_read_is_assumed_to_have_happened},
	{"lincheck: an info write cannot take effect before its invoke",
	 an_info_write_cannot_take_effect_before_its_invoke},
	{"lincheck: forty info puts and thirty info appends that nobody read "
	 "leave the search nothing to try: decided at once",
	 open_writes_nobody_observed_are_decided_at_once},
	{"lincheck: an info write may never take effect",
	 an_info_write_may_never_take_effect},
	{"lincheck: a failed write never took effect",
	 a_failed_write_never_took_effect},
	{"lincheck: an unread info write can explain a cas that did not swap",
	 an_unread_info_write_can_explain_a_cas_that_did_not_swap},
	{"lincheck: an append concatenates to the value, or to nothing",
	 an_append_concatenates_to_the_value_or_to_nothing},
	{"lincheck: a delete makes the key absent",
	 a_delete_makes_the_key_absent},
	{"lincheck: a cas expecting null swaps only an absent key",
	 a_cas_expecting_null_swaps_only_an_absent_key},
	{"lincheck: a read of appended chunks names their order, and catches a "
	 "missing, doubled or reordered append",
	 a_read_of_appends_names_their_order_and_catches_what_breaks_it},
	{"lincheck: deletes make absences that reads and appends share",
	 deletes_make_absences_that_reads_and_appends_share},
	{"lincheck: concurrent writes are linearizable in the one order reads "
	 "show",
	 concurrent_writes_are_linearizable_in_the_one_order_reads_show},
	{"lincheck: a client's next op follows its last, even at the same "
	 "instant",
	 a_client_s_next_op_follows_its_last_even_at_the_same_instant},
	{"lincheck: the report names the smallest failing key",
	 the_report_names_the_smallest_failing_key},
	{"lincheck: an id is used once per client",
	 an_id_is_used_once_per_client},
	{"lincheck: a completion must match an open invoke of its client",
	 a_completion_must_match_an_open_invoke_of_its_client},
	{NULL, NULL},
};

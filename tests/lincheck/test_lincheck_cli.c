/* test_lincheck_cli.c - the history line format (src/lincheck/history.c)
 * and `raftsim lincheck FILE`'s exit codes: 0 linearizable, 1 not, 2
 * unreadable, 4 undecided within --timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/clitest.h"
#include "lincheck/history.h"
#include "testhelp.h"
#include "testrun.h"

static int parse(const char *line, struct hist_event *ev,
		 struct hist_scratch *sc, char *err)
{
	return hist_parse(line, strlen(line), ev, sc, err, 200);
}

static int str_is(struct hist_str s, const char *want)
{
	return !s.null && s.len == strlen(want) && !memcmp(s.s, want, s.len);
}

static void a_history_line_parses_in_any_field_order_with_unknown_fields(void)
{
	struct hist_scratch sc = {0};
	struct hist_event ev;
	char err[200];

	REQUIRE(parse("{\"value\":\"v\\\"\\u00e9\\n\",\"key\":\"k\",\"x\":[1,"
		      "{\"y\":null}],\"op\":\"cas\",\"expect\":null,\"id\":7,"
		      "\"client\":3,\"ms\":12.5,\"ev\":\"invoke\"}",
		      &ev, &sc, err) == 1);
	CHECK(ev.type == HIST_INVOKE && ev.op == HIST_CAS);
	CHECK_EQ(ev.us, 12500);
	CHECK_EQ(ev.client, 3);
	CHECK_EQ(ev.id, 7);
	CHECK(str_is(ev.key, "k"));
	CHECK(str_is(ev.value, "v\"\xc3\xa9\n"));
	CHECK(ev.expect.null);
	REQUIRE(parse(" {\"ev\":\"ok\",\"ms\":1e1,\"client\":0,\"id\":1,"
		      "\"value\":null} ",
		      &ev, &sc, err) == 1);
	CHECK(ev.type == HIST_OK && ev.has_value && ev.value.null);
	CHECK_EQ(ev.us, 10000);
	REQUIRE(parse("{\"ev\":\"ok\",\"ms\":2,\"client\":0,\"id\":2,"
		      "\"swapped\":false}",
		      &ev, &sc, err) == 1);
	CHECK(ev.has_swapped && !ev.swapped && !ev.has_value);
	/* another event of a trace */
	CHECK_EQ(parse("{\"ev\":\"role\",\"ms\":3,\"node\":1}", &ev, &sc, err),
		 0);
	hist_scratch_free(&sc);
}

static void a_malformed_history_line_is_refused_with_a_reason(void)
{
	static const char *const bad[] = {
		"",
		"{",
		"{\"ev\":\"ok\",\"ms\":1,\"client\":0,\"id\":1} trailing",
		"{\"ev\":\"ok\",\"ms\":1,\"client\":-1,\"id\":1}",
		"{\"ev\":\"ok\",\"ms\":1,\"client\":0,\"id\":1.5}",
		"{\"ev\":\"ok\",\"ms\":\"1\",\"client\":0,\"id\":1}",
		"{\"ev\":\"invoke\",\"ms\":1,\"client\":0,\"id\":1,\"op\":"
		"\"put\",\"key\":\"k\"}",
		"{\"ev\":\"invoke\",\"ms\":1,\"client\":0,\"id\":1,\"op\":"
		"\"inc\",\"key\":\"k\"}",
		"{\"ev\":\"ok\",\"ms\":1,\"client\":0,\"id\":1,\"value\":\"\\ud800\"}",
		"{\"ev\":\"ok\",\"ms\":01,\"client\":0,\"id\":1}",
		"{\"ev\":\"ok\",\"ms\":1,\"client\":0,\"id\":1,\"v\":tru}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]]]]]]]]]}",
	};
	struct hist_scratch sc = {0};
	struct hist_event ev;
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i], &ev, &sc, err) != -1 || err[0] == '\0')
			TEST_FAIL_AT("accepted or no reason: %s", bad[i]);
	}
	hist_scratch_free(&sc);
}

static void a_formatted_event_parses_back_to_itself(void)
{
	struct hist_event ev = {.type = HIST_INVOKE,
				.us = 1234567,
				.client = 4,
				.id = 99,
				.op = HIST_CAS},
			  back;
	struct hist_scratch sc = {0};
	char buf[256], err[200];
	size_t n;

	ev.key = (struct hist_str){"k\t1", 3, false};
	ev.expect = (struct hist_str){NULL, 0, true};
	ev.value = (struct hist_str){"c4i99\x01", 6, false};
	n = hist_format(&ev, buf, sizeof(buf));
	CHECK_EQ(n, strlen(buf));
	CHECK(strstr(buf, "\"ms\":1234.567") != NULL);
	CHECK(strstr(buf, "\"expect\":null") != NULL);
	REQUIRE(hist_parse(buf, n, &back, &sc, err, sizeof(err)) == 1);
	CHECK(back.us == ev.us && back.client == 4 && back.id == 99);
	CHECK(back.op == HIST_CAS && back.expect.null);
	CHECK(str_is(back.key, "k\t1"));
	CHECK(back.value.len == 6 && !memcmp(back.value.s, "c4i99\x01", 6));
	/* too small a buffer: cut, NUL-terminated, the length still told */
	CHECK_EQ(hist_format(&ev, buf, 10), n);
	CHECK_EQ(strlen(buf), 9);
	hist_scratch_free(&sc);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

#define INV(ms, c, id, rest)                                                   \
	"{\"ev\":\"invoke\",\"ms\":" #ms ",\"client\":" #c ",\"id\":" #id      \
	"," rest "}\n"
#define DONE(ev, ms, c, id, rest)                                              \
	"{\"ev\":\"" ev "\",\"ms\":" #ms ",\"client\":" #c ",\"id\":" #id rest \
	"}\n"

static const char stale[] =
	"{\"ev\":\"start\",\"ms\":0,\"nodes\":3}\n" /* a trace's own line */
	INV(0, 1, 1, "\"op\":\"put\",\"key\":\"k\",\"value\":\"a\"") DONE(
		"ok", 10, 1, 1, "")
		INV(20, 1, 2, "\"op\":\"put\",\"key\":\"k\",\"value\":\"b\"")
			DONE("ok", 30, 1, 2,
			     "") INV(40, 2, 1, "\"op\":\"get\",\"key\":\"k\"")
				DONE("ok", 50, 2, 1, ",\"value\":\"a\"");

/* The same, but the get reads the latest write. */
static const char fresh[] = INV(0, 1, 1,
				"\"op\":\"put\",\"key\":\"k\",\"value\":\"a\"")
	DONE("ok", 10, 1, 1,
	     "") INV(20, 1, 2, "\"op\":\"put\",\"key\":\"k\",\"value\":\"b\"")
		DONE("ok", 30, 1, 2, "")
			INV(40, 2, 1, "\"op\":\"get\",\"key\":\"k\"")
				DONE("ok", 50, 2, 1, ",\"value\":\"b\"");

CLI_TEST(lincheck_exits_0_when_linearizable_and_1_with_the_key_when_not)
{
	char path[128];

	test_tmp(path, sizeof(path), "lincheck-ok.jsonl");
	REQUIRE(write_file(path, fresh) == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), path) ==
		0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "lincheck: OK") != NULL);
	remove(path);
	test_tmp(path, sizeof(path), "lincheck-stale.jsonl");
	REQUIRE(write_file(path, stale) == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), path) ==
		0);
	CHECK_EQ(r->status, 1);
	CHECK(strstr(r->out, "key \"k\": 3 operations") != NULL);
	CHECK(strstr(r->out, "NOT LINEARIZABLE") != NULL);
	if (r->status != 1)
		cli_show(r);
	remove(path);
}

CLI_TEST(lincheck_exits_2_on_an_unreadable_history_naming_the_line)
{
	char path[128];

	test_tmp(path, sizeof(path), "lincheck-bad.jsonl");
	REQUIRE(write_file(
			path,
			INV(0, 1, 1,
			    "\"op\":\"get\",\"key\":\"k\"") "{\"ev\":\"ok\",\"ms\":1,\"client\":1,\"id\":1,\n") ==
		0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), path) ==
		0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "lincheck-bad.jsonl:2:") != NULL);
	REQUIRE(write_file(path, DONE("ok", 5, 1, 1, "")) == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), path) ==
		0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "matches no open invoke") != NULL);
	remove(path);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), path) ==
		0);
	CHECK_EQ(r->status, 2); /* no such file */
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s --timeout 0", test_bin_dir(),
			path) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--timeout") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck --bogus", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--bogus") != NULL);
}

CLI_TEST(raftsim_help_lists_lincheck_and_lincheck_has_its_own)
{
	REQUIRE(run_cmd(r, "%s/raftsim --help", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "raftsim lincheck FILE... [--timeout S]") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck --help", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "4 undecided in time") != NULL);
}

/* One history in two files, as two client processes write it: each
 * client's events in one file, the files' lines in no common order (the
 * later file holds the earlier operations). Checked together, the stale
 * read is found; each file alone is linearizable. */
CLI_TEST(lincheck_checks_several_files_as_one_history)
{
	static const char writes[] = INV(
		20, 1, 2, "\"op\":\"put\",\"key\":\"k\",\"value\":\"b\"")
		DONE("ok", 30, 1, 2, "");
	static const char reads_stale[] = INV(
		0, 2, 1, "\"op\":\"put\",\"key\":\"k\",\"value\":\"a\"")
		DONE("ok", 10, 2, 1, "")
			INV(40, 2, 2, "\"op\":\"get\",\"key\":\"k\"")
				DONE("ok", 50, 2, 2, ",\"value\":\"a\"");
	char a[128], b[128];

	test_tmp(a, sizeof(a), "lincheck-a.jsonl");
	test_tmp(b, sizeof(b), "lincheck-b.jsonl");
	REQUIRE(write_file(a, writes) == 0);
	REQUIRE(write_file(b, reads_stale) == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), b) == 0);
	CHECK_EQ(r->status, 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s --timeout 60 %s",
			test_bin_dir(), a, b) == 0);
	CHECK_EQ(r->status, 1);
	CHECK(strstr(r->out, "3 operations") != NULL);
	if (r->status != 1)
		cli_show(r);
	/* the same events with the read fresh: linearizable */
	REQUIRE(write_file(a, INV(45, 1, 2,
				  "\"op\":\"put\",\"key\":\"k\","
				  "\"value\":\"b\"")
				      DONE("ok", 60, 1, 2, "")) == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s %s", test_bin_dir(), b, a) ==
		0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "lincheck: OK") != NULL);
	/* one unreadable file makes the whole unreadable */
	remove(a);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s %s", test_bin_dir(), b, a) ==
		0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "lincheck-a.jsonl") != NULL);
	remove(b);
}

/* 14 overlapping appends and a read no order explains: the search must
 * try every order (the values are not raftsim's self-delimiting chunks,
 * so no inference decides it). */
CLI_TEST(lincheck_exits_4_when_undecided_within_the_timeout)
{
	char path[128];
	FILE *f;
	int c;

	test_tmp(path, sizeof(path), "lincheck-hard.jsonl");
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	for (c = 0; c < 14; c++)
		fprintf(f,
			"{\"ev\":\"invoke\",\"ms\":0,\"client\":%d,\"id\":1,"
			"\"op\":\"append\",\"key\":\"k\",\"value\":\"x%di1\"}\n"
			"{\"ev\":\"ok\",\"ms\":1000,\"client\":%d,\"id\":1}\n",
			c, c, c);
	fputs(INV(2000, 99, 1, "\"op\":\"get\",\"key\":\"k\"")
		      DONE("ok", 2010, 99, 1, ",\"value\":\"zz\""),
	      f);
	REQUIRE(fclose(f) == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck --timeout 0.3 %s",
			test_bin_dir(), path) == 0);
	CHECK_EQ(r->status, 4);
	CHECK(strstr(r->out, "UNKNOWN") != NULL);
	if (r->status != 4)
		cli_show(r);
	remove(path);
}

const struct test_case lincheck_cli_tests[] = {
	{"history: a line parses in any field order, with unknown fields",
	 a_history_line_parses_in_any_field_order_with_unknown_fields},
	{"history: a malformed line is refused with a reason",
	 a_malformed_history_line_is_refused_with_a_reason},
	{"history: a formatted event parses back to itself",
	 a_formatted_event_parses_back_to_itself},
	{"lincheck CLI: exit 0 when linearizable, 1 with the key when not",
	 lincheck_exits_0_when_linearizable_and_1_with_the_key_when_not},
	{"lincheck CLI: exit 2 on an unreadable history, naming the line",
	 lincheck_exits_2_on_an_unreadable_history_naming_the_line},
	{"lincheck CLI: raftsim --help lists lincheck, which has a --help of "
	 "its own",
	 raftsim_help_lists_lincheck_and_lincheck_has_its_own},
	{"lincheck CLI: several files are checked as one history, in no "
	 "common line order",
	 lincheck_checks_several_files_as_one_history},
	{"lincheck CLI: exit 4 when undecided within --timeout",
	 lincheck_exits_4_when_undecided_within_the_timeout},
	{NULL, NULL},
};

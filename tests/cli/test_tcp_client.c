/* test_tcp_client.c - the pure parts of `raftsim client` and `bench`
 * (src/cli/client_words.c, client_history.c): the operation words, the
 * printed result, the ids of a process's clients, the history file that
 * several processes share; and their flags, parsed in this process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client_cli.h"
#include "cli/options.h"
#include "testhelp.h"
#include "testparse.h"
#include "testrun.h"

static int bytes_are(struct kv_bytes b, const char *want)
{
	return b.len == strlen(want) && memcmp(b.data, want, b.len) == 0;
}

static int parse_line(const char *line, struct client_op *op, char *err,
		      size_t cap)
{
	const char *words[8];
	char copy[256];
	char *save = NULL, *w;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w != NULL && n < 8;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	/* the op points into copy: only its kind and lengths are read */
	return client_parse_words(words, n, op, err, cap);
}

static void each_operation_takes_its_words(void)
{
	const char *words[] = {"cas", "k", "old", "new"};
	struct client_op op;
	char err[256];

	REQUIRE(client_parse_words(words, 4, &op, err, sizeof(err)) == 0);
	CHECK_EQ(op.op, KV_CAS);
	CHECK(bytes_are(op.key, "k"));
	CHECK(bytes_are(op.expect, "old"));
	CHECK(bytes_are(op.value, "new"));
	words[0] = "put";
	REQUIRE(client_parse_words(words, 3, &op, err, sizeof(err)) == 0);
	CHECK_EQ(op.op, KV_PUT);
	CHECK(bytes_are(op.value, "old"));
	CHECK_EQ(op.expect.len, 0);
	words[0] = "append";
	REQUIRE(client_parse_words(words, 3, &op, err, sizeof(err)) == 0);
	CHECK_EQ(op.op, KV_APPEND);
	words[0] = "get";
	REQUIRE(client_parse_words(words, 2, &op, err, sizeof(err)) == 0);
	CHECK_EQ(op.op, KV_GET);
	CHECK_EQ(op.value.len, 0);
	words[0] = "delete";
	REQUIRE(client_parse_words(words, 2, &op, err, sizeof(err)) == 0);
	CHECK_EQ(op.op, KV_DELETE);
	/* a value may be empty */
	words[0] = "put";
	words[2] = "";
	REQUIRE(client_parse_words(words, 3, &op, err, sizeof(err)) == 0);
	CHECK_EQ(op.value.len, 0);
}

static void bad_words_are_refused_saying_why(void)
{
	static const struct {
		const char *line;
		const char *why;
	} bad[] = {
		{"", "no operation"},
		{"frob k", "'frob': unknown operation"},
		{"GET k", "'GET': unknown operation"},
		{"get", "get: missing words: usage: get KEY"},
		{"put k", "put: missing words: usage: put KEY VALUE"},
		{"append k", "usage: append KEY VALUE"},
		{"cas k old", "cas: missing words: usage: cas KEY OLD NEW"},
		{"delete", "usage: delete KEY"},
		{"get k v", "get: too many words"},
		{"delete k v", "delete: too many words"},
	};
	struct client_op op;
	char err[256];
	const char *empty_key[] = {"get", ""};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(parse_line(bad[i].line, &op, err, sizeof(err)), -1);
		if (strstr(err, bad[i].why) == NULL)
			TEST_FAIL_AT("'%s': '%s' does not say '%s'",
				     bad[i].line, err, bad[i].why);
	}
	CHECK_EQ(client_parse_words(empty_key, 2, &op, err, sizeof(err)), -1);
	CHECK(strstr(err, "KEY is empty") != NULL);
}

/* The result as printed, into a scratch file. */
static void printed(const struct client_op *op, const struct hist_event *ok,
		    char *buf, size_t cap)
{
	FILE *f = tmpfile();
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return;
	CHECK_EQ(client_print_result(op, ok, f), 0);
	rewind(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void the_result_is_printed_as_each_operation_says(void)
{
	struct client_op op = {0};
	struct hist_event ok;
	char out[64];

	memset(&ok, 0, sizeof(ok));
	ok.type = HIST_OK;
	op.op = KV_GET;
	ok.has_value = true;
	ok.value.s = "v1";
	ok.value.len = 2;
	printed(&op, &ok, out, sizeof(out));
	CHECK(strcmp(out, "v1\n") == 0);
	ok.value.null = true;
	ok.value.len = 0;
	printed(&op, &ok, out, sizeof(out));
	CHECK(strcmp(out, "(none)\n") == 0);
	op.op = KV_CAS;
	ok.has_value = false;
	ok.has_swapped = true;
	ok.swapped = true;
	printed(&op, &ok, out, sizeof(out));
	CHECK(strcmp(out, "swapped\n") == 0);
	ok.swapped = false;
	printed(&op, &ok, out, sizeof(out));
	CHECK(strcmp(out, "not swapped\n") == 0);
	op.op = KV_PUT;
	printed(&op, &ok, out, sizeof(out));
	CHECK(strcmp(out, "ok\n") == 0);
	op.op = KV_DELETE;
	printed(&op, &ok, out, sizeof(out));
	CHECK(strcmp(out, "ok\n") == 0);
}

static void derived_ids_leave_a_block_of_clients_and_follow_the_pid(void)
{
	int a = client_ids_derive(1234, 1700000000);
	int b = client_ids_derive(1235, 1700000000);
	int c = client_ids_derive(1234, 1700000001);
	int top = client_ids_derive(0x7fff, 63);

	CHECK(a >= 0 && b >= 0 && c >= 0);
	CHECK_EQ(a % 1024, 0); /* a block for up to OPT_MAX_CLIENTS */
	/* concurrent processes (distinct pids) get disjoint blocks */
	CHECK(a + 1024 <= b || b + 1024 <= a);
	/* the same pid later: another block */
	CHECK(a != c);
	/* the last id of the highest block is still an int */
	CHECK(top >= 0 && (long long)top + 1023 <= 2147483647LL);
}

static struct hist_event event_of(enum hist_type type, int client, uint64_t id,
				  int64_t us)
{
	struct hist_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.client = client;
	ev.id = id;
	ev.us = us;
	ev.op = HIST_PUT;
	ev.key.s = "k";
	ev.key.len = 1;
	ev.value.s = "v\"x";
	ev.value.len = 3;
	return ev;
}

/* Two writers on one file, as two processes: whole lines, each writer's
 * in its own order, nothing lost. */
static void two_writers_append_whole_lines_to_one_history(void)
{
	struct client_hist a, b;
	struct hist_event ev, back;
	struct hist_scratch sc = {0};
	char path[128], err[256];
	char *text, *line, *save = NULL;
	uint64_t next[2] = {1, 1};
	int i, lines = 0;

	test_tmp(path, sizeof(path), "client-hist.jsonl");
	remove(path);
	REQUIRE(client_hist_open(&a, path, err, sizeof(err)) == 0);
	REQUIRE(client_hist_open(&b, path, err, sizeof(err)) == 0);
	for (i = 1; i <= 50; i++) {
		ev = event_of(HIST_INVOKE, 7, (uint64_t)i, i * 1000);
		REQUIRE(client_hist_add(&a, &ev) == 0);
		ev = event_of(HIST_INVOKE, 9, (uint64_t)i, i * 1000 + 1);
		REQUIRE(client_hist_add(&b, &ev) == 0);
		if (i % 7 == 0)
			REQUIRE(client_hist_flush(&a) == 0);
		if (i % 5 == 0)
			REQUIRE(client_hist_flush(&b) == 0);
	}
	CHECK_EQ(a.lines, 50);
	REQUIRE(client_hist_close(&a) == 0);
	REQUIRE(client_hist_close(&b) == 0);
	text = test_slurp(path, NULL);
	REQUIRE(text != NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		int w;

		CHECK_EQ(hist_parse(line, strlen(line), &back, &sc, err,
				    sizeof(err)),
			 1);
		w = back.client == 9;
		CHECK(back.client == 7 || back.client == 9);
		CHECK_EQ(back.id, next[w]);
		next[w]++;
		CHECK(back.value.len == 3 &&
		      memcmp(back.value.s, "v\"x", 3) == 0);
		lines++;
	}
	CHECK_EQ(lines, 100);
	free(text);
	hist_scratch_free(&sc);
	remove(path);
	/* a file that cannot be opened is named */
	CHECK_EQ(client_hist_open(&a, "/nonexistent-dir/h.jsonl", err,
				  sizeof(err)),
		 -1);
	CHECK(strstr(err, "--history") != NULL);
}

static void client_and_bench_flags_are_checked(void)
{
	static const struct testparse_refusal cases[] = {
		{"client --keys 5 --peers 0=h:1 get k", "--keys"},
		{"client --clients 2 --peers 0=h:1 get k", "--clients"},
		{"client --duration 1 --peers 0=h:1 get k", "--duration"},
		{"client --peers 0=h:1 get k v w x", "unexpected argument"},
		{"client --client-id -1 --peers 0=h:1 get k", "--client-id"},
		{"client --client-id 2147482624 --peers 0=h:1 get k",
		 "--client-id"},
		{"bench --duration 0 --peers 0=h:1", "--duration"},
		{"bench --duration -1 --peers 0=h:1", "--duration"},
		{"bench --duration x --peers 0=h:1", "--duration"},
		{"bench --clients 1025 --peers 0=h:1", "--clients"},
		{"bench --read-ratio 0.9 --cas-ratio 0.2 --peers 0=h:1",
		 "more than 1"},
		{"bench --peers 0=h:1 get", "unexpected argument"},
	};
	struct raftsim_options o;
	char *err = NULL;

	testparse_expect_refused(cases, sizeof(cases) / sizeof(cases[0]));
	REQUIRE(testparse_words("bench --peers 0=h:1,1=h:2 --clients 8 "
				"--duration 2.5 --history h --client-id 5000 "
				"--keys 3 --retries 2 --client-timeout-ms 300",
				&o, &err) == 0);
	CHECK_EQ(o.clients, 8);
	CHECK_EQ(o.duration_us, 2500000);
	CHECK(o.history_path != NULL && strcmp(o.history_path, "h") == 0);
	CHECK_EQ(o.client_id, 5000);
	CHECK_EQ(o.keys, 3);
	CHECK_EQ(o.client_timeout_us, 300000);
	free(err);
	err = NULL;
	REQUIRE(testparse_words("client --peers 0=h:1 cas k a b", &o, &err) ==
		0);
	CHECK_EQ(o.client_word_count, 4);
	CHECK_EQ(o.clients, 1);
	CHECK_EQ(o.client_id, OPT_CLIENT_ID_AUTO);
	free(err);
}

const struct test_case tcp_client_tests[] = {
	{"client: each operation takes its words (get, put, append, cas, "
	 "delete)",
	 each_operation_takes_its_words},
	{"client: bad words are refused saying why",
	 bad_words_are_refused_saying_why},
	{"client: the result is printed as each operation says",
	 the_result_is_printed_as_each_operation_says},
	{"client: derived ids leave a block of clients and follow the pid",
	 derived_ids_leave_a_block_of_clients_and_follow_the_pid},
	{"client: two writers append whole lines to one history, each in "
	 "its order",
	 two_writers_append_whole_lines_to_one_history},
	{"client and bench: flags out of place or out of range exit 2 "
	 "naming them",
	 client_and_bench_flags_are_checked},
	{NULL, NULL},
};

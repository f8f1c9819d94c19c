/* test_explore_shard.c - `raftsim explore --shard K/N` and `--merge`: the
 * shards of an exploration, merged, print the report of the whole one,
 * and summaries that would make another report are refused (README
 * "Exploring on many machines"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clitest.h"

/* Runs `flags` as N shards into summaries named after base, without
 * showing their reports; exits 9 if a shard exits other than 0 or 1. */
static int run_shards(struct cmd_result *r, const char *flags, int n,
		      const char *base)
{
	return run_cmd(r,
		       "k=0; while [ $k -lt %d ]; do %s/raftsim explore %s "
		       "--shard $k/%d --summary %s.$k.jsonl >/dev/null "
		       "2>&1; rc=$?; [ $rc -le 1 ] || exit 9; k=$((k+1)); "
		       "done",
		       n, test_bin_dir(), flags, n, base);
}

static void remove_shards(const char *base, int n)
{
	char path[160];
	int k;

	for (k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "%s.%d.jsonl", base, k);
		remove(path);
	}
}

/* The whole exploration in p->first, the merge of its three shards in
 * p->second: stdout byte for byte, and the exit code. */
static void check_merge_is_the_whole(struct cmd_pair *p, const char *flags,
				     int code)
{
	char base[128];

	test_tmp(base, sizeof(base), "shard");
	REQUIRE(run_cmd(&p->first, "%s/raftsim explore %s", test_bin_dir(),
			flags) == 0);
	CHECK_EQ(p->first.status, code);
	REQUIRE(run_shards(&p->second, flags, 3, base) == 0);
	REQUIRE(p->second.status == 0);
	REQUIRE(run_cmd(&p->second,
			"%s/raftsim explore --merge %s.2.jsonl %s.0.jsonl "
			"%s.1.jsonl",
			test_bin_dir(), base, base, base) == 0);
	CHECK_EQ(p->second.status, code);
	CHECK(strcmp(p->first.out, p->second.out) == 0);
	if (strcmp(p->first.out, p->second.out) != 0)
		fprintf(stderr, "    whole:\n%s    merged:\n%s", p->first.out,
			p->second.out);
	/* The timing line, the one that differs, says what it is. */
	CHECK(strstr(p->second.err, "explore: 3 shards merged, ") ==
	      p->second.err);
	remove_shards(base, 3);
}

/* More than the 20 failures shown: those of the lowest run numbers,
 * which come from every shard. */
static void merge_of_a_mistake_on(struct cmd_pair *p)
{
	check_merge_is_the_whole(p,
				 "--runs 400 --mistake no-stepdown --seed 1 "
				 "--jobs 2",
				 1);
	CHECK(strstr(p->second.out, "more failures not shown") != NULL);
	CHECK(strstr(p->second.out, "\nFAIL run ") != NULL);
}

static void merge_of_a_mistake(void)
{
	with_cmd_pair(merge_of_a_mistake_on);
}

static void merge_of_correct_code_on(struct cmd_pair *p)
{
	check_merge_is_the_whole(p,
				 "--runs 200 --nodes 5 --ticks 300 --seed 7 "
				 "--disk --load 200",
				 0);
	CHECK(strstr(p->second.out, "explore: 200 runs, ") != NULL);
}

static void merge_of_correct_code(void)
{
	with_cmd_pair(merge_of_correct_code_on);
}

/* A shard's summary: its header, a line for each run that found
 * something (only its own runs), and the totals. */
CLI_TEST(a_shard_summary_has_its_runs_and_totals)
{
	char *line;
	int runs = 0;

	REQUIRE(run_cmd(r,
			"%s/raftsim explore --runs 60 --mistake no-stepdown "
			"--seed 1 --shard 1/4",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 1);
	/* Without --summary: JSONL on stdout, the report on stderr. */
	CHECK(strncmp(r->out, "{\"summary\":\"raftsim explore\",\"schema\":1,",
		      40) == 0);
	CHECK(strstr(r->out, "\"shard\":1,\"shards\":4,\"runs\":60,") != NULL);
	CHECK(strstr(r->out, "--mistake no-stepdown --seed 1\"}\n") != NULL);
	CHECK(strstr(r->err, "explore: shard 1/4: the 15 runs numbered 1 "
			     "modulo 4\n") != NULL);
	for (line = strstr(r->out, "\n{\"run\":"); line != NULL;
	     line = strstr(line + 1, "\n{\"run\":")) {
		CHECK(atoi(line + 8) % 4 == 1);
		CHECK(strstr(line, "\"result\":\"violation\",\"rule\":"
				   "\"step-down\",\"what\":") != NULL);
		runs++;
	}
	CHECK(runs > 0);
	CHECK(strstr(r->out,
		     "\n{\"totals\":true,\"planned\":15,\"done\":15,") != NULL);
	CHECK(strstr(r->out, "\"by_rule\":{\"step-down\":") != NULL);
	CHECK(strstr(r->out, "\"interrupted\":false}\n") != NULL);
}

/* What cannot be merged into the whole exploration's report is refused,
 * naming the file and what is wrong. */
CLI_TEST(merge_refuses_summaries_that_are_not_one_exploration)
{
	const char *flags = "--runs 30 --seed 2";
	char base[128], other[128], cut[160];

	test_tmp(base, sizeof(base), "bad");
	test_tmp(other, sizeof(other), "bad-other");
	REQUIRE(run_shards(r, flags, 3, base) == 0);
	REQUIRE(run_shards(r, "--runs 30 --seed 2 --prevote", 3, other) == 0);
	REQUIRE(r->status == 0);
	REQUIRE(run_cmd(r, "%s/raftsim explore --merge %s.0.jsonl %s.2.jsonl",
			test_bin_dir(), base, base) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "shard 1/3 missing") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim explore --merge %s.0.jsonl %s.1.jsonl "
			"%s.1.jsonl %s.2.jsonl",
			test_bin_dir(), base, base, base, base) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, ".1.jsonl line 1: shard 1/3 again") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim explore --merge %s.0.jsonl %s.1.jsonl "
			"%s.2.jsonl",
			test_bin_dir(), base, other, base) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "settings differ: '--prevote' in ") != NULL);
	snprintf(cut, sizeof(cut), "%s.cut.jsonl", base);
	REQUIRE(run_cmd(r,
			"head -1 %s.1.jsonl >%s; %s/raftsim explore --merge "
			"%s.0.jsonl %s %s.2.jsonl",
			base, cut, test_bin_dir(), base, cut, base) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "ends before its totals line") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim explore %s.0.jsonl", test_bin_dir(),
			base) == 0);
	CHECK_EQ(r->status, 2); /* a word without --merge */
	REQUIRE(run_cmd(r, "%s/raftsim explore --merge --runs 30 %s.0.jsonl",
			test_bin_dir(), base) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--runs: not taken with --merge") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim explore --shard 0/3 --runs 30",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--shard: needs --seed") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim explore --shard 3/3 --seed 1",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	remove(cut);
	remove_shards(base, 3);
	remove_shards(other, 3);
}

/* Ctrl-C: the summary still ends with its totals, marked interrupted, and
 * its merge is a partial report (exit 3), never a PASS. */
CLI_TEST(an_interrupted_shard_merges_into_a_partial_report)
{
	char fifo[128], summary[128];
	char *text;

	test_tmp(fifo, sizeof(fifo), "shard-fifo");
	test_tmp(summary, sizeof(summary), "shard-int.jsonl");
	remove(fifo);
	REQUIRE(run_cmd(r,
			"mkfifo %s || exit 99; %s/raftsim explore --runs "
			"100000000 --seed 1 --jobs 2 --summary %s >%s & "
			"pid=$!; { IFS= read -r first; kill -INT $pid; "
			"cat >/dev/null; } <%s; wait $pid; rc=$?; rm -f %s; "
			"exit $rc",
			fifo, test_bin_dir(), summary, fifo, fifo, fifo) == 0);
	CHECK_EQ(r->status, 130);
	text = test_slurp(summary, NULL);
	REQUIRE(text != NULL);
	CHECK(strstr(text, "\n{\"totals\":true,\"planned\":100000000,") !=
	      NULL);
	CHECK(strstr(text, ",\"interrupted\":true}\n") != NULL);
	free(text);
	REQUIRE(run_cmd(r, "%s/raftsim explore --merge %s", test_bin_dir(),
			summary) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->out, "\nexplore: interrupted: ") != NULL);
	CHECK(strstr(r->err, "the shard was interrupted: the report is "
			     "partial") != NULL);
	remove(summary);
}

const struct test_case explore_shard_tests[] = {
	{"explore --shard: merging shards 0/3, 1/3 and 2/3 prints the whole "
	 "exploration's report byte for byte, and exit 1, when a mistake shows",
	 merge_of_a_mistake},
	{"explore --shard: merging the shards of correct code prints the "
	 "whole exploration's report, and exit 0",
	 merge_of_correct_code},
	{"explore --shard: the summary holds the header, only the shard's "
	 "runs that failed, and the totals",
	 a_shard_summary_has_its_runs_and_totals},
	{"explore --merge: a shard missing or twice, other settings, a "
	 "summary cut short and stray flags are refused with exit 2",
	 merge_refuses_summaries_that_are_not_one_exploration},
	{"explore --shard: Ctrl-C leaves a summary with totals that merges "
	 "into a partial report (exit 3)",
	 an_interrupted_shard_merges_into_a_partial_report},
	{NULL, NULL},
};

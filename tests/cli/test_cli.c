/* test_cli.c - `raftsim` end to end: exit codes, output, the trace, and a
 * message naming the flag for every kind of bad usage (issue 3, "The
 * command line" and "Exit codes"). Runs $RAFTSIM_BIN_DIR/raftsim. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clitest.h"

CLI_TEST(bad_usage_names_the_flag)
{
	static const struct {
		const char *args;
		const char *flag; /* must appear on stderr */
	} cases[] = {
		{"--nodes 0", "--nodes"},
		{"--nodes -3", "--nodes"},
		{"--nodes three", "--nodes"},
		{"--nodes 100000", "--nodes"},
		{"--ticks 0", "--ticks"},
		{"--ticks -1", "--ticks"},
		{"--tick-ms 0", "--tick-ms"},
		{"--election-ticks 20-10", "--election-ticks"},
		{"--pause-prob 0.1 --pause-ticks 9-3", "--pause-ticks"},
		{"--heartbeat-ticks 10", "--heartbeat-ticks"},
		{"--heartbeat-ticks 12 --election-ticks 10-20",
		 "--heartbeat-ticks"},
		{"--drop 1.5", "--drop"},
		{"--drop -0.1", "--drop"},
		{"--pause-prob 2", "--pause-prob"},
		{"--pause 1@", "--pause"},
		{"--pause leader", "--pause"},
		{"--pause x@3:4", "--pause"},
		{"--pause 7@10:5", "--pause"},
		{"--bogus", "--bogus"},
		{"--trace /nonexistent-dir/trace.jsonl", "--trace"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		REQUIRE(run_cmd(r, "%s/raftsim --nodes 3 --ticks 5 %s",
				test_bin_dir(), cases[i].args) == 0);
		if (r->status != 2 || strstr(r->err, cases[i].flag) == NULL) {
			TEST_FAIL_AT("raftsim %s: exit %d, want 2 and '%s' on "
				     "stderr",
				     cases[i].args, r->status, cases[i].flag);
			cli_show(r);
		}
		CHECK(r->out[0] == '\0'); /* nothing ran */
	}
}

CLI_TEST(help_and_version_exit_0)
{
	REQUIRE(run_cmd(r, "%s/raftsim --help", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "--nodes") != NULL);
	CHECK(strstr(r->out, "--pause") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --version", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strncmp(r->out, "raftsim ", 8) == 0);
}

CLI_TEST(a_clean_run_prints_the_lessons_lines)
{
	char line[64];
	int i;

	REQUIRE(run_cmd(r,
			"%s/raftsim --nodes 3 --ticks 60 --tick-ms %u "
			"--seed 7",
			test_bin_dir(), test_tick_ms()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "seed 7") != NULL);
	CHECK(strstr(r->out, ": leader for term=1, sending heartbeats\n") !=
	      NULL);
	CHECK(strstr(r->out, ": heartbeat sent to 2 followers\n") != NULL);
	CHECK(strstr(r->out, "\nraftsim: PASS (") != NULL);
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "\nnode-%d: ", i);
		CHECK(strstr(r->out, line) != NULL);
	}
	CHECK(strstr(r->out, " times, elections started ") != NULL);
	if (r->status != 0)
		cli_show(r);
}

/* Every line has "ev" and "ms"; ms never goes back; start first, end
 * last; and `raftsim check` agrees with the run. */
CLI_TEST(the_trace_is_ordered_jsonl)
{
	char path[] = "/tmp/raftsim-cli-trace-XXXXXX";
	char buf[1024];
	double ms, last = -1;
	int lines = 0;
	int ordered = 1;
	const char *p;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(run_cmd(r,
			"%s/raftsim --nodes 3 --ticks 80 --tick-ms %u "
			"--pause leader@30:30 --quiet --trace %s",
			test_bin_dir(), test_tick_ms(), path) == 0);
	CHECK_EQ(r->status, 0);
	f = fopen(path, "r");
	REQUIRE(f != NULL);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (lines++ == 0)
			CHECK(strncmp(buf, "{\"ev\":\"start\",", 14) == 0 &&
			      strstr(buf, "\"mode\":\"threads\"") != NULL);
		p = strstr(buf, "\"ms\":");
		CHECK(p != NULL && buf[strlen(buf) - 1] == '\n');
		if (p == NULL)
			continue;
		ms = strtod(p + 5, NULL);
		if (ms < last)
			ordered = 0;
		last = ms;
	}
	fclose(f);
	CHECK(ordered);
	CHECK(lines > 10);
	CHECK(strncmp(buf, "{\"ev\":\"end\",", 12) == 0);
	CHECK(strstr(buf, "\"violations\":0") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim check %s", test_bin_dir(), path) == 0);
	CHECK_EQ(r->status, 0);
	remove(path);
}

/* Correct Raft cannot fail, so three of the lesson's mistakes together make
 * a violation: every node times out at the same tick (fixed timeout), again
 * and again (heartbeats do not reset it), and votes for every candidate
 * (double vote). Thread timing can let one candidate win a round cleanly,
 * hence several rounds per run and a few seeds. */
CLI_TEST(a_violation_exits_1)
{
	int seed;
	int failed = 0;

	for (seed = 1; seed <= 5 && !failed; seed++) {
		REQUIRE(run_cmd(r,
				"%s/raftsim --nodes 5 --ticks 60 "
				"--mistake fixed-timeout --mistake double-vote "
				"--mistake no-reset --quiet --seed %d",
				test_bin_dir(), seed) == 0);
		CHECK(r->status == 0 || r->status == 1);
		failed = r->status == 1;
	}
	CHECK(failed);
	CHECK(strstr(r->out, "raftsim: FAIL (") != NULL);
	CHECK(r->err[0] != '\0'); /* the violations, listed */
}

const struct test_case cli_tests[] = {
	{"cli: every kind of bad usage exits 2 and names the flag",
	 bad_usage_names_the_flag},
	{"cli: --help and --version exit 0", help_and_version_exit_0},
	{"cli: raftsim --nodes 3 prints a leader, heartbeat rounds, one line "
	 "per node and PASS",
	 a_clean_run_prints_the_lessons_lines},
	{"cli: --trace writes JSONL in time order that raftsim check passes",
	 the_trace_is_ordered_jsonl},
	{"cli: a run that breaks an invariant exits 1", a_violation_exits_1},
	{NULL, NULL},
};

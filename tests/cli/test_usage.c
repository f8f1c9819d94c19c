/* test_usage.c - inputs that once slipped through: each must be refused
 * with exit 2 naming the flag, or run without crashing. */
#include <stdio.h>
#include <string.h>

#include "testhelp.h"
#include "testrun.h"

static struct cmd_result r;

static void many_partitions_on_one_tick_do_not_crash(void)
{
	REQUIRE(run_cmd(&r, "%s/raftsim --sim -q --nodes 256 --ticks 5 "
			"--pause-prob 1 --pause-ticks 1-1 --partition 1:1:0 "
			"--partition 2:1:0 --partition 2:1:1 --partition 2:1:2",
			test_bin_dir()) == 0);
	CHECK(r.status == 0 || r.status == 1); /* a verdict, not an abort */
	CHECK(strstr(r.out, "raftsim: ") != NULL);
}

static void trace_belongs_to_runs_only(void)
{
	char path[64];
	FILE *f;

	test_tmp(path, sizeof(path), "keep.jsonl");
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("precious\n", f);
	fclose(f);
	REQUIRE(run_cmd(&r, "%s/raftsim check --trace %s %s", test_bin_dir(),
			path, path) == 0);
	CHECK_EQ(r.status, 2);
	CHECK(strstr(r.err, "--trace") != NULL);
	REQUIRE(run_cmd(&r, "cat %s", path) == 0);
	CHECK(strcmp(r.out, "precious\n") == 0); /* not truncated */
	remove(path);
}

static void faults_that_could_never_happen_are_refused(void)
{
	static const char *const bad[][2] = {
		{"--pause 0@0:5", "--pause"},
		{"--crash 1@0:5", "--crash"},
		{"--partition '0:5:0|1'", "--partition"},
		{"--partition 5:10:", "--partition"},
		{"failover --nodes 2", "--nodes"},
		{"failover --election-ms 1-1", "--election-ms"},
		{"failover --nodes 3 --first-ranked cut", "--nodes"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REQUIRE(run_cmd(&r, "%s/raftsim %s", test_bin_dir(),
				bad[i][0]) == 0);
		CHECK_EQ(r.status, 2);
		CHECK(strstr(r.err, bad[i][1]) != NULL);
	}
	REQUIRE(run_cmd(&r, "%s/raftsim --sim -q --pause 1@500:5",
			test_bin_dir()) == 0);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.err, "warning: --pause at tick 500") != NULL);
}

const struct test_case usage_tests[] = {
	{"usage: 64 partitions on one tick with 256 paused nodes run to a "
	 "verdict",
	 many_partitions_on_one_tick_do_not_crash},
	{"usage: --trace is refused outside a run and truncates nothing",
	 trace_belongs_to_runs_only},
	{"usage: faults at tick 0, empty groups and failovers that cannot elect "
	 "are refused",
	 faults_that_could_never_happen_are_refused},
	{NULL, NULL},
};

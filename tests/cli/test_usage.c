/* test_usage.c - inputs that once slipped through: each must be refused
 * with exit 2 naming the flag, or run without crashing. */
#include <stdio.h>
#include <string.h>

#include "clitest.h"

#define EXIT_RUN_FAILED_CODE 3

CLI_TEST(many_partitions_on_one_tick_do_not_crash)
{
	REQUIRE(run_cmd(r,
			"%s/raftsim --sim -q --nodes 256 --ticks 5 "
			"--pause-prob 1 --pause-ticks 1-1 --partition 1:1:0 "
			"--partition 2:1:0 --partition 2:1:1 --partition 2:1:2",
			test_bin_dir()) == 0);
	CHECK(r->status == 0 || r->status == 1); /* a verdict, not an abort */
	CHECK(strstr(r->out, "raftsim: ") != NULL);
}

/* A leader pause before anyone can lead names nobody: said, not silent. */
CLI_TEST(pause_of_a_leader_before_any_election_warns)
{
	REQUIRE(run_cmd(r,
			"%s/raftsim --sim -q --ticks 30 --seed 1 "
			"--pause leader@1:10",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->err, "warning: --pause leader@1: no node can lead") !=
	      NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim --sim -q --ticks 30 --seed 1 "
			"--pause leader@25:10",
			test_bin_dir()) == 0);
	CHECK(strstr(r->err, "warning") == NULL);
}

CLI_TEST(trace_belongs_to_runs_only)
{
	char path[64];
	FILE *f;

	test_tmp(path, sizeof(path), "keep.jsonl");
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("precious\n", f);
	fclose(f);
	REQUIRE(run_cmd(r, "%s/raftsim check --trace %s %s", test_bin_dir(),
			path, path) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--trace") != NULL);
	REQUIRE(run_cmd(r, "cat %s", path) == 0);
	CHECK(strcmp(r->out, "precious\n") == 0); /* not truncated */
	remove(path);
}

CLI_TEST(faults_that_could_never_happen_are_refused)
{
	static const char *const bad[][2] = {
		{"--pause 0@0:5", "--pause"},
		{"--crash 1@0:5", "--crash"},
		{"--partition '0:5:0|1'", "--partition"},
		{"--partition 5:10:", "--partition"},
		{"--partition '1:1:0,1,2'", "every one of the 3 nodes"},
		{"--nodes 4 --partition '1:9:0,1|2,3' --partition '20:5:3,2,1,0'",
		 "--partition: at tick 20"},
		{"failover --nodes 2", "--nodes"},
		{"failover --election-ms 1-1", "--election-ms"},
		{"failover --nodes 3 --first-ranked cut", "--nodes"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REQUIRE(run_cmd(r, "%s/raftsim %s", test_bin_dir(),
				bad[i][0]) == 0);
		CHECK_EQ(r->status, 2);
		CHECK(strstr(r->err, bad[i][1]) != NULL);
	}
	REQUIRE(run_cmd(r, "%s/raftsim --sim -q --pause 1@500:5",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->err, "warning: --pause at tick 500") != NULL);
}

/* Issue 9: each of these was ignored, and the run went on with exit 0.
 * The refusal names the flag and the command (or mode). */
CLI_TEST(flags_a_command_does_not_take_are_refused)
{
#define FAILOVER_THREADS_FOREIGN                                               \
	"failover --threads --disk-parallel --first-ranked down --disk-ms 20"
	static const char *const cases[][3] = {
		{"explore --pause 0@5:5", "--pause", "explore"},
		{"explore --drop 1", "--drop", "explore"},
		{"failover --mistake no-reset", "--mistake", "failover"},
		{"failover --drop 0.1", "--drop", "failover"},
		{"failover --tick-ms 5", "--tick-ms", "failover"},
		{"--sim --csv x.csv", "--csv", "run --sim"},
		{"--runs 5", "--runs", "run on threads"},
		{"--sim --trials 5", "--trials", "run --sim"},
		{"--latency-ms 1-2", "--latency-ms", "run on threads"},
		{FAILOVER_THREADS_FOREIGN, "--disk-parallel",
		 "failover --threads"},
		{FAILOVER_THREADS_FOREIGN, "--first-ranked",
		 "failover --threads"},
		{FAILOVER_THREADS_FOREIGN, "--disk-ms", "failover --threads"},
		{"check --seed 1 x.jsonl", "--seed", "check"},
		{"run --threads", "--threads", "run on threads"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		REQUIRE(run_cmd(r, "%s/raftsim %s --ticks 5", test_bin_dir(),
				cases[i][0]) == 0);
		if (r->status != 2 || strstr(r->err, cases[i][1]) == NULL ||
		    strstr(r->err, cases[i][2]) == NULL || r->out[0] != '\0') {
			TEST_FAIL_AT("raftsim %s: want exit 2 naming %s and "
				     "'%s'",
				     cases[i][0], cases[i][1], cases[i][2]);
			cli_show(r);
		}
	}
}

/* Issue 8: one number is no range; MIN = MAX is a range, but not a
 * randomized one: warned about, and run. */
CLI_TEST(election_ticks_need_a_range_and_a_fixed_one_is_warned_about)
{
	REQUIRE(run_cmd(r, "%s/raftsim --sim --election-ticks 10",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--election-ticks: '10'") != NULL);
	CHECK(strstr(r->err, "such as 10-20") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim --sim --nodes 3 --ticks 50 --seed 1 "
			"--election-ticks 10-10 -q",
			test_bin_dir()) == 0);
	CHECK(r->status == 0 || r->status == 1);
	CHECK(strstr(r->out, "raftsim: ") != NULL); /* it ran */
	CHECK(strstr(r->err, "warning: --election-ticks 10-10") != NULL);
	CHECK(strstr(r->err, "not randomized") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim --sim --nodes 3 --ticks 50 --seed 1 "
			"-q",
			test_bin_dir()) == 0);
	CHECK(strstr(r->err, "warning") == NULL);
}

/* Issue 8: "--sim=1" printed getopt's flag id as a raw byte. */
CLI_TEST(a_value_for_a_flag_without_one_gets_a_clean_message)
{
	const unsigned char *p;

	REQUIRE(run_cmd(r, "%s/raftsim --sim=1", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--sim: takes no value") != NULL);
	for (p = (const unsigned char *)r->err; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			TEST_FAIL_AT("control byte 0x%02x on stderr", *p);
	REQUIRE(run_cmd(r, "%s/raftsim \"--$(printf '\\001')x\"",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "\\x01") != NULL);
}

/* Issue 8: "--p" said "unknown flag". */
CLI_TEST(an_ambiguous_prefix_lists_its_candidates)
{
	REQUIRE(run_cmd(r, "%s/raftsim --p", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--p: ambiguous") != NULL);
	CHECK(strstr(r->err, "--pause,") != NULL);
	CHECK(strstr(r->err, "--prevote") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --bogus", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--bogus: unknown flag") != NULL);
	/* a prefix of one flag only is that flag */
	REQUIRE(run_cmd(r, "%s/raftsim --sim --nod 2 --ticks 20 -q --see 1",
			test_bin_dir()) == 0);
	CHECK(strstr(r->out, "raftsim: PASS (2 nodes") != NULL);
}

/* Issue 8: a replay longer than 2048 bytes was "(command too long to
 * print)". */
CLI_TEST(replay_commands_are_printed_whole)
{
	const char *p;
	int replays = 0;

	REQUIRE(run_cmd(r,
			"%s/raftsim explore --nodes 256 --runs 5 --ticks 60 "
			"--mistake double-vote --seed 3 --election-ticks 5-10 "
			"--heartbeat-ticks 2",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 1);
	CHECK(strstr(r->out, "too long") == NULL);
	for (p = r->out; (p = strstr(p, "  replay: raftsim --sim ")) != NULL;
	     p++) {
		const char *eol = strchr(p, '\n');
		const char *seed = strstr(p, " --seed ");

		replays++;
		REQUIRE(eol != NULL && seed != NULL && seed < eol);
		/* the whole line: it ends with the seed */
		CHECK(strspn(seed + 8, "0123456789") ==
		      (size_t)(eol - seed - 8));
	}
	CHECK(replays > 0);
}

/* Exit 3, not 2, when raftsim cannot write what it was asked for. */
CLI_TEST(help_that_cannot_be_written_exits_3)
{
	REQUIRE(run_cmd(r, "%s/raftsim explore --help >/dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, EXIT_RUN_FAILED_CODE);
	REQUIRE(run_cmd(r, "%s/raftsim --help", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "\n  3  the run could not be carried out") !=
	      NULL);
}

const struct test_case usage_tests[] = {
	{"usage: 64 partitions on one tick with 256 paused nodes run to a "
	 "verdict",
	 many_partitions_on_one_tick_do_not_crash},
	{"usage: --pause leader@TICK before the first election timeout warns "
	 "that it may do nothing",
	 pause_of_a_leader_before_any_election_warns},
	{"usage: --trace is refused outside a run and truncates nothing",
	 trace_belongs_to_runs_only},
	{"usage: faults at tick 0, empty groups and failovers that cannot elect "
	 "are refused",
	 faults_that_could_never_happen_are_refused},
	{"usage: a flag given to a command or mode that does not take it is "
	 "refused with exit 2, naming both",
	 flags_a_command_does_not_take_are_refused},
	{"usage: --election-ticks 10 is refused; 10-10 runs with a warning",
	 election_ticks_need_a_range_and_a_fixed_one_is_warned_about},
	{"usage: --sim=1 and control bytes get a clean one-line message",
	 a_value_for_a_flag_without_one_gets_a_clean_message},
	{"usage: an ambiguous prefix lists its candidates; a unique one works",
	 an_ambiguous_prefix_lists_its_candidates},
	{"usage: explore prints replay commands longer than 2048 bytes whole",
	 replay_commands_are_printed_whole},
	{"usage: --help that cannot be written exits 3",
	 help_that_cannot_be_written_exits_3},
	{NULL, NULL},
};

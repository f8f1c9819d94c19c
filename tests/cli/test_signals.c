/* test_signals.c - the process end to end: Ctrl-C and SIGTERM, closed and
 * failing standard streams, failing output files, and the exit codes they
 * give (README "Exit codes", "Signals and output").
 *
 * A signal is sent only once the process has shown it is running (its
 * first line, read through a FIFO): by then its handlers are installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clitest.h"

/* The last line of a file (cut at its '\n'), in buf. */
static const char *last_line_of(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	while (fgets(buf, (int)size, f) != NULL)
		;
	fclose(f);
	return buf;
}

/* Runs `cmd` with its stdout (what == 1) or its --trace (FIFO named by
 * {fifo} in cmd) into a FIFO; once its first line is read, sends `sig`,
 * then copies the rest into `copy`. r gets the exit code and stderr. */
static int run_and_signal(struct cmd_result *r, const char *cmd,
			  const char *sig, const char *copy, int stdout_fifo)
{
	char fifo[128];
	int rv;

	test_tmp(fifo, sizeof(fifo), "fifo");
	remove(fifo);
	rv = run_cmd(r,
		     "mkfifo %s || exit 99; %s/raftsim %s %s %s & pid=$!; "
		     "{ IFS= read -r first; kill -%s $pid; "
		     "printf '%%s\\n' \"$first\"; cat; } <%s >%s; "
		     "wait $pid; rc=$?; rm -f %s; exit $rc",
		     fifo, test_bin_dir(), cmd, stdout_fifo ? ">" : "--trace",
		     fifo, sig, fifo, copy, fifo);
	return rv;
}

CLI_TEST(sigint_ends_a_simulation_with_its_verdict_and_trace)
{
	char copy[128], line[512];
	char cmd[256];

	test_tmp(copy, sizeof(copy), "int.jsonl");
	snprintf(cmd, sizeof(cmd), "--sim --ticks 100000000 --seed 1 --quiet");
	REQUIRE(run_and_signal(r, cmd, "INT", copy, 0) == 0);
	CHECK_EQ(r->status, 130);
	CHECK(strstr(r->out, "\nraftsim: PASS (") != NULL); /* the verdict */
	CHECK(strstr(r->out, "node-2: ") != NULL);          /* node lines */
	CHECK(strstr(r->err, "raftsim: interrupted by SIGINT after ") != NULL);
	last_line_of(copy, line, sizeof(line));
	CHECK(strstr(line, "{\"ev\":\"end\",") == line &&
	      strstr(line, ",\"interrupted\":true}") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim check %s", test_bin_dir(), copy) == 0);
	CHECK_EQ(r->status, 0);
	if (r->status != 0)
		cli_show(r);
	remove(copy);
}

CLI_TEST(sigterm_ends_a_threaded_run_with_exit_143)
{
	char copy[128], line[512];

	test_tmp(copy, sizeof(copy), "term.jsonl");
	REQUIRE(run_and_signal(r, "--ticks 100000 --tick-ms 10 --quiet", "TERM",
			       copy, 0) == 0);
	CHECK_EQ(r->status, 143);
	CHECK(strstr(r->out, "raftsim: PASS (") != NULL);
	last_line_of(copy, line, sizeof(line));
	CHECK(strstr(line, ",\"interrupted\":true}") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim check %s", test_bin_dir(), copy) == 0);
	CHECK_EQ(r->status, 0);
	remove(copy);
}

CLI_TEST(sigint_stops_explore_with_the_runs_that_finished)
{
	char copy[128];
	char *text;

	test_tmp(copy, sizeof(copy), "explore.txt");
	REQUIRE(run_and_signal(r, "explore --runs 100000000 --seed 1 --jobs 2",
			       "INT", copy, 1) == 0);
	CHECK_EQ(r->status, 130);
	text = test_slurp(copy, NULL);
	REQUIRE(text != NULL);
	CHECK(strstr(text, "\nexplore: interrupted: ") != NULL);
	CHECK(strstr(text, " of 100000000 runs not run") != NULL);
	CHECK(strstr(text, "\nexplore: ") != NULL);
	free(text);
	remove(copy);
}

CLI_TEST(sigint_stops_failover_with_the_trials_that_finished)
{
	char copy[128];
	char *text;

	test_tmp(copy, sizeof(copy), "failover.txt");
	REQUIRE(run_and_signal(r, "failover --trials 1000000 --seed 1 --jobs 2",
			       "INT", copy, 1) == 0);
	CHECK_EQ(r->status, 130);
	text = test_slurp(copy, NULL);
	REQUIRE(text != NULL);
	CHECK(strstr(text, "\nfailover: interrupted: ") != NULL);
	free(text);
	remove(copy);
}

/* With fd 1 closed, the trace would be fd 1 and get the console lines. */
CLI_TEST(a_closed_stdout_never_lands_in_the_trace)
{
	char trace[128];
	char *text;

	test_tmp(trace, sizeof(trace), "closed.jsonl");
	REQUIRE(run_cmd(r, "%s/raftsim --sim --seed 1 --trace %s >&-",
			test_bin_dir(), trace) == 0);
	CHECK_EQ(r->status, 0);
	text = test_slurp(trace, NULL);
	REQUIRE(text != NULL);
	CHECK(strstr(text, "raftsim") == NULL && strstr(text, "node-") == NULL);
	free(text);
	REQUIRE(run_cmd(r, "%s/raftsim check %s", test_bin_dir(), trace) == 0);
	CHECK_EQ(r->status, 0);
	remove(trace);
}

/* `| head -1`: the reader goes away; the run and its trace go on. */
CLI_TEST(a_reader_that_leaves_stops_the_console_not_the_run)
{
	char trace[128];

	test_tmp(trace, sizeof(trace), "head.jsonl");
	REQUIRE(run_cmd(r,
			"{ %s/raftsim --sim --seed 1 --ticks 200000 "
			"--trace %s; echo \"rc=$?\" >&2; } | head -1",
			test_bin_dir(), trace) == 0);
	CHECK(strstr(r->err, "rc=0") != NULL);
	CHECK(strstr(r->err, "raftsim: standard output closed: ") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim check %s", test_bin_dir(), trace) == 0);
	CHECK_EQ(r->status, 0);
	if (r->status != 0)
		cli_show(r);
	remove(trace);
}

CLI_TEST(a_stdout_that_fails_exits_3)
{
	REQUIRE(run_cmd(r, "%s/raftsim --sim --seed 1 >/dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "raftsim: writing standard output failed: ") !=
	      NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --sim --seed 1 --quiet >/dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	REQUIRE(run_cmd(r, "%s/raftsim --ticks 20 --tick-ms 5 >/dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "No space left on device") != NULL);
}

CLI_TEST(failover_output_files_that_fail_exit_3_and_are_named)
{
	REQUIRE(run_cmd(r, "%s/raftsim failover --trials 3 --csv /dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "raftsim: --csv: writing '/dev/full' failed") !=
	      NULL);
	REQUIRE(run_cmd(r, "%s/raftsim failover --trials 3 --svg /dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "raftsim: --svg: writing '/dev/full' failed") !=
	      NULL);
}

CLI_TEST(messages_that_pile_up_end_the_run_with_exit_3)
{
	REQUIRE(run_cmd(r,
			"%s/raftsim --sim --nodes 64 --ticks 1000000 "
			"--latency-ms 1000000000 --quiet",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, " messages in flight at ") != NULL);
	CHECK(strstr(r->out, "PASS") == NULL && strstr(r->out, "FAIL") == NULL);
}

CLI_TEST(help_lists_every_exit_code)
{
	REQUIRE(run_cmd(r, "%s/raftsim --help", test_bin_dir()) == 0);
	CHECK(strstr(r->out, "130") != NULL && strstr(r->out, "143") != NULL);
	CHECK(strstr(r->out, "out of memory") != NULL);
}

const struct test_case signals_tests[] = {
	{"signals: SIGINT ends a simulation at a tick: its verdict and node "
	 "lines printed, its trace ended (interrupted) and clean, exit 130",
	 sigint_ends_a_simulation_with_its_verdict_and_trace},
	{"signals: SIGTERM ends a threaded run the same way, exit 143",
	 sigterm_ends_a_threaded_run_with_exit_143},
	{"signals: SIGINT stops explore, which prints the runs that finished "
	 "and how many were not run",
	 sigint_stops_explore_with_the_runs_that_finished},
	{"signals: SIGINT stops failover, which prints the trials that "
	 "finished and how many were not run",
	 sigint_stops_failover_with_the_trials_that_finished},
	{"signals: with stdout closed (>&-) the trace holds only trace lines",
	 a_closed_stdout_never_lands_in_the_trace},
	{"signals: a reader that leaves (| head -1) stops the console; the run "
	 "exits by its verdict and its trace is whole",
	 a_reader_that_leaves_stops_the_console_not_the_run},
	{"signals: a stdout that fails (>/dev/full) exits 3 with a message",
	 a_stdout_that_fails_exits_3},
	{"signals: failover --csv or --svg that fails exits 3 naming the file",
	 failover_output_files_that_fail_exit_3_and_are_named},
	{"signals: messages piling up in the simulator end the run with exit 3 "
	 "and a message, no verdict",
	 messages_that_pile_up_end_the_run_with_exit_3},
	{"signals: --help lists the exit codes, 130 and 143 included",
	 help_lists_every_exit_code},
	{NULL, NULL},
};

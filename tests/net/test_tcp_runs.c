/* test_tcp_runs.c - `raftsim --transport tcp` end to end: the card's job
 * over loopback TCP, with --load and with --clients, and the refusals of
 * the command line. Real-time runs at test_tick_ms() ticks, like
 * tests/cli's threaded runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "testrun.h"

static void show(const struct cmd_result *r)
{
	fprintf(stderr, "    exit %d\n--- stdout\n%s--- stderr\n%s", r->status,
		r->out, r->err);
}

/* Runs raftsim with `args` and checks it passes over TCP. */
static void passes_over_tcp(const char *args, const char *also)
{
	struct cmd_result *r = calloc(1, sizeof(*r));

	REQUIRE(r != NULL);
	if (run_cmd(r,
		    "%s/raftsim --transport tcp --nodes 3 --tick-ms %u --seed 7 "
		    "%s",
		    test_bin_dir(), test_tick_ms(), args) != 0) {
		CHECK(!"cannot run raftsim");
		free(r);
		return;
	}
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "raftsim: PASS (3 nodes") != NULL);
	CHECK(strstr(r->out, ": leader for term=") != NULL ||
	      strstr(r->out, "node-") != NULL);
	CHECK(strstr(r->out, "tcp: ") != NULL);
	CHECK(strstr(r->out, " 6 connects, 0 disconnects, 0 refused, 0 bad "
			     "frames") != NULL);
	if (also != NULL)
		CHECK(strstr(r->out, also) != NULL);
	if (test_failures > 0)
		show(r);
	free(r);
}

static void the_cards_job_passes_over_tcp(void)
{
	passes_over_tcp("--ticks 100", ": leader for term=");
}

static void a_load_passes_over_tcp(void)
{
	passes_over_tcp("--ticks 100 --load 500 --quiet", "log: ");
}

static void clients_pass_over_tcp(void)
{
	passes_over_tcp("--ticks 100 --clients 3 --quiet", "linearizable");
}

static void tcp_with_the_simulator_is_refused(void)
{
	struct cmd_result *r = calloc(1, sizeof(*r));

	REQUIRE(r != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --sim --transport tcp --ticks 10",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--transport") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --transport udp --ticks 10",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "'udp' is not 'mailbox' or 'tcp'") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim --transport tcp --secret /nonexistent "
			"--ticks 10",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--secret /nonexistent") != NULL);
	free(r);
}

const struct test_case tcp_run_tests[] = {
	{"tcp run: raftsim --transport tcp --nodes 3 --ticks 100 elects a "
	 "leader and passes, every pair connected once",
	 the_cards_job_passes_over_tcp},
	{"tcp run: --load over TCP commits and passes", a_load_passes_over_tcp},
	{"tcp run: --clients over TCP is linearizable and passes",
	 clients_pass_over_tcp},
	{"tcp run: --transport tcp with --sim, an unknown transport and an "
	 "unreadable --secret are refused with exit 2",
	 tcp_with_the_simulator_is_refused},
	{NULL, NULL},
};

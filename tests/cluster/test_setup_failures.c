/* test_setup_failures.c - every allocation and pthread set-up call of a
 * run, made to fail in turn (tests/lib/failpoint.h): each time the run
 * returns cleanly, says why, and holds no memory afterwards. `make asan`
 * runs the same walk under LeakSanitizer. */
#include <stdio.h>
#include <string.h>

#include "cli/explore.h"
#include "cli/failover.h"
#include "failpoint.h"
#include "runtime/runtime.h"
#include "sim/sim.h"
#include "testhelp.h"

/* No run here makes more failable calls than this. */
#define MAX_CALLS 2000

typedef int run_fn(const struct raftsim_options *o, FILE *out, FILE *err);

static int said_why(FILE *err)
{
	char buf[256];
	size_t n;

	rewind(err);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	return strstr(buf, "raftsim: ") != NULL;
}

/* Fails call k of one run, for k = 1, 2, ... until a run in which no call
 * failed. Returns how many runs refused to start (EXIT_USAGE). */
static int walk(const char *what, run_fn *run, const struct raftsim_options *o)
{
	int refused = 0;
	long calls = 0;
	long k;
	int code;

	for (k = 1; k <= MAX_CALLS; k++) {
		FILE *out = tmpfile();
		FILE *err = tmpfile();

		if (out == NULL || err == NULL) {
			CHECK(!"tmpfile");
			break;
		}
		failpoint_arm(k);
		code = run(o, out, err);
		calls = failpoint_disarm();
		if (failpoint_live() != 0 ||
		    (code == EXIT_USAGE && !said_why(err)))
			TEST_FAIL_AT("%s, call %ld failed: exit %d, %ld block(s) "
				     "left", what, k, code, failpoint_live());
		/* A failure after set-up may lose a message (a spurious
		 * election) or a checker's term: a violation, never a crash. */
		CHECK(code == EXIT_PASS || code == EXIT_VIOLATION ||
		      code == EXIT_USAGE);
		refused += code == EXIT_USAGE;
		fclose(out);
		fclose(err);
		if (calls < k) { /* nothing failed: the whole run */
			CHECK_EQ(code, EXIT_PASS);
			break;
		}
	}
	CHECK(calls < k); /* it got to the end */
	return refused;
}

static void small_run(struct raftsim_options *o)
{
	options_default(o);
	o->nodes = 3;
	o->ticks = 40;
	o->quiet = true;
	o->seed = 5;
}

static void sim_setup_fails_cleanly(void)
{
	struct raftsim_options o;

	small_run(&o);
	o.sim = true;
	/* The monitor, the simulator, the harness, 3 mailboxes. */
	CHECK(walk("sim", sim_main, &o) >= 6);
}

static void runtime_setup_fails_cleanly(void)
{
	struct raftsim_options o;

	small_run(&o);
	o.ticks = 4;
	o.tick_us = 2000;
	/* The monitor, the cluster and its 6 locks, the harness, each
	 * node's lock, mailbox and condition variable, 3 threads. */
	CHECK(walk("threads", runtime_run, &o) >= 20);
}

static void explore_and_failover_fail_cleanly(void)
{
	struct raftsim_options o;

	small_run(&o);
	o.command = CMD_EXPLORE;
	o.runs = 3;
	o.jobs = 2;
	walk("explore", explore_main, &o);
	small_run(&o);
	o.command = CMD_FAILOVER;
	o.trials = 2;
	o.jobs = 2;
	o.election_ms_count = 1;
	o.election_ms[0].min = 150;
	o.election_ms[0].max = 300;
	walk("failover", failover_main, &o);
}

const struct test_case setup_failure_tests[] = {
	{"setup: the simulator's set-up, failed at each allocation in turn, "
	 "returns an error and leaks nothing",
	 sim_setup_fails_cleanly},
	{"setup: the threaded runtime's set-up, failed at each allocation, "
	 "lock, condition variable and thread in turn, returns an error and "
	 "leaks nothing",
	 runtime_setup_fails_cleanly},
	{"setup: explore and failover, failed at each allocation or thread in "
	 "turn, end with a verdict and leak nothing",
	 explore_and_failover_fail_cleanly},
	{NULL, NULL},
};

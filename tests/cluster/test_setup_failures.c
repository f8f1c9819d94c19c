/* test_setup_failures.c - every allocation and pthread set-up call of a
 * run, made to fail in turn (tests/lib/failpoint.h): each time the run
 * returns cleanly, says why, and holds no memory afterwards. `make asan`
 * runs the same walk under LeakSanitizer. */
#include <stdbool.h>
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

static int err_says(FILE *err, const char *what)
{
	char buf[4096];
	size_t n;

	rewind(err);
	n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

static int said_why(FILE *err)
{
	return err_says(err, "raftsim: ");
}

/* The checker's own memory (its term window) running out is reported as a
 * violation by src/check today, named as such; turning that into exit 3 is
 * the checker's to do. Everything else that fails must give 3. */
static int checker_out_of_memory(FILE *out, FILE *err)
{
	return err_says(err, "checker cannot keep term") ||
	       err_says(out, "checker cannot keep term"); /* explore's */
}

/* A copy of a message whose block (its entries) could not be allocated
 * during the run is lost like one a full mailbox refuses: the run goes on
 * and its verdict says so (harness_copy_message). */
static int copy_lost(FILE *out, FILE *err)
{
	return err_says(out, "lost to full mailboxes") ||
	       err_says(err, "lost to full mailboxes");
}

/* Fails call k of one run, for k = 1, 2, ... until a run in which no call
 * failed. Returns how many runs could not be carried out
 * (EXIT_RUN_FAILED, exit 3): out of memory is never bad usage, and never a
 * violation - a message the run could not queue is not a message Raft
 * lost; a message copy it could not allocate is a reported loss. */
static int walk(const char *what, run_fn *run, const struct raftsim_options *o,
		bool absorbs)
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
		    (code == EXIT_RUN_FAILED && !said_why(err)))
			TEST_FAIL_AT(
				"%s, call %ld failed: exit %d, %ld block(s) "
				"left",
				what, k, code, failpoint_live());
		/* 0 only where a failure is absorbed (explore and failover
		 * run on this thread when no worker starts). */
		if ((code != EXIT_PASS ||
		     (!absorbs && calls >= k && !copy_lost(out, err))) &&
		    code != EXIT_RUN_FAILED &&
		    !(code == EXIT_VIOLATION &&
		      checker_out_of_memory(out, err)))
			TEST_FAIL_AT("%s, call %ld failed: exit %d, want 3",
				     what, k, code);
		refused += code == EXIT_RUN_FAILED;
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
	CHECK(walk("sim", sim_main, &o, false) >= 6);
}

static void runtime_setup_fails_cleanly(void)
{
	struct raftsim_options o;

	small_run(&o);
	o.ticks = 4;
	o.tick_us = 2000;
	/* The monitor, the cluster and its 6 locks, the harness, each
	 * node's lock, mailbox and condition variable, 3 threads. */
	CHECK(walk("threads", runtime_run, &o, false) >= 20);
}

static void explore_and_failover_fail_cleanly(void)
{
	struct raftsim_options o;

	small_run(&o);
	o.command = CMD_EXPLORE;
	o.runs = 3;
	o.jobs = 2;
	walk("explore", explore_main, &o, true);
	small_run(&o);
	o.command = CMD_FAILOVER;
	o.trials = 2;
	o.jobs = 2;
	o.election_ms_count = 1;
	o.election_ms[0].min = 150;
	o.election_ms[0].max = 300;
	walk("failover", failover_main, &o, true);
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

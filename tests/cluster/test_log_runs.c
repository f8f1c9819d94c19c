/* test_log_runs.c - whole runs under --load, in both worlds: a threaded run
 * commits and passes, and no run leaves a message copy's block behind,
 * whatever became of the copies (issue 10). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "failpoint.h"
#include "runtime/runtime.h"
#include "sim/sim.h"
#include "testhelp.h"
#include "testrun.h"

static void threaded_load_commits_and_passes_on(struct cmd_pair *p)
{
	uint64_t committed = 0, applied = 0;
	const char *log, *node;

	REQUIRE(run_cmd(&p->first,
			"%s/raftsim --nodes 3 --ticks 100 --tick-ms %u "
			"--load 1000 -q",
			test_bin_dir(), test_tick_ms()) == 0);
	CHECK_EQ(p->first.status, 0);
	CHECK(strstr(p->first.out, "raftsim: PASS") != NULL);
	log = strstr(p->first.out, "\nlog: ");
	REQUIRE(log != NULL);
	CHECK(sscanf(log, "\nlog: %" SCNu64 " committed, %" SCNu64 " applied",
		     &committed, &applied) == 2);
	/* ~2.5 s of 1000 a second after the first election at 30 ms a
	 * tick; a loaded machine may lose much of it, not all. */
	CHECK(committed > 100);
	CHECK(applied > 0 && applied <= committed);
	/* Each node's line ends with its commit and applied indexes. */
	node = strstr(p->first.out, "node-2: ");
	REQUIRE(node != NULL && node < log);
	CHECK(strstr(node, ", commit ") != NULL &&
	      strstr(node, ", commit ") < log);
	if (p->first.status != 0 || committed <= 100)
		fprintf(stderr, "    %s%s", p->first.out, p->first.err);
}

static void threaded_load_commits_and_passes(void)
{
	with_cmd_pair(threaded_load_commits_and_passes_on);
}

typedef int run_fn(const struct raftsim_options *o, FILE *out, FILE *err);

/* Runs o with every allocation counted; returns the exit code, and how
 * many blocks were still held at the end in *live. */
static int counted_run(run_fn *run, const struct raftsim_options *o, long *live)
{
	FILE *out = tmpfile();
	FILE *err = tmpfile();
	int code = -1;

	if (out == NULL || err == NULL) {
		CHECK(!"tmpfile");
		goto done;
	}
	failpoint_arm(0); /* nothing fails: blocks are only counted */
	code = run(o, out, err);
	failpoint_disarm();
	*live = failpoint_live();
done:
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return code;
}

static void faulty_loaded_run(struct raftsim_options *o)
{
	options_default(o);
	o->nodes = 5;
	o->quiet = true;
	o->seed = 31;
	o->load_max = true;
	o->payload = 64;
	o->snapshot_entries = 500;
	o->drop = 0.1;
	o->dup = 0.1;
	o->crash_prob = 0.01;
	o->pause_prob = 0.01;
}

static void no_copy_outlives_its_run(void)
{
	struct raftsim_options o;
	long live = -1;

	faulty_loaded_run(&o);
	o.sim = true;
	o.ticks = 400;
	o.mailbox = 4; /* paused nodes' mailboxes overflow too */
	CHECK_EQ(counted_run(sim_main, &o, &live), 0);
	CHECK_EQ(live, 0);
	faulty_loaded_run(&o);
	o.ticks = 60;
	o.tick_us = (uint64_t)test_tick_ms() * 1000;
	o.mailbox = 64;
	CHECK_EQ(counted_run(runtime_run, &o, &live), 0);
	CHECK_EQ(live, 0);
}

const struct test_case log_run_tests[] = {
	{"threads: a run with --load 1000 for 100 ticks commits entries and "
	 "PASSes",
	 threaded_load_commits_and_passes},
	{"memory: --sim and threaded runs with --drop, --dup, pauses and "
	 "crashes under --load max free every message copy's block",
	 no_copy_outlives_its_run},
	{NULL, NULL},
};

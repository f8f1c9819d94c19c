/* test_resume.c - a node thread thawed after a pause ticks on from the
 * present: its clock loses the paused ticks and no more (review of issue
 * 8's tickless runtime: it used to sleep on to the deadline it had before
 * the pause, losing those ticks too). */
#include <stdint.h>
#include <stdlib.h>

#include "cli/options.h"
#include "runtime/runtime.h"
#include "testhelp.h"
#include "testrun.h"

#define PAUSE_AT 5
#define PAUSE_LEN 5

struct first_election {
	int seen;
	uint64_t tick; /* the run's tick when it started */
	uint64_t now;  /* the node's own clock then */
};

static void note_election(void *ctx, const struct wev *ev)
{
	struct first_election *f = ctx;

	if (ev->type == WEV_ELECTION && !f->seen) {
		f->seen = 1;
		f->tick = ev->tick;
		f->now = ev->now;
	}
}

static void a_resumed_thread_loses_only_the_paused_ticks(void)
{
	struct raftsim_options o;
	struct first_election first = {0, 0, 0};
	struct harness_tap tap = {note_election, &first};
	struct runtime_result *res = calloc(1, sizeof(*res));
	FILE *out = tmpfile(), *err = tmpfile();
	int i;

	REQUIRE(res != NULL && out != NULL && err != NULL);
	options_default(&o);
	o.nodes = 3;
	o.ticks = 80;
	o.tick_us = (uint64_t)test_tick_ms() * 1000;
	o.election.min = 16;
	o.election.max = 20;
	o.seed = 1;
	o.quiet = true;
	for (i = 0; i < 3; i++)
		o.pauses[o.pause_count++] = (struct fault_window){i, PAUSE_AT,
								  PAUSE_LEN};
	CHECK_EQ(runtime_run_with(&o, out, err, &tap, res), 0);
	REQUIRE(first.seen);
	/* Every node slept through the same 5 ticks, then ran on. A thread
	 * the machine held back loses an acting tick at worst, so a margin
	 * of 3 is generous; the bug lost 10 to 12. */
	CHECK(first.tick - first.now >= PAUSE_LEN);
	CHECK(first.tick - first.now <= PAUSE_LEN + 3);
	fclose(out);
	fclose(err);
	free(res);
}

const struct test_case resume_tests[] = {
	{"cluster: a thread resumed after a pause ticks on from the present, "
	 "losing only the paused ticks",
	 a_resumed_thread_loses_only_the_paused_ticks},
	{NULL, NULL},
};

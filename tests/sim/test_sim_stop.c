/* test_sim_stop.c - the simulator stopped by SIGINT or SIGTERM, and out of
 * room for messages: it ends at a tick boundary with its trace whole, or
 * fails the run (exit 3), never loses a message silently
 * (harness_stop.h, sim.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/trace.h"
#include "harness/harness_stop.h"
#include "sim/sim.h"
#include "testhelp.h"
#include "testrun.h"

/* Asks for a stop when the cluster has begun tick 50. */
static void stop_at_tick_50(void *ctx, const struct wev *ev)
{
	(void)ctx;
	if (ev->type == WEV_ROUND && ev->tick >= 50)
		harness_stop_request(SIGTERM);
}

static void a_stop_ends_the_simulation_before_the_next_tick(void)
{
	struct raftsim_options o;
	struct harness_tap tap = {stop_at_tick_50, NULL};
	struct harness_output output;
	struct sim *sim;
	char path[128];
	char *trace, *end;
	FILE *out = tmpfile(), *err = tmpfile();
	int code;

	REQUIRE(out != NULL && err != NULL);
	options_default(&o);
	o.sim = true;
	o.seed = 2;
	o.ticks = 100000000;
	o.trace_path = test_tmp(path, sizeof(path), "sim-stop.jsonl");
	REQUIRE(harness_output_open(&output, &o, "sim", out, err) == 0);
	REQUIRE(sim_create(&o, &output.mon, &sim) == 0);
	sim_set_tap(sim, &tap);
	sim_run_all(sim);
	CHECK(sim_interrupted(sim));
	CHECK_EQ(sim_failure(sim), SIM_OK);
	/* The round of tick 50 asked; tick 51 never began. */
	CHECK_EQ(sim_tick(sim), 50);
	sim_run_until(sim, sim_now(sim) + 1000000); /* halted: nothing */
	CHECK_EQ(sim_tick(sim), 50);
	code = harness_verdict(sim_harness(sim), sim_now(sim), sim_tick(sim),
			       out, err);
	harness_stop_reset();
	sim_free(sim);
	code = harness_output_close(&output, code, err);
	CHECK_EQ(code, 143);
	trace = test_slurp(path, NULL);
	REQUIRE(trace != NULL);
	end = strstr(trace, "{\"ev\":\"end\",");
	CHECK(end != NULL && strstr(end, "\"ticks\":50,") != NULL &&
	      strstr(end, ",\"interrupted\":true}\n") != NULL &&
	      strchr(end, '\n')[1] == '\0');
	/* The reader gives the field back. */
	if (end != NULL) {
		struct trace_slots slots;
		struct wev ev;
		char why[128];

		*strchr(end, '\n') = '\0';
		CHECK_EQ(trace_parse(end, &ev, &slots, 3, why, sizeof(why)), 0);
		CHECK(ev.type == WEV_END && ev.interrupted && ev.tick == 50);
		CHECK_EQ(trace_parse("{\"ev\":\"end\",\"ms\":1,\"ticks\":2,"
				     "\"violations\":0,\"spurious_elections\""
				     ":0}",
				     &ev, &slots, 3, why, sizeof(why)),
			 0);
		CHECK(!ev.interrupted);
	}
	free(trace);
	CHECK_EQ(trace_check_file(path, out, err), 0);
	remove(path);
	fclose(out);
	fclose(err);
}

/* Nodes that never hear each other keep electing, and every vote request
 * stays in flight for 11 days: the queue would grow without bound. */
static void messages_in_flight_are_bounded(void)
{
	struct raftsim_options o;
	struct sim *sim;

	options_default(&o);
	o.sim = true;
	o.nodes = 64;
	o.ticks = 1000000;
	o.latency_us.min = o.latency_us.max = 1000000000ULL * 1000;
	REQUIRE(sim_create(&o, NULL, &sim) == 0);
	sim_run_all(sim);
	CHECK_EQ(sim_failure(sim), SIM_FAILED_IN_FLIGHT);
	CHECK(sim_tick(sim) < o.ticks);
	sim_free(sim);
}

const struct test_case sim_stop_tests[] = {
	{"sim: a stop request (SIGTERM) ends the run before the next tick; the "
	 "trace ends with an interrupted end event and checks clean; exit 143",
	 a_stop_ends_the_simulation_before_the_next_tick},
	{"sim: a latency that keeps every message in flight for days ends the "
	 "run at SIM_MAX_IN_FLIGHT messages (exit 3), not at the memory's end",
	 messages_in_flight_are_bounded},
	{NULL, NULL},
};

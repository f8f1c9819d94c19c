/* testsim.c - see testsim.h. */
#include <stdio.h>

#include "check/checker.h"
#include "harness/monitor.h"
#include "sim/sim.h"
#include "testsim.h"

uint64_t testsim_violations(const struct raftsim_options *o, char *first_what,
			    size_t size)
{
	const struct checker_violation *reports;
	struct run_info info;
	struct monitor mon;
	struct sim *sim;
	uint64_t v;

	if (first_what != NULL && size > 0)
		first_what[0] = '\0';
	monitor_run_info(&info, o, "sim");
	if (monitor_init(&mon, &info, NULL, NULL) != 0)
		return 999;
	sim = sim_new(o, &mon);
	if (sim == NULL) {
		monitor_free(&mon);
		return 999;
	}
	sim_run_all(sim);
	monitor_end(&mon, sim_now(sim), sim_tick(sim));
	v = checker_violation_count(mon.checker);
	if (v > 0 && first_what != NULL && size > 0 &&
	    checker_reports(mon.checker, &reports) > 0)
		snprintf(first_what, size, "%s", reports[0].what);
	sim_free(sim);
	monitor_free(&mon);
	return v;
}

int testsim_leader_at(const struct raftsim_options *o, uint64_t tick)
{
	struct sim *sim = sim_new(o, NULL);
	int leader;

	if (sim == NULL)
		return RAFT_NONE;
	sim_run_until(sim, (int64_t)tick * (int64_t)o->tick_us);
	leader = sim_leader(sim);
	sim_free(sim);
	return leader;
}

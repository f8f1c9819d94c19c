/* main.c - raftsim's entry: parse, pick the mode, return its exit code. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"
#include "failover.h"
#include "options.h"
#include "runtime/runtime.h"
#include "sim/sim.h"
#include "check/trace.h"

/* A seed nobody chose: the wall clock and the pid, mixed. Printed in every
 * run so that the run can be repeated. */
static uint64_t seed_from_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return raft_rng_derive((uint64_t)ts.tv_sec * 1000000000ULL +
				       (uint64_t)ts.tv_nsec,
			       (uint64_t)getpid());
}

int main(int argc, char **argv)
{
	static struct raftsim_options o; /* large: keep it off the stack */
	int rv;

	options_default(&o);
	rv = options_parse(&o, argc, argv, stderr);
	if (rv != 0)
		return rv;
	if (o.help)
		return options_usage(&o, stdout);
	if (o.man)
		return options_write_man(stdout);
	if (o.readme)
		return options_write_readme(stdout);
	if (o.version) {
		printf("raftsim %s\n", RAFTSIM_VERSION);
		return EXIT_PASS;
	}
	if (!o.seed_given)
		o.seed = seed_from_clock();
	/* src/cli/timeline.h (timeline_main) is not in this tree yet: the
	 * timeline's flags are parsed but hidden, and refused here. */
	if (o.command == CMD_TIMELINE || o.timeline) {
		fprintf(stderr, "raftsim: timeline: not in this build\n");
		return EXIT_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	switch (o.command) {
	case CMD_RUN:
		return o.sim ? sim_main(&o, stdout, stderr)
			     : runtime_run(&o, stdout, stderr);
	case CMD_CHECK:
		return trace_check_file(o.check_path, stdout, stderr);
	case CMD_EXPLORE:
		return explore_main(&o, stdout, stderr);
	case CMD_FAILOVER:
		return failover_main(&o, stdout, stderr);
	case CMD_TIMELINE:
		break; /* refused above */
	}
	return EXIT_USAGE;
}

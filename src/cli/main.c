/* main.c - raftsim's entry: parse, pick the mode, return its exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/trace.h"
#include "explore.h"
#include "failover.h"
#include "figure8.h"
#include "harness/harness_stdio.h"
#include "harness/harness_stop.h"
#include "lincheck/lincheck.h"
#include "live.h"
#include "options.h"
#include "report.h"
#include "run_dir.h"
#include "runtime/runtime.h"
#include "sim/sim.h"
#include "tcp_commands.h"
#include "timeline.h"

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

static int run(struct raftsim_options *o)
{
	int code = run_dir_prepare(o, stderr);

	if (code != 0)
		return code;
	if (o->live)
		return live_main(o, stdout, stderr);
	return o->sim ? sim_main(o, stdout, stderr)
		      : runtime_run(o, stdout, stderr);
}

/* --timeline: the run, then the picture of its trace. Without --trace the
 * trace goes to a scratch file that is removed afterwards. The run's exit
 * code wins over the picture's, unless the picture could not be drawn. */
static int run_with_timeline(struct raftsim_options *o)
{
	char scratch[] = "/tmp/raftsim-timeline-XXXXXX";
	int code;
	int drawn;
	int fd = -1;

	if (o->trace_path == NULL) {
		fd = mkstemp(scratch);
		if (fd < 0) {
			perror("raftsim: --timeline: a scratch trace");
			return EXIT_RUN_FAILED;
		}
		close(fd);
		o->trace_path = scratch;
	}
	code = run(o);
	/* An interrupted run's trace is whole up to its end event too. */
	if (code == EXIT_PASS || code == EXIT_VIOLATION ||
	    (harness_stop_requested() && code != EXIT_RUN_FAILED)) {
		fflush(stdout);
		drawn = timeline_draw_trace(o, o->trace_path, stdout, stderr);
		if (drawn != 0)
			code = drawn;
	}
	if (fd >= 0)
		remove(scratch);
	return code;
}

/* The commands that run something: Ctrl-C and SIGTERM stop them at the
 * next tick (or run, or trial) with their results printed and their trace
 * ended; the others are quick and write nothing that a kill would cut. */
static int run_command(struct raftsim_options *o)
{
	if (harness_stop_install() != 0) {
		perror("raftsim: cannot install the SIGINT and SIGTERM handlers");
		return EXIT_RUN_FAILED;
	}
	switch (o->command) {
	case CMD_RUN:
		return o->timeline ? run_with_timeline(o) : run(o);
	case CMD_EXPLORE:
		return explore_main(o, stdout, stderr);
	case CMD_FAILOVER:
		return failover_main(o, stdout, stderr);
	case CMD_NODE:
		return node_main(o, stdout, stderr);
	case CMD_BENCH:
		return bench_main(o, stdout, stderr);
	default:
		break;
	}
	return EXIT_USAGE;
}

static int dispatch(struct raftsim_options *o)
{
	switch (o->command) {
	case CMD_RUN:
	case CMD_EXPLORE:
	case CMD_FAILOVER:
	case CMD_NODE:
	case CMD_BENCH:
		return harness_stop_exit_code(run_command(o));
	case CMD_CLIENT:
		return client_main(o, stdout, stderr);
	case CMD_CHECK:
		return trace_check_files(o->check_paths, o->check_count, stdout,
					 stderr);
	case CMD_TIMELINE:
		return timeline_main(o, stdout, stderr);
	case CMD_FIGURE8:
		return figure8_main(o->mistakes, stdout, stderr);
	case CMD_REPORT:
		return report_main(o, stdout, stderr);
	}
	return EXIT_USAGE;
}

/* What the command line asks for, once parsed. */
static int command(struct raftsim_options *o)
{
	if (o->help)
		return options_usage(o, stdout);
	if (o->man)
		return options_write_man(stdout);
	if (o->readme)
		return options_write_readme(stdout);
	if (o->version) {
		printf("raftsim %s\n", RAFTSIM_VERSION);
		return EXIT_PASS;
	}
	if (!o->seed_given)
		o->seed = seed_from_clock();
	setvbuf(stdout, NULL, _IOLBF, 0);
	return dispatch(o);
}

int main(int argc, char **argv)
{
	static struct raftsim_options o; /* large: keep it off the stack */
	int rv;

	/* Before any file is opened: none may become fd 1 (harness_stdio.h). */
	if (harness_stdio_guard() != 0) {
		perror("raftsim: cannot open /dev/null onto a closed fd 0-2");
		return EXIT_RUN_FAILED;
	}
	/* lincheck reads a history, not a cluster's flags: its own parser. */
	if (argc > 1 && strcmp(argv[1], "lincheck") == 0)
		return harness_stdio_finish(
			stdout, stderr, 0,
			lincheck_main(argc - 1, argv + 1, stdout, stderr));
	options_default(&o);
	rv = options_parse(&o, argc, argv, stderr);
	if (rv != 0)
		return rv;
	/* A stdout that failed (not one whose reader left) lost output the
	 * user asked for: exit 3, whatever the verdict. */
	return harness_stdio_finish(stdout, stderr, 0, command(&o));
}

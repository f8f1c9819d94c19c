/* sim_main.c - `raftsim --sim`: one simulated run, printed like the
 * threaded one. */
#include <errno.h>
#include <string.h>

#include "sim.h"

int sim_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct node_summary summaries[OPT_MAX_NODES];
	struct run_info info;
	struct monitor mon;
	struct sim *sim = NULL;
	FILE *trace = NULL;
	int rv = EXIT_USAGE;

	if (o->trace_path != NULL) {
		trace = fopen(o->trace_path, "w");
		if (trace == NULL) {
			fprintf(err, "raftsim: --trace: cannot open '%s': %s\n",
				o->trace_path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	run_info_from_options(&info, o, "sim");
	if (monitor_init(&mon, &info, trace, o->quiet ? NULL : out) != 0) {
		fprintf(err, "raftsim: out of memory\n");
		goto err_trace;
	}
	sim = sim_new(o, &mon);
	if (sim == NULL) {
		fprintf(err, "raftsim: cannot start the simulator (memory)\n");
		goto err_mon;
	}
	sim_run_all(sim);
	monitor_end(&mon, sim_now(sim), sim_tick(sim));
	sim_summaries(sim, summaries);
	rv = monitor_verdict(&mon, summaries, o->nodes, out, err);
	if (mon.trace_failed) {
		fprintf(err, "raftsim: --trace: writing '%s' failed\n",
			o->trace_path);
		if (rv == EXIT_PASS)
			rv = EXIT_VIOLATION;
	}
	sim_free(sim);
err_mon:
	monitor_free(&mon);
err_trace:
	if (trace != NULL && fclose(trace) != 0 && rv == EXIT_PASS) {
		fprintf(err, "raftsim: --trace: closing '%s' failed\n",
			o->trace_path);
		rv = EXIT_VIOLATION;
	}
	return rv;
}

/* sim_main.c - `raftsim --sim`: one simulated run, printed like the
 * threaded one. */
#include <errno.h>
#include <string.h>

#include "sim.h"

int sim_open(const struct raftsim_options *o, FILE *console, FILE *err,
	     struct harness_output *output, struct sim **sim)
{
	int code;
	int rv;

	code = harness_output_open(output, o, "sim", console, err);
	if (code != EXIT_PASS)
		return code;
	rv = sim_create(o, &output->mon, sim);
	if (rv != 0) {
		fprintf(err, "raftsim: cannot start the simulator: %s\n",
			rv == EINVAL ? "configuration refused" : strerror(rv));
		return harness_output_close(
			output, rv == EINVAL ? EXIT_USAGE : EXIT_RUN_FAILED,
			err);
	}
	return EXIT_PASS;
}

int sim_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct harness_output output;
	struct sim *sim;
	int code;

	code = sim_open(o, o->quiet ? NULL : out, err, &output, &sim);
	if (code != EXIT_PASS)
		return code;
	sim_run_all(sim);
	if (sim_failure(sim) != SIM_OK) {
		/* No verdict, and no end event: the trace ends where the
		 * run did, and `raftsim check` says it is incomplete. */
		sim_print_failure(sim, err);
		code = EXIT_RUN_FAILED;
	} else {
		code = harness_verdict(sim_harness(sim), sim_now(sim),
				       sim_tick(sim), out, err);
	}
	sim_free(sim);
	return harness_output_close(&output, code, err);
}

/* sim_main.c - `raftsim --sim`: one simulated run, printed like the
 * threaded one. */
#include "sim.h"

int sim_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct harness_output output;
	struct sim *sim;
	int code;

	code = harness_output_open(&output, o, "sim", o->quiet ? NULL : out,
				   err);
	if (code != EXIT_PASS)
		return code;
	sim = sim_new(o, &output.mon);
	if (sim == NULL) {
		fprintf(err, "raftsim: cannot start the simulator (memory)\n");
		return harness_output_close(&output, EXIT_USAGE, err);
	}
	sim_run_all(sim);
	code = harness_verdict(sim_harness(sim), sim_now(sim), sim_tick(sim),
			       out, err);
	sim_free(sim);
	return harness_output_close(&output, code, err);
}

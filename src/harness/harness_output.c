/* harness_output.c - the outputs and the verdict of one run, the same in
 * both worlds: the --trace file, the monitor, the end event, the verdict
 * and what a failed trace write does to it. See harness.h. */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "harness.h"

int harness_output_open(struct harness_output *out,
			const struct raftsim_options *o, const char *mode,
			FILE *console, FILE *err)
{
	struct run_info info;

	memset(out, 0, sizeof(*out));
	out->trace_path = o->trace_path;
	if (o->trace_path != NULL) {
		out->trace = fopen(o->trace_path, "w");
		if (out->trace == NULL) {
			fprintf(err, "raftsim: --trace: cannot open '%s': %s\n",
				o->trace_path, strerror(errno));
			goto err;
		}
	}
	run_info_from_options(&info, o, mode);
	if (monitor_init(&out->mon, &info, out->trace, console) != 0) {
		fprintf(err, "raftsim: out of memory\n");
		goto err_trace;
	}
	return EXIT_PASS;
err_trace:
	if (out->trace != NULL)
		fclose(out->trace);
	out->trace = NULL;
err:
	monitor_free(&out->mon);
	return EXIT_USAGE;
}

int harness_output_close(struct harness_output *out, int code, FILE *err)
{
	monitor_free(&out->mon);
	if (out->trace != NULL && fclose(out->trace) != 0 &&
	    code == EXIT_PASS) {
		fprintf(err, "raftsim: --trace: closing '%s' failed\n",
			out->trace_path);
		code = EXIT_VIOLATION;
	}
	out->trace = NULL;
	return code;
}

int harness_verdict(struct harness *h, int64_t end_us, uint64_t ticks,
		    FILE *out, FILE *err)
{
	struct node_summary sum[OPT_MAX_NODES];
	int code;

	assert(h->mon != NULL);
	monitor_end(h->mon, end_us, ticks);
	harness_summaries(h, sum);
	code = monitor_verdict(h->mon, sum, h->nodes, out, err);
	if (h->mon->trace_failed) {
		fprintf(err, "raftsim: --trace: writing '%s' failed\n",
			h->opt->trace_path);
		if (code == EXIT_PASS)
			code = EXIT_VIOLATION;
	}
	return code;
}

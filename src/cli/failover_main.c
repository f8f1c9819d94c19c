/* failover_main.c - `raftsim failover`: the trials of every range, in the
 * simulator (parallel, --jobs) or on the threaded runtime (--threads, one
 * at a time, real time), then the table, the CDFs, the CSV and the SVG. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "parallel.h"
#include "runtime/runtime.h"

struct trials {
	const struct raftsim_options *trial_opt;
	uint64_t seed;
	int stale;
	struct trial_result *results;
	int failed; /* a trial that could not run (memory); written once */
};

static void run_sim_trial(void *ctx, uint64_t i)
{
	struct trials *t = ctx;

	if (failover_sim_trial(t->trial_opt, raft_rng_derive(t->seed, i),
			       t->stale, &t->results[i]) != 0)
		t->failed = 1;
}

int failover_thread_trial(const struct raftsim_options *base, uint64_t seed,
			  FILE *sink, struct trial_result *res)
{
	struct raftsim_options o = *base;
	struct failover_watch w;
	struct harness_tap tap = {failover_watch_event, &w};
	struct raft_rng rng;
	uint64_t crash_tick;

	raft_rng_seed(&rng, raft_rng_derive(seed, 0x7a11));
	o.sim = false;
	o.quiet = true;
	o.seed = seed;
	/* A leader is stable well within a few timeouts; the crash tick is
	 * drawn across a heartbeat interval, so it falls anywhere in the
	 * leader's heartbeat cycle. */
	crash_tick = 3 * o.election.max +
		     raft_rng_range(&rng, 0, o.heartbeat_ticks - 1);
	o.crash_count = 1;
	o.crashes[0].who = WHO_LEADER;
	o.crashes[0].tick = crash_tick;
	o.crashes[0].len = 1000000;
	/* Real time is dear: stop 4 timeouts after the crash (a trial that
	 * has no leader by then is reported as capped). */
	o.ticks = crash_tick + 4 * o.election.max;
	failover_watch_init(&w, o.nodes);
	if (runtime_run_with(&o, sink, sink, &tap, NULL) == EXIT_USAGE)
		return -1;
	res->capped = !w.done || w.crashed == RAFT_NONE;
	res->downtime_ms = res->capped ? (double)(o.ticks - crash_tick) * (double)o.tick_us / 1000.0
				       : (double)(w.done_us - w.crash_us) / 1000.0;
	res->rounds = w.done ? w.new_term - w.old_term : 0;
	return 0;
}

static void print_stats(FILE *out, const struct tick_range *r,
			const struct range_stats *st)
{
	fprintf(out, "%5" PRIu64 "-%-5" PRIu64 " %7d %9.1f %9.1f %9.1f %9.1f "
		     "%9.1f %7.2f%s\n",
		r->min, r->max, st->trials, st->mean, st->p50, st->p90, st->p99,
		st->max, st->rounds_mean,
		st->capped ? "  (some trials hit the cap)" : "");
}

static FILE *open_output(const char *flag, const char *path, FILE *err)
{
	FILE *f;

	if (path == NULL)
		return NULL;
	f = fopen(path, "w");
	if (f == NULL)
		fprintf(err, "raftsim: %s: cannot open '%s': %s\n", flag, path,
			strerror(errno));
	return f;
}

/* The trials of one range, into results (sorted on return). */
static int run_range(const struct raftsim_options *o, int r,
		     struct trial_result *results, FILE *sink)
{
	struct raftsim_options trial_opt;
	struct trials t;
	int i;

	failover_trial_options(o, &o->election_ms[r], &trial_opt);
	if (trial_opt.heartbeat_ticks >= trial_opt.election.min)
		return EXIT_USAGE;
	memset(&t, 0, sizeof(t));
	t.trial_opt = &trial_opt;
	/* Seeded by the range itself, so that a range's trials are the same
	 * whichever other ranges run with it. */
	t.seed = raft_rng_derive(o->seed, o->election_ms[r].min * 1000003 +
						  o->election_ms[r].max);
	t.stale = o->stale;
	t.results = results;
	if (!o->threads) {
		parallel_for((uint64_t)o->trials, o->jobs, run_sim_trial, &t);
		return t.failed ? EXIT_VIOLATION : EXIT_PASS;
	}
	for (i = 0; i < o->trials; i++)
		if (failover_thread_trial(&trial_opt,
					  raft_rng_derive(t.seed, (uint64_t)i),
					  sink, &results[i]) != 0)
			return EXIT_USAGE;
	return EXIT_PASS;
}

int failover_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct trial_result *results[OPT_MAX_RANGES] = {NULL};
	int counts[OPT_MAX_RANGES] = {0};
	struct range_stats st;
	FILE *csv = NULL, *svg = NULL, *sink = NULL;
	int rv = EXIT_USAGE;
	int r;

	if ((o->csv_path && (csv = open_output("--csv", o->csv_path, err)) == NULL) ||
	    (o->svg_path && (svg = open_output("--svg", o->svg_path, err)) == NULL))
		goto out;
	sink = fopen("/dev/null", "w");
	if (sink == NULL)
		goto out;
	if (csv != NULL)
		fprintf(csv, "range,trial,downtime_ms,rounds\n");
	if (o->threads)
		fprintf(out, "failover: %d nodes, %d trials per range, threads "
			     "(real time, real latency), 1 ms ticks",
			o->nodes, o->trials);
	else
		fprintf(out, "failover: %d nodes, %d trials per range, "
			     "simulator, latency %.1f-%.1f ms, disk %.1f ms%s",
			o->nodes, o->trials, (double)o->latency_us.min / 1000,
			(double)o->latency_us.max / 1000,
			(double)o->disk_us / 1000,
			o->disk_parallel ? " (parallel)" : "");
	fprintf(out, ", heartbeat %s, stale %d%s%s%s, seed %" PRIu64 "\n",
		o->heartbeat_ms ? "as given" : "min/2", o->stale,
		o->prevote ? ", prevote" : "", o->check_quorum ? ", check-quorum" : "",
		o->ranked_timeouts ? ", ranked timeouts" : "", o->seed);
	fprintf(out, "range (ms)   trials  mean(ms)   p50(ms)   p90(ms)   "
		     "p99(ms)   max(ms)  rounds\n");
	for (r = 0; r < o->election_ms_count; r++) {
		results[r] = calloc((size_t)o->trials, sizeof(*results[r]));
		if (results[r] == NULL) {
			fprintf(err, "raftsim: failover: out of memory\n");
			rv = EXIT_VIOLATION;
			goto out;
		}
		rv = run_range(o, r, results[r], sink);
		if (rv == EXIT_USAGE) {
			fprintf(err, "raftsim: --heartbeat-ms: the heartbeat must "
				     "be shorter than %" PRIu64 " ms, the "
				     "minimum of --election-ms %" PRIu64 "-%" PRIu64
				     "\n",
				o->election_ms[r].min, o->election_ms[r].min,
				o->election_ms[r].max);
			goto out;
		}
		if (rv != EXIT_PASS) {
			fprintf(err, "raftsim: failover: a trial could not run\n");
			goto out;
		}
		counts[r] = o->trials;
		if (csv != NULL &&
		    failover_write_csv(csv, &o->election_ms[r], results[r],
				       o->trials) != 0) {
			fprintf(err, "raftsim: --csv: write failed\n");
			rv = EXIT_VIOLATION;
			goto out;
		}
		failover_stats(results[r], o->trials, &st);
		print_stats(out, &o->election_ms[r], &st);
	}
	if (!o->quiet)
		for (r = 0; r < o->election_ms_count; r++) {
			fprintf(out, "\nCDF of downtime, %" PRIu64 "-%" PRIu64
				     " ms:\n",
				o->election_ms[r].min, o->election_ms[r].max);
			failover_print_cdf(out, results[r], counts[r]);
		}
	if (svg != NULL &&
	    failover_write_svg(svg, o->election_ms, results, counts,
			       o->election_ms_count) != 0) {
		fprintf(err, "raftsim: --svg: write failed\n");
		rv = EXIT_VIOLATION;
	}
out:
	for (r = 0; r < OPT_MAX_RANGES; r++)
		free(results[r]);
	if (csv != NULL && fclose(csv) != 0 && rv == EXIT_PASS)
		rv = EXIT_VIOLATION;
	if (svg != NULL && fclose(svg) != 0 && rv == EXIT_PASS)
		rv = EXIT_VIOLATION;
	if (sink != NULL)
		fclose(sink);
	return rv;
}

/* failover_main.c - `raftsim failover`: the trials of every range, in the
 * simulator (parallel, --jobs) or on the threaded runtime (--threads, one
 * at a time, real time), then the table, the CDFs, the CSV, the SVG and the
 * HTML page. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "failover.h"
#include "harness/harness_stop.h"
#include "parallel.h"
#include "runtime/runtime.h"

struct trials {
	const struct raftsim_options *trial_opt;
	uint64_t seed;
	struct trial_result *results;
	int failed; /* a trial that could not run (memory); written once */
};

static void run_sim_trial(void *ctx, uint64_t i)
{
	struct trials *t = ctx;

	/* After Ctrl-C the trials left are not run (not finished). */
	if (harness_stop_requested())
		return;
	if (failover_sim_trial(t->trial_opt, raft_rng_derive(t->seed, i),
			       &t->results[i]) < 0)
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
	switch (runtime_run_with(&o, sink, sink, &tap, NULL)) {
	case EXIT_PASS:
	case EXIT_VIOLATION:
		break;
	default: /* it did not run, or a stop cut it short */
		return harness_stop_requested() ? 1 : -1;
	}
	if (harness_stop_requested())
		return 1;
	res->finished = 1;
	res->capped = !w.done || w.crashed == RAFT_NONE;
	res->downtime_ms = res->capped
				   ? (double)(o.ticks - crash_tick) *
					     (double)o.tick_us / 1000.0
				   : (double)(w.done_us - w.crash_us) / 1000.0;
	res->rounds = w.done ? w.new_term - w.old_term : 0;
	res->stale_at_crash = failover_watch_stale(&w, w.at_crash);
	res->stale_at_vote = failover_watch_stale(&w, w.at_vote);
	return 0;
}

static void print_stats(FILE *out, const struct tick_range *r,
			const struct range_stats *st)
{
	fprintf(out,
		"%5" PRIu64 "-%-5" PRIu64 " %7d %9.1f %9.1f %9.1f %9.1f "
		"%9.1f %7.2f %11.2f %10.2f%s\n",
		r->min, r->max, st->trials, st->mean, st->p50, st->p90, st->p99,
		st->max, st->rounds_mean, st->stale_at_crash_mean,
		st->stale_at_vote_mean,
		st->capped ? "  (some trials hit the cap)" : "");
}

/* Moves the finished trials to the front; returns how many there are. */
static int finished_first(struct trial_result *results, int n)
{
	int kept = 0;
	int i;

	for (i = 0; i < n; i++)
		if (results[i].finished)
			results[kept++] = results[i];
	return kept;
}

/* Whether every write to an output file went through: flushed, its error
 * said on err, naming the flag and the file. */
static int output_ok(FILE *f, const char *flag, const char *path, FILE *err)
{
	errno = 0;
	if (fflush(f) == 0 && !ferror(f))
		return 1;
	fprintf(err, "raftsim: %s: writing '%s' failed: %s\n", flag, path,
		errno != 0 ? strerror(errno) : "write error");
	return 0;
}

/* Closes an output file; on failure says so, and the run failed. */
static int close_output(FILE *f, const char *flag, const char *path, FILE *err,
			int rv)
{
	int ok;

	if (f == NULL)
		return rv;
	ok = rv == EXIT_RUN_FAILED || output_ok(f, flag, path, err);
	if (fclose(f) != 0 && ok) {
		fprintf(err, "raftsim: %s: closing '%s' failed: %s\n", flag,
			path, strerror(errno));
		ok = 0;
	}
	return ok ? rv : EXIT_RUN_FAILED;
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

/* The trials of one range, into results: the finished ones first, *done
 * of them (fewer than o->trials after Ctrl-C). Returns EXIT_PASS,
 * EXIT_USAGE (the heartbeat is not shorter than the range) or
 * EXIT_RUN_FAILED (a trial could not be carried out). */
static int run_range(const struct raftsim_options *o, int r,
		     struct trial_result *results, FILE *sink, int *done)
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
	t.results = results;
	if (!o->threads)
		parallel_for((uint64_t)o->trials, o->jobs, run_sim_trial, &t);
	for (i = 0; o->threads && i < o->trials && !t.failed; i++)
		if (!harness_stop_requested() &&
		    failover_thread_trial(&trial_opt,
					  raft_rng_derive(t.seed, (uint64_t)i),
					  sink, &results[i]) < 0)
			t.failed = 1;
	*done = finished_first(results, o->trials);
	return t.failed ? EXIT_RUN_FAILED : EXIT_PASS;
}

/* The settings line, which the HTML page shows too. */
static void print_settings(const struct raftsim_options *o, FILE *out)
{
	if (o->threads)
		fprintf(out,
			"failover: %d nodes, %d trials per range, threads "
			"(real time, real latency), 1 ms ticks",
			o->nodes, o->trials);
	else
		fprintf(out,
			"failover: %d nodes, %d trials per range, "
			"simulator, latency %.1f-%.1f ms, disk %.1f ms%s",
			o->nodes, o->trials, (double)o->latency_us.min / 1000,
			(double)o->latency_us.max / 1000,
			(double)o->disk_us / 1000,
			o->disk_parallel ? " (parallel)" : "");
	fprintf(out, ", heartbeat %s", o->heartbeat_ms ? "as given" : "min/2");
	if (o->load_max)
		fprintf(out, ", load max");
	else if (o->load_rate > 0)
		fprintf(out, ", load %" PRIu64 "/s", o->load_rate);
	if (options_have_load(o))
		fprintf(out, " of %u B", o->payload);
	fprintf(out, "%s%s%s, seed %" PRIu64 "\n",
		o->prevote ? ", prevote" : "",
		o->check_quorum ? ", check-quorum" : "",
		o->ranked_timeouts ? ", ranked timeouts" : "", o->seed);
}

/* The settings as a string for the page ("" when out of memory); free it. */
static char *settings_text(const struct raftsim_options *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem == NULL)
		return NULL;
	print_settings(o, mem);
	if (fclose(mem) != 0) {
		free(text);
		return NULL;
	}
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

static void print_header(const struct raftsim_options *o, FILE *out)
{
	print_settings(o, out);
	/* stale@: survivors behind the most up-to-date one, at the crash and
	 * as the first election began (failover.h). */
	fprintf(out, "range (ms)   trials  mean(ms)   p50(ms)   p90(ms)   "
		     "p99(ms)   max(ms)  rounds stale@crash stale@vote\n");
}

/* Every range in turn, its line printed and its CSV rows written as soon
 * as it is done; after Ctrl-C, the trials that finished. Returns the exit
 * code so far; *ranges_run: the ranges begun. */
static int run_ranges(const struct raftsim_options *o,
		      struct trial_result **results, int *counts,
		      struct range_stats *stats, FILE *csv, FILE *sink,
		      int *ranges_run, FILE *out, FILE *err)
{
	const struct tick_range *range = o->election_ms;
	int rv = EXIT_PASS;
	int r;

	for (r = 0; r < o->election_ms_count && !harness_stop_requested();
	     r++) {
		*ranges_run = r + 1;
		results[r] = calloc((size_t)o->trials, sizeof(*results[r]));
		if (results[r] == NULL) {
			fprintf(err, "raftsim: failover: out of memory\n");
			return EXIT_RUN_FAILED;
		}
		rv = run_range(o, r, results[r], sink, &counts[r]);
		if (rv == EXIT_USAGE) {
			fprintf(err,
				"raftsim: --heartbeat-ms: the heartbeat must "
				"be shorter than %" PRIu64 " ms, the "
				"minimum of --election-ms %" PRIu64 "-%" PRIu64
				"\n",
				range[r].min, range[r].min, range[r].max);
			return rv;
		}
		if (rv != EXIT_PASS) {
			fprintf(err,
				"raftsim: failover: a trial could not be "
				"carried out (out of memory, or threads)\n");
			return rv;
		}
		if (counts[r] == 0)
			continue;
		if (csv != NULL &&
		    (failover_write_csv(csv, &range[r], results[r],
					counts[r]) != 0 ||
		     !output_ok(csv, "--csv", o->csv_path, err)))
			return EXIT_RUN_FAILED;
		failover_stats(results[r], counts[r], &stats[r]);
		print_stats(out, &range[r], &stats[r]);
	}
	return rv;
}

/* The files the flags ask for: NULL when not asked for. */
struct outputs {
	FILE *csv, *svg, *html;
};

static int open_outputs(const struct raftsim_options *o, struct outputs *f,
			FILE *err)
{
	return (o->csv_path == NULL ||
		(f->csv = open_output("--csv", o->csv_path, err)) != NULL) &&
	       (o->svg_path == NULL ||
		(f->svg = open_output("--svg", o->svg_path, err)) != NULL) &&
	       (o->html_path == NULL ||
		(f->html = open_output("--html", o->html_path, err)) != NULL);
}

static int close_outputs(const struct raftsim_options *o, struct outputs *f,
			 FILE *err, int rv)
{
	rv = close_output(f->csv, "--csv", o->csv_path, err, rv);
	rv = close_output(f->svg, "--svg", o->svg_path, err, rv);
	return close_output(f->html, "--html", o->html_path, err, rv);
}

/* The SVG and the page, from the trials sorted by failover_stats; note:
 * the interruption, or NULL. Returns EXIT_PASS or EXIT_RUN_FAILED. */
static int write_charts(const struct raftsim_options *o, struct outputs *f,
			struct trial_result *const *results,
			const struct range_stats *stats, const int *counts,
			int ranges_run, const char *note, FILE *err)
{
	char *settings;
	int ok;

	if (f->svg != NULL &&
	    (failover_write_svg(f->svg, o->election_ms, results, counts,
				ranges_run) != 0 ||
	     !output_ok(f->svg, "--svg", o->svg_path, err)))
		return EXIT_RUN_FAILED;
	if (f->html == NULL)
		return EXIT_PASS;
	settings = settings_text(o);
	if (settings == NULL) {
		fprintf(err, "raftsim: failover: out of memory\n");
		return EXIT_RUN_FAILED;
	}
	ok = failover_write_html(f->html, o, settings, note, results, stats,
				 counts, ranges_run) == 0;
	/* Flushed and named whether or not a write already failed. */
	ok = output_ok(f->html, "--html", o->html_path, err) && ok;
	free(settings);
	return ok ? EXIT_PASS : EXIT_RUN_FAILED;
}

int failover_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct trial_result *results[OPT_MAX_RANGES] = {NULL};
	struct range_stats stats[OPT_MAX_RANGES] = {{0}};
	int counts[OPT_MAX_RANGES] = {0};
	struct outputs files = {NULL, NULL, NULL};
	FILE *sink = NULL;
	char note[128];
	int ranges_run = 0;
	int planned = o->election_ms_count * o->trials;
	int finished = 0;
	int rv = EXIT_USAGE;
	int r;

	note[0] = '\0';
	if (!open_outputs(o, &files, err))
		goto out;
	rv = EXIT_RUN_FAILED;
	sink = fopen("/dev/null", "w");
	if (sink == NULL) {
		fprintf(err, "raftsim: failover: cannot open /dev/null: %s\n",
			strerror(errno));
		goto out;
	}
	if (files.csv != NULL)
		fprintf(files.csv, "range,trial,downtime_ms,rounds,"
				   "stale_at_crash,stale_at_vote\n");
	print_header(o, out);
	rv = run_ranges(o, results, counts, stats, files.csv, sink, &ranges_run,
			out, err);
	if (rv != EXIT_PASS)
		goto out;
	for (r = 0; r < ranges_run; r++)
		finished += counts[r];
	if (finished < planned) {
		snprintf(note, sizeof(note),
			 "interrupted: %d of %d trials not run",
			 planned - finished, planned);
		fprintf(out,
			"failover: %s (the lines above are of the trials "
			"that finished)\n",
			note);
	}
	if (!o->quiet)
		for (r = 0; r < ranges_run; r++) {
			if (counts[r] == 0)
				continue;
			fprintf(out,
				"\nCDF of downtime, %" PRIu64 "-%" PRIu64
				" ms:\n",
				o->election_ms[r].min, o->election_ms[r].max);
			failover_print_cdf(out, results[r], counts[r]);
		}
	rv = write_charts(o, &files, results, stats, counts, ranges_run,
			  note[0] != '\0' ? note : NULL, err);
out:
	for (r = 0; r < OPT_MAX_RANGES; r++)
		free(results[r]);
	rv = close_outputs(o, &files, err, rv);
	if (sink != NULL)
		fclose(sink);
	return harness_stop_exit_code(rv);
}

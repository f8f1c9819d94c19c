/* explore.c - see explore.h. Runs are spread over --jobs threads; each run
 * is a single-threaded simulation, so they share nothing but the results,
 * under one mutex. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explore.h"
#include "explore_internal.h"
#include "harness/harness_stop.h"
#include "parallel.h"
#include "sim/sim.h"

struct explore {
	const struct raftsim_options *base;
	FILE *out; /* the report: stdout, or stderr when it has the summary */
	FILE *err;
	int tty;
	uint64_t planned;     /* the runs of this exploration (or shard) */
	pthread_mutex_t lock; /* guards everything below */
	struct explore_tally tally;
	struct explore_summary *summary; /* NULL: none written */
};

static uint64_t pick(struct raft_rng *rng, uint64_t lo, uint64_t hi)
{
	return raft_rng_range(rng, lo, hi);
}

/* Left at their defaults, a short run would never write a snapshot (one
 * every 10000 entries) nor roll a segment (64 MiB): in three runs of four
 * it snapshots every 10 to 500 entries, and in half of them segments roll
 * at 4 to 64 KiB, so that snapshot and base-segment writes, their
 * failures and torn rolls are explored too. */
static void plan_disk_files(const struct raftsim_options *base,
			    struct raft_rng *rng, struct raftsim_options *run)
{
	struct raftsim_options defaults;
	uint64_t snapshot = pick(rng, 0, 3), every = pick(rng, 10, 500);
	uint64_t roll = pick(rng, 0, 1), bytes = pick(rng, 4096, 65536);

	options_default(&defaults);
	if (base->snapshot_entries == defaults.snapshot_entries && snapshot > 0)
		run->snapshot_entries = every;
	if (base->wal_segment_bytes == defaults.wal_segment_bytes && roll)
		run->wal_segment_bytes = bytes;
}

/* With --disk (or a disk fault, or a storage mistake) every run has a
 * simulated disk: the faults given, or, when none is, random ones (each
 * kind in about half the runs), and in a third of the runs the
 * whole-cluster crash. Drawn after the rest, so a run's other faults are
 * those it would have without the disk. */
static void plan_disk(const struct raftsim_options *base, struct raft_rng *rng,
		      uint64_t window, struct raftsim_options *run)
{
	bool given = base->disk_torn > 0 || base->disk_corrupt > 0 ||
		     base->disk_fsync_fail > 0;
	uint64_t torn = pick(rng, 0, 100);
	uint64_t corrupt = pick(rng, 0, 100);
	uint64_t fsync = pick(rng, 0, 100);

	if (!given) {
		run->disk_torn = torn >= 50 ? (double)(torn - 50) / 50.0 : 0;
		run->disk_corrupt = corrupt >= 50
					    ? (double)(corrupt - 50) / 1000.0
					    : 0;
		run->disk_fsync_fail = fsync >= 50
					       ? (double)(fsync - 50) / 10000.0
					       : 0;
	}
	if (pick(rng, 0, 2) == 0 && run->crash_count < OPT_MAX_SCHEDULED)
		run->crashes[run->crash_count++] = (struct fault_window){
			WHO_ALL, pick(rng, 1, window),
			pick(rng, 1, 2 * base->election.max)};
	plan_disk_files(base, rng, run);
}

void explore_plan_run(const struct raftsim_options *base, uint64_t index,
		      struct raftsim_options *run)
{
	struct raft_rng rng;
	uint64_t window = base->ticks * 6 / 10 + 1; /* faults start here */
	int count, i, j, flip;

	*run = *base;
	run->command = CMD_RUN;
	run->sim = true;
	run->quiet = true;
	run->trace_path = NULL;
	run->seed = raft_rng_derive(base->seed, index);
	raft_rng_seed(&rng, raft_rng_derive(run->seed, 0xe4b1));
	run->pause_count = run->crash_count = run->partition_count = 0;
	run->pause_prob = run->crash_prob = run->partition_prob = 0;
	/* Half the runs lose, double or delay messages throughout; the other
	 * half end quiet, so that liveness is checked too. */
	run->drop = run->dup = run->reorder = 0;
	if (pick(&rng, 0, 1)) {
		run->drop = (double)pick(&rng, 0, 30) / 100.0;
		run->dup = (double)pick(&rng, 0, 10) / 100.0;
		run->reorder = (double)pick(&rng, 0, 20) / 100.0;
	}
	count = (int)pick(&rng, 0, 6);
	for (i = 0; i < count; i++) {
		uint64_t tick = pick(&rng, 1, window);
		uint64_t len = pick(&rng, 1, 4 * base->election.max);
		int who = (int)pick(&rng, 0, (uint64_t)base->nodes);

		if (who == base->nodes)
			who = WHO_LEADER;
		switch (pick(&rng, 0, 2)) {
		case 0:
			run->pauses[run->pause_count++] = (struct fault_window){
				who, tick, len};
			break;
		case 1:
			run->crashes[run->crash_count++] =
				(struct fault_window){who, tick, len};
			break;
		default: {
			struct partition_window *p =
				&run->partitions[run->partition_count++];

			p->tick = tick;
			p->len = len;
			p->max_node = base->nodes - 1;
			memset(p->group_of, 0, sizeof(p->group_of));
			for (j = 0; j < base->nodes; j++)
				p->group_of[j] = (uint8_t)pick(&rng, 0, 1);
			/* Two sides, or it would be no partition at all:
			 * when the draw put every node on one side, the
			 * node drawn moves to the other. */
			flip = base->nodes > 1
				       ? (int)pick(&rng, 0,
						   (uint64_t)base->nodes - 1)
				       : 0;
			for (j = 1; j < base->nodes; j++)
				if (p->group_of[j] != p->group_of[0])
					break;
			if (base->nodes > 1 && j == base->nodes)
				p->group_of[flip] ^= 1;
			break;
		}
		}
	}
	if (base->sim_disk)
		plan_disk(base, &rng, window, run);
}

static void count_faults(void *ctx, const struct wev *ev)
{
	uint64_t *faults = ctx;

	if (ev->type == WEV_PAUSE || ev->type == WEV_CRASH ||
	    ev->type == WEV_PARTITION)
		(*faults)++;
}

/* The replay command of a failed run, allocated to its length; NULL when
 * out of memory. */
static char *format_command(const struct raftsim_options *run)
{
	char *buf = malloc(OPTIONS_COMMAND_MAX);
	char *fit;

	if (buf == NULL)
		return NULL;
	if (options_format_command(run, buf, OPTIONS_COMMAND_MAX) != 0)
		snprintf(buf, OPTIONS_COMMAND_MAX,
			 "(command too long to print)");
	fit = realloc(buf, strlen(buf) + 1);
	return fit != NULL ? fit : buf;
}

/* One run. */
static enum run_result explore_one(struct explore *x, uint64_t index,
				   struct failure *failure, uint64_t *elections,
				   uint64_t *faults)
{
	struct raftsim_options run;
	struct run_info info;
	struct monitor mon;
	const struct checker_violation *reports;
	struct harness_tap tap = {count_faults, faults};
	struct sim *sim;
	enum run_result rv = RUN_NOT_CARRIED_OUT;

	explore_plan_run(x->base, index, &run);
	monitor_run_info(&info, &run, "sim");
	if (monitor_init(&mon, &info, NULL, NULL) != 0)
		goto err;
	sim = sim_new(&run, &mon);
	if (sim == NULL)
		goto err;
	sim_set_tap(sim, &tap);
	sim_run_all(sim);
	if (sim_interrupted(sim) || sim_failure(sim) != SIM_OK) {
		rv = sim_interrupted(sim) ? RUN_INTERRUPTED
					  : RUN_NOT_CARRIED_OUT;
		goto err_sim;
	}
	monitor_end(&mon, sim_now(sim), sim_tick(sim));
	*elections = mon.elections;
	rv = RUN_PASSED;
	if (checker_violation_count(mon.checker) > 0) {
		rv = RUN_FAILED;
		checker_reports(mon.checker, &reports);
		failure->index = index;
		snprintf(failure->what, sizeof(failure->what), "%s",
			 reports[0].what);
		failure->command = format_command(&run);
	} else if (checker_clients_undecided(mon.checker)) {
		/* Not looked at is not passed (a verdict is a promise). */
		rv = RUN_UNDECIDED;
		failure->index = index;
		snprintf(failure->what, sizeof(failure->what),
			 "the client history was not decided");
		failure->command = format_command(&run);
	}
err_sim:
	sim_free(sim);
err:
	monitor_free(&mon);
	return rv;
}

static void record(struct explore *x, enum run_result result, uint64_t index,
		   const struct failure *f, uint64_t elections, uint64_t faults)
{
	struct explore_tally *t = &x->tally;

	pthread_mutex_lock(&x->lock);
	if (result == RUN_INTERRUPTED) {
		t->not_run++;
		pthread_mutex_unlock(&x->lock);
		return;
	}
	if (x->summary != NULL)
		explore_summary_run(x->summary, result, index, f);
	t->done++;
	t->elections += elections;
	t->faults += faults;
	t->ticks += x->base->ticks;
	if (result == RUN_NOT_CARRIED_OUT)
		t->out_of_memory = 1;
	if (result == RUN_FAILED) {
		t->failed++;
		free(explore_keep_failure(t, f));
	}
	if (result == RUN_UNDECIDED)
		explore_keep_undecided(t, f);
	if (x->tty && (t->done % 64 == 0 || t->done == x->planned))
		fprintf(x->out,
			"\rexplore: %" PRIu64 "/%" PRIu64 " runs, %" PRIu64
			" failed",
			t->done, x->planned, t->failed);
	pthread_mutex_unlock(&x->lock);
}

/* The i-th run of this exploration: with --shard K/N, run K + i N of the
 * whole, planned exactly as the whole plans it. */
static void run_one(void *ctx, uint64_t i)
{
	struct explore *x = ctx;
	struct failure f = {.command = NULL};
	uint64_t index = i;
	uint64_t elections = 0;
	uint64_t faults = 0;
	enum run_result result = RUN_INTERRUPTED;

	if (x->base->shard_count > 0)
		index = x->base->shard_index + i * x->base->shard_count;
	/* After Ctrl-C the runs left are skipped, and counted. */
	if (!harness_stop_requested())
		result = explore_one(x, index, &f, &elections, &faults);
	record(x, result, index, &f, elections, faults);
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The runs, the report and (with_summary) the summary of one exploration
 * or shard; a summary without --summary goes to out. */
static int explore_runs(struct explore *x, const struct raftsim_options *o,
			int with_summary, FILE *out)
{
	struct explore_summary summary;
	double t0, wall;
	int code, rv;

	if (with_summary) {
		rv = explore_summary_open(&summary, o, out, x->err);
		if (rv != 0)
			return rv;
		x->summary = &summary;
	}
	explore_print_header(x->out, o);
	if (o->shard_count > 0)
		fprintf(x->out,
			"explore: shard %" PRIu64 "/%" PRIu64 ": the %" PRIu64
			" runs numbered %" PRIu64 " modulo %" PRIu64 "\n",
			o->shard_index, o->shard_count, x->planned,
			o->shard_index, o->shard_count);
	t0 = wall_seconds();
	parallel_for(x->planned, o->jobs, run_one, x);
	wall = wall_seconds() - t0;
	if (x->tty)
		fputc('\n', x->out);
	explore_print_report(x->out, &x->tally, o, x->planned);
	/* What depends on the machine goes to stderr, so that the same
	 * flags print the same stdout, whatever --jobs. */
	fprintf(x->err, "explore: %d jobs, %.2f s wall (%.0f runs/min)\n",
		o->jobs, wall,
		wall > 0 ? (double)x->tally.done * 60.0 / wall : 0.0);
	code = explore_exit_code(&x->tally, x->err);
	if (x->summary != NULL &&
	    explore_summary_close(x->summary, o, &x->tally, wall, x->err) != 0)
		code = EXIT_RUN_FAILED;
	return harness_stop_exit_code(code);
}

int explore_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct explore *x;
	int code;

	if (o->merge)
		return explore_merge_main(o, out, err);
	x = calloc(1, sizeof(*x));
	if (x == NULL || pthread_mutex_init(&x->lock, NULL) != 0) {
		fprintf(err, "raftsim: explore: out of memory\n");
		free(x);
		return EXIT_RUN_FAILED;
	}
	x->base = o;
	x->err = err;
	x->planned = explore_shard_runs(o);
	/* A shard without --summary writes its summary on stdout, and
	 * the report for people on stderr. */
	x->out = o->shard_count > 0 && o->summary_path == NULL ? err : out;
	x->tty = isatty(fileno(x->out));
	code = explore_runs(x, o, o->shard_count > 0 || o->summary_path != NULL,
			    out);
	pthread_mutex_destroy(&x->lock);
	explore_tally_free(&x->tally);
	free(x);
	return code;
}

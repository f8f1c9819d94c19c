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
#include "harness/harness_stop.h"
#include "parallel.h"
#include "sim/sim.h"

#define MAX_FAILURES_KEPT 20

struct failure {
	uint64_t index;
	char what[200];
	char *command; /* allocated: the longest is OPTIONS_COMMAND_MAX */
};

struct explore {
	const struct raftsim_options *base;
	FILE *out;
	FILE *err;
	int tty;
	pthread_mutex_t lock; /* guards everything below */
	uint64_t done;
	uint64_t failed;
	uint64_t elections;
	uint64_t faults;
	uint64_t ticks;
	struct failure failures[MAX_FAILURES_KEPT];
	int failures_kept;
	int out_of_memory;
	/* Runs whose client history lincheck could not decide: neither
	 * passed nor failed. The lowest index's replay is kept. */
	uint64_t undecided;
	struct failure undecided_first;
	uint64_t not_run; /* skipped or cut short by SIGINT, SIGTERM */
};

/* What became of one run. */
enum run_result {
	RUN_PASSED,
	RUN_FAILED,          /* a violation */
	RUN_UNDECIDED,       /* no violation, but the history was not decided */
	RUN_NOT_CARRIED_OUT, /* out of memory, or too many messages */
	RUN_INTERRUPTED,     /* not run to its end: not counted */
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

/* Keeps the failures of the lowest run indexes, sorted, whatever order the
 * workers finish in: the report must not depend on --jobs. Returns the
 * replay command no longer kept (f's, or the one it displaced), for the
 * caller to free. Lock held. */
static char *keep_failure(struct explore *x, const struct failure *f)
{
	int i = x->failures_kept;
	char *dropped = NULL;

	if (i == MAX_FAILURES_KEPT) {
		if (x->failures[i - 1].index < f->index)
			return f->command; /* twenty lower ones are kept */
		i--;                       /* the highest kept makes room */
		dropped = x->failures[i].command;
	} else {
		x->failures_kept++;
	}
	while (i > 0 && x->failures[i - 1].index > f->index) {
		x->failures[i] = x->failures[i - 1];
		i--;
	}
	x->failures[i] = *f;
	return dropped;
}

static void record(struct explore *x, enum run_result result,
		   const struct failure *f, uint64_t elections, uint64_t faults)
{
	pthread_mutex_lock(&x->lock);
	if (result == RUN_INTERRUPTED) {
		x->not_run++;
		pthread_mutex_unlock(&x->lock);
		return;
	}
	x->done++;
	x->elections += elections;
	x->faults += faults;
	x->ticks += x->base->ticks;
	if (result == RUN_NOT_CARRIED_OUT)
		x->out_of_memory = 1;
	if (result == RUN_FAILED) {
		x->failed++;
		free(keep_failure(x, f));
	}
	if (result == RUN_UNDECIDED) {
		struct failure *u = &x->undecided_first;

		if (x->undecided++ == 0 || f->index < u->index) {
			free(u->command);
			*u = *f;
		} else {
			free(f->command);
		}
	}
	if (x->tty && (x->done % 64 == 0 || x->done == x->base->runs))
		fprintf(x->out,
			"\rexplore: %" PRIu64 "/%" PRIu64 " runs, %" PRIu64
			" failed",
			x->done, x->base->runs, x->failed);
	pthread_mutex_unlock(&x->lock);
}

static void run_one(void *ctx, uint64_t index)
{
	struct explore *x = ctx;
	struct failure f = {.command = NULL};
	uint64_t elections = 0;
	uint64_t faults = 0;
	enum run_result result = RUN_INTERRUPTED;

	/* After Ctrl-C the runs left are skipped, and counted. */
	if (!harness_stop_requested())
		result = explore_one(x, index, &f, &elections, &faults);
	record(x, result, &f, elections, faults);
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints the failures kept and the totals. */
static void report(const struct explore *x, const struct raftsim_options *o,
		   double wall)
{
	double virtual_s = (double)x->ticks * (double)o->tick_us / 1e6;
	/* Hours for long explorations, minutes for short ones. */
	const char *virtual_unit = virtual_s >= 3600 ? "hours" : "minutes";
	FILE *out = x->out;
	int i;

	virtual_s /= virtual_s >= 3600 ? 3600.0 : 60.0;
	for (i = 0; i < x->failures_kept; i++)
		fprintf(out, "FAIL run %" PRIu64 ": %s\n  replay: %s\n",
			x->failures[i].index, x->failures[i].what,
			x->failures[i].command != NULL ? x->failures[i].command
						       : "(out of memory)");
	if (x->failed > (uint64_t)x->failures_kept)
		fprintf(out, "(%" PRIu64 " more failures not shown)\n",
			x->failed - (uint64_t)x->failures_kept);
	fprintf(out,
		"explore: %" PRIu64 " runs, %.1f virtual %s, %" PRIu64
		" elections, %" PRIu64 " faults, %" PRIu64
		" runs with violations\n",
		x->done, virtual_s, virtual_unit, x->elections, x->faults,
		x->failed);
	/* What depends on the machine goes to stderr, so that the same
	 * flags print the same stdout, whatever --jobs. */
	fprintf(x->err, "explore: %d jobs, %.2f s wall (%.0f runs/min)\n",
		o->jobs, wall, wall > 0 ? (double)x->done * 60.0 / wall : 0.0);
	if (x->undecided > 0)
		fprintf(out,
			"explore: %" PRIu64 " runs could not be judged: "
			"their client history was not decided within "
			"lincheck's time and memory; the first, run %" PRIu64
			"\n  replay: %s\n",
			x->undecided, x->undecided_first.index,
			x->undecided_first.command != NULL
				? x->undecided_first.command
				: "(out of memory)");
	if (x->not_run > 0)
		fprintf(out,
			"explore: interrupted: %" PRIu64 " of %" PRIu64
			" runs not run (the totals above are of the runs "
			"that finished)\n",
			x->not_run, o->runs);
}

int explore_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	struct explore *x;
	double t0, wall;
	int code;
	int i;

	x = calloc(1, sizeof(*x));
	if (x == NULL || pthread_mutex_init(&x->lock, NULL) != 0) {
		fprintf(err, "raftsim: explore: out of memory\n");
		free(x);
		return EXIT_RUN_FAILED;
	}
	x->base = o;
	x->out = out;
	x->err = err;
	x->tty = isatty(fileno(out));
	fprintf(out,
		"explore: %" PRIu64 " runs of %d nodes x %" PRIu64
		" ticks, base seed %" PRIu64 "\n",
		o->runs, o->nodes, o->ticks, o->seed);
	t0 = wall_seconds();
	parallel_for(o->runs, o->jobs, run_one, x);
	wall = wall_seconds() - t0;
	pthread_mutex_destroy(&x->lock);
	if (x->tty)
		fputc('\n', out);
	report(x, o, wall);
	code = x->failed > 0      ? EXIT_VIOLATION
	       : x->undecided > 0 ? EXIT_RUN_FAILED
				  : EXIT_PASS;
	if (x->out_of_memory) {
		fprintf(err, "raftsim: explore: some runs could not be carried "
			     "out (out of memory, or too many messages in "
			     "flight)\n");
		code = EXIT_RUN_FAILED;
	}
	for (i = 0; i < x->failures_kept; i++)
		free(x->failures[i].command);
	free(x->undecided_first.command);
	free(x);
	return harness_stop_exit_code(code);
}

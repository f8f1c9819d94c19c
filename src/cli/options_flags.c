/* options_flags.c - every long flag: its name, its id, and what it sets.
 *
 * Each value is checked character by character before it is converted, and
 * the bounds here keep later products and sums in range.
 */
#include <stdio.h>
#include <string.h>

#include "options_internal.h"
#include "parse.h"

enum {
	OPT_NODES = 256, OPT_TICKS, OPT_TICK_MS, OPT_HEARTBEAT, OPT_ELECTION,
	OPT_SEED, OPT_TRACE, OPT_PAUSE, OPT_PAUSE_PROB, OPT_PAUSE_TICKS,
	OPT_DROP, OPT_DUP, OPT_REORDER, OPT_PARTITION, OPT_PARTITION_PROB,
	OPT_PARTITION_TICKS, OPT_CRASH, OPT_CRASH_PROB, OPT_CRASH_TICKS,
	OPT_LATENCY, OPT_SIM, OPT_QUIET, OPT_HELP, OPT_VERSION, OPT_MAILBOX,
	OPT_PREVOTE, OPT_CHECK_QUORUM, OPT_RANKED, OPT_MISTAKE, OPT_RUNS,
	OPT_JOBS, OPT_TRIALS, OPT_ELECTION_MS, OPT_HEARTBEAT_MS, OPT_DISK_MS,
	OPT_CSV, OPT_SVG, OPT_THREADS, OPT_STALE, OPT_DISK_PARALLEL,
	OPT_FIRST_RANKED,
};

const struct option long_options[] = {
	{"nodes", required_argument, NULL, OPT_NODES},
	{"ticks", required_argument, NULL, OPT_TICKS},
	{"tick-ms", required_argument, NULL, OPT_TICK_MS},
	{"heartbeat-ticks", required_argument, NULL, OPT_HEARTBEAT},
	{"election-ticks", required_argument, NULL, OPT_ELECTION},
	{"seed", required_argument, NULL, OPT_SEED},
	{"trace", required_argument, NULL, OPT_TRACE},
	{"pause", required_argument, NULL, OPT_PAUSE},
	{"pause-prob", required_argument, NULL, OPT_PAUSE_PROB},
	{"pause-ticks", required_argument, NULL, OPT_PAUSE_TICKS},
	{"drop", required_argument, NULL, OPT_DROP},
	{"dup", required_argument, NULL, OPT_DUP},
	{"reorder", required_argument, NULL, OPT_REORDER},
	{"partition", required_argument, NULL, OPT_PARTITION},
	{"partition-prob", required_argument, NULL, OPT_PARTITION_PROB},
	{"partition-ticks", required_argument, NULL, OPT_PARTITION_TICKS},
	{"crash", required_argument, NULL, OPT_CRASH},
	{"crash-prob", required_argument, NULL, OPT_CRASH_PROB},
	{"crash-ticks", required_argument, NULL, OPT_CRASH_TICKS},
	{"latency-ms", required_argument, NULL, OPT_LATENCY},
	{"sim", no_argument, NULL, OPT_SIM},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{"mailbox", required_argument, NULL, OPT_MAILBOX},
	{"prevote", no_argument, NULL, OPT_PREVOTE},
	{"check-quorum", no_argument, NULL, OPT_CHECK_QUORUM},
	{"ranked-timeouts", no_argument, NULL, OPT_RANKED},
	{"mistake", required_argument, NULL, OPT_MISTAKE},
	{"runs", required_argument, NULL, OPT_RUNS},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"trials", required_argument, NULL, OPT_TRIALS},
	{"election-ms", required_argument, NULL, OPT_ELECTION_MS},
	{"heartbeat-ms", required_argument, NULL, OPT_HEARTBEAT_MS},
	{"disk-ms", required_argument, NULL, OPT_DISK_MS},
	{"csv", required_argument, NULL, OPT_CSV},
	{"svg", required_argument, NULL, OPT_SVG},
	{"threads", no_argument, NULL, OPT_THREADS},
	{"stale", required_argument, NULL, OPT_STALE},
	{"first-ranked", required_argument, NULL, OPT_FIRST_RANKED},
	{"disk-parallel", no_argument, NULL, OPT_DISK_PARALLEL},
	{NULL, 0, NULL, 0},
};

static const struct {
	const char *name;
	enum raft_mistake bit;
} mistakes[] = {
	{"long-heartbeat", RAFT_MISTAKE_LONG_HEARTBEAT},
	{"no-reset", RAFT_MISTAKE_NO_RESET},
	{"fixed-timeout", RAFT_MISTAKE_FIXED_TIMEOUT},
	{"no-stepdown", RAFT_MISTAKE_NO_STEPDOWN},
	{"double-vote", RAFT_MISTAKE_DOUBLE_VOTE},
};

const char *options_mistake_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++)
		if ((unsigned)mistakes[i].bit == bit)
			return mistakes[i].name;
	return "?";
}

static int parse_mistake(const char *s, unsigned *bits)
{
	size_t i;

	for (i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
		if (strcmp(s, mistakes[i].name) == 0) {
			*bits |= (unsigned)mistakes[i].bit;
			return 0;
		}
	}
	return -1;
}

static const char *flag_name(int id)
{
	const struct option *opt;

	for (opt = long_options; opt->name != NULL; opt++)
		if (opt->val == id)
			return opt->name;
	return "?";
}

/* Bounds that keep every product and sum in range (ticks * tick_us etc.). */
#define MAX_TICKS 100000000ULL
#define MAX_TICK_MS 60000ULL
#define MAX_ELECTION 1000000ULL

static int small_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	return parse_u64(s, out) == 0 && *out >= lo && *out <= hi ? 0 : -1;
}

static int small_range(const char *s, uint64_t lo, uint64_t hi,
		       struct tick_range *r)
{
	return parse_u64_range(s, &r->min, &r->max) == 0 && r->min >= lo &&
			       r->max <= hi
		       ? 0
		       : -1;
}

/* One flag. Returns 0 or EXIT_USAGE (after printing why). */
int apply_flag(struct raftsim_options *o, int id, const char *arg,
	       bool *heartbeat_given, FILE *err)
{
	uint64_t v;

	switch (id) {
	case OPT_NODES:
		if (small_u64(arg, 1, OPT_MAX_NODES, &v) != 0)
			return usage_error(err, "--nodes: '%s' is not a node "
					   "count from 1 to %d", arg,
					   OPT_MAX_NODES);
		o->nodes = (int)v;
		return 0;
	case OPT_TICKS:
		if (small_u64(arg, 1, MAX_TICKS, &o->ticks) != 0)
			return usage_error(err, "--ticks: '%s' is not a tick "
					   "count from 1 to %llu", arg,
					   MAX_TICKS);
		return 0;
	case OPT_TICK_MS:
		if (small_u64(arg, 1, MAX_TICK_MS, &v) != 0)
			return usage_error(err, "--tick-ms: '%s' is not a "
					   "duration from 1 to %llu ms", arg,
					   MAX_TICK_MS);
		o->tick_us = v * 1000;
		return 0;
	case OPT_HEARTBEAT:
		if (small_u64(arg, 1, MAX_ELECTION, &v) != 0)
			return usage_error(err, "--heartbeat-ticks: '%s' is not "
					   "a tick count of at least 1", arg);
		o->heartbeat_ticks = (unsigned)v;
		*heartbeat_given = true;
		return 0;
	case OPT_ELECTION:
		if (small_range(arg, 1, MAX_ELECTION, &o->election) != 0)
			return usage_error(err, "--election-ticks: '%s' is not "
					   "a range MIN-MAX of ticks with "
					   "1 <= MIN <= MAX", arg);
		return 0;
	case OPT_SEED:
		if (parse_u64(arg, &o->seed) != 0)
			return usage_error(err, "--seed: '%s' is not an "
					   "unsigned 64-bit number", arg);
		o->seed_given = true;
		return 0;
	case OPT_TRACE:
		o->trace_path = arg;
		return 0;
	case OPT_PAUSE:
	case OPT_CRASH: {
		struct fault_window *list = id == OPT_PAUSE ? o->pauses
							    : o->crashes;
		int *count = id == OPT_PAUSE ? &o->pause_count
					     : &o->crash_count;
		const char *flag = id == OPT_PAUSE ? "--pause" : "--crash";

		if (*count >= OPT_MAX_SCHEDULED)
			return usage_error(err, "%s: at most %d of them", flag,
					   OPT_MAX_SCHEDULED);
		if (parse_window(arg, &list[*count]) != 0 ||
		    list[*count].tick > MAX_TICKS ||
		    list[*count].len > MAX_TICKS)
			return usage_error(err, "%s: '%s' is not WHO@TICK:LEN "
					   "(WHO a node id or 'leader', "
					   "TICK and LEN >= 1)", flag, arg);
		(*count)++;
		return 0;
	}
	case OPT_PARTITION:
		if (o->partition_count >= OPT_MAX_SCHEDULED)
			return usage_error(err, "--partition: at most %d of "
					   "them", OPT_MAX_SCHEDULED);
		if (parse_partition(arg, &o->partitions[o->partition_count]) !=
			    0 ||
		    o->partitions[o->partition_count].tick > MAX_TICKS ||
		    o->partitions[o->partition_count].len > MAX_TICKS)
			return usage_error(err, "--partition: '%s' is not "
					   "TICK:LEN:GROUPS such as "
					   "10:30:0,1|2,3,4 (TICK and LEN >= 1, "
					   "each node once)",
					   arg);
		o->partition_count++;
		return 0;
	case OPT_PAUSE_PROB:
	case OPT_CRASH_PROB:
	case OPT_PARTITION_PROB:
	case OPT_DROP:
	case OPT_DUP:
	case OPT_REORDER: {
		double *p = id == OPT_PAUSE_PROB       ? &o->pause_prob
			    : id == OPT_CRASH_PROB     ? &o->crash_prob
			    : id == OPT_PARTITION_PROB ? &o->partition_prob
			    : id == OPT_DROP           ? &o->drop
			    : id == OPT_DUP            ? &o->dup
						       : &o->reorder;
		const char *flag = flag_name(id);

		if (parse_prob(arg, p) != 0)
			return usage_error(err, "--%s: '%s' is not a "
					   "probability from 0 to 1", flag, arg);
		return 0;
	}
	case OPT_PAUSE_TICKS:
	case OPT_CRASH_TICKS:
	case OPT_PARTITION_TICKS: {
		struct tick_range *r = id == OPT_PAUSE_TICKS   ? &o->pause_ticks
				       : id == OPT_CRASH_TICKS ? &o->crash_ticks
							       : &o->partition_ticks;
		const char *flag = flag_name(id);

		if (small_range(arg, 1, MAX_TICKS, r) != 0)
			return usage_error(err, "--%s: '%s' is not a range "
					   "MIN-MAX of ticks with 1 <= MIN <= "
					   "MAX", flag, arg);
		return 0;
	}
	case OPT_LATENCY:
		if (parse_ms_range(arg, &o->latency_us.min,
				   &o->latency_us.max) != 0)
			return usage_error(err, "--latency-ms: '%s' is not a "
					   "range MIN-MAX of milliseconds",
					   arg);
		return 0;
	case OPT_SIM:
		o->sim = true;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_HELP:
		o->help = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	case OPT_MAILBOX:
		if (small_u64(arg, 1, 1u << 20, &v) != 0)
			return usage_error(err, "--mailbox: '%s' is not a "
					   "capacity from 1 to %u", arg,
					   1u << 20);
		o->mailbox = (unsigned)v;
		return 0;
	case OPT_PREVOTE:
		o->prevote = true;
		return 0;
	case OPT_CHECK_QUORUM:
		o->check_quorum = true;
		return 0;
	case OPT_RANKED:
		o->ranked_timeouts = true;
		return 0;
	case OPT_MISTAKE:
		if (parse_mistake(arg, &o->mistakes) != 0)
			return usage_error(err, "--mistake: '%s' is not one of "
					   "long-heartbeat, no-reset, "
					   "fixed-timeout, no-stepdown, "
					   "double-vote", arg);
		return 0;
	case OPT_RUNS:
		if (small_u64(arg, 1, 100000000, &o->runs) != 0)
			return usage_error(err, "--runs: '%s' is not a count "
					   "of at least 1", arg);
		return 0;
	case OPT_JOBS:
		if (small_u64(arg, 1, 256, &v) != 0)
			return usage_error(err, "--jobs: '%s' is not a count "
					   "from 1 to 256", arg);
		o->jobs = (int)v;
		return 0;
	case OPT_TRIALS:
		if (small_u64(arg, 1, 1000000, &v) != 0)
			return usage_error(err, "--trials: '%s' is not a count "
					   "from 1 to 1000000", arg);
		o->trials = (int)v;
		return 0;
	case OPT_ELECTION_MS:
		if (parse_range_list(arg, o->election_ms, OPT_MAX_RANGES,
				     &o->election_ms_count) != 0)
			return usage_error(err, "--election-ms: '%s' is not a "
					   "list of MIN-MAX ranges such as "
					   "150-150,150-300 (at most %d)", arg,
					   OPT_MAX_RANGES);
		return 0;
	case OPT_HEARTBEAT_MS:
		if (small_u64(arg, 1, 3600000, &v) != 0)
			return usage_error(err, "--heartbeat-ms: '%s' is not a "
					   "duration of at least 1 ms", arg);
		o->heartbeat_ms = (unsigned)v;
		return 0;
	case OPT_DISK_MS: {
		double ms;

		if (parse_decimal(arg, &ms) != 0 || ms > 60000)
			return usage_error(err, "--disk-ms: '%s' is not a "
					   "duration in ms", arg);
		o->disk_us = (unsigned)(ms * 1000.0 + 0.5);
		return 0;
	}
	case OPT_CSV:
		o->csv_path = arg;
		return 0;
	case OPT_SVG:
		o->svg_path = arg;
		return 0;
	case OPT_THREADS:
		o->threads = true;
		return 0;
	case OPT_DISK_PARALLEL:
		o->disk_parallel = true;
		return 0;
	case OPT_FIRST_RANKED:
		if (strcmp(arg, "up") == 0)
			o->first_ranked = FIRST_RANKED_UP;
		else if (strcmp(arg, "down") == 0)
			o->first_ranked = FIRST_RANKED_DOWN;
		else if (strcmp(arg, "cut") == 0)
			o->first_ranked = FIRST_RANKED_CUT;
		else
			return usage_error(err, "--first-ranked: '%s' is not "
					   "up, down or cut", arg);
		return 0;
	case OPT_STALE:
		if (small_u64(arg, 0, OPT_MAX_NODES, &v) != 0)
			return usage_error(err, "--stale: '%s' is not a node "
					   "count", arg);
		o->stale = (int)v;
		return 0;
	}
	return usage_error(err, "internal: unhandled option");
}

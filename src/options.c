/* options.c - parses the command line into struct raftsim_options.
 *
 * Every error names the flag and the value and exits with EXIT_USAGE; no
 * input can crash the parser (values are checked character by character
 * before they are converted, and every list has a bound).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
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
};

static const struct option long_options[] = {
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

void options_default(struct raftsim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->command = CMD_RUN;
	o->nodes = 3;
	o->ticks = 100;
	o->tick_ms = 10;
	o->heartbeat_ticks = 3;
	o->election.min = 10;
	o->election.max = 20;
	o->mailbox = 1024;
	o->pause_ticks.min = 10;
	o->pause_ticks.max = 40;
	o->crash_ticks.min = 10;
	o->crash_ticks.max = 40;
	o->partition_ticks.min = 10;
	o->partition_ticks.max = 50;
	o->latency_us.min = 1000;
	o->latency_us.max = 5000;
	o->runs = 100;
	o->jobs = 2;
	o->trials = 100;
}

static int usage_error(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("raftsim: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputs("\nTry 'raftsim --help' for more information.\n", err);
	return EXIT_USAGE;
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

/* Bounds that keep every product and sum in range (ticks * tick_ms etc.). */
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
static int apply_flag(struct raftsim_options *o, int id, const char *arg,
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
		o->tick_ms = (unsigned)v;
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
					   "LEN >= 1)", flag, arg);
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
					   "10:30:0,1|2,3,4 (each node once)",
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
	case OPT_STALE:
		if (small_u64(arg, 0, OPT_MAX_NODES, &v) != 0)
			return usage_error(err, "--stale: '%s' is not a node "
					   "count", arg);
		o->stale = (int)v;
		return 0;
	}
	return usage_error(err, "internal: unhandled option");
}

static int parse_command(struct raftsim_options *o, const char *word)
{
	if (strcmp(word, "run") == 0)
		o->command = CMD_RUN;
	else if (strcmp(word, "check") == 0)
		o->command = CMD_CHECK;
	else if (strcmp(word, "explore") == 0)
		o->command = CMD_EXPLORE;
	else if (strcmp(word, "failover") == 0) {
		o->command = CMD_FAILOVER;
		o->nodes = 5; /* the paper's cluster */
	}
	else
		return -1;
	return 0;
}

/* Checks what no single flag can: how flags relate to each other. */
static int validate(struct raftsim_options *o, bool heartbeat_given,
		    FILE *err)
{
	int i;

	if (o->mistakes & RAFT_MISTAKE_LONG_HEARTBEAT) {
		if (!heartbeat_given) /* make the mistake, visibly */
			o->heartbeat_ticks = (unsigned)(o->election.max +
							o->election.min);
	} else if (o->heartbeat_ticks >= o->election.min) {
		return usage_error(err, "--heartbeat-ticks: %u is not shorter "
				   "than the minimum election timeout (%llu "
				   "ticks): followers would time out before "
				   "the heartbeat arrives",
				   o->heartbeat_ticks,
				   (unsigned long long)o->election.min);
	}
	for (i = 0; i < o->pause_count; i++)
		if (o->pauses[i].who >= o->nodes)
			return usage_error(err, "--pause: node %d does not "
					   "exist (--nodes %d: ids 0 to %d)",
					   o->pauses[i].who, o->nodes,
					   o->nodes - 1);
	for (i = 0; i < o->crash_count; i++)
		if (o->crashes[i].who >= o->nodes)
			return usage_error(err, "--crash: node %d does not "
					   "exist (--nodes %d: ids 0 to %d)",
					   o->crashes[i].who, o->nodes,
					   o->nodes - 1);
	for (i = 0; i < o->partition_count; i++)
		if (o->partitions[i].max_node >= o->nodes)
			return usage_error(err, "--partition: node %d does not "
					   "exist (--nodes %d: ids 0 to %d)",
					   o->partitions[i].max_node, o->nodes,
					   o->nodes - 1);
	if (o->command == CMD_CHECK && o->check_path == NULL)
		return usage_error(err, "check: which trace file? "
				   "(raftsim check FILE)");
	if (o->command == CMD_FAILOVER && o->stale > o->nodes - 2)
		return usage_error(err, "--stale: %d stale nodes leave no "
				   "candidate besides the crashed leader "
				   "(--nodes %d)", o->stale, o->nodes);
	if (o->command == CMD_FAILOVER && o->election_ms_count == 0) {
		o->election_ms[0].min = 150;
		o->election_ms[0].max = 300;
		o->election_ms_count = 1;
	}
	return 0;
}

int options_parse(struct raftsim_options *o, int argc, char **argv,
		  FILE *err)
{
	bool heartbeat_given = false;
	int first = 1;
	int c;
	int rv;

	if (argc > 1 && argv[1][0] != '-') {
		if (parse_command(o, argv[1]) != 0)
			return usage_error(err, "'%s' is not a command (run, "
					   "check, explore, failover)",
					   argv[1]);
		first = 2;
	}
	optind = first;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hVq", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case ':':
			return usage_error(err, "%s: needs a value",
					   argv[optind - 1]);
		case '?':
			if (optopt != 0)
				return usage_error(err, "-%c: unknown flag",
						   optopt);
			return usage_error(err, "%s: unknown flag",
					   argv[optind - 1]);
		default:
			rv = apply_flag(o, c, optarg, &heartbeat_given, err);
			if (rv != 0)
				return rv;
		}
	}
	if (o->help || o->version)
		return 0;
	if (o->command == CMD_CHECK && optind < argc)
		o->check_path = argv[optind++];
	if (optind < argc)
		return usage_error(err, "'%s': unexpected argument",
				   argv[optind]);
	return validate(o, heartbeat_given, err);
}

bool options_have_faults(const struct raftsim_options *o)
{
	return o->pause_count > 0 || o->crash_count > 0 ||
	       o->partition_count > 0 || o->pause_prob > 0 ||
	       o->crash_prob > 0 || o->partition_prob > 0 || o->drop > 0 ||
	       o->dup > 0 || o->reorder > 0;
}

/* options.c - parses the command line into struct raftsim_options.
 *
 * Every error names the flag and the value and exits with EXIT_USAGE; no
 * input can crash the parser (values are checked character by character
 * before they are converted, and every list has a bound). Here: the command
 * word, the getopt loop and the checks across flags; each flag's own value
 * is parsed in options_flags.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options_internal.h"

void options_default(struct raftsim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->command = CMD_RUN;
	o->nodes = 3;
	o->ticks = 100;
	o->tick_us = 10000;
	o->heartbeat_ticks = 3;
	o->election.min = 10;
	o->election.max = 20;
	o->mailbox = OPT_DEFAULT_MAILBOX;
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

int usage_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("raftsim: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputs("\nTry 'raftsim --help' for more information.\n", err);
	return EXIT_USAGE;
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

/* failover crashes the leader (and maybe the next-ranked node): what is
 * left must still be able to elect, or every trial would hit the cap. */
static int validate_failover(struct raftsim_options *o, FILE *err)
{
	int left = o->nodes - 1 - (o->first_ranked != FIRST_RANKED_UP);
	int i;

	if (left < o->nodes / 2 + 1)
		return usage_error(err, "--nodes: %d nodes leave %d after the "
				   "crash%s, short of a majority (%d)",
				   o->nodes, left,
				   o->first_ranked != FIRST_RANKED_UP
					   ? " and --first-ranked"
					   : "",
				   o->nodes / 2 + 1);
	if (o->stale > left - 1)
		return usage_error(err, "--stale: %d stale nodes leave no "
				   "candidate among the %d survivors", o->stale,
				   left);
	if (o->election_ms_count == 0) {
		o->election_ms[0].min = 150;
		o->election_ms[0].max = 300;
		o->election_ms_count = 1;
	}
	for (i = 0; i < o->election_ms_count; i++) {
		uint64_t min = o->election_ms[i].min;
		uint64_t h = o->heartbeat_ms ? o->heartbeat_ms : min / 2;

		if (h == 0 || h >= min)
			return usage_error(err, "--election-ms: %llu-%llu "
					   "leaves no heartbeat interval "
					   "shorter than its minimum (heartbeat "
					   "%llu ms%s)",
					   (unsigned long long)min,
					   (unsigned long long)o->election_ms[i].max,
					   (unsigned long long)h,
					   o->heartbeat_ms ? ", --heartbeat-ms"
							   : ", half the minimum");
	}
	return 0;
}

/* A fault scheduled after the last tick is legal but never happens. */
static void warn_if_late(const struct raftsim_options *o, const char *flag,
			 uint64_t tick, FILE *err)
{
	if (tick > o->ticks)
		fprintf(err, "raftsim: warning: %s at tick %llu comes after the "
			     "run's last tick (%llu)\n",
			flag, (unsigned long long)tick,
			(unsigned long long)o->ticks);
}

/* --pause and --crash windows: the node must exist. */
static int check_windows(const struct raftsim_options *o,
			 const struct fault_window *w, int count,
			 const char *flag, FILE *err)
{
	int i;

	for (i = 0; i < count; i++) {
		if (w[i].who >= o->nodes)
			return usage_error(err, "%s: node %d does not exist "
					   "(--nodes %d: ids 0 to %d)",
					   flag, w[i].who, o->nodes,
					   o->nodes - 1);
		warn_if_late(o, flag, w[i].tick, err);
	}
	return 0;
}

/* Checks what no single flag can: how flags relate to each other. */
static int validate(struct raftsim_options *o, bool heartbeat_given,
		    FILE *err)
{
	int i;
	int rv;

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
	rv = check_windows(o, o->pauses, o->pause_count, "--pause", err);
	if (rv == 0)
		rv = check_windows(o, o->crashes, o->crash_count, "--crash",
				   err);
	if (rv != 0)
		return rv;
	for (i = 0; i < o->partition_count; i++) {
		if (o->partitions[i].max_node >= o->nodes)
			return usage_error(err, "--partition: node %d does not "
					   "exist (--nodes %d: ids 0 to %d)",
					   o->partitions[i].max_node, o->nodes,
					   o->nodes - 1);
		warn_if_late(o, "--partition", o->partitions[i].tick, err);
	}
	if (o->trace_path != NULL && o->command != CMD_RUN)
		return usage_error(err, "--trace: only a run writes a trace "
				   "(raftsim [run] --trace FILE)");
	if (o->command == CMD_CHECK && o->check_path == NULL)
		return usage_error(err, "check: which trace file? "
				   "(raftsim check FILE)");
	if (o->command == CMD_FAILOVER)
		return validate_failover(o, err);
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

void options_node_config(const struct raftsim_options *o, int id,
			 uint64_t restarts, struct raft_config *cfg)
{
	raft_config_default(cfg, id, o->nodes,
			    raft_rng_derive(o->seed,
					    (uint64_t)id + 1000 * restarts));
	cfg->heartbeat_interval = o->heartbeat_ticks;
	cfg->election_min = (unsigned)o->election.min;
	cfg->election_max = (unsigned)o->election.max;
	cfg->prevote = o->prevote;
	cfg->check_quorum = o->check_quorum;
	cfg->ranked_timeouts = o->ranked_timeouts;
	cfg->mistakes = o->mistakes;
}

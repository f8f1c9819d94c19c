/* options_table.c - every flag of raftsim, one row each (see
 * options_internal.h), and the parsers of the few values that are not a
 * number, a range, a probability or a path.
 *
 * The rows of flags that a run replays come first, in the order the replay
 * command writes them ("raftsim --sim --nodes 5 ... --seed S").
 */
#include <inttypes.h>
#include <string.h>

#include "options_internal.h"
#include "parse.h"

#define FIELD(f)                                                               \
	.offset = offsetof(struct raftsim_options, f),                         \
	.size = sizeof(((struct raftsim_options *)0)->f)

const char *const options_mode_names[IN_MODES] = {
	"run on threads",
	"run --sim",
	"check",
	"explore",
	"failover in the simulator",
	"failover --threads",
	"timeline",
};

const struct opt_section_doc options_sections[SEC_COUNT] = {
	[SEC_CLUSTER] = {"Cluster", NULL},
	[SEC_FAULTS] = {"Faults",
			"`WHO` is a node id, or `leader`: the node that is "
			"leader when tick `TICK` arrives."},
	[SEC_EXPLORE] = {"Many runs",
			 "explore draws every run's faults itself, so it "
			 "takes none of the fault flags; each failure is "
			 "printed with the command that replays it."},
	[SEC_FAILOVER] = {"failover",
			  "How long a cluster has no leader after its leader "
			  "crashes, as in the Raft paper's Figure 16."},
	[SEC_OUTPUT] = {"Output", NULL},
};

const struct opt_synopsis options_synopsis[] = {
	{IN_RUN, "raftsim [run] [FLAGS]",
	 "the cluster on threads, in real time (the default)"},
	{IN_RUN, "raftsim [run] --sim [FLAGS]",
	 "the same cluster in the simulator, in virtual time"},
	{IN_CHECK, "raftsim check FILE",
	 "verify a JSONL trace; exit 0 (clean), 1, or 2 (unreadable)"},
	{IN_EXPLORE, "raftsim explore [FLAGS]",
	 "many simulated runs with random faults"},
	{IN_FAILOVERS, "raftsim failover [FLAGS]",
	 "leader failover downtime (the paper's Figure 16)"},
	{IN_TIMELINE, "raftsim timeline FILE [--from MS] [--to MS]",
	 "draw the lesson's heartbeat timeline of a trace"},
};
const size_t options_synopsis_len = sizeof(options_synopsis) /
				    sizeof(options_synopsis[0]);

const struct opt_exit_code options_exit_codes[] = {
	{EXIT_PASS, "the run passed"},
	{EXIT_VIOLATION, "a Raft invariant was violated (check: the trace "
			 "shows a violation or is malformed)"},
	{EXIT_USAGE, "bad usage: the message on stderr names the flag and "
		     "the value"},
	{EXIT_RUN_FAILED, "the run could not be carried out: out of memory, "
			  "an I/O error (a --trace, --csv or --svg write, a "
			  "failing stdout), a trace that fell behind; or "
			  "it could not be judged (CANNOT JUDGE: late ticks "
			  "and full mailboxes hid most of it)"},
	{EXIT_INTERRUPTED_INT, "interrupted by SIGINT (Ctrl-C): stopped at a "
			       "tick, verdict printed, trace ended"},
	{EXIT_INTERRUPTED_TERM, "interrupted by SIGTERM, likewise"},
};
const size_t options_exit_codes_len = sizeof(options_exit_codes) /
				      sizeof(options_exit_codes[0]);

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
#define MISTAKE_COUNT (sizeof(mistakes) / sizeof(mistakes[0]))

const char *options_mistake_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < MISTAKE_COUNT; i++)
		if ((unsigned)mistakes[i].bit == bit)
			return mistakes[i].name;
	return "?";
}

static int parse_mistake(struct raftsim_options *o, const struct opt_flag *f,
			 const char *arg, FILE *err)
{
	size_t i;

	for (i = 0; i < MISTAKE_COUNT; i++) {
		if (strcmp(arg, mistakes[i].name) == 0) {
			o->mistakes |= (unsigned)mistakes[i].bit;
			return 0;
		}
	}
	return options_usage_error(err, "--%s: '%s' is not %s", f->name, arg,
				   f->what);
}

static void replay_mistakes(const struct raftsim_options *o,
			    const struct opt_flag *f, struct opt_text *t)
{
	size_t i;

	for (i = 0; i < MISTAKE_COUNT; i++)
		if (o->mistakes & (unsigned)mistakes[i].bit)
			options_text_add(t, " --%s %s", f->name,
					 mistakes[i].name);
}

/* --pause and --crash: WHO@TICK:LEN, up to OPT_MAX_SCHEDULED of each. */
static int add_window(struct fault_window *list, int *count,
		      const struct opt_flag *f, const char *arg, FILE *err)
{
	if (*count >= OPT_MAX_SCHEDULED)
		return options_usage_error(err, "--%s: at most %d of them",
					   f->name, OPT_MAX_SCHEDULED);
	if (parse_window(arg, &list[*count]) != 0 ||
	    list[*count].tick > OPT_MAX_TICKS ||
	    list[*count].len > OPT_MAX_TICKS)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	(*count)++;
	return 0;
}

static int parse_pause(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err)
{
	return add_window(o->pauses, &o->pause_count, f, arg, err);
}

static int parse_crash(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err)
{
	return add_window(o->crashes, &o->crash_count, f, arg, err);
}

static void replay_windows(const struct opt_flag *f,
			   const struct fault_window *w, int count,
			   struct opt_text *t)
{
	int i;

	for (i = 0; i < count; i++) {
		if (w[i].who == WHO_LEADER)
			options_text_add(t, " --%s leader", f->name);
		else
			options_text_add(t, " --%s %d", f->name, w[i].who);
		options_text_add(t, "@%" PRIu64 ":%" PRIu64, w[i].tick,
				 w[i].len);
	}
}

static void replay_pauses(const struct raftsim_options *o,
			  const struct opt_flag *f, struct opt_text *t)
{
	replay_windows(f, o->pauses, o->pause_count, t);
}

static void replay_crashes(const struct raftsim_options *o,
			   const struct opt_flag *f, struct opt_text *t)
{
	replay_windows(f, o->crashes, o->crash_count, t);
}

static int parse_partition_flag(struct raftsim_options *o,
				const struct opt_flag *f, const char *arg,
				FILE *err)
{
	struct partition_window *p = &o->partitions[o->partition_count];

	if (o->partition_count >= OPT_MAX_SCHEDULED)
		return options_usage_error(err, "--%s: at most %d of them",
					   f->name, OPT_MAX_SCHEDULED);
	if (parse_partition(arg, p) != 0 || p->tick > OPT_MAX_TICKS ||
	    p->len > OPT_MAX_TICKS)
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	o->partition_count++;
	return 0;
}

/* Each group in turn, quoted: '|' means a pipe to the shell. */
static void replay_partitions(const struct raftsim_options *o,
			      const struct opt_flag *f, struct opt_text *t)
{
	int i, j, g, n;

	for (i = 0; i < o->partition_count; i++) {
		const struct partition_window *p = &o->partitions[i];

		options_text_add(t, " --%s '%" PRIu64 ":%" PRIu64 ":", f->name,
				 p->tick, p->len);
		for (g = 0, n = 0; n < o->nodes; g++) {
			int first = 1;

			for (j = 0; j < o->nodes; j++) {
				if (p->group_of[j] != g)
					continue;
				options_text_add(
					t, "%s%d",
					first ? (g > 0 && n > 0 ? "|" : "")
					      : ",",
					j);
				first = 0;
				n++;
			}
		}
		options_text_add(t, "'");
	}
}

static int parse_election_ms(struct raftsim_options *o,
			     const struct opt_flag *f, const char *arg,
			     FILE *err)
{
	if (parse_range_list(arg, o->election_ms, OPT_MAX_RANGES,
			     OPT_MAX_TIMEOUT_MS, &o->election_ms_count) != 0)
		return options_usage_error(err,
					   "--%s: '%s' is not %s (at most "
					   "%d, each from 1 to %llu ms)",
					   f->name, arg, f->what,
					   OPT_MAX_RANGES, OPT_MAX_TIMEOUT_MS);
	return 0;
}

static int parse_first_ranked(struct raftsim_options *o,
			      const struct opt_flag *f, const char *arg,
			      FILE *err)
{
	if (strcmp(arg, "up") == 0)
		o->first_ranked = FIRST_RANKED_UP;
	else if (strcmp(arg, "down") == 0)
		o->first_ranked = FIRST_RANKED_DOWN;
	else if (strcmp(arg, "cut") == 0)
		o->first_ranked = FIRST_RANKED_CUT;
	else
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	return 0;
}

#define PROB_WHAT "a probability from 0 to 1"
#define TICKS_WHAT "a range MIN-MAX of ticks"

const struct opt_flag options_table[] = {
	/* Replayed, in this order. */
	{.name = "sim",
	 .kind = OPT_BOOL,
	 FIELD(sim),
	 .modes = IN_SIM,
	 .props = OPTF_REPLAY | OPTF_MODE,
	 .section = SEC_CLUSTER,
	 .help = "the same cluster in the simulator: virtual time, seeded "
		 "and replayable"},
	{.name = "nodes",
	 .kind = OPT_COUNT,
	 FIELD(nodes),
	 .min = 1,
	 .max = OPT_MAX_NODES,
	 .modes = IN_CLUSTER,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_CLUSTER,
	 .metavar = "N",
	 .what = "a node count",
	 .help = "cluster size"},
	{.name = "ticks",
	 .kind = OPT_COUNT,
	 FIELD(ticks),
	 .min = 1,
	 .max = OPT_MAX_TICKS,
	 .modes = IN_RUN | IN_EXPLORE,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_CLUSTER,
	 .metavar = "T",
	 .what = "a tick count",
	 .help = "how many ticks the run lasts"},
	{.name = "tick-ms",
	 .kind = OPT_MS,
	 FIELD(tick_us),
	 .min = 1,
	 .max = OPT_MAX_TICK_MS,
	 .modes = IN_RUN | IN_EXPLORE,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_CLUSTER,
	 .metavar = "MS",
	 .what = "a duration in whole ms",
	 .help = "length of a tick"},
	{.name = "heartbeat-ticks",
	 .kind = OPT_COUNT,
	 FIELD(heartbeat_ticks),
	 .min = 1,
	 .max = OPT_MAX_ELECTION_TICKS,
	 .modes = IN_RUN | IN_EXPLORE,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_CLUSTER,
	 .metavar = "H",
	 .what = "a tick count",
	 .help = "ticks between a leader's heartbeat rounds; H must be "
		 "shorter than MIN"},
	{.name = "election-ticks",
	 .kind = OPT_TICK_RANGE,
	 FIELD(election),
	 .min = 1,
	 .max = OPT_MAX_ELECTION_TICKS,
	 .modes = IN_RUN | IN_EXPLORE,
	 .props = OPTF_REPLAY_ALWAYS | OPTF_NEEDS_DASH,
	 .section = SEC_CLUSTER,
	 .metavar = "MIN-MAX",
	 .what = "a range MIN-MAX of ticks such as 10-20",
	 .help = "election timeout range; each timeout is drawn from it",
	 .doc = "election timeout range; each timeout is drawn uniformly "
		"from it, again at every reset. `H` must be shorter than "
		"`MIN` (Raft's timing rule); a run that breaks it is refused "
		"with exit 2. `MIN` = `MAX` is allowed with a warning: the "
		"timeouts are then not randomized (the lesson's third "
		"mistake)"},
	{.name = "latency-ms",
	 .kind = OPT_MS_RANGE,
	 FIELD(latency_us),
	 .max = OPT_MAX_LATENCY_MS,
	 .modes = IN_SIM | IN_EXPLORE | IN_FAILOVER,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_FAULTS,
	 .metavar = "MIN-MAX",
	 .what = "a range MIN-MAX of milliseconds such as 1-5",
	 .help = "each message's latency in the simulator, uniform in the "
		 "range",
	 .doc = "each message's latency in the simulator, uniform in the "
		"range. On threads a message takes what the machine takes "
		"(tens of microseconds), so a run on threads refuses it"},
	{.name = "pause",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "WHO@TICK:LEN",
	 .what = "WHO@TICK:LEN (WHO a node id or 'leader', TICK and LEN >= 1)",
	 .help = "freeze node WHO (an id, or 'leader') at TICK for LEN ticks",
	 .doc = "freeze a node for LEN ticks: no ticks, no message handling. "
		"Its mailbox keeps filling (overflow drops). On resume it goes "
		"on from the current time: it handles what waited, and does "
		"not replay missed ticks",
	 .parse = parse_pause,
	 .replay = replay_pauses},
	{.name = "crash",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "WHO@TICK:LEN",
	 .what = "WHO@TICK:LEN (WHO a node id or 'leader', TICK and LEN >= 1)",
	 .help = "crash WHO at TICK; it restarts LEN ticks later",
	 .doc = "crash a node; it restarts LEN ticks later as a follower with "
		"its durable state (current term and vote, as if on disk); "
		"everything else, its mailbox included, is lost",
	 .parse = parse_crash,
	 .replay = replay_crashes},
	{.name = "partition",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "TICK:LEN:GROUPS",
	 .what = "TICK:LEN:GROUPS such as 10:30:0,1|2,3,4 (TICK and LEN >= 1, "
		 "each node once)",
	 .help = "split the network at TICK for LEN ticks, e.g. "
		 "10:30:0,1|2,3,4; unlisted nodes form one more group",
	 .doc = "split the network at TICK for LEN ticks. GROUPS like "
		"`0,1|2,3,4` (quote it in a shell); nodes not listed form one "
		"more group",
	 .parse = parse_partition_flag,
	 .replay = replay_partitions},
	{.name = "pause-prob",
	 .kind = OPT_PROB,
	 FIELD(pause_prob),
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "each tick, each running node freezes with probability P"},
	{.name = "pause-ticks",
	 .kind = OPT_TICK_RANGE,
	 FIELD(pause_ticks),
	 .min = 1,
	 .max = OPT_MAX_TICKS,
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "MIN-MAX",
	 .what = TICKS_WHAT,
	 .help = "length of random pauses"},
	{.name = "crash-prob",
	 .kind = OPT_PROB,
	 FIELD(crash_prob),
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "each tick, each running node crashes with probability P"},
	{.name = "crash-ticks",
	 .kind = OPT_TICK_RANGE,
	 FIELD(crash_ticks),
	 .min = 1,
	 .max = OPT_MAX_TICKS,
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "MIN-MAX",
	 .what = TICKS_WHAT,
	 .help = "length of random crashes"},
	{.name = "partition-prob",
	 .kind = OPT_PROB,
	 FIELD(partition_prob),
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "each tick, a random split into two sides with probability "
		 "P"},
	{.name = "partition-ticks",
	 .kind = OPT_TICK_RANGE,
	 FIELD(partition_ticks),
	 .min = 1,
	 .max = OPT_MAX_TICKS,
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "MIN-MAX",
	 .what = TICKS_WHAT,
	 .help = "length of random partitions"},
	{.name = "drop",
	 .kind = OPT_PROB,
	 FIELD(drop),
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "lose each message with probability P"},
	{.name = "dup",
	 .kind = OPT_PROB,
	 FIELD(dup),
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "deliver a message twice with probability P"},
	{.name = "reorder",
	 .kind = OPT_PROB,
	 FIELD(reorder),
	 .modes = IN_RUN,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "with probability P, delay a message by up to one heartbeat "
		 "interval, so later messages overtake it"},
	{.name = "mailbox",
	 .kind = OPT_COUNT,
	 FIELD(mailbox),
	 .min = 1,
	 .max = OPT_MAX_MAILBOX,
	 /* the simulator holds mail only for paused nodes, and failover's
	  * simulated trials pause none */
	 .modes = IN_RUN | IN_EXPLORE | IN_FAILOVER_THREADS,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .metavar = "N",
	 .what = "a capacity",
	 .help = "messages a node's mailbox holds; a message to a full "
		 "mailbox is dropped and counted, the sender never blocks"},
	{.name = "prevote",
	 .kind = OPT_BOOL,
	 FIELD(prevote),
	 .modes = IN_CLUSTER,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .help = "Pre-Vote (Raft thesis 9.6)"},
	{.name = "check-quorum",
	 .kind = OPT_BOOL,
	 FIELD(check_quorum),
	 .modes = IN_CLUSTER,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .help = "a leader steps down when it has not heard from a majority "
		 "within MIN ticks; followers that heard from a leader within "
		 "MIN ticks ignore vote requests"},
	{.name = "ranked-timeouts",
	 .kind = OPT_BOOL,
	 FIELD(ranked_timeouts),
	 .modes = IN_CLUSTER,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .help = "election timeouts in per-node slots (no ties)"},
	{.name = "mistake",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN | IN_EXPLORE,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .metavar = "NAME",
	 .what = "one of long-heartbeat, no-reset, fixed-timeout, "
		 "no-stepdown, double-vote",
	 .help = "inject one of the lesson's mistakes: long-heartbeat, "
		 "no-reset, fixed-timeout, no-stepdown, double-vote",
	 .parse = parse_mistake,
	 .replay = replay_mistakes},
	{.name = "seed",
	 .kind = OPT_COUNT,
	 FIELD(seed),
	 .max = UINT64_MAX,
	 .modes = IN_CLUSTER,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_CLUSTER,
	 .metavar = "S",
	 .what = "an unsigned 64-bit number",
	 .defaults = "from the clock",
	 .help = "every random choice of the run comes from it; printed"},

	/* Not replayed. */
	{.name = "runs",
	 .kind = OPT_COUNT,
	 FIELD(runs),
	 .min = 1,
	 .max = OPT_MAX_RUNS,
	 .modes = IN_EXPLORE,
	 .section = SEC_EXPLORE,
	 .metavar = "N",
	 .what = "a run count",
	 .help = "simulated runs"},
	{.name = "jobs",
	 .kind = OPT_COUNT,
	 FIELD(jobs),
	 .min = 1,
	 .max = OPT_MAX_JOBS,
	 .modes = IN_EXPLORE | IN_FAILOVER,
	 .section = SEC_EXPLORE,
	 .metavar = "J",
	 .what = "a thread count",
	 .help = "threads that run simulations side by side (explore's runs, "
		 "failover's trials)"},
	{.name = "trials",
	 .kind = OPT_COUNT,
	 FIELD(trials),
	 .min = 1,
	 .max = OPT_MAX_TRIALS,
	 .modes = IN_FAILOVERS,
	 .section = SEC_FAILOVER,
	 .metavar = "N",
	 .what = "a trial count",
	 .help = "trials per timeout range"},
	{.name = "election-ms",
	 .kind = OPT_CUSTOM,
	 .modes = IN_FAILOVERS,
	 .section = SEC_FAILOVER,
	 .metavar = "MIN-MAX[,MIN-MAX...]",
	 .what = "a list of MIN-MAX ranges such as 150-150,150-300",
	 .defaults = "150-300",
	 .help = "election timeout ranges in ms, each measured in turn",
	 .parse = parse_election_ms},
	{.name = "heartbeat-ms",
	 .kind = OPT_COUNT,
	 FIELD(heartbeat_ms),
	 .min = 1,
	 .max = OPT_MAX_TIMEOUT_MS,
	 .modes = IN_FAILOVERS,
	 .section = SEC_FAILOVER,
	 .metavar = "H",
	 .what = "a duration in ms",
	 .defaults = "MIN/2",
	 .help = "heartbeat interval in ms (the paper: half the minimum "
		 "timeout)"},
	{.name = "disk-ms",
	 .kind = OPT_MS_DECIMAL,
	 FIELD(disk_us),
	 .max = OPT_MAX_DISK_MS,
	 .modes = IN_FAILOVER,
	 .section = SEC_FAILOVER,
	 .metavar = "D",
	 .what = "a duration in ms such as 0.5",
	 .help = "time to persist the term and vote before a RequestVote or a "
		 "vote reply leaves"},
	{.name = "disk-parallel",
	 .kind = OPT_BOOL,
	 FIELD(disk_parallel),
	 .modes = IN_FAILOVER,
	 .section = SEC_FAILOVER,
	 .help = "the candidate's own write overlaps its RequestVotes, so only "
		 "the vote replies wait for the disk"},
	{.name = "stale",
	 .kind = OPT_COUNT,
	 FIELD(stale),
	 .max = OPT_MAX_NODES,
	 .modes = IN_FAILOVER,
	 .section = SEC_FAILOVER,
	 .metavar = "K",
	 .what = "a node count",
	 .help = "K survivors hold stale logs and cannot win, as in the "
		 "paper"},
	{.name = "first-ranked",
	 .kind = OPT_CUSTOM,
	 .modes = IN_FAILOVER,
	 .section = SEC_FAILOVER,
	 .metavar = "up|down|cut",
	 .what = "up, down or cut",
	 .defaults = "up",
	 .help = "the follower ranked first after the leader stays up, "
		 "crashes with it, or is partitioned away at the same moment",
	 .parse = parse_first_ranked},
	{.name = "threads",
	 .kind = OPT_BOOL,
	 FIELD(threads),
	 .modes = IN_FAILOVER_THREADS,
	 .props = OPTF_MODE,
	 .section = SEC_FAILOVER,
	 .help = "the threaded runtime in real time instead of the simulator"},
	{.name = "csv",
	 .kind = OPT_PATH,
	 FIELD(csv_path),
	 .modes = IN_FAILOVERS,
	 .section = SEC_FAILOVER,
	 .metavar = "FILE",
	 .help = "every trial's downtime, as CSV"},
	{.name = "svg",
	 .kind = OPT_PATH,
	 FIELD(svg_path),
	 .modes = IN_FAILOVERS,
	 .section = SEC_FAILOVER,
	 .metavar = "FILE",
	 .help = "the downtime CDFs as an SVG chart (the paper's Figure 16)"},
	{.name = "trace",
	 .kind = OPT_PATH,
	 FIELD(trace_path),
	 .modes = IN_RUN,
	 .section = SEC_OUTPUT,
	 .metavar = "FILE",
	 .help = "write the run's JSONL trace (schema 1, see README)"},
	{.name = "timeline",
	 .kind = OPT_BOOL,
	 FIELD(timeline),
	 .modes = IN_RUN,
	 .section = SEC_OUTPUT,
	 .help = "draw the heartbeat timeline at the end of the run"},
	{.name = "from",
	 .kind = OPT_MS_DECIMAL,
	 FIELD(timeline_from_us),
	 .max = OPT_MAX_WINDOW_MS,
	 .modes = IN_RUN | IN_TIMELINE,
	 .section = SEC_OUTPUT,
	 .metavar = "MS",
	 .what = "a time in ms such as 250",
	 .defaults = "the start",
	 .help = "the timeline starts at MS"},
	{.name = "to",
	 .kind = OPT_MS_DECIMAL,
	 FIELD(timeline_to_us),
	 .max = OPT_MAX_WINDOW_MS,
	 .modes = IN_RUN | IN_TIMELINE,
	 .section = SEC_OUTPUT,
	 .metavar = "MS",
	 .what = "a time in ms such as 900",
	 .defaults = "the end",
	 .help = "the timeline ends at MS"},
	{.name = "quiet",
	 .short_name = 'q',
	 .kind = OPT_BOOL,
	 FIELD(quiet),
	 .modes = IN_RUN | IN_FAILOVERS,
	 .section = SEC_OUTPUT,
	 .help = "only the summary"},
	{.name = "help",
	 .short_name = 'h',
	 .kind = OPT_BOOL,
	 FIELD(help),
	 .modes = IN_ALL,
	 .section = SEC_OUTPUT,
	 .defaults = "",
	 .help = "the flags of the subcommand, and the exit codes"},
	{.name = "version",
	 .short_name = 'V',
	 .kind = OPT_BOOL,
	 FIELD(version),
	 .modes = IN_ALL,
	 .section = SEC_OUTPUT,
	 .defaults = "",
	 .help = "the version"},
	{.name = "man",
	 .kind = OPT_BOOL,
	 FIELD(man),
	 .modes = IN_ALL,
	 .props = OPTF_HIDDEN,
	 .section = SEC_OUTPUT,
	 .help = "print the man page (roff)"},
	{.name = "readme",
	 .kind = OPT_BOOL,
	 FIELD(readme),
	 .modes = IN_ALL,
	 .props = OPTF_HIDDEN,
	 .section = SEC_OUTPUT,
	 .help = "print the README's flag tables (Markdown)"},
};

const size_t options_table_len = sizeof(options_table) /
				 sizeof(options_table[0]);

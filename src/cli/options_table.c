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
	"figure8",
	"report",
	"node",
	"client",
	"bench",
};

const struct opt_section_doc options_sections[SEC_COUNT] = {
	[SEC_CLUSTER] = {"Cluster", NULL},
	[SEC_FAULTS] = {"Faults",
			"`WHO` is a node id, or `leader`: the node that is "
			"leader when tick `TICK` arrives; `--crash` also takes "
			"`all`, every running node at once."},
	[SEC_LOG] = {"Log and load",
		     "The log replicates what `--load` proposes; the limits "
		     "bound what a leader sends and keeps in flight (etcd's "
		     "Progress)."},
	[SEC_CLIENTS] = {"Clients",
			 "Clients with sessions on the replicated key-value "
			 "store, their reads, and the fenced store; on threads "
			 "and in the simulator."},
	[SEC_STORAGE] =
		{"Durable storage",
		 "Each node's term, vote, log and snapshot in a "
		 "write-ahead log (README \"Durable storage\"): on "
		 "threads in real files (`--data-dir`), in the simulator "
		 "on a simulated disk (`--disk`). Without either the log "
		 "stays in memory, as if on disk."},
	[SEC_EXPLORE] = {"Many runs",
			 "explore draws every run's faults itself, so it "
			 "takes none of the fault flags; each failure is "
			 "printed with the command that replays it."},
	[SEC_FAILOVER] = {"failover",
			  "How long a cluster has no leader after its leader "
			  "crashes, as in the Raft paper's Figure 16."},
	[SEC_NET] = {"Over TCP",
		     "One node per process (`raftsim node`), clients of such a "
		     "cluster (`raftsim client`, `raftsim bench`), and the "
		     "threaded run over loopback TCP (`--transport tcp`)."},
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
	{IN_EXPLORE, "raftsim explore --merge FILE...",
	 "the report of the summaries of explore --shard"},
	{IN_FAILOVERS, "raftsim failover [FLAGS]",
	 "leader failover downtime (the paper's Figure 16)"},
	{IN_TIMELINE, "raftsim timeline FILE [--from MS] [--to MS]",
	 "draw the lesson's heartbeat timeline of a trace"},
	{IN_FIGURE8, "raftsim figure8 [--mistake commit-old-term]",
	 "the Raft paper's Figure 8 step by step, and its verdict"},
	{IN_REPORT, "raftsim report FILE --html OUT.html",
	 "a self-contained HTML page of a trace: summary, timeline, "
	 "violations"},
	{IN_NODE,
	 "raftsim node --id I --peers 0=HOST:PORT,... [--data-dir DIR] "
	 "[FLAGS]",
	 "one node of a cluster over TCP, until SIGTERM (or --ticks); "
	 "every node of a cluster takes the same cluster flags"},
	{0, "raftsim lincheck FILE... [--timeout S]",
	 "are the client histories linearizable? exit 0 (yes), 1, 2, 4"},
	{IN_CLIENT,
	 "raftsim client --peers LIST get|put|append|cas|delete "
	 "KEY [VALUE [NEW]]",
	 "one operation on a TCP cluster; prints its result"},
	{IN_BENCH, "raftsim bench --peers LIST [--clients N] [--duration S]",
	 "closed-loop clients against a TCP cluster: ops/s, latency"},
};
const size_t options_synopsis_len = sizeof(options_synopsis) /
				    sizeof(options_synopsis[0]);

const struct opt_exit_code options_exit_codes[] = {
	{EXIT_PASS, "the run passed"},
	{EXIT_VIOLATION, "a Raft invariant was violated (check: the trace "
			 "shows a violation or is malformed)"},
	{EXIT_USAGE, "bad usage: the message on stderr names the flag and "
		     "the value"},
	{EXIT_RUN_FAILED,
	 "the run could not be carried out: out of memory, "
	 "an I/O error (a --trace, --csv, --svg or --html write, a "
	 "failing stdout), a trace that fell behind; or "
	 "it could not be judged (CANNOT JUDGE: late ticks "
	 "and full mailboxes hid most of it)"},
	{EXIT_INTERRUPTED_INT, "interrupted by SIGINT (Ctrl-C): stopped at a "
			       "tick, verdict printed, trace ended"},
	{EXIT_INTERRUPTED_TERM, "interrupted by SIGTERM, likewise"},
};
const size_t options_exit_codes_len = sizeof(options_exit_codes) /
				      sizeof(options_exit_codes[0]);

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
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
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
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
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
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
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
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
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
	 .parse = options_parse_pause,
	 .replay = options_replay_pauses},
	{.name = "crash",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "WHO@TICK:LEN",
	 .what = "WHO@TICK:LEN (WHO a node id, 'leader' or 'all', TICK and "
		 "LEN >= 1)",
	 .help = "crash WHO (an id, 'leader', or 'all': the whole cluster at "
		 "once) at TICK; it restarts LEN ticks later",
	 .doc = "crash a node (`all`: every node at once, the whole-cluster "
		"crash); it restarts LEN ticks later as a follower with its "
		"durable state (current term, vote and log: from its WAL with "
		"`--data-dir` or `--disk`, else as if on disk); everything "
		"else, its mailbox included, is lost",
	 .parse = options_parse_crash,
	 .replay = options_replay_crashes},
	{.name = "partition",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN | IN_NODE,
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
	 .parse = options_parse_partition_flag,
	 .replay = options_replay_partitions},
	{.name = "slow",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "NODE:FACTOR",
	 .what = "NODE:FACTOR (a node id, and a whole FACTOR from 1 to 1000)",
	 .help = "node NODE handles its mail FACTOR times slower (10: at 10% "
		 "speed)",
	 .doc = "node NODE handles its mail FACTOR times slower: on threads "
		"it waits FACTOR-1 times what each message took; in the "
		"simulator each message costs it FACTOR times the base "
		"service time (2 us + 1 ns a byte)",
	 .parse = options_parse_slow,
	 .replay = options_replay_slow},
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
	 .modes = IN_RUN | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "lose each message with probability P"},
	{.name = "dup",
	 .kind = OPT_PROB,
	 FIELD(dup),
	 .modes = IN_RUN | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_FAULTS,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "deliver a message twice with probability P"},
	{.name = "reorder",
	 .kind = OPT_PROB,
	 FIELD(reorder),
	 .modes = IN_RUN | IN_NODE,
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
	 .modes = IN_RUN | IN_EXPLORE | IN_FAILOVER_THREADS | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .metavar = "N",
	 .what = "a capacity",
	 .help = "messages a node's mailbox holds; a message to a full "
		 "mailbox is dropped and counted, the sender never blocks"},
	{.name = "prevote",
	 .kind = OPT_BOOL,
	 FIELD(prevote),
	 .modes = IN_CLUSTER | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .help = "Pre-Vote (Raft thesis 9.6)"},
	{.name = "check-quorum",
	 .kind = OPT_BOOL,
	 FIELD(check_quorum),
	 .modes = IN_CLUSTER | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .help = "a leader steps down when it has not heard from a majority "
		 "within MIN ticks; followers that heard from a leader within "
		 "MIN ticks ignore vote requests"},
	{.name = "ranked-timeouts",
	 .kind = OPT_BOOL,
	 FIELD(ranked_timeouts),
	 .modes = IN_CLUSTER | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .help = "election timeouts in per-node slots (no ties)"},
	{.name = "mistake",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN | IN_EXPLORE | IN_FIGURE8 | IN_NODE,
	 .props = OPTF_REPEAT | OPTF_REPLAY,
	 .section = SEC_CLUSTER,
	 .metavar = "NAME",
	 .what = "one of long-heartbeat, no-reset, fixed-timeout, "
		 "no-stepdown, double-vote, commit-old-term, vote-any-log, "
		 "no-truncate, apply-uncommitted, no-dedup, stale-read, "
		 "no-fencing, no-fsync, vote-before-persist, skip-bad-record",
	 .help = "inject one of the lesson's mistakes: long-heartbeat, "
		 "no-reset, fixed-timeout, no-stepdown, double-vote; or of "
		 "log replication: commit-old-term, vote-any-log, "
		 "no-truncate, apply-uncommitted; or of clients (with "
		 "--clients): no-dedup, stale-read, no-fencing; or of "
		 "storage (with --disk or --data-dir): no-fsync, "
		 "vote-before-persist, skip-bad-record",
	 .doc = "inject one of the lesson's mistakes: long-heartbeat, "
		"no-reset, fixed-timeout, no-stepdown, double-vote; or of "
		"log replication: commit-old-term, vote-any-log, "
		"no-truncate, apply-uncommitted; or of clients, only with "
		"--clients: no-dedup (a retried request is executed "
		"again), stale-read (a leader answers gets from its own "
		"state without confirming it leads), no-fencing (the "
		"fenced store takes any token; with --fenced-store); or of "
		"storage, only with a WAL (`--disk` or `--data-dir`): "
		"no-fsync (AppendEntries and InstallSnapshot replies leave "
		"before the sync), vote-before-persist (RequestVotes and "
		"votes leave before the term and vote are synced), "
		"skip-bad-record (recovery drops a damaged record and what "
		"follows instead of refusing)",
	 .parse = options_parse_mistake,
	 .replay = options_replay_mistakes},
#include "options_rows_client.h"
#include "options_rows_net.h"
#include "options_rows_node.h"
#include "options_rows_storage.h"
#include "options_rows_workload.h"
	{.name = "seed",
	 .kind = OPT_COUNT,
	 FIELD(seed),
	 .max = UINT64_MAX,
	 .modes = IN_CLUSTER | IN_NODE,
	 .props = OPTF_REPLAY_ALWAYS,
	 .section = SEC_CLUSTER,
	 .metavar = "S",
	 .what = "an unsigned 64-bit number",
	 .defaults = "from the clock",
	 .help = "every random choice of the run comes from it; printed"},

	/* Not replayed. */
	{.name = "data-dir",
	 .kind = OPT_PATH,
	 FIELD(data_dir),
	 .modes = IN_THREADS | IN_NODE,
	 .section = SEC_STORAGE,
	 .metavar = "DIR",
	 .help = "each node's WAL in real files under DIR/node-I (created); "
		 "on threads (the simulator: --disk)",
	 .doc = "each node's WAL (meta, segments, snapshot) in real files "
		"under DIR/node-I, created if absent; every entry is fsynced "
		"before it is acknowledged (group commit: one fdatasync per "
		"drain of a node's mail). A DIR that already holds a node's "
		"files is refused unless `--resume` is given. On threads "
		"only: the simulator's disk is `--disk`"},
	{.name = "resume",
	 .kind = OPT_BOOL,
	 FIELD(resume),
	 .modes = IN_THREADS,
	 .section = SEC_STORAGE,
	 .help = "go on from --data-dir's files after a kill -9: every node "
		 "recovers its term, vote and log from them; --trace FILE is "
		 "appended to",
	 .doc = "restart the whole cluster from `--data-dir`'s files after "
		"the process was killed (`kill -9`): every node recovers its "
		"term, vote and log and says so (a `restart` line). `DIR/run` "
		"keeps what must match (--nodes, the state machine: "
		"--clients or not); a conflict, a node directory missing or "
		"one too many is refused (exit 2), a node refusing damaged "
		"files fails the run (exit 3). `--trace FILE` is appended to "
		"(a half line the kill left is cut first) after a start line "
		"with \"resume\":true, and the run's verdict judges the whole "
		"file's history, as `raftsim check FILE` does. Clients are "
		"numbered after the earlier runs'; with --clients, --trace is "
		"required"},
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
#include "options_rows_explore.h"
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
	 .parse = options_parse_election_ms},
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
	{.name = "disk-parallel",
	 .kind = OPT_BOOL,
	 FIELD(disk_parallel),
	 .modes = IN_FAILOVER,
	 .section = SEC_FAILOVER,
	 .help = "the candidate's own write overlaps its RequestVotes, so only "
		 "the vote replies wait for the disk"},
	{.name = "first-ranked",
	 .kind = OPT_CUSTOM,
	 .modes = IN_FAILOVER,
	 .section = SEC_FAILOVER,
	 .metavar = "up|down|cut",
	 .what = "up, down or cut",
	 .defaults = "up",
	 .help = "the follower ranked first after the leader stays up, "
		 "crashes with it, or is partitioned away at the same moment",
	 .parse = options_parse_first_ranked},
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
	{.name = "html",
	 .kind = OPT_PATH,
	 FIELD(html_path),
	 .modes = IN_REPORT | IN_FAILOVERS,
	 .section = SEC_OUTPUT,
	 .metavar = "FILE",
	 .help = "write a self-contained HTML page: report, the trace's "
		 "summary, timeline, violations; failover, its table and "
		 "CDF chart"},
	{.name = "trace",
	 .kind = OPT_PATH,
	 FIELD(trace_path),
	 .modes = IN_RUN | IN_NODE,
	 .section = SEC_OUTPUT,
	 .metavar = "FILE",
	 .help = "write the run's JSONL trace (schema 5, see README)"},
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
	{.name = "live",
	 .kind = OPT_BOOL,
	 FIELD(live),
	 .modes = IN_RUN,
	 .section = SEC_OUTPUT,
	 .help = "watch the cluster full-screen and poke at it with keys",
	 .doc = "a full-screen terminal view: one row per node with its "
		"election-timeout bar, the last events and the verdict so "
		"far. Keys: `p [N]` pause or resume node N (the leader "
		"without N), `k [N]` crash or restart, `x` partition the "
		"leader away, `h` heal, `+`/`-` speed (`--sim`), space "
		"freezes the view, `q` quits as Ctrl-C does. Every key is a "
		"fault in the trace. Needs a terminal (exit 2 without one); "
		"without `--ticks` it runs 1000000 ticks, without `--tick-ms` "
		"ticks of 100 ms; `--quiet` changes "
		"nothing; on threads, or in the simulator paced by `--speed`"},
	{.name = "speed",
	 .kind = OPT_CUSTOM,
	 .modes = IN_SIM,
	 .section = SEC_OUTPUT,
	 .metavar = "X",
	 .what = "a speed above 0 and at most 1000, such as 0.5",
	 .defaults = "1 with --live",
	 .help = "with --live: X virtual seconds per wall second",
	 .parse = options_parse_speed},
	{.name = "quiet",
	 .short_name = 'q',
	 .kind = OPT_BOOL,
	 FIELD(quiet),
	 .modes = IN_RUN | IN_FAILOVERS | IN_NODE,
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

/* options_check.c - the checks across flags, once every flag is read: what
 * no single flag's value can say (a node that does not exist, a partition
 * that splits nothing, a heartbeat no shorter than the timeout, a failover
 * that cannot elect), refused with EXIT_USAGE; and what is legal but worth
 * a word (a fault after the last tick, timeouts not randomized), warned.
 */
#include <stdio.h>

#include "options_internal.h"

/* failover crashes the leader (and maybe the next-ranked node): what is
 * left must still be able to elect, or every trial would hit the cap. */
static int validate_failover(struct raftsim_options *o, FILE *err)
{
	int left = o->nodes - 1 - (o->first_ranked != FIRST_RANKED_UP);
	int i;

	if (left < o->nodes / 2 + 1)
		return options_usage_error(
			err,
			"--nodes: %d nodes leave %d after the crash%s, "
			"short of a majority (%d)",
			o->nodes, left,
			o->first_ranked != FIRST_RANKED_UP
				? " and --first-ranked"
				: "",
			o->nodes / 2 + 1);
	if (o->election_ms_count == 0) {
		o->election_ms[0].min = 150;
		o->election_ms[0].max = 300;
		o->election_ms_count = 1;
	}
	for (i = 0; i < o->election_ms_count; i++) {
		uint64_t min = o->election_ms[i].min;
		uint64_t h = o->heartbeat_ms ? o->heartbeat_ms : min / 2;

		if (h == 0 || h >= min)
			return options_usage_error(
				err,
				"--election-ms: %llu-%llu leaves no "
				"heartbeat interval shorter than its "
				"minimum (heartbeat %llu ms%s)",
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
		fprintf(err,
			"raftsim: warning: %s at tick %llu comes after the "
			"run's last tick (%llu)\n",
			flag, (unsigned long long)tick,
			(unsigned long long)o->ticks);
}

/* --pause and --crash windows: the node must exist. `leader` before the
 * first election timeout can end names nobody, and the fault does nothing:
 * legal, but worth a word. */
static int check_windows(const struct raftsim_options *o,
			 const struct fault_window *w, int count,
			 const char *flag, FILE *err)
{
	int i;

	for (i = 0; i < count; i++) {
		if (w[i].who >= o->nodes)
			return options_usage_error(
				err,
				"%s: node %d does not exist (--nodes %d: "
				"ids 0 to %d)",
				flag, w[i].who, o->nodes, o->nodes - 1);
		if (w[i].who == WHO_LEADER && w[i].tick <= o->election.min)
			fprintf(err,
				"raftsim: warning: %s leader@%llu: no "
				"node can lead before the first election "
				"timeout (%llu ticks), so it does nothing "
				"unless a leader exists by then\n",
				flag, (unsigned long long)w[i].tick,
				(unsigned long long)o->election.min);
		warn_if_late(o, flag, w[i].tick, err);
	}
	return 0;
}

/* Whether a partition puts the cluster's nodes in two groups or more. */
static bool splits_cluster(const struct partition_window *p, int nodes)
{
	int i;

	for (i = 1; i < nodes; i++)
		if (p->group_of[i] != p->group_of[0])
			return true;
	return false;
}

/* --election-ticks MIN-MIN is legal, but every timeout is then the same:
 * the lesson's third mistake, and split votes can repeat forever. */
static void warn_if_fixed(const struct raftsim_options *o, FILE *err)
{
	if (o->election.min == o->election.max)
		fprintf(err,
			"raftsim: warning: --election-ticks %llu-%llu: "
			"MIN equals MAX, so the election timeouts are "
			"not randomized (the lesson's third mistake); "
			"split votes can repeat\n",
			(unsigned long long)o->election.min,
			(unsigned long long)o->election.max);
}

/* --from and --to window a timeline: the subcommand's, or a run's. */
static int validate_timeline(const struct raftsim_options *o, const bool *given,
			     FILE *err)
{
	const struct opt_flag *from = options_find("from");
	const struct opt_flag *to = options_find("to");

	if (o->command == CMD_RUN && !o->timeline &&
	    (given[from - options_table] || given[to - options_table]))
		return options_usage_error(
			err,
			"--%s: only with --timeline "
			"(or raftsim timeline FILE)",
			given[from - options_table] ? from->name : to->name);
	if (o->timeline_to_us != 0 && o->timeline_to_us <= o->timeline_from_us)
		return options_usage_error(err, "--to: must come after --from");
	if (o->command == CMD_REPORT &&
	    (o->check_path == NULL || o->html_path == NULL))
		return options_usage_error(err, "report: which trace, and "
						"where? (raftsim report FILE "
						"--html OUT.html)");
	if (o->command == CMD_TIMELINE && o->check_path == NULL)
		return options_usage_error(err, "timeline: which trace file? "
						"(raftsim timeline FILE)");
	return 0;
}

/* --live watches one run; --speed paces only what --live watches (1,
 * real time, unless given). Without --ticks a live run lasts long enough
 * to be watched, and without --tick-ms its ticks are slow enough. */
static int check_live(struct raftsim_options *o, const bool *given, FILE *err)
{
	if (given[options_find("speed") - options_table] && !o->live)
		return options_usage_error(err, "--speed: only with --live");
	if (!o->live)
		return 0;
	if (o->sim && o->speed == 0)
		o->speed = 1; /* real time */
	if (o->timeline)
		return options_usage_error(err, "--live: not with --timeline "
						"(draw it afterwards: raftsim "
						"timeline FILE)");
	if (!given[options_find("ticks") - options_table])
		o->ticks = 1000000;
	/* 10 ms ticks drain a bar in a blink: 100 ms ones can be watched
	 * (heartbeats every 0.3 s, timeouts of 1 to 2 s by default). */
	if (!given[options_find("tick-ms") - options_table])
		o->tick_us = 100000;
	return 0;
}

/* --slow: each node exists and is named once. */
static int check_slow(const struct raftsim_options *o, FILE *err)
{
	int i, j;

	for (i = 0; i < o->slow_count; i++) {
		if (o->slows[i].node >= o->nodes)
			return options_usage_error(
				err,
				"--slow: node %d does not exist (--nodes %d: "
				"ids 0 to %d)",
				o->slows[i].node, o->nodes, o->nodes - 1);
		for (j = 0; j < i; j++)
			if (o->slows[j].node == o->slows[i].node)
				return options_usage_error(
					err, "--slow: node %d given twice",
					o->slows[i].node);
	}
	return 0;
}

/* The log a node may hold between snapshots: up to 4 x --snapshot-entries
 * before its snapshot (trailing, and kept for followers), and up to 4 x
 * applied since it while a leader holds a snapshot back for a transfer
 * (raft_log.c: 8 x in all), at the payload's size. Past OPT_MAX_LOG_BYTES
 * a run would exhaust memory long before its verdict, so the combination
 * is refused up front. */
static int check_log_bound(const struct raftsim_options *o, FILE *err)
{
	uint64_t entry = (uint64_t)o->payload + RAFT_ENTRY_OVERHEAD;
	uint64_t most = OPT_MAX_LOG_BYTES / (8 * entry);

	if (o->load_rate == 0 && !o->load_max)
		return 0;
	if (o->snapshot_entries <= most)
		return 0;
	return options_usage_error(
		err,
		"--snapshot-entries: %llu entries of "
		"--payload %u bytes let a node hold up to "
		"%llu MiB of log between snapshots; at most "
		"%llu with this payload (%llu MiB a node)",
		(unsigned long long)o->snapshot_entries, o->payload,
		(unsigned long long)(8 * entry * o->snapshot_entries >> 20),
		(unsigned long long)most,
		(unsigned long long)(OPT_MAX_LOG_BYTES >> 20));
}

/* The flags that shape the clients mean nothing without them. */
static const char *const client_flags[] = {
	"keys",           "read-ratio",        "cas-ratio",
	"append-ratio",   "delete-ratio",      "value-bytes",
	"retries",        "client-timeout-ms", "ops",
	"reads",          "fenced-store",      "session-max",
	"session-expiry",
};

#define CLIENT_MISTAKES                                                        \
	(RAFT_MISTAKE_NO_DEDUP | RAFT_MISTAKE_STALE_READ |                     \
	 RAFT_MISTAKE_NO_FENCING)

/* The mistakes of clients need clients, and no-fencing a fenced store. */
static int check_client_mistakes(const struct raftsim_options *o, FILE *err)
{
	unsigned bit;

	for (bit = 1; bit != 0 && bit <= CLIENT_MISTAKES; bit <<= 1)
		if ((o->mistakes & CLIENT_MISTAKES & bit) && o->clients == 0)
			return options_usage_error(
				err,
				"--mistake %s: a mistake of the clients' "
				"layer, only with --clients N",
				options_mistake_name(bit));
	if ((o->mistakes & RAFT_MISTAKE_NO_FENCING) && !o->fenced_store)
		return options_usage_error(err,
					   "--mistake no-fencing: a mistake of "
					   "the fenced store, only with "
					   "--fenced-store");
	return 0;
}

/* raftsim node serves other processes' clients with its store, unless
 * --load fills its log: then it runs the load's state machine, and the
 * store's flags would do nothing. */
static int check_node_service(const struct raftsim_options *o,
			      const bool *given, FILE *err)
{
	static const char *const store_flags[] = {"reads", "session-max",
						  "session-expiry"};
	size_t i;

	for (i = 0; i < sizeof(store_flags) / sizeof(store_flags[0]); i++)
		if ((o->load_max || o->load_rate > 0) &&
		    given[options_find(store_flags[i]) - options_table])
			return options_usage_error(
				err,
				"--%s: not with --load (raftsim node --load "
				"runs the load's state machine, not the "
				"key-value store)",
				store_flags[i]);
	if (o->reads == READS_LEASE && !o->check_quorum)
		return options_usage_error(
			err, "--reads lease: only with --check-quorum");
	return check_client_mistakes(o, err);
}

/* --clients and the flags that shape them. */
static int check_clients(const struct raftsim_options *o, const bool *given,
			 FILE *err)
{
	double sum = o->read_ratio + o->cas_ratio + o->append_ratio +
		     o->delete_ratio;
	size_t i;

	if (o->command == CMD_NODE)
		return check_node_service(o, given, err);
	if (o->clients == 0) {
		for (i = 0; i < sizeof(client_flags) / sizeof(client_flags[0]);
		     i++)
			if (given[options_find(client_flags[i]) -
				  options_table])
				return options_usage_error(
					err, "--%s: only with --clients N",
					client_flags[i]);
		return check_client_mistakes(o, err);
	}
	if (o->load_max || o->load_rate > 0)
		return options_usage_error(
			err, "--clients: not with --load (the log carries "
			     "either the clients' commands or the load's "
			     "entries)");
	if (sum > 1.0 + 1e-9)
		return options_usage_error(
			err,
			"--read-ratio, --cas-ratio, --append-ratio and "
			"--delete-ratio: %g + %g + %g + %g is more than 1",
			o->read_ratio, o->cas_ratio, o->append_ratio,
			o->delete_ratio);
	if (o->reads == READS_LEASE && !o->check_quorum)
		return options_usage_error(
			err,
			"--reads lease: only with --check-quorum (a lease "
			"holds because followers that hear a leader refuse "
			"to vote for another; without it a new leader can "
			"be elected while the old one still reads)");
	return check_client_mistakes(o, err);
}

#define STORAGE_MISTAKES                                                       \
	(RAFT_MISTAKE_NO_FSYNC | RAFT_MISTAKE_VOTE_BEFORE_PERSIST |            \
	 RAFT_MISTAKE_SKIP_BAD_RECORD)

/* Durable storage: where a node's WAL lives (real files on threads, a
 * simulated disk in the simulator), what implies the simulated disk, and
 * what needs a WAL. */
static int check_storage(struct raftsim_options *o, const bool *given,
			 FILE *err)
{
	bool disk_ms = given[options_find("disk-ms") - options_table];
	unsigned bit;

	if (o->resume && o->data_dir == NULL)
		return options_usage_error(err, "--resume: only with "
						"--data-dir DIR");
	/* The resumed clients' reads return what the killed run's wrote:
	 * only with that run's history is theirs judged. */
	if (o->resume && o->clients > 0 && o->trace_path == NULL)
		return options_usage_error(err, "--resume with --clients: "
						"only with --trace FILE, the "
						"killed run's trace");
	if (o->disk_torn > 0 || o->disk_corrupt > 0 || o->disk_fsync_fail > 0)
		o->sim_disk = true;
	/* explore's runs are simulated: a storage mistake brings the disk */
	if (o->command == CMD_EXPLORE && (o->mistakes & STORAGE_MISTAKES))
		o->sim_disk = true;
	if (o->sim_disk && !disk_ms && o->command != CMD_FAILOVER)
		o->disk_us = 200;
	for (bit = 1; bit != 0; bit <<= 1)
		if ((o->mistakes & STORAGE_MISTAKES & bit) && !o->sim_disk &&
		    o->data_dir == NULL)
			return options_usage_error(
				err,
				"--mistake %s: a mistake of durable storage: "
				"only with a WAL (--disk in the simulator, "
				"--data-dir on threads)",
				options_mistake_name(bit));
	return 0;
}

/* Checks what no single flag can: how flags relate to each other. */
/* The ratios the user did not give make room for those given: defaults
 * shrink in proportion, so that --read-ratio 0.9 alone means 90% gets and
 * the other kinds sharing the rest. Only ratios given can sum past 1. */
static void fit_ratios(struct raftsim_options *o, const bool *given)
{
	static const char *const names[] = {"read-ratio", "cas-ratio",
					    "append-ratio", "delete-ratio"};
	double *ratio[] = {&o->read_ratio, &o->cas_ratio, &o->append_ratio,
			   &o->delete_ratio};
	double fixed = 0, free = 0, room;
	size_t i;

	for (i = 0; i < 4; i++) {
		if (given[options_find(names[i]) - options_table])
			fixed += *ratio[i];
		else
			free += *ratio[i];
	}
	room = fixed < 1.0 ? 1.0 - fixed : 0.0;
	if (free <= room)
		return;
	for (i = 0; i < 4; i++)
		if (!given[options_find(names[i]) - options_table])
			*ratio[i] *= room / free;
}

int options_validate(struct raftsim_options *o, const bool *given, FILE *err)
{
	bool heartbeat_given =
		given[options_find("heartbeat-ticks") - options_table];
	int i;
	int rv;

	if (given[options_find("election-ticks") - options_table])
		warn_if_fixed(o, err);
	fit_ratios(o, given);
	if (o->mistakes & RAFT_MISTAKE_LONG_HEARTBEAT) {
		if (!heartbeat_given) /* make the mistake, visibly */
			o->heartbeat_ticks = (unsigned)(o->election.max +
							o->election.min);
	} else if (o->heartbeat_ticks >= o->election.min) {
		return options_usage_error(err,
					   "--heartbeat-ticks: %u is not "
					   "shorter than the minimum election "
					   "timeout (%llu ticks): followers "
					   "would time out before the "
					   "heartbeat arrives",
					   o->heartbeat_ticks,
					   (unsigned long long)o->election.min);
	}
	if (given[options_find("outstanding") - options_table] && !o->load_max)
		return options_usage_error(err, "--outstanding: only with "
						"--load max (a closed loop)");
	rv = check_windows(o, o->pauses, o->pause_count, "--pause", err);
	if (rv == 0)
		rv = check_windows(o, o->crashes, o->crash_count, "--crash",
				   err);
	if (rv == 0)
		rv = validate_timeline(o, given, err);
	if (rv == 0)
		rv = check_live(o, given, err);
	if (rv == 0)
		rv = check_slow(o, err);
	if (rv == 0)
		rv = check_log_bound(o, err);
	if (rv == 0)
		rv = check_clients(o, given, err);
	if (rv == 0)
		rv = check_storage(o, given, err);
	if (rv != 0)
		return rv;
	for (i = 0; i < o->partition_count; i++) {
		if (o->partitions[i].max_node >= o->nodes)
			return options_usage_error(
				err,
				"--partition: node %d does not exist "
				"(--nodes %d: ids 0 to %d)",
				o->partitions[i].max_node, o->nodes,
				o->nodes - 1);
		/* One group is no partition: it would count as a fault
		 * and excuse what it cannot have caused. */
		if (!splits_cluster(&o->partitions[i], o->nodes))
			return options_usage_error(
				err,
				"--partition: at tick %llu every one of "
				"the %d nodes is in one group: nothing "
				"is split (give two groups, e.g. 0|1,2)",
				(unsigned long long)o->partitions[i].tick,
				o->nodes);
		warn_if_late(o, "--partition", o->partitions[i].tick, err);
	}
	if (o->command == CMD_CHECK && o->check_path == NULL)
		return options_usage_error(err, "check: which trace file? "
						"(raftsim check FILE)");
	if (o->command == CMD_FAILOVER)
		return validate_failover(o, err);
	return 0;
}

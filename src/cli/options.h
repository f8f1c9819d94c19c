/* options.h - the command line, parsed once, shared by every mode.
 *
 * `raftsim [run] [FLAGS]`, `raftsim check FILE`, `raftsim explore [FLAGS]`
 * and `raftsim failover [FLAGS]` all land in one struct raftsim_options.
 * Times given in ticks stay ticks; times given in ms become microseconds
 * (the one unit of time below the command line).
 * Every flag is one row of the table in options_table.c; the parser,
 * `raftsim --help`, the README's flag table, the man page and the replay
 * command are all made from it.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "raft_state.h"

#define RAFTSIM_VERSION "0.10.0"
#define OPT_MAX_NODES RAFT_MAX_NODES /* 1024, the core's */
#define OPT_MAX_SCHEDULED 64         /* --pause, --crash, --partition, each */
#define OPT_MAX_RANGES 16            /* failover --election-ms ranges */
#define WHO_LEADER (-2)              /* --pause leader@TICK:LEN */
#define WHO_ALL (-3) /* --crash all@TICK:LEN: the whole cluster at once */
#define OPT_DEFAULT_MAILBOX 1024

/* Bounds of the flags' values: they keep every later product and sum in
 * range (ticks * tick_us, MAX + H, ...). */
#define OPT_MAX_SPEED 1000.0              /* --speed */
#define OPT_MAX_TICKS 100000000ULL        /* --ticks, fault ticks and lengths */
#define OPT_MAX_TICK_MS 60000ULL          /* --tick-ms */
#define OPT_MAX_ELECTION_TICKS 1000000ULL /* --election/heartbeat-ticks */
#define OPT_MAX_MAILBOX (1ULL << 20)      /* --mailbox */
#define OPT_MAX_RUNS 100000000ULL         /* explore --runs */
#define OPT_MAX_JOBS 256ULL               /* --jobs */
#define OPT_MAX_TRIALS 1000000ULL         /* failover --trials */
#define OPT_MAX_TIMEOUT_MS 3600000ULL     /* --election-ms, --heartbeat-ms */
#define OPT_MAX_DISK_MS 60000ULL          /* --disk-ms */
#define OPT_MAX_LATENCY_MS 1000000000ULL  /* --latency-ms */
#define OPT_MAX_WINDOW_MS 3153600000000ULL /* --from, --to: 100 years */
/* Log replication (issue 10). */
#define OPT_MAX_LOAD 100000000ULL    /* --load: proposals per second */
#define OPT_MIN_PAYLOAD 16ULL        /* a sequence number, a time */
#define OPT_MAX_PAYLOAD (1ULL << 20) /* --payload */
/* The log one node may hold between snapshots (options_check.c). */
#define OPT_MAX_LOG_BYTES (1ULL << 30)
#define OPT_MAX_OUTSTANDING (1ULL << 20) /* --outstanding */
/* --load max's window: thousands keep 3 nodes on 2 cores busy (1M
 * entries/s at a millisecond's round trip). */
#define OPT_DEFAULT_OUTSTANDING 4096
#define OPT_MAX_SNAPSHOT_ENTRIES (1ULL << 40)
#define OPT_MAX_CHUNK (64ULL << 20)   /* --snapshot-chunk */
#define OPT_MAX_INFLIGHT (1ULL << 20) /* --max-inflight */
#define OPT_MAX_INFLIGHT_BYTES (1ULL << 40)
#define OPT_MAX_BATCH_BYTES (64ULL << 20) /* --max-batch-bytes */
#define OPT_MAX_SLOW_FACTOR 1000ULL       /* --slow NODE:FACTOR */
/* Clients (issue 11). */
#define OPT_MAX_CLIENTS 1024ULL    /* --clients */
#define OPT_MAX_KEYS 1000000000ULL /* --keys */
/* "c<client>i<id>" with a client below 1024 and ids of up to 10 digits:
 * the unique values history.h describes fit in --value-bytes. */
#define OPT_MIN_VALUE_BYTES 16ULL
#define OPT_MAX_VALUE_BYTES 65536ULL        /* --value-bytes */
#define OPT_MAX_RETRIES 1000ULL             /* --retries */
#define OPT_MAX_OPS 10000000000ULL          /* --ops */
#define OPT_MAX_SESSIONS (1ULL << 20)       /* --session-max */
#define OPT_MAX_SESSION_EXPIRY (1ULL << 40) /* --session-expiry */
#define OPT_DEFAULT_SESSION_EXPIRY 1000000

/* The longest replay command options_format_command can write: the fixed
 * flags, then every scheduled fault at its longest (a partition lists every
 * node, up to 4 digits and a separator each). tests/cli checks that the
 * worst case fits. */
#define OPTIONS_COMMAND_MAX                                                    \
	(2048 + 3 * OPT_MAX_SCHEDULED * 64 +                                   \
	 OPT_MAX_SCHEDULED * (64 + 5 * OPT_MAX_NODES))

/* Exit codes (README "Exit codes"). */
enum {
	EXIT_PASS = 0,
	EXIT_VIOLATION = 1,
	EXIT_USAGE = 2,
	EXIT_RUN_FAILED = 3, /* out of memory, an I/O error; not judgeable */
	EXIT_INTERRUPTED_INT = 130,  /* 128 + SIGINT (harness_stop.h) */
	EXIT_INTERRUPTED_TERM = 143, /* 128 + SIGTERM */
};

/* failover --first-ranked: the follower ranked first after the leader
 * (id leader+1, the first slot under --ranked-timeouts) stays up, crashes
 * with the leader, or is partitioned away at the same moment. */
enum { FIRST_RANKED_UP, FIRST_RANKED_DOWN, FIRST_RANKED_CUT };

/* --reads: how a get is served (client/service.h). */
enum { READS_LOG, READS_READINDEX, READS_LEASE };

enum raftsim_command {
	CMD_RUN,
	CMD_CHECK,
	CMD_EXPLORE,
	CMD_FAILOVER,
	CMD_TIMELINE,
	CMD_FIGURE8,
	CMD_REPORT,
	CMD_NODE,   /* raftsim node: one node of a TCP cluster (issue 13) */
	CMD_CLIENT, /* raftsim client: one operation against such a cluster */
	CMD_BENCH,  /* raftsim bench: clients against it for --duration */
};

/* --transport: how the nodes of a run reach each other. */
enum { TRANSPORT_MAILBOX, TRANSPORT_TCP };

#define OPT_MAX_TRACES 1024 /* check FILE...: one trace per node at most */
#define OPT_MAX_MERGE 4096  /* explore --merge FILE...: shard summaries */
/* client, bench: --client-id N names clients N .. N + clients - 1; not
 * given, they are derived from the pid and the clock (client_ids.c). */
#define OPT_MAX_CLIENT_ID 2147482623ULL /* INT32_MAX - OPT_MAX_CLIENTS */
#define OPT_CLIENT_ID_AUTO 0xffffffffu

struct tick_range {
	uint64_t min;
	uint64_t max;
};

/* --pause and --crash: WHO@TICK:LEN. */
struct fault_window {
	int who; /* a node id, WHO_LEADER, or WHO_ALL (--crash only) */
	uint64_t tick;
	uint64_t len;
};

/* --slow NODE:FACTOR: the node handles its mail FACTOR times slower. */
struct slow_node {
	int node;
	unsigned factor;
};

/* --partition TICK:LEN:GROUPS, e.g. 10:30:0,1|2,3,4. */
struct partition_window {
	uint64_t tick;
	uint64_t len;
	uint8_t group_of[OPT_MAX_NODES];
	int max_node; /* the largest id listed */
};

struct raftsim_options {
	enum raftsim_command command;
	bool sim; /* --sim: virtual time instead of threads */
	bool help;
	bool version;
	bool man;    /* hidden --man: print the man page */
	bool readme; /* hidden --readme: print the README's flags */
	bool quiet;
	/* --live: the full-screen view (cli/live.h); --speed: the
	 * simulator's virtual seconds per wall second (0: unpaced) */
	bool live;
	double speed;

	/* The cluster. */
	int nodes;
	uint64_t ticks;
	uint64_t tick_us; /* --tick-ms, in microseconds: every layer below
				the command line counts time in us */
	unsigned heartbeat_ticks;
	struct tick_range election; /* ticks */
	uint64_t seed;
	bool seed_given;
	const char *trace_path;
	unsigned mailbox; /* messages per node mailbox (threads) */
	bool prevote;
	bool check_quorum;
	bool ranked_timeouts;
	unsigned mistakes; /* enum raft_mistake bits */

	/* Log replication and load (issue 10). */
	uint64_t load_rate;   /* --load: proposals per second; 0: no load */
	bool load_max;        /* --load max: closed loop, saturation */
	unsigned payload;     /* --payload: bytes per proposal */
	unsigned outstanding; /* --load max: proposals in flight at most */
	uint64_t snapshot_entries; /* 0: never */
	unsigned snapshot_chunk;   /* bytes */
	unsigned max_inflight;     /* messages a peer */
	uint64_t max_inflight_bytes;
	unsigned max_batch_bytes;

	/* Clients (issue 11); clients 0: none. */
	unsigned clients;
	unsigned keys;
	double read_ratio;
	double cas_ratio;
	double append_ratio;
	double delete_ratio;
	unsigned value_bytes;
	unsigned retries;
	uint64_t client_timeout_us; /* 0: options_client_timeout_us */
	uint64_t ops;               /* 0: until the run ends */
	int reads;                  /* READS_* */
	bool fenced_store;
	unsigned session_max;
	uint64_t session_expiry; /* applied entries; 0: never */

	/* Durable storage (issue 12). A node has a WAL (storage/wal.h) on
	 * threads with --data-dir (real files under DIR/node-I), in the
	 * simulator with --disk or any --disk-* fault (a simulated disk;
	 * latency --disk-ms). Without either, the log stays "as if on disk"
	 * in memory. */
	const char *data_dir;
	bool resume; /* --resume: go on from --data-dir's files and trace */
	/* Not a flag: the first client's number (run_dir.c: a resumed run's
	 * clients are numbered after the earlier runs'). */
	int client_base;
	bool sim_disk; /* --disk, or implied by a --disk-* fault */
	double disk_torn;
	double disk_corrupt;
	double disk_fsync_fail;
	uint64_t wal_segment_bytes; /* --wal-segment-bytes */

	/* Faults. */
	struct fault_window pauses[OPT_MAX_SCHEDULED];
	int pause_count;
	struct fault_window crashes[OPT_MAX_SCHEDULED];
	int crash_count;
	struct partition_window partitions[OPT_MAX_SCHEDULED];
	int partition_count;
	double pause_prob; /* per node per tick */
	struct tick_range pause_ticks;
	double crash_prob; /* per node per tick */
	struct tick_range crash_ticks;
	double partition_prob; /* per tick */
	struct tick_range partition_ticks;
	double drop;
	double dup;
	double reorder;
	struct tick_range latency_us;              /* --latency-ms, simulator */
	struct slow_node slows[OPT_MAX_SCHEDULED]; /* --slow */
	int slow_count;

	/* check and timeline: the trace FILE */
	const char *check_path;

	/* timeline, and --timeline at the end of a run */
	bool timeline;
	uint64_t timeline_from_us; /* --from */
	uint64_t timeline_to_us;   /* --to; 0: the end */

	/* explore */
	uint64_t runs;
	int jobs;

	/* failover */
	int trials;
	struct tick_range election_ms[OPT_MAX_RANGES];
	int election_ms_count;
	unsigned heartbeat_ms; /* 0: half the smallest minimum */
	unsigned disk_us;
	bool disk_parallel; /* a candidate's RequestVote leaves while its
				   own vote is persisted (thesis §10.2.1) */
	const char *csv_path;
	const char *svg_path;
	const char *html_path; /* report: --html */
	bool threads;          /* failover --threads */
	int first_ranked;      /* failover: FIRST_RANKED_* below */
	/* TCP (issue 13): run's --transport; every TCP command's --secret
	 * and --cluster-id; node's --id and --listen; --peers (node, client,
	 * bench: "0=HOST:PORT,1=..."); client's operation words (OP KEY
	 * [VALUE [NEW]]); client's and bench's --history FILE; bench's
	 * --duration. */
	int transport; /* TRANSPORT_* */
	const char *secret_path;
	uint64_t cluster_id;
	int node_id;
	const char *listen;
	const char *peers;
	const char *client_words[4];
	int client_word_count;
	const char *history_path;
	uint64_t duration_us;
	unsigned client_id; /* --client-id: the first id; OPT_CLIENT_ID_AUTO */
	/* check FILE...: the traces to merge (check_path is the first). */
	const char *check_paths[OPT_MAX_TRACES];
	int check_count;
	/* explore --shard K/N (shard_count 0: none), --summary FILE, and
	 * --merge FILE... (merge_count 0: not merging). */
	uint64_t shard_index;
	uint64_t shard_count;
	const char *summary_path;
	const char *merge_paths[OPT_MAX_MERGE];
	int merge_count;
	bool merge; /* --merge: the words are summaries to merge */
};

/* Fills the defaults (README "Command line"). */
void options_default(struct raftsim_options *o);

/* Parses argv (which getopt_long may permute). Returns 0, or EXIT_USAGE
 * after printing a message that names the bad flag or value to err: a bad
 * value, and a flag the subcommand (or mode) does not take. --help and
 * --version set o->help / o->version and return 0; so do the hidden --man
 * and --readme (o->man, o->readme). Parsing allocates nothing. */
int options_parse(struct raftsim_options *o, int argc, char **argv, FILE *err);

/* Prints the usage text of o->command: the flags it takes, the exit codes.
 * Returns 0, or EXIT_RUN_FAILED when out could not be written. */
int options_usage(const struct raftsim_options *o, FILE *out);

/* The man page raftsim.1, in roff (`raftsim --man`, `make install`). */
int options_write_man(FILE *out);

/* The README's flag tables, in Markdown (`raftsim --readme`): the README
 * holds this text between its "flags:begin" and "flags:end" markers. */
int options_write_readme(FILE *out);

/* The core configuration of node `id` after `restarts` restarts. Both
 * modes use it, so a seed gives every node the same timeouts in each; a
 * restarted node gets a fresh stream of its own. */
void options_node_config(const struct raftsim_options *o, int id,
			 uint64_t restarts, struct raft_config *cfg);

/* The --mistake name of one enum raft_mistake bit. */
const char *options_mistake_name(unsigned bit);

/* --slow's factor for node id: 1 when it is not slow. */
unsigned options_slow_factor(const struct raftsim_options *o, int id);

/* Whether the run proposes entries (--load). */
bool options_have_load(const struct raftsim_options *o);

/* Whether the run has clients (--clients), and how long one attempt of
 * theirs waits for its reply: --client-timeout-ms, or by default twice
 * the longest election timeout (a request lost with a leader waits out an
 * election, then its retry finds the new one). */
bool options_have_clients(const struct raftsim_options *o);
uint64_t options_client_timeout_us(const struct raftsim_options *o);

/* Whether any fault, scheduled or random, is configured. */
bool options_have_faults(const struct raftsim_options *o);

/* Writes a command line that reproduces this run (for explore and stress):
 * "raftsim --sim --nodes 5 ... --seed S". Every command fits in
 * OPTIONS_COMMAND_MAX bytes; returns 0, or -1 if it did not fit in size. */
int options_format_command(const struct raftsim_options *o, char *buf,
			   size_t size);

#endif

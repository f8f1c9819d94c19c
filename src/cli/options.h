/* options.h - the command line, parsed once, shared by every mode.
 *
 * `raftsim [run] [FLAGS]`, `raftsim check FILE`, `raftsim explore [FLAGS]`
 * and `raftsim failover [FLAGS]` all land in one struct raftsim_options.
 * Times given in ticks stay ticks; times given in ms become microseconds
 * (the one unit of time below the command line).
 * README "Command line" documents every flag; `raftsim --help` prints it.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "raft_state.h"

#define RAFTSIM_VERSION "0.4.0"
#define OPT_MAX_NODES 256   /* the core's RAFT_MAX_NODES */
#define OPT_MAX_SCHEDULED 64 /* --pause, --crash, --partition, each */
#define OPT_MAX_RANGES 16   /* failover --election-ms ranges */
#define WHO_LEADER (-2)     /* --pause leader@TICK:LEN */
#define OPT_DEFAULT_MAILBOX 1024

/* Exit codes (README "Exit codes"). */
enum { EXIT_PASS = 0, EXIT_VIOLATION = 1, EXIT_USAGE = 2 };

/* failover --first-ranked: the follower ranked first after the leader
 * (id leader+1, the first slot under --ranked-timeouts) stays up, crashes
 * with the leader, or is partitioned away at the same moment. */
enum { FIRST_RANKED_UP, FIRST_RANKED_DOWN, FIRST_RANKED_CUT };

enum raftsim_command { CMD_RUN, CMD_CHECK, CMD_EXPLORE, CMD_FAILOVER };

struct tick_range {
	uint64_t min;
	uint64_t max;
};

/* --pause and --crash: WHO@TICK:LEN. */
struct fault_window {
	int who; /* a node id, or WHO_LEADER */
	uint64_t tick;
	uint64_t len;
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
	bool sim;            /* --sim: virtual time instead of threads */
	bool help;
	bool version;
	bool quiet;

	/* The cluster. */
	int nodes;
	uint64_t ticks;
	uint64_t tick_us;    /* --tick-ms, in microseconds: every layer below
				the command line counts time in us */
	unsigned heartbeat_ticks;
	struct tick_range election; /* ticks */
	uint64_t seed;
	bool seed_given;
	const char *trace_path;
	unsigned mailbox;    /* messages per node mailbox (threads) */
	bool prevote;
	bool check_quorum;
	bool ranked_timeouts;
	unsigned mistakes;   /* enum raft_mistake bits */

	/* Faults. */
	struct fault_window pauses[OPT_MAX_SCHEDULED];
	int pause_count;
	struct fault_window crashes[OPT_MAX_SCHEDULED];
	int crash_count;
	struct partition_window partitions[OPT_MAX_SCHEDULED];
	int partition_count;
	double pause_prob;          /* per node per tick */
	struct tick_range pause_ticks;
	double crash_prob;          /* per node per tick */
	struct tick_range crash_ticks;
	double partition_prob;      /* per tick */
	struct tick_range partition_ticks;
	double drop;
	double dup;
	double reorder;
	struct tick_range latency_us; /* --latency-ms, simulator */

	/* check */
	const char *check_path;

	/* explore */
	uint64_t runs;
	int jobs;

	/* failover */
	int trials;
	struct tick_range election_ms[OPT_MAX_RANGES];
	int election_ms_count;
	unsigned heartbeat_ms;  /* 0: half the smallest minimum */
	unsigned disk_us;
	bool disk_parallel;     /* a candidate's RequestVote leaves while its
				   own vote is persisted (thesis §10.2.1) */
	const char *csv_path;
	const char *svg_path;
	bool threads;           /* failover --threads */
	int stale;              /* failover: survivors with stale logs */
	int first_ranked;       /* failover: FIRST_RANKED_* below */
};

/* Fills the defaults (README "Command line"). */
void options_default(struct raftsim_options *o);

/* Parses argv. Returns 0, or EXIT_USAGE after printing a message that
 * names the bad flag or value to err. --help and --version set o->help /
 * o->version and return 0. */
int options_parse(struct raftsim_options *o, int argc, char **argv,
		  FILE *err);

/* Prints the usage text for o->command. */
void options_usage(const struct raftsim_options *o, FILE *out);

/* The core configuration of node `id` after `restarts` restarts. Both
 * modes use it, so a seed gives every node the same timeouts in each; a
 * restarted node gets a fresh stream of its own. */
void options_node_config(const struct raftsim_options *o, int id,
			 uint64_t restarts, struct raft_config *cfg);

/* The --mistake name of one enum raft_mistake bit. */
const char *options_mistake_name(unsigned bit);

/* Whether any fault, scheduled or random, is configured. */
bool options_have_faults(const struct raftsim_options *o);

/* Writes a command line that reproduces this run (for explore and stress):
 * "raftsim --sim --nodes 5 ... --seed S". Returns 0 or -1 if it did not
 * fit. */
int options_format_command(const struct raftsim_options *o, char *buf,
			   size_t size);

#endif

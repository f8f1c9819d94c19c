/* explore_internal.h - what explore.c (the runs), explore_report.c (the
 * report on stdout), explore_summary.c (a shard's JSONL summary) and
 * explore_merge.c (--merge) share.
 *
 * The report is made from a tally alone, so that a single exploration and
 * the merge of its shards' summaries print it byte for byte alike.
 */
#ifndef EXPLORE_INTERNAL_H
#define EXPLORE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"

#define EXPLORE_FAILURES_KEPT 20

/* What became of one run. */
enum run_result {
	RUN_PASSED,
	RUN_FAILED,          /* a violation */
	RUN_UNDECIDED,       /* no violation, but the history was not decided */
	RUN_NOT_CARRIED_OUT, /* out of memory, or too many messages */
	RUN_INTERRUPTED,     /* not run to its end: not counted */
};

struct failure {
	uint64_t index;
	char what[200];
	char *command; /* allocated: the longest is OPTIONS_COMMAND_MAX */
};

/* The totals of the runs that finished, and the failures worth showing. */
struct explore_tally {
	uint64_t done;
	uint64_t failed;
	uint64_t elections;
	uint64_t faults;
	uint64_t ticks;
	/* The failures of the lowest run numbers, sorted. */
	struct failure failures[EXPLORE_FAILURES_KEPT];
	int failures_kept;
	int out_of_memory;
	/* Runs whose client history lincheck could not decide: neither
	 * passed nor failed. The lowest index's replay is kept. */
	uint64_t undecided;
	struct failure undecided_first;
	uint64_t not_run; /* skipped or cut short by SIGINT, SIGTERM */
};

/* explore_report.c. Keeps f if its run number is among the lowest
 * EXPLORE_FAILURES_KEPT, whatever order runs finish in (the report must
 * not depend on --jobs); returns the replay command no longer kept (f's,
 * or the one it displaced), for the caller to free. */
char *explore_keep_failure(struct explore_tally *t, const struct failure *f);
/* Counts an undecided run, keeping the lowest one's (f's command is
 * taken, or freed). */
void explore_keep_undecided(struct explore_tally *t, const struct failure *f);
void explore_tally_free(struct explore_tally *t);
/* "explore: N runs of ..., base seed S": the report's first line. */
void explore_print_header(FILE *out, const struct raftsim_options *o);
/* The failures kept and the totals; `planned` is the number of runs the
 * exploration meant to carry out (for the interrupted line). */
void explore_print_report(FILE *out, const struct explore_tally *t,
			  const struct raftsim_options *o, uint64_t planned);
/* The exit code of the tally (a violation, a run not judged or not
 * carried out), saying on err why a run could not be carried out. */
int explore_exit_code(const struct explore_tally *t, FILE *err);
/* The replay command's rule: the words of `what` before its ':'. */
void explore_rule_of(const char *what, char *rule, size_t size);

/* explore_summary.c: a shard's JSONL summary (README "explore --shard"),
 * written as its runs finish. */
#define EXPLORE_SUMMARY_SCHEMA 1
#define EXPLORE_RULES_MAX 64

struct explore_rule_count {
	char rule[64];
	uint64_t count;
};

struct explore_summary {
	const struct raftsim_options *base;
	FILE *f;
	int owned; /* f was opened here (not stdout) */
	struct explore_rule_count rules[EXPLORE_RULES_MAX];
	int rule_count;
	uint64_t other_rules; /* past EXPLORE_RULES_MAX distinct ones */
	uint64_t not_carried_out;
};

/* The shard's runs: those numbered K, K + N, ... below --runs. */
uint64_t explore_shard_runs(const struct raftsim_options *o);
/* The settings every shard must share, as the replay command of the base
 * without its per-run faults: "raftsim --sim --nodes 5 ... --seed S".
 * Returns 0, or -1 if it did not fit in size. */
int explore_settings_text(const struct raftsim_options *o, char *buf,
			  size_t size);
/* Opens o->summary_path (or uses out) and writes the header. Returns 0, or
 * EXIT_RUN_FAILED after saying why on err. */
int explore_summary_open(struct explore_summary *s,
			 const struct raftsim_options *o, FILE *out, FILE *err);
/* One line for a run that found something (f describes it). */
void explore_summary_run(struct explore_summary *s, enum run_result result,
			 uint64_t index, const struct failure *f);
/* The totals line; closes the file. Returns 0, or EXIT_RUN_FAILED after
 * saying why on err. */
int explore_summary_close(struct explore_summary *s,
			  const struct raftsim_options *o,
			  const struct explore_tally *t, double wall,
			  FILE *err);

/* explore_summary_read.c: one line of a summary, any of its three kinds,
 * read into the fields below (SUMMARY_HAS bits say which it had). Keys
 * not known are skipped, so that a later schema may add some. */
enum summary_key {
	SK_SUMMARY,
	SK_SCHEMA,
	SK_VERSION,
	SK_SHARD,
	SK_SHARDS,
	SK_RUNS,
	SK_NODES,
	SK_TICKS,
	SK_TICK_US,
	SK_SEED,
	SK_SETTINGS,
	SK_RUN,
	SK_RESULT,
	SK_RULE,
	SK_WHAT,
	SK_REPLAY,
	SK_TOTALS,
	SK_PLANNED,
	SK_DONE,
	SK_VIOLATIONS,
	SK_UNDECIDED,
	SK_NOT_CARRIED_OUT,
	SK_NOT_RUN,
	SK_ELECTIONS,
	SK_FAULTS,
	SK_WALL_S,
	SK_INTERRUPTED,
	SK_COUNT,
};
#define SUMMARY_HAS(line, key) (((line)->seen >> (key)) & 1u)

struct summary_line {
	uint32_t seen;          /* 1 << SK_* */
	uint64_t num[SK_COUNT]; /* the whole numbers, by key */
	double wall_s;
	bool totals;
	bool interrupted;
	char summary[32];
	char version[32];
	char result[32];
	char what[sizeof(((struct failure *)0)->what)];
	/* "settings" or "replay", the line's one long string, in a
	 * buffer the reader grows (free it); long_null: it was null. */
	char *long_text;
	size_t long_size;
	bool long_null;
};

/* Reads line (NUL-terminated, no '\n') into *l, growing l->long_text to
 * hold its long string. Returns 0, or -1 with a reason in why. */
int explore_summary_read_line(const char *line, struct summary_line *l,
			      char *why, size_t why_size);

/* explore_merge.c: explore --merge FILE... */
int explore_merge_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

/* trace.h - the JSONL trace, schema version 5 (2 to 4 are read too) (README
 * "The trace"; the client history's lines: lincheck/history.h).
 *
 * One JSON object per line. Every line has "ms" (milliseconds since the run
 * started, a number with up to 3 decimals) and "ev". The names are an
 * external contract: fields may be added, never renamed.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "harness/world.h"
#include "lincheck/history.h"

/* The longest trace line, '\n' excluded, that is written (a longer one
 * fails the trace) and read. Every line but a client's is under 8 KiB; a
 * get of an appended key returns every chunk appended since its last put,
 * which this bounds at about 60,000 chunks of 16 bytes. */
#define TRACE_LINE_MAX (1024 * 1024)
#define TRACE_LINE_MAX_TEXT "1048576" /* for messages */

/* A disk event's "text": what is written of it, and the most read. */
#define TRACE_TEXT_MAX 512

/* Formats one event as a JSON line (with '\n') into buf. `nodes` is the
 * cluster size, for partition groups. A client history event (invoke, ok,
 * fail, info) is ev->hist in history.h's format, with the event's own time
 * (ev->us) as its "ms". Returns the length, or -1 if it did not fit (or a
 * history event has no hist). */
int trace_format(char *buf, size_t size, const struct wev *ev, int nodes);

/* Storage that a parsed event may point into (info, groups, a client
 * event's operation and its strings, a disk event's text, a restart's
 * runs): one per reader, zeroed before its
 * first use ("= {0}" or memset) and freed with trace_slots_free. What an
 * event points into stays valid until the next trace_parse with the same
 * slots. */
struct trace_slots {
	struct run_info info;
	uint8_t group_of[RAFT_MAX_NODES];
	struct hist_event hist;
	struct hist_scratch scratch; /* hist's strings (history.h) */
	char text[TRACE_TEXT_MAX];   /* a disk event's text */
	uint64_t *runs;              /* a restart's runs: pairs (heap) */
	size_t runs_cap;             /* uint64_t's that runs holds */
};

void trace_slots_free(struct trace_slots *slots);

/* Parses one trace line into *ev. `nodes` is the cluster size from the
 * start line (0 before it). Returns 0, or -1 with a reason in err. Unknown
 * fields are ignored; unknown "ev" names are an error. */
int trace_parse(const char *line, struct wev *ev, struct trace_slots *slots,
		int nodes, char *err, size_t errlen);

/* `raftsim check FILE`: feeds every line to a fresh checker. Prints the
 * verdict on out, problems on err. A trace without its end line (a run
 * killed before it) is said to be incomplete and checked as far as it
 * goes. Returns 0 (no violation), 1 (violation, malformed trace, or counts
 * that differ from the end line's), 2 (cannot read the file) or 3 (the run
 * cannot be judged: checker_unjudged, or a client history the
 * linearizability check could not decide, with no safety violation). A
 * client history's report (checker_print_clients) follows the verdict. */
int trace_check_file(const char *path, FILE *out, FILE *err);

/* `raftsim check A B C`: merges per-node traces (trace_node.h) into one
 * stream on one clock and checks it (trace_merge.c); one file that is not
 * a node's is trace_check_file. Returns as trace_check_file, and 2 for
 * files that cannot be merged (named, with why, on err). */
int trace_check_files(const char *const *paths, int count, FILE *out,
		      FILE *err);

/* Reads one line (without '\n') into buf, which holds TRACE_LINE_MAX + 1
 * bytes (untouched pages cost nothing).
 * Returns 0, 1 at the end of the file, 2 for a last line without its
 * newline (a writer killed mid-line: the line is cut, the caller leaves
 * it out and says so), -1 for a bad line or -2 for a read error, with a
 * reason in *why. */
int trace_read_line(FILE *f, char *buf, size_t *len, const char **why);

struct checker;
/* A resumed run (--resume): feeds the killed runs' trace at path to the
 * run's own checker before its "resume" start line, so that its verdict
 * judges the whole history as `raftsim check` will (an end line the file
 * may have is left out). A missing file feeds nothing. Returns 0, or 1
 * (malformed) or 2 (unreadable, no memory) after a message on err;
 * *events is the number of events fed. */
int trace_feed_prior(struct checker *c, const char *path, uint64_t *events,
		     FILE *err);

#endif

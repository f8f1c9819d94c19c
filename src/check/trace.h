/* trace.h - the JSONL trace, schema version 3 (2 is read too) (README "Trace format").
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

/* Formats one event as a JSON line (with '\n') into buf. `nodes` is the
 * cluster size, for partition groups. Returns the length, or -1 if it did
 * not fit. */
int trace_format(char *buf, size_t size, const struct wev *ev, int nodes);

/* Storage that a parsed event may point into (info, groups). */
struct trace_slots {
	struct run_info info;
	uint8_t group_of[RAFT_MAX_NODES];
};

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
 * cannot be judged: checker_unjudged, with no safety violation). */
int trace_check_file(const char *path, FILE *out, FILE *err);

#endif

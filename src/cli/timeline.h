/* timeline.h - `raftsim timeline FILE`: the lesson's heartbeat timeline
 * (w12-l02, "Hero Visual") drawn from a run's events.
 *
 * One lane per node, time to the right: the leader's heartbeat rounds
 * (AppendEntries with no entries, Raft paper §5.2), each follower's timer
 * reset when it accepts one, election timeouts and role changes with their
 * term (§5.2), pauses, crashes and partitions as spans, and the violations
 * the checker (check/checker.h) finds, at the moment it finds them. A legend
 * follows, as in the lesson's picture.
 *
 * The renderer keeps one cell per lane and column, never the events: its
 * memory depends on the cluster size and the width, not on the length of
 * the run. Where marks meet in one column, the most important one wins:
 * violation > election or role change > fault > heartbeat (the legend says
 * so); a column's violations are also counted in a lane of their own, so
 * none is ever hidden.
 */
#ifndef TIMELINE_H
#define TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/world.h"
#include "options.h"

#define TIMELINE_MIN_WIDTH 30
#define TIMELINE_MAX_WIDTH 4096

/* Results of the functions below, which are also raftsim's exit codes. */
enum {
	TIMELINE_DRAWN = 0,
	TIMELINE_BAD = 2, /* not a trace, unreadable, or a bad window */
	TIMELINE_IO = 3,  /* out of memory, or the output failed */
};

struct timeline_opts {
	int width;       /* columns of the whole picture, labels included;
			   clamped to TIMELINE_MIN_WIDTH..TIMELINE_MAX_WIDTH */
	int64_t from_us; /* the window: from this time since the start, */
	int64_t to_us;   /* to this one; negative: to the end of the trace */
	bool utf8;       /* box-drawing glyphs instead of plain ASCII */
};

/* width from $COLUMNS (80 when unset or not a number), the whole run, and
 * utf8 when the locale's first set variable of LC_ALL, LC_CTYPE, LANG
 * names UTF-8. */
void timeline_opts_from_env(struct timeline_opts *t);

/* Draws the events ev[0..n), a whole run in time order whose first event
 * is WEV_START, onto out. Returns TIMELINE_DRAWN, TIMELINE_BAD (no start
 * event first, or to_us <= from_us) or TIMELINE_IO. */
int timeline_render(const struct wev *ev, size_t n,
		    const struct timeline_opts *t, FILE *out);

/* Reads the JSONL trace at path (README "The trace") and draws it, reading
 * one line at a time. Without to_us it reads the file twice: first to find
 * where the run ends. Problems go to err, naming the file and the line. */
int timeline_render_file(const char *path, const struct timeline_opts *t,
			 FILE *out, FILE *err);

/* Draws the trace at path with timeline_opts_from_env and the window of
 * --from and --to (o->timeline_from_us, o->timeline_to_us). */
int timeline_draw_trace(const struct raftsim_options *o, const char *path,
			FILE *out, FILE *err);

/* `raftsim timeline FILE [--from MS] [--to MS]`: o->check_path. */
int timeline_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

/* timeline_internal.h - the canvas that timeline.c fills and
 * timeline_draw.c prints; timeline_file.c feeds it from a trace file. */
#ifndef TIMELINE_INTERNAL_H
#define TIMELINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "check/checker.h"
#include "timeline.h"

#define TL_MAX_PARTITIONS 8 /* partitions listed under the picture */

/* What a cell shows, in rising importance: a cell keeps the greatest mark
 * put on it. The classes are the legend's priority order. */
enum timeline_mark {
	TL_NONE,
	TL_CAND_FILL,
	TL_LEAD_FILL, /* the role, between events */
	TL_RESET,
	TL_ROUND, /* heartbeats */
	TL_PART,
	TL_PAUSED,
	TL_CRASHED, /* faults, as spans */
	TL_DIGIT0,  /* ...9: a term after E, L, F */
	TL_PREVOTE = TL_DIGIT0 + 10,
	TL_FOLLOWER,
	TL_ELECTION,
	TL_LEADER,
	TL_VIOLATION,
	TL_MANY, /* the checker's lane: ten violations or more */
	TL_MARK_COUNT
};

struct timeline_lane {
	enum raft_role role;
	int64_t role_since;
	bool paused, crashed;
	int64_t paused_since, crashed_since;
};

struct timeline_partition {
	int64_t from_us, to_us; /* to_us < 0: never healed */
	uint8_t group_of[RAFT_MAX_NODES];
};

/* Optional listener (`raftsim report`): told every mark and span at its
 * exact time, as the canvas draws it, every violation with its index in
 * the checker's order (its lane, or -1 for the checker's lane), and every
 * event with the run's time. The text picture does not use it. */
struct timeline_sink {
	void (*mark)(void *ctx, int lane, int64_t us, enum timeline_mark m,
		     uint64_t term);
	void (*span)(void *ctx, int lane, int64_t from_us, int64_t to_us,
		     enum timeline_mark m);
	void (*violation)(void *ctx, int lane, int64_t us, uint64_t i);
	void (*event)(void *ctx, const struct wev *ev);
	void *ctx;
};

struct timeline_canvas {
	struct timeline_opts opts;
	const struct timeline_sink *sink; /* NULL: none */
	struct run_info info;
	int n;            /* nodes */
	int label_w;      /* "node-12 " */
	int cols;         /* of the chart */
	int64_t from, to; /* the window, in us */
	int64_t last_us;  /* the latest event */
	bool started, ended;
	struct checker *checker;
	uint8_t *cells;       /* (n + 1) lanes x cols; lane n: partitions */
	uint32_t *violations; /* per column */
	uint64_t violations_in_window;
	struct timeline_lane lanes[RAFT_MAX_NODES];
	bool partitioned;
	int64_t partitioned_since;
	uint8_t group_of[RAFT_MAX_NODES]; /* of the partition in force */
	int npartitions;                  /* in the window, listed or not */
	struct timeline_partition partitions[TL_MAX_PARTITIONS];
};

/* timeline.c: a canvas for a window that ends at end_us (the run's end
 * when t->to_us is negative). Returns NULL when out of memory. */
struct timeline_canvas *timeline_canvas_new(const struct timeline_opts *t,
					    int64_t end_us);
void timeline_canvas_free(struct timeline_canvas *cv);
/* Feeds one event; the first must be WEV_START. Returns TIMELINE_DRAWN,
 * TIMELINE_BAD or TIMELINE_IO. */
int timeline_canvas_add(struct timeline_canvas *cv, const struct wev *ev);
/* Closes the spans still open and ends the checker's run. */
void timeline_canvas_finish(struct timeline_canvas *cv);
/* The column of a time inside the window. */
int timeline_col(const struct timeline_canvas *cv, int64_t us);

/* timeline_file.c: reads the trace at path onto a new canvas with the
 * sink (may be NULL), finished; names its problems on err. Returns
 * TIMELINE_DRAWN with *out set (free it), or another result. prog names
 * the command in messages ("raftsim report"). */
int timeline_canvas_read(const char *path, const struct timeline_opts *t,
			 const struct timeline_sink *sink, const char *prog,
			 FILE *err, struct timeline_canvas **out);

/* timeline_draw.c: prints the finished canvas. Returns TIMELINE_DRAWN or
 * TIMELINE_IO. */
int timeline_canvas_print(const struct timeline_canvas *cv, FILE *out);

#endif

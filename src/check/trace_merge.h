/* trace_merge.h - what the two halves of `raftsim check A B C` share:
 * trace_merge_scan.c reads every file once and decides whether they can be
 * merged and on which clock; trace_merge.c reads them again side by side
 * and feeds one stream to a checker.
 */
#ifndef TRACE_MERGE_H
#define TRACE_MERGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"
#include "trace_node.h"

/* Synthetic events queued ahead of a file's own: a crash, a restart. */
#define MERGE_SYNTH 2

struct mfile {
	const char *path;
	FILE *f;
	struct trace_slots slots;
	/* What the scan found. */
	struct trace_node_start first; /* its first start line */
	struct run_info info;          /* and that line's run_info */
	uint64_t events;
	bool ended;      /* it ends with an end line */
	bool mono_back;  /* a resume's monotonic time 0 lies before the
			    segment it follows: the host rebooted */
	bool host_moved; /* its start lines name several hosts */
	/* The merge. */
	uint64_t line;
	int nseg;       /* start lines read */
	int64_t base;   /* the segment's time 0 on the merged clock */
	int64_t last;   /* the latest merged time of its events */
	bool up;        /* its node is up in the checker's view */
	bool starting;  /* a start line read, not yet its first event */
	int64_t up_at;  /* that start line's merged time */
	bool held;      /* raw waits behind synthetic events */
	struct wev raw; /* a parsed line, not fed yet */
	int nsynth;
	struct wev synth[MERGE_SYNTH];
	bool have;       /* head is its next event, in merged time */
	bool made;       /* made here, not a line of the file */
	struct wev head; /* (pointers into slots, valid until it moves) */
};

enum merge_clock {
	MERGE_MONOTONIC, /* one host: mono_us, real time order exactly */
	MERGE_WALL,      /* several hosts (or a reboot): unix_us */
};

struct merge {
	struct mfile *files;
	int count;
	char *buf; /* one line, TRACE_LINE_MAX + 1 bytes */
	enum merge_clock clock;
	const char *wall_why; /* why wall clocks: for the header */
	int64_t t0;           /* the earliest time 0, on that clock */
	FILE *out, *err;
};

/* Scans every file: each must be a readable per-node trace, one per node
 * of one cluster. Chooses the clock. Returns 0, 1 (a malformed file) or 2
 * (unreadable, or files that are not one cluster's node traces), after a
 * message on m->err naming the file. */
int merge_scan(struct merge *m);

/* A node file's first start line, read from path: its mode in mode (""
 * if it cannot tell). */
void merge_peek_mode(const char *path, char *mode, size_t size);

/* The clock value of a start line: its time 0 on m->clock. */
int64_t merge_clock_of(const struct merge *m,
		       const struct trace_node_start *ns);

#endif

/* report_internal.h - what report.c collects from a trace through the
 * timeline's sink, and report_html.c writes. */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

#include <stdint.h>

#include "report.h"
#include "timeline_internal.h"

/* Past these many marks or points the page would be too heavy for a
 * browser; the rest are counted, and the page says so. */
#define REPORT_MAX_ITEMS 200000
#define REPORT_KEY_MAX 48 /* bytes of a client key or value kept */

struct report_mark {
	int lane;
	int64_t us;
	uint8_t mark; /* enum timeline_mark */
	uint64_t term;
};

struct report_span {
	int lane; /* cv->n: the partitions' lane */
	int64_t from_us, to_us;
	uint8_t mark;
	uint64_t term; /* of a leader span */
};

struct report_violation {
	int lane; /* -1: the checker's lane */
	int64_t us;
	uint64_t index; /* in the checker's order */
};

struct report_commit {
	int node;
	int64_t us;
	uint64_t index;
};

struct report_op {
	int client;
	uint64_t id;
	int64_t from_us, to_us; /* to_us < 0: never completed */
	uint8_t op;             /* enum hist_op */
	uint8_t result;         /* enum hist_type: the completion, or invoke */
	char key[REPORT_KEY_MAX];
	char value[REPORT_KEY_MAX];
};

#define REPORT_ARRAY(T)                                                        \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}

struct report {
	const char *path;
	struct timeline_canvas *cv;
	REPORT_ARRAY(struct report_mark) marks;
	REPORT_ARRAY(struct report_span) spans;
	REPORT_ARRAY(struct report_violation) violations;
	REPORT_ARRAY(struct report_commit) commits;
	REPORT_ARRAY(struct report_op) ops;
	uint64_t dropped; /* items past REPORT_MAX_ITEMS */
	bool nomem;
	uint64_t lead_term[RAFT_MAX_NODES]; /* of each lane's leader span */
	uint64_t events, max_term, ticks;
	uint64_t counts[WEV_TYPE_COUNT];
	const char *verdict; /* "PASS", "FAIL", "CANNOT JUDGE" */
};

/* report_html.c: the page. Returns REPORT_WRITTEN or REPORT_IO. */
int report_html(const struct report *r, FILE *f);

#endif

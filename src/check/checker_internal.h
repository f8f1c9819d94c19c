/* checker_internal.h - what checker.c and checker_terms.c share. */
#ifndef CHECKER_INTERNAL_H
#define CHECKER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "checker.h"

struct node {
	uint64_t term, prev_term; /* now, and before the last WEV_TERM */
	enum raft_role role;
	bool paused, crashed;
	int64_t up_since;      /* last resume or restart (start at first) */
	int64_t leader_since;  /* last became leader */
	int64_t reach_changed; /* last partition change of whom it reaches */
	int hb_leader;         /* the last heartbeat it accepted: from whom, */
	uint64_t hb_term;      /* in which term */
	int64_t hb_at;         /* and when */
	/* After a leader saw a higher term: 1 expects the term change next,
	 * 2 the role change to follower. */
	int watch;
	uint64_t watch_term, watch_seen;
};

struct checker {
	struct run_info info;
	bool started, finished, nostart_reported, oom;
	bool live_checked; /* the run has no continuous faults to excuse it */
	bool fault_seen;   /* a pause, crash or partition happened */
	bool partitioned;
	bool live_pending; /* a quiet period awaits its liveness verdict */
	int n;
	int64_t last_us;
	int64_t quiet_since;
	uint64_t live_wait; /* ticks from the quiet to the verdict */
	uint64_t violations, spurious;
	int64_t last_violation_us; /* when the latest violation happened */
	int nreports;
	struct checker_violation reports[CHECKER_MAX_REPORTS];
	uint8_t group_of[RAFT_MAX_NODES];
	uint64_t base;  /* the term of slots[0] */
	int16_t *slots; /* n + 1 per term from base, cap terms */
	size_t cap;
	struct node nodes[RAFT_MAX_NODES];
};

/* checker.c: counts a violation and keeps its report while there is room. */
void checker_violate(struct checker *c, int64_t us, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* checker_terms.c: the per-term records (who led, who voted for whom). */
void checker_prune(struct checker *c);
void checker_become_leader(struct checker *c, int node, const struct wev *ev);
void checker_vote(struct checker *c, int node, const struct wev *ev);
void checker_from_leader(struct checker *c, const struct wev *ev, int leader,
			 const char *what);

#endif

/* checkfeed.h - hand-made event streams for the checker tests.
 *
 * The names are short so that each test reads as the stream it feeds. One
 * checker at a time: begin() or start() frees the last one.
 */
#ifndef CHECKFEED_H
#define CHECKFEED_H

#include <stdint.h>

#include "check/checker.h"

#define MS(x) ((int64_t)(x)*1000)

extern struct checker *ck;   /* the checker being fed */
extern struct run_info info; /* what the next start event says */

/* A fault-free run of `nodes` (see checkfeed.c); edit `info`, then start(). */
void setup(int nodes);
/* A fresh checker, fed the start event of `info`. */
void start(void);
/* setup(nodes), then start(). */
void begin(int nodes);

/* One event as the streams write it: for WEV_ROLE, `peer` holds the role;
 * a core event's clock ("now") is us / run->tick_us. */
struct wev stream_event(enum wev_type type, int64_t us, int node, uint64_t term,
			int peer, const struct run_info *run);

void feed(enum wev_type type, int64_t us, int node, uint64_t term, int peer);
/* One core event with the node's clock given: a paused node's clock
 * stands still, a restarted node's starts again from 0. */
void feed_clock(enum wev_type type, int64_t us, uint64_t now, int node,
		uint64_t term, int peer);
/* A message from `from` to `to` lost to a full mailbox. */
void loss(int64_t us, int from, int to);
/* Node `node`'s thread ran its acting tick late_us late, said at `us`. */
void late(int64_t us, int node, int64_t late_us);
/* Node `node` (in the role the stream gave it) of `term` sees `seen` in a
 * message from the next node. */
void saw_term(int64_t us, int node, uint64_t term, uint64_t seen);
void partition(int64_t us, const uint8_t *group_of);
void campaign(int64_t us, int node, uint64_t t);
void elect(int64_t us, int leader, uint64_t t, int voters);
void lead(int64_t from, int64_t to, int leader, uint64_t t);
void lead_but(int64_t from, int64_t to, int leader, uint64_t t, int deaf);

/* Log events: first..last of entry_term (digest derived from last and
 * entry_term, so the same entries give the same state on every node). */
void log_event(enum wev_type type, int64_t us, int node, uint64_t term,
	       uint64_t first, uint64_t last, uint64_t entry_term);
void append(int64_t us, int node, uint64_t term, uint64_t first, uint64_t last,
	    uint64_t entry_term);
void commit(int64_t us, int node, uint64_t term, uint64_t index);
void apply(int64_t us, int node, uint64_t term, uint64_t first, uint64_t last,
	   uint64_t entry_term);
void truncate_from(int64_t us, int node, uint64_t term, uint64_t from);
/* leader RAFT_NONE: taken here; otherwise installed from leader. */
void snapshot(int64_t us, int node, uint64_t term, uint64_t index,
	      uint64_t entry_term, int leader);

/* Storage (schema 5): node promised term, vote (RAFT_NONE: none) and its
 * log up to (index, index_term); node restarted with what it recovered
 * (runs: nruns pairs of first index and term); something happened to
 * node's disk; a resumed run's start line at (its own) time us. */
void persist(int64_t us, int node, uint64_t term, int vote, uint64_t index,
	     uint64_t index_term);
void recover(int64_t us, int node, uint64_t term, int vote, uint64_t snap,
	     uint64_t snap_term, const uint64_t *runs, int nruns, uint64_t last,
	     uint64_t last_term);
void disk(int64_t us, int node, enum wev_disk_what what);
void resume_at(int64_t us);

uint64_t violations(void);
int reported(const char *text);

#endif

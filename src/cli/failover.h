/* failover.h - `raftsim failover`: how long a cluster has no leader after
 * its leader crashes, measured as in the Raft paper's Figure 16 (§9.3).
 *
 * A trial starts a cluster, waits for a stable leader, crashes it at a
 * moment drawn uniformly within its heartbeat interval (after a heartbeat
 * round), and measures the downtime: from the crash until every live node
 * has received the new leader's first heartbeat. Rounds = new term - old.
 *
 * With --load the cluster replicates proposals all along, so the leader
 * dies with entries on their way, and some survivors' logs are behind
 * others': a candidate behind its voters loses (§5.4.1). The trial counts
 * such stale survivors at the crash and when the first election starts.
 */
#ifndef FAILOVER_H
#define FAILOVER_H

#include <stdint.h>
#include <stdio.h>

#include "harness/world.h"
#include "options.h"

struct trial_result {
	double downtime_ms;
	uint64_t rounds;
	/* Survivors whose log is behind the most up-to-date survivor's: */
	int stale_at_crash; /* as the leader crashed */
	int stale_at_vote;  /* as the first election began: what counts */
	int capped;   /* no leader before the cap: downtime_ms is the cap */
	int finished; /* run to its end: not interrupted, nor failed */
};

struct range_stats {
	double mean, p50, p90, p99, max;
	double rounds_mean;
	double stale_at_crash_mean;
	double stale_at_vote_mean;
	int trials;
	int capped;
};

/* Where a log ends: §5.4.1 compares logs by these. */
struct log_tail {
	uint64_t term;
	uint64_t index;
};

/* Follows a trial's events, in either world, to see when every live node
 * has heard the new leader after the old one crashed. */
struct failover_watch {
	int nodes;
	int absent;  /* left out: cut off with the leader, or
				  RAFT_NONE */
	int crashed; /* the first node crashed, or RAFT_NONE */
	int64_t crash_us;
	uint64_t old_term;               /* its term when it crashed */
	int64_t round_us[OPT_MAX_NODES]; /* last heartbeat round before the
					    crash, or -1 */
	uint64_t term[OPT_MAX_NODES];
	uint64_t leader_term[OPT_MAX_NODES]; /* term a node leads, or 0 */
	int up[OPT_MAX_NODES];
	int heard_leader[OPT_MAX_NODES];
	uint64_t heard_term[OPT_MAX_NODES];
	/* Each node's last log entry: now, as the leader crashed, and as the
	 * first election after it began (election_seen). */
	struct log_tail last[OPT_MAX_NODES];
	struct log_tail at_crash[OPT_MAX_NODES];
	struct log_tail at_vote[OPT_MAX_NODES];
	int election_seen;
	int done; /* the new leader has been heard by all */
	int64_t done_us;
	uint64_t new_term;
};

void failover_watch_init(struct failover_watch *w, int nodes);
/* A harness_tap callback; ctx is the watch. */
void failover_watch_event(void *ctx, const struct wev *ev);
/* Of the survivors (neither crashed nor absent) in `tails`, how many end
 * their log before the most up-to-date one: the voters ahead of such a
 * candidate refuse it (§5.4.1), and the ones furthest behind cannot win.
 * 0 before the crash. */
int failover_watch_stale(const struct failover_watch *w,
			 const struct log_tail *tails);

/* The options of one trial for one timeout range: 1 ms ticks, no faults. */
void failover_trial_options(const struct raftsim_options *base,
			    const struct tick_range *range_ms,
			    struct raftsim_options *o);

/* One simulated trial. Returns 0 (res->finished), 1 when SIGINT or
 * SIGTERM cut it short (harness_stop.h), or -1 when it could not be
 * carried out (out of memory). */
int failover_sim_trial(const struct raftsim_options *o, uint64_t seed,
		       struct trial_result *res);

/* One real-time trial on the threaded runtime; returns as the above. */
int failover_thread_trial(const struct raftsim_options *o, uint64_t seed,
			  FILE *sink, struct trial_result *res);

/* Sorts `results` by downtime and summarises them. */
void failover_stats(struct trial_result *results, int n,
		    struct range_stats *st);

/* failover_out.c: the terminal CDF, the CSV and the SVG. */
void failover_print_cdf(FILE *out, const struct trial_result *sorted, int n);
int failover_write_csv(FILE *f, const struct tick_range *range,
		       const struct trial_result *results, int n);
int failover_write_svg(FILE *f, const struct tick_range *ranges,
		       struct trial_result *const *sorted, const int *counts,
		       int range_count);

/* failover_html.c: the page of --html: the settings (header: failover's
 * first line), note (an interruption, or NULL), the table of stats and the
 * SVG's CDFs inline. Returns 0, or -1 when a write failed. */
int failover_write_html(FILE *f, const struct raftsim_options *o,
			const char *header, const char *note,
			struct trial_result *const *sorted,
			const struct range_stats *stats, const int *counts,
			int range_count);

int failover_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

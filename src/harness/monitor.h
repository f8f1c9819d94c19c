/* monitor.h - where every event of a run goes: trace, console, checker.
 *
 * Not thread-safe by itself: the threaded runtime calls it under its
 * monitor lock (and takes the timestamp under that same lock, so trace
 * lines come out in non-decreasing "ms"); the simulator has one thread.
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stdint.h>
#include <stdio.h>

#include "check/checker.h"
#include "raft_state.h"
#include "world.h"
#include "writer.h"

struct monitor {
	struct run_info info;
	struct writer trace;   /* off: no trace */
	struct writer console; /* off: --quiet */
	struct checker *checker;
	int64_t last_us;
	uint64_t events;
	uint64_t elections;
	uint64_t leaders_elected;
	int trace_failed; /* a trace line did not fit its buffer */
	int ended;
	bool interrupted; /* stopped by a signal: said in the end event */
	unsigned mailbox; /* --mailbox, for the verdict's words; 0: unsaid */
	const char *log_line; /* the verdict's "log:" line, or NULL/"" */
	char *long_line;      /* a client event's line too long for the stack */
	size_t long_cap;
};

/* What the end-of-run summary says about one node. */
struct node_summary {
	enum raft_role role;
	uint64_t term;
	uint64_t timeout_resets;
	uint64_t elections_started;
	uint64_t commit_index; /* printed with --load (the log: line) */
	uint64_t last_applied;
	uint64_t snapshots_sent; /* transfers begun as leader */
	uint64_t snapshots_installed;
	int up; /* 0 if paused or crashed at the end */
	bool remote; /* another process's (raftsim node): no line */
};

struct raftsim_options;

/* Fills a run's start line from the command line; mode is "threads" or
 * "sim". */
void monitor_run_info(struct run_info *info, const struct raftsim_options *o,
		      const char *mode);

/* Writes the start event, directly: the streams are in writer.h's direct
 * mode until the caller starts them (harness_output_open). Returns 0, or
 * -1 when out of memory. */
int monitor_init(struct monitor *m, const struct run_info *info, FILE *trace,
		 FILE *console);
/* monitor_init for a resumed run (--resume, run_info.resume): the
 * checker first reads the killed runs' trace `prior` (NULL: none), so
 * that this run's verdict judges the whole history, as `raftsim check`
 * will judge the file. Returns 0, -1 when out of memory, or 1 (malformed)
 * or 2 (unreadable) after a message on err. */
int monitor_init_resumed(struct monitor *m, const struct run_info *info,
			 FILE *trace, FILE *console, const char *prior,
			 FILE *err);
void monitor_free(struct monitor *m);

/* Records one event: trace line, console line, checker. */
void monitor_event(struct monitor *m, const struct wev *ev);

/* Writes the end event and finishes the checker. */
void monitor_end(struct monitor *m, int64_t us, uint64_t ticks);

/* Prints one line per node, what was checked, what the machine could not
 * keep (late ticks, messages lost to full mailboxes), and the verdict line
 * ("raftsim: PASS (...)", "raftsim: FAIL (...)" or "raftsim: CANNOT JUDGE
 * (...)") to out, then a non-linearizable history's report; and the
 * violations to err. Returns the exit code: EXIT_PASS; EXIT_VIOLATION; or
 * EXIT_RUN_FAILED when the run cannot be judged (checker_unjudged, or a
 * client history left undecided) and broke no safety rule. */
int monitor_verdict(struct monitor *m, const struct node_summary *nodes, int n,
		    FILE *out, FILE *err);

#endif

/* writer.h - one output stream of a run (the --trace file, or the console)
 * behind a bounded queue, so that whoever produces a line never waits for
 * the disk or for a reader.
 *
 * Why: the monitor formats lines under the events lock, which node threads
 * take while they hold their own node lock (runtime.c). Were it to write
 * there, a paused pager (a stdout nobody reads) would hold the whole
 * cluster, and the timing the run was started to observe would be lost.
 *
 * Two modes:
 *  - direct (after writer_init): writer_put writes at once, on the caller's
 *    thread. The simulator stays in it: a stalled reader only stalls
 *    virtual time, and its output stays a pure function of the seed.
 *  - threaded (writer_start .. writer_stop): writer_put copies the line
 *    into a byte ring, and the stream's own thread writes it out, off
 *    every lock but the ring's own (a leaf, runtime.c's lock order). It
 *    gathers lines for up to gather_us (a trace WRITER_GATHER_US, a console
 *    WRITER_CONSOLE_GATHER_US), then writes and flushes.
 *
 * When the ring is full, what happens depends on the stream's policy:
 *  - WRITER_DROP (the console): the line is dropped and counted; the run
 *    goes on, and harness_verdict reports the count on stderr.
 *  - WRITER_KEEP (the trace): the caller waits for room, at most
 *    keep_wait_us (WRITER_KEEP_WAIT_US on threads, where a longer wait
 *    would stall the cluster; for ever in the simulator, whose virtual
 *    time does not mind); if there is still none, the stream is "overrun":
 *    nothing more is written, so the file is a whole-line prefix of the
 *    run with no gap, and the run fails (EXIT_RUN_FAILED).
 * A write error stops a stream for good too (err, closed): the console
 * when its reader went away or its device failed, the trace when the disk
 * did. The lines not written after that are counted.
 *
 * Durability: every line put in either mode is handed to the kernel within
 * about WRITER_FLUSH_US of wall time (a run killed with SIGKILL keeps
 * them), and all of them by writer_stop.
 */
#ifndef WRITER_H
#define WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WRITER_FLUSH_US 100000 /* lines reach the kernel this soon */
#define WRITER_GATHER_US 50000 /* a threaded trace's batching wait */
/* A console only has to look live to a person: a longer batch halves its
 * thread's wake-ups (the tickless ratio counts them). */
#define WRITER_CONSOLE_GATHER_US 100000
#define WRITER_KEEP_WAIT_US 1000000     /* the trace waits this long for room */
#define WRITER_TRACE_RING (8u << 20)    /* bytes: a trace this far behind */
#define WRITER_CONSOLE_RING (64u << 10) /* ~1500 console lines */

enum writer_policy { WRITER_DROP, WRITER_KEEP };

struct writer {
	FILE *f; /* NULL: the stream is off, puts do nothing */
	enum writer_policy policy;
	size_t ring_size;
	int64_t keep_wait_us;  /* WRITER_KEEP: INT64_MAX waits for ever */
	int64_t gather_us;     /* threaded: a line waits this long at most */
	int64_t last_flush_us; /* direct mode: the writing thread's */

	/* Threaded mode; mu guards what follows. */
	bool threaded;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* the thread: lines, or stop */
	pthread_cond_t room; /* a WRITER_KEEP put waiting for room */
	pthread_t thread;
	char *ring;
	size_t head;
	size_t len;
	bool stopping;
	bool asleep;           /* the thread waits for lines with no deadline */
	pthread_cond_t synced; /* writer_sync: the thread flushed */
	uint64_t put_bytes;    /* bytes put into the ring */
	uint64_t taken_bytes;  /* bytes the thread took out of it */
	uint64_t flushed_bytes; /* bytes handed to the kernel (fflush) */
	unsigned sync_waiters;  /* writer_sync calls waiting: no gathering */
	char *chunk;            /* the thread's: what it writes, unlocked */

	/* Results: under mu while threaded, plain after writer_stop. */
	int err;            /* the first failed write's errno, or 0 */
	bool closed;        /* a write failed: nothing more is written */
	bool overrun;       /* WRITER_KEEP: no room in time */
	uint64_t lines;     /* lines put */
	uint64_t dropped;   /* WRITER_DROP: lines dropped, ring full */
	uint64_t unwritten; /* lines not written once closed or overrun */
};

/* A stream to `f` (NULL: off), in direct mode. Allocates nothing.
 * keep_wait_us is WRITER_KEEP_WAIT_US until changed. */
void writer_init(struct writer *w, FILE *f, enum writer_policy policy,
		 size_t ring_size);

/* Switches to threaded mode: allocates the ring and starts the thread.
 * Returns 0, or an errno value (still direct, nothing held). A stream
 * that is off stays direct. */
int writer_start(struct writer *w);

/* Writes out what is queued, stops the thread and flushes: direct mode
 * again, results final. Safe in direct mode (it flushes) and twice. */
void writer_stop(struct writer *w);

/* One whole line (with its '\n'). Threaded: the caller may hold any lock
 * of the runtime; this takes only the ring's. */
void writer_put(struct writer *w, const char *line, size_t len);

/* Returns once every line put so far has been handed to the kernel
 * (write(2): a kill -9 of the process keeps it), or can never be (the
 * stream closed or overran). Threaded: the caller must hold no lock the
 * monitor takes (it waits for the stream's thread, which it hurries). A
 * client's invoke before its request leaves (harness_clients.c). */
void writer_sync(struct writer *w);

#endif

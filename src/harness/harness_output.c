/* harness_output.c - the outputs and the verdict of one run, the same in
 * both worlds: the --trace file, the monitor and its two streams
 * (writer.h), the end event, the verdict, and what a failed or stalled
 * output does to the exit code. See harness.h. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_stdio.h"
#include "harness_stop.h"

/* The trace is written by its own thread in both worlds, so that it
 * reaches the disk within WRITER_FLUSH_US however long the run computes;
 * on threads, the console too, so that a stalled reader drops console
 * lines instead of holding the cluster. The simulator writes its console
 * itself: a stalled reader only stalls virtual time, and no line is lost.
 * The simulator's trace waits for room as long as it takes (its time is
 * virtual); the runtime's, WRITER_KEEP_WAIT_US at most. */
static int start_streams(struct monitor *mon, bool real_time)
{
	int rv;

	if (!real_time)
		mon->trace.keep_wait_us = INT64_MAX;
	rv = writer_start(&mon->trace);
	if (rv == 0 && real_time) {
		rv = writer_start(&mon->console);
		if (rv != 0)
			writer_stop(&mon->trace);
	}
	return rv;
}

/* A resumed run's trace goes on from the killed run's: a last line the
 * kill cut in half is cut off (and said), the rest kept. Returns 0 or an
 * errno value. */
static int cut_partial_line(const char *path, FILE *err)
{
	char buf[4096];
	off_t end, at;
	ssize_t got;
	int fd, rv = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno;
	end = lseek(fd, 0, SEEK_END);
	at = end;
	while (at > 0) { /* back to the last '\n' */
		size_t n = at < (off_t)sizeof(buf) ? (size_t)at : sizeof(buf);

		got = pread(fd, buf, n, at - (off_t)n);
		if (got != (ssize_t)n) {
			rv = got < 0 ? errno : EIO;
			goto out;
		}
		while (n > 0 && buf[n - 1] != '\n')
			n--, at--;
		if (n > 0)
			break;
	}
	if (at == end)
		goto out;
	if (ftruncate(fd, at) != 0) {
		rv = errno;
		goto out;
	}
	fprintf(err,
		"raftsim: --trace: cut %lld bytes of a partial last line "
		"from '%s' (the killed run's)\n",
		(long long)(end - at), path);
out:
	close(fd);
	return rv;
}

int harness_output_open(struct harness_output *out,
			const struct raftsim_options *o, const char *mode,
			FILE *console, FILE *err)
{
	struct run_info info;
	int code = EXIT_USAGE;
	int rv;

	memset(out, 0, sizeof(*out));
	out->trace_path = o->trace_path;
	if (o->trace_path != NULL && o->resume &&
	    (rv = cut_partial_line(o->trace_path, err)) != 0) {
		fprintf(err, "raftsim: --trace: cannot resume '%s': %s\n",
			o->trace_path, strerror(rv));
		code = EXIT_RUN_FAILED;
		goto err;
	}
	if (o->trace_path != NULL) {
		out->trace = fopen(o->trace_path, o->resume ? "a" : "w");
		if (out->trace == NULL) {
			fprintf(err, "raftsim: --trace: cannot open '%s': %s\n",
				o->trace_path, strerror(errno));
			goto err;
		}
	}
	code = EXIT_RUN_FAILED;
	monitor_run_info(&info, o, mode);
	rv = o->resume ? monitor_init_resumed(&out->mon, &info, out->trace,
					      console, o->trace_path, err)
		       : monitor_init(&out->mon, &info, out->trace, console);
	if (rv < 0)
		fprintf(err, "raftsim: out of memory\n");
	if (rv != 0)
		goto err_trace;
	out->mon.mailbox = o->mailbox;
	/* The start line in the file at once: a run killed in its first
	 * moments leaves a trace that says what it was. */
	writer_sync(&out->mon.trace);
	rv = start_streams(&out->mon, strcmp(mode, "sim") != 0);
	if (rv != 0) {
		fprintf(err, "raftsim: cannot start the output writers: %s\n",
			strerror(rv));
		goto err_trace;
	}
	return EXIT_PASS;
err_trace:
	if (out->trace != NULL)
		fclose(out->trace);
	out->trace = NULL;
err:
	monitor_free(&out->mon);
	return code;
}

int harness_output_close(struct harness_output *out, int code, FILE *err)
{
	/* A run that ended without a verdict (out of memory) still gets
	 * every line it produced into its trace, without an end event. */
	writer_stop(&out->mon.trace);
	writer_stop(&out->mon.console);
	monitor_free(&out->mon);
	if (out->trace != NULL && fclose(out->trace) != 0 &&
	    code != EXIT_RUN_FAILED) {
		fprintf(err, "raftsim: --trace: closing '%s' failed: %s\n",
			out->trace_path, strerror(errno));
		code = EXIT_RUN_FAILED;
	}
	out->trace = NULL;
	return code;
}

/* A trace that is not the whole run fails it: no silent gap. */
static int trace_code(const struct monitor *mon, const char *path, int code,
		      FILE *err)
{
	const struct writer *t = &mon->trace;

	if (t->overrun)
		fprintf(err,
			"raftsim: --trace: '%s' could not keep up with "
			"the run (%u MiB behind for %d ms): it stops "
			"after %" PRIu64 " of %" PRIu64 " lines\n",
			path, WRITER_TRACE_RING >> 20,
			WRITER_KEEP_WAIT_US / 1000, t->lines - t->unwritten,
			t->lines);
	else if (t->closed)
		fprintf(err, "raftsim: --trace: writing '%s' failed: %s\n",
			path, strerror(t->err));
	else if (mon->trace_failed)
		fprintf(err,
			"raftsim: --trace: writing '%s' failed: an event "
			"too long for a trace line\n",
			path);
	else
		return code;
	return EXIT_RUN_FAILED;
}

/* Console lines dropped or not printed are said, never hidden. */
static int console_code(const struct monitor *mon, int code, FILE *err)
{
	const struct writer *c = &mon->console;

	if (c->dropped > 0)
		fprintf(err,
			"raftsim: %" PRIu64 " console lines dropped: "
			"output stalled\n",
			c->dropped);
	if (!c->closed)
		return code;
	if (!harness_stdio_closed(c->f, c->err)) {
		fprintf(err, "raftsim: writing standard output failed: %s\n",
			strerror(c->err));
		clearerr(c->f); /* said: main's last check need not repeat it */
		return EXIT_RUN_FAILED;
	}
	fprintf(err,
		"raftsim: standard output closed: %" PRIu64
		" console lines not printed\n",
		c->unwritten);
	return code;
}

/* The summary's "log:" line, for a run with --load: what was committed
 * and applied, the leaders' throughput over the run, and their commit
 * latencies. */
static void format_log_line(struct harness *h, int64_t end_us, char *buf,
			    size_t size)
{
	struct harness_log_summary log; /* ~4 KiB: its latency histogram */
	double seconds = (double)(end_us > 0 ? end_us : 1) / 1e6;

	buf[0] = '\0';
	if (!options_have_load(h->opt))
		return;
	harness_log_summary(h, &log);
	/* raftsim node: one node's view; its rate counts what it applied
	 * while it led (0 on a node that never led). */
	snprintf(buf, size,
		 "log: %" PRIu64 " committed, %" PRIu64
		 " applied (%s), %.0f entries/s%s, commit latency "
		 "p50 %" PRId64 " us, p99 %" PRId64 " us, max %" PRId64 " us\n",
		 log.committed, log.applied_everywhere,
		 h->opt->command == CMD_NODE ? "this node" : "every node",
		 (double)log.latency.count / seconds,
		 h->opt->command == CMD_NODE ? " as leader" : "",
		 lathist_quantile(&log.latency, 0.5),
		 lathist_quantile(&log.latency, 0.99), log.latency.max_us);
}

/* The summary's "clients:" line, and with --fenced-store the store's:
 * what the clients saw (completions, throughput, latency invoke to ok,
 * timeouts, redirects, sessions), what the services answered from the
 * sessions' caches, the re-executions (no-dedup), and what
 * the fenced store took and refused. Appended to buf. */
static void format_client_lines(struct harness *h, int64_t end_us, char *buf,
				size_t size)
{
	const struct clients *c = h->clients;
	struct harness_client_summary sum;
	/* --ops stops the clients early: the rate is over their time. */
	int64_t busy_us = c != NULL && c->config.max_ops > 0 &&
					  h->clients_last_us > 0
				  ? h->clients_last_us
				  : end_us;
	double seconds = (double)(busy_us > 0 ? busy_us : 1) / 1e6;
	size_t len = strlen(buf);

	if (c == NULL || len >= size)
		return;
	harness_client_summary(h, &sum);
	snprintf(buf + len, size - len,
		 "clients: %u, %" PRIu64 " ops: %" PRIu64 " ok, %" PRIu64
		 " fail, %" PRIu64 " info; %.0f ops/s, latency p50 %" PRId64
		 " us, p99 %" PRId64 " us; %" PRIu64 " timeouts, %" PRIu64
		 " redirects, %" PRIu64 " sessions, %" PRIu64
		 " dedup hits, %" PRIu64 " duplicates\n",
		 c->config.clients, c->stats.invoked, c->stats.ok,
		 c->stats.failed, c->stats.info, (double)c->stats.ok / seconds,
		 lathist_quantile(&c->stats.latency, 0.5),
		 lathist_quantile(&c->stats.latency, 0.99), c->stats.timeouts,
		 c->stats.redirects, c->stats.sessions, sum.deduplicated,
		 sum.reexecuted);
	len = strlen(buf);
	if (!sum.fenced_on || len >= size)
		return;
	snprintf(buf + len, size - len,
		 "fenced store: %" PRIu64 " writes accepted, %" PRIu64
		 " refused, %" PRIu64 " stale accepted; highest token %" PRIu64
		 "%s\n",
		 sum.fenced.stats.accepted, sum.fenced.stats.refused,
		 sum.fenced.stats.stale_accepted, sum.fenced.highest,
		 sum.fenced.no_fencing ? " (no-fencing: any token taken)" : "");
}

int harness_verdict(struct harness *h, int64_t end_us, uint64_t ticks,
		    FILE *out, FILE *err)
{
	struct node_summary sum[OPT_MAX_NODES];
	int sig = harness_stop_requested();
	char log_line[4096];
	int code;

	assert(h->mon != NULL);
	h->mon->interrupted = sig != 0;
	monitor_end(h->mon, end_us, ticks);
	/* Every queued line out before the verdict's own lines. */
	writer_stop(&h->mon->trace);
	writer_stop(&h->mon->console);
	harness_summaries(h, sum);
	format_log_line(h, end_us, log_line, sizeof(log_line));
	format_client_lines(h, end_us, log_line, sizeof(log_line));
	harness_disk_summary(h, log_line, sizeof(log_line));
	h->mon->log_line = log_line;
	code = monitor_verdict(h->mon, sum, h->nodes, out, err);
	h->mon->log_line = NULL;
	if (h->restart_failed != RAFT_OK) {
		fprintf(err,
			"raftsim: a crashed node could not restart: %s; the "
			"run cannot be judged\n",
			raft_strerror(h->restart_failed));
		code = EXIT_RUN_FAILED;
	}
	/* Threads: real files a node refused are the machine's failure;
	 * the simulator's run goes on without it and says so (disk:). */
	if (harness_disk_refused(h) > 0 && !h->opt->sim) {
		int i;

		for (i = 0; i < h->nodes; i++)
			if (h->node[i].disk.refused)
				fprintf(err,
					"raftsim: node %d refused to start: "
					"%s\n",
					i, h->node[i].disk.why);
		code = EXIT_RUN_FAILED;
	}
	if (harness_kv_out_of_memory(h) > 0) {
		fprintf(err,
			"raftsim: a node's key-value store ran out of memory "
			"applying %" PRIu64 " commands: its state differs from "
			"the others', and the run cannot be judged\n",
			harness_kv_out_of_memory(h));
		code = EXIT_RUN_FAILED;
	}
	if (sig != 0 && h->mon->info.one_node) /* raftsim node: no end */
		fprintf(err, "raftsim: stopped by %s after %" PRIu64 " ticks\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM", ticks);
	else if (sig != 0)
		fprintf(err,
			"raftsim: interrupted by %s after %" PRIu64
			" of %" PRIu64 " ticks\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM", ticks,
			h->opt->ticks);
	code = console_code(h->mon, code, err);
	code = trace_code(h->mon, h->opt->trace_path, code, err);
	return harness_stop_exit_code(code);
}

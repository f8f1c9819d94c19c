/* test_output.c - where a run's lines go, on threads: a stalled stdout
 * never holds the cluster, the trace reaches the disk while the run goes
 * on, and a stop request ends the run at a tick with its trace whole
 * (src/harness/writer.h, harness_stop.h). */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/trace.h"
#include "cli/options.h"
#include "harness/harness_stop.h"
#include "harness/writer.h"
#include "runtime/runtime.h"
#include "testhelp.h"
#include "testrun.h"

#define STALL_SECONDS 5

/* Counts the events that print a console line (monitor.c's rule). */
static void count_console_lines(void *ctx, const struct wev *ev)
{
	uint64_t *lines = ctx;

	switch (ev->type) {
	case WEV_ROLE:
		*lines += ev->role != RAFT_CANDIDATE;
		break;
	case WEV_ROUND:
	case WEV_ELECTION:
	case WEV_PREVOTE:
	case WEV_PAUSE:
	case WEV_RESUME:
	case WEV_CRASH:
	case WEV_RESTART:
	case WEV_PARTITION:
	case WEV_HEAL:
		(*lines)++;
		break;
	default:
		break;
	}
}

/* The reader at the pipe's other end: away for STALL_SECONDS (the stall
 * under test), then it reads to the end, counting lines. */
struct slow_reader {
	int fd;
	uint64_t lines;
};

static void *slow_reader_main(void *arg)
{
	struct slow_reader *r = arg;
	struct timespec stall = {STALL_SECONDS, 0};
	char buf[4096];
	ssize_t n;
	ssize_t i;

	nanosleep(&stall, NULL);
	while ((n = read(r->fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			r->lines += buf[i] == '\n';
	return NULL;
}

static uint64_t dropped_from(const char *err)
{
	const char *p = strstr(err, "raftsim: ");

	for (; p != NULL; p = strstr(p + 1, "raftsim: "))
		if (strstr(p, " console lines dropped: output stalled") != NULL)
			return strtoull(p + 9, NULL, 10);
	return 0;
}

/* 2 ms ticks and a heartbeat every tick print ~500 lines a second, far
 * more than a 4 KiB pipe and the console ring hold in 5 s; elections at
 * 100-200 ticks need a leader stalled 200 ms to time out a follower. */
static void stalled_stdout_on(struct runtime_result *res, char *err_text)
{
	struct raftsim_options o;
	struct slow_reader reader = {0, 0};
	uint64_t console_lines = 0;
	struct harness_tap tap = {count_console_lines, &console_lines};
	pthread_t thread;
	uint64_t dropped;
	FILE *out, *err;
	int fds[2];
	size_t n;
	int code;

	options_default(&o);
	o.nodes = 3;
	o.tick_us = 2000;
	o.ticks = STALL_SECONDS * 500 + 500; /* 6 s */
	o.heartbeat_ticks = 1;
	o.election.min = 100;
	o.election.max = 200;
	o.seed = 3;
	REQUIRE(pipe(fds) == 0);
	REQUIRE(fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
	reader.fd = fds[0];
	out = fdopen(fds[1], "w");
	err = tmpfile();
	REQUIRE(out != NULL && err != NULL);
	REQUIRE(pthread_create(&thread, NULL, slow_reader_main, &reader) == 0);
	code = runtime_run_with(&o, out, err, &tap, res);
	fclose(out); /* the reader's end of file */
	pthread_join(thread, NULL);
	close(fds[0]);
	rewind(err);
	n = fread(err_text, 1, TESTRUN_OUT - 1, err);
	err_text[n] = '\0';
	fclose(err);
	CHECK_EQ(code, EXIT_PASS);
	CHECK_EQ(res->violations, 0);
	CHECK_EQ(res->spurious_elections, 0);
	CHECK_EQ(res->elections, 1);
	/* Every tick came: a held cluster would have lost 5 s of them... */
	CHECK(res->ticks == o.ticks);
	/* ... and ticked late by seconds; 200 ms leaves room for TSAN on a
	 * loaded 2-core machine and is still far from the 5 s stall. */
	CHECK(lathist_quantile(&res->tick_late, 0.99) < 200000);
	CHECK(res->tick_late.max_us < 1000000);
	CHECK(res->node[0].stats.heartbeat_rounds +
		      res->node[1].stats.heartbeat_rounds +
		      res->node[2].stats.heartbeat_rounds >=
	      o.ticks / 2);
	/* Lines were dropped, said, and nothing else went missing: what was
	 * read is every console line but the dropped ones, then the verdict
	 * (one line per node, and a few of the run's own). */
	dropped = dropped_from(err_text);
	CHECK(dropped > 0);
	CHECK(reader.lines + dropped >= console_lines + 1 + 3);
	CHECK(reader.lines + dropped <= console_lines + 1 + 3 + 10);
	if (test_failures > 0)
		fprintf(stderr,
			"    exit %d, %" PRIu64 " console lines, %" PRIu64
			" read, %" PRIu64 " dropped, p99 lateness %" PRId64
			" us\n    stderr: %s\n",
			code, console_lines, reader.lines, dropped,
			lathist_quantile(&res->tick_late, 0.99), err_text);
}

static void stalled_stdout_does_not_hold_the_cluster(void)
{
	struct runtime_result *res = calloc(1, sizeof(*res));
	char *err_text = malloc(TESTRUN_OUT);

	if (res != NULL && err_text != NULL)
		stalled_stdout_on(res, err_text);
	else
		CHECK(!"out of memory");
	free(res);
	free(err_text);
}

/* Asks for a stop (as SIGINT would) when the cluster begins tick 20. */
static void stop_at_tick_20(void *ctx, const struct wev *ev)
{
	(void)ctx;
	if (ev->type == WEV_ROUND && ev->tick >= 20)
		harness_stop_request(SIGINT);
}

static char *last_line(char *text)
{
	size_t n = strlen(text);
	char *p;

	if (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	p = strrchr(text, '\n');
	return p != NULL ? p + 1 : text;
}

static void a_stop_ends_the_run_at_a_tick(void)
{
	struct raftsim_options o;
	struct harness_tap tap = {stop_at_tick_20, NULL};
	struct runtime_result *res = calloc(1, sizeof(*res));
	char path[128];
	char *trace;
	FILE *out = tmpfile(), *err = tmpfile();
	int code;

	REQUIRE(res != NULL && out != NULL && err != NULL);
	options_default(&o);
	o.nodes = 3;
	o.ticks = 100000; /* ~17 minutes, were it not stopped */
	o.tick_us = 10000;
	o.seed = 4;
	o.trace_path = test_tmp(path, sizeof(path), "stop.jsonl");
	code = runtime_run_with(&o, out, err, &tap, res);
	harness_stop_reset();
	CHECK_EQ(code, 130);
	/* The nodes tick 20 half a tick before the observer begins it. */
	CHECK(res->ticks >= 19 && res->ticks < 200);
	trace = test_slurp(path, NULL);
	REQUIRE(trace != NULL);
	CHECK(strstr(last_line(trace), "{\"ev\":\"end\",") != NULL);
	CHECK(strstr(last_line(trace), ",\"interrupted\":true}") != NULL);
	free(trace);
	/* The trace is whole: the checker agrees with the run. */
	CHECK_EQ(trace_check_file(path, out, err), 0);
	remove(path);
	fclose(out);
	fclose(err);
	free(res);
}

/* Lines reach the kernel while the run goes on, not only at its end: a
 * run killed with SIGKILL keeps them. */
static void trace_lines_reach_the_file_within_100_ms(void)
{
	struct writer w;
	struct stat st;
	char line[64];
	FILE *f = tmpfile();
	struct timespec poll = {0, 5000000};
	int64_t waited_ms = 0;
	size_t bytes = 0;
	int len;
	int i;

	REQUIRE(f != NULL);
	writer_init(&w, f, WRITER_KEEP, WRITER_TRACE_RING);
	REQUIRE(writer_start(&w) == 0);
	for (i = 0; i < 100; i++) {
		len = snprintf(line, sizeof(line), "{\"line\":%d}\n", i);
		writer_put(&w, line, (size_t)len);
		bytes += (size_t)len;
	}
	/* Not stopped, not flushed by anyone but the writer itself. */
	while (fstat(fileno(f), &st) == 0 && (size_t)st.st_size < bytes &&
	       waited_ms < 5000) {
		nanosleep(&poll, NULL);
		waited_ms += 5;
	}
	CHECK_EQ(st.st_size, bytes);
	CHECK(waited_ms < 1000); /* ~WRITER_GATHER_US, on a loaded machine */
	writer_stop(&w);
	CHECK_EQ(w.lines, 100);
	CHECK(!w.closed && !w.overrun && w.dropped == 0);
	fclose(f);
}

/* Reads a pipe to its end, into a buffer. */
struct pipe_drain {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static void *pipe_drain_main(void *arg)
{
	struct pipe_drain *d = arg;
	ssize_t n;

	while (d->len < sizeof(d->buf) - 1 &&
	       (n = read(d->fd, d->buf + d->len, sizeof(d->buf) - 1 - d->len)) >
		       0)
		d->len += (size_t)n;
	d->buf[d->len] = '\0';
	return NULL;
}

/* A trace whose disk stalls: the puts wait for room, then the stream is
 * overrun and writes nothing more, so what reached the file is exactly
 * the first lines, whole, and no later one: never a gap. */
static void an_overrun_trace_stops_at_a_line_and_leaves_no_gap(void)
{
	static struct pipe_drain drain;
	struct writer w;
	char line[64], want[64];
	pthread_t thread;
	uint64_t kept;
	const char *p;
	FILE *f;
	int fds[2];
	int len;
	int i;

	REQUIRE(pipe(fds) == 0);
	REQUIRE(fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
	f = fdopen(fds[1], "w");
	REQUIRE(f != NULL);
	writer_init(&w, f, WRITER_KEEP, 1024);
	w.keep_wait_us = 20000;
	REQUIRE(writer_start(&w) == 0);
	/* ~20 KB: more than the pipe, the stdio buffer and the ring hold. */
	for (i = 0; i < 1000 && !w.overrun; i++) {
		len = snprintf(line, sizeof(line), "{\"line\":%d}\n", i);
		writer_put(&w, line, (size_t)len);
	}
	CHECK(w.overrun);
	drain.fd = fds[0];
	drain.len = 0;
	REQUIRE(pthread_create(&thread, NULL, pipe_drain_main, &drain) == 0);
	writer_stop(&w);
	fclose(f);
	pthread_join(thread, NULL);
	close(fds[0]);
	kept = w.lines - w.unwritten;
	CHECK(kept > 0 && w.unwritten > 0);
	for (i = 0, p = drain.buf; (uint64_t)i < kept; i++) {
		snprintf(want, sizeof(want), "{\"line\":%d}\n", i);
		if (strncmp(p, want, strlen(want)) != 0)
			break;
		p += strlen(want);
	}
	CHECK_EQ(i, kept);
	CHECK(*p == '\0'); /* nothing after them */
}

const struct test_case output_tests[] = {
	{"cluster: a trace that cannot keep up stops at a whole line, with every "
	 "line before it and none after: no gap",
	 an_overrun_trace_stops_at_a_line_and_leaves_no_gap},
	{"cluster: stdout held unread for 5 s through a 4 KiB pipe: the cluster "
	 "keeps every tick and heartbeat (PASS, no spurious election), and the "
	 "console lines it could not print are dropped and counted",
	 stalled_stdout_does_not_hold_the_cluster},
	{"cluster: a stop request (SIGINT) ends a threaded run at a tick: exit "
	 "130, the trace ends with an interrupted end event and checks clean",
	 a_stop_ends_the_run_at_a_tick},
	{"cluster: trace lines reach the file within about 100 ms while the run "
	 "goes on",
	 trace_lines_reach_the_file_within_100_ms},
	{NULL, NULL},
};

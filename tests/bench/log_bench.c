/* log_bench.c - `make bench`: issue 10's performance targets for log
 * replication. Not a test: it prints each figure beside its target and
 * the command that produced it, and exits 0 unless it cannot run at all.
 * Every figure comes from raftsim itself, run as a child: its summary's
 * `log:` line (or explore's last lines), its wall time, and its peak RSS
 * (wait4's ru_maxrss).
 *
 *  1. Threads, 3 nodes, 16-byte payloads, closed loop (--load max):
 *     committed and applied entries a second. Target >= 1,000,000.
 *  2. One proposal outstanding (--outstanding 1): commit latency p50 <= 50
 *     us, p99 <= 200 us.
 *  3. An open loop at half the rate measured in 1: p99 <= 1 ms.
 *  4. The simulator, 5 nodes, closed loop: committed entries per wall
 *     second (best of 3). Target >= 5,000,000.
 *  5. explore --load: 10,000 runs of 5 nodes x 1000 ticks with every
 *     fault kind, 0 violations, >= 10,000 runs a minute.
 *  6. Threads with snapshots on: peak RSS after about 10 and 50 million
 *     committed entries; flat within 10%.
 *
 * On a loaded machine (the figures come from 2 shared cores) each figure
 * is indicative; the closed-loop rate decides the tick counts of 3 and 6.
 *
 * Usage: log_bench [RAFTSIM_BINARY [ITEMS]]   (default ./raftsim 123456)
 * ITEMS: which figures, e.g. 26 (3 and 6 run 1 first for its rate).
 */
/* wait4 (BSD, Linux): one child's own peak RSS, which RUSAGE_CHILDREN
 * would mix with every earlier child's. */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/clock.h"

#define MAX_ARGS 32
#define OUT_MAX (64 << 10) /* the tail of a child's output kept */
#define TICK_S 0.01        /* raftsim's default --tick-ms 10 */
#define SAMPLE_MS 50
#define MAX_SAMPLES 8192

struct rss_sample {
	double t_s;  /* since the child started */
	long hwm_kb; /* VmHWM: its peak RSS so far */
	long rss_kb; /* VmRSS: now */
};

/* One child run of raftsim. */
struct child {
	char cmd[512]; /* as a shell would take it */
	int code;      /* exit status; 128 + signal; -1: not run */
	double wall_s;
	long maxrss_kb;
	char out[OUT_MAX]; /* stdout and stderr, merged; the last OUT_MAX */
	/* Its memory every SAMPLE_MS (/proc/PID/status), when sampled. */
	bool sample;
	int samples;
	struct rss_sample at[MAX_SAMPLES];
};

/* What a run's `log:` line says. */
struct log_line {
	unsigned long long committed;
	unsigned long long rate;
	long long p50_us;
	long long p99_us;
	long long max_us;
};

static const char *bin;

/* One value in kB of /proc/PID/status ("VmHWM:"); -1 if unknown. */
static long status_kb(pid_t pid, const char *key)
{
	char path[64];
	char line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			kb = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return kb;
}

static void take_sample(struct child *c, pid_t pid, int64_t t0)
{
	struct rss_sample *s = &c->at[c->samples];

	if (c->samples == MAX_SAMPLES)
		return;
	s->t_s = (double)(clock_now_us() - t0) / 1e6;
	s->hwm_kb = status_kb(pid, "VmHWM:");
	s->rss_kb = status_kb(pid, "VmRSS:");
	if (s->hwm_kb > 0)
		c->samples++;
}

/* Keeps the last OUT_MAX - 1 bytes read from fd in c->out; samples the
 * child's memory meanwhile if asked. */
static void read_all(int fd, struct child *c, pid_t pid, int64_t t0)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t len = 0;
	ssize_t n;

	c->samples = 0;
	for (;;) {
		if (len == sizeof(c->out) - 1) { /* keep the second half */
			len = sizeof(c->out) / 2;
			memmove(c->out, c->out + len, len);
		}
		if (c->sample) {
			take_sample(c, pid, t0);
			if (poll(&pfd, 1, SAMPLE_MS) == 0)
				continue;
		}
		n = read(fd, c->out + len, sizeof(c->out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	c->out[len] = '\0';
}

/* Runs bin with the words of `fmt` (split at spaces), output captured.
 * Returns c->code. */
static int run(struct child *c, const char *fmt, ...)
{
	char *argv[MAX_ARGS + 2];
	char words[512];
	struct rusage ru;
	int64_t t0;
	int fds[2];
	int argc = 0;
	int status;
	pid_t pid;
	va_list ap;
	char *save = NULL;
	char *w;

	va_start(ap, fmt);
	vsnprintf(words, sizeof(words), fmt, ap);
	va_end(ap);
	snprintf(c->cmd, sizeof(c->cmd), "%s %s", bin, words);
	c->code = -1;
	c->out[0] = '\0';
	argv[argc++] = (char *)bin;
	for (w = strtok_r(words, " ", &save); w != NULL && argc <= MAX_ARGS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (pipe(fds) != 0)
		return -1;
	fflush(NULL); /* or the child would print our buffered output too */
	t0 = clock_now_us();
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		execv(bin, argv);
		_exit(127);
	}
	close(fds[1]);
	read_all(fds[0], c, pid, t0);
	close(fds[0]);
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	c->wall_s = (double)(clock_now_us() - t0) / 1e6;
	c->maxrss_kb = ru.ru_maxrss;
	c->code = WIFEXITED(status) ? WEXITSTATUS(status)
				    : 128 + WTERMSIG(status);
	return c->code;
}

/* Finds the `log:` line of a run's summary. Returns 0, or -1 if none. */
static int parse_log(const struct child *c, struct log_line *l)
{
	const char *p = strstr(c->out, "log: ");

	memset(l, 0, sizeof(*l));
	if (p == NULL ||
	    sscanf(p,
		   "log: %llu committed, %*u applied (every node), %llu "
		   "entries/s, commit latency p50 %lld us, p99 %lld us, max "
		   "%lld us",
		   &l->committed, &l->rate, &l->p50_us, &l->p99_us,
		   &l->max_us) != 5)
		return -1;
	return 0;
}

/* Says why a run gave no figure, with the end of what it printed. */
static void no_figure(const struct child *c)
{
	size_t len = strlen(c->out);
	const char *tail = c->out + (len > 600 ? len - 600 : 0);

	printf("  NO FIGURE: exit %d\n  command: %s\n  its output ends:\n%s\n",
	       c->code, c->cmd, tail);
}

static const char *verdict(int ok)
{
	return ok ? "met" : "NOT MET";
}

static void footer(const struct child *c)
{
	printf("  command: %s\n", c->cmd);
}

/* 1. Returns the rate measured, 0 if none. */
static unsigned long long throughput(struct child *c)
{
	struct log_line l;

	printf("== 1. threads, 3 nodes, 16-byte entries, closed loop\n");
	run(c, "--nodes 3 --ticks 300 --load max --seed 1 -q");
	if (c->code != 0 || parse_log(c, &l) != 0) {
		no_figure(c);
		return 0;
	}
	printf("  %llu entries/s committed and applied (target >= 1000000: "
	       "%s); p50 %lld us, p99 %lld us at a window of 4096\n",
	       l.rate, verdict(l.rate >= 1000000), l.p50_us, l.p99_us);
	footer(c);
	return l.rate;
}

/* 2. Commit latency, one proposal outstanding. */
static void one_outstanding(struct child *c)
{
	struct log_line l;

	printf("== 2. commit latency, one proposal outstanding\n");
	run(c, "--nodes 3 --ticks 300 --load max --outstanding 1 --seed 1 -q");
	if (c->code != 0 || parse_log(c, &l) != 0) {
		no_figure(c);
		return;
	}
	printf("  p50 %lld us (target <= 50: %s), p99 %lld us (target <= 200: "
	       "%s), max %lld us; %llu entries/s\n",
	       l.p50_us, verdict(l.p50_us <= 50), l.p99_us,
	       verdict(l.p99_us <= 200), l.max_us, l.rate);
	footer(c);
}

/* 3. Commit latency, an open loop at half the peak of 1. */
static void half_peak(struct child *c, unsigned long long peak)
{
	struct log_line l;

	printf("== 3. commit latency, open loop at half the peak of 1\n");
	if (peak < 2) {
		printf("  no peak from 1: skipped\n");
		return;
	}
	run(c, "--nodes 3 --ticks 300 --load %llu --seed 1 -q", peak / 2);
	if (c->code != 0 || parse_log(c, &l) != 0) {
		no_figure(c);
		return;
	}
	printf("  p99 %lld us (target <= 1000: %s), p50 %lld us, max %lld us; "
	       "%llu entries/s\n",
	       l.p99_us, verdict(l.p99_us <= 1000), l.p50_us, l.max_us, l.rate);
	footer(c);
}

/* 4. Simulated committed entries per wall second, best of 3. */
static void simulator(struct child *c)
{
	double best = 0;
	double rate;
	struct log_line l;
	int i;

	printf("== 4. simulator, 5 nodes, closed loop: committed entries per "
	       "wall second\n");
	for (i = 0; i < 3; i++) {
		run(c, "--sim --nodes 5 --ticks 3000 --load max --seed 1 -q");
		if (c->code != 0 || parse_log(c, &l) != 0) {
			no_figure(c);
			return;
		}
		rate = (double)l.committed / c->wall_s;
		if (rate > best)
			best = rate;
	}
	printf("  best of 3: %.0f entries/s (%llu committed in %.0f virtual "
	       "s; target >= 5000000: %s)\n",
	       best, l.committed, 3000 * TICK_S, verdict(best >= 5e6));
	footer(c);
}

/* 5. explore with --load; `rate` its open loop. */
static void explore(struct child *c, unsigned runs, unsigned rate, int judged)
{
	const char *p;
	unsigned long long violations = ~0ull;
	double runs_min = 0;
	double wall;

	run(c,
	    "explore --runs %u --nodes 5 --ticks 1000 --jobs 2 --seed 2026 "
	    "--load %u --snapshot-entries 100",
	    runs, rate);
	p = strstr(c->out, " runs with violations");
	while (p != NULL && p > c->out && p[-1] != ' ')
		p--;
	if (p != NULL)
		violations = strtoull(p, NULL, 10);
	p = strstr(c->out, "explore: 2 jobs, ");
	if (p == NULL || sscanf(p, "explore: 2 jobs, %lf s wall (%lf runs/min)",
				&wall, &runs_min) != 2) {
		no_figure(c);
		return;
	}
	printf("  --load %u: %llu runs with violations (target 0: %s), "
	       "%.0f runs/min",
	       rate, violations, verdict(violations == 0), runs_min);
	if (judged)
		printf(" (target >= 10000: %s)", verdict(runs_min >= 10000));
	printf("\n");
	footer(c);
}

/* 6. A threaded run that commits about `entries`, its memory sampled;
 * the ticks guessed from the closed loop's rate and corrected twice at
 * most. */
static int memory_run(struct child *c, unsigned long long entries,
		      unsigned long long rate, struct log_line *l)
{
	double ticks = (double)entries / (double)rate / TICK_S;
	int tries;

	c->sample = true;
	for (tries = 0; tries < 3; tries++) {
		run(c, "--nodes 3 --ticks %.0f --load max --seed 1 -q",
		    ticks < 10 ? 10 : ticks);
		if (c->code != 0 || parse_log(c, l) != 0 || c->samples == 0) {
			no_figure(c);
			c->sample = false;
			return -1;
		}
		if (l->committed >= entries || l->committed == 0)
			break;
		ticks *= 1.2 * (double)entries / (double)l->committed;
	}
	c->sample = false;
	return 0;
}

/* The last sample by the time about `entries` had committed, at the run's
 * steady rate. */
static const struct rss_sample *sample_at(const struct child *c,
					  const struct log_line *l,
					  unsigned long long entries)
{
	double t = c->wall_s * (double)entries / (double)l->committed;
	int i;

	for (i = 1; i < c->samples; i++)
		if (c->at[i].t_s > t)
			break;
	return &c->at[i - 1];
}

static void memory(struct child *c, unsigned long long rate)
{
	const struct rss_sample *a, *b;
	struct log_line l;
	double growth;
	int m;

	printf("== 6. memory, threads, snapshots every 10000 entries (the "
	       "default): peak RSS from 10M to 50M committed, one run\n");
	if (rate == 0 || memory_run(c, 50000000, rate, &l) != 0) {
		printf("  no figure\n");
		return;
	}
	for (m = 10; m <= 50; m += 10) {
		b = sample_at(c, &l, (unsigned long long)m * 1000000);
		printf("  about %dM committed (%.2f s): peak %ld KiB, now %ld "
		       "KiB%s\n",
		       m, b->t_s, b->hwm_kb, b->rss_kb,
		       l.committed < (unsigned long long)m * 1000000
			       ? " (not reached: the run's end)"
			       : "");
	}
	a = sample_at(c, &l, 10000000);
	growth = 100.0 * (double)(b->hwm_kb - a->hwm_kb) / (double)a->hwm_kb;
	printf("  peak at 50M over peak at 10M: %+.1f%% (target within 10%%: "
	       "%s)\n  whole run: %llu committed in %.2f s, peak RSS %ld KiB "
	       "(wait4)\n",
	       growth, verdict(growth <= 10 && growth >= -10), l.committed,
	       c->wall_s, c->maxrss_kb);
	footer(c);
}

static bool wanted(const char *items, char item)
{
	return strchr(items, item) != NULL;
}

int main(int argc, char **argv)
{
	static struct child c; /* large */
	const char *items = argc > 2 ? argv[2] : "123456";
	unsigned long long peak = 0;

	bin = argc > 1 ? argv[1] : "./raftsim";
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "log_bench: %s: not an executable\n", bin);
		return 2;
	}
	if (wanted(items, '1') || wanted(items, '3') || wanted(items, '6'))
		peak = throughput(&c);
	if (wanted(items, '2'))
		one_outstanding(&c);
	if (wanted(items, '3'))
		half_peak(&c, peak);
	if (wanted(items, '4'))
		simulator(&c);
	if (wanted(items, '5')) {
		printf("== 5. explore with --load, every fault kind, 5 nodes x "
		       "1000 ticks, 2 jobs\n");
		explore(&c, 10000, 100, 1);
		explore(&c, 1000, 1000, 0);
	}
	if (wanted(items, '6'))
		memory(&c, peak);
	return 0;
}

/* runtime_bench.c - `make bench`: figures for the threaded runtime (issue 3,
 * "Benchmark"). Not a test: it prints a table and always exits 0 unless it
 * cannot run at all.
 *
 *  1. The tickless ratio (issue 8): idle CPU of `raftsim --nodes 3 --ticks
 *     2000 --tick-ms 10`, run as a child process ((user + sys) / wall, from
 *     getrusage(RUSAGE_CHILDREN)), over the "wake floor" measured at the
 *     same time: 4 bare threads that only sleep on absolute 10 ms
 *     deadlines (pthread_cond_timedwait on a CLOCK_MONOTONIC condvar), the
 *     cost of waking one thread per node and the observer on every tick.
 *     Target: at most half.
 *  2. The same cluster in this process, for the runtime's histograms: how
 *     late node ticks fire after their deadlines, and mailbox latency
 *     (enqueue to raft_step).
 *  3. 500 ticks at 10 ms for 256 to 1024 nodes: spurious elections.
 *
 * Usage: runtime_bench [RAFTSIM_BINARY]   (default ./raftsim)
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/options.h"
#include "runtime/clock.h"
#include "runtime/runtime.h"

static struct runtime_result res; /* large */

#define FLOOR_THREADS 4 /* 3 nodes and the observer, before tickless */

/* A bare thread of the wake floor: it sleeps until each absolute deadline
 * and does nothing else, then reads its own CPU time. */
struct floor_thread {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int64_t start_us;
	int64_t tick_us;
	uint64_t ticks;
	double cpu_s;
};

static void *floor_main(void *arg)
{
	struct floor_thread *f = arg;
	struct timespec ts;
	int64_t deadline;
	uint64_t k;

	pthread_mutex_lock(&f->mu);
	for (k = 1; k <= f->ticks; k++) {
		deadline = f->start_us + (int64_t)k * f->tick_us;
		while (clock_now_us() < deadline)
			clock_cond_wait_until(&f->cond, &f->mu, deadline);
	}
	pthread_mutex_unlock(&f->mu);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	f->cpu_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return NULL;
}

/* Starts the floor's threads for `ticks` deadlines of tick_us from now.
 * Returns how many started. */
static int floor_start(struct floor_thread *f, uint64_t ticks, int64_t tick_us)
{
	int64_t start = clock_now_us();
	int i;

	for (i = 0; i < FLOOR_THREADS; i++) {
		f[i].start_us = start;
		f[i].tick_us = tick_us;
		f[i].ticks = ticks;
		f[i].cpu_s = 0;
		if (pthread_mutex_init(&f[i].mu, NULL) != 0)
			break;
		if (clock_cond_init(&f[i].cond) != 0 ||
		    pthread_create(&f[i].thread, NULL, floor_main, &f[i]) !=
			    0) {
			pthread_mutex_destroy(&f[i].mu);
			break;
		}
	}
	return i;
}

/* Joins them; returns their CPU share of one core over `wall` seconds. */
static double floor_join(struct floor_thread *f, int started, double wall)
{
	double cpu = 0;
	int i;

	for (i = 0; i < started; i++) {
		pthread_join(f[i].thread, NULL);
		cpu += f[i].cpu_s;
		pthread_cond_destroy(&f[i].cond);
		pthread_mutex_destroy(&f[i].mu);
	}
	return wall > 0 ? cpu / wall : 0;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double cpu_s(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) != 0)
		return 0;
	return tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

/* Runs the binary with stdout and stderr to /dev/null; returns its exit
 * status and the CPU share of one core it used, or -1. */
static int child_cpu(const char *bin, char *const argv[], double *share,
		     double *wall)
{
	double cpu0 = cpu_s(RUSAGE_CHILDREN);
	int64_t t0 = clock_now_us();
	pid_t pid;
	int status;

	fflush(NULL); /* or the child would print our buffered output too */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execv(bin, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	*wall = (double)(clock_now_us() - t0) / 1e6;
	*share = (cpu_s(RUSAGE_CHILDREN) - cpu0) / *wall;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* One run in this process. Returns the exit code; *share is its CPU. */
static int run(int nodes, uint64_t ticks, unsigned tick_ms, double *share)
{
	static struct raftsim_options o;
	FILE *null = fopen("/dev/null", "w");
	FILE *err = tmpfile();
	double cpu0 = cpu_s(RUSAGE_SELF);
	int64_t t0 = clock_now_us();
	char line[512];
	int code = -1;

	if (null == NULL || err == NULL)
		goto out;
	options_default(&o);
	o.nodes = nodes;
	o.ticks = ticks;
	o.tick_us = (uint64_t)tick_ms * 1000;
	o.seed = 1;
	o.seed_given = true;
	code = runtime_run_with(&o, null, err, NULL, &res);
	*share = (cpu_s(RUSAGE_SELF) - cpu0) /
		 ((double)(clock_now_us() - t0) / 1e6);
	if (code != EXIT_PASS) {
		rewind(err);
		while (fgets(line, sizeof(line), err) != NULL)
			fprintf(stderr, "    %s", line);
	}
out:
	if (null != NULL)
		fclose(null);
	if (err != NULL)
		fclose(err);
	return code;
}

static void latency_row(const char *what, const struct lathist *h,
			const char *target)
{
	printf("  %-34s %8" PRId64 " %8" PRId64 " %8" PRId64 " %9" PRIu64
	       "   %s\n",
	       what, lathist_quantile(h, 0.5), lathist_quantile(h, 0.99),
	       h->max_us, h->count, target);
}

int main(int argc, char **argv)
{
	static const int sizes[] = {256, 512, 768, 1024};
	const char *bin = argc > 1 ? argv[1] : "./raftsim";
	/* execv wants mutable strings (-Wwrite-strings). */
	static char args[][16] = {"--nodes",   "3",  "--ticks", "2000",
				  "--tick-ms", "10", "--seed",  "1"};
	char *cmd[2 + sizeof(args) / sizeof(args[0])];
	struct floor_thread floor[FLOOR_THREADS];
	double floor_share;
	double share = 0, wall = 0;
	int64_t t0;
	int started;
	int largest = 0;
	size_t i;
	int code;

	cmd[0] = (char *)(uintptr_t)bin;
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		cmd[i + 1] = args[i];
	cmd[i + 1] = NULL;
	printf("raftsim runtime benchmark (%ld cores online)\n\n",
	       sysconf(_SC_NPROCESSORS_ONLN));
	/* Both at once, so that they see the same machine: the floor's
	 * threads sleep through the raftsim run, 2000 deadlines of 10 ms. */
	printf("tickless: idle CPU of %s --nodes 3 --ticks 2000 --tick-ms 10 "
	       "--seed 1\n  against the wake floor: %d bare threads on "
	       "absolute 10 ms deadlines, at the same time\n",
	       bin, FLOOR_THREADS);
	t0 = clock_now_us();
	started = floor_start(floor, 2000, 10000);
	code = child_cpu(bin, cmd, &share, &wall);
	floor_share = floor_join(floor, started,
				 (double)(clock_now_us() - t0) / 1e6);
	if (code < 0 || started < FLOOR_THREADS) {
		fprintf(stderr, "runtime_bench: cannot run %s: %s\n", bin,
			strerror(errno));
		return 1;
	}
	printf("  raftsim:    exit %d, wall %.2f s, (user+sys)/wall = %.3f%% "
	       "of one core\n",
	       code, wall, share * 100);
	printf("  wake floor: %.3f%% of one core\n", floor_share * 100);
	printf("  tickless ratio: %.2f   (target <= 0.50)\n\n",
	       floor_share > 0 ? share / floor_share : 0);

	code = run(3, 1000, 10, &share);
	printf("latency, in process, the same cluster (exit %d, CPU %.2f%%)\n",
	       code, share * 100);
	printf("  %-34s %8s %8s %8s %9s\n", "microseconds", "p50", "p99", "max",
	       "samples");
	latency_row("node tick after its deadline", &res.tick_late,
		    "(target p99 <= 1000)");
	latency_row("observer tick after its deadline", &res.observer_late, "");
	latency_row("mailbox, enqueue to raft_step", &res.mail_wait,
		    "(target p50 <= 50)");

	printf("\nscale: 500 ticks at 10 ms (target: no spurious election at "
	       "1024 nodes)\n");
	printf("  %6s %5s %9s %8s %8s %10s %10s %7s\n", "nodes", "exit",
	       "spurious", "leaders", "term", "tick p99", "mail p50", "CPU");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t term = 0;
		int n;

		code = run(sizes[i], 500, 10, &share);
		for (n = 0; n < res.nodes; n++)
			if (res.node[n].term > term)
				term = res.node[n].term;
		printf("  %6d %5d %9" PRIu64 " %8" PRIu64 " %8" PRIu64
		       " %8" PRId64 "us %8" PRId64 "us %6.1f%%\n",
		       sizes[i], code, res.spurious_elections,
		       res.leaders_elected, term,
		       lathist_quantile(&res.tick_late, 0.99),
		       lathist_quantile(&res.mail_wait, 0.5), share * 100);
		if (code == EXIT_PASS && res.spurious_elections == 0 &&
		    res.leaders_elected > 0)
			largest = sizes[i];
	}
	printf("\nlargest cluster with a leader and no spurious election: %d "
	       "nodes\n",
	       largest);
	return 0;
}

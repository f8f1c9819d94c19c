/* runtime_bench.c - `make bench`: figures for the threaded runtime (issue 3,
 * "Benchmark"). Not a test: it prints a table and always exits 0 unless it
 * cannot run at all.
 *
 *  1. Idle CPU of `raftsim --nodes 3 --ticks 1000 --tick-ms 10`, run as a
 *     child process: (user + sys) / wall, from getrusage(RUSAGE_CHILDREN).
 *  2. The same cluster in this process, for the runtime's histograms: how
 *     late node ticks fire after their deadlines, and mailbox latency
 *     (enqueue to raft_step).
 *  3. 500 ticks at 10 ms for 128, 192 and 256 nodes: spurious elections.
 *
 * Usage: runtime_bench [RAFTSIM_BINARY]   (default ./raftsim)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/clock.h"
#include "cli/options.h"
#include "runtime/runtime.h"

static struct runtime_result res; /* large */

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

static double median3(const double *v)
{
	if ((v[0] <= v[1]) == (v[1] <= v[2]))
		return v[1];
	if ((v[1] <= v[0]) == (v[0] <= v[2]))
		return v[0];
	return v[2];
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
	static const int sizes[] = {128, 192, 256};
	const char *bin = argc > 1 ? argv[1] : "./raftsim";
	/* execv wants mutable strings (-Wwrite-strings). */
	static char args[][16] = {"--nodes", "3",       "--ticks", "1000",
				  "--tick-ms", "10",    "--seed",  "1"};
	char *cmd[2 + sizeof(args) / sizeof(args[0])];
	double shares[3];
	double share, wall;
	int largest = 0;
	size_t i;
	int code;

	cmd[0] = (char *)(uintptr_t)bin;
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		cmd[i + 1] = args[i];
	cmd[i + 1] = NULL;
	printf("raftsim runtime benchmark (%ld cores online)\n\n",
	       sysconf(_SC_NPROCESSORS_ONLN));
	/* CPU time is sampled by the kernel: three runs, and the median. */
	printf("idle CPU: %s --nodes 3 --ticks 1000 --tick-ms 10 --seed 1\n",
	       bin);
	for (i = 0; i < 3; i++) {
		code = child_cpu(bin, cmd, &shares[i], &wall);
		if (code < 0) {
			fprintf(stderr, "runtime_bench: cannot run %s: %s\n",
				bin, strerror(errno));
			return 1;
		}
		printf("  run %zu: exit %d, wall %.2f s, (user+sys)/wall = "
		       "%.2f%% of one core\n",
		       i + 1, code, wall, shares[i] * 100);
	}
	printf("  median %.2f%%   (target <= 1%%)\n\n",
	       median3(shares) * 100);

	code = run(3, 1000, 10, &share);
	printf("latency, in process, the same cluster (exit %d, CPU %.2f%%)\n",
	       code, share * 100);
	printf("  %-34s %8s %8s %8s %9s\n", "microseconds", "p50", "p99",
	       "max", "samples");
	latency_row("node tick after its deadline", &res.tick_late,
		    "(target p99 <= 1000)");
	latency_row("observer tick after its deadline", &res.observer_late, "");
	latency_row("mailbox, enqueue to raft_step", &res.mail_wait,
		    "(target p50 <= 50)");

	printf("\nscale: 500 ticks at 10 ms (target: no spurious election at "
	       ">= 128 nodes)\n");
	printf("  %6s %5s %9s %8s %8s %10s %10s %7s\n", "nodes", "exit",
	       "spurious", "leaders", "term", "tick p99",
	       "mail p50", "CPU");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t term = 0;
		int n;

		code = run(sizes[i], 500, 10, &share);
		for (n = 0; n < res.nodes; n++)
			if (res.node[n].term > term)
				term = res.node[n].term;
		printf("  %6d %5d %9" PRIu64 " %8" PRIu64
		       " %8" PRIu64 " %8" PRId64 "us %8" PRId64 "us %6.1f%%\n",
		       sizes[i], code, res.spurious_elections,
		       res.leaders_elected, term,
		       lathist_quantile(&res.tick_late, 0.99),
		       lathist_quantile(&res.mail_wait, 0.5), share * 100);
		if (code == EXIT_PASS && res.spurious_elections == 0 &&
		    res.leaders_elected > 0)
			largest = sizes[i];
	}
	printf("\nlargest cluster with a leader and no spurious election: %d "
	       "nodes\n", largest);
	return 0;
}

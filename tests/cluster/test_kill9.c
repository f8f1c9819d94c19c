/* test_kill9.c - the short kill -9 test (issue 12; the long one is
 * tests/kill9.sh in `make stress`): raftsim on real files with clients is
 * killed with SIGKILL at fixed moments and resumed from its --data-dir,
 * and after each kill `raftsim check` judges the whole accumulated trace;
 * a resume that does not match DIR/run is refused. The moments are spread
 * out on purpose, not a synchronization: what happens before each kill
 * does not matter, only that the check passes whatever it was. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testhelp.h"
#include "testrun.h"

#define KILLS 6

/* Starts raftsim with argv (NULL-terminated), its output to log. */
static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (freopen(log, "a", stdout) == NULL ||
		    freopen(log, "a", stderr) == NULL)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

static int count_lines_with(const char *path, const char *what)
{
	char *text = test_slurp(path, NULL);
	char *at;
	int n = 0;

	if (text == NULL)
		return -1;
	for (at = text; (at = strstr(at, what)) != NULL; at++)
		n++;
	free(text);
	return n;
}

static void print_file(const char *path)
{
	char *text = test_slurp(path, NULL);

	if (text != NULL)
		fprintf(stderr, "%.3000s", text);
	free(text);
}

/* One kill: the run (a resume after the first), ms of it, SIGKILL. */
static int run_and_kill(const char *dir, const char *trace, int i, long ms)
{
	static const char *const fixed[] = {"--ticks", "1000000", "--clients",
					    "4", "-q"};
	char args[24][600], log[600];
	char *argv[25];
	int k = 0, j, status = 0;
	pid_t pid;

#define ARG(...) snprintf(args[k], sizeof(args[k]), __VA_ARGS__), k++
	ARG("%s/raftsim", test_bin_dir());
	ARG("--data-dir");
	ARG("%s", dir);
	ARG("--trace");
	ARG("%s", trace);
	ARG("--tick-ms");
	ARG("%u", test_tick_ms());
	for (j = 0; j < (int)(sizeof(fixed) / sizeof(fixed[0])); j++)
		ARG("%s", fixed[j]);
	if (i > 0)
		ARG("--resume");
	if (i % 2 == 1) { /* light crash faults on every other run */
		ARG("--crash-prob");
		ARG("0.005");
	}
#undef ARG
	for (j = 0; j < k; j++)
		argv[j] = args[j];
	argv[k] = NULL;
	snprintf(log, sizeof(log), "%s/log", dir);
	pid = spawn(argv, log);
	if (pid < 0)
		return -1;
	nap_ms(ms);
	if (waitpid(pid, &status, WNOHANG) == pid) {
		fprintf(stderr, "    run %d exited by itself: status %d\n", i,
			status);
		print_file(log);
		return -1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -1;
}

static void kill9_resume_check_on(struct cmd_pair *p)
{
	char dir[] = "/tmp/raftsim-kill9-XXXXXX";
	char trace[600], run[600];
	int resumes, later_clients = 0;
	int i;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(trace, sizeof(trace), "%s/trace.jsonl", dir);
	for (i = 0; i < KILLS; i++) {
		/* 250 to 1250 ms: before, during and after elections and
		 * restarts, whatever the machine's load makes of it. */
		CHECK_EQ(run_and_kill(dir, trace, i, 250 + 200L * i), 0);
		REQUIRE(run_cmd(&p->first, "%s/raftsim check %s",
				test_bin_dir(), trace) == 0);
		CHECK_EQ(p->first.status, 0);
		CHECK(strstr(p->first.out, "check: OK") != NULL);
		if (p->first.status != 0)
			fprintf(stderr, "    kill %d:\n%.3000s", i,
				p->first.out);
	}
	/* The whole history was one: a resume line per resume, a restart
	 * per node and resume, clients numbered after the earlier runs'. */
	/* A resumed run killed while it read the earlier trace wrote no
	 * line: under load some may; all five would need minutes. */
	resumes = count_lines_with(trace, "\"resume\":true");
	CHECK(resumes >= 1 && resumes <= KILLS - 1);
	CHECK(count_lines_with(trace, "\"ev\":\"restart\"") >= 3 * resumes);
	CHECK(strstr(p->first.out, "linearizable") != NULL);
	for (i = 4; i < 4 * KILLS; i++) { /* a resumed run's client */
		char name[32];

		snprintf(name, sizeof(name), "\"client\":%d,", i);
		later_clients += count_lines_with(trace, name) > 0;
	}
	CHECK(later_clients > 0);
	CHECK_EQ(count_lines_with(trace, "\"client\":24,"), 0);
	snprintf(run, sizeof(run), "%s/run", dir);
	CHECK_EQ(count_lines_with(run, "resumes 5\n"), 1);
	/* A resume must match DIR/run: another size or workload is usage. */
	REQUIRE(run_cmd(&p->second,
			"%s/raftsim --data-dir %s --resume --nodes 5 "
			"--ticks 10 -q",
			test_bin_dir(), dir) == 0);
	CHECK_EQ(p->second.status, 2);
	CHECK(strstr(p->second.err, "--nodes 5") != NULL);
	REQUIRE(run_cmd(&p->second,
			"%s/raftsim --data-dir %s --resume --load 100 "
			"--ticks 10 -q",
			test_bin_dir(), dir) == 0);
	CHECK_EQ(p->second.status, 2);
	CHECK(strstr(p->second.err, "--load") != NULL);
	REQUIRE(run_cmd(&p->second, "rm -rf %s", dir) == 0);
}

static void kill9_resume_check(void)
{
	with_cmd_pair(kill9_resume_check_on);
}

const struct test_case kill9_tests[] = {
	{"cluster: a run on real files killed with SIGKILL 6 times and "
	 "resumed each time from --data-dir keeps one history that "
	 "raftsim check passes after every kill; a resume that does not "
	 "match the directory's run is refused",
	 kill9_resume_check},
	{NULL, NULL},
};

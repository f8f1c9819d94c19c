/* test_node.c - raftsim node: three node processes on loopback (ports the
 * kernel picked, read back from a socket bound to port 0), each with its
 * own --data-dir and trace. They elect a leader; the leader is killed with
 * SIGKILL and restarted on the same directory: it recovers (its trace goes
 * on with a resume start line and its restart) and rejoins (it hears the
 * new leader's heartbeats); SIGTERM stops every process with exit 143 and
 * a trace that ends with its end line. Nothing sleeps to synchronize: the
 * test polls the traces, with generous deadlines. And the bad usage: each
 * refusal names its flag. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcptest.h"
#include "testhelp.h"
#include "testrun.h"

#define NODES 3

struct cluster3 {
	char dir[64];
	char peers[256];
	pid_t pid[NODES];
};

static void path_of(const struct cluster3 *c, int i, const char *what,
		    char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%d", c->dir, what, i);
}

/* raftsim node --id i, its output to DIR/outI (appended). */
static pid_t start_node(const struct cluster3 *c, int i)
{
	char id[16], tick[16], data[128], trace[128], out[128];
	const char *args[] = {"node",   "--id",       id,   "--peers",
			      c->peers, "--data-dir", data, "--trace",
			      trace,    "--tick-ms",  tick, "-q",
			      NULL};

	snprintf(id, sizeof(id), "%d", i);
	snprintf(tick, sizeof(tick), "%u", test_tick_ms());
	path_of(c, i, "data", data, sizeof(data));
	path_of(c, i, "trace", trace, sizeof(trace));
	path_of(c, i, "out", out, sizeof(out));
	return tcptest_spawn_raftsim(out, args);
}

/* The trace of node i holds `what` (after its offset-th byte) now. */
static bool trace_has(const struct cluster3 *c, int i, const char *what,
		      size_t offset)
{
	char path[128];

	path_of(c, i, "trace", path, sizeof(path));
	return tcptest_file_has(path, offset, what);
}

static size_t trace_size(const struct cluster3 *c, int i)
{
	char path[128];
	size_t len = 0;
	char *text;

	path_of(c, i, "trace", path, sizeof(path));
	text = test_slurp(path, &len);
	free(text);
	return text != NULL ? len : 0;
}

struct leader_search {
	const struct cluster3 *c;
	int skip;
	const size_t *offsets;
	int found;
};

static bool leader_traced(void *arg)
{
	struct leader_search *l = arg;
	int i;

	for (i = 0; i < NODES; i++)
		if (i != l->skip &&
		    trace_has(l->c, i, "\"role\":\"leader\"", l->offsets[i])) {
			l->found = i;
			return true;
		}
	return false;
}

/* The node (not `skip`) whose trace shows it leader after its offset,
 * waiting for one; -1 if none. Traces are read whole: every 20 ms. */
static int wait_leader(const struct cluster3 *c, int skip,
		       const size_t *offsets)
{
	struct leader_search l = {c, skip, offsets, -1};

	tcptest_wait_every(20, leader_traced, &l);
	return l.found;
}

static bool wait_trace(const struct cluster3 *c, int i, const char *what,
		       size_t offset)
{
	char path[128];

	path_of(c, i, "trace", path, sizeof(path));
	return tcptest_wait_file_has(path, offset, what);
}

/* SIGTERM: exit 143, the trace's last line its end line. */
static void stop_node(const struct cluster3 *c, int i)
{
	char path[128];
	int status = 0;
	char *text, *last;

	REQUIRE(tcptest_stop_process(c->pid[i], &status) == 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 143);
	path_of(c, i, "trace", path, sizeof(path));
	text = test_slurp(path, NULL);
	REQUIRE(text != NULL && strlen(text) > 1);
	text[strlen(text) - 1] = '\0'; /* the last newline */
	last = strrchr(text, '\n');
	CHECK(last != NULL && strstr(last, "\"ev\":\"end\"") != NULL &&
	      strstr(last, "\"interrupted\":true") != NULL);
	free(text);
}

static void print_outputs(const struct cluster3 *c)
{
	char path[128], label[32];
	int i;

	for (i = 0; i < NODES; i++) {
		path_of(c, i, "out", path, sizeof(path));
		snprintf(label, sizeof(label), "node %d's output", i);
		tcptest_print_file(label, path);
	}
}

static void three_processes_elect_recover_and_stop_on(struct cmd_pair *p)
{
	struct cluster3 c;
	size_t offsets[NODES] = {0};
	size_t len = 0;
	int leader, next, i;
	int status;

	snprintf(c.dir, sizeof(c.dir), "/tmp/raftsim-node-XXXXXX");
	REQUIRE(mkdtemp(c.dir) != NULL);
	for (i = 0; i < NODES; i++) {
		/* Another process could take it before the node binds
		 * it: unlikely, and the node then fails loudly (exit 3),
		 * not the test silently. */
		uint16_t port = tcptest_unused_port();

		REQUIRE(port > 0);
		len += (size_t)snprintf(c.peers + len, sizeof(c.peers) - len,
					"%s%d=127.0.0.1:%u", i ? "," : "", i,
					(unsigned)port);
	}
	for (i = 0; i < NODES; i++) {
		c.pid[i] = start_node(&c, i);
		REQUIRE(c.pid[i] > 0);
	}
	leader = wait_leader(&c, -1, offsets);
	CHECK(leader >= 0);
	if (leader < 0)
		goto stop;
	/* Each trace is its node's alone, and says so. */
	CHECK(trace_has(&c, 0, "\"mode\":\"node\"", 0));
	CHECK(trace_has(&c, 1, "\"node_id\":1,\"transport\":\"tcp\"", 0));
	CHECK(trace_has(&c, 2, "\"mono_us\":", 0));
	CHECK(!trace_has(&c, 0, "\"node\":1,", 0));
	/* kill -9 the leader; another is elected; the old one restarts
	 * from its directory and hears the new leader. */
	for (i = 0; i < NODES; i++)
		offsets[i] = trace_size(&c, i);
	kill(c.pid[leader], SIGKILL);
	REQUIRE(waitpid(c.pid[leader], &status, 0) == c.pid[leader]);
	next = wait_leader(&c, leader, offsets);
	CHECK(next >= 0 && next != leader);
	c.pid[leader] = start_node(&c, leader);
	REQUIRE(c.pid[leader] > 0);
	CHECK(wait_trace(&c, leader, "\"resume\":true", offsets[leader]));
	CHECK(wait_trace(&c, leader, "\"ev\":\"restart\"", offsets[leader]));
	CHECK(wait_trace(&c, leader, "\"ev\":\"heartbeat\"", offsets[leader]));
stop:
	for (i = 0; i < NODES; i++)
		stop_node(&c, i);
	if (test_failures > 0)
		print_outputs(&c);
	/* Its console says it judged nothing and how to judge. */
	path_of(&c, 0, "out", p->first.out, 128);
	{
		char *text = test_slurp(p->first.out, NULL);

		CHECK(text != NULL && strstr(text, "not judged here") != NULL &&
		      strstr(text, "raftsim check") != NULL);
		free(text);
	}
	REQUIRE(run_cmd(&p->second, "rm -rf %s", c.dir) == 0);
}

static void three_processes_elect_recover_and_stop(void)
{
	with_cmd_pair(three_processes_elect_recover_and_stop_on);
}

/* One refused command line: its exit code, and the flag in its message. */
static void refused(struct cmd_result *r, int code, const char *flag,
		    const char *args)
{
	REQUIRE(run_cmd(r, "%s/raftsim node %s", test_bin_dir(), args) == 0);
	CHECK_EQ(r->status, code);
	CHECK(strstr(r->err, flag) != NULL);
	if (r->status != code || strstr(r->err, flag) == NULL)
		fprintf(stderr, "    raftsim node %s:\n%s", args, r->err);
}

static void bad_usage_names_the_flag_on(struct cmd_pair *p)
{
	struct cmd_result *r = &p->first;
	char args[256];
	uint16_t port;
	int fd;

	refused(r, 2, "--id", "--peers 0=127.0.0.1:22001");
	refused(r, 2, "--peers", "--id 0");
	refused(r, 2, "--id",
		"--id 3 --peers 0=127.0.0.1:22001,"
		"1=127.0.0.1:22002,2=127.0.0.1:22003");
	refused(r, 2, "--peers",
		"--id 0 --peers 0=127.0.0.1:22001,"
		"0=127.0.0.1:22002");
	refused(r, 2, "--peers", "--id 0 --peers 0=127.0.0.1,1=h:1");
	refused(r, 2, "--peers",
		"--id 0 --peers 0=127.0.0.1:22001,"
		"2=127.0.0.1:22002");
	refused(r, 2, "--peers", "--id 0 --peers 0=127.0.0.1:0");
	refused(r, 2, "--listen",
		"--id 0 --peers 0=127.0.0.1:22001 "
		"--listen nowhere");
	refused(r, 2, "--pause",
		"--id 0 --peers 0=127.0.0.1:22001 "
		"--pause 1@10:10");
	refused(r, 2, "--crash-prob",
		"--id 0 --peers 0=127.0.0.1:22001 "
		"--crash-prob 0.1");
	/* A port in use: the machine's refusal, named by its flag. */
	fd = tcptest_bind_loopback(&port);
	REQUIRE(fd >= 0);
	REQUIRE(listen(fd, 1) == 0);
	snprintf(args, sizeof(args), "--id 0 --peers 0=127.0.0.1:%u --ticks 5",
		 (unsigned)port);
	refused(r, 3, "--peers", args);
	CHECK(strstr(r->err, "cannot listen") != NULL);
	close(fd);
}

static void bad_usage_names_the_flag(void)
{
	with_cmd_pair(bad_usage_names_the_flag_on);
}

const struct test_case node_tests[] = {
	{"cluster: three raftsim node processes on loopback elect a leader; "
	 "the leader killed with SIGKILL restarts from its --data-dir, "
	 "recovers and rejoins; SIGTERM ends each with exit 143 and an end "
	 "line",
	 three_processes_elect_recover_and_stop},
	{"cli: raftsim node refuses a missing --id or --peers, an --id "
	 "outside --peers, a duplicate or missing id, a bad HOST:PORT, port "
	 "0, other nodes' faults (exit 2) and a port in use (exit 3), each "
	 "naming its flag",
	 bad_usage_names_the_flag},
	{NULL, NULL},
};

/* test_tcp_client_e2e.c - `raftsim client` and `raftsim bench` against a
 * real cluster: three `raftsim node` processes on loopback (ports from the
 * client tests' range, 23000-23999, picked by pid), the clients' history
 * checked by `raftsim lincheck`. Nothing sleeps to synchronize: the
 * client's own retries wait for the first leader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clitest.h"
#include "tcptest.h"
#include "testhelp.h"
#include "testrun.h"

#define NODES 3

struct cluster_procs {
	pid_t pid[NODES];
	char peers[256];
	char logs[NODES][128];
};

/* Three ports of this process's own within 23000-23999. */
static int first_port(void)
{
	return 23000 + (int)(getpid() % 330) * 3;
}

static pid_t spawn_node(const struct cluster_procs *c, int id)
{
	char idtext[16];
	const char *args[] = {"node",   "--id",      idtext, "--peers",
			      c->peers, "--tick-ms", "10",   NULL};

	snprintf(idtext, sizeof(idtext), "%d", id);
	remove(c->logs[id]); /* this run's output alone */
	return tcptest_spawn_raftsim(c->logs[id], args);
}

static int start_cluster(struct cluster_procs *c)
{
	int port = first_port(), i;

	snprintf(c->peers, sizeof(c->peers),
		 "0=127.0.0.1:%d,1=127.0.0.1:%d,2=127.0.0.1:%d", port, port + 1,
		 port + 2);
	for (i = 0; i < NODES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "e2e-node%d.log", i);
		test_tmp(c->logs[i], sizeof(c->logs[i]), name);
		c->pid[i] = spawn_node(c, i);
		if (c->pid[i] < 0)
			return -1;
	}
	return 0;
}

static void stop_cluster(struct cluster_procs *c)
{
	int i;

	for (i = 0; i < NODES; i++)
		if (tcptest_stop_process(c->pid[i], NULL) == 0)
			remove(c->logs[i]);
}

/* The client flags of every command: a generous budget for the first
 * election on a loaded machine. */
#define CLIENT_FLAGS "--client-timeout-ms 500 --retries 20"

/* Runs `raftsim client|bench` against the cluster, its history appended
 * to `hist`: the command, then `args`. */
static int run_against(struct cmd_result *r, const struct cluster_procs *c,
		       const char *command, const char *hist, const char *args)
{
	return run_cmd(
		r, "%s/raftsim %s --peers %s " CLIENT_FLAGS " --history %s %s",
		test_bin_dir(), command, c->peers, hist, args);
}

static void e2e_body(struct cmd_result *r, struct cluster_procs *c,
		     const char *hist)
{
	REQUIRE(run_against(r, c, "client", hist, "put k v") == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strcmp(r->out, "ok\n") == 0);
	if (r->status != 0)
		cli_show(r);
	REQUIRE(run_against(r, c, "client", hist, "get k") == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strcmp(r->out, "v\n") == 0);
	REQUIRE(run_against(r, c, "client", hist, "cas k v w") == 0);
	CHECK(strcmp(r->out, "swapped\n") == 0);
	REQUIRE(run_against(r, c, "client", hist, "cas k v x") == 0);
	CHECK(strcmp(r->out, "not swapped\n") == 0);
	REQUIRE(run_against(r, c, "bench", hist,
			    "--clients 4 --keys 5 --duration 2") == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "ok/s") != NULL);
	CHECK(strstr(r->out, "latency (invoke to ok) p50") != NULL);
	if (r->status != 0)
		cli_show(r);
	REQUIRE(run_against(r, c, "client", hist, "delete k") == 0);
	CHECK(strcmp(r->out, "ok\n") == 0);
	REQUIRE(run_against(r, c, "client", hist, "get k") == 0);
	CHECK(strcmp(r->out, "(none)\n") == 0);
	REQUIRE(run_cmd(r, "%s/raftsim lincheck %s", test_bin_dir(), hist) ==
		0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "lincheck: OK") != NULL);
	if (r->status != 0)
		cli_show(r);
}

CLI_TEST(client_and_bench_work_against_three_node_processes)
{
	struct cluster_procs c;
	char hist[128];

	memset(&c, 0, sizeof(c));
	test_tmp(hist, sizeof(hist), "e2e-history.jsonl");
	remove(hist);
	if (start_cluster(&c) != 0)
		TEST_FAIL_AT("%s", "cannot fork the nodes");
	else
		e2e_body(r, &c, hist);
	stop_cluster(&c);
	remove(hist);
}

const struct test_case tcp_client_e2e_tests[] = {
	{"client e2e: put, get, cas, delete and a bench against three node "
	 "processes; the history is linearizable",
	 client_and_bench_work_against_three_node_processes},
	{NULL, NULL},
};

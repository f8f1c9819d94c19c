/* test_tcp_node.c - what a `raftsim node` process takes from a client
 * connection: one node (a cluster of one, on a free loopback port) and a
 * client transport in this process that sends what a real client would
 * not. Nothing sleeps to synchronize: each wait is for a condition (a
 * reply, a handshake: checked every millisecond; a line in the node's
 * log file: every 20 ms) up to a generous deadline.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kv/kv.h"
#include "net/tcp.h"
#include "tcptest.h"
#include "testhelp.h"
#include "testrun.h"

#define CLIENT_ID 5

struct node_proc {
	pid_t pid;
	char log[256];
	char peers[64];
};

static int node_start(struct node_proc *n, uint16_t port)
{
	const char *args[] = {"node",    "--id",    "0",
			      "--peers", n->peers,  "--tick-ms",
			      "10",      "--quiet", NULL};

	snprintf(n->peers, sizeof(n->peers), "0=127.0.0.1:%u", (unsigned)port);
	test_tmp(n->log, sizeof(n->log), "tcp-node.log");
	remove(n->log); /* this node's output alone */
	n->pid = tcptest_spawn_raftsim(n->log, args);
	return n->pid > 0 ? 0 : -1;
}

static void node_stop(struct node_proc *n)
{
	tcptest_stop_process(n->pid, NULL);
	n->pid = 0;
}

/* A client transport (CLIENT_ID) to the node on `port`, started. */
static int client_open(struct tcptest_end *c, uint16_t port)
{
	tcptest_end_config(c, 1, -1);
	c->cfg.client_id = CLIENT_ID;
	c->addrs[0].port = port;
	return tcptest_end_open_and_start(c);
}

struct node_dial {
	struct tcptest_end *client;
	pid_t node;
};

static bool connected_or_node_gone(void *arg)
{
	struct node_dial *d = arg;
	int status;

	return tcp_connected(d->client->t, 0) ||
	       waitpid(d->node, &status, WNOHANG) != 0;
}

/* A node on a free port and client c connected to it (c closed if not).
 * A port someone else took between tcptest_unused_port and the node's
 * bind: another one. */
static int node_and_client(struct node_proc *n, struct tcptest_end *c)
{
	struct node_dial d = {c, 0};
	uint16_t port;
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		port = tcptest_unused_port();
		if (port == 0 || node_start(n, port) != 0)
			return -1;
		if (client_open(c, port) != 0) {
			tcptest_end_close(c);
			node_stop(n);
			return -1;
		}
		d.node = n->pid;
		tcptest_wait(connected_or_node_gone, &d);
		if (tcp_connected(c->t, 0))
			return 0;
		tcptest_end_close(c);
		node_stop(n);
	}
	return -1;
}

/* Sends a REGISTER that names client `claims`, held back `delay_us`. */
static int send_register(struct tcp_transport *t, int claims, uint32_t delay_us)
{
	struct raft_message m;
	struct kv_cmd cmd;
	uint8_t buf[128];
	size_t len;

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = KV_REGISTER;
	cmd.client = claims;
	len = kv_cmd_encode(&cmd, buf, sizeof(buf));
	if (len > sizeof(buf))
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_CLIENT;
	m.from = RAFT_CLIENT;
	m.to = 0;
	m.u.client.data = buf;
	m.u.client.len = (uint32_t)len;
	return tcp_send(t, &m, delay_us, claims);
}

/* The client id of the last reply c received; -1 if it held none. */
static int last_reply_client(struct tcptest_end *c)
{
	struct kv_reply reply;
	int client = -1;

	pthread_mutex_lock(&c->mu);
	if (c->last.type == RAFT_MSG_CLIENT &&
	    kv_reply_decode(c->last_body, c->last_body_len, &reply) == 0)
		client = reply.client;
	pthread_mutex_unlock(&c->mu);
	return client;
}

static bool reconnected(void *arg)
{
	struct tcp_transport *t = arg;
	struct tcp_stats st;

	tcp_get_stats(t, &st);
	return st.disconnects >= 1 && st.connects >= 2 && tcp_connected(t, 0);
}

/* Runs `body` with a node and client c connected to it, then stops both
 * (the node's stderr printed if the test failed). */
static void with_node_and_client(void (*body)(struct tcptest_end *c,
					      const struct node_proc *n))
{
	struct tcptest_end *c = calloc(1, sizeof(*c));
	struct node_proc n = {0};

	REQUIRE(c != NULL);
	if (node_and_client(&n, c) == 0) {
		body(c, &n);
		tcptest_end_close(c);
	} else {
		CHECK(!"the node did not start, or the client did not connect");
	}
	if (test_failures > 0)
		tcptest_print_file("node stderr", n.log);
	node_stop(&n);
	remove(n.log);
	free(c);
}

static void a_client_request_is_not_held_for_its_delay_on(
	struct tcptest_end *c, const struct node_proc *n)
{
	(void)n;
	/* 2^32-1 us is 71 minutes: held that long, no reply comes before
	 * the deadline. Any answer (not the leader yet, retry, a session)
	 * shows the node looked at it. */
	CHECK_EQ(send_register(c->t, CLIENT_ID, UINT32_MAX), 0);
	CHECK(tcptest_wait_messages(c, 1));
	CHECK_EQ(last_reply_client(c), CLIENT_ID);
}

static void a_client_request_is_not_held_for_its_delay(void)
{
	with_node_and_client(a_client_request_is_not_held_for_its_delay_on);
}

static void a_request_naming_another_client_is_refused_on(
	struct tcptest_end *c, const struct node_proc *n)
{
	CHECK_EQ(send_register(c->t, CLIENT_ID + 1, 0), 0);
	CHECK(tcptest_wait_file_has(n->log, 0, "names client 6"));
	/* The node closed that connection; the client dials again and its
	 * own requests are served. */
	CHECK(tcptest_wait(reconnected, c->t));
	CHECK_EQ(send_register(c->t, CLIENT_ID, 0), 0);
	CHECK(tcptest_wait_messages(c, 1));
	CHECK_EQ(tcptest_end_messages(c), 1);
	CHECK_EQ(last_reply_client(c), CLIENT_ID);
}

static void a_request_naming_another_client_is_refused(void)
{
	with_node_and_client(a_request_naming_another_client_is_refused_on);
}

const struct test_case tcp_node_tests[] = {
	{"tcp node: a client's request that asks for a delay of 2^32-1 us is "
	 "served at once, not held in the node's mailbox",
	 a_client_request_is_not_held_for_its_delay},
	{"tcp node: a request whose body names another client than its "
	 "connection's handshake is refused with a log line, not answered",
	 a_request_naming_another_client_is_refused},
	{NULL, NULL},
};

/* test_tcp_node.c - what a `raftsim node` process takes from a client
 * connection: one node (a cluster of one, on a free loopback port) and a
 * client transport in this process that sends what a real client would
 * not. Nothing sleeps to synchronize: each wait is for a condition (a
 * reply, a log line, a handshake), checked every millisecond up to a
 * generous deadline.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kv/kv.h"
#include "net/tcp.h"
#include "testhelp.h"
#include "testrun.h"

#define DEADLINE_MS 20000
#define CLIENT_ID 5

struct node_proc {
	pid_t pid;
	char log[256];
	char peers[64];
};

/* What the client transport received. */
struct inbox {
	pthread_mutex_t mu;
	int replies;
	struct kv_reply last; /* its value not kept */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tick_1ms(void)
{
	struct timespec ts = {0, 1000000};

	nanosleep(&ts, NULL);
}

/* A loopback port free a moment ago (bound to 0, read, closed). */
static uint16_t free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int node_start(struct node_proc *n, uint16_t port)
{
	char bin[512];
	int fd;

	snprintf(bin, sizeof(bin), "%s/raftsim", test_bin_dir());
	snprintf(n->peers, sizeof(n->peers), "0=127.0.0.1:%u", (unsigned)port);
	test_tmp(n->log, sizeof(n->log), "tcp-node.log");
	n->pid = fork();
	if (n->pid != 0)
		return n->pid > 0 ? 0 : -1;
	fd = open(n->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	execl(bin, "raftsim", "node", "--id", "0", "--peers", n->peers,
	      "--tick-ms", "10", "--quiet", (char *)NULL);
	_exit(127);
}

static void node_stop(struct node_proc *n)
{
	int status;

	if (n->pid <= 0)
		return;
	kill(n->pid, SIGTERM);
	waitpid(n->pid, &status, 0);
	n->pid = 0;
}

/* Whether the node's stderr holds `text` (the file read afresh). */
static bool node_logged(const struct node_proc *n, const char *text)
{
	char buf[16384];
	FILE *f = fopen(n->log, "r");
	size_t len;

	if (f == NULL)
		return false;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	return strstr(buf, text) != NULL;
}

static void inbox_deliver(void *ctx, const struct raft_message *m,
			  uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct inbox *in = ctx;
	struct kv_reply reply;

	(void)delay_us;
	(void)extra_bytes;
	if (m->type == RAFT_MSG_CLIENT &&
	    kv_reply_decode(m->u.client.data, m->u.client.len, &reply) == 0) {
		pthread_mutex_lock(&in->mu);
		in->replies++;
		in->last = reply;
		in->last.value.data = NULL;
		pthread_mutex_unlock(&in->mu);
	}
	free(extra);
}

static int inbox_replies(struct inbox *in)
{
	int n;

	pthread_mutex_lock(&in->mu);
	n = in->replies;
	pthread_mutex_unlock(&in->mu);
	return n;
}

/* A client transport (CLIENT_ID) to the node on `port`. */
static struct tcp_transport *client_open(struct inbox *in, uint16_t port)
{
	struct tcp_transport *t = NULL;
	struct tcp_config cfg;
	struct tcp_addr addr;
	char err[256];

	memset(&addr, 0, sizeof(addr));
	snprintf(addr.host, sizeof(addr.host), "127.0.0.1");
	addr.port = port;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cluster_id = 1;
	cfg.nodes = 1;
	cfg.addrs = &addr;
	cfg.client_id = CLIENT_ID;
	cfg.backoff_min_us = 2000;
	cfg.backoff_max_us = 50000;
	cfg.seed = 3;
	cfg.deliver = inbox_deliver;
	cfg.ctx = in;
	if (tcp_open(&t, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "    tcp_open: %s\n", err);
		return NULL;
	}
	if (tcp_start(t) != 0) {
		tcp_close(t);
		return NULL;
	}
	return t;
}

/* A node on a free port and a client connected to it. A port someone
 * else took between free_port and the node's bind: another one. */
static struct tcp_transport *node_and_client(struct node_proc *n,
					     struct inbox *in)
{
	struct tcp_transport *t;
	int64_t end;
	uint16_t port;
	int attempt, status;

	for (attempt = 0; attempt < 3; attempt++) {
		port = free_port();
		if (port == 0 || node_start(n, port) != 0)
			return NULL;
		t = client_open(in, port);
		if (t == NULL) {
			node_stop(n);
			return NULL;
		}
		end = now_ms() + DEADLINE_MS;
		while (!tcp_connected(t, 0) && now_ms() < end &&
		       waitpid(n->pid, &status, WNOHANG) == 0)
			tick_1ms();
		if (tcp_connected(t, 0))
			return t;
		tcp_close(t);
		node_stop(n);
	}
	return NULL;
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

static bool wait_replies(struct inbox *in, int want)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (inbox_replies(in) < want) {
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
	return true;
}

static bool wait_node_log(const struct node_proc *n, const char *text)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (!node_logged(n, text)) {
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
	return true;
}

static bool reconnected(struct tcp_transport *t)
{
	struct tcp_stats st;

	tcp_get_stats(t, &st);
	return st.disconnects >= 1 && st.connects >= 2 && tcp_connected(t, 0);
}

static bool wait_reconnected(struct tcp_transport *t)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (!reconnected(t)) {
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
	return true;
}

static void show_log(const struct node_proc *n)
{
	char buf[4096];
	FILE *f = fopen(n->log, "r");
	size_t len;

	if (f == NULL)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	fprintf(stderr, "--- node stderr\n%s", buf);
}

static void a_client_request_is_not_held_for_its_delay(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct node_proc n = {0};
	struct tcp_transport *t;

	REQUIRE(in != NULL);
	pthread_mutex_init(&in->mu, NULL);
	t = node_and_client(&n, in);
	if (t != NULL) {
		/* 2^32-1 us is 71 minutes: held that long, no reply comes
		 * before the deadline. Any answer (not the leader yet,
		 * retry, a session) shows the node looked at it. */
		CHECK_EQ(send_register(t, CLIENT_ID, UINT32_MAX), 0);
		CHECK(wait_replies(in, 1));
		pthread_mutex_lock(&in->mu);
		CHECK_EQ(in->last.client, CLIENT_ID);
		pthread_mutex_unlock(&in->mu);
		tcp_close(t);
	} else {
		CHECK(!"the node did not start, or the client did not connect");
	}
	if (test_failures > 0)
		show_log(&n);
	node_stop(&n);
	remove(n.log);
	pthread_mutex_destroy(&in->mu);
	free(in);
}

static void a_request_naming_another_client_is_refused(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct node_proc n = {0};
	struct tcp_transport *t;

	REQUIRE(in != NULL);
	pthread_mutex_init(&in->mu, NULL);
	t = node_and_client(&n, in);
	if (t != NULL) {
		CHECK_EQ(send_register(t, CLIENT_ID + 1, 0), 0);
		CHECK(wait_node_log(&n, "names client 6"));
		/* The node closed that connection; the client dials again
		 * and its own requests are served. */
		CHECK(wait_reconnected(t));
		CHECK_EQ(send_register(t, CLIENT_ID, 0), 0);
		CHECK(wait_replies(in, 1));
		pthread_mutex_lock(&in->mu);
		CHECK_EQ(in->replies, 1);
		CHECK_EQ(in->last.client, CLIENT_ID);
		pthread_mutex_unlock(&in->mu);
		tcp_close(t);
	} else {
		CHECK(!"the node did not start, or the client did not connect");
	}
	if (test_failures > 0)
		show_log(&n);
	node_stop(&n);
	remove(n.log);
	pthread_mutex_destroy(&in->mu);
	free(in);
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

/* test_tcp_guard.c - the TCP transport's guards against peers that hold
 * what they should not: descriptors (accept() out of them), handshake
 * slots (silent sockets), a client's connection (idle, or twice) and
 * its reply route. Real loopback sockets, every listener on port 0.
 * Nothing sleeps to synchronize: each wait is for a condition checked
 * every millisecond up to a generous deadline (one test measures CPU
 * over a fixed window: that wait is the measurement).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/tcp_internal.h"
#include "testhelp.h"
#include "testrun.h"

#define DEADLINE_MS 20000
#define LOG_BYTES 16384
#define RAW_MAX 80

struct guard_end {
	struct tcp_transport *t;
	pthread_mutex_t mu;
	int messages;
	char log[LOG_BYTES];
	size_t log_len;
	struct tcp_addr addrs[2];
	bool local[2];
	struct tcp_config cfg;
};

static void g_deliver(void *ctx, const struct raft_message *m,
		      uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct guard_end *e = ctx;

	(void)m;
	(void)delay_us;
	(void)extra_bytes;
	pthread_mutex_lock(&e->mu);
	e->messages++;
	pthread_mutex_unlock(&e->mu);
	free(extra);
}

static void g_log(void *ctx, const char *line)
{
	struct guard_end *e = ctx;
	size_t len = strlen(line);

	pthread_mutex_lock(&e->mu);
	if (e->log_len + len + 2 < LOG_BYTES) {
		memcpy(e->log + e->log_len, line, len);
		e->log_len += len;
		e->log[e->log_len++] = '\n';
		e->log[e->log_len] = '\0';
	}
	pthread_mutex_unlock(&e->mu);
}

/* Node `local` of 2 (-1: client `client`), dialing node 1 at `port`. */
static void g_config(struct guard_end *e, int local, int client, uint16_t port)
{
	int i;

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->mu, NULL);
	for (i = 0; i < 2; i++) {
		snprintf(e->addrs[i].host, TCP_HOST_MAX, "127.0.0.1");
		e->local[i] = i == local;
	}
	e->addrs[1].port = port;
	e->cfg.cluster_id = 1;
	e->cfg.nodes = 2;
	e->cfg.addrs = e->addrs;
	e->cfg.local = e->local;
	e->cfg.client_id = client;
	e->cfg.backoff_min_us = 2000;
	e->cfg.backoff_max_us = 50000;
	e->cfg.seed = 11;
	e->cfg.deliver = g_deliver;
	e->cfg.log = g_log;
	e->cfg.ctx = e;
}

static int g_open(struct guard_end *e)
{
	char err[256];

	if (tcp_open(&e->t, &e->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "    tcp_open: %s\n", err);
		return -1;
	}
	return 0;
}

static void g_close(struct guard_end *e)
{
	tcp_close(e->t);
	e->t = NULL;
	pthread_mutex_destroy(&e->mu);
}

static int count_in_log(struct guard_end *e, const char *text)
{
	const char *p;
	int n = 0;

	pthread_mutex_lock(&e->mu);
	for (p = e->log; (p = strstr(p, text)) != NULL; p++)
		n++;
	pthread_mutex_unlock(&e->mu);
	return n;
}

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

static bool wait_log(struct guard_end *e, const char *text)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (count_in_log(e, text) == 0) {
		if (now_ms() >= end) {
			fprintf(stderr, "    no '%s' in:\n%s", text, e->log);
			return false;
		}
		tick_1ms();
	}
	return true;
}

static int routes(struct tcp_transport *t)
{
	int n;

	pthread_mutex_lock(&t->routes_mu);
	n = t->route_count;
	pthread_mutex_unlock(&t->routes_mu);
	return n;
}

static bool wait_routes(struct tcp_transport *t, int want)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (routes(t) != want) {
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
	return true;
}

static bool wait_connected(struct tcp_transport *t, int node)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (!tcp_connected(t, node)) {
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
	return true;
}

static int raw_connect(uint16_t port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The lowest descriptor free now. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void out_of_descriptors_rests_instead_of_spinning(void)
{
	struct guard_end *b = calloc(1, sizeof(*b));
	struct timespec window = {0, 300000000};
	struct rlimit was, low;
	int raw[8], i, fd;
	int64_t cpu;

	REQUIRE(b != NULL);
	g_config(b, 1, -1, 0);
	REQUIRE(g_open(b) == 0);
	for (i = 0; i < 8; i++)
		raw[i] = raw_connect(tcp_port(b->t, 1)); /* in the backlog */
	REQUIRE(getrlimit(RLIMIT_NOFILE, &was) == 0);
	fd = lowest_free_fd();
	REQUIRE(fd >= 0);
	low = was;
	low.rlim_cur = (rlim_t)fd + 2; /* two accepts, then EMFILE */
	REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
	if (tcp_start(b->t) == 0 &&
	    wait_log(b, "cannot accept a connection: Too many open files")) {
		/* A spin would burn the whole window on one core. */
		cpu = cpu_us();
		nanosleep(&window, NULL);
		cpu = cpu_us() - cpu;
		if (cpu >= 100000)
			TEST_FAIL_AT("%lld us of CPU in a 300 ms window",
				     (long long)cpu);
		CHECK_EQ(count_in_log(b, "cannot accept"), 1);
	} else {
		CHECK(!"the listener never ran out of descriptors");
	}
	setrlimit(RLIMIT_NOFILE, &was);
	for (i = 0; i < 8; i++)
		if (raw[i] >= 0)
			close(raw[i]);
	g_close(b);
	free(b);
}

static void silent_sockets_cannot_take_every_handshake_slot(void)
{
	struct guard_end *e = calloc(2, sizeof(*e));
	int raw[RAW_MAX], i;

	REQUIRE(e != NULL);
	g_config(&e[1], 1, -1, 0);
	REQUIRE(g_open(&e[1]) == 0 && tcp_start(e[1].t) == 0);
	for (i = 0; i < RAW_MAX; i++)
		raw[i] = raw_connect(tcp_port(e[1].t, 1));
	CHECK(wait_log(&e[1], "connections are in their handshake: the "
			      "oldest is closed"));
	/* The node's own peer still gets through, well within the 5 s the
	 * silent ones would otherwise hold their slots. */
	g_config(&e[0], 0, -1, tcp_port(e[1].t, 1));
	REQUIRE(g_open(&e[0]) == 0 && tcp_start(e[0].t) == 0);
	CHECK(wait_connected(e[0].t, 1));
	CHECK(wait_connected(e[1].t, 0));
	CHECK_EQ(count_in_log(&e[1], "in their handshake"), 1);
	for (i = 0; i < RAW_MAX; i++)
		if (raw[i] >= 0)
			close(raw[i]);
	g_close(&e[0]);
	g_close(&e[1]);
	free(e);
}

static void an_idle_client_connection_is_closed(void)
{
	struct guard_end *e = calloc(2, sizeof(*e));

	REQUIRE(e != NULL);
	g_config(&e[1], 1, -1, 0);
	e[1].cfg.client_idle_us = 100000;
	REQUIRE(g_open(&e[1]) == 0 && tcp_start(e[1].t) == 0);
	g_config(&e[0], -1, 4, tcp_port(e[1].t, 1));
	REQUIRE(g_open(&e[0]) == 0 && tcp_start(e[0].t) == 0);
	CHECK(wait_connected(e[0].t, 1));
	CHECK(wait_log(&e[1], "(client 4): nothing from it in 100 ms"));
	CHECK(wait_routes(e[1].t, 0));
	g_close(&e[0]);
	g_close(&e[1]);
	free(e);
}

static bool got_message(struct guard_end *e)
{
	int64_t end = now_ms() + DEADLINE_MS;
	int n;

	for (;;) {
		pthread_mutex_lock(&e->mu);
		n = e->messages;
		pthread_mutex_unlock(&e->mu);
		if (n > 0)
			return true;
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
}

static void a_client_route_lives_as_long_as_its_connection(void)
{
	struct guard_end *e = calloc(3, sizeof(*e));
	struct raft_message reply;
	uint8_t body[4] = {1, 2, 3, 4};
	struct tcp_stats st;

	REQUIRE(e != NULL);
	g_config(&e[1], 1, -1, 0);
	REQUIRE(g_open(&e[1]) == 0 && tcp_start(e[1].t) == 0);
	g_config(&e[0], -1, 9, tcp_port(e[1].t, 1));
	REQUIRE(g_open(&e[0]) == 0 && tcp_start(e[0].t) == 0);
	CHECK(wait_connected(e[0].t, 1));
	CHECK(wait_routes(e[1].t, 1));
	/* Client 9 again, on a second connection: the first is closed and
	 * the one route now leads to the second. */
	g_config(&e[2], -1, 9, tcp_port(e[1].t, 1));
	REQUIRE(g_open(&e[2]) == 0 && tcp_start(e[2].t) == 0);
	CHECK(wait_log(&e[1], "client 9 reconnected"));
	CHECK(wait_connected(e[2].t, 1));
	CHECK_EQ(routes(e[1].t), 1);
	memset(&reply, 0, sizeof(reply));
	reply.type = RAFT_MSG_CLIENT;
	reply.from = 1;
	reply.to = RAFT_CLIENT;
	reply.u.client.data = body;
	reply.u.client.len = sizeof(body);
	CHECK_EQ(tcp_send(e[1].t, &reply, 0, 9), 0);
	CHECK(got_message(&e[2]));
	tcp_get_stats(e[0].t, &st);
	CHECK(st.disconnects >= 1);
	/* Both gone: so is the route, and a reply finds none. */
	g_close(&e[0]);
	g_close(&e[2]);
	CHECK(wait_routes(e[1].t, 0));
	CHECK_EQ(tcp_send(e[1].t, &reply, 0, 9), -1);
	g_close(&e[1]);
	free(e);
}

const struct test_case tcp_guard_tests[] = {
	{"tcp guard: accept() out of descriptors rests the listener (one log "
	 "line) instead of spinning on it",
	 out_of_descriptors_rests_instead_of_spinning},
	{"tcp guard: 80 silent sockets cannot take every handshake slot: the "
	 "oldest is closed for each new one (logged once) and the node's peer "
	 "still connects",
	 silent_sockets_cannot_take_every_handshake_slot},
	{"tcp guard: a client connection silent for client_idle_us is closed "
	 "with a log line, and its route with it",
	 an_idle_client_connection_is_closed},
	{"tcp guard: a client that connects again closes its old connection; "
	 "its one route leads to the new one and is freed when it closes",
	 a_client_route_lives_as_long_as_its_connection},
	{NULL, NULL},
};

/* test_tcp_guard.c - the TCP transport's guards against peers that hold
 * what they should not: descriptors (accept() out of them), handshake
 * slots (silent sockets), a client's connection (idle, or twice) and
 * its reply route. Real loopback sockets, every listener on port 0.
 * Nothing sleeps to synchronize: each wait is for a condition checked
 * every millisecond up to a generous deadline (one test measures CPU
 * over a fixed window: that wait is the measurement).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "net/tcp_internal.h"
#include "tcptest.h"
#include "testhelp.h"
#include "testrun.h"

#define RAW_MAX 80

/* Node `local` of 2 (-1: client `client`), dialing node 1 at `port`. */
static void guard_config(struct tcptest_end *e, int local, int client,
			 uint16_t port)
{
	tcptest_end_config(e, 2, local);
	e->cfg.client_id = client;
	e->addrs[1].port = port;
}

static int routes(struct tcp_transport *t)
{
	int n;

	pthread_mutex_lock(&t->routes_mu);
	n = t->route_count;
	pthread_mutex_unlock(&t->routes_mu);
	return n;
}

struct routes_goal {
	struct tcp_transport *t;
	int want;
};

static bool has_routes(void *arg)
{
	struct routes_goal *g = arg;

	return routes(g->t) == g->want;
}

static bool wait_routes(struct tcp_transport *t, int want)
{
	struct routes_goal g = {t, want};

	return tcptest_wait(has_routes, &g);
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
	struct tcptest_end *b = calloc(1, sizeof(*b));
	struct timespec window = {0, 300000000};
	struct rlimit was, low;
	int raw[8], i, fd;
	int64_t cpu;

	REQUIRE(b != NULL);
	guard_config(b, 1, -1, 0);
	REQUIRE(tcptest_end_open(b) == 0);
	for (i = 0; i < 8; i++)
		raw[i] = tcptest_connect_raw(
			tcp_port(b->t, 1)); /* in the backlog */
	REQUIRE(getrlimit(RLIMIT_NOFILE, &was) == 0);
	fd = lowest_free_fd();
	REQUIRE(fd >= 0);
	low = was;
	low.rlim_cur = (rlim_t)fd + 2; /* two accepts, then EMFILE */
	REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
	if (tcp_start(b->t) == 0 &&
	    tcptest_wait_log(
		    b, "cannot accept a connection: Too many open files")) {
		/* A spin would burn the whole window on one core. */
		cpu = cpu_us();
		nanosleep(&window, NULL);
		cpu = cpu_us() - cpu;
		if (cpu >= 100000)
			TEST_FAIL_AT("%lld us of CPU in a 300 ms window",
				     (long long)cpu);
		CHECK_EQ(tcptest_end_log_count(b, "cannot accept"), 1);
	} else {
		CHECK(!"the listener never ran out of descriptors");
	}
	setrlimit(RLIMIT_NOFILE, &was);
	for (i = 0; i < 8; i++)
		if (raw[i] >= 0)
			close(raw[i]);
	tcptest_end_close(b);
	free(b);
}

static void silent_sockets_cannot_take_every_handshake_slot(void)
{
	struct tcptest_end *e = calloc(2, sizeof(*e));
	int raw[RAW_MAX], i;

	REQUIRE(e != NULL);
	guard_config(&e[1], 1, -1, 0);
	REQUIRE(tcptest_end_open_and_start(&e[1]) == 0);
	for (i = 0; i < RAW_MAX; i++)
		raw[i] = tcptest_connect_raw(tcp_port(e[1].t, 1));
	CHECK(tcptest_wait_log(&e[1], "connections are in their handshake: the "
				      "oldest is closed"));
	/* The node's own peer still gets through, well within the 5 s the
	 * silent ones would otherwise hold their slots. */
	guard_config(&e[0], 0, -1, tcp_port(e[1].t, 1));
	REQUIRE(tcptest_end_open_and_start(&e[0]) == 0);
	CHECK(tcptest_wait_connected(e[0].t, 1));
	CHECK(tcptest_wait_connected(e[1].t, 0));
	CHECK_EQ(tcptest_end_log_count(&e[1], "in their handshake"), 1);
	for (i = 0; i < RAW_MAX; i++)
		if (raw[i] >= 0)
			close(raw[i]);
	tcptest_end_close(&e[0]);
	tcptest_end_close(&e[1]);
	free(e);
}

static void an_idle_client_connection_is_closed(void)
{
	struct tcptest_end *e = calloc(2, sizeof(*e));

	REQUIRE(e != NULL);
	guard_config(&e[1], 1, -1, 0);
	e[1].cfg.client_idle_us = 100000;
	REQUIRE(tcptest_end_open_and_start(&e[1]) == 0);
	guard_config(&e[0], -1, 4, tcp_port(e[1].t, 1));
	REQUIRE(tcptest_end_open_and_start(&e[0]) == 0);
	CHECK(tcptest_wait_connected(e[0].t, 1));
	CHECK(tcptest_wait_log(&e[1], "(client 4): nothing from it in 100 ms"));
	CHECK(wait_routes(e[1].t, 0));
	tcptest_end_close(&e[0]);
	tcptest_end_close(&e[1]);
	free(e);
}

static void a_client_route_lives_as_long_as_its_connection(void)
{
	struct tcptest_end *e = calloc(3, sizeof(*e));
	struct raft_message reply;
	uint8_t body[4] = {1, 2, 3, 4};
	struct tcp_stats st;

	REQUIRE(e != NULL);
	guard_config(&e[1], 1, -1, 0);
	REQUIRE(tcptest_end_open_and_start(&e[1]) == 0);
	guard_config(&e[0], -1, 9, tcp_port(e[1].t, 1));
	REQUIRE(tcptest_end_open_and_start(&e[0]) == 0);
	CHECK(tcptest_wait_connected(e[0].t, 1));
	CHECK(wait_routes(e[1].t, 1));
	/* Client 9 again, on a second connection: the first is closed and
	 * the one route now leads to the second. */
	guard_config(&e[2], -1, 9, tcp_port(e[1].t, 1));
	REQUIRE(tcptest_end_open_and_start(&e[2]) == 0);
	CHECK(tcptest_wait_log(&e[1], "client 9 reconnected"));
	CHECK(tcptest_wait_connected(e[2].t, 1));
	CHECK_EQ(routes(e[1].t), 1);
	memset(&reply, 0, sizeof(reply));
	reply.type = RAFT_MSG_CLIENT;
	reply.from = 1;
	reply.to = RAFT_CLIENT;
	reply.u.client.data = body;
	reply.u.client.len = sizeof(body);
	CHECK_EQ(tcp_send(e[1].t, &reply, 0, 9), 0);
	CHECK(tcptest_wait_messages(&e[2], 1));
	tcp_get_stats(e[0].t, &st);
	CHECK(st.disconnects >= 1);
	/* Both gone: so is the route, and a reply finds none. */
	tcptest_end_close(&e[0]);
	tcptest_end_close(&e[2]);
	CHECK(wait_routes(e[1].t, 0));
	CHECK_EQ(tcp_send(e[1].t, &reply, 0, 9), -1);
	tcptest_end_close(&e[1]);
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

/* test_tcp.c - the TCP transport (src/net/tcp*.c) on real loopback
 * sockets: transports in one process, every listener on port 0, and raw
 * sockets that speak wrongly on purpose. Nothing sleeps to synchronize:
 * each wait is for a condition (a message, a log line, a handshake),
 * checked every millisecond up to a generous deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "net/tcp.h"
#include "net/wire.h"
#include "testhelp.h"
#include "testrun.h"

#define DEADLINE_MS 20000
#define LOG_BYTES 16384

/* What one transport saw: its messages and its log lines. */
struct seen {
	pthread_mutex_t mu;
	int messages;
	struct raft_message last;
	uint32_t last_delay;
	size_t last_extra;
	char log[LOG_BYTES];
	size_t log_len;
};

static void seen_deliver(void *ctx, const struct raft_message *m,
			 uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct seen *s = ctx;

	pthread_mutex_lock(&s->mu);
	s->messages++;
	s->last = *m;
	s->last_delay = delay_us;
	s->last_extra = extra_bytes;
	pthread_mutex_unlock(&s->mu);
	free(extra);
}

static void seen_log(void *ctx, const char *line)
{
	struct seen *s = ctx;
	size_t len = strlen(line);

	pthread_mutex_lock(&s->mu);
	if (s->log_len + len + 2 < LOG_BYTES) {
		memcpy(s->log + s->log_len, line, len);
		s->log_len += len;
		s->log[s->log_len++] = '\n';
		s->log[s->log_len] = '\0';
	}
	pthread_mutex_unlock(&s->mu);
}

static int seen_messages(struct seen *s)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->messages;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static bool seen_logged(struct seen *s, const char *text)
{
	bool found;

	pthread_mutex_lock(&s->mu);
	found = strstr(s->log, text) != NULL;
	pthread_mutex_unlock(&s->mu);
	return found;
}

/* One transport under test, with what it saw. */
struct end {
	struct tcp_transport *t;
	struct seen seen;
	struct tcp_addr addrs[3];
	bool local[3];
	struct tcp_config cfg;
};

static void end_config(struct end *e, int nodes, int local_node)
{
	int i;

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->seen.mu, NULL);
	for (i = 0; i < nodes; i++) {
		snprintf(e->addrs[i].host, TCP_HOST_MAX, "127.0.0.1");
		e->local[i] = i == local_node;
	}
	e->cfg.cluster_id = 1;
	e->cfg.nodes = nodes;
	e->cfg.addrs = e->addrs;
	e->cfg.local = e->local;
	e->cfg.client_id = -1;
	e->cfg.backoff_min_us = 2000;
	e->cfg.backoff_max_us = 100000;
	e->cfg.seed = 42;
	e->cfg.deliver = seen_deliver;
	e->cfg.log = seen_log;
	e->cfg.ctx = &e->seen;
}

static int end_open(struct end *e)
{
	char err[256];

	if (tcp_open(&e->t, &e->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "    tcp_open: %s\n", err);
		return -1;
	}
	return 0;
}

static void end_close(struct end *e)
{
	tcp_close(e->t);
	e->t = NULL;
	pthread_mutex_destroy(&e->seen.mu);
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

/* Waits until pred(arg), checked every millisecond, up to a deadline no
 * loaded machine comes near. */
static bool wait_for(bool (*pred)(void *), void *arg)
{
	int64_t end = now_ms() + DEADLINE_MS;

	while (!pred(arg)) {
		if (now_ms() >= end)
			return false;
		tick_1ms();
	}
	return true;
}

static struct raft_message vote_request(int from, int to, uint64_t term)
{
	struct raft_message m;

	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_REQUEST_VOTE;
	m.from = from;
	m.to = to;
	m.term = term;
	m.u.rv.term = term;
	m.u.rv.candidate_id = from;
	return m;
}

/* Two transports, node 0 in a and node 1 in b, told each other's port
 * and started. */
static int pair_up(struct end *a, struct end *b)
{
	if (end_open(a) != 0 || end_open(b) != 0)
		return -1;
	tcp_set_port(a->t, 1, tcp_port(b->t, 1));
	tcp_set_port(b->t, 0, tcp_port(a->t, 0));
	if (tcp_start(a->t) != 0 || tcp_start(b->t) != 0)
		return -1;
	return 0;
}

/* Predicates for wait_for. */
struct pair {
	struct end *a, *b;
};

static bool pair_connected(void *arg)
{
	struct pair *p = arg;

	return tcp_connected(p->a->t, 1) && tcp_connected(p->b->t, 0);
}

struct count_goal {
	struct seen *seen;
	int want;
};

static bool got_messages(void *arg)
{
	struct count_goal *g = arg;

	return seen_messages(g->seen) >= g->want;
}

struct log_goal {
	struct seen *seen;
	const char *text;
};

static bool got_log(void *arg)
{
	struct log_goal *g = arg;

	return seen_logged(g->seen, g->text);
}

static bool wait_messages(struct seen *s, int want)
{
	struct count_goal g = {s, want};

	return wait_for(got_messages, &g);
}

static bool wait_log(struct seen *s, const char *text)
{
	struct log_goal g = {s, text};

	return wait_for(got_log, &g);
}

/* Sends a -> b and b -> a, and checks each arrives whole. */
static void exchange(struct end *a, struct end *b, uint64_t term)
{
	struct raft_message m = vote_request(0, 1, term);
	int before_a = seen_messages(&a->seen);
	int before_b = seen_messages(&b->seen);

	CHECK_EQ(tcp_send(a->t, &m, 1234, -1), 0);
	CHECK(wait_messages(&b->seen, before_b + 1));
	pthread_mutex_lock(&b->seen.mu);
	CHECK_EQ(b->seen.last.type, RAFT_MSG_REQUEST_VOTE);
	CHECK_EQ(b->seen.last.from, 0);
	CHECK_EQ(b->seen.last.to, 1);
	CHECK_EQ(b->seen.last.term, term);
	CHECK_EQ(b->seen.last.u.rv.candidate_id, 0);
	CHECK_EQ(b->seen.last_delay, 1234);
	pthread_mutex_unlock(&b->seen.mu);
	m = vote_request(1, 0, term + 1);
	m.type = RAFT_MSG_REQUEST_VOTE_REPLY;
	memset(&m.u, 0, sizeof(m.u));
	m.u.rv_reply.term = term + 1;
	m.u.rv_reply.vote_granted = true;
	CHECK_EQ(tcp_send(b->t, &m, 0, -1), 0);
	CHECK(wait_messages(&a->seen, before_a + 1));
	pthread_mutex_lock(&a->seen.mu);
	CHECK_EQ(a->seen.last.type, RAFT_MSG_REQUEST_VOTE_REPLY);
	CHECK_EQ(a->seen.last.from, 1);
	CHECK_EQ(a->seen.last.to, 0);
	CHECK_EQ(a->seen.last.u.rv_reply.vote_granted, 1);
	pthread_mutex_unlock(&a->seen.mu);
}

static void two_transports_exchange_messages_both_ways(void)
{
	struct end *e = calloc(2, sizeof(*e));
	struct pair p = {&e[0], &e[1]};
	struct tcp_stats st;
	int i;

	REQUIRE(e != NULL);
	end_config(&e[0], 2, 0);
	end_config(&e[1], 2, 1);
	if (pair_up(&e[0], &e[1]) == 0 && wait_for(pair_connected, &p)) {
		for (i = 0; i < 20; i++)
			exchange(&e[0], &e[1], 5 + (uint64_t)i);
		tcp_get_stats(e[0].t, &st);
		CHECK_EQ(st.connects, 1);
		CHECK(st.frames_received >= 20); /* and the handshake's */
		CHECK(st.frames_sent >= 20);
		CHECK_EQ(st.dropped_full, 0);
	} else {
		CHECK(!"the pair did not connect");
	}
	end_close(&e[0]);
	end_close(&e[1]);
	free(e);
}

/* b (node 1 of 2) alone, listening; a raw socket connected to it. */
static int raw_connect(uint16_t port)
{
	struct sockaddr_in sa;
	struct timeval tv = {DEADLINE_MS / 1000, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes bytes (then, if `end`, half-closes) and returns whether the
 * transport closed the connection: read() sees the end of the stream
 * (or a reset) before the deadline. */
static bool raw_is_closed(int fd, const uint8_t *bytes, size_t len, bool end)
{
	uint8_t buf[256];
	ssize_t n;

	if (len > 0 && write(fd, bytes, len) != (ssize_t)len)
		return false;
	if (end)
		shutdown(fd, SHUT_WR);
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static size_t hello_frame(uint8_t *out, uint64_t cluster, int from, int to)
{
	struct wire_hello h;
	size_t len;

	memset(&h, 0, sizeof(h));
	h.cluster_id = cluster;
	h.kind = WIRE_KIND_NODE;
	h.from = from;
	h.to = to;
	memset(h.nonce, 7, sizeof(h.nonce));
	len = wire_encode_hello(&h, out + WIRE_HEADER_BYTES, 200);
	wire_put_header(out, WIRE_HELLO, out + WIRE_HEADER_BYTES,
			(uint32_t)len);
	return WIRE_HEADER_BYTES + len;
}

/* Node 1 of 2 on its own: the target of the raw sockets below. */
static int lone_open(struct end *b)
{
	end_config(b, 2, 1);
	if (end_open(b) != 0 || tcp_start(b->t) != 0)
		return -1;
	return 0;
}

static void another_cluster_is_refused_and_logged(void)
{
	struct end *e = calloc(3, sizeof(*e));
	struct tcp_stats st;

	REQUIRE(e != NULL);
	end_config(&e[0], 2, 0);
	end_config(&e[1], 2, 1);
	end_config(&e[2], 2, 0);
	e[2].cfg.cluster_id = 7;
	if (pair_up(&e[0], &e[1]) == 0 && end_open(&e[2]) == 0) {
		struct pair p = {&e[0], &e[1]};

		tcp_set_port(e[2].t, 1, tcp_port(e[1].t, 1));
		REQUIRE(tcp_start(e[2].t) == 0);
		CHECK(wait_log(&e[1].seen, ": cluster id 7, ours 1"));
		CHECK(wait_log(&e[1].seen, "refused 127.0.0.1:"));
		tcp_get_stats(e[1].t, &st);
		CHECK(st.refused >= 1);
		CHECK(!tcp_connected(e[2].t, 1));
		/* The real node 0 still gets through. */
		CHECK(wait_for(pair_connected, &p));
		exchange(&e[0], &e[1], 3);
	} else {
		CHECK(!"set-up failed");
	}
	end_close(&e[2]);
	end_close(&e[0]);
	end_close(&e[1]);
	free(e);
}

static void a_node_outside_the_configuration_is_refused(void)
{
	struct end *b = calloc(1, sizeof(*b));
	uint8_t frame[256];
	struct tcp_stats st;
	int fd;

	REQUIRE(b != NULL);
	if (lone_open(b) == 0 && (fd = raw_connect(tcp_port(b->t, 1))) >= 0) {
		CHECK(raw_is_closed(fd, frame, hello_frame(frame, 1, 9, 1),
				    false));
		close(fd);
		CHECK(wait_log(&b->seen,
			       "node id 9 is outside the configuration"));
		tcp_get_stats(b->t, &st);
		CHECK_EQ(st.refused, 1);
		CHECK_EQ(st.connects, 0);
	} else {
		CHECK(!"set-up failed");
	}
	end_close(b);
	free(b);
}

static void set_secret(struct end *e, const char *secret)
{
	e->cfg.secret = (const uint8_t *)secret;
	e->cfg.secret_len = strlen(secret);
}

static void a_secret_mismatch_is_refused_and_a_match_accepted(void)
{
	struct end *e = calloc(4, sizeof(*e));
	struct tcp_stats st;

	REQUIRE(e != NULL);
	end_config(&e[0], 2, 0);
	end_config(&e[1], 2, 1);
	set_secret(&e[0], "0123456789abcdef-one");
	set_secret(&e[1], "0123456789abcdef-two");
	if (pair_up(&e[0], &e[1]) == 0) {
		CHECK(wait_log(&e[0].seen, "wrong MAC"));
		tcp_get_stats(e[0].t, &st);
		CHECK(st.refused >= 1);
		CHECK(!tcp_connected(e[0].t, 1));
		CHECK(!tcp_connected(e[1].t, 0));
	} else {
		CHECK(!"set-up failed");
	}
	end_config(&e[2], 2, 0);
	end_config(&e[3], 2, 1);
	set_secret(&e[2], "0123456789abcdef-same");
	set_secret(&e[3], "0123456789abcdef-same");
	if (pair_up(&e[2], &e[3]) == 0) {
		struct pair p = {&e[2], &e[3]};

		CHECK(wait_for(pair_connected, &p));
		exchange(&e[2], &e[3], 9);
		tcp_get_stats(e[3].t, &st);
		CHECK_EQ(st.refused, 0);
	} else {
		CHECK(!"set-up failed");
	}
	end_close(&e[0]);
	end_close(&e[1]);
	end_close(&e[2]);
	end_close(&e[3]);
	free(e);
}

static void one_side_without_a_secret_is_refused(void)
{
	struct end *e = calloc(2, sizeof(*e));

	REQUIRE(e != NULL);
	end_config(&e[0], 2, 0);
	end_config(&e[1], 2, 1);
	set_secret(&e[1], "0123456789abcdef-only-b");
	if (pair_up(&e[0], &e[1]) == 0) {
		CHECK(wait_log(&e[1].seen, "it has no --secret"));
		CHECK(!tcp_connected(e[0].t, 1));
	} else {
		CHECK(!"set-up failed");
	}
	end_close(&e[0]);
	end_close(&e[1]);
	free(e);
}

/* One raw connection to node 1 that sends `bytes` (half-closing after
 * them if `end`): it is closed, with a log line holding `why`, counted as
 * a bad frame. */
static void raw_is_refused(struct end *b, const uint8_t *bytes, size_t len,
			   bool end, const char *why)
{
	struct tcp_stats before, after;
	int fd = raw_connect(tcp_port(b->t, 1));

	REQUIRE(fd >= 0);
	tcp_get_stats(b->t, &before);
	CHECK(raw_is_closed(fd, bytes, len, end));
	close(fd);
	if (!wait_log(&b->seen, why))
		TEST_FAIL_AT("no log line with '%s' in:\n%s", why, b->seen.log);
	tcp_get_stats(b->t, &after);
	CHECK_EQ(after.bad_frames, before.bad_frames + 1);
}

static void bad_bytes_close_their_connection_and_nothing_else(void)
{
	struct end *e = calloc(2, sizeof(*e));
	static const char garbage[] = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
	uint8_t frame[256];
	size_t len;

	REQUIRE(e != NULL);
	end_config(&e[0], 2, 0);
	end_config(&e[1], 2, 1);
	if (pair_up(&e[0], &e[1]) == 0) {
		struct pair p = {&e[0], &e[1]};

		CHECK(wait_for(pair_connected, &p));
		raw_is_refused(&e[1], (const uint8_t *)garbage,
			       sizeof(garbage) - 1, false, "bad frame header");
		len = hello_frame(frame, 1, 0, 1);
		raw_is_refused(&e[1], frame, len - 5, true,
			       "a truncated frame");
		len = hello_frame(frame, 1, 0, 1);
		frame[len - 1] ^= 0x40;
		raw_is_refused(&e[1], frame, len, false, "CRC does not match");
		len = hello_frame(frame, 1, 0, 1);
		frame[8] = frame[9] = frame[10] = 0xff; /* length */
		frame[11] = 0x7f;
		raw_is_refused(&e[1], frame, len, false, "bad frame header");
		len = hello_frame(frame, 1, 0, 1);
		frame[5] = 99; /* type */
		raw_is_refused(&e[1], frame, len, false, "bad frame header");
		/* A well-formed frame of the wrong kind: a message first. */
		len = hello_frame(frame, 1, 0, 1);
		wire_put_header(frame, WIRE_RAFT, frame + WIRE_HEADER_BYTES,
				(uint32_t)(len - WIRE_HEADER_BYTES));
		raw_is_refused(&e[1], frame, len, false, "out of turn");
		/* The cluster's own connection never noticed. */
		exchange(&e[0], &e[1], 11);
	} else {
		CHECK(!"set-up failed");
	}
	end_close(&e[0]);
	end_close(&e[1]);
	free(e);
}

/* A port nobody listens on (bound, read, closed). */
static uint16_t dead_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 1;

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

static void a_full_queue_drops_and_counts(void)
{
	struct end *a = calloc(1, sizeof(*a));
	struct raft_message m = vote_request(0, 1, 2);
	struct tcp_stats st;
	int i;

	REQUIRE(a != NULL);
	end_config(a, 2, 0);
	a->cfg.queue_frames = 4;
	if (end_open(a) == 0) {
		tcp_set_port(a->t, 1, dead_port());
		REQUIRE(tcp_start(a->t) == 0);
		for (i = 0; i < 4; i++)
			CHECK_EQ(tcp_send(a->t, &m, 0, -1), 0);
		CHECK_EQ(tcp_send(a->t, &m, 0, -1), -1);
		CHECK_EQ(tcp_send(a->t, &m, 0, -1), -1);
		tcp_get_stats(a->t, &st);
		CHECK_EQ(st.dropped_full, 2);
		/* No route to a client that never came: dropped too. */
		m.to = RAFT_CLIENT;
		m.type = RAFT_MSG_CLIENT;
		CHECK_EQ(tcp_send(a->t, &m, 0, 3), -1);
		tcp_get_stats(a->t, &st);
		CHECK_EQ(st.dropped_full, 3);
	} else {
		CHECK(!"set-up failed");
	}
	end_close(a);
	free(a);
}

static bool a_lost_1(void *arg)
{
	struct end *a = arg;
	struct tcp_stats st;

	tcp_get_stats(a->t, &st);
	return st.disconnects >= 1 && !tcp_connected(a->t, 1);
}

static void a_peer_that_comes_back_is_reconnected(void)
{
	struct end *e = calloc(3, sizeof(*e));
	struct tcp_stats st;
	uint16_t port;

	REQUIRE(e != NULL);
	end_config(&e[0], 2, 0);
	end_config(&e[1], 2, 1);
	if (pair_up(&e[0], &e[1]) == 0) {
		struct pair p = {&e[0], &e[2]};
		struct pair first = {&e[0], &e[1]};

		CHECK(wait_for(pair_connected, &first));
		exchange(&e[0], &e[1], 1);
		port = tcp_port(e[1].t, 1);
		end_close(&e[1]);
		CHECK(wait_for(a_lost_1, &e[0]));
		/* Node 1 comes back on the same port. */
		end_config(&e[2], 2, 1);
		e[2].addrs[1].port = port;
		REQUIRE(end_open(&e[2]) == 0);
		tcp_set_port(e[2].t, 0, tcp_port(e[0].t, 0));
		REQUIRE(tcp_start(e[2].t) == 0);
		CHECK(wait_for(pair_connected, &p));
		exchange(&e[0], &e[2], 2);
		tcp_get_stats(e[0].t, &st);
		CHECK_EQ(st.connects, 2);
		CHECK_EQ(st.disconnects, 1);
		end_close(&e[2]);
	} else {
		CHECK(!"set-up failed");
		end_close(&e[1]);
	}
	end_close(&e[0]);
	free(e);
}

static void addresses_and_peer_lists_parse_and_bad_ones_say_why(void)
{
	struct tcp_addr a, list[4];
	char err[256];
	int n = 0;

	CHECK_EQ(tcp_parse_addr("127.0.0.1:5123", &a, err, sizeof(err)), 0);
	CHECK(strcmp(a.host, "127.0.0.1") == 0);
	CHECK_EQ(a.port, 5123);
	CHECK_EQ(tcp_parse_addr("[::1]:0", &a, err, sizeof(err)), 0);
	CHECK(strcmp(a.host, "::1") == 0);
	CHECK_EQ(a.port, 0);
	CHECK_EQ(tcp_parse_addr("host.example:65535", &a, err, sizeof(err)), 0);
	CHECK_EQ(tcp_parse_addr("::1:5", &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "'::1:5' is not HOST:PORT") != NULL);
	CHECK_EQ(tcp_parse_addr("h:65536", &a, err, sizeof(err)), -1);
	CHECK_EQ(tcp_parse_addr(":80", &a, err, sizeof(err)), -1);
	CHECK_EQ(tcp_parse_addr("h:", &a, err, sizeof(err)), -1);
	CHECK_EQ(tcp_parse_addr("h:8x", &a, err, sizeof(err)), -1);
	CHECK_EQ(tcp_parse_peers("1=b:2,0=a:1,2=[::1]:3", list, 4, &n, err,
				 sizeof(err)),
		 0);
	CHECK_EQ(n, 3);
	CHECK(strcmp(list[0].host, "a") == 0 && list[0].port == 1);
	CHECK(strcmp(list[2].host, "::1") == 0 && list[2].port == 3);
	CHECK_EQ(tcp_parse_peers("0=a:1,0=b:2", list, 4, &n, err, sizeof(err)),
		 -1);
	CHECK(strstr(err, "node 0 is listed twice") != NULL);
	CHECK_EQ(tcp_parse_peers("0=a:1,2=b:2", list, 4, &n, err, sizeof(err)),
		 -1);
	CHECK(strstr(err, "node 1 is missing") != NULL);
	CHECK_EQ(tcp_parse_peers("0=a:1,x=b:2", list, 4, &n, err, sizeof(err)),
		 -1);
	CHECK_EQ(tcp_parse_peers("0=a:1,1=b:2,2=c:3,3=d:4,4=e:5", list, 4, &n,
				 err, sizeof(err)),
		 -1);
	CHECK_EQ(tcp_parse_peers("", list, 4, &n, err, sizeof(err)), -1);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

static void a_secret_file_is_read_and_loose_ones_refused(void)
{
	uint8_t secret[TCP_SECRET_MAX];
	char path[256];
	char err[256];
	size_t len = 0;

	test_tmp(path, sizeof(path), "tcp-secret");
	REQUIRE(write_file(path, "0123456789abcdefXYZ\n", 0600) == 0);
	CHECK_EQ(tcp_read_secret(path, secret, &len, err, sizeof(err)), 0);
	CHECK_EQ(len, 19);
	CHECK(memcmp(secret, "0123456789abcdefXYZ", 19) == 0);
	REQUIRE(write_file(path, "0123456789abcdefXYZ\n", 0644) == 0);
	CHECK_EQ(tcp_read_secret(path, secret, &len, err, sizeof(err)), -1);
	CHECK(strstr(err, "chmod 600") != NULL);
	REQUIRE(write_file(path, "short\n", 0600) == 0);
	CHECK_EQ(tcp_read_secret(path, secret, &len, err, sizeof(err)), -1);
	CHECK(strstr(err, "too short") != NULL);
	REQUIRE(write_file(path, "", 0600) == 0);
	CHECK_EQ(tcp_read_secret(path, secret, &len, err, sizeof(err)), -1);
	CHECK(strstr(err, "empty") != NULL);
	unlink(path);
	CHECK_EQ(tcp_read_secret(path, secret, &len, err, sizeof(err)), -1);
}

const struct test_case tcp_tests[] = {
	{"tcp: two transports exchange messages both ways, fields and delay "
	 "intact",
	 two_transports_exchange_messages_both_ways},
	{"tcp: a dialer from another cluster is refused with a log line "
	 "naming its address and both ids, and the real node still connects",
	 another_cluster_is_refused_and_logged},
	{"tcp: a node id outside the configuration is refused and logged",
	 a_node_outside_the_configuration_is_refused},
	{"tcp: a secret mismatch is refused (wrong MAC); matching secrets "
	 "connect",
	 a_secret_mismatch_is_refused_and_a_match_accepted},
	{"tcp: a peer without --secret is refused by one with it",
	 one_side_without_a_secret_is_refused},
	{"tcp: garbage, a truncated frame, a wrong CRC, a huge length, an "
	 "unknown type and a frame out of turn each close their connection "
	 "with a log line; the cluster's connection goes on",
	 bad_bytes_close_their_connection_and_nothing_else},
	{"tcp: a full send queue drops and counts, never blocks; a reply to "
	 "an unknown client is dropped too",
	 a_full_queue_drops_and_counts},
	{"tcp: a peer that goes away and comes back is dialed again",
	 a_peer_that_comes_back_is_reconnected},
	{"tcp: HOST:PORT, [v6]:PORT and peer lists parse; bad ones say why",
	 addresses_and_peer_lists_parse_and_bad_ones_say_why},
	{"tcp: --secret FILE is read without its newline; a file others may "
	 "read, a short or empty one is refused",
	 a_secret_file_is_read_and_loose_ones_refused},
	{NULL, NULL},
};

/* test_tcp.c - the TCP transport (src/net/tcp*.c) on real loopback
 * sockets: transports in one process, every listener on port 0, and raw
 * sockets that speak wrongly on purpose. Nothing sleeps to synchronize:
 * each wait is for a condition (a message, a log line, a handshake),
 * checked every millisecond up to a generous deadline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/tcp.h"
#include "net/wire.h"
#include "tcptest.h"
#include "testhelp.h"
#include "testnet.h"
#include "testrun.h"

/* a as node 0 and b as node 1 of a cluster of 2. */
static void pair_config(struct tcptest_end *a, struct tcptest_end *b)
{
	tcptest_end_config(a, 2, 0);
	tcptest_end_config(b, 2, 1);
}

/* a (node 0) and b (node 1) opened, told each other's port and
 * started. */
static int pair_up(struct tcptest_end *a, struct tcptest_end *b)
{
	if (tcptest_end_open(a) != 0 || tcptest_end_open(b) != 0)
		return -1;
	tcp_set_port(a->t, 1, tcp_port(b->t, 1));
	tcp_set_port(b->t, 0, tcp_port(a->t, 0));
	if (tcp_start(a->t) != 0 || tcp_start(b->t) != 0)
		return -1;
	return 0;
}

struct pair {
	struct tcptest_end *a, *b;
};

static bool pair_connected(void *arg)
{
	struct pair *p = arg;

	return tcp_connected(p->a->t, 1) && tcp_connected(p->b->t, 0);
}

/* Waits until a (node 0) and b (node 1) have each finished the
 * handshake with the other. */
static bool wait_paired(struct tcptest_end *a, struct tcptest_end *b)
{
	struct pair p = {a, b};

	return tcptest_wait(pair_connected, &p);
}

/* Closes the n ends of an array from calloc, and frees it. */
static void close_ends(struct tcptest_end *e, int n)
{
	int i;

	for (i = 0; i < n; i++)
		tcptest_end_close(&e[i]);
	free(e);
}

/* Sends a -> b and b -> a, and checks each arrives whole. */
static void exchange(struct tcptest_end *a, struct tcptest_end *b,
		     uint64_t term)
{
	struct raft_message m = testnet_msg(RAFT_MSG_REQUEST_VOTE, 0, 1, term);
	int before_a = tcptest_end_messages(a);
	int before_b = tcptest_end_messages(b);

	CHECK_EQ(tcp_send(a->t, &m, 1234, -1), 0);
	CHECK(tcptest_wait_messages(b, before_b + 1));
	pthread_mutex_lock(&b->mu);
	CHECK_EQ(b->last.type, RAFT_MSG_REQUEST_VOTE);
	CHECK_EQ(b->last.from, 0);
	CHECK_EQ(b->last.to, 1);
	CHECK_EQ(b->last.term, term);
	CHECK_EQ(b->last.u.rv.candidate_id, 0);
	CHECK_EQ(b->last_delay, 1234);
	pthread_mutex_unlock(&b->mu);
	m = testnet_msg(RAFT_MSG_REQUEST_VOTE_REPLY, 1, 0, term + 1);
	m.u.rv_reply.vote_granted = true;
	CHECK_EQ(tcp_send(b->t, &m, 0, -1), 0);
	CHECK(tcptest_wait_messages(a, before_a + 1));
	pthread_mutex_lock(&a->mu);
	CHECK_EQ(a->last.type, RAFT_MSG_REQUEST_VOTE_REPLY);
	CHECK_EQ(a->last.from, 1);
	CHECK_EQ(a->last.to, 0);
	CHECK_EQ(a->last.u.rv_reply.vote_granted, 1);
	pthread_mutex_unlock(&a->mu);
}

static void two_transports_exchange_messages_both_ways(void)
{
	struct tcptest_end *e = calloc(2, sizeof(*e));
	struct tcp_stats st;
	int i;

	REQUIRE(e != NULL);
	pair_config(&e[0], &e[1]);
	if (pair_up(&e[0], &e[1]) == 0 && wait_paired(&e[0], &e[1])) {
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
	close_ends(e, 2);
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
static int lone_open(struct tcptest_end *b)
{
	tcptest_end_config(b, 2, 1);
	return tcptest_end_open_and_start(b);
}

static void another_cluster_is_refused_and_logged(void)
{
	struct tcptest_end *e = calloc(3, sizeof(*e));
	struct tcp_stats st;

	REQUIRE(e != NULL);
	pair_config(&e[0], &e[1]);
	tcptest_end_config(&e[2], 2, 0);
	e[2].cfg.cluster_id = 7;
	if (pair_up(&e[0], &e[1]) == 0 && tcptest_end_open(&e[2]) == 0) {
		tcp_set_port(e[2].t, 1, tcp_port(e[1].t, 1));
		REQUIRE(tcp_start(e[2].t) == 0);
		CHECK(tcptest_wait_log(&e[1], ": cluster id 7, ours 1"));
		CHECK(tcptest_wait_log(&e[1], "refused 127.0.0.1:"));
		tcp_get_stats(e[1].t, &st);
		CHECK(st.refused >= 1);
		CHECK(!tcp_connected(e[2].t, 1));
		/* The real node 0 still gets through. */
		CHECK(wait_paired(&e[0], &e[1]));
		exchange(&e[0], &e[1], 3);
	} else {
		CHECK(!"set-up failed");
	}
	close_ends(e, 3);
}

static void a_node_outside_the_configuration_is_refused(void)
{
	struct tcptest_end *b = calloc(1, sizeof(*b));
	uint8_t frame[256];
	struct tcp_stats st;
	int fd;

	REQUIRE(b != NULL);
	if (lone_open(b) == 0 &&
	    (fd = tcptest_connect_raw(tcp_port(b->t, 1))) >= 0) {
		CHECK(raw_is_closed(fd, frame, hello_frame(frame, 1, 9, 1),
				    false));
		close(fd);
		CHECK(tcptest_wait_log(
			b, "node id 9 is outside the configuration"));
		tcp_get_stats(b->t, &st);
		CHECK_EQ(st.refused, 1);
		CHECK_EQ(st.connects, 0);
	} else {
		CHECK(!"set-up failed");
	}
	tcptest_end_close(b);
	free(b);
}

static void set_secret(struct tcptest_end *e, const char *secret)
{
	e->cfg.secret = (const uint8_t *)secret;
	e->cfg.secret_len = strlen(secret);
}

static void a_secret_mismatch_is_refused_and_a_match_accepted(void)
{
	struct tcptest_end *e = calloc(4, sizeof(*e));
	struct tcp_stats st;

	REQUIRE(e != NULL);
	pair_config(&e[0], &e[1]);
	set_secret(&e[0], "0123456789abcdef-one");
	set_secret(&e[1], "0123456789abcdef-two");
	if (pair_up(&e[0], &e[1]) == 0) {
		CHECK(tcptest_wait_log(&e[0], "wrong MAC"));
		tcp_get_stats(e[0].t, &st);
		CHECK(st.refused >= 1);
		CHECK(!tcp_connected(e[0].t, 1));
		CHECK(!tcp_connected(e[1].t, 0));
	} else {
		CHECK(!"set-up failed");
	}
	pair_config(&e[2], &e[3]);
	set_secret(&e[2], "0123456789abcdef-same");
	set_secret(&e[3], "0123456789abcdef-same");
	if (pair_up(&e[2], &e[3]) == 0) {
		CHECK(wait_paired(&e[2], &e[3]));
		exchange(&e[2], &e[3], 9);
		tcp_get_stats(e[3].t, &st);
		CHECK_EQ(st.refused, 0);
	} else {
		CHECK(!"set-up failed");
	}
	close_ends(e, 4);
}

static void one_side_without_a_secret_is_refused(void)
{
	struct tcptest_end *e = calloc(2, sizeof(*e));

	REQUIRE(e != NULL);
	pair_config(&e[0], &e[1]);
	set_secret(&e[1], "0123456789abcdef-only-b");
	if (pair_up(&e[0], &e[1]) == 0) {
		CHECK(tcptest_wait_log(&e[1], "it has no --secret"));
		CHECK(!tcp_connected(e[0].t, 1));
	} else {
		CHECK(!"set-up failed");
	}
	close_ends(e, 2);
}

/* One raw connection to node 1 that sends `bytes` (half-closing after
 * them if `end`): it is closed, with a log line holding `why`, counted as
 * a bad frame. */
static void raw_is_refused(struct tcptest_end *b, const uint8_t *bytes,
			   size_t len, bool end, const char *why)
{
	struct tcp_stats before, after;
	int fd = tcptest_connect_raw(tcp_port(b->t, 1));

	REQUIRE(fd >= 0);
	tcp_get_stats(b->t, &before);
	CHECK(raw_is_closed(fd, bytes, len, end));
	close(fd);
	CHECK(tcptest_wait_log(b, why));
	tcp_get_stats(b->t, &after);
	CHECK_EQ(after.bad_frames, before.bad_frames + 1);
}

static void bad_bytes_close_their_connection_and_nothing_else(void)
{
	struct tcptest_end *e = calloc(2, sizeof(*e));
	static const char garbage[] = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
	uint8_t frame[256];
	size_t len;

	REQUIRE(e != NULL);
	pair_config(&e[0], &e[1]);
	if (pair_up(&e[0], &e[1]) == 0) {
		CHECK(wait_paired(&e[0], &e[1]));
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
	close_ends(e, 2);
}

static void a_full_queue_drops_and_counts(void)
{
	struct tcptest_end *a = calloc(1, sizeof(*a));
	struct raft_message m = testnet_msg(RAFT_MSG_REQUEST_VOTE, 0, 1, 2);
	struct tcp_stats st;
	int i;

	REQUIRE(a != NULL);
	tcptest_end_config(a, 2, 0);
	a->cfg.queue_frames = 4;
	if (tcptest_end_open(a) == 0) {
		/* Nobody listens there: the queue only fills. */
		tcp_set_port(a->t, 1, tcptest_unused_port());
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
	tcptest_end_close(a);
	free(a);
}

static bool a_lost_1(void *arg)
{
	struct tcptest_end *a = arg;
	struct tcp_stats st;

	tcp_get_stats(a->t, &st);
	return st.disconnects >= 1 && !tcp_connected(a->t, 1);
}

static void a_peer_that_comes_back_is_reconnected(void)
{
	struct tcptest_end *e = calloc(3, sizeof(*e));
	struct tcp_stats st;
	uint16_t port;

	REQUIRE(e != NULL);
	pair_config(&e[0], &e[1]);
	if (pair_up(&e[0], &e[1]) == 0) {
		CHECK(wait_paired(&e[0], &e[1]));
		exchange(&e[0], &e[1], 1);
		port = tcp_port(e[1].t, 1);
		tcptest_end_close(&e[1]);
		CHECK(tcptest_wait(a_lost_1, &e[0]));
		/* Node 1 comes back on the same port. */
		tcptest_end_config(&e[2], 2, 1);
		e[2].addrs[1].port = port;
		REQUIRE(tcptest_end_open(&e[2]) == 0);
		tcp_set_port(e[2].t, 0, tcp_port(e[0].t, 0));
		REQUIRE(tcp_start(e[2].t) == 0);
		CHECK(wait_paired(&e[0], &e[2]));
		exchange(&e[0], &e[2], 2);
		tcp_get_stats(e[0].t, &st);
		CHECK_EQ(st.connects, 2);
		CHECK_EQ(st.disconnects, 1);
		tcptest_end_close(&e[2]);
	} else {
		CHECK(!"set-up failed");
		tcptest_end_close(&e[1]);
	}
	tcptest_end_close(&e[0]);
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

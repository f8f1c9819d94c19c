/* client_net.c - the clients of one process over TCP (client_cli.h): one
 * thread (the caller's) drives struct clients on absolute CLOCK_MONOTONIC
 * deadlines, as runtime_clients.c does on threads; the clients' run time
 * is the monotonic clock itself, so every history line of every process
 * on one host is on one clock.
 *
 * Replies come from the transports' loop threads (tcp.h's deliver, no
 * lock of theirs held) into the inbox under cn->mu, a leaf; the driver
 * swaps the whole list out under it and handles it with no lock held. A
 * reply the node's sender delayed (delay_us) waits in the driver's own
 * held list until it is ready. Neither side misses a wake-up: the driver
 * tests the inbox under the lock before it sleeps, and every append is
 * followed by a signal.
 *
 * What the clients send is queued (cn->out) and leaves after the history
 * is flushed: an invoke reaches the file before its request reaches a
 * node. The driver waits at most HARNESS_STOP_POLL_US at a time, so that
 * SIGINT and SIGTERM (harness_stop.h) end it promptly.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client_cli.h"
#include "harness/harness_stop.h"
#include "runtime/clock.h"

/* Connection log lines printed; the rest are counted. */
#define LOG_LINES_SHOWN 20

struct reply {
	struct reply *next;
	int64_t ready_us;
	uint32_t len;
	uint8_t bytes[];
};

/* A request the clients sent, waiting for the history to be flushed. */
struct out_req {
	int client;
	int node;
	size_t at; /* in out_bytes */
	size_t len;
};

struct client_net {
	struct client_net_config cfg;
	struct tcp_addr *addrs;     /* cfg.nodes long: the transports' */
	bool *local;                /* cfg.nodes long, all false */
	struct tcp_transport **tcp; /* one a client */
	unsigned transports;        /* opened */
	struct clients run;
	bool clients_ready;

	pthread_mutex_t mu; /* the inbox and the log count: a leaf */
	pthread_cond_t cond;
	struct reply *head, *tail;
	uint64_t log_lines;

	struct reply *held; /* the driver's: not ready yet */
	struct out_req *out;
	size_t out_len, out_cap;
	uint8_t *out_bytes;
	size_t bytes_len, bytes_cap;
	bool out_failed; /* no memory for a request: it is lost */

	/* A fixed operation: client 0's last completion. */
	bool have_result;
	struct hist_event result;
	uint8_t *result_value;
};

static void free_replies(struct reply *r)
{
	struct reply *next;

	for (; r != NULL; r = next) {
		next = r->next;
		free(r);
	}
}

/* tcp.h's deliver: the loop thread, no lock held. */
static void net_deliver(void *ctx, const struct raft_message *m,
			uint32_t delay_us, void *extra, size_t extra_bytes)
{
	struct client_net *cn = ctx;
	struct reply *r;

	(void)extra_bytes;
	if (m->type != RAFT_MSG_CLIENT || m->to != RAFT_CLIENT) {
		free(extra);
		return;
	}
	r = malloc(sizeof(*r) + m->u.client.len);
	if (r == NULL) { /* the client times out, as for a lost reply */
		free(extra);
		return;
	}
	r->next = NULL;
	/* A node's --reorder delay, at most one attempt's timeout: a reply
	 * held longer is a lost one to the client anyway, and a node must
	 * not park replies here for hours. */
	if (delay_us > (uint64_t)cn->cfg.clients.timeout_us)
		delay_us = (uint32_t)cn->cfg.clients.timeout_us;
	r->ready_us = clock_now_us() + delay_us;
	r->len = m->u.client.len;
	memcpy(r->bytes, m->u.client.data, r->len);
	free(extra);
	pthread_mutex_lock(&cn->mu);
	if (cn->head == NULL)
		cn->head = r;
	else
		cn->tail->next = r;
	cn->tail = r;
	pthread_mutex_unlock(&cn->mu);
	pthread_cond_signal(&cn->cond);
}

static void net_log(void *ctx, const char *line)
{
	struct client_net *cn = ctx;
	uint64_t n;

	pthread_mutex_lock(&cn->mu);
	n = ++cn->log_lines;
	pthread_mutex_unlock(&cn->mu);
	if (n <= LOG_LINES_SHOWN)
		fprintf(cn->cfg.err, "raftsim %s: %s\n", cn->cfg.who, line);
	else if (n == LOG_LINES_SHOWN + 1)
		fprintf(cn->cfg.err,
			"raftsim %s: more connection lines follow, "
			"counted but not shown\n",
			cn->cfg.who);
}

static int out_reserve(struct client_net *cn, size_t len)
{
	if (cn->out_len == cn->out_cap) {
		size_t cap = cn->out_cap ? 2 * cn->out_cap : 64;
		struct out_req *o = realloc(cn->out, cap * sizeof(*o));

		if (o == NULL)
			return -1;
		cn->out = o;
		cn->out_cap = cap;
	}
	if (cn->bytes_cap - cn->bytes_len < len) {
		size_t cap = cn->bytes_cap ? cn->bytes_cap : 4096;
		uint8_t *b;

		while (cap - cn->bytes_len < len)
			cap *= 2;
		b = realloc(cn->out_bytes, cap);
		if (b == NULL)
			return -1;
		cn->out_bytes = b;
		cn->bytes_cap = cap;
	}
	return 0;
}

/* A fixed operation: the workload drew the op the ratios force; the
 * words give its key and values. Returns the request's length in the
 * queue, or 0 when out of memory. */
static size_t rewrite_fixed(struct client_net *cn, const uint8_t *bytes,
			    size_t len)
{
	const struct client_op *op = cn->cfg.fixed;
	struct kv_cmd cmd;
	size_t need;

	if (kv_cmd_decode(bytes, len, &cmd) != 0)
		return 0; /* cannot happen: clients.c encoded it */
	if (cmd.op != KV_REGISTER) {
		cmd.key = op->key;
		cmd.value = op->value;
		cmd.expect = op->expect;
		cmd.expect_null = false;
	}
	need = kv_cmd_encode(&cmd, NULL, 0);
	if (out_reserve(cn, need) != 0)
		return 0;
	kv_cmd_encode(&cmd, cn->out_bytes + cn->bytes_len, need);
	return need;
}

/* clients_io.send: queued until the history is flushed (flush_out). */
static int net_send(void *ctx, int client, int node, const uint8_t *bytes,
		    size_t len)
{
	struct client_net *cn = ctx;
	struct out_req *o;

	if (cn->cfg.fixed != NULL) {
		len = rewrite_fixed(cn, bytes, len);
		if (len == 0)
			goto lost;
	} else {
		if (out_reserve(cn, len) != 0)
			goto lost;
		memcpy(cn->out_bytes + cn->bytes_len, bytes, len);
	}
	o = &cn->out[cn->out_len++];
	o->client = client;
	o->node = node;
	o->at = cn->bytes_len;
	o->len = len;
	cn->bytes_len += len;
	return 0;
lost:
	cn->out_failed = true;
	return -1;
}

static void keep_result(struct client_net *cn, const struct hist_event *ev)
{
	uint8_t *copy = NULL;

	if (ev->client != cn->cfg.clients.client_base)
		return;
	if (ev->value.len > 0) {
		copy = malloc(ev->value.len);
		if (copy == NULL) /* reported as no result */
			return;
		memcpy(copy, ev->value.s, ev->value.len);
	}
	free(cn->result_value);
	cn->result_value = copy;
	cn->result = *ev;
	cn->result.value.s = (const char *)copy;
	cn->have_result = true;
}

/* clients_io.history: the fixed operation's words replace what the
 * workload drew, so the history says what was sent. */
static void net_history(void *ctx, const struct hist_event *ev)
{
	struct client_net *cn = ctx;
	const struct client_op *op = cn->cfg.fixed;
	struct hist_event e = *ev;

	if (op != NULL && e.type == HIST_INVOKE) {
		e.key.s = (const char *)op->key.data;
		e.key.len = op->key.len;
		e.value.s = (const char *)op->value.data;
		e.value.len = op->value.len;
		e.value.null = false;
		e.expect.s = (const char *)op->expect.data;
		e.expect.len = op->expect.len;
		e.expect.null = false;
	}
	if (op != NULL && e.type != HIST_INVOKE)
		keep_result(cn, &e);
	if (cn->cfg.history != NULL &&
	    client_hist_add(cn->cfg.history, &e) != 0 &&
	    cn->cfg.history->error == 0)
		cn->cfg.history->error = ENOMEM;
}

/* The history first, then the requests it covers. */
static int flush_out(struct client_net *cn)
{
	struct raft_message m;
	size_t i;
	int rv = 0;

	if (cn->cfg.history != NULL && client_hist_flush(cn->cfg.history) != 0)
		rv = -1; /* nothing leaves that the file may not hold */
	for (i = 0; rv == 0 && i < cn->out_len; i++) {
		const struct out_req *o = &cn->out[i];
		int k = o->client - cn->cfg.clients.client_base;

		memset(&m, 0, sizeof(m));
		m.type = RAFT_MSG_CLIENT;
		m.from = RAFT_CLIENT;
		m.to = o->node;
		m.u.client.data = cn->out_bytes + o->at;
		m.u.client.len = (uint32_t)o->len;
		/* A full queue loses it: the client times out. */
		(void)tcp_send(cn->tcp[k], &m, 0, o->client);
	}
	cn->out_len = 0;
	cn->bytes_len = 0;
	return rv;
}

int client_net_open(struct client_net **out,
		    const struct client_net_config *cfg, char *err,
		    size_t err_len)
{
	struct client_net *cn = calloc(1, sizeof(*cn));
	struct clients_io io = {0};
	struct tcp_config tc;
	unsigned i;

	*out = NULL;
	if (cn == NULL)
		goto nomem;
	cn->cfg = *cfg;
	if (pthread_mutex_init(&cn->mu, NULL) != 0) {
		free(cn);
		goto nomem;
	}
	if (clock_cond_init(&cn->cond) != 0) {
		pthread_mutex_destroy(&cn->mu);
		free(cn);
		goto nomem;
	}
	*out = cn;
	io.ctx = cn;
	io.send = net_send;
	io.history = net_history;
	if (clients_init(&cn->run, &cfg->clients, &io) != 0)
		goto nomem;
	cn->clients_ready = true;
	cn->tcp = calloc(cfg->clients.clients, sizeof(*cn->tcp));
	cn->addrs = calloc((size_t)cfg->nodes, sizeof(*cn->addrs));
	cn->local = calloc((size_t)cfg->nodes, sizeof(*cn->local));
	if (cn->tcp == NULL || cn->addrs == NULL || cn->local == NULL)
		goto nomem;
	memcpy(cn->addrs, cfg->addrs, (size_t)cfg->nodes * sizeof(*cn->addrs));
	cn->cfg.addrs = cn->addrs;
	memset(&tc, 0, sizeof(tc));
	tc.cluster_id = cfg->cluster_id;
	tc.nodes = cfg->nodes;
	tc.addrs = cn->addrs;
	tc.local = cn->local;
	tc.secret = cfg->secret;
	tc.secret_len = cfg->secret_len;
	tc.deliver = net_deliver;
	tc.log = net_log;
	tc.ctx = cn;
	for (i = 0; i < cfg->clients.clients; i++) {
		tc.client_id = cfg->clients.client_base + (int)i;
		tc.seed = raft_rng_derive(cfg->seed, i);
		if (tcp_open(&cn->tcp[i], &tc, err, err_len) != 0)
			goto err;
		cn->transports++;
	}
	return 0;
nomem:
	snprintf(err, err_len, "out of memory");
err:
	client_net_close(*out);
	*out = NULL;
	return -1;
}

int client_net_start(struct client_net *cn, char *err, size_t err_len)
{
	unsigned i;
	int rv;

	for (i = 0; i < cn->transports; i++) {
		rv = tcp_start(cn->tcp[i]);
		if (rv != 0) {
			snprintf(err, err_len, "cannot start a transport: %s",
				 strerror(rv));
			return -1;
		}
	}
	clients_start(&cn->run, clock_now_us());
	return flush_out(cn);
}

/* Hands the clients every reply ready by now, oldest first. Returns the
 * earliest held reply's ready time, or INT64_MAX. */
static int64_t receive_ready(struct client_net *cn, struct reply *list)
{
	int64_t now = clock_now_us();
	int64_t earliest = INT64_MAX;
	struct reply **link;
	struct reply *r;

	for (link = &cn->held; *link != NULL;)
		link = &(*link)->next;
	*link = list;
	for (link = &cn->held; (r = *link) != NULL;) {
		if (r->ready_us > now) {
			if (r->ready_us < earliest)
				earliest = r->ready_us;
			link = &r->next;
			continue;
		}
		*link = r->next;
		clients_receive(&cn->run, r->bytes, r->len, now);
		free(r);
	}
	return earliest;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

enum client_net_end client_net_run(struct client_net *cn, int64_t end_us,
				   int64_t register_by_us)
{
	int64_t now, deadline, held_at = INT64_MAX;
	struct reply *list;

	for (;;) {
		now = clock_now_us();
		if (harness_stop_requested())
			return CLIENT_NET_STOPPED;
		if (clients_done(&cn->run))
			return CLIENT_NET_DONE;
		if (now >= end_us)
			return CLIENT_NET_TIME;
		if (cn->run.stats.sessions == 0 && now >= register_by_us)
			return CLIENT_NET_UNREACHED;
		deadline = min64(clients_next_timer(&cn->run), end_us);
		deadline = min64(deadline, held_at);
		deadline = min64(deadline, now + HARNESS_STOP_POLL_US);
		if (cn->run.stats.sessions == 0)
			deadline = min64(deadline, register_by_us);
		pthread_mutex_lock(&cn->mu);
		while (cn->head == NULL && clock_now_us() < deadline)
			clock_cond_wait_until(&cn->cond, &cn->mu, deadline);
		list = cn->head;
		cn->head = cn->tail = NULL;
		pthread_mutex_unlock(&cn->mu);
		held_at = receive_ready(cn, list);
		clients_timer(&cn->run, clock_now_us());
		if (flush_out(cn) != 0)
			return CLIENT_NET_HIST_FAILED;
	}
}

void client_net_finish(struct client_net *cn)
{
	/* max_ops 0 means no limit: with nothing invoked, stop outright. */
	if (cn->run.stats.invoked == 0)
		clients_stop(&cn->run);
	else
		cn->run.config.max_ops = cn->run.stats.invoked;
}

const struct clients_stats *client_net_stats(const struct client_net *cn)
{
	return &cn->run.stats;
}

bool client_net_result(const struct client_net *cn, struct hist_event *ev)
{
	if (!cn->have_result)
		return false;
	*ev = cn->result;
	return true;
}

uint64_t client_net_log_lines(const struct client_net *cn)
{
	uint64_t n;

	pthread_mutex_lock((pthread_mutex_t *)&cn->mu);
	n = cn->log_lines;
	pthread_mutex_unlock((pthread_mutex_t *)&cn->mu);
	return n;
}

void client_net_close(struct client_net *cn)
{
	unsigned i;

	if (cn == NULL)
		return;
	if (cn->clients_ready)
		clients_stop(&cn->run);
	for (i = 0; i < cn->transports; i++)
		tcp_close(cn->tcp[i]);
	free(cn->tcp);
	free(cn->addrs);
	free(cn->local);
	if (cn->clients_ready)
		clients_free(&cn->run);
	free_replies(cn->head);
	free_replies(cn->held);
	free(cn->out);
	free(cn->out_bytes);
	free(cn->result_value);
	pthread_cond_destroy(&cn->cond);
	pthread_mutex_destroy(&cn->mu);
	free(cn);
}

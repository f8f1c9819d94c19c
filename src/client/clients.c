/* clients.c - the clients' life (clients.h): sessions, attempts, retries,
 * timers and the history. What they ask for is clients_workload.c's.
 *
 * Giving up. A request is given up once (1 + retries) of its attempts have
 * timed out, or once refusals (NOT_LEADER, RETRY, STALE) have cost as
 * much: a tour of the nodes that all refuse counts as one timeout, so a
 * cluster without a leader ends an operation too. An operation given up
 * records info when one of its attempts may have taken effect (a write
 * that timed out at least once: the entry may commit after the client
 * stopped waiting, hashicorp/raft#145), fail otherwise; a get never took
 * effect. Where the network may double a request (--dup), every write
 * sent may have taken effect: the refusal of one copy says nothing of the
 * other. A registration given up is retried after a growing pause.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "client/clients.h"
#include "client/clients_workload.h"

/* The longest registration backoff: 2^BACKOFF_MAX timeouts. */
#define BACKOFF_MAX 4

static void timers_recompute(struct clients *c)
{
	unsigned i;

	c->next_timer = INT64_MAX;
	for (i = 0; i < c->config.clients; i++)
		if (c->client[i].timer < c->next_timer)
			c->next_timer = c->client[i].timer;
}

/* Keeps c->next_timer the minimum: only moving the earliest timer later
 * costs a pass over the clients. */
static void set_timer(struct clients *c, struct client *cl, int64_t at)
{
	int64_t old = cl->timer;

	cl->timer = at;
	if (at <= c->next_timer)
		c->next_timer = at;
	else if (old == c->next_timer)
		timers_recompute(c);
}

static void set_phase(struct clients *c, struct client *cl,
		      enum client_phase phase)
{
	if (cl->phase == CLIENT_IDLE && phase != CLIENT_IDLE)
		c->busy++;
	else if (cl->phase != CLIENT_IDLE && phase == CLIENT_IDLE)
		c->busy--;
	cl->phase = phase;
}

static int next_node(const struct clients *c, const struct client *cl)
{
	return (cl->node + 1) % c->config.nodes;
}

/* A pause before resending: a tenth of a timeout, jittered so that the
 * clients refused together do not come back together. */
static int64_t pause_us(struct client *cl, int64_t timeout_us)
{
	int64_t base = timeout_us / 10 > 0 ? timeout_us / 10 : 1;

	return base + (int64_t)raft_rng_range(&cl->rng, 0, (uint64_t)base);
}

static bool is_write(uint8_t op)
{
	return op != KV_GET && op != KV_REGISTER;
}

/* Builds the request of client i's current attempt. */
static void request_of(struct clients *c, int i, struct kv_cmd *cmd, char *key)
{
	struct client *cl = &c->client[i];

	memset(cmd, 0, sizeof(*cmd));
	cmd->client = c->config.client_base + i;
	if (cl->phase == CLIENT_REGISTERING) {
		cmd->op = KV_REGISTER;
		return;
	}
	cmd->op = cl->op;
	cmd->session = cl->session;
	cmd->seq = cl->seq;
	cmd->lowest_unacked = cl->seq; /* one outstanding */
	cmd->key.data = (const uint8_t *)key;
	cmd->key.len = (uint32_t)clients_key_of(cl->key, key);
	cmd->value.data = (const uint8_t *)cl->value;
	cmd->value.len = (uint32_t)cl->value_len;
	cmd->expect_null = cl->op == KV_CAS && cl->expect_null;
	cmd->expect.data = (const uint8_t *)cl->expect;
	cmd->expect.len = (uint32_t)cl->expect_len;
}

/* Sends client i's current request to cl->node and waits a timeout. */
static void attempt(struct clients *c, int i, int64_t now_us)
{
	struct client *cl = &c->client[i];
	char key[CLIENT_KEY_MAX];
	struct kv_cmd cmd;
	size_t len;

	request_of(c, i, &cmd, key);
	len = kv_cmd_encode(&cmd, c->buf, c->buf_cap);
	assert(len <= c->buf_cap); /* sized for the largest at init */
	c->stats.attempts++;
	cl->in_flight = true;
	/* A network that doubles messages may deliver a second copy of this
	 * request after the refusal of the first: a refusal then proves
	 * nothing about the attempt. */
	if (c->config.requests_may_duplicate)
		cl->maybe_effect = true;
	set_timer(c, cl, now_us + c->config.timeout_us);
	/* A lost request times out like any other. */
	(void)c->io.send(c->io.ctx, c->config.client_base + i, cl->node, c->buf,
			 len);
}

static void pause_then_retry(struct clients *c, struct client *cl,
			     int64_t now_us)
{
	cl->in_flight = false;
	set_timer(c, cl, now_us + pause_us(cl, c->config.timeout_us));
}

static struct hist_str hist_bytes(const void *s, size_t len, bool null)
{
	struct hist_str h = {.s = s, .len = len, .null = null};

	return h;
}

static void history(struct clients *c, int i, enum hist_type type,
		    const struct kv_reply *reply, int64_t now_us)
{
	static const enum hist_op hist_op_of[] = {
		[KV_GET] = HIST_GET,       [KV_PUT] = HIST_PUT,
		[KV_APPEND] = HIST_APPEND, [KV_CAS] = HIST_CAS,
		[KV_DELETE] = HIST_DELETE,
	};
	struct client *cl = &c->client[i];
	struct hist_event ev;
	char key[CLIENT_KEY_MAX];

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.us = now_us;
	ev.client = c->config.client_base + i;
	ev.id = cl->id;
	ev.op = hist_op_of[cl->op];
	ev.key = hist_bytes(key, clients_key_of(cl->key, key), false);
	if (type == HIST_INVOKE) {
		if (cl->value_len > 0)
			ev.value = hist_bytes(cl->value, cl->value_len, false);
		if (cl->op == KV_CAS)
			ev.expect = hist_bytes(cl->expect, cl->expect_len,
					       cl->expect_null);
	} else if (type == HIST_OK && cl->op == KV_GET) {
		ev.has_value = true;
		ev.value = hist_bytes(reply->value.data, reply->value.len,
				      !reply->found);
	} else if (type == HIST_OK && cl->op == KV_CAS) {
		ev.has_swapped = true;
		ev.swapped = reply->swapped;
	}
	if (c->io.history != NULL)
		c->io.history(c->io.ctx, &ev);
}

static bool ops_left(const struct clients *c)
{
	return c->config.max_ops == 0 || c->stats.invoked < c->config.max_ops;
}

static void start_request(struct clients *c, struct client *cl,
			  enum client_phase phase)
{
	set_phase(c, cl, phase);
	cl->timeouts = 0;
	cl->refusals = 0;
	cl->maybe_effect = false;
}

/* What client i does once nothing is outstanding: registers, draws its
 * next operation, or rests. */
static void client_next(struct clients *c, int i, int64_t now_us)
{
	struct client *cl = &c->client[i];

	set_timer(c, cl, INT64_MAX);
	cl->in_flight = false;
	if (c->stopped || !ops_left(c)) {
		set_phase(c, cl, CLIENT_IDLE);
		return;
	}
	if (cl->session == 0) {
		start_request(c, cl, CLIENT_REGISTERING);
		attempt(c, i, now_us);
		return;
	}
	start_request(c, cl, CLIENT_OPERATING);
	cl->id = cl->next_id++;
	cl->seq++;
	clients_draw(c, i);
	cl->invoked_us = now_us;
	c->stats.invoked++;
	history(c, i, HIST_INVOKE, NULL, now_us);
	attempt(c, i, now_us);
}

/* Ends client i's operation with fail or info and moves on. */
static void end_unanswered(struct clients *c, int i, int64_t now_us)
{
	struct client *cl = &c->client[i];

	if (cl->maybe_effect && is_write(cl->op)) {
		c->stats.info++;
		history(c, i, HIST_INFO, NULL, now_us);
	} else {
		c->stats.failed++;
		history(c, i, HIST_FAIL, NULL, now_us);
	}
	client_next(c, i, now_us);
}

/* (1 + retries) timeouts, a refusal costing 1/nodes of one. */
static bool spent(const struct clients *c, const struct client *cl)
{
	uint64_t tries = (uint64_t)c->config.retries + 1;
	uint64_t nodes = (uint64_t)c->config.nodes;

	return (uint64_t)cl->timeouts * nodes + cl->refusals >= tries * nodes;
}

static void give_up(struct clients *c, int i, int64_t now_us)
{
	struct client *cl = &c->client[i];
	int64_t wait = c->config.timeout_us;

	if (cl->phase == CLIENT_OPERATING) {
		end_unanswered(c, i, now_us);
		return;
	}
	/* A registration never gives up for good: it backs off. */
	if (cl->backoff < BACKOFF_MAX)
		cl->backoff++;
	start_request(c, cl, CLIENT_REGISTERING);
	cl->node = next_node(c, cl);
	cl->in_flight = false;
	set_timer(c, cl, now_us + (wait << cl->backoff));
}

static void on_timer(struct clients *c, int i, int64_t now_us)
{
	struct client *cl = &c->client[i];

	if (!cl->in_flight) { /* a pause ended */
		attempt(c, i, now_us);
		return;
	}
	c->stats.timeouts++;
	cl->timeouts++;
	cl->maybe_effect = true;
	if (spent(c, cl)) {
		give_up(c, i, now_us);
		return;
	}
	/* Same request, same seq, elsewhere: the session dedups it. */
	cl->node = next_node(c, cl);
	attempt(c, i, now_us);
}

/* The node did not execute this copy of the request. */
static void on_refused(struct clients *c, int i, const struct kv_reply *reply,
		       int64_t now_us)
{
	struct client *cl = &c->client[i];
	int hint = reply->leader_hint;

	cl->refusals++;
	if (reply->status == KV_STATUS_NOT_LEADER)
		c->stats.redirects++;
	if (spent(c, cl)) {
		give_up(c, i, now_us);
		return;
	}
	if (reply->status != KV_STATUS_NOT_LEADER) {
		pause_then_retry(c, cl, now_us); /* busy: same node, later */
		return;
	}
	if (hint >= 0 && hint < c->config.nodes && hint != cl->node) {
		cl->node = hint;
		attempt(c, i, now_us);
		return;
	}
	cl->node = next_node(c, cl);
	pause_then_retry(c, cl, now_us);
}

static void on_registered(struct clients *c, int i,
			  const struct kv_reply *reply, int64_t now_us)
{
	struct client *cl = &c->client[i];

	if (reply->session == 0) { /* not a session: as if refused */
		on_refused(c, i, reply, now_us);
		return;
	}
	cl->session = reply->session;
	cl->backoff = 0;
	c->stats.sessions++;
	client_next(c, i, now_us);
}

static void on_answered(struct clients *c, int i, const struct kv_reply *reply,
			int64_t now_us)
{
	struct client *cl = &c->client[i];

	c->stats.ok++;
	lathist_add(&c->stats.latency, now_us - cl->invoked_us);
	clients_saw(c, i, reply);
	history(c, i, HIST_OK, reply, now_us);
	client_next(c, i, now_us);
}

/* The session is gone: this copy was not executed, an earlier one that
 * timed out may have been. */
static void on_expired(struct clients *c, int i, int64_t now_us)
{
	struct client *cl = &c->client[i];

	c->stats.expired++;
	cl->session = 0;
	end_unanswered(c, i, now_us);
}

void clients_receive(struct clients *c, const uint8_t *bytes, size_t len,
		     int64_t now_us)
{
	struct kv_reply reply;
	struct client *cl;
	int i;

	if (c->stopped || kv_reply_decode(bytes, len, &reply) != 0)
		return;
	i = reply.client - c->config.client_base;
	if (reply.client < c->config.client_base || i < 0 ||
	    (unsigned)i >= c->config.clients)
		return;
	cl = &c->client[i];
	/* Only the request outstanding now is answered: a reply to an
	 * earlier seq, or a second copy, finds it gone. A refusal while
	 * pausing is a copy of the one that started the pause. */
	if (cl->phase == CLIENT_IDLE ||
	    reply.seq != (cl->phase == CLIENT_REGISTERING ? 0 : cl->seq))
		return;
	if (reply.status != KV_STATUS_OK && !cl->in_flight)
		return;
	if (reply.status == KV_STATUS_OK && cl->phase == CLIENT_REGISTERING)
		on_registered(c, i, &reply, now_us);
	else if (reply.status == KV_STATUS_OK)
		on_answered(c, i, &reply, now_us);
	else if (reply.status == KV_STATUS_SESSION_EXPIRED &&
		 cl->phase == CLIENT_OPERATING)
		on_expired(c, i, now_us);
	else
		on_refused(c, i, &reply, now_us);
}

void clients_timer(struct clients *c, int64_t now_us)
{
	unsigned i;

	if (c->stopped || now_us < c->next_timer)
		return;
	/* Timers cleared here leave next_timer low until the pass ends:
	 * set_timer then only lowers it, and one recount settles it. */
	for (i = 0; i < c->config.clients; i++)
		if (c->client[i].timer <= now_us) {
			c->client[i].timer = INT64_MAX;
			on_timer(c, (int)i, now_us);
		}
	timers_recompute(c);
}

int64_t clients_next_timer(const struct clients *c)
{
	return c->stopped ? INT64_MAX : c->next_timer;
}

void clients_start(struct clients *c, int64_t now_us)
{
	unsigned i;

	for (i = 0; i < c->config.clients; i++)
		client_next(c, (int)i, now_us);
}

void clients_stop(struct clients *c)
{
	unsigned i;

	c->stopped = true;
	for (i = 0; i < c->config.clients; i++) {
		c->client[i].timer = INT64_MAX;
		c->client[i].phase = CLIENT_IDLE;
	}
	c->next_timer = INT64_MAX;
	c->busy = 0;
}

bool clients_done(const struct clients *c)
{
	return c->stopped || (!ops_left(c) && c->busy == 0);
}

/* The largest request: the longest key, a value and an expectation. */
static size_t request_cap(const struct clients *c, const char *scratch)
{
	size_t vcap = clients_value_cap(&c->config);
	struct kv_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = KV_CAS;
	cmd.client = INT32_MAX;
	cmd.session = cmd.seq = cmd.lowest_unacked = UINT64_MAX;
	cmd.key.data = (const uint8_t *)scratch;
	cmd.key.len = CLIENT_KEY_MAX;
	cmd.value.data = cmd.expect.data = (const uint8_t *)scratch;
	cmd.value.len = cmd.expect.len = (uint32_t)vcap;
	return kv_cmd_encode(&cmd, NULL, 0);
}

static int alloc_clients(struct clients *c)
{
	size_t n = c->config.clients, vcap = clients_value_cap(&c->config);
	char *values;
	struct client_seen *seen;
	size_t i;

	c->client = calloc(n, sizeof(*c->client));
	values = calloc(n * 2, vcap);
	seen = calloc(n * CLIENT_SEEN_SLOTS, sizeof(*seen));
	if (c->client == NULL || values == NULL || seen == NULL) {
		free(values);
		free(seen);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct client *cl = &c->client[i];

		cl->value = values + 2 * i * vcap;
		cl->expect = cl->value + vcap;
		cl->seen = seen + i * CLIENT_SEEN_SLOTS;
		cl->timer = INT64_MAX;
		cl->node = (int)(i % (size_t)c->config.nodes);
		cl->next_id = 1;
		raft_rng_seed(&cl->rng, raft_rng_derive(c->config.seed, i));
	}
	return 0;
}

int clients_init(struct clients *c, const struct client_config *cfg,
		 const struct clients_io *io)
{
	char *scratch = NULL;

	assert(cfg->nodes > 0 && cfg->clients > 0 && cfg->keys > 0);
	assert(cfg->timeout_us > 0 && io->send != NULL);
	memset(c, 0, sizeof(*c));
	c->config = *cfg;
	c->io = *io;
	c->next_timer = INT64_MAX;
	lathist_init(&c->stats.latency);
	if (alloc_clients(c) != 0)
		goto err;
	scratch = calloc(1, clients_value_cap(cfg));
	if (scratch == NULL)
		goto err;
	c->buf_cap = request_cap(c, scratch);
	free(scratch);
	c->buf = malloc(c->buf_cap);
	if (c->buf == NULL)
		goto err;
	return 0;
err:
	clients_free(c);
	return -1;
}

void clients_free(struct clients *c)
{
	if (c->client != NULL) {
		free(c->client[0].value);
		free(c->client[0].seen);
	}
	free(c->client);
	free(c->buf);
	c->client = NULL;
	c->buf = NULL;
}

/* fake_cluster.c - see fake_cluster.h. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_cluster.h"

static void post(struct fake_cluster *f, bool to_node, int node,
		 const uint8_t *bytes, size_t len)
{
	struct fake_msg *m;

	if (f->loss > 0 && raft_rng_chance(&f->rng, f->loss))
		return;
	assert(f->msgs < FAKE_MSGS && len <= sizeof(m->bytes));
	m = &f->msg[f->msgs++];
	m->at = f->now + FAKE_LATENCY_US;
	m->order = f->order++;
	m->to_node = to_node;
	m->node = node;
	m->len = len;
	memcpy(m->bytes, bytes, len);
}

void fake_reply_later(struct fake_cluster *f, const struct kv_reply *reply)
{
	uint8_t buf[FAKE_VALUE_MAX + 64];
	size_t len = kv_reply_encode(reply, buf, sizeof(buf));

	assert(len <= sizeof(buf));
	post(f, false, -1, buf, len);
	if (f->dup_replies)
		post(f, false, -1, buf, len);
}

static int fake_send(void *ctx, int client, int node, const uint8_t *bytes,
		     size_t len)
{
	struct fake_cluster *f = ctx;
	struct fake_sent *s;
	struct kv_cmd cmd;

	assert(f->nsent < FAKE_SENT && len <= sizeof(s->bytes));
	if (kv_cmd_decode(bytes, len, &cmd) != 0 || cmd.client != client)
		abort(); /* the clients sent garbage */
	s = &f->sent[f->nsent++];
	s->us = f->now;
	s->client = client;
	s->node = node;
	s->op = cmd.op;
	s->session = cmd.session;
	s->seq = cmd.seq;
	s->lowest_unacked = cmd.lowest_unacked;
	s->len = len;
	memcpy(s->bytes, bytes, len);
	post(f, true, node, bytes, len);
	return 0;
}

static void copy_str(struct hist_str *dst, struct hist_str src, char *buf,
		     size_t cap)
{
	assert(src.len < cap);
	if (src.len > 0)
		memcpy(buf, src.s, src.len);
	buf[src.len] = '\0';
	dst->s = buf;
	dst->len = src.len;
	dst->null = src.null;
}

static void fake_history(void *ctx, const struct hist_event *ev)
{
	struct fake_cluster *f = ctx;
	struct fake_hist *h;

	assert(f->nhist < FAKE_HIST);
	h = &f->hist[f->nhist++];
	h->ev = *ev;
	copy_str(&h->ev.key, ev->key, h->key, sizeof(h->key));
	copy_str(&h->ev.value, ev->value, h->value, sizeof(h->value));
	copy_str(&h->ev.expect, ev->expect, h->expect, sizeof(h->expect));
}

struct client_config fake_config(int nodes, unsigned clients)
{
	struct client_config cfg = {
		.nodes = nodes,
		.clients = clients,
		.keys = 4,
		.read_ratio = 0.4,
		.cas_ratio = 0.2,
		.append_ratio = 0.1,
		.delete_ratio = 0.05,
		.value_bytes = 8,
		.retries = 2,
		.timeout_us = 10000,
		.max_ops = 0,
		.seed = 7,
	};

	return cfg;
}

int fake_init(struct fake_cluster *f, const struct client_config *cfg)
{
	struct clients_io io = {
		.ctx = f, .send = fake_send, .history = fake_history};

	assert(cfg->nodes <= FAKE_NODES && cfg->keys <= FAKE_KEYS);
	memset(f, 0, sizeof(*f));
	f->nodes = cfg->nodes;
	f->hint = 0;
	raft_rng_seed(&f->rng, cfg->seed);
	return clients_init(&f->clients, cfg, &io);
}

int fake_start(struct fake_cluster *f, const struct client_config *cfg)
{
	if (fake_init(f, cfg) != 0)
		return -1;
	clients_start(&f->clients, 0);
	return 0;
}

struct client_config fake_only(enum kv_op op, int nodes, unsigned clients)
{
	struct client_config cfg = fake_config(nodes, clients);

	cfg.read_ratio = op == KV_GET;
	cfg.cas_ratio = op == KV_CAS;
	cfg.append_ratio = op == KV_APPEND;
	cfg.delete_ratio = op == KV_DELETE;
	return cfg;
}

void fake_free(struct fake_cluster *f)
{
	clients_free(&f->clients);
}

static unsigned key_index(struct kv_bytes key)
{
	unsigned k = 0;
	uint32_t i;

	assert(key.len >= 2 && key.data[0] == 'k');
	for (i = 1; i < key.len; i++)
		k = k * 10 + (unsigned)(key.data[i] - '0');
	assert(k < FAKE_KEYS);
	return k;
}

static bool equals(const char *v, size_t len, struct kv_bytes b)
{
	return len == b.len && (len == 0 || memcmp(v, b.data, len) == 0);
}

/* Runs one operation on the store; the reply's value points into it. */
static void execute(struct fake_cluster *f, const struct kv_cmd *cmd,
		    struct kv_reply *r)
{
	unsigned k = key_index(cmd->key);

	f->executed++;
	switch (cmd->op) {
	case KV_GET:
		r->found = f->present[k];
		break;
	case KV_CAS:
		r->swapped = cmd->expect_null
				     ? !f->present[k]
				     : f->present[k] && equals(f->value[k],
							       f->value_len[k],
							       cmd->expect);
		if (!r->swapped)
			break;
		/* fall through */
	case KV_PUT:
		f->value_len[k] = 0;
		/* fall through */
	case KV_APPEND:
		assert(f->value_len[k] + cmd->value.len < FAKE_VALUE_MAX);
		memcpy(f->value[k] + f->value_len[k], cmd->value.data,
		       cmd->value.len);
		f->value_len[k] += cmd->value.len;
		f->present[k] = true;
		break;
	case KV_DELETE:
		f->present[k] = false;
		f->value_len[k] = 0;
		break;
	default:
		assert(0);
	}
	r->value.data = (const uint8_t *)f->value[k];
	r->value.len = (uint32_t)(r->found ? f->value_len[k] : 0);
}

/* The leader's store with sessions: register, dedup, expiry. */
static void lead(struct fake_cluster *f, const struct kv_cmd *cmd,
		 struct kv_reply *r)
{
	struct fake_session *s;

	if (cmd->op == KV_REGISTER) {
		assert(f->sessions + 1 < FAKE_SESSIONS);
		r->session = ++f->sessions;
		return;
	}
	if (cmd->session == 0 || cmd->session > f->sessions ||
	    f->session[cmd->session].gone) {
		r->status = KV_STATUS_SESSION_EXPIRED;
		return;
	}
	s = &f->session[cmd->session];
	if (cmd->seq < s->last_seq) {
		r->status = KV_STATUS_STALE;
		return;
	}
	if (cmd->seq > s->last_seq) {
		execute(f, cmd, r);
		if (cmd->client < FAKE_TRACKED && cmd->seq < FAKE_TRACKED_SEQ)
			f->done[cmd->client][cmd->seq] = true;
		s->last_seq = cmd->seq;
		s->cached = *r;
		memcpy(s->cached_value, r->value.data, r->value.len);
	}
	*r = s->cached;
	r->value.data = (const uint8_t *)s->cached_value;
}

static void at_node(struct fake_cluster *f, const struct fake_msg *m)
{
	enum fake_mode mode = f->mode[m->node];
	struct kv_reply r;
	struct kv_cmd cmd;

	if (mode == FAKE_SILENT)
		return;
	if (kv_cmd_decode(m->bytes, m->len, &cmd) != 0)
		abort();
	memset(&r, 0, sizeof(r));
	r.client = cmd.client;
	r.seq = cmd.seq;
	r.leader_hint = f->hint;
	r.status = KV_STATUS_OK;
	if (mode == FAKE_BUSY)
		r.status = KV_STATUS_RETRY;
	else if (m->node != f->leader)
		r.status = KV_STATUS_NOT_LEADER;
	else
		lead(f, &cmd, &r);
	if (mode != FAKE_EXEC_SILENT)
		fake_reply_later(f, &r);
}

static size_t next_msg(const struct fake_cluster *f)
{
	size_t i, best = 0;

	for (i = 1; i < f->msgs; i++)
		if (f->msg[i].at < f->msg[best].at ||
		    (f->msg[i].at == f->msg[best].at &&
		     f->msg[i].order < f->msg[best].order))
			best = i;
	return best;
}

void fake_run(struct fake_cluster *f, int64_t until)
{
	for (;;) {
		int64_t timer = clients_next_timer(&f->clients);
		size_t i = next_msg(f);
		struct fake_msg m;

		if (f->msgs > 0 && f->msg[i].at <= timer) {
			if (f->msg[i].at > until)
				break;
			m = f->msg[i];
			f->msg[i] = f->msg[--f->msgs];
			f->now = m.at;
			if (m.to_node)
				at_node(f, &m);
			else
				clients_receive(&f->clients, m.bytes, m.len,
						f->now);
		} else if (timer != INT64_MAX && timer <= until) {
			f->now = timer;
			clients_timer(&f->clients, f->now);
		} else {
			break;
		}
	}
	if (until != INT64_MAX && f->now < until)
		f->now = until;
}

size_t fake_count(const struct fake_cluster *f, int type)
{
	size_t i, n = 0;

	for (i = 0; i < f->nhist; i++)
		if (type < 0 || (int)f->hist[i].ev.type == type)
			n++;
	return n;
}

/* harness_clients.c - the harness's client path (issue 11), the same in
 * both worlds; see harness.h's top. Each node's kv store and client
 * service, the requests' and replies' fates, the history's and the fenced
 * store's events, and the figures for the summary. */
#include <assert.h>
#include <string.h>

#include "harness.h"
#include "harness_clients.h"

bool harness_have_clients(const struct harness *h)
{
	/* raftsim node serves whatever clients dial it (raftsim client,
	 * bench): its store and service run, its clients are elsewhere;
	 * with --load its log carries the load's entries instead */
	return options_have_clients(h->opt) ||
	       (h->opt->command == CMD_NODE && !options_have_load(h->opt));
}

void harness_clients_init(struct harness *h)
{
	raft_rng_seed(&h->client_rng, raft_rng_derive(h->opt->seed, 0xc11e));
	h->client_fate_rng = &h->client_rng;
	h->fenced_on = harness_have_clients(h) && h->opt->fenced_store;
	fenced_init(&h->fenced,
		    (h->opt->mistakes & RAFT_MISTAKE_NO_FENCING) != 0);
}

void harness_clients_close(struct harness *h)
{
	int i;

	for (i = 0; h->node != NULL && i < h->nodes; i++) {
		struct harness_node *n = &h->node[i];

		if (n->kv_ready)
			kv_free(&n->kv);
		if (n->service_ready)
			service_free(&n->service);
		n->kv_ready = n->service_ready = false;
	}
}

/* Hands each copy the fate leaves of a client message to the driver;
 * partitions do not apply. Returns 0, or -1 when none was handed over. */
static int send_copies(struct harness *h, struct raft_rng *rng,
		       const struct raft_message *msg)
{
	struct msg_fate fate;
	int handed = 0;
	int i;

	faults_message(h->opt, rng, &fate);
	for (i = 0; i < fate.copies; i++)
		if (h->ops.deliver(h->ops.ctx, msg, fate.extra_us[i]) == 0)
			handed = 1;
	return handed ? 0 : -1;
}

int harness_client_send(struct harness *h, int client, int node,
			const uint8_t *bytes, size_t len)
{
	struct raft_message msg;

	(void)client; /* it is inside the bytes */
	assert(node >= 0 && node < h->nodes);
	memset(&msg, 0, sizeof(msg));
	msg.type = RAFT_MSG_CLIENT;
	msg.from = RAFT_CLIENT;
	msg.to = node;
	msg.u.client.data = bytes;
	msg.u.client.len = (uint32_t)len;
	h->requests_sent++;
	if (send_copies(h, h->client_fate_rng, &msg) == 0)
		return 0;
	h->requests_lost++;
	return -1;
}

static int clients_send(void *ctx, int client, int node, const uint8_t *bytes,
			size_t len)
{
	return harness_client_send(ctx, client, node, bytes, len);
}

void harness_client_history(struct harness *h, const struct hist_event *ev)
{
	static const enum wev_type types[] = {
		[HIST_INVOKE] = WEV_INVOKE,
		[HIST_OK] = WEV_OK,
		[HIST_FAIL] = WEV_FAIL,
		[HIST_INFO] = WEV_INFO,
	};
	struct wev w;

	if (ev->type != HIST_INVOKE)
		h->clients_last_us = ev->us;
	if (h->mon == NULL && h->tap.event == NULL)
		return;
	memset(&w, 0, sizeof(w));
	w.type = types[ev->type];
	w.tick = h->tick;
	w.node = RAFT_NONE;
	w.peer = RAFT_NONE;
	w.client = ev->client;
	w.hist = ev;
	harness_publish(h, &w);
	/* On real files a kill -9 may come at any moment, and the resumed
	 * run may read what this operation writes: its invoke reaches the
	 * kernel before its request leaves, or a correct run's history
	 * would show a value nobody wrote. (A lost completion only leaves
	 * the operation open, which weakens nothing but the check.) */
	if (ev->type == HIST_INVOKE && h->opt->data_dir != NULL &&
	    !h->opt->sim && h->mon != NULL)
		writer_sync(&h->mon->trace);
}

static void clients_history(void *ctx, const struct hist_event *ev)
{
	harness_client_history(ctx, ev);
}

void harness_clients_io(struct harness *h, struct clients_io *io)
{
	io->ctx = h;
	io->send = clients_send;
	io->history = clients_history;
}

void harness_attach_clients(struct harness *h, const struct clients *c)
{
	h->clients = c;
}

/* The service's reply: from the node to the clients, in its step. */
static void node_reply(void *ctx, const uint8_t *bytes, size_t len)
{
	struct harness_node *n = ctx;
	struct raft_message msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = RAFT_MSG_CLIENT;
	msg.from = n->id;
	msg.to = RAFT_CLIENT;
	msg.term = n->raft.current_term;
	msg.u.client.data = bytes;
	msg.u.client.len = (uint32_t)len;
	n->replies_sent++;
	if (send_copies(n->h, n->fate_rng, &msg) != 0)
		n->replies_lost++;
}

/* A mirrored write reaches the fenced store: under its lock (a leaf),
 * then its event, if it was refused or accepted stale. */
static void node_fence(void *ctx, const struct service_write *sw)
{
	struct harness_node *n = ctx;
	struct harness *h = n->h;
	enum fenced_result result;
	uint64_t highest;
	struct wev w;

	harness_lock(h, HARNESS_LOCK_FENCED, RAFT_NONE);
	result = fenced_write(&h->fenced, sw->token, &highest);
	harness_unlock(h, HARNESS_LOCK_FENCED, RAFT_NONE);
	if (result == FENCED_ACCEPTED ||
	    (h->mon == NULL && h->tap.event == NULL))
		return;
	memset(&w, 0, sizeof(w));
	w.type = WEV_FENCED;
	w.tick = n->tick;
	w.node = sw->node;
	w.peer = RAFT_NONE;
	w.term = n->raft.current_term;
	w.token = sw->token;
	w.highest = highest;
	w.accepted = result == FENCED_STALE_ACCEPTED;
	w.client = sw->client;
	w.seq = sw->seq;
	w.index = sw->index;
	harness_publish(h, &w);
}

/* The store executed a request again: exactly-once broken. */
static void node_duplicate(void *ctx, int client, uint64_t seq, uint64_t index)
{
	struct harness_node *n = ctx;
	struct wev w;

	if (n->h->mon == NULL && n->h->tap.event == NULL)
		return;
	memset(&w, 0, sizeof(w));
	w.type = WEV_DUPLICATE;
	w.tick = n->tick;
	w.node = n->id;
	w.peer = RAFT_NONE;
	w.term = n->raft.current_term;
	w.client = client;
	w.seq = seq;
	w.index = index;
	harness_publish(n->h, &w);
}

static int service_boot(struct harness_node *n)
{
	const struct raftsim_options *o = n->h->opt;
	struct service_config cfg = {
		.node = n->id,
		.mistakes = o->mistakes,
		/* a node process cannot know how many will dial it */
		.max_pending = o->command == CMD_NODE ? (unsigned)OPT_MAX_CLIENTS
						      : o->clients,
		.mirror = n->h->fenced_on,
	};
	struct service_io io = {n, node_reply, node_fence, node_duplicate};

	switch (o->reads) {
	case READS_READINDEX:
		cfg.reads = SERVICE_READS_READINDEX;
		break;
	case READS_LEASE:
		cfg.reads = SERVICE_READS_LEASE;
		break;
	default:
		cfg.reads = SERVICE_READS_LOG;
		break;
	}
	if (service_init(&n->service, &cfg, &io, &n->raft, &n->kv) != 0)
		return RAFT_ENOMEM;
	n->service_ready = true;
	return RAFT_OK;
}

int harness_node_clients_attach(struct harness_node *n, struct raft_fsm *fsm)
{
	const struct raftsim_options *o = n->h->opt;
	struct kv_config cfg;
	struct kv_hooks hooks;
	int rv;

	if (!n->service_ready) {
		rv = service_boot(n);
		if (rv != RAFT_OK)
			return rv;
	}
	service_reset(&n->service);
	if (n->kv_ready) {
		n->h->kv_out_of_memory += n->kv.stats.out_of_memory;
		kv_free(&n->kv);
	}
	n->kv_ready = false;
	kv_config_default(&cfg);
	cfg.session_max = o->session_max;
	cfg.session_expiry = o->session_expiry;
	cfg.no_dedup = (o->mistakes & RAFT_MISTAKE_NO_DEDUP) != 0;
	hooks = service_kv_hooks(&n->service);
	if (kv_init(&n->kv, &cfg, &hooks) != 0)
		return RAFT_ENOMEM;
	n->kv_ready = true;
	*fsm = kv_fsm(&n->kv);
	return RAFT_OK;
}

void harness_node_clients_crash(struct harness_node *n)
{
	if (n->service_ready)
		service_reset(&n->service);
}

void harness_node_take(struct harness_node *n, const struct raft_message *m)
{
	if (!n->service_ready) {
		/* a request to a node that serves none (raftsim node --load,
		 * dialed by a client all the same): the core never sees
		 * one; the client times out */
		if (m->type != RAFT_MSG_CLIENT)
			raft_step(&n->raft, m);
		return;
	}
	service_flush(&n->service, n->tick);
	if (m->type == RAFT_MSG_CLIENT)
		service_receive(&n->service, m->u.client.data, m->u.client.len);
	else
		raft_step(&n->raft, m);
	service_poll(&n->service);
}

void harness_node_drained(struct harness_node *n)
{
	if (!n->service_ready)
		return;
	service_drain(&n->service);
	service_poll(&n->service);
}

void harness_node_step(struct harness_node *n, const struct raft_message *m)
{
	harness_node_take(n, m);
	harness_node_drained(n);
}

void harness_node_tick(struct harness_node *n)
{
	if (!n->service_ready) {
		raft_tick(&n->raft);
		return;
	}
	service_flush(&n->service, n->tick);
	raft_tick(&n->raft);
	service_poll(&n->service);
}

void harness_client_summary(struct harness *h,
			    struct harness_client_summary *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < h->nodes; i++) {
		const struct harness_node *n = &h->node[i];

		harness_lock(h, HARNESS_LOCK_NODE, i);
		/* A store's counters start over at every restart; the
		 * service's are kept across them. */
		if (n->kv_ready && n->kv.stats.sessions > out->sessions)
			out->sessions = n->kv.stats.sessions;
		if (n->service_ready) {
			const struct service_stats *st = &n->service.stats;

			out->deduplicated += st->cached;
			out->dropped += st->dropped;
			if (st->duplicates > out->reexecuted)
				out->reexecuted = st->duplicates;
		}
		harness_unlock(h, HARNESS_LOCK_NODE, i);
	}
	harness_lock(h, HARNESS_LOCK_FENCED, RAFT_NONE);
	out->fenced = h->fenced;
	harness_unlock(h, HARNESS_LOCK_FENCED, RAFT_NONE);
	out->fenced_on = h->fenced_on;
}

void harness_client_config(const struct raftsim_options *o,
			   struct client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nodes = o->nodes;
	cfg->clients = o->clients;
	cfg->keys = o->keys;
	cfg->read_ratio = o->read_ratio;
	cfg->cas_ratio = o->cas_ratio;
	cfg->append_ratio = o->append_ratio;
	cfg->delete_ratio = o->delete_ratio;
	cfg->value_bytes = o->value_bytes;
	cfg->retries = o->retries;
	cfg->timeout_us = (int64_t)options_client_timeout_us(o);
	cfg->max_ops = o->ops;
	cfg->seed = raft_rng_derive(o->seed, 0xc11e47);
	cfg->client_base = o->client_base;
	cfg->requests_may_duplicate = o->dup > 0;
}

uint64_t harness_kv_out_of_memory(const struct harness *h)
{
	uint64_t sum = h->kv_out_of_memory;
	int i;

	for (i = 0; i < h->nodes; i++)
		if (h->node[i].kv_ready)
			sum += h->node[i].kv.stats.out_of_memory;
	return sum;
}

/* testnet.c - see testnet.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "testnet.h"

static int outbox_send(void *ctx, const struct raft_message *msg)
{
	struct testnet *net = ctx;

	size_t extra;
	void *buf = NULL;

	if (net->cut[msg->from] || net->cut[msg->to])
		return -1;
	assert(net->outbox_len < TESTNET_OUTBOX);
	extra = raft_message_extra_size(msg);
	net->outbox[net->outbox_len] = *msg;
	if (extra > 0) {
		buf = malloc(extra);
		assert(buf != NULL);
		raft_message_copy_extra(&net->outbox[net->outbox_len], msg,
					buf);
	}
	net->extra[net->outbox_len++] = buf;
	return 0;
}

/* Takes message i out of the outbox into *m; its copy is *extra. */
static void take(struct testnet *net, int i, struct raft_message *m,
		 void **extra)
{
	assert(i >= 0 && i < net->outbox_len);
	*m = net->outbox[i];
	*extra = net->extra[i];
	memmove(&net->outbox[i], &net->outbox[i + 1],
		sizeof(*m) * (size_t)(net->outbox_len - i - 1));
	memmove(&net->extra[i], &net->extra[i + 1],
		sizeof(*extra) * (size_t)(net->outbox_len - i - 1));
	net->outbox_len--;
}

void testnet_deliver_at(struct testnet *net, int i)
{
	struct raft_message m;
	void *extra;

	take(net, i, &m, &extra);
	if (!net->cut[m.from] && !net->cut[m.to])
		raft_step(&net->nodes[m.to], &m);
	free(extra);
}

void testnet_drop_at(struct testnet *net, int i)
{
	struct raft_message m;
	void *extra;

	take(net, i, &m, &extra);
	free(extra);
}

void testnet_clear(struct testnet *net)
{
	int i;

	for (i = 0; i < net->outbox_len; i++)
		free(net->extra[i]);
	net->outbox_len = 0;
}

static void record_event(void *ctx, const struct raft_event *ev)
{
	struct testnet *net = ctx;

	if (net->event_len < TESTNET_EVENTS)
		net->events[net->event_len++] = *ev;
}

void testnet_init(struct testnet *net, int n, uint64_t seed,
		  void (*tweak)(struct raft_config *cfg))
{
	struct raft_transport t = {outbox_send, net};
	struct raft_event_sink e = {record_event, net};
	struct raft_config cfg;
	int i;
	int rv;

	assert(n >= 1 && n <= TESTNET_MAX_NODES);
	memset(net, 0, sizeof(*net));
	net->n = n;
	for (i = 0; i < n; i++) {
		raft_config_default(&cfg, i, n,
				    raft_rng_derive(seed, (uint64_t)i));
		if (tweak != NULL)
			tweak(&cfg);
		rv = raft_init(&net->nodes[i], &cfg, NULL, t, e);
		assert(rv == RAFT_OK);
		(void)rv;
	}
}

int testnet_deliver(struct testnet *net, int limit)
{
	int delivered = 0;
	struct raft_message m;
	void *extra;

	while (net->outbox_len > 0 && delivered < limit) {
		take(net, 0, &m, &extra);
		if (!net->cut[m.from] && !net->cut[m.to]) {
			raft_step(&net->nodes[m.to], &m);
			delivered++;
		}
		free(extra);
	}
	return delivered;
}

void testnet_tick(struct testnet *net)
{
	int i;

	for (i = 0; i < net->n; i++)
		raft_tick(&net->nodes[i]);
}

int testnet_count(const struct testnet *net, enum raft_msg_type type, int from)
{
	int count = 0;
	int i;

	for (i = 0; i < net->outbox_len; i++)
		if ((type == RAFT_MSG_NONE || net->outbox[i].type == type) &&
		    (from == RAFT_NONE || net->outbox[i].from == from))
			count++;
	return count;
}

void testnet_elect(struct testnet *net, int id)
{
	raft_start_election(&net->nodes[id]);
	testnet_deliver(net, 1000);
}

int testnet_events(const struct testnet *net, enum raft_event_type type,
		   int node)
{
	int count = 0;
	int i;

	for (i = 0; i < net->event_len; i++)
		if (net->events[i].type == type &&
		    (node == RAFT_NONE || net->events[i].node == node))
			count++;
	return count;
}

struct raft_message testnet_msg(enum raft_msg_type type, int from, int to,
				uint64_t term)
{
	struct raft_message m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.from = from;
	m.to = to;
	m.term = term;
	switch (type) {
	case RAFT_MSG_APPEND_ENTRIES:
		m.u.ae.term = term;
		m.u.ae.leader_id = from;
		break;
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		m.u.ae_reply.term = term;
		m.u.ae_reply.success = 1;
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		m.u.rv.term = term;
		m.u.rv.candidate_id = from;
		break;
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY:
		m.u.rv_reply.term = term;
		break;
	default:
		break;
	}
	return m;
}

void testnet_tick_to_timeout(struct raft_state *s)
{
	unsigned timeout = s->election_timeout;
	unsigned i;

	for (i = 1; i < timeout; i++)
		raft_tick(s);
}

void testnet_settle(struct testnet *net)
{
	while (testnet_deliver(net, 100000) > 0)
		;
}

int testnet_find_to(const struct testnet *net, enum raft_msg_type t, int to)
{
	int i;

	for (i = 0; i < net->outbox_len; i++)
		if (net->outbox[i].type == t && net->outbox[i].to == to)
			return i;
	return -1;
}

int testnet_count_to(const struct testnet *net, enum raft_msg_type t, int to)
{
	int n = 0;
	int i;

	for (i = 0; i < net->outbox_len; i++)
		if (net->outbox[i].type == t && net->outbox[i].to == to)
			n++;
	return n;
}

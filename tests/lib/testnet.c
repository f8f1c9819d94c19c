/* testnet.c - see testnet.h. */
#include <assert.h>
#include <string.h>

#include "testnet.h"

static int outbox_send(void *ctx, const struct raft_message *msg)
{
	struct testnet *net = ctx;

	if (net->cut[msg->from] || net->cut[msg->to])
		return -1;
	assert(net->outbox_len < TESTNET_OUTBOX);
	net->outbox[net->outbox_len++] = *msg;
	return 0;
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

	while (net->outbox_len > 0 && delivered < limit) {
		m = net->outbox[0];
		memmove(&net->outbox[0], &net->outbox[1],
			sizeof(m) * (size_t)(net->outbox_len - 1));
		net->outbox_len--;
		if (net->cut[m.from] || net->cut[m.to])
			continue;
		raft_step(&net->nodes[m.to], &m);
		delivered++;
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

/* testnet_log.c - logs for a testnet's nodes (testnet.h): an in-memory
 * storage each, which outlives a node's restart as a disk would, and the
 * digest state machine. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "storage/mem_storage.h"
#include "testnet.h"

static void storage_ensure(struct testnet *net, int id)
{
	if (net->store[id] == NULL)
		net->store[id] = mem_storage_new();
	assert(net->store[id] != NULL);
}

/* A payload that differs by index and term. */
static void payload_fill(uint8_t *buf, uint32_t len, uint64_t index,
			 uint64_t term)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(index * 31 + term * 7 + i);
}

static void reinit(struct testnet *net, int id, uint64_t term, int voted_for)
{
	struct raft_state *s = &net->nodes[id];
	struct raft_config cfg = s->config;
	struct raft_durable d = {term, voted_for};
	int rv;

	rv = raft_init(s, &cfg, &d, s->transport, s->events);
	assert(rv == RAFT_OK);
	(void)rv;
}

void testnet_preload(struct testnet *net, int id, uint64_t term,
		     const uint64_t *terms, int n)
{
	struct raft_storage st;
	struct raft_entry e;
	uint8_t data[8];
	int i;
	int rv;

	storage_ensure(net, id);
	st = mem_storage_ops(net->store[id]);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.index = st.last_index(st.ctx) + 1;
		e.term = terms[i];
		e.type = RAFT_ENTRY_COMMAND;
		e.len = sizeof(data);
		payload_fill(data, e.len, e.index, e.term);
		e.data = data;
		rv = st.append(st.ctx, &e, 1);
		assert(rv == 0);
		(void)rv;
	}
	reinit(net, id, term, RAFT_NONE);
}

static void attach_one(struct testnet *net, int id)
{
	struct raft_storage st;
	struct raft_fsm fsm;
	int rv;

	storage_ensure(net, id);
	st = mem_storage_ops(net->store[id]);
	digest_fsm_init(&net->fsm[id]);
	fsm = digest_fsm_ops(&net->fsm[id]);
	rv = raft_attach(&net->nodes[id], &st, &fsm);
	assert(rv == RAFT_OK);
	(void)rv;
}

void testnet_attach(struct testnet *net)
{
	int i;

	for (i = 0; i < net->n; i++)
		attach_one(net, i);
}

void testnet_restart(struct testnet *net, int id)
{
	struct raft_durable d = raft_durable_of(&net->nodes[id]);

	reinit(net, id, d.current_term, d.voted_for);
	attach_one(net, id);
}

int testnet_propose(struct testnet *net, int id, int n, uint32_t len)
{
	struct raft_entry e[64];
	uint8_t data[64][32];
	int i;

	assert(n >= 1 && n <= 64 && len <= 32);
	memset(e, 0, sizeof(e));
	for (i = 0; i < n; i++) {
		e[i].type = RAFT_ENTRY_COMMAND;
		e[i].len = len;
		payload_fill(data[i], len, net->nodes[id].last_log_index + 1,
			     (uint64_t)i);
		e[i].data = data[i];
	}
	return raft_propose(&net->nodes[id], e, (unsigned)n, NULL);
}

void testnet_free(struct testnet *net)
{
	int i;

	testnet_clear(net);
	for (i = 0; i < TESTNET_MAX_NODES; i++) {
		mem_storage_free(net->store[i]);
		net->store[i] = NULL;
	}
}

uint64_t testnet_term_at(const struct testnet *net, int id, uint64_t index)
{
	struct raft_storage st = mem_storage_ops(net->store[id]);

	return st.term_at(st.ctx, index);
}

void testnet_lead_settled(struct testnet *net, int n, uint64_t seed,
			  void (*tweak)(struct raft_config *cfg))
{
	testnet_init(net, n, seed, tweak);
	testnet_attach(net);
	testnet_elect(net, 0);
	testnet_settle(net);
}

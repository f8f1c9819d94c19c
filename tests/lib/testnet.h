/* testnet.h - a hand-driven cluster for deterministic unit tests.
 *
 * Messages sent by the core land in one FIFO outbox; the test decides when
 * to deliver them and to whom, so every assertion can be exact.
 *
 * A testnet is one test's fixture: the test declares it as a local and sets
 * it up with testnet_init, so nothing carries over from one test to the
 * next. Helpers that act on it take it as a parameter.
 */
#ifndef TESTNET_H
#define TESTNET_H

#include "raft.h"

/* Unit tests use a handful of nodes; the cap keeps a fixture small enough
 * (about 460 KB) to live on its test's stack. */
#define TESTNET_MAX_NODES 16
#define TESTNET_OUTBOX 4096
#define TESTNET_EVENTS 4096

struct testnet {
	int n;
	struct raft_state nodes[TESTNET_MAX_NODES];
	struct raft_message outbox[TESTNET_OUTBOX];
	int outbox_len;
	struct raft_event events[TESTNET_EVENTS];
	int event_len;
	uint8_t cut[TESTNET_MAX_NODES]; /* 1: messages to or from it vanish */
};

/* Sets up a fresh fixture, whatever it held before: n followers (1 ..
 * TESTNET_MAX_NODES) with the lesson's defaults; `tweak` may edit each
 * node's configuration before init (NULL for none). */
void testnet_init(struct testnet *net, int n, uint64_t seed,
		  void (*tweak)(struct raft_config *cfg));

/* Delivers the outbox in FIFO order until it is empty (or `limit` messages
 * have been delivered). Returns how many were delivered. */
int testnet_deliver(struct testnet *net, int limit);

/* Ticks every node once, in id order. */
void testnet_tick(struct testnet *net);

/* Ticks one node up to the tick before its election timer runs out: the
 * next raft_tick is the timeout. */
void testnet_tick_to_timeout(struct raft_state *s);

/* Counts outbox messages of a type (RAFT_MSG_NONE for any), from a node
 * (RAFT_NONE for any). */
int testnet_count(const struct testnet *net, enum raft_msg_type type, int from);

/* Elects `id` by the L01 logic: its election, then deliver everything. */
void testnet_elect(struct testnet *net, int id);

/* Counts recorded events of a type for a node (RAFT_NONE for any). */
int testnet_events(const struct testnet *net, enum raft_event_type type,
		   int node);

/* Wraps one message for the entry point. */
struct raft_message testnet_msg(enum raft_msg_type type, int from, int to,
				uint64_t term);

#endif

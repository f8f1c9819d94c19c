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
#include "storage/digest_fsm.h"

struct mem_storage;

/* Unit tests use a handful of nodes; the cap keeps a fixture small enough
 * (about 460 KB) to live on its test's stack. */
#define TESTNET_MAX_NODES 16
#define TESTNET_OUTBOX 4096
#define TESTNET_EVENTS 4096

struct testnet {
	int n;
	struct raft_state nodes[TESTNET_MAX_NODES];
	struct raft_message outbox[TESTNET_OUTBOX];
	/* outbox[i]'s entries or snapshot chunk, copied (the core keeps no
	 * pointer after send), or NULL; freed when delivered or dropped. */
	void *extra[TESTNET_OUTBOX];
	int outbox_len;
	struct raft_event events[TESTNET_EVENTS];
	int event_len;
	uint8_t cut[TESTNET_MAX_NODES]; /* 1: messages to or from it vanish */
	/* testnet_log.c: each node's log "as if on disk" and state machine. */
	struct mem_storage *store[TESTNET_MAX_NODES];
	struct digest_fsm fsm[TESTNET_MAX_NODES];
};

/* Sets up a fresh fixture, whatever it held before: n followers (1 ..
 * TESTNET_MAX_NODES) with the lesson's defaults; `tweak` may edit each
 * node's configuration before init (NULL for none). */
void testnet_init(struct testnet *net, int n, uint64_t seed,
		  void (*tweak)(struct raft_config *cfg));

/* Delivers the outbox in FIFO order until it is empty (or `limit` messages
 * have been delivered). Returns how many were delivered. */
int testnet_deliver(struct testnet *net, int limit);

/* Delivers until nothing is left to deliver: the cluster settles. */
void testnet_settle(struct testnet *net);

/* How many messages of type t to node `to` wait in the outbox. */
int testnet_count_to(const struct testnet *net, enum raft_msg_type t, int to);

/* Index of the first outbox message of type t to node `to`, or -1. */
int testnet_find_to(const struct testnet *net, enum raft_msg_type t, int to);

/* n nodes with logs, node 0 elected and every message delivered (its
 * no-op committed); tweak as for testnet_init. */
void testnet_lead_settled(struct testnet *net, int n, uint64_t seed,
			  void (*tweak)(struct raft_config *cfg));

/* Delivers outbox message i alone (the rest keep their order). */
void testnet_deliver_at(struct testnet *net, int i);

/* Drops outbox message i (lost in the network). */
void testnet_drop_at(struct testnet *net, int i);

/* Empties the outbox, freeing the copies. */
void testnet_clear(struct testnet *net);

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

/* testnet_log.c (not linked into heartbeat_test): logs for the nodes. */

/* Before testnet_attach: node id restarts at `term` with a log of n
 * entries of the given terms (commands with small payloads), as if it
 * had kept them from before a crash. */
void testnet_preload(struct testnet *net, int id, uint64_t term,
		     const uint64_t *terms, int n);

/* Gives every node a storage (kept if preloaded) and a fresh state
 * machine (raft_attach). */
void testnet_attach(struct testnet *net);

/* Crashes and restarts node id: its term, vote and storage survive; its
 * state machine and volatile state do not. Messages to it stay queued. */
void testnet_restart(struct testnet *net, int id);

/* Proposes n commands of `len` bytes to node id; returns raft_propose's
 * code. */
int testnet_propose(struct testnet *net, int id, int n, uint32_t len);

/* Frees the storages and the outbox copies (each log test ends with it). */
void testnet_free(struct testnet *net);

/* The term node id's storage holds at index (0 when it holds none). */
uint64_t testnet_term_at(const struct testnet *net, int id, uint64_t index);

#endif

/* fake_cluster.h - a few nodes, in virtual time, that the clients
 * (src/client/clients.c) talk to in tests/client: each decodes the
 * request and answers as a leader (a small store with sessions, dedup and
 * expiry) or as a follower (NOT_LEADER and a hint), or stays silent, as
 * the test sets. It records every request sent and every history event.
 */
#ifndef FAKE_CLUSTER_H
#define FAKE_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/clients.h"

#define FAKE_NODES 5
#define FAKE_KEYS 16
#define FAKE_VALUE_MAX 1024
#define FAKE_MSGS 1024
#define FAKE_SENT 8192
#define FAKE_HIST 4096
#define FAKE_SESSIONS 256
#define FAKE_LATENCY_US 100
#define FAKE_TRACKED 8 /* clients whose executions are recorded */
#define FAKE_TRACKED_SEQ 2048

enum fake_mode {
	FAKE_SERVE,       /* leader: executes; follower: NOT_LEADER + hint */
	FAKE_SILENT,      /* receives nothing (crashed, or lost on the way) */
	FAKE_EXEC_SILENT, /* executes as leader, its reply is lost */
	FAKE_BUSY,        /* answers RETRY */
};

/* A request as a client sent it. */
struct fake_sent {
	int64_t us;
	int client;
	int node;
	uint8_t op;
	uint64_t session;
	uint64_t seq;
	uint64_t lowest_unacked;
	size_t len;
	uint8_t bytes[192];
};

/* A history event, its strings copied. */
struct fake_hist {
	struct hist_event ev;
	char key[16];
	char value[FAKE_VALUE_MAX];
	char expect[64];
};

struct fake_msg {
	int64_t at;
	uint64_t order; /* ties delivered in sending order */
	bool to_node;
	int node;
	size_t len;
	uint8_t bytes[FAKE_VALUE_MAX + 64];
};

struct fake_session {
	bool gone;
	uint64_t last_seq;
	struct kv_reply cached; /* value points into cached_value */
	char cached_value[FAKE_VALUE_MAX];
};

struct fake_cluster {
	struct clients clients;
	int64_t now;
	int nodes;
	int leader;       /* -1: none */
	int hint;         /* what followers name as leader (-1: none) */
	bool dup_replies; /* every reply arrives twice */
	double loss;      /* the chance that a message is lost */
	struct raft_rng rng;
	enum fake_mode mode[FAKE_NODES];

	char value[FAKE_KEYS][FAKE_VALUE_MAX];
	size_t value_len[FAKE_KEYS];
	bool present[FAKE_KEYS];
	struct fake_session session[FAKE_SESSIONS]; /* by id: 1, 2, ... */
	uint64_t sessions;
	uint64_t executed;
	/* Whether client c's request seq was executed (seq < ..._SEQ). */
	bool done[FAKE_TRACKED][FAKE_TRACKED_SEQ];

	struct fake_msg msg[FAKE_MSGS];
	size_t msgs;
	uint64_t order;
	struct fake_sent sent[FAKE_SENT];
	size_t nsent;
	struct fake_hist hist[FAKE_HIST];
	size_t nhist;
};

/* A configuration for n nodes and k clients the tests start from. */
struct client_config fake_config(int nodes, unsigned clients);
/* Sets f up (zeroed, every node serving, node 0 leading) with clients of
 * cfg; returns 0 or -1. */
int fake_init(struct fake_cluster *f, const struct client_config *cfg);
/* fake_init, then the clients start at time 0. */
int fake_start(struct fake_cluster *f, const struct client_config *cfg);
/* fake_config whose operations are all `op` (KV_PUT: all puts). */
struct client_config fake_only(enum kv_op op, int nodes, unsigned clients);
void fake_free(struct fake_cluster *f);
/* Runs messages and timers up to `until` (virtual us), or until nothing is
 * left to do. */
void fake_run(struct fake_cluster *f, int64_t until);
/* Delivers reply bytes to the clients after the latency. */
void fake_reply_later(struct fake_cluster *f, const struct kv_reply *reply);
/* The number of history events of a type (of any type: -1). */
size_t fake_count(const struct fake_cluster *f, int type);

#endif

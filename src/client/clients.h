/* clients.h - --clients N sequential clients, the same in both worlds: each
 * has at most one operation outstanding (a Jepsen process), draws it from
 * the workload, sends it to a node and waits for the reply or a timeout.
 * Pure: time comes in as run microseconds, randomness from the clients'
 * own seeded generators, requests leave through clients_io.send, and the
 * history (lincheck/history.h) through clients_io.history. The simulator
 * drives it with events in virtual time, the runtime from its client
 * thread; replies come back through clients_receive.
 *
 * A client's life (thesis §6.3):
 *  1. registers a session (KV_REGISTER through the log) with a node
 *     (client c starts at node c % nodes) and follows leader hints;
 *  2. draws an operation (--read-ratio, --cas-ratio, --append-ratio,
 *     --delete-ratio, the rest puts; a key of --keys; a unique value of
 *     --value-bytes, history.h's form) and records its invoke;
 *  3. numbers it (seq) and sends it; on NOT_LEADER it goes to the hint at
 *     once (to the next node, after a pause, when there is none); on
 *     RETRY after a pause; on a timeout it sends the same request, same
 *     seq, to the next node: the session makes the retry safe;
 *  4. records ok with the reply; or, once (1 + retries) timeouts have
 *     passed (a refusal costs 1/nodes of one, so that a cluster without a
 *     leader ends an operation too), or its session expired: fail when no attempt can have taken
 *     effect (every one was refused, or it is a get), info otherwise. After
 *     an expired session it registers again.
 * A client's seq keeps growing across its sessions (the new session's
 * first request is above the old one's last), so a late reply from an old
 * session never matches the current request.
 */
#ifndef CLIENTS_H
#define CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/lathist.h"
#include "kv/kv.h"
#include "lincheck/history.h"
#include "raft_rng.h"

struct client_config {
	int nodes;
	unsigned clients;
	unsigned keys;       /* keys "k0" .. "k<keys-1>" */
	double read_ratio;   /* gets */
	double cas_ratio;    /* cas */
	double append_ratio; /* appends */
	double delete_ratio; /* deletes; the rest are puts */
	unsigned value_bytes;
	unsigned retries;   /* timeouts after the first before giving up */
	int64_t timeout_us; /* one attempt's wait for a reply */
	uint64_t max_ops;   /* stop invoking after this many; 0: no limit */
	uint64_t seed;
	/* Client i is numbered client_base + i in its requests, history and
	 * values: a resumed run (--resume) numbers its clients after the
	 * earlier runs', so that no value is written twice in one trace. */
	int client_base;
	/* The network may deliver a request twice (--dup): a write given up
	 * is then info, never fail, whatever the refusals said. */
	bool requests_may_duplicate;
};

struct clients_io {
	void *ctx;
	/* Sends an encoded request (kv_cmd_encode's bytes) from client
	 * `client` to node `node`; the bytes are copied. Returns 0, or -1
	 * when it was lost on the way (the client times out, as for any
	 * lost message). It must not deliver a reply before it returns. */
	int (*send)(void *ctx, int client, int node, const uint8_t *bytes,
		    size_t len);
	/* One history event (invoke, ok, fail, info), in the order the
	 * clients produce them; the strings are valid during the call. */
	void (*history)(void *ctx, const struct hist_event *ev);
};

struct clients_stats {
	uint64_t invoked;
	uint64_t ok;
	uint64_t failed;
	uint64_t info;
	uint64_t attempts;      /* requests sent, retries included */
	uint64_t timeouts;      /* attempts that saw no reply in time */
	uint64_t redirects;     /* NOT_LEADER replies */
	uint64_t expired;       /* SESSION_EXPIRED replies */
	uint64_t sessions;      /* registrations completed */
	struct lathist latency; /* invoke to ok */
};

struct client; /* clients.c: one client's state */

struct clients {
	struct client_config config;
	struct clients_io io;
	struct client *client; /* config.clients long */
	uint8_t *buf;          /* encoding scratch */
	size_t buf_cap;
	struct clients_stats stats;
	int64_t next_timer; /* the earliest client timer, INT64_MAX: none */
	unsigned busy;      /* clients registering or with an op outstanding */
	bool stopped;
};

/* Returns 0, or -1 when out of memory. cfg: nodes, clients, keys and
 * timeout_us > 0 (the options check them). */
int clients_init(struct clients *c, const struct client_config *cfg,
		 const struct clients_io *io);
void clients_free(struct clients *c);

/* Every client registers its session, at run time now_us. */
void clients_start(struct clients *c, int64_t now_us);
/* A reply (kv_reply_encode's bytes) arrived at now_us. A reply that
 * matches no outstanding request (late, duplicated) is ignored. */
void clients_receive(struct clients *c, const uint8_t *bytes, size_t len,
		     int64_t now_us);
/* Fires the timers due by now_us. */
void clients_timer(struct clients *c, int64_t now_us);
/* The earliest timer, or INT64_MAX when none is set. */
int64_t clients_next_timer(const struct clients *c);
/* Stops invoking: outstanding operations stay open (their invokes have no
 * completion: open for ever, as an info). */
void clients_stop(struct clients *c);
/* Whether every client is idle: max_ops reached and nothing outstanding. */
bool clients_done(const struct clients *c);

#endif

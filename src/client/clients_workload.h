/* clients_workload.h - private to src/client: one client's state, and the
 * workload it draws its operations from (clients_workload.c): the
 * operation mix, keys, unique values (history.h's form) and the values
 * this client last saw, from which a cas takes its expectation.
 */
#ifndef CLIENTS_WORKLOAD_H
#define CLIENTS_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/clients.h"

/* "c" + an int + "i" + a uint64 fits, with its NUL. */
#define CLIENT_ID_FORM_MAX 40
/* "k" + an unsigned fits, with its NUL. */
#define CLIENT_KEY_MAX 16
/* Keys whose last seen value a client remembers (direct-mapped). */
#define CLIENT_SEEN_SLOTS 128

enum client_phase {
	CLIENT_IDLE,        /* nothing outstanding */
	CLIENT_REGISTERING, /* a KV_REGISTER is being retried */
	CLIENT_OPERATING,   /* one operation outstanding */
};

enum seen_state { SEEN_NONE, SEEN_ABSENT, SEEN_VALUE };

/* What this client last saw in key `key`: absent, or the value that
 * client `writer` wrote as its operation `id`. */
struct client_seen {
	uint32_t key;
	uint8_t state; /* enum seen_state */
	int writer;
	uint64_t id;
};

struct client {
	struct raft_rng rng;
	enum client_phase phase;
	bool in_flight;   /* an attempt awaits its reply; else a pause runs */
	int node;         /* where the next attempt goes */
	uint64_t session; /* 0: none */
	uint64_t seq;     /* the current request's */
	uint64_t next_id; /* the next operation's history id */
	int64_t timer;    /* INT64_MAX: none */
	int64_t invoked_us;
	unsigned timeouts; /* of the current request */
	unsigned refusals; /* of the current request */
	unsigned backoff;  /* registration rounds given up in a row */
	bool maybe_effect; /* an attempt may have taken effect */

	/* The operation outstanding (phase CLIENT_OPERATING). */
	uint8_t op; /* enum kv_op */
	bool expect_null;
	bool expect_seen; /* cas: expects what this client last saw */
	uint32_t key;
	uint64_t id;
	char *value; /* cap: clients_value_cap() */
	size_t value_len;
	char *expect;
	size_t expect_len;

	struct client_seen *seen; /* CLIENT_SEEN_SLOTS */
	bool wrote;               /* the last value this client wrote */
	uint64_t wrote_id;
};

/* The room one value takes, its NUL included. */
size_t clients_value_cap(const struct client_config *cfg);
/* Writes client `writer`'s value of operation `id` (numbered from
 * cfg->client_base) into buf (cap from
 * clients_value_cap) and returns its length. */
size_t clients_value_of(const struct client_config *cfg, int writer,
			uint64_t id, char *buf);
/* Writes "k<key>" into buf (CLIENT_KEY_MAX) and returns its length. */
size_t clients_key_of(uint32_t key, char *buf);

/* Draws client i's next operation (op, key, value, expect) for id
 * cl->id. */
void clients_draw(struct clients *c, int i);
/* Remembers what an ok reply to client i's operation says about its
 * key. */
void clients_saw(struct clients *c, int i, const struct kv_reply *reply);

#endif

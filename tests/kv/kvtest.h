/* kvtest.h - drives a kv store (src/kv) by hand for the tests in
 * tests/kv: each call encodes one command, applies it as the next log
 * entry, and keeps what kv_hooks.applied reported. */
#ifndef KVTEST_H
#define KVTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kv/kv.h"

struct kvt {
	struct kv kv;
	struct raft_fsm fsm;
	uint64_t index; /* the last entry applied */
	unsigned hooks; /* kv_hooks.applied calls */
	/* The last call's report (value copied). */
	struct kv_cmd cmd;
	struct kv_reply reply;
	bool executed;
	uint64_t hook_index;
	char value[512];
};

/* A store with cfg (NULL: the defaults); REQUIREs in the caller check the
 * return (0, or -1 without memory). */
int kvt_init(struct kvt *t, const struct kv_config *cfg);
void kvt_free(struct kvt *t);

/* Applies entry index+1 holding a registration; returns the session id
 * the reply carried. */
uint64_t kvt_register(struct kvt *t);

/* Applies one request; returns the reply's status. cas: expect NULL means
 * "the key is absent". */
int kvt_get(struct kvt *t, uint64_t session, uint64_t seq, const char *key);
int kvt_put(struct kvt *t, uint64_t session, uint64_t seq, const char *key,
	    const char *value);
int kvt_append(struct kvt *t, uint64_t session, uint64_t seq, const char *key,
	       const char *value);
int kvt_cas(struct kvt *t, uint64_t session, uint64_t seq, const char *key,
	    const char *expect, const char *value);
int kvt_delete(struct kvt *t, uint64_t session, uint64_t seq, const char *key);
/* Any command. */
int kvt_apply(struct kvt *t, const struct kv_cmd *cmd);
/* A no-op entry, or raw bytes as a command entry. */
void kvt_noop(struct kvt *t);
void kvt_raw(struct kvt *t, const uint8_t *data, uint32_t len);

/* The value of key now (kv_read), or NULL when absent. */
const char *kvt_value(struct kvt *t, const char *key);
/* Whether key holds value now. */
bool kvt_is(struct kvt *t, const char *key, const char *value);
/* Whether the last reply's value is s. */
bool kvt_replied(const struct kvt *t, const char *s);

struct kv_bytes kvt_str(const char *s);

#endif

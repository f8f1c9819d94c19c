/* wiretest.h - what the wire tests share (tests/net/wiretest.c): random
 * raft messages of every type that crosses the wire, and a field-by-field
 * comparison. */
#ifndef WIRETEST_H
#define WIRETEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_msg.h"
#include "raft_rng.h"

#define WS_NODES 5
#define WS_MAX_ENTRIES 6
#define WS_MAX_ENTRY_BYTES 40
#define WS_MAX_CHUNK 300

/* A message and the storage its pointers point into (do not copy it). */
struct ws_msg {
	struct raft_message m;
	uint32_t delay_us;
	struct raft_entry entries[WS_MAX_ENTRIES];
	uint8_t bytes[WS_MAX_ENTRIES * WS_MAX_ENTRY_BYTES + WS_MAX_CHUNK];
};

/* The types that travel between processes (all but NONE and PROPOSE). */
extern const enum raft_msg_type ws_types[];
extern const int ws_type_count;

/* Fills out with a valid message of `type` for a WS_NODES cluster: random
 * terms, ids, indexes, flags, entries and bytes (empty ones included). */
void ws_random(struct raft_rng *rng, enum raft_msg_type type,
	       struct ws_msg *out);

/* Whether a and b agree on every field of their type, pointed-to bytes
 * included; if not, ws_diff names the first field that differs. */
bool ws_same(const struct raft_message *a, const struct raft_message *b);
extern const char *ws_diff;

#endif

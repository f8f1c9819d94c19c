/* raft_msg.h - the envelope every message travels in.
 *
 * Contract: `term` repeats the payload's term so that the single entry point
 * (raft_step) can compare terms before it looks at the type (Figure 2, "All
 * Servers": a higher term makes the receiver a follower first).
 */
#ifndef RAFT_MSG_H
#define RAFT_MSG_H

#include <stdint.h>

#include "raft_election.h"
#include "raft_heartbeat.h"
#include "raft_log.h"

enum raft_msg_type {
	RAFT_MSG_NONE = 0,
	RAFT_MSG_APPEND_ENTRIES,
	RAFT_MSG_APPEND_ENTRIES_REPLY,
	RAFT_MSG_REQUEST_VOTE,
	RAFT_MSG_REQUEST_VOTE_REPLY,
	RAFT_MSG_PREVOTE,          /* payload: request_vote_msg, term = probe */
	RAFT_MSG_PREVOTE_REPLY,    /* payload: request_vote_reply */
	RAFT_MSG_INSTALL_SNAPSHOT, /* payload: install_snapshot_msg */
	RAFT_MSG_INSTALL_SNAPSHOT_REPLY, /* payload: install_snapshot_reply */
	RAFT_MSG_PROPOSE, /* from a client, not a peer: payload: propose */
	RAFT_MSG_CLIENT,  /* a client's request or a node's reply to it; the
			     core never sees it (payload: client_bytes) */
	RAFT_MSG_TYPE_COUNT
};

/* §7 InstallSnapshot, in chunks: bytes [offset, offset + len) of the
 * leader's snapshot of (last_index, last_term), total bytes in all. */
struct install_snapshot_msg {
	uint64_t term;
	int leader_id;
	uint64_t last_index;
	uint64_t last_term;
	uint64_t total;
	uint64_t offset;
	const uint8_t *data; /* len bytes */
	uint32_t len;
};

/* next_offset: the byte the follower expects next (total: installed);
 * -1 when it could not keep the chunk. */
struct install_snapshot_reply {
	uint64_t term;
	uint64_t last_index;
	int64_t next_offset;
};

/* Entries a client asks the leader to append; only their type, len and
 * data count (the leader assigns term and index). term 0 in the envelope:
 * a proposal is not a peer's message and never moves a term. */
struct propose {
	const struct raft_entry *entries;
	unsigned count;
};

/* The id a proposal comes "from", and a client message goes to or from
 * (which client: inside its bytes). */
#define RAFT_CLIENT (-2)

/* RAFT_MSG_CLIENT's payload: bytes the drivers' client layer encodes
 * (src/kv/kv.h: a request from a client, a reply to one). Drivers route
 * it by `to`: a node's client service, or the clients (RAFT_CLIENT). */
struct client_bytes {
	const uint8_t *data;
	uint32_t len;
};

const char *raft_msg_type_name(enum raft_msg_type type);

struct raft_message {
	enum raft_msg_type type;
	int from;
	int to;
	uint64_t term;
	union {
		struct append_entries_msg ae;
		struct append_entries_reply ae_reply;
		struct request_vote_msg rv;
		struct request_vote_reply rv_reply;
		struct install_snapshot_msg snap;
		struct install_snapshot_reply snap_reply;
		struct propose prop;
		struct client_bytes client;
	} u;
};

/* Entries and snapshot chunks travel by pointer: the core keeps no pointer
 * after transport.send returns, so a driver that queues a message copies
 * what it points to. raft_message_extra_size: the bytes that takes (0 for
 * most messages); raft_message_copy_extra: makes dst (a copy of src) point
 * into buf, that many bytes aligned for struct raft_entry, and copies. */
size_t raft_message_extra_size(const struct raft_message *src);
void raft_message_copy_extra(struct raft_message *dst,
			     const struct raft_message *src, void *buf);

#endif

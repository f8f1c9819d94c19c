/* wire_decode.c - a WIRE_RAFT payload back into a struct raft_message
 * (wire.h; the layout is in wire_msg.c's comment).
 *
 * Nothing from a peer is trusted: every id, count, length, boolean and
 * entry type is checked against the bytes and the cluster size before the
 * one block is allocated, so a huge count or a lying length costs nothing.
 * Length errors (a count or length the bytes cannot hold, trailing bytes)
 * are WIRE_ELENGTH; a payload cut short inside fixed fields, WIRE_ESHORT;
 * any other bad field, WIRE_EVALUE.
 */
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"
#include "net/wire_bytes.h"
#include "raft_log.h"

#define ENTRY_ALIGN _Alignof(struct raft_entry)

/* The block's size as raft_message_extra_size counts it (raft_pack.c):
 * rounded up so that a mailbox may lay blocks one after another. */
static size_t round_up(size_t n)
{
	return (n + ENTRY_ALIGN - 1) / ENTRY_ALIGN * ENTRY_ALIGN;
}

static int node_ok(int id, int nodes)
{
	return id >= 0 && id < nodes;
}

/* A client stands only at one end of a CLIENT message; peers' messages
 * go from a node to a node. */
static int ids_ok(const struct raft_message *m, int nodes)
{
	if (m->type != RAFT_MSG_CLIENT)
		return node_ok(m->from, nodes) && node_ok(m->to, nodes);
	if (m->from == RAFT_CLIENT)
		return node_ok(m->to, nodes);
	return m->to == RAFT_CLIENT && node_ok(m->from, nodes);
}

/* Copies len bytes at the reader into a new block (NULL for none). */
static int take_block(struct wire_reader *r, uint32_t len, const uint8_t **data,
		      void **extra, size_t *extra_bytes)
{
	size_t size = round_up(len);

	*data = NULL;
	if (len == 0)
		return WIRE_OK;
	*extra = malloc(size);
	if (*extra == NULL)
		return WIRE_ENOMEM;
	rd_bytes(r, *extra, len);
	*data = *extra;
	*extra_bytes = size;
	return WIRE_OK;
}

/* First pass over the entries: every header, type, index and length is
 * checked, and the payload bytes summed, before anything is allocated. */
static int scan_entries(struct wire_reader r,
			const struct append_entries_msg *ae, uint32_t count,
			size_t *payload)
{
	uint32_t i;

	*payload = 0;
	for (i = 0; i < count; i++) {
		uint64_t index;
		uint32_t type, len;

		rd_u64(&r); /* term */
		index = rd_u64(&r);
		type = rd_u32(&r);
		len = rd_u32(&r);
		if (r.err != WIRE_OK)
			return r.err;
		if (type > RAFT_ENTRY_COMMAND ||
		    index != ae->prev_log_index + 1 + i)
			return WIRE_EVALUE;
		if (len > r.left)
			return WIRE_ELENGTH;
		rd_take(&r, len);
		*payload += len;
	}
	return r.left == 0 ? WIRE_OK : WIRE_ELENGTH;
}

/* Second pass: the entries, then their payloads, in one block, laid out
 * as raft_entries_pack lays out a copy. */
static int take_entries(struct wire_reader *r, struct append_entries_msg *ae,
			uint32_t count, size_t payload, void **extra,
			size_t *extra_bytes)
{
	size_t size = round_up(count * sizeof(struct raft_entry) + payload);
	struct raft_entry *e;
	uint8_t *data;
	uint32_t i;

	e = malloc(size);
	if (e == NULL)
		return WIRE_ENOMEM;
	data = (uint8_t *)(e + count);
	for (i = 0; i < count; i++) {
		e[i].term = rd_u64(r);
		e[i].index = rd_u64(r);
		e[i].type = rd_u32(r);
		e[i].len = rd_u32(r);
		e[i].data = NULL;
		if (e[i].len == 0)
			continue;
		rd_bytes(r, data, e[i].len);
		e[i].data = data;
		data += e[i].len;
	}
	ae->entries = e;
	ae->entries_count = (int)count;
	*extra = e;
	*extra_bytes = size;
	return WIRE_OK;
}

static int get_ae(struct wire_reader *r, struct raft_message *m, int nodes,
		  void **extra, size_t *extra_bytes)
{
	struct append_entries_msg *ae = &m->u.ae;
	uint32_t count;
	size_t payload;
	int rv;

	ae->term = rd_u64(r);
	ae->leader_id = rd_i32(r);
	ae->prev_log_index = rd_u64(r);
	ae->prev_log_term = rd_u64(r);
	ae->leader_commit = rd_u64(r);
	ae->flow_mark = rd_u64(r);
	ae->read_round = rd_u64(r);
	ae->sent_at = rd_u64(r);
	count = rd_u32(r);
	if (r->err != WIRE_OK)
		return r->err;
	if (ae->term != m->term || !node_ok(ae->leader_id, nodes))
		return WIRE_EVALUE;
	/* A count the bytes cannot hold is refused before any allocation. */
	if (count > r->left / ENTRY_BYTES || count > INT_MAX)
		return WIRE_ELENGTH;
	if (count == 0)
		return WIRE_OK;
	if (ae->prev_log_index > UINT64_MAX - count)
		return WIRE_EVALUE;
	rv = scan_entries(*r, ae, count, &payload);
	if (rv != WIRE_OK)
		return rv;
	return take_entries(r, ae, count, payload, extra, extra_bytes);
}

static int get_ae_reply(struct wire_reader *r, struct raft_message *m)
{
	struct append_entries_reply *a = &m->u.ae_reply;
	uint8_t success;

	a->term = rd_u64(r);
	success = rd_u8(r);
	a->match_index = rd_u64(r);
	a->rejected_index = rd_u64(r);
	a->conflict_term = rd_u64(r);
	a->conflict_index = rd_u64(r);
	a->flow_mark = rd_u64(r);
	a->read_round = rd_u64(r);
	a->sent_at = rd_u64(r);
	if (r->err != WIRE_OK)
		return r->err;
	a->success = success;
	return a->term == m->term && success <= 1 ? WIRE_OK : WIRE_EVALUE;
}

static int get_rv(struct wire_reader *r, struct raft_message *m, int nodes)
{
	struct request_vote_msg *rv = &m->u.rv;

	rv->term = rd_u64(r);
	rv->candidate_id = rd_i32(r);
	rv->last_log_index = rd_u64(r);
	rv->last_log_term = rd_u64(r);
	if (r->err != WIRE_OK)
		return r->err;
	return rv->term == m->term && node_ok(rv->candidate_id, nodes)
		       ? WIRE_OK
		       : WIRE_EVALUE;
}

static int get_rv_reply(struct wire_reader *r, struct raft_message *m)
{
	uint8_t granted;

	m->u.rv_reply.term = rd_u64(r);
	granted = rd_u8(r);
	if (r->err != WIRE_OK)
		return r->err;
	m->u.rv_reply.vote_granted = granted;
	return m->u.rv_reply.term == m->term && granted <= 1 ? WIRE_OK
							     : WIRE_EVALUE;
}

static int get_snap(struct wire_reader *r, struct raft_message *m, int nodes,
		    void **extra, size_t *extra_bytes)
{
	struct install_snapshot_msg *s = &m->u.snap;

	s->term = rd_u64(r);
	s->leader_id = rd_i32(r);
	s->last_index = rd_u64(r);
	s->last_term = rd_u64(r);
	s->total = rd_u64(r);
	s->offset = rd_u64(r);
	s->len = rd_u32(r);
	if (r->err != WIRE_OK)
		return r->err;
	if (s->len != r->left)
		return WIRE_ELENGTH;
	/* The reply's next_offset (an int64_t) must be able to say total. */
	if (s->term != m->term || !node_ok(s->leader_id, nodes) ||
	    s->total > INT64_MAX || s->len > s->total ||
	    s->offset > s->total - s->len)
		return WIRE_EVALUE;
	return take_block(r, s->len, &s->data, extra, extra_bytes);
}

static int get_snap_reply(struct wire_reader *r, struct raft_message *m)
{
	struct install_snapshot_reply *s = &m->u.snap_reply;
	uint64_t next;

	s->term = rd_u64(r);
	s->last_index = rd_u64(r);
	next = rd_u64(r);
	if (r->err != WIRE_OK)
		return r->err;
	/* -1 (refused) or an offset: two's complement back, as rd_i32. */
	if (next > INT64_MAX && next != UINT64_MAX)
		return WIRE_EVALUE;
	s->next_offset = next == UINT64_MAX ? -1 : (int64_t)next;
	return s->term == m->term ? WIRE_OK : WIRE_EVALUE;
}

static int get_client(struct wire_reader *r, struct raft_message *m,
		      void **extra, size_t *extra_bytes)
{
	struct client_bytes *c = &m->u.client;

	c->len = rd_u32(r);
	if (r->err != WIRE_OK)
		return r->err;
	if (c->len != r->left)
		return WIRE_ELENGTH;
	return take_block(r, c->len, &c->data, extra, extra_bytes);
}

static int get_body(struct wire_reader *r, struct raft_message *m, int nodes,
		    void **extra, size_t *extra_bytes)
{
	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		return get_ae(r, m, nodes, extra, extra_bytes);
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		return get_ae_reply(r, m);
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		return get_rv(r, m, nodes);
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY:
		return get_rv_reply(r, m);
	case RAFT_MSG_INSTALL_SNAPSHOT:
		return get_snap(r, m, nodes, extra, extra_bytes);
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		return get_snap_reply(r, m);
	case RAFT_MSG_CLIENT:
		return get_client(r, m, extra, extra_bytes);
	default:
		return WIRE_ETYPE;
	}
}

int wire_decode_message(const uint8_t *buf, size_t len, int nodes,
			struct raft_message *m, uint32_t *delay_us,
			void **extra, size_t *extra_bytes)
{
	struct wire_reader r = {buf, len, WIRE_OK};
	struct raft_message out;
	uint8_t type;
	uint32_t delay;
	int rv;

	assert(nodes > 0);
	*extra = NULL;
	*extra_bytes = 0;
	memset(&out, 0, sizeof(out));
	type = rd_u8(&r);
	out.from = rd_i32(&r);
	out.to = rd_i32(&r);
	out.term = rd_u64(&r);
	delay = rd_u32(&r);
	if (r.err != WIRE_OK)
		return r.err;
	if (type == RAFT_MSG_NONE || type == RAFT_MSG_PROPOSE ||
	    type >= RAFT_MSG_TYPE_COUNT)
		return WIRE_ETYPE;
	out.type = (enum raft_msg_type)type;
	if (!ids_ok(&out, nodes))
		return WIRE_EVALUE;
	rv = get_body(&r, &out, nodes, extra, extra_bytes);
	if (rv == WIRE_OK && r.left != 0)
		rv = WIRE_ELENGTH; /* trailing bytes */
	if (rv != WIRE_OK) {
		free(*extra);
		*extra = NULL;
		*extra_bytes = 0;
		return rv;
	}
	*m = out;
	*delay_us = delay;
	return WIRE_OK;
}

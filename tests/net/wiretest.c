/* wiretest.c - random messages for the wire tests (wiretest.h). */
#include "wiretest.h"

#include <string.h>

const enum raft_msg_type ws_types[] = {
	RAFT_MSG_APPEND_ENTRIES,   RAFT_MSG_APPEND_ENTRIES_REPLY,
	RAFT_MSG_REQUEST_VOTE,     RAFT_MSG_REQUEST_VOTE_REPLY,
	RAFT_MSG_PREVOTE,          RAFT_MSG_PREVOTE_REPLY,
	RAFT_MSG_INSTALL_SNAPSHOT, RAFT_MSG_INSTALL_SNAPSHOT_REPLY,
	RAFT_MSG_CLIENT,
};
const int ws_type_count = sizeof(ws_types) / sizeof(ws_types[0]);
const char *ws_diff;

/* Mostly small values, sometimes the extremes a u64 field can hold. */
static uint64_t any_u64(struct raft_rng *rng)
{
	switch (raft_rng_range(rng, 0, 3)) {
	case 0:
		return raft_rng_range(rng, 0, 100);
	case 1:
		return raft_rng_range(rng, 0, 1) ? UINT64_MAX : 0;
	default:
		return raft_rng_next(rng);
	}
}

static int any_node(struct raft_rng *rng)
{
	return (int)raft_rng_range(rng, 0, WS_NODES - 1);
}

static void fill(struct raft_rng *rng, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)raft_rng_next(rng);
}

static void random_ae(struct raft_rng *rng, struct ws_msg *out)
{
	struct append_entries_msg *ae = &out->m.u.ae;
	uint8_t *bytes = out->bytes;
	int i;

	ae->term = out->m.term;
	ae->leader_id = out->m.from;
	ae->prev_log_index = raft_rng_range(rng, 0, UINT64_MAX - 100);
	ae->prev_log_term = any_u64(rng);
	ae->leader_commit = any_u64(rng);
	ae->flow_mark = any_u64(rng);
	ae->read_round = any_u64(rng);
	ae->sent_at = any_u64(rng);
	ae->entries_count = (int)raft_rng_range(rng, 0, WS_MAX_ENTRIES);
	ae->entries = ae->entries_count > 0 ? out->entries : NULL;
	for (i = 0; i < ae->entries_count; i++) {
		struct raft_entry *e = &out->entries[i];

		e->term = any_u64(rng);
		e->index = ae->prev_log_index + 1 + (uint64_t)i;
		e->type = (uint32_t)raft_rng_range(rng, RAFT_ENTRY_NOOP,
						   RAFT_ENTRY_COMMAND);
		e->len = raft_rng_chance(rng, 0.2)
				 ? 0
				 : (uint32_t)raft_rng_range(rng, 1,
							    WS_MAX_ENTRY_BYTES);
		e->data = e->len > 0 ? bytes : NULL;
		fill(rng, bytes, e->len);
		bytes += e->len;
	}
}

static void random_snap(struct raft_rng *rng, struct ws_msg *out)
{
	struct install_snapshot_msg *s = &out->m.u.snap;

	s->term = out->m.term;
	s->leader_id = out->m.from;
	s->last_index = any_u64(rng);
	s->last_term = any_u64(rng);
	s->total = raft_rng_range(
		rng, 0,
		raft_rng_chance(rng, 0.5) ? WS_MAX_CHUNK : (uint64_t)INT64_MAX);
	s->len = (uint32_t)raft_rng_range(
		rng, 0, s->total < WS_MAX_CHUNK ? s->total : WS_MAX_CHUNK);
	s->offset = raft_rng_range(rng, 0, s->total - s->len);
	s->data = s->len > 0 ? out->bytes : NULL;
	fill(rng, out->bytes, s->len);
}

static void random_client(struct raft_rng *rng, struct ws_msg *out)
{
	struct client_bytes *c = &out->m.u.client;

	if (raft_rng_chance(rng, 0.5))
		out->m.from = RAFT_CLIENT;
	else
		out->m.to = RAFT_CLIENT;
	c->len = (uint32_t)raft_rng_range(rng, 0, WS_MAX_CHUNK);
	c->data = c->len > 0 ? out->bytes : NULL;
	fill(rng, out->bytes, c->len);
}

void ws_random(struct raft_rng *rng, enum raft_msg_type type,
	       struct ws_msg *out)
{
	struct raft_message *m = &out->m;

	memset(out, 0, sizeof(*out));
	m->type = type;
	m->from = any_node(rng);
	m->to = any_node(rng);
	m->term = any_u64(rng);
	out->delay_us = (uint32_t)raft_rng_next(rng);
	switch (type) {
	case RAFT_MSG_APPEND_ENTRIES:
		random_ae(rng, out);
		break;
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		m->u.ae_reply.term = m->term;
		m->u.ae_reply.success = (int)raft_rng_range(rng, 0, 1);
		m->u.ae_reply.match_index = any_u64(rng);
		m->u.ae_reply.rejected_index = any_u64(rng);
		m->u.ae_reply.conflict_term = any_u64(rng);
		m->u.ae_reply.conflict_index = any_u64(rng);
		m->u.ae_reply.flow_mark = any_u64(rng);
		m->u.ae_reply.read_round = any_u64(rng);
		m->u.ae_reply.sent_at = any_u64(rng);
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		m->u.rv.term = m->term;
		m->u.rv.candidate_id = m->from;
		m->u.rv.last_log_index = any_u64(rng);
		m->u.rv.last_log_term = any_u64(rng);
		break;
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY:
		m->u.rv_reply.term = m->term;
		m->u.rv_reply.vote_granted = (int)raft_rng_range(rng, 0, 1);
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT:
		random_snap(rng, out);
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		m->u.snap_reply.term = m->term;
		m->u.snap_reply.last_index = any_u64(rng);
		m->u.snap_reply.next_offset = raft_rng_chance(rng, 0.3)
						      ? -1
						      : (int64_t)raft_rng_range(
								rng, 0,
								INT64_MAX);
		break;
	default:
		random_client(rng, out);
		break;
	}
}

#define SAME(field)                                                            \
	do {                                                                   \
		if (a->field != b->field) {                                    \
			ws_diff = #field;                                      \
			return false;                                          \
		}                                                              \
	} while (0)

static bool same_bytes(const uint8_t *x, const uint8_t *y, uint32_t len,
		       const char *what)
{
	if (len == 0 ? x == NULL && y == NULL
		     : x != NULL && y != NULL && memcmp(x, y, len) == 0)
		return true;
	ws_diff = what;
	return false;
}

static bool same_entries(const struct raft_entry *a, const struct raft_entry *b)
{
	SAME(term);
	SAME(index);
	SAME(type);
	SAME(len);
	return same_bytes(a->data, b->data, a->len, "entry data");
}

static bool same_ae(const struct append_entries_msg *a,
		    const struct append_entries_msg *b)
{
	int i;

	SAME(term);
	SAME(leader_id);
	SAME(prev_log_index);
	SAME(prev_log_term);
	SAME(leader_commit);
	SAME(flow_mark);
	SAME(read_round);
	SAME(sent_at);
	SAME(entries_count);
	if (a->entries_count == 0 &&
	    (a->entries != NULL || b->entries != NULL)) {
		ws_diff = "entries (none: NULL)";
		return false;
	}
	for (i = 0; i < a->entries_count; i++)
		if (!same_entries(&a->entries[i], &b->entries[i]))
			return false;
	return true;
}

static bool same_body(const struct raft_message *a,
		      const struct raft_message *b)
{
	switch (a->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		return same_ae(&a->u.ae, &b->u.ae);
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		SAME(u.ae_reply.term);
		SAME(u.ae_reply.success);
		SAME(u.ae_reply.match_index);
		SAME(u.ae_reply.rejected_index);
		SAME(u.ae_reply.conflict_term);
		SAME(u.ae_reply.conflict_index);
		SAME(u.ae_reply.flow_mark);
		SAME(u.ae_reply.read_round);
		SAME(u.ae_reply.sent_at);
		return true;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		SAME(u.rv.term);
		SAME(u.rv.candidate_id);
		SAME(u.rv.last_log_index);
		SAME(u.rv.last_log_term);
		return true;
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY:
		SAME(u.rv_reply.term);
		SAME(u.rv_reply.vote_granted);
		return true;
	case RAFT_MSG_INSTALL_SNAPSHOT:
		SAME(u.snap.term);
		SAME(u.snap.leader_id);
		SAME(u.snap.last_index);
		SAME(u.snap.last_term);
		SAME(u.snap.total);
		SAME(u.snap.offset);
		SAME(u.snap.len);
		return same_bytes(a->u.snap.data, b->u.snap.data, a->u.snap.len,
				  "snapshot data");
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		SAME(u.snap_reply.term);
		SAME(u.snap_reply.last_index);
		SAME(u.snap_reply.next_offset);
		return true;
	case RAFT_MSG_CLIENT:
		SAME(u.client.len);
		return same_bytes(a->u.client.data, b->u.client.data,
				  a->u.client.len, "client data");
	default:
		ws_diff = "type (not a wire type)";
		return false;
	}
}

bool ws_same(const struct raft_message *a, const struct raft_message *b)
{
	ws_diff = NULL;
	SAME(type);
	SAME(from);
	SAME(to);
	SAME(term);
	return same_body(a, b);
}

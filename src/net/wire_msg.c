/* wire_msg.c - struct raft_message on the wire (wire.h, WIRE_RAFT).
 *
 * Little-endian, no padding. Every payload starts with the envelope:
 *   type u8, from i32, to i32, term u64, delay_us u32        21 bytes
 * then the body of its type (ids i32, booleans u8 0/1):
 *   APPEND_ENTRIES        term u64, leader_id i32, prev_log_index u64,
 *                         prev_log_term u64, leader_commit u64,
 *                         flow_mark u64, read_round u64, sent_at u64,
 *                         entries_count u32, then each entry: term u64,
 *                         index u64, type u32, len u32, data[len]
 *   APPEND_ENTRIES_REPLY  term u64, success u8, match_index u64,
 *                         rejected_index u64, conflict_term u64,
 *                         conflict_index u64, flow_mark u64,
 *                         read_round u64, sent_at u64
 *   REQUEST_VOTE, PREVOTE term u64, candidate_id i32, last_log_index u64,
 *                         last_log_term u64
 *   (PRE)VOTE_REPLY       term u64, vote_granted u8
 *   INSTALL_SNAPSHOT      term u64, leader_id i32, last_index u64,
 *                         last_term u64, total u64, offset u64, len u32,
 *                         data[len]
 *   INSTALL_SNAPSHOT_REPLY term u64, last_index u64, next_offset i64
 *   CLIENT                len u32, data[len]
 * PROPOSE never leaves its process (a client's proposal goes as CLIENT
 * bytes): it is refused both ways, as NONE and unknown types are.
 *
 * The body's term repeats the envelope's (raft_msg.h); the decoder refuses
 * a payload where they differ, since raft_step judges by the envelope and
 * the handlers by the body. It also refuses entries whose indexes do not
 * follow prev_log_index one by one: the core asserts that (raft_follow.c),
 * and a peer's bytes must never reach an assertion.
 */
#include "net/wire.h"

#include <assert.h>

#include "net/wire_bytes.h"
#include "raft_log.h"

static size_t entries_size(const struct append_entries_msg *ae)
{
	size_t bytes = AE_BYTES;
	int i;

	assert(ae->entries_count >= 0);
	for (i = 0; i < ae->entries_count; i++)
		bytes += ENTRY_BYTES + ae->entries[i].len;
	return bytes;
}

size_t wire_message_size(const struct raft_message *m)
{
	size_t body;

	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		body = entries_size(&m->u.ae);
		break;
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		body = AE_REPLY_BYTES;
		break;
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		body = RV_BYTES;
		break;
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY:
		body = RV_REPLY_BYTES;
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT:
		body = SNAP_BYTES + m->u.snap.len;
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		body = SNAP_REPLY_BYTES;
		break;
	case RAFT_MSG_CLIENT:
		body = CLIENT_BYTES + m->u.client.len;
		break;
	default:
		return 0; /* PROPOSE, NONE: never on the wire */
	}
	return ENVELOPE_BYTES + body;
}

static uint8_t *put_ae(uint8_t *p, const struct append_entries_msg *ae)
{
	int i;

	p = put_u64(p, ae->term);
	p = put_i32(p, ae->leader_id);
	p = put_u64(p, ae->prev_log_index);
	p = put_u64(p, ae->prev_log_term);
	p = put_u64(p, ae->leader_commit);
	p = put_u64(p, ae->flow_mark);
	p = put_u64(p, ae->read_round);
	p = put_u64(p, ae->sent_at);
	p = put_u32(p, (uint32_t)ae->entries_count);
	for (i = 0; i < ae->entries_count; i++) {
		const struct raft_entry *e = &ae->entries[i];

		p = put_u64(p, e->term);
		p = put_u64(p, e->index);
		p = put_u32(p, e->type);
		p = put_u32(p, e->len);
		p = put_bytes(p, e->data, e->len);
	}
	return p;
}

static uint8_t *put_ae_reply(uint8_t *p, const struct append_entries_reply *r)
{
	p = put_u64(p, r->term);
	p = put_u8(p, r->success != 0);
	p = put_u64(p, r->match_index);
	p = put_u64(p, r->rejected_index);
	p = put_u64(p, r->conflict_term);
	p = put_u64(p, r->conflict_index);
	p = put_u64(p, r->flow_mark);
	p = put_u64(p, r->read_round);
	return put_u64(p, r->sent_at);
}

static uint8_t *put_snap(uint8_t *p, const struct install_snapshot_msg *s)
{
	p = put_u64(p, s->term);
	p = put_i32(p, s->leader_id);
	p = put_u64(p, s->last_index);
	p = put_u64(p, s->last_term);
	p = put_u64(p, s->total);
	p = put_u64(p, s->offset);
	p = put_u32(p, s->len);
	return put_bytes(p, s->data, s->len);
}

static uint8_t *put_body(uint8_t *p, const struct raft_message *m)
{
	const struct request_vote_msg *rv = &m->u.rv;

	switch (m->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		return put_ae(p, &m->u.ae);
	case RAFT_MSG_APPEND_ENTRIES_REPLY:
		return put_ae_reply(p, &m->u.ae_reply);
	case RAFT_MSG_REQUEST_VOTE:
	case RAFT_MSG_PREVOTE:
		p = put_u64(p, rv->term);
		p = put_i32(p, rv->candidate_id);
		p = put_u64(p, rv->last_log_index);
		return put_u64(p, rv->last_log_term);
	case RAFT_MSG_REQUEST_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY:
		p = put_u64(p, m->u.rv_reply.term);
		return put_u8(p, m->u.rv_reply.vote_granted != 0);
	case RAFT_MSG_INSTALL_SNAPSHOT:
		return put_snap(p, &m->u.snap);
	case RAFT_MSG_INSTALL_SNAPSHOT_REPLY:
		p = put_u64(p, m->u.snap_reply.term);
		p = put_u64(p, m->u.snap_reply.last_index);
		return put_u64(p, (uint64_t)m->u.snap_reply.next_offset);
	default: /* RAFT_MSG_CLIENT: wire_message_size refused the rest */
		p = put_u32(p, m->u.client.len);
		return put_bytes(p, m->u.client.data, m->u.client.len);
	}
}

size_t wire_encode_message(const struct raft_message *m, uint32_t delay_us,
			   uint8_t *buf, size_t cap)
{
	size_t size = wire_message_size(m);
	uint8_t *p = buf;

	if (size == 0 || size > cap)
		return 0;
	p = put_u8(p, (uint8_t)m->type);
	p = put_i32(p, m->from);
	p = put_i32(p, m->to);
	p = put_u64(p, m->term);
	p = put_u32(p, delay_us);
	p = put_body(p, m);
	return (size_t)(p - buf) == size ? size : 0;
}

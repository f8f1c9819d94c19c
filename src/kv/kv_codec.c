/* kv_codec.c - the client protocol's bytes (kv.h): fixed little-endian
 * fields, then length-prefixed strings. A request is what a client sends,
 * what the leader proposes as the entry's payload and what every node
 * applies, so its decoder trusts nothing: every length is checked against
 * what is left, and trailing bytes are refused. */
#include <string.h>

#include "kv.h"

#define CMD_MAGIC 0x4b   /* 'K' */
#define REPLY_MAGIC 0x52 /* 'R' */
#define FLAG_A 0x01      /* cmd: expect_null; reply: found */
#define FLAG_B 0x02      /* reply: swapped */

struct writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	if (n > 0 && w->len + n <= w->cap)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_u8(struct writer *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

static void put_u32(struct writer *w, uint32_t v)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, sizeof(b));
}

static void put_u64(struct writer *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, sizeof(b));
}

static void put_str(struct writer *w, struct kv_bytes s)
{
	put_u32(w, s.len);
	put_bytes(w, s.data, s.len);
}

struct reader {
	const uint8_t *p;
	size_t left;
	int bad;
};

static const uint8_t *take(struct reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint8_t get_u8(struct reader *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static uint32_t get_u32(struct reader *r)
{
	const uint8_t *p = take(r, 4);
	uint32_t v = 0;
	int i;

	for (i = 0; p && i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint64_t get_u64(struct reader *r)
{
	const uint8_t *p = take(r, 8);
	uint64_t v = 0;
	int i;

	for (i = 0; p && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static struct kv_bytes get_str(struct reader *r)
{
	struct kv_bytes s;

	s.len = get_u32(r);
	s.data = take(r, s.len);
	if (s.data == NULL)
		s.len = 0;
	return s;
}

size_t kv_cmd_encode(const struct kv_cmd *cmd, uint8_t *buf, size_t cap)
{
	struct writer w = {buf, cap, 0};

	put_u8(&w, CMD_MAGIC);
	put_u8(&w, cmd->op);
	put_u8(&w, cmd->expect_null ? FLAG_A : 0);
	put_u32(&w, (uint32_t)cmd->client);
	put_u64(&w, cmd->session);
	put_u64(&w, cmd->seq);
	put_u64(&w, cmd->lowest_unacked);
	put_str(&w, cmd->key);
	put_str(&w, cmd->value);
	put_str(&w, cmd->expect);
	return w.len;
}

int kv_cmd_decode(const uint8_t *buf, size_t len, struct kv_cmd *cmd)
{
	struct reader r = {buf, len, 0};
	uint8_t flags;

	if (get_u8(&r) != CMD_MAGIC)
		return -1;
	cmd->op = get_u8(&r);
	flags = get_u8(&r);
	cmd->expect_null = (flags & FLAG_A) != 0;
	cmd->client = (int)get_u32(&r);
	cmd->session = get_u64(&r);
	cmd->seq = get_u64(&r);
	cmd->lowest_unacked = get_u64(&r);
	cmd->key = get_str(&r);
	cmd->value = get_str(&r);
	cmd->expect = get_str(&r);
	if (r.bad || r.left != 0 || cmd->op >= KV_OP_COUNT ||
	    (flags & ~FLAG_A) != 0 || cmd->client < 0)
		return -1;
	return 0;
}

size_t kv_reply_encode(const struct kv_reply *reply, uint8_t *buf, size_t cap)
{
	struct writer w = {buf, cap, 0};

	put_u8(&w, REPLY_MAGIC);
	put_u8(&w, reply->status);
	put_u8(&w, (uint8_t)((reply->found ? FLAG_A : 0) |
			     (reply->swapped ? FLAG_B : 0)));
	put_u32(&w, (uint32_t)reply->client);
	put_u32(&w, (uint32_t)reply->leader_hint);
	put_u64(&w, reply->seq);
	put_u64(&w, reply->session);
	put_u64(&w, reply->token);
	put_str(&w, reply->value);
	return w.len;
}

int kv_reply_decode(const uint8_t *buf, size_t len, struct kv_reply *reply)
{
	struct reader r = {buf, len, 0};
	uint8_t flags;

	if (get_u8(&r) != REPLY_MAGIC)
		return -1;
	reply->status = get_u8(&r);
	flags = get_u8(&r);
	reply->found = (flags & FLAG_A) != 0;
	reply->swapped = (flags & FLAG_B) != 0;
	reply->client = (int)get_u32(&r);
	reply->leader_hint = (int)get_u32(&r);
	reply->seq = get_u64(&r);
	reply->session = get_u64(&r);
	reply->token = get_u64(&r);
	reply->value = get_str(&r);
	if (r.bad || r.left != 0 || reply->status > KV_STATUS_STALE ||
	    (flags & ~(FLAG_A | FLAG_B)) != 0 || reply->client < 0)
		return -1;
	return 0;
}

const char *kv_op_name(enum kv_op op)
{
	static const char *const names[KV_OP_COUNT] = {
		[KV_GET] = "get",       [KV_PUT] = "put",
		[KV_APPEND] = "append", [KV_CAS] = "cas",
		[KV_DELETE] = "delete", [KV_REGISTER] = "register",
	};

	return (unsigned)op < KV_OP_COUNT ? names[op] : "?";
}

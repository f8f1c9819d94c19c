/* wire.c - frame headers and the handshake payloads (wire.h); the raft
 * message encoding is in wire_msg.c.
 *
 * Handshake payloads (little-endian, no padding):
 *   HELLO      cluster_id u64, kind u8, flags u32, from i32, to i32,
 *              nonce[16]                                    37 bytes
 *   CHALLENGE  cluster_id u64, flags u32, id i32, nonce[16],
 *              mac[32]                                      64 bytes
 *   AUTH       mac[32]                                      32 bytes
 * A payload of any other length, an unknown kind or an unknown flag bit
 * is refused: the handshake is where a stranger is kept out.
 */
#include "net/wire.h"

#include <string.h>

#include "net/wire_bytes.h"
#include "storage/crc32c.h"

#define HELLO_BYTES (8 + 1 + 4 + 4 + 4 + WIRE_NONCE_BYTES)
#define CHALLENGE_BYTES (8 + 4 + 4 + WIRE_NONCE_BYTES + WIRE_MAC_BYTES)
#define AUTH_BYTES WIRE_MAC_BYTES
#define KNOWN_FLAGS WIRE_FLAG_SECRET

const char *wire_error_name(int err)
{
	switch (err) {
	case WIRE_OK:
		return "ok";
	case WIRE_ESHORT:
		return "truncated";
	case WIRE_EMAGIC:
		return "bad magic (not a raftsim frame)";
	case WIRE_EVERSION:
		return "unsupported protocol version";
	case WIRE_ETYPE:
		return "unknown type";
	case WIRE_ELENGTH:
		return "bad length";
	case WIRE_ECRC:
		return "CRC mismatch";
	case WIRE_EVALUE:
		return "field out of range";
	case WIRE_ENOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}

/* The CRC covers the header up to the CRC itself, then the payload. */
static uint32_t frame_crc(const uint8_t *header, const uint8_t *payload,
			  uint32_t len)
{
	uint32_t crc = crc32c(0, header, 12);

	return len > 0 ? crc32c(crc, payload, len) : crc;
}

void wire_put_header(uint8_t *out, enum wire_type type, const uint8_t *payload,
		     uint32_t len)
{
	uint8_t *p = out;

	p = put_u32(p, WIRE_MAGIC);
	p = put_u8(p, WIRE_VERSION);
	p = put_u8(p, (uint8_t)type);
	p = put_u8(p, 0);
	p = put_u8(p, 0);
	p = put_u32(p, len);
	put_u32(p, frame_crc(out, payload, len));
}

int wire_get_header(const uint8_t *in, struct wire_header *hdr)
{
	if (get_u32(in) != WIRE_MAGIC)
		return WIRE_EMAGIC;
	if (in[4] != WIRE_VERSION)
		return WIRE_EVERSION;
	if (in[5] < WIRE_HELLO || in[5] >= WIRE_TYPE_END)
		return WIRE_ETYPE;
	if (in[6] != 0 || in[7] != 0)
		return WIRE_EVALUE;
	if (get_u32(in + 8) > WIRE_MAX_PAYLOAD)
		return WIRE_ELENGTH;
	hdr->type = in[5];
	hdr->length = get_u32(in + 8);
	hdr->crc = get_u32(in + 12);
	return WIRE_OK;
}

int wire_check_crc(const uint8_t *header, const uint8_t *payload, uint32_t len)
{
	return frame_crc(header, payload, len) == get_u32(header + 12)
		       ? WIRE_OK
		       : WIRE_ECRC;
}

/* The whole payload was read, and nothing is left over. */
static int reader_done(const struct wire_reader *r)
{
	if (r->err != WIRE_OK)
		return r->err;
	return r->left == 0 ? WIRE_OK : WIRE_ELENGTH;
}

size_t wire_encode_hello(const struct wire_hello *h, uint8_t *buf, size_t cap)
{
	uint8_t *p = buf;

	if (cap < HELLO_BYTES)
		return 0;
	p = put_u64(p, h->cluster_id);
	p = put_u8(p, h->kind);
	p = put_u32(p, h->flags);
	p = put_i32(p, h->from);
	p = put_i32(p, h->to);
	put_bytes(p, h->nonce, WIRE_NONCE_BYTES);
	return HELLO_BYTES;
}

int wire_decode_hello(const uint8_t *buf, size_t len, struct wire_hello *h)
{
	struct wire_reader r = {buf, len, WIRE_OK};
	struct wire_hello out;
	int rv;

	memset(&out, 0, sizeof(out));
	out.cluster_id = rd_u64(&r);
	out.kind = rd_u8(&r);
	out.flags = rd_u32(&r);
	out.from = rd_i32(&r);
	out.to = rd_i32(&r);
	rd_bytes(&r, out.nonce, WIRE_NONCE_BYTES);
	rv = reader_done(&r);
	if (rv != WIRE_OK)
		return rv;
	if ((out.kind != WIRE_KIND_NODE && out.kind != WIRE_KIND_CLIENT) ||
	    (out.flags & ~KNOWN_FLAGS) != 0)
		return WIRE_EVALUE;
	*h = out;
	return WIRE_OK;
}

size_t wire_encode_challenge(const struct wire_challenge *c, uint8_t *buf,
			     size_t cap)
{
	uint8_t *p = buf;

	if (cap < CHALLENGE_BYTES)
		return 0;
	p = put_u64(p, c->cluster_id);
	p = put_u32(p, c->flags);
	p = put_i32(p, c->id);
	p = put_bytes(p, c->nonce, WIRE_NONCE_BYTES);
	put_bytes(p, c->mac, WIRE_MAC_BYTES);
	return CHALLENGE_BYTES;
}

int wire_decode_challenge(const uint8_t *buf, size_t len,
			  struct wire_challenge *c)
{
	struct wire_reader r = {buf, len, WIRE_OK};
	struct wire_challenge out;
	int rv;

	memset(&out, 0, sizeof(out));
	out.cluster_id = rd_u64(&r);
	out.flags = rd_u32(&r);
	out.id = rd_i32(&r);
	rd_bytes(&r, out.nonce, WIRE_NONCE_BYTES);
	rd_bytes(&r, out.mac, WIRE_MAC_BYTES);
	rv = reader_done(&r);
	if (rv != WIRE_OK)
		return rv;
	if ((out.flags & ~KNOWN_FLAGS) != 0)
		return WIRE_EVALUE;
	*c = out;
	return WIRE_OK;
}

size_t wire_encode_auth(const struct wire_auth *a, uint8_t *buf, size_t cap)
{
	if (cap < AUTH_BYTES)
		return 0;
	put_bytes(buf, a->mac, WIRE_MAC_BYTES);
	return AUTH_BYTES;
}

int wire_decode_auth(const uint8_t *buf, size_t len, struct wire_auth *a)
{
	struct wire_reader r = {buf, len, WIRE_OK};
	struct wire_auth out;
	int rv;

	rd_bytes(&r, out.mac, WIRE_MAC_BYTES);
	rv = reader_done(&r);
	if (rv != WIRE_OK)
		return rv;
	*a = out;
	return WIRE_OK;
}

/* wire_bytes.h - little-endian writes and bounds-checked reads for the
 * wire encoders (wire.c, wire_msg.c). Byte by byte: no unaligned loads,
 * the same bytes on every host. Private to src/net/wire*.c.
 *
 * A reader's error is sticky: a read past the end sets WIRE_ESHORT and
 * returns 0, so a decoder reads all its fixed fields and checks once.
 */
#ifndef NET_WIRE_BYTES_H
#define NET_WIRE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/wire.h"

static inline uint8_t *put_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static inline uint8_t *put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

/* Two's complement, whatever the host's conversion rules. */
static inline uint8_t *put_i32(uint8_t *p, int32_t v)
{
	return put_u32(p, (uint32_t)v);
}

static inline uint8_t *put_bytes(uint8_t *p, const void *src, size_t len)
{
	if (len > 0)
		memcpy(p, src, len);
	return p + len;
}

static inline uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* The WIRE_RAFT layout's fixed parts, in bytes (wire_msg.c). */
#define ENVELOPE_BYTES 21
#define AE_BYTES 64
#define ENTRY_BYTES 24
#define AE_REPLY_BYTES 65
#define RV_BYTES 28
#define RV_REPLY_BYTES 9
#define SNAP_BYTES 48
#define SNAP_REPLY_BYTES 24
#define CLIENT_BYTES 4

struct wire_reader {
	const uint8_t *p;
	size_t left;
	int err; /* WIRE_OK, or WIRE_ESHORT once a read ran past the end */
};

static inline const uint8_t *rd_take(struct wire_reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->err != WIRE_OK || n > r->left) {
		r->err = WIRE_ESHORT;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static inline uint8_t rd_u8(struct wire_reader *r)
{
	const uint8_t *p = rd_take(r, 1);

	return p != NULL ? p[0] : 0;
}

static inline uint32_t rd_u32(struct wire_reader *r)
{
	const uint8_t *p = rd_take(r, 4);

	return p != NULL ? get_u32(p) : 0;
}

static inline uint64_t rd_u64(struct wire_reader *r)
{
	const uint8_t *p = rd_take(r, 8);

	return p != NULL ? get_u64(p) : 0;
}

static inline int32_t rd_i32(struct wire_reader *r)
{
	uint32_t v = rd_u32(r);

	/* Back from two's complement without an out-of-range conversion. */
	return v <= INT32_MAX ? (int32_t)v : -(int32_t)(~v) - 1;
}

static inline void rd_bytes(struct wire_reader *r, void *dst, size_t n)
{
	const uint8_t *p = rd_take(r, n);

	if (p != NULL && n > 0)
		memcpy(dst, p, n);
}

#endif

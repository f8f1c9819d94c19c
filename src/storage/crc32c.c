/* crc32c.c - CRC-32C (crc32c.h). The reference is slicing-by-8: eight
 * 256-entry tables let the loop take 8 bytes per step, about 1 byte per
 * cycle. On x86-64 with SSE4.2 the crc32 instruction does 8 bytes in one
 * instruction of 3 cycles' latency; three streams over adjacent blocks
 * keep it busy every cycle, and their results are joined by shifting
 * (below). Both work on the raw register; crc32c() inverts it before and
 * after, as the standard says. */
#include "storage/crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define POLY 0x82F63B78u /* 0x1EDC6F41 reflected */

typedef uint32_t crc_fn(uint32_t crc, const uint8_t *p, size_t len);

static uint32_t table[8][256];
static crc_fn *chosen;
static bool hw;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static uint32_t load32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t raw_table(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint32_t lo = load32le(p) ^ crc;
		uint32_t hi = load32le(p + 4);

		crc = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^
		      table[5][(lo >> 16) & 0xFF] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
		      table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xFF];
	return crc;
}

/* table[0] is the classic byte-at-a-time table; table[k][b] is the CRC
 * of byte b followed by k zero bytes, which slicing-by-8 combines. */
static void table_init(void)
{
	uint32_t b, k;
	int bit;

	for (b = 0; b < 256; b++) {
		uint32_t c = b;

		for (bit = 0; bit < 8; bit++)
			c = (c >> 1) ^ (POLY & (0u - (c & 1)));
		table[0][b] = c;
	}
	for (b = 0; b < 256; b++)
		for (k = 1; k < 8; k++)
			table[k][b] = (table[k - 1][b] >> 8) ^
				      table[0][table[k - 1][b] & 0xFF];
}

#if defined(__x86_64__)
/* Each of the three streams covers STREAM bytes of a 3 x STREAM block. */
#define STREAM 256

/* The register is linear in what it held and in the data, so the CRC of
 * A then B is (the register after A, followed by |B| zero bytes) xor (the
 * register over B alone, from 0). shift[k][b]: the register b << 8k
 * followed by STREAM zero bytes; a register's four bytes look up one
 * each. */
static uint32_t shift[4][256];

static void shift_init(void)
{
	static const uint8_t zeros[STREAM];
	uint32_t b;
	int k;

	for (k = 0; k < 4; k++)
		for (b = 0; b < 256; b++)
			shift[k][b] = raw_table(b << (8 * k), zeros, STREAM);
}

static uint32_t shift_stream(uint32_t c)
{
	return shift[0][c & 0xFF] ^ shift[1][(c >> 8) & 0xFF] ^
	       shift[2][(c >> 16) & 0xFF] ^ shift[3][c >> 24];
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v)); /* x86 is little-endian */
	return v;
}

__attribute__((target("sse4.2"))) static uint32_t raw_hw(uint32_t crc,
							 const uint8_t *p,
							 size_t len)
{
	uint64_t c = crc;
	uint32_t c32;

	while (len >= 3 * STREAM) {
		const uint8_t *end = p + STREAM;
		uint64_t c1 = 0, c2 = 0;

		for (; p < end; p += 8) {
			c = _mm_crc32_u64(c, load64(p));
			c1 = _mm_crc32_u64(c1, load64(p + STREAM));
			c2 = _mm_crc32_u64(c2, load64(p + 2 * STREAM));
		}
		c = shift_stream(shift_stream((uint32_t)c) ^ (uint32_t)c1) ^
		    (uint32_t)c2;
		p += 2 * STREAM;
		len -= 3 * STREAM;
	}
	for (; len >= 8; p += 8, len -= 8)
		c = _mm_crc32_u64(c, load64(p));
	c32 = (uint32_t)c;
	/* a WAL record's checked span is 4 past a multiple of 8: one step */
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		c32 = _mm_crc32_u32(c32, v);
		p += 4;
		len -= 4;
	}
	while (len-- > 0)
		c32 = _mm_crc32_u8(c32, *p++);
	return c32;
}
#endif

static void init(void)
{
	table_init();
	chosen = raw_table;
#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2")) {
		shift_init();
		chosen = raw_hw;
		hw = true;
	}
#endif
}

/* Chosen before main, so that the hot path (a checksum per WAL record)
 * is one indirect call, with no pthread_once; written once, before any
 * thread exists. */
__attribute__((constructor)) static void init_early(void)
{
	pthread_once(&init_once, init);
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	if (chosen == NULL) /* called from another constructor */
		pthread_once(&init_once, init);
	return ~chosen(~crc, data, len);
}

uint32_t crc32c_table(uint32_t crc, const void *data, size_t len)
{
	pthread_once(&init_once, init);
	return ~raw_table(~crc, data, len);
}

bool crc32c_hw_available(void)
{
	pthread_once(&init_once, init);
	return hw;
}

uint32_t crc32c_hw(uint32_t crc, const void *data, size_t len)
{
	pthread_once(&init_once, init);
#if defined(__x86_64__)
	if (hw)
		return ~raw_hw(~crc, data, len);
#endif
	return ~raw_table(~crc, data, len);
}

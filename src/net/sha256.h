/* sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written
 * here because raftsim takes no crypto library. Used only to authenticate
 * the TCP handshake (--secret); checked against FIPS 180-4's examples and
 * RFC 4231's test vectors (tests/net/test_sha256.c).
 */
#ifndef NET_SHA256_H
#define NET_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32
#define SHA256_BLOCK 64

struct sha256 {
	uint32_t h[8];
	uint64_t bytes; /* hashed so far */
	uint8_t block[SHA256_BLOCK];
	unsigned used; /* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_BYTES]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_BYTES]);

/* HMAC-SHA256 of msg under key (any length: a longer key is hashed
 * first, RFC 2104 §2). */
void hmac_sha256(const uint8_t *key, size_t key_len, const void *msg,
		 size_t msg_len, uint8_t out[SHA256_BYTES]);

/* Compares two MACs in time independent of where they differ. Returns 1
 * when equal. */
int mac_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif

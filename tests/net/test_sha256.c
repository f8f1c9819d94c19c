/* test_sha256.c - SHA-256 against FIPS 180-4's examples and HMAC-SHA256
 * against RFC 4231's test cases 1-7 (src/net/sha256.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sha256.h"
#include "testhelp.h"

/* hex (2 * n digits) into out[n]. */
static void unhex(const char *hex, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* Whether the first n bytes of got are those the hex string spells; the
 * test fails naming `what` if not. */
static void check_hex(const uint8_t *got, const char *hex, size_t n,
		      const char *what)
{
	uint8_t want[SHA256_BYTES];

	REQUIRE(strlen(hex) == 2 * n && n <= SHA256_BYTES);
	unhex(hex, want, n);
	if (memcmp(got, want, n) != 0)
		TEST_FAIL_AT("%s: digest differs from %s", what, hex);
}

static void check_sha256(const void *msg, size_t len, const char *hex,
			 const char *what)
{
	uint8_t out[SHA256_BYTES];

	sha256(msg, len, out);
	check_hex(out, hex, SHA256_BYTES, what);
}

static void sha256_matches_the_fips_examples(void)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);

	check_sha256("abc", 3,
		     "ba7816bf8f01cfea414140de5dae2223"
		     "b00361a396177a9cb410ff61f20015ad",
		     "\"abc\"");
	check_sha256(two_blocks, 56,
		     "248d6a61d20638b8e5c026930c3e6039"
		     "a33ce45964ff2167f6ecedd419db06c1",
		     "448-bit message");
	check_sha256("", 0,
		     "e3b0c44298fc1c149afbf4c8996fb924"
		     "27ae41e4649b934ca495991b7852b855",
		     "empty message");
	REQUIRE(million != NULL);
	memset(million, 'a', 1000000);
	check_sha256(million, 1000000,
		     "cdc76e5c9914fb9281a1c7e284d73e67"
		     "f1809a48a497200e046d39ccc7112cd0",
		     "a million 'a'");
	free(million);
}

/* Around the padding's edges (55 bytes fit one block, 56 do not), and fed
 * in pieces of every size: the same digest as in one piece. */
static void sha256_pads_at_block_edges_and_streams_in_pieces(void)
{
	static const struct {
		size_t n;
		const char *hex;
	} as[] = {
		{55,
		 "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56,
		 "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{63,
		 "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64,
		 "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{119,
		 "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
	};
	uint8_t a[200], out[SHA256_BYTES];
	size_t i, piece, off;

	memset(a, 'a', sizeof(a));
	for (i = 0; i < sizeof(as) / sizeof(as[0]); i++) {
		check_sha256(a, as[i].n, as[i].hex, "'a' x n");
		for (piece = 1; piece <= 70; piece++) {
			struct sha256 s;

			sha256_init(&s);
			for (off = 0; off < as[i].n; off += piece)
				sha256_update(&s, a + off,
					      as[i].n - off < piece
						      ? as[i].n - off
						      : piece);
			sha256_final(&s, out);
			check_hex(out, as[i].hex, SHA256_BYTES, "in pieces");
		}
	}
}

static void check_hmac(const uint8_t *key, size_t key_len, const char *msg,
		       size_t msg_len, const char *hex, const char *what)
{
	uint8_t out[SHA256_BYTES];

	hmac_sha256(key, key_len, msg, msg_len, out);
	check_hex(out, hex, strlen(hex) / 2, what);
}

static void hmac_sha256_matches_rfc4231_cases_1_to_7(void)
{
	static const char case6[] =
		"Test Using Larger Than Block-Size Key - Hash Key First";
	static const char case7[] =
		"This is a test using a larger than block-size key and a "
		"larger than block-size data. The key needs to be hashed "
		"before being used by the HMAC algorithm.";
	uint8_t key[131], data[50];
	size_t i;

	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b"
		   "881dc200c9833da726e9376c2e32cff7",
		   "RFC 4231 case 1");
	check_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?",
		   28,
		   "5bdcc146bf60754e6a042426089575c7"
		   "5a003f089d2739839dec58b964ec3843",
		   "RFC 4231 case 2");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, (const char *)data, 50,
		   "773ea91e36800e46854db8ebd09181a7"
		   "2959098b3ef8c122d9635514ced565fe",
		   "RFC 4231 case 3");
	for (i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, (const char *)data, 50,
		   "82558a389a443c0ea4cc819899f2083a"
		   "85f0faa3e578f8077a2e3ff46729665b",
		   "RFC 4231 case 4");
	/* case 5: the RFC gives the output truncated to 128 bits */
	memset(key, 0x0c, 20);
	check_hmac(key, 20, "Test With Truncation", 20,
		   "a3b6167473100ee06e0c796c2955552b", "RFC 4231 case 5");
	/* cases 6 and 7: a 131-byte key, longer than a block: hashed first */
	memset(key, 0xaa, 131);
	check_hmac(key, 131, case6, strlen(case6),
		   "60e431591ee0b67f0d8a26aacbf5b77f"
		   "8e0bc6213728c5140546040f0ee37f54",
		   "RFC 4231 case 6");
	check_hmac(key, 131, case7, strlen(case7),
		   "9b09ffa71b942fcb27635fbcd5b0e944"
		   "bfdc63644f0713938a7f51535c3a35e2",
		   "RFC 4231 case 7");
}

static void mac_equal_says_equal_only_for_equal_macs(void)
{
	uint8_t a[SHA256_BYTES], b[SHA256_BYTES];
	int i;

	memset(a, 0x42, sizeof(a));
	memcpy(b, a, sizeof(b));
	CHECK(mac_equal(a, b, sizeof(a)));
	CHECK(mac_equal(a, b, 0));
	for (i = 0; i < SHA256_BYTES; i++) {
		b[i] ^= 0x80;
		CHECK(!mac_equal(a, b, sizeof(a)));
		b[i] ^= 0x80;
	}
}

const struct test_case sha256_tests[] = {
	{"sha256: FIPS 180-4's examples: \"abc\", the 448-bit message, the "
	 "empty message and a million 'a'",
	 sha256_matches_the_fips_examples},
	{"sha256: padding at the block edges, and any split of the input, give "
	 "the same digest",
	 sha256_pads_at_block_edges_and_streams_in_pieces},
	{"sha256: HMAC-SHA256 matches RFC 4231 test cases 1 to 7 (5 "
	 "truncated to 128 bits, 6 and 7 with a 131-byte key)",
	 hmac_sha256_matches_rfc4231_cases_1_to_7},
	{"sha256: mac_equal is 1 for equal MACs and 0 whatever byte differs",
	 mac_equal_says_equal_only_for_equal_macs},
	{NULL, NULL},
};

/* test_kv_codec.c - the client protocol's bytes (src/kv/kv_codec.c). */
#include <string.h>

#include "kv/kv.h"
#include "testhelp.h"

static struct kv_bytes str(const char *s)
{
	struct kv_bytes b = {(const uint8_t *)s, (uint32_t)strlen(s)};

	return b;
}

static int same(struct kv_bytes a, const char *s)
{
	return a.len == strlen(s) &&
	       (a.len == 0 || memcmp(a.data, s, a.len) == 0);
}

static void a_request_decodes_to_what_was_encoded(void)
{
	struct kv_cmd in = {.op = KV_CAS,
			    .expect_null = false,
			    .client = 7,
			    .session = 1234567890123ull,
			    .seq = 42,
			    .lowest_unacked = 42,
			    .key = str("k9"),
			    .value = str("c7i41...."),
			    .expect = str("c3i2")};
	struct kv_cmd out;
	uint8_t buf[256];
	size_t n = kv_cmd_encode(&in, buf, sizeof(buf));

	REQUIRE(n <= sizeof(buf));
	CHECK_EQ(kv_cmd_encode(&in, NULL, 0), n); /* sizing pass */
	REQUIRE(kv_cmd_decode(buf, n, &out) == 0);
	CHECK_EQ(out.op, KV_CAS);
	CHECK(!out.expect_null);
	CHECK_EQ(out.client, 7);
	CHECK(out.session == 1234567890123ull);
	CHECK_EQ(out.seq, 42);
	CHECK_EQ(out.lowest_unacked, 42);
	CHECK(same(out.key, "k9"));
	CHECK(same(out.value, "c7i41...."));
	CHECK(same(out.expect, "c3i2"));
}

static void a_reply_decodes_to_what_was_encoded(void)
{
	struct kv_reply in = {.status = KV_STATUS_OK,
			      .found = true,
			      .swapped = true,
			      .client = 3,
			      .leader_hint = -1,
			      .seq = 9,
			      .session = 17,
			      .token = 5,
			      .value = str("c1i1")};
	struct kv_reply out;
	uint8_t buf[128];
	size_t n = kv_reply_encode(&in, buf, sizeof(buf));

	REQUIRE(n <= sizeof(buf));
	REQUIRE(kv_reply_decode(buf, n, &out) == 0);
	CHECK_EQ(out.status, KV_STATUS_OK);
	CHECK(out.found && out.swapped);
	CHECK_EQ(out.client, 3);
	CHECK_EQ(out.leader_hint, -1);
	CHECK_EQ(out.seq, 9);
	CHECK_EQ(out.session, 17);
	CHECK_EQ(out.token, 5);
	CHECK(same(out.value, "c1i1"));
}

/* Every prefix, every longer buffer and every single-byte change of a
 * valid request either decodes within the bytes or is refused: never a
 * read past the end (ASAN watches), never a string outside the buffer. */
static void truncated_extended_or_flipped_bytes_never_decode_outside_the_buffer(
	void)
{
	struct kv_cmd in = {.op = KV_PUT,
			    .client = 1,
			    .session = 2,
			    .seq = 3,
			    .lowest_unacked = 3,
			    .key = str("key"),
			    .value = str("value")};
	struct kv_cmd out;
	uint8_t buf[128], copy[129];
	size_t n = kv_cmd_encode(&in, buf, sizeof(buf));
	size_t len, i;
	int bit;

	REQUIRE(n < sizeof(buf));
	for (len = 0; len < n; len++)
		CHECK(kv_cmd_decode(buf, len, &out) == -1);
	memcpy(copy, buf, n);
	copy[n] = 0;
	CHECK(kv_cmd_decode(copy, n + 1, &out) == -1); /* trailing byte */
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, buf, n);
			copy[i] ^= (uint8_t)(1u << bit);
			if (kv_cmd_decode(copy, n, &out) != 0)
				continue;
			CHECK(out.key.len == 0 ||
			      (out.key.data >= copy &&
			       out.key.data + out.key.len <= copy + n));
			CHECK(out.value.len == 0 ||
			      (out.value.data >= copy &&
			       out.value.data + out.value.len <= copy + n));
			CHECK(out.op < KV_OP_COUNT);
		}
}

static void a_reply_with_an_unknown_status_is_refused(void)
{
	struct kv_reply in = {.status = KV_STATUS_STALE, .client = 0};
	struct kv_reply out;
	uint8_t buf[64];
	size_t n = kv_reply_encode(&in, buf, sizeof(buf));

	REQUIRE(kv_reply_decode(buf, n, &out) == 0);
	buf[1] = KV_STATUS_STALE + 1;
	CHECK(kv_reply_decode(buf, n, &out) == -1);
	buf[1] = KV_STATUS_OK;
	buf[0] = 'K'; /* a request's magic */
	CHECK(kv_reply_decode(buf, n, &out) == -1);
}

const struct test_case kv_codec_tests[] = {
	{"kv codec: a request decodes to exactly what was encoded",
	 a_request_decodes_to_what_was_encoded},
	{"kv codec: a reply decodes to exactly what was encoded",
	 a_reply_decodes_to_what_was_encoded},
	{"kv codec: truncated, extended or flipped request bytes never decode "
	 "to strings outside the buffer",
	 truncated_extended_or_flipped_bytes_never_decode_outside_the_buffer},
	{"kv codec: a reply with an unknown status or a request's magic is "
	 "refused",
	 a_reply_with_an_unknown_status_is_refused},
	{NULL, NULL},
};

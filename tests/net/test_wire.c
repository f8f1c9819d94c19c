/* test_wire.c - frames, handshake payloads and the raft message encoding
 * (src/net/wire*.c): round trips of every type, the exact bytes of one,
 * and each class of bad input the decoders must refuse. */
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"
#include "testhelp.h"
#include "wiretest.h"

#define BUF_BYTES 4096

/* Offsets in an AppendEntries payload (wire_msg.c's layout). */
#define OFF_TYPE 0
#define OFF_FROM 1
#define OFF_TO 5
#define OFF_TERM 9
#define OFF_BODY 21
#define OFF_AE_LEADER (OFF_BODY + 8)
#define OFF_AE_COUNT (OFF_BODY + 60)
#define OFF_AE_ENTRY (OFF_BODY + 64)

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Decodes buf and returns the result; nothing may stay allocated on an
 * error, and a success is freed here. */
static int decode(const uint8_t *buf, size_t len)
{
	struct raft_message m;
	uint32_t delay;
	void *extra = (void *)&m; /* must be reset to NULL */
	size_t bytes = 1;
	int rv = wire_decode_message(buf, len, WS_NODES, &m, &delay, &extra,
				     &bytes);

	if (rv != WIRE_OK) {
		CHECK(extra == NULL);
		CHECK_EQ(bytes, 0);
	}
	free(extra);
	return rv;
}

static void round_trips_every_type(void)
{
	struct raft_rng rng;
	static struct ws_msg in;
	uint8_t buf[BUF_BYTES];
	int t, i;

	raft_rng_seed(&rng, 13);
	for (t = 0; t < ws_type_count; t++) {
		for (i = 0; i < 500; i++) {
			struct raft_message out;
			uint32_t delay = 0;
			void *extra;
			size_t size, bytes;

			ws_random(&rng, ws_types[t], &in);
			size = wire_message_size(&in.m);
			REQUIRE(size > 0 && size <= BUF_BYTES);
			CHECK_EQ(wire_encode_message(&in.m, in.delay_us, buf,
						     size - 1),
				 0);
			REQUIRE(wire_encode_message(&in.m, in.delay_us, buf,
						    size) == size);
			REQUIRE(wire_decode_message(buf, size, WS_NODES, &out,
						    &delay, &extra,
						    &bytes) == WIRE_OK);
			if (!ws_same(&in.m, &out))
				TEST_FAIL_AT("%s: %s differs",
					     raft_msg_type_name(ws_types[t]),
					     ws_diff);
			CHECK_EQ(delay, in.delay_us);
			/* one block, as a mailbox's copy would take */
			CHECK_EQ(bytes, raft_message_extra_size(&out));
			CHECK((bytes == 0) == (extra == NULL));
			CHECK((uintptr_t)extra % _Alignof(struct raft_entry) ==
			      0);
			free(extra);
		}
	}
}

/* The layout is the documented one, byte for byte, little-endian. */
static void encodes_a_vote_request_to_its_documented_bytes(void)
{
	/* clang-format off */
	static const uint8_t want[] = {
		RAFT_MSG_REQUEST_VOTE,
		1, 0, 0, 0,			/* from */
		2, 0, 0, 0,			/* to */
		7, 6, 5, 4, 3, 2, 1, 0,		/* term */
		0x10, 0x27, 0, 0,		/* delay_us 10000 */
		7, 6, 5, 4, 3, 2, 1, 0,		/* rv.term */
		1, 0, 0, 0,			/* candidate_id */
		0xff, 0, 0, 0, 0, 0, 0, 0x80,	/* last_log_index */
		9, 0, 0, 0, 0, 0, 0, 0,		/* last_log_term */
	};
	/* clang-format on */
	struct raft_message m;
	uint8_t buf[64];

	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_REQUEST_VOTE;
	m.from = 1;
	m.to = 2;
	m.term = m.u.rv.term = 0x0001020304050607ull;
	m.u.rv.candidate_id = 1;
	m.u.rv.last_log_index = 0x80000000000000ffull;
	m.u.rv.last_log_term = 9;
	REQUIRE(wire_encode_message(&m, 10000, buf, sizeof(buf)) ==
		sizeof(want));
	CHECK(memcmp(buf, want, sizeof(want)) == 0);
}

static void frame_header_round_trips_and_checks_its_crc(void)
{
	static const uint8_t payload[] = "payload";
	uint8_t h[WIRE_HEADER_BYTES];
	struct wire_header hdr;

	wire_put_header(h, WIRE_RAFT, payload, sizeof(payload));
	CHECK(memcmp(h, "RSIM", 4) == 0);
	REQUIRE(wire_get_header(h, &hdr) == WIRE_OK);
	CHECK_EQ(hdr.type, WIRE_RAFT);
	CHECK_EQ(hdr.length, sizeof(payload));
	CHECK_EQ(wire_check_crc(h, payload, sizeof(payload)), WIRE_OK);
	wire_put_header(h, WIRE_AUTH, NULL, 0);
	REQUIRE(wire_get_header(h, &hdr) == WIRE_OK);
	CHECK_EQ(hdr.length, 0);
	CHECK_EQ(wire_check_crc(h, NULL, 0), WIRE_OK);
}

/* One header byte changed: the error it must give. */
static int header_with(int at, uint8_t value)
{
	static const uint8_t payload[4] = {1, 2, 3, 4};
	uint8_t h[WIRE_HEADER_BYTES];
	struct wire_header hdr;

	wire_put_header(h, WIRE_HELLO, payload, sizeof(payload));
	h[at] = value;
	return wire_get_header(h, &hdr);
}

static void frame_header_refuses_each_bad_field(void)
{
	static const uint8_t payload[4] = {1, 2, 3, 4};
	uint8_t h[WIRE_HEADER_BYTES], bad[4] = {1, 2, 3, 5};
	struct wire_header hdr;
	int i;

	CHECK_EQ(header_with(0, 'X'), WIRE_EMAGIC);
	CHECK_EQ(header_with(3, 'm'), WIRE_EMAGIC);
	CHECK_EQ(header_with(4, WIRE_VERSION + 1), WIRE_EVERSION);
	CHECK_EQ(header_with(4, 0), WIRE_EVERSION);
	CHECK_EQ(header_with(5, 0), WIRE_ETYPE);
	CHECK_EQ(header_with(5, WIRE_TYPE_END), WIRE_ETYPE);
	CHECK_EQ(header_with(5, 0xff), WIRE_ETYPE);
	CHECK_EQ(header_with(6, 1), WIRE_EVALUE);
	CHECK_EQ(header_with(7, 0x80), WIRE_EVALUE);
	/* length: the limit passes, one more does not, nor 4 GiB - 1 */
	wire_put_header(h, WIRE_RAFT, NULL, 0);
	put32(h + 8, WIRE_MAX_PAYLOAD);
	CHECK_EQ(wire_get_header(h, &hdr), WIRE_OK);
	put32(h + 8, WIRE_MAX_PAYLOAD + 1);
	CHECK_EQ(wire_get_header(h, &hdr), WIRE_ELENGTH);
	put32(h + 8, UINT32_MAX);
	CHECK_EQ(wire_get_header(h, &hdr), WIRE_ELENGTH);
	/* CRC: a changed payload byte, or any changed header byte */
	wire_put_header(h, WIRE_RAFT, payload, sizeof(payload));
	CHECK_EQ(wire_check_crc(h, bad, sizeof(bad)), WIRE_ECRC);
	CHECK_EQ(wire_check_crc(h, payload, 3), WIRE_ECRC);
	for (i = 0; i < WIRE_HEADER_BYTES; i++) {
		h[i] ^= 0x01;
		CHECK_EQ(wire_check_crc(h, payload, sizeof(payload)),
			 WIRE_ECRC);
		h[i] ^= 0x01;
	}
	CHECK_EQ(wire_check_crc(h, payload, sizeof(payload)), WIRE_OK);
}

/* Every type has a valid message; every prefix of it is refused as
 * truncated (or, inside its bytes, as a length it cannot hold). */
static void refuses_every_truncation(void)
{
	struct raft_rng rng;
	static struct ws_msg in;
	uint8_t buf[BUF_BYTES];
	int t, i;

	raft_rng_seed(&rng, 7);
	for (t = 0; t < ws_type_count; t++) {
		size_t size, cut;

		for (i = 0; i < 20; i++) {
			ws_random(&rng, ws_types[t], &in);
			size = wire_encode_message(&in.m, 0, buf, sizeof(buf));
			REQUIRE(size > 0);
			CHECK_EQ(decode(buf, size), WIRE_OK);
			for (cut = 0; cut < size; cut++) {
				int rv = decode(buf, cut);

				CHECK(rv == WIRE_ESHORT || rv == WIRE_ELENGTH);
			}
			/* fixed fields cut short: always ESHORT */
			CHECK_EQ(decode(buf, 20), WIRE_ESHORT);
		}
	}
}

static void refuses_trailing_bytes(void)
{
	struct raft_rng rng;
	static struct ws_msg in;
	uint8_t buf[BUF_BYTES];
	int t;

	raft_rng_seed(&rng, 8);
	for (t = 0; t < ws_type_count; t++) {
		size_t size;

		ws_random(&rng, ws_types[t], &in);
		size = wire_encode_message(&in.m, 0, buf, sizeof(buf));
		REQUIRE(size > 0);
		buf[size] = 0;
		CHECK_EQ(decode(buf, size + 1), WIRE_ELENGTH);
	}
}

/* An AppendEntries with two entries of 3 and 0 bytes, from 1 to 2. */
static size_t sample_ae(uint8_t *buf)
{
	static const uint8_t data[3] = {'a', 'b', 'c'};
	struct raft_entry e[2] = {{5, 11, RAFT_ENTRY_COMMAND, 3, data},
				  {5, 12, RAFT_ENTRY_NOOP, 0, NULL}};
	struct raft_message m;

	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_APPEND_ENTRIES;
	m.from = 1;
	m.to = 2;
	m.term = m.u.ae.term = 5;
	m.u.ae.leader_id = 1;
	m.u.ae.prev_log_index = 10;
	m.u.ae.prev_log_term = 4;
	m.u.ae.entries_count = 2;
	m.u.ae.entries = e;
	return wire_encode_message(&m, 0, buf, BUF_BYTES);
}

/* The sample AppendEntries with 4 bytes at `at` replaced by v. */
static int ae_with(size_t at, uint32_t v)
{
	uint8_t buf[BUF_BYTES];
	size_t size = sample_ae(buf);

	put32(buf + at, v);
	return decode(buf, size);
}

static void refuses_bad_ids_counts_and_values(void)
{
	uint8_t buf[BUF_BYTES];
	size_t size = sample_ae(buf);

	REQUIRE(size == OFF_AE_ENTRY + 24 + 3 + 24);
	CHECK_EQ(decode(buf, size), WIRE_OK);
	/* ids: a node of this cluster only */
	CHECK_EQ(ae_with(OFF_FROM, WS_NODES), WIRE_EVALUE);
	CHECK_EQ(ae_with(OFF_TO, (uint32_t)-1), WIRE_EVALUE);
	CHECK_EQ(ae_with(OFF_TO, (uint32_t)RAFT_CLIENT), WIRE_EVALUE);
	CHECK_EQ(ae_with(OFF_AE_LEADER, WS_NODES), WIRE_EVALUE);
	CHECK_EQ(ae_with(OFF_AE_LEADER, 0x80000000u), WIRE_EVALUE);
	/* the body's term must be the envelope's */
	CHECK_EQ(ae_with(OFF_TERM, 6), WIRE_EVALUE);
	/* counts the bytes cannot hold: refused before any allocation */
	CHECK_EQ(ae_with(OFF_AE_COUNT, UINT32_MAX), WIRE_ELENGTH);
	CHECK_EQ(ae_with(OFF_AE_COUNT, 0x7fffffffu), WIRE_ELENGTH);
	CHECK_EQ(ae_with(OFF_AE_COUNT, 3), WIRE_ELENGTH);
	CHECK_EQ(ae_with(OFF_AE_COUNT, 1), WIRE_ELENGTH); /* trailing */
	/* an entry's length past the end, or short of it */
	CHECK_EQ(ae_with(OFF_AE_ENTRY + 20, 1000), WIRE_ELENGTH);
	CHECK_EQ(ae_with(OFF_AE_ENTRY + 20, UINT32_MAX), WIRE_ELENGTH);
	CHECK_EQ(ae_with(OFF_AE_ENTRY + 20, 20), WIRE_ESHORT);
	CHECK(ae_with(OFF_AE_ENTRY + 20, 2) != WIRE_OK);
	/* entry type out of enum raft_entry_type; indexes not prev + 1.. */
	CHECK_EQ(ae_with(OFF_AE_ENTRY + 16, 2), WIRE_EVALUE);
	CHECK_EQ(ae_with(OFF_AE_ENTRY + 8, 12), WIRE_EVALUE);
	CHECK_EQ(ae_with(OFF_AE_ENTRY + 24 + 3 + 8, 13), WIRE_EVALUE);
	/* message types: none, propose, past the end */
	CHECK_EQ(ae_with(OFF_TYPE, RAFT_MSG_NONE), WIRE_ETYPE);
	CHECK_EQ(ae_with(OFF_TYPE, RAFT_MSG_PROPOSE), WIRE_ETYPE);
	CHECK_EQ(ae_with(OFF_TYPE, RAFT_MSG_TYPE_COUNT), WIRE_ETYPE);
	CHECK_EQ(ae_with(OFF_TYPE, 0xff), WIRE_ETYPE);
}

static void refuses_bad_booleans_offsets_and_client_ends(void)
{
	struct raft_message m;
	uint8_t buf[BUF_BYTES], chunk[8] = {0};
	size_t size;

	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_APPEND_ENTRIES_REPLY;
	m.from = 0;
	m.to = 1;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_OK);
	buf[OFF_BODY + 8] = 2; /* success */
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	m.type = RAFT_MSG_PREVOTE_REPLY;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	buf[OFF_BODY + 8] = 0xff; /* vote_granted */
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	m.type = RAFT_MSG_INSTALL_SNAPSHOT_REPLY;
	m.u.snap_reply.next_offset = -2;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	/* a chunk must lie inside the snapshot: offset + len <= total */
	m.type = RAFT_MSG_INSTALL_SNAPSHOT;
	m.u.snap.data = chunk;
	m.u.snap.len = 8;
	m.u.snap.total = 16;
	m.u.snap.offset = 8;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_OK);
	m.u.snap.offset = 9;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	m.u.snap.offset = UINT64_MAX - 3;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	/* a client at one end of a CLIENT message only */
	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_CLIENT;
	m.from = RAFT_CLIENT;
	m.to = 0;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_OK);
	m.to = RAFT_CLIENT;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	m.from = 1;
	m.to = 3;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
	m.to = RAFT_CLIENT;
	m.from = -1;
	size = wire_encode_message(&m, 0, buf, sizeof(buf));
	CHECK_EQ(decode(buf, size), WIRE_EVALUE);
}

static void propose_never_goes_on_the_wire(void)
{
	struct raft_entry e = {0, 0, RAFT_ENTRY_COMMAND, 0, NULL};
	struct raft_message m;
	uint8_t buf[BUF_BYTES];

	memset(&m, 0, sizeof(m));
	m.type = RAFT_MSG_PROPOSE;
	m.from = RAFT_CLIENT;
	m.u.prop.entries = &e;
	m.u.prop.count = 1;
	CHECK_EQ(wire_message_size(&m), 0);
	CHECK_EQ(wire_encode_message(&m, 0, buf, sizeof(buf)), 0);
	m.type = RAFT_MSG_NONE;
	CHECK_EQ(wire_encode_message(&m, 0, buf, sizeof(buf)), 0);
}

static void handshake_payloads_round_trip_and_refuse_bad_ones(void)
{
	struct wire_hello h = {0x1122334455667788ull,
			       WIRE_KIND_CLIENT,
			       WIRE_FLAG_SECRET,
			       77,
			       2,
			       {0}},
			  h2;
	struct wire_challenge c = {42, 0, 3, {0}, {0}}, c2;
	struct wire_auth a, a2;
	uint8_t buf[128];
	size_t n;

	memset(h.nonce, 0xa5, sizeof(h.nonce));
	memset(c.nonce, 0x5a, sizeof(c.nonce));
	memset(c.mac, 0x3c, sizeof(c.mac));
	memset(a.mac, 0xc3, sizeof(a.mac));
	n = wire_encode_hello(&h, buf, sizeof(buf));
	REQUIRE(n == 37);
	CHECK_EQ(wire_encode_hello(&h, buf, n - 1), 0);
	REQUIRE(wire_decode_hello(buf, n, &h2) == WIRE_OK);
	CHECK(h2.cluster_id == h.cluster_id && h2.kind == h.kind &&
	      h2.flags == h.flags && h2.from == h.from && h2.to == h.to &&
	      memcmp(h2.nonce, h.nonce, WIRE_NONCE_BYTES) == 0);
	CHECK_EQ(wire_decode_hello(buf, n - 1, &h2), WIRE_ESHORT);
	CHECK_EQ(wire_decode_hello(buf, n + 1, &h2), WIRE_ELENGTH);
	buf[8] = 3; /* kind */
	CHECK_EQ(wire_decode_hello(buf, n, &h2), WIRE_EVALUE);
	buf[8] = WIRE_KIND_NODE;
	buf[9] = 2; /* an unknown flag */
	CHECK_EQ(wire_decode_hello(buf, n, &h2), WIRE_EVALUE);

	n = wire_encode_challenge(&c, buf, sizeof(buf));
	REQUIRE(n == 64);
	REQUIRE(wire_decode_challenge(buf, n, &c2) == WIRE_OK);
	CHECK(c2.cluster_id == 42 && c2.flags == 0 && c2.id == 3 &&
	      memcmp(c2.nonce, c.nonce, WIRE_NONCE_BYTES) == 0 &&
	      memcmp(c2.mac, c.mac, WIRE_MAC_BYTES) == 0);
	CHECK_EQ(wire_decode_challenge(buf, n - 1, &c2), WIRE_ESHORT);
	CHECK_EQ(wire_decode_challenge(buf, n + 1, &c2), WIRE_ELENGTH);
	buf[11] = 0x80; /* flags' top bit */
	CHECK_EQ(wire_decode_challenge(buf, n, &c2), WIRE_EVALUE);

	n = wire_encode_auth(&a, buf, sizeof(buf));
	REQUIRE(n == WIRE_MAC_BYTES);
	REQUIRE(wire_decode_auth(buf, n, &a2) == WIRE_OK);
	CHECK(memcmp(a2.mac, a.mac, WIRE_MAC_BYTES) == 0);
	CHECK_EQ(wire_decode_auth(buf, n - 1, &a2), WIRE_ESHORT);
	CHECK_EQ(wire_decode_auth(buf, n + 1, &a2), WIRE_ELENGTH);
}

static void every_error_has_a_name(void)
{
	int e;

	for (e = WIRE_ENOMEM; e <= WIRE_OK; e++)
		CHECK(strcmp(wire_error_name(e), "unknown error") != 0);
	CHECK(strcmp(wire_error_name(-99), "unknown error") == 0);
}

const struct test_case wire_tests[] = {
	{"wire: every message type that crosses processes round-trips field "
	 "by field, entries and bytes included, into one mailbox-sized block",
	 round_trips_every_type},
	{"wire: a RequestVote encodes to its documented little-endian bytes",
	 encodes_a_vote_request_to_its_documented_bytes},
	{"wire: a frame header round-trips and its CRC32C covers header and "
	 "payload",
	 frame_header_round_trips_and_checks_its_crc},
	{"wire: a header with a bad magic, version, type, reserved field, "
	 "length over the limit or CRC is refused",
	 frame_header_refuses_each_bad_field},
	{"wire: every truncation of every message type is refused, with "
	 "nothing allocated",
	 refuses_every_truncation},
	{"wire: trailing bytes after a message are refused",
	 refuses_trailing_bytes},
	{"wire: bad ids, a count larger than the bytes, bad lengths, entry "
	 "types and indexes, and unknown message types are refused",
	 refuses_bad_ids_counts_and_values},
	{"wire: booleans other than 0/1, a chunk outside its snapshot and a "
	 "client at both or neither end are refused",
	 refuses_bad_booleans_offsets_and_client_ends},
	{"wire: a proposal never goes on the wire (encode refuses it)",
	 propose_never_goes_on_the_wire},
	{"wire: HELLO, CHALLENGE and AUTH round-trip; bad lengths, kinds and "
	 "flags are refused",
	 handshake_payloads_round_trip_and_refuse_bad_ones},
	{"wire: every decoder error has a name for the log line",
	 every_error_has_a_name},
	{NULL, NULL},
};

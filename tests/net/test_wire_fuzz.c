/* test_wire_fuzz.c - a deterministic fuzz test of the frame and message
 * decoders (src/net/wire*.c): valid frames of every type, mutated (bit
 * flips, byte overwrites, truncation, extension, lying length fields,
 * random bytes), go through header, CRC and payload decoding as the
 * transport's reader would. Half the time the CRC is recomputed after the
 * mutation, so that the payload decoders themselves see the damage. Every
 * decode that succeeds must re-encode to the same bytes; under `make asan`
 * the same run checks that nothing crashes, overreads or leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"
#include "testhelp.h"
#include "wiretest.h"

#define ITERATIONS 200000
#define CORPUS_PER_TYPE 8
#define FRAME_CAP 2048
#define CORPUS_MAX (CORPUS_PER_TYPE * 9 + 3)

struct frame {
	uint8_t b[FRAME_CAP];
	size_t len;
};

struct tally {
	long header_bad, crc_bad, incomplete, decoded[WIRE_TYPE_END];
	long refused[9]; /* by -wire_error */
};

static struct frame corpus[CORPUS_MAX];
static int corpus_len;

static void add_frame(enum wire_type type, const uint8_t *payload, size_t n)
{
	struct frame *f = &corpus[corpus_len++];

	memcpy(f->b + WIRE_HEADER_BYTES, payload, n);
	wire_put_header(f->b, type, f->b + WIRE_HEADER_BYTES, (uint32_t)n);
	f->len = WIRE_HEADER_BYTES + n;
}

static void build_corpus(struct raft_rng *rng)
{
	static struct ws_msg m;
	struct wire_hello h = {7, WIRE_KIND_NODE, WIRE_FLAG_SECRET, 1, 2, {0}};
	struct wire_challenge c = {7, 0, 2, {0}, {0}};
	struct wire_auth a;
	uint8_t buf[FRAME_CAP];
	int t, i;

	corpus_len = 0;
	for (t = 0; t < ws_type_count; t++)
		for (i = 0; i < CORPUS_PER_TYPE; i++) {
			size_t n;

			ws_random(rng, ws_types[t], &m);
			n = wire_encode_message(&m.m, m.delay_us, buf,
						FRAME_CAP - WIRE_HEADER_BYTES);
			add_frame(WIRE_RAFT, buf, n);
		}
	memset(h.nonce, 0x11, sizeof(h.nonce));
	memset(c.mac, 0x22, sizeof(c.mac));
	memset(a.mac, 0x33, sizeof(a.mac));
	add_frame(WIRE_HELLO, buf, wire_encode_hello(&h, buf, sizeof(buf)));
	add_frame(WIRE_CHALLENGE, buf,
		  wire_encode_challenge(&c, buf, sizeof(buf)));
	add_frame(WIRE_AUTH, buf, wire_encode_auth(&a, buf, sizeof(buf)));
}

/* Values a length or count field is most likely to be wrong with. */
static uint32_t lying_length(struct raft_rng *rng, size_t len)
{
	static const uint32_t edge[] = {0,
					1,
					0x7fffffffu,
					0x80000000u,
					0xffffffffu,
					WIRE_MAX_PAYLOAD,
					WIRE_MAX_PAYLOAD + 1};

	if (raft_rng_chance(rng, 0.5))
		return edge[raft_rng_range(rng, 0, 6)];
	return (uint32_t)raft_rng_range(rng, 0, len + 64);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* One mutation of f, at `from` or after (the whole frame, or only its
 * payload when the CRC is to be recomputed). */
static void mutate(struct raft_rng *rng, struct frame *f, size_t from)
{
	/* where a WIRE_RAFT frame keeps its counts and lengths: AE count,
	 * CLIENT len, snapshot len, first entry's len */
	static const size_t fields[] = {16 + 81, 16 + 21, 16 + 65, 16 + 105};
	size_t at, n;

	if (f->len <= from) {
		f->b[f->len++] = (uint8_t)raft_rng_next(rng);
		return;
	}
	at = raft_rng_range(rng, from, f->len - 1);
	switch (raft_rng_range(rng, 0, 6)) {
	case 0: /* bit flip */
		f->b[at] ^= (uint8_t)(1u << raft_rng_range(rng, 0, 7));
		break;
	case 1: /* byte overwrite */
		f->b[at] = (uint8_t)raft_rng_next(rng);
		break;
	case 2: /* truncation */
		f->len = at;
		break;
	case 3: /* extension */
		n = raft_rng_range(rng, 1, 64);
		if (f->len + n > FRAME_CAP)
			n = FRAME_CAP - f->len;
		while (n-- > 0)
			f->b[f->len++] = (uint8_t)raft_rng_next(rng);
		break;
	case 4: /* a lying length: the header's, or one of the payload's */
		at = from > 0 ? fields[raft_rng_range(rng, 0, 3)] : 8;
		if (raft_rng_chance(rng, 0.3))
			at = raft_rng_range(rng, from, f->len - 1);
		if (at + 4 <= f->len)
			put32(f->b + at, lying_length(rng, f->len));
		break;
	case 5: /* a run of random bytes */
		n = raft_rng_range(rng, 1, 16);
		while (n-- > 0 && at < f->len)
			f->b[at++] = (uint8_t)raft_rng_next(rng);
		break;
	default: /* a small id, type or boolean where something else was */
		f->b[at] = (uint8_t)raft_rng_range(rng, 0, 12);
		break;
	}
}

/* A decoded raft message re-encodes to exactly the payload it came from,
 * in a block the size a mailbox copy takes. */
static void check_raft_round_trip(const uint8_t *p, uint32_t len, int *bad)
{
	struct raft_message m;
	uint32_t delay;
	void *extra;
	size_t bytes;
	uint8_t again[FRAME_CAP];
	int rv = wire_decode_message(p, len, WS_NODES, &m, &delay, &extra,
				     &bytes);

	if (rv != WIRE_OK)
		return;
	if (wire_encode_message(&m, delay, again, sizeof(again)) != len ||
	    memcmp(again, p, len) != 0 || bytes != raft_message_extra_size(&m))
		(*bad)++;
	free(extra);
}

static int decode_payload(uint8_t type, const uint8_t *p, uint32_t len,
			  int *bad)
{
	uint8_t again[FRAME_CAP];
	struct raft_message m;
	struct wire_hello h;
	struct wire_challenge c;
	struct wire_auth a;
	uint32_t delay;
	void *extra = NULL;
	size_t bytes;
	int rv;

	switch (type) {
	case WIRE_HELLO:
		rv = wire_decode_hello(p, len, &h);
		if (rv == WIRE_OK &&
		    (wire_encode_hello(&h, again, sizeof(again)) != len ||
		     memcmp(again, p, len) != 0))
			(*bad)++;
		return rv;
	case WIRE_CHALLENGE:
		rv = wire_decode_challenge(p, len, &c);
		if (rv == WIRE_OK &&
		    (wire_encode_challenge(&c, again, sizeof(again)) != len ||
		     memcmp(again, p, len) != 0))
			(*bad)++;
		return rv;
	case WIRE_AUTH:
		rv = wire_decode_auth(p, len, &a);
		if (rv == WIRE_OK &&
		    (wire_encode_auth(&a, again, sizeof(again)) != len ||
		     memcmp(again, p, len) != 0))
			(*bad)++;
		return rv;
	default:
		rv = wire_decode_message(p, len, WS_NODES, &m, &delay, &extra,
					 &bytes);
		if (rv != WIRE_OK && extra != NULL)
			(*bad)++; /* an error must leave nothing allocated */
		free(extra);
		if (rv == WIRE_OK)
			check_raft_round_trip(p, len, bad);
		return rv;
	}
}

/* What the transport's reader does with the bytes it has. */
static void read_frame(const struct frame *f, struct tally *t, int *bad)
{
	struct wire_header hdr;
	int rv;

	if (f->len < WIRE_HEADER_BYTES) {
		t->incomplete++;
		return;
	}
	if (wire_get_header(f->b, &hdr) != WIRE_OK) {
		t->header_bad++;
		return;
	}
	if (hdr.length > f->len - WIRE_HEADER_BYTES) {
		t->incomplete++; /* it would wait for more bytes */
		return;
	}
	if (wire_check_crc(f->b, f->b + WIRE_HEADER_BYTES, hdr.length) !=
	    WIRE_OK) {
		t->crc_bad++;
		return;
	}
	rv = decode_payload(hdr.type, f->b + WIRE_HEADER_BYTES, hdr.length,
			    bad);
	if (rv == WIRE_OK)
		t->decoded[hdr.type]++;
	else if (rv < 0 && rv >= WIRE_ENOMEM)
		t->refused[-rv]++;
	else
		(*bad)++;
}

static void fuzz_once(struct raft_rng *rng, struct tally *t, int *bad)
{
	static struct frame f;
	int recrc = raft_rng_chance(rng, 0.5);
	int n = (int)raft_rng_range(rng, 1, 4);
	uint8_t type;

	f = corpus[raft_rng_range(rng, 0, (uint64_t)corpus_len - 1)];
	type = f.b[5];
	while (n-- > 0)
		mutate(rng, &f, recrc ? WIRE_HEADER_BYTES : 0);
	if (recrc) {
		/* sometimes a payload read as another frame type */
		if (raft_rng_chance(rng, 0.1))
			type = (uint8_t)raft_rng_range(rng, WIRE_HELLO,
						       WIRE_RAFT);
		wire_put_header(f.b, (enum wire_type)type,
				f.b + WIRE_HEADER_BYTES,
				(uint32_t)(f.len - WIRE_HEADER_BYTES));
	}
	read_frame(&f, t, bad);
}

static void fuzzed_frames_never_crash_and_decodes_round_trip(void)
{
	struct raft_rng rng;
	struct tally t;
	int bad = 0, i;

	memset(&t, 0, sizeof(t));
	raft_rng_seed(&rng, 0x13);
	build_corpus(&rng);
	for (i = 0; i < corpus_len; i++)
		read_frame(&corpus[i], &t, &bad);
	CHECK_EQ(t.decoded[WIRE_RAFT], CORPUS_PER_TYPE * ws_type_count);
	for (i = 0; i < ITERATIONS; i++)
		fuzz_once(&rng, &t, &bad);
	CHECK_EQ(bad, 0);
	/* The run reached every layer: each check refused something, and
	 * mutated payloads still decoded (and re-encoded, above). */
	CHECK(t.header_bad > 1000);
	CHECK(t.crc_bad > 1000);
	CHECK(t.incomplete > 1000);
	CHECK(t.decoded[WIRE_RAFT] > 5000);
	CHECK(t.decoded[WIRE_HELLO] + t.decoded[WIRE_CHALLENGE] +
		      t.decoded[WIRE_AUTH] >
	      100);
	for (i = -WIRE_ESHORT; i <= -WIRE_EVALUE; i++)
		if (i != -WIRE_EMAGIC && i != -WIRE_EVERSION &&
		    i != -WIRE_ECRC && t.refused[i] < 100)
			TEST_FAIL_AT("payload error %s seen %ld times",
				     wire_error_name(-i), t.refused[i]);
}

const struct test_case wire_fuzz_tests[] = {
	{"wire fuzz: 200k mutated frames of every type never crash the "
	 "decoders, and every payload that decodes re-encodes to its bytes",
	 fuzzed_frames_never_crash_and_decodes_round_trip},
	{NULL, NULL},
};

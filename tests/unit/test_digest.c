/* test_digest.c - the digest state machine (src/storage/digest_fsm.c):
 * a running checksum that makes divergence show (State Machine Safety). */
#include <stdint.h>
#include <string.h>

#include "storage/digest_fsm.h"
#include "testhelp.h"

#define N 50

static uint8_t payloads[N][21];

/* N entries of term 1 then 2, payloads of 0 to 20 bytes. */
static void history(struct raft_entry e[N])
{
	unsigned i, j;

	for (i = 0; i < N; i++) {
		for (j = 0; j < sizeof(payloads[i]); j++)
			payloads[i][j] = (uint8_t)(i * 13 + j);
		e[i] = (struct raft_entry){
			.term = i < N / 2 ? 1 : 2,
			.index = i + 1,
			.type = i == 0 ? RAFT_ENTRY_NOOP : RAFT_ENTRY_COMMAND,
			.len = i % 21,
			.data = payloads[i],
		};
	}
}

static uint64_t digest_of(const struct raft_entry *e, unsigned n)
{
	struct digest_fsm fsm;
	struct raft_fsm ops = digest_fsm_ops(&fsm);

	digest_fsm_init(&fsm);
	return ops.apply(ops.ctx, e, n);
}

static void same_entries_give_the_same_digest(void)
{
	struct raft_entry e[N];
	struct digest_fsm fsm;
	struct raft_fsm ops = digest_fsm_ops(&fsm);
	uint64_t whole;
	unsigned i;

	history(e);
	whole = digest_of(e, N);
	CHECK(whole == digest_of(e, N));
	/* One at a time or in batches: the same state. */
	digest_fsm_init(&fsm);
	for (i = 0; i < N; i++)
		ops.apply(ops.ctx, &e[i], 1);
	CHECK(ops.digest(ops.ctx) == whole);
	CHECK_EQ(fsm.applied, N);
	/* What matters is the payload's bytes, not where they are. */
	e[7].data = memcpy(payloads[0], payloads[7], sizeof(payloads[7]));
	CHECK(digest_of(e, N) == whole);
}

/* Any single change to any entry changes the digest. */
static void a_different_entry_gives_a_different_digest(void)
{
	struct raft_entry e[N];
	uint64_t whole;
	unsigned i;

	history(e);
	whole = digest_of(e, N);
	for (i = 0; i < N; i++) {
		struct raft_entry keep = e[i];

		e[i].term++;
		CHECK(digest_of(e, N) != whole);
		e[i] = keep;
		e[i].index++;
		CHECK(digest_of(e, N) != whole);
		e[i] = keep;
		e[i].type ^= 1;
		CHECK(digest_of(e, N) != whole);
		e[i] = keep;
		e[i].len = keep.len == 20 ? 19 : keep.len + 1;
		CHECK(digest_of(e, N) != whole);
		e[i] = keep;
		if (keep.len > 0) {
			payloads[i][keep.len - 1] ^= 0x40;
			CHECK(digest_of(e, N) != whole);
			payloads[i][keep.len - 1] ^= 0x40;
		}
	}
	CHECK(digest_of(e, N) == whole);
	CHECK(digest_of(e, N - 1) != whole); /* one entry less */
}

static void snapshot_and_restore_round_trip(void)
{
	struct raft_entry e[N];
	struct digest_fsm a, b;
	struct raft_fsm fa = digest_fsm_ops(&a);
	struct raft_fsm fb = digest_fsm_ops(&b);
	uint8_t copy[DIGEST_FSM_SNAPSHOT_BYTES];
	const uint8_t *data;
	size_t len;

	history(e);
	digest_fsm_init(&a);
	digest_fsm_init(&b);
	fa.apply(fa.ctx, e, N / 2);
	REQUIRE(fa.snapshot(fa.ctx, &data, &len) == 0);
	REQUIRE(len == DIGEST_FSM_SNAPSHOT_BYTES);
	memcpy(copy, data, len);
	CHECK_EQ(fb.restore(fb.ctx, copy, len), 0);
	CHECK(fb.digest(fb.ctx) == fa.digest(fa.ctx));
	CHECK_EQ(b.applied, N / 2);
	/* Both go on from there alike, and end like one that saw it all. */
	fa.apply(fa.ctx, e + N / 2, N - N / 2);
	fb.apply(fb.ctx, e + N / 2, N - N / 2);
	CHECK(fa.digest(fa.ctx) == fb.digest(fb.ctx));
	CHECK(fb.digest(fb.ctx) == digest_of(e, N));
	/* The snapshot is little-endian: digest, then the applied count. */
	CHECK_EQ(copy[8], N / 2);
	CHECK_EQ(copy[15], 0);
}

static void restore_refuses_bytes_of_another_length(void)
{
	struct digest_fsm fsm;
	struct raft_fsm ops = digest_fsm_ops(&fsm);
	uint8_t bytes[DIGEST_FSM_SNAPSHOT_BYTES + 1] = {0};
	uint64_t before;

	digest_fsm_init(&fsm);
	before = ops.digest(ops.ctx);
	CHECK_EQ(ops.restore(ops.ctx, bytes, sizeof(bytes)), -1);
	CHECK_EQ(ops.restore(ops.ctx, bytes, sizeof(bytes) - 2), -1);
	CHECK_EQ(ops.restore(ops.ctx, NULL, 0), -1);
	CHECK(ops.digest(ops.ctx) == before);
}

const struct test_case digest_tests[] = {
	{"digest: the same entries give the same digest, one by one or in "
	 "batches",
	 same_entries_give_the_same_digest},
	{"digest: a different term, index, type, length or payload byte of any "
	 "entry gives another digest",
	 a_different_entry_gives_a_different_digest},
	{"digest: a snapshot restores the digest and the applied count, and "
	 "the machine goes on alike",
	 snapshot_and_restore_round_trip},
	{"digest: restore refuses bytes that are not 16 long",
	 restore_refuses_bytes_of_another_length},
	{NULL, NULL},
};

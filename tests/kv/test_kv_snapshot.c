/* test_kv_snapshot.c - the store's snapshot and restore (src/kv/
 * kv_snapshot.c), and its memory: what it holds follows what is in it. */
#include <stdlib.h>
#include <string.h>

#include "failpoint.h"
#include "kv/kv_internal.h"
#include "kvtest.h"
#include "testhelp.h"

/* A store with keys, a long appended value, sessions with cached replies
 * (a get's value among them) and one evicted. */
static void fill(struct kvt *t, uint64_t s[3])
{
	unsigned i;

	s[0] = kvt_register(t);
	s[1] = kvt_register(t);
	kvt_put(t, s[0], 1, "a", "1");
	kvt_put(t, s[0], 2, "", "empty key");
	kvt_put(t, s[1], 1, "b", "");
	for (i = 0; i < 30; i++)
		kvt_append(t, s[0], 3 + i, "long", "0123456789");
	kvt_put(t, s[1], 2, "gone", "x");
	kvt_delete(t, s[1], 3, "gone");
	kvt_get(t, s[1], 4, "a");
	s[2] = kvt_register(t);
	kvt_cas(t, s[2], 1, "a", "1", "2");
}

/* Copies the snapshot of t (the store's buffer is reused). */
static uint8_t *snapshot_of(struct kvt *t, size_t *len)
{
	const uint8_t *data;
	uint8_t *copy;

	if (t->fsm.snapshot(t->fsm.ctx, &data, len) != 0)
		return NULL;
	copy = malloc(*len);
	if (copy != NULL)
		memcpy(copy, data, *len);
	return copy;
}

static void a_restored_store_has_the_digest_answers_and_sessions(void)
{
	struct kvt a, b;
	uint64_t s[3];
	uint8_t *snap;
	size_t len;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	fill(&a, s);
	snap = snapshot_of(&a, &len);
	REQUIRE(snap != NULL);
	CHECK_EQ(b.fsm.restore(b.fsm.ctx, snap, len), 0);
	CHECK(b.fsm.digest(b.fsm.ctx) == a.kv.digest);
	CHECK_EQ(b.kv.applied_index, a.index);
	CHECK_EQ(b.kv.stats.keys, a.kv.stats.keys);
	CHECK_EQ(b.kv.stats.sessions, 3);
	CHECK(kvt_is(&b, "a", "2"));
	CHECK(kvt_is(&b, "", "empty key"));
	CHECK(kvt_value(&b, "long") != NULL &&
	      strlen(kvt_value(&b, "long")) == 300);
	CHECK(kvt_value(&b, "gone") == NULL);
	/* The cached replies came along: retries answer from them. */
	b.index = a.index;
	CHECK_EQ(kvt_get(&b, s[1], 4, "a"), KV_STATUS_OK);
	CHECK(!b.executed && b.reply.found && kvt_replied(&b, "1"));
	CHECK_EQ(kvt_cas(&b, s[2], 1, "a", "1", "2"), KV_STATUS_OK);
	CHECK(!b.executed && b.reply.swapped);
	CHECK_EQ(kvt_append(&b, s[0], 2, "long", "x"), KV_STATUS_STALE);
	/* Both go on alike from there. */
	kvt_get(&a, s[1], 4, "a");
	kvt_cas(&a, s[2], 1, "a", "1", "2");
	kvt_append(&a, s[0], 2, "long", "x");
	CHECK(a.kv.digest == b.kv.digest);
	kvt_register(&a);
	kvt_register(&b);
	kvt_append(&a, s[0], 40, "long", "y");
	kvt_append(&b, s[0], 40, "long", "y");
	CHECK(a.kv.digest == b.kv.digest);
	/* And a snapshot of the restored store restores the same again. */
	free(snap);
	snap = snapshot_of(&b, &len);
	REQUIRE(snap != NULL);
	CHECK_EQ(a.fsm.restore(a.fsm.ctx, snap, len), 0);
	CHECK(a.kv.digest == b.kv.digest);
	free(snap);
	kvt_free(&a);
	kvt_free(&b);
}

/* Restoring an empty store's snapshot empties a full one. */
static void restore_replaces_the_whole_state(void)
{
	struct kvt a, b;
	uint64_t s[3];
	uint8_t *snap;
	size_t len;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	fill(&b, s);
	snap = snapshot_of(&a, &len);
	REQUIRE(snap != NULL);
	CHECK_EQ(b.fsm.restore(b.fsm.ctx, snap, len), 0);
	CHECK(b.kv.digest == a.kv.digest);
	CHECK_EQ(b.kv.stats.keys, 0);
	CHECK_EQ(b.kv.stats.sessions, 0);
	CHECK(kvt_value(&b, "a") == NULL);
	b.index = 0;
	CHECK_EQ(kvt_get(&b, s[0], 5, "a"), KV_STATUS_SESSION_EXPIRED);
	free(snap);
	kvt_free(&a);
	kvt_free(&b);
}

/* Every truncation and every flipped bit is refused, and the store keeps
 * its state. */
static void restore_refuses_truncated_or_corrupted_snapshots(void)
{
	struct kvt a, b;
	uint64_t s[3], before;
	uint8_t *snap;
	size_t len, i;
	unsigned bit, accepted = 0;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	fill(&a, s);
	snap = snapshot_of(&a, &len);
	REQUIRE(snap != NULL);
	kvt_register(&b);
	kvt_put(&b, 1, 1, "mine", "kept");
	before = b.kv.digest;
	failpoint_arm(0); /* and a refusal keeps no memory */
	for (i = 0; i < len; i++)
		accepted += b.fsm.restore(b.fsm.ctx, snap, i) == 0;
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			snap[i] ^= (uint8_t)(1u << bit);
			accepted += b.fsm.restore(b.fsm.ctx, snap, len) == 0;
			snap[i] ^= (uint8_t)(1u << bit);
		}
	CHECK_EQ(accepted, 0);
	CHECK_EQ(failpoint_live(), 0);
	failpoint_disarm();
	CHECK_EQ(b.fsm.restore(b.fsm.ctx, NULL, 0), -1);
	CHECK(b.kv.digest == before);
	CHECK(kvt_is(&b, "mine", "kept"));
	CHECK_EQ(b.fsm.restore(b.fsm.ctx, snap, len), 0); /* intact: yes */
	free(snap);
	kvt_free(&a);
	kvt_free(&b);
}

/* Re-seals a changed snapshot with a valid checksum, so that the parser
 * behind the checksum sees it. */
static void reseal(uint8_t *snap, size_t len)
{
	kv_put_u64(snap + len - 8,
		   kv_hash_bytes(KV_SEED_SNAPSHOT, snap, len - 8));
}

/* Garbage that passes the checksum: random bytes, lengths and counts
 * changed. Restore answers 0 or -1, reads nothing outside the bytes (run
 * it under `make asan`), and what it accepts is a consistent store. */
static void restore_survives_garbage_behind_a_valid_checksum(void)
{
	struct kvt a, b, c;
	uint64_t s[3], rng = 99;
	uint8_t *snap, *work, *again;
	size_t len, again_len;
	unsigned round, accepted = 0, leaked = 0;
	long live;
	int rv;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	REQUIRE(kvt_init(&c, NULL) == 0);
	fill(&a, s);
	snap = snapshot_of(&a, &len);
	work = malloc(len);
	REQUIRE(snap != NULL && work != NULL);
	for (round = 0; round < 20000; round++) {
		unsigned n = 1 + round % 4, j;
		size_t cut = len;

		memcpy(work, snap, len);
		for (j = 0; j < n; j++) {
			rng = rng * 6364136223846793005ULL + 1;
			work[8 + (rng >> 33) % (len - 16)] = (uint8_t)(rng >>
								       13);
		}
		if (round % 5 == 0) /* drop some bytes before the checksum */
			cut = len - (size_t)(rng >> 40) % (len - 40);
		reseal(work, cut);
		failpoint_arm(0);
		rv = b.fsm.restore(b.fsm.ctx, work, cut);
		live = failpoint_live();
		failpoint_disarm();
		if (rv != 0) {
			leaked += live != 0; /* a refusal keeps nothing */
			continue;
		}
		accepted++;
		/* Accepted: its own snapshot restores to the same digest. */
		again = snapshot_of(&b, &again_len);
		REQUIRE(again != NULL);
		CHECK_EQ(c.fsm.restore(c.fsm.ctx, again, again_len), 0);
		CHECK(c.kv.digest == b.kv.digest);
		free(again);
	}
	/* A value's bytes may change freely: some garbage is a store. */
	CHECK(accepted > 0);
	CHECK(accepted < 20000);
	CHECK_EQ(leaked, 0);
	memset(work, 0, len);
	reseal(work, len);
	CHECK_EQ(b.fsm.restore(b.fsm.ctx, work, len), -1); /* no magic */
	free(snap);
	free(work);
	kvt_free(&a);
	kvt_free(&b);
	kvt_free(&c);
}

/* 200 rounds of putting 500 keys (and appending, and caching a get) and
 * deleting them all, with a session registered now and then in a full
 * table: the store ends holding what it held before, with no block
 * more. */
static void memory_stays_flat_over_put_delete_cycles(void)
{
	struct kv_config cfg;
	struct kvt t;
	uint64_t s, seq = 1;
	char key[16];
	unsigned round, i;
	long live;

	kv_config_default(&cfg);
	cfg.session_max = 4;
	REQUIRE(kvt_init(&t, &cfg) == 0);
	s = kvt_register(&t);
	kvt_put(&t, s, seq++, "base", "v");
	for (i = 0; i < 3; i++)
		kvt_register(&t);
	s = kvt_register(&t); /* evicts the first */
	seq = 1;
	failpoint_arm(0);
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 500; i++) {
			snprintf(key, sizeof(key), "k%u.%u", round, i);
			kvt_put(&t, s, seq++, key, "0123456789abcdef");
			kvt_append(&t, s, seq++, key, "0123456789abcdef");
		}
		kvt_get(&t, s, seq++, key);
		for (i = 0; i < 500; i++) {
			snprintf(key, sizeof(key), "k%u.%u", round, i);
			kvt_delete(&t, s, seq++, key);
		}
		if (round % 50 == 0) {
			s = kvt_register(&t); /* one in, one out */
			seq = 1;
		}
	}
	kvt_put(&t, s, seq++, "base", "v");
	live = failpoint_live();
	failpoint_disarm();
	CHECK_EQ(t.kv.stats.keys, 1);
	CHECK_EQ(t.kv.stats.sessions, 4);
	CHECK_EQ(t.kv.stats.executed, 1 + 200 * 1501 + 1);
	CHECK(live <= 0);
	CHECK(t.kv.table->cap <= 64);
	kvt_free(&t);
}

/* kv_init under every allocation failure: -1 and nothing kept. */
static void kv_init_fails_cleanly_without_memory(void)
{
	struct kv kv;
	long k;
	int failed = 0;

	for (k = 1; k < 10; k++) {
		int rv;

		failpoint_arm(k);
		rv = kv_init(&kv, NULL, NULL);
		if (rv != 0)
			CHECK_EQ(failpoint_live(), 0);
		failpoint_disarm();
		if (rv == 0) {
			kv_free(&kv);
			break;
		}
		failed++;
	}
	CHECK(failed >= 3);
}

/* A put that cannot get memory is not executed (and not recorded), so
 * its retry is. */
static void a_write_without_memory_is_not_executed_and_its_retry_is(void)
{
	struct kvt t;
	uint64_t s;
	int status;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	failpoint_arm(1);
	status = kvt_put(&t, s, 1, "k", "v");
	failpoint_disarm();
	CHECK_EQ(status, KV_STATUS_RETRY);
	CHECK(!t.executed);
	CHECK_EQ(t.kv.stats.out_of_memory, 1);
	CHECK(kvt_value(&t, "k") == NULL);
	CHECK_EQ(kvt_put(&t, s, 1, "k", "v"), KV_STATUS_OK);
	CHECK(t.executed);
	CHECK(kvt_is(&t, "k", "v"));
	kvt_free(&t);
}

const struct test_case kv_snapshot_tests[] = {
	{"kv snapshot: a restored store has the same digest, answers and "
	 "cached replies, and goes on alike",
	 a_restored_store_has_the_digest_answers_and_sessions},
	{"kv snapshot: restore replaces the whole state",
	 restore_replaces_the_whole_state},
	{"kv snapshot: restore refuses every truncation and flipped bit and "
	 "keeps the state",
	 restore_refuses_truncated_or_corrupted_snapshots},
	{"kv snapshot: garbage behind a valid checksum is refused or restored "
	 "consistently, never crashes",
	 restore_survives_garbage_behind_a_valid_checksum},
	{"kv: memory stays flat over 200 rounds of 500 puts and deletes",
	 memory_stays_flat_over_put_delete_cycles},
	{"kv: kv_init fails cleanly at every allocation",
	 kv_init_fails_cleanly_without_memory},
	{"kv: a write that runs out of memory is not executed, and its retry "
	 "is",
	 a_write_without_memory_is_not_executed_and_its_retry_is},
	{NULL, NULL},
};

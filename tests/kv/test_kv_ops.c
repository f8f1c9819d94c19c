/* test_kv_ops.c - the store's operations and its digest (src/kv/kv.c,
 * kv_table.c), driven entry by entry. */
#include <stdio.h>
#include <string.h>

#include "kvtest.h"
#include "testhelp.h"

static void get_put_overwrite_and_delete(void)
{
	struct kvt t;
	uint64_t s;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	CHECK_EQ(kvt_get(&t, s, 1, "k"), KV_STATUS_OK);
	CHECK(!t.reply.found);
	CHECK(t.executed);
	CHECK_EQ(kvt_put(&t, s, 2, "k", "v1"), KV_STATUS_OK);
	CHECK_EQ(kvt_get(&t, s, 3, "k"), KV_STATUS_OK);
	CHECK(t.reply.found && kvt_replied(&t, "v1"));
	CHECK_EQ(kvt_put(&t, s, 4, "k", "v2"), KV_STATUS_OK);
	CHECK(kvt_is(&t, "k", "v2"));
	CHECK_EQ(kvt_delete(&t, s, 5, "k"), KV_STATUS_OK);
	CHECK(t.reply.found); /* it was there */
	CHECK(kvt_value(&t, "k") == NULL);
	CHECK_EQ(kvt_delete(&t, s, 6, "k"), KV_STATUS_OK);
	CHECK(!t.reply.found);
	/* The empty key and the empty value are values like any other. */
	CHECK_EQ(kvt_put(&t, s, 7, "", ""), KV_STATUS_OK);
	CHECK(kvt_is(&t, "", ""));
	CHECK_EQ(t.kv.stats.keys, 1);
	CHECK_EQ(t.kv.stats.executed, 7);
	kvt_free(&t);
}

static void append_to_absent_creates_then_appends(void)
{
	struct kvt t;
	uint64_t s;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	CHECK_EQ(kvt_append(&t, s, 1, "k", "abc"), KV_STATUS_OK);
	CHECK(kvt_is(&t, "k", "abc"));
	CHECK_EQ(kvt_append(&t, s, 2, "k", "defghijklmnopqrst"), KV_STATUS_OK);
	CHECK_EQ(kvt_append(&t, s, 3, "k", ""), KV_STATUS_OK);
	CHECK_EQ(kvt_append(&t, s, 4, "k", "u"), KV_STATUS_OK);
	CHECK(kvt_is(&t, "k", "abcdefghijklmnopqrstu"));
	kvt_free(&t);
}

static void cas_swaps_only_on_the_expected_value(void)
{
	struct kvt t;
	uint64_t s;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	/* expect null: "absent" */
	CHECK_EQ(kvt_cas(&t, s, 1, "k", NULL, "a"), KV_STATUS_OK);
	CHECK(t.reply.swapped);
	CHECK(kvt_is(&t, "k", "a"));
	CHECK_EQ(kvt_cas(&t, s, 2, "k", NULL, "b"), KV_STATUS_OK);
	CHECK(!t.reply.swapped);
	CHECK(kvt_is(&t, "k", "a"));
	CHECK_EQ(kvt_cas(&t, s, 3, "k", "x", "b"), KV_STATUS_OK);
	CHECK(!t.reply.swapped);
	CHECK_EQ(kvt_cas(&t, s, 4, "k", "", "b"), KV_STATUS_OK);
	CHECK(!t.reply.swapped); /* "" is a value, not absence */
	CHECK_EQ(kvt_cas(&t, s, 5, "k", "a", "b"), KV_STATUS_OK);
	CHECK(t.reply.swapped);
	CHECK(kvt_is(&t, "k", "b"));
	/* On an absent key only expect-null swaps. */
	CHECK_EQ(kvt_cas(&t, s, 6, "z", "", "c"), KV_STATUS_OK);
	CHECK(!t.reply.swapped);
	CHECK(kvt_value(&t, "z") == NULL);
	kvt_free(&t);
}

/* 20000 random puts, appends, cas and deletes on 300 keys, checked
 * against a plain array after each: the table's probing, growing,
 * shrinking and back-shift deletes lose or mix up nothing. */
#define MODEL_KEYS 300

static void the_table_agrees_with_a_plain_model(void)
{
	static char model[MODEL_KEYS][64];
	static bool present[MODEL_KEYS];
	struct kvt t;
	uint64_t s, rng = 12345, seq;
	char key[16], val[16];
	unsigned k;

	memset(present, 0, sizeof(present));
	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	for (seq = 1; seq <= 20000; seq++) {
		unsigned op;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (unsigned)(rng >> 33) % MODEL_KEYS;
		op = (unsigned)(rng >> 20) % 4;
		snprintf(key, sizeof(key), "key%u", k);
		snprintf(val, sizeof(val), "v%u", (unsigned)(seq % 1000));
		if (op == 0 || (op == 1 && strlen(model[k]) > 40)) {
			kvt_put(&t, s, seq, key, val);
			present[k] = true;
			strcpy(model[k], val);
		} else if (op == 1) {
			kvt_append(&t, s, seq, key, val);
			if (!present[k])
				model[k][0] = '\0';
			present[k] = true;
			strcat(model[k], val);
		} else if (op == 2) {
			kvt_cas(&t, s, seq, key, present[k] ? model[k] : NULL,
				val);
			CHECK(t.reply.swapped);
			present[k] = true;
			strcpy(model[k], val);
		} else {
			kvt_delete(&t, s, seq, key);
			CHECK_EQ(t.reply.found, present[k]);
			present[k] = false;
		}
		if (seq % 97 == 0 || seq > 19900) {
			unsigned j, n = 0;

			for (j = 0; j < MODEL_KEYS; j++) {
				const char *v;

				snprintf(key, sizeof(key), "key%u", j);
				v = kvt_value(&t, key);
				CHECK(present[j]
					      ? v != NULL &&
							strcmp(v, model[j]) == 0
					      : v == NULL);
				n += present[j];
			}
			CHECK_EQ(t.kv.stats.keys, n);
		}
	}
	kvt_free(&t);
}

static void same_commands_give_the_same_digest_and_another_differs(void)
{
	struct kvt a, b;
	uint64_t sa, sb, d;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	CHECK(a.kv.digest == b.kv.digest);
	sa = kvt_register(&a);
	sb = kvt_register(&b);
	CHECK(a.kv.digest == b.kv.digest);
	kvt_put(&a, sa, 1, "x", "1");
	kvt_put(&b, sb, 1, "x", "1");
	kvt_append(&a, sa, 2, "x", "2");
	kvt_append(&b, sb, 2, "x", "2");
	CHECK(a.kv.digest == b.kv.digest);
	CHECK(a.fsm.digest(a.fsm.ctx) == a.kv.digest);
	d = a.kv.digest;
	/* A different value, key, or op: another digest. */
	kvt_put(&a, sa, 3, "y", "1");
	kvt_put(&b, sb, 3, "y", "2");
	CHECK(a.kv.digest != b.kv.digest);
	CHECK(a.kv.digest != d);
	kvt_put(&b, sb, 3, "y", "1"); /* a retry changes nothing */
	CHECK(a.kv.digest != b.kv.digest);
	kvt_free(&a);
	kvt_free(&b);
	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	sa = kvt_register(&a);
	sb = kvt_register(&b);
	kvt_put(&a, sa, 1, "x", "1");
	kvt_append(&b, sb, 1, "x", "1");
	CHECK(a.kv.digest == b.kv.digest); /* the same state */
	kvt_get(&a, sa, 2, "x");
	kvt_get(&b, sb, 2, "y");
	CHECK(a.kv.digest != b.kv.digest); /* cached replies differ */
	kvt_free(&a);
	kvt_free(&b);
}

/* Equal states, different histories: other insertion orders, keys put
 * then deleted, a value appended in pieces or put whole. */
static void equal_states_have_equal_digests_whatever_their_history(void)
{
	struct kvt a, b;
	uint64_t sa, sb;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	sa = kvt_register(&a);
	sb = kvt_register(&b);
	kvt_put(&a, sa, 1, "p", "1");
	kvt_put(&a, sa, 2, "q", "2");
	kvt_put(&a, sa, 3, "long", "0123456789abcdefghij");
	kvt_delete(&a, sa, 4, "gone");
	kvt_get(&a, sa, 5, "none");

	kvt_append(&b, sb, 1, "long", "0123456789a");
	kvt_put(&b, sb, 2, "gone", "x");
	kvt_append(&b, sb, 3, "long", "bcdefghij");
	kvt_put(&b, sb, 4, "q", "2");
	kvt_put(&b, sb, 5, "p", "1");
	kvt_delete(&b, sb, 6, "gone");
	CHECK(a.kv.digest != b.kv.digest); /* b's session is at seq 6 */
	kvt_free(&a);
	REQUIRE(kvt_init(&a, NULL) == 0);
	sa = kvt_register(&a);
	kvt_put(&a, sa, 1, "p", "1");
	kvt_put(&a, sa, 2, "q", "2");
	kvt_put(&a, sa, 3, "long", "0123456789abcdefghij");
	kvt_delete(&a, sa, 4, "gone");
	kvt_put(&a, sa, 5, "gone", "y");
	kvt_delete(&a, sa, 6, "gone");
	/* Both: the keys p, q, long; session 1 at seq 6, last used at entry
	 * 7, its cached reply a delete that found its key. */
	CHECK_EQ(a.index, b.index);
	CHECK(a.kv.digest == b.kv.digest);
	kvt_free(&a);
	kvt_free(&b);
}

/* Stores with the same keys whose one session differs only in its last
 * seq, its last use, or its cached reply. */
static void the_digest_covers_each_sessions_seq_use_and_reply(void)
{
	struct kvt a, b;

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	kvt_register(&a);
	kvt_register(&b);
	kvt_put(&a, 1, 1, "k", "v");
	kvt_put(&b, 1, 2, "k", "v");
	CHECK(a.kv.digest != b.kv.digest); /* seq */
	kvt_free(&a);
	kvt_free(&b);

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	kvt_register(&a);
	kvt_register(&b);
	kvt_noop(&a);
	kvt_get(&a, 1, 1, "x");
	kvt_get(&b, 1, 1, "x");
	kvt_noop(&b);
	CHECK(a.kv.digest != b.kv.digest); /* last use */
	kvt_free(&a);
	kvt_free(&b);

	REQUIRE(kvt_init(&a, NULL) == 0);
	REQUIRE(kvt_init(&b, NULL) == 0);
	kvt_register(&a); /* session 1 reads, session 2 writes */
	kvt_register(&a);
	kvt_register(&b);
	kvt_register(&b);
	kvt_put(&a, 2, 1, "k", "1");
	kvt_put(&b, 2, 1, "k", "2");
	kvt_get(&a, 1, 1, "k");
	kvt_get(&b, 1, 1, "k");
	kvt_put(&a, 2, 2, "k", "2");
	kvt_put(&b, 2, 2, "k", "2");
	CHECK(kvt_is(&a, "k", "2") && kvt_is(&b, "k", "2"));
	CHECK(a.kv.digest != b.kv.digest); /* the cached get: 1 or 2 */
	kvt_free(&a);
	kvt_free(&b);
}

static void noops_and_undecodable_entries_are_skipped_alike(void)
{
	static const uint8_t junk[] = {0xff, 0x01, 0x02};
	struct kvt t;
	uint64_t s, d;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	kvt_put(&t, s, 1, "k", "v");
	d = t.kv.digest;
	kvt_noop(&t);
	CHECK_EQ(t.hooks, 2); /* no report for a no-op */
	CHECK(t.kv.digest == d);
	kvt_raw(&t, junk, sizeof(junk));
	CHECK_EQ(t.hooks, 3);
	CHECK(!t.executed);
	CHECK_EQ(t.cmd.client, -1);
	CHECK_EQ(t.cmd.op, KV_OP_COUNT);
	CHECK_EQ(t.hook_index, 4);
	kvt_raw(&t, NULL, 0);
	CHECK(!t.executed);
	CHECK(t.kv.digest == d);
	CHECK_EQ(t.kv.applied_index, 5);
	CHECK_EQ(t.kv.stats.executed, 1);
	kvt_free(&t);
}

static void the_hook_reports_the_request_and_its_reply(void)
{
	struct kvt t;
	uint64_t s;

	REQUIRE(kvt_init(&t, NULL) == 0);
	kvt_noop(&t);
	s = kvt_register(&t);
	CHECK_EQ(s, 2); /* the registration's index */
	CHECK(t.executed);
	CHECK_EQ(t.reply.session, 2);
	kvt_put(&t, s, 1, "k", "v");
	CHECK_EQ(t.hook_index, 3);
	CHECK_EQ(t.reply.seq, 1);
	CHECK_EQ(t.reply.client, 1);
	CHECK_EQ(t.reply.session, s);
	CHECK_EQ(t.reply.token, 0);
	CHECK_EQ(t.reply.leader_hint, -1);
	CHECK_EQ(t.cmd.op, KV_PUT);
	kvt_free(&t);
}

const struct test_case kv_ops_tests[] = {
	{"kv: get, put, overwrite and delete do what they say",
	 get_put_overwrite_and_delete},
	{"kv: append to an absent key creates it, later appends extend it",
	 append_to_absent_creates_then_appends},
	{"kv: cas swaps only on the expected value; expect null means absent",
	 cas_swaps_only_on_the_expected_value},
	{"kv: 20000 random operations leave the table agreeing with a plain "
	 "model",
	 the_table_agrees_with_a_plain_model},
	{"kv: the same commands give the same digest, a different one another",
	 same_commands_give_the_same_digest_and_another_differs},
	{"kv: equal states have equal digests whatever their history",
	 equal_states_have_equal_digests_whatever_their_history},
	{"kv: the digest covers each session's last seq, last use and cached "
	 "reply",
	 the_digest_covers_each_sessions_seq_use_and_reply},
	{"kv: no-ops and undecodable entries are skipped alike on every node",
	 noops_and_undecodable_entries_are_skipped_alike},
	{"kv: kv_hooks.applied reports each command with its reply",
	 the_hook_reports_the_request_and_its_reply},
	{NULL, NULL},
};

/* test_kv_sessions.c - client sessions (thesis §6.3; src/kv/kv_session.c):
 * dedup, stale copies, expiry by index and LRU eviction. */
#include <string.h>

#include "kvtest.h"
#include "testhelp.h"

static void a_retried_append_runs_once_and_gets_the_first_answer(void)
{
	struct kvt t;
	uint64_t s;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	CHECK_EQ(kvt_append(&t, s, 1, "k", "a"), KV_STATUS_OK);
	CHECK(t.executed);
	CHECK_EQ(kvt_append(&t, s, 1, "k", "a"), KV_STATUS_OK);
	CHECK(!t.executed);
	CHECK_EQ(kvt_append(&t, s, 1, "k", "a"), KV_STATUS_OK);
	CHECK(kvt_is(&t, "k", "a"));
	CHECK_EQ(t.kv.stats.executed, 1);
	CHECK_EQ(t.kv.stats.deduplicated, 2);
	CHECK_EQ(t.kv.stats.reexecuted, 0);
	kvt_free(&t);
}

/* A get retried after another client's write still answers what it read
 * at its first application; so does a cas. */
static void a_retry_gets_the_original_answer_not_a_new_one(void)
{
	struct kvt t;
	uint64_t a, b;

	REQUIRE(kvt_init(&t, NULL) == 0);
	a = kvt_register(&t);
	b = kvt_register(&t);
	kvt_put(&t, b, 1, "k", "old");
	kvt_get(&t, a, 1, "k");
	CHECK(kvt_replied(&t, "old"));
	kvt_put(&t, b, 2, "k", "new");
	CHECK_EQ(kvt_get(&t, a, 1, "k"), KV_STATUS_OK);
	CHECK(t.reply.found && kvt_replied(&t, "old"));
	CHECK(!t.executed);
	CHECK_EQ(kvt_cas(&t, a, 2, "k", "new", "mine"), KV_STATUS_OK);
	CHECK(t.reply.swapped);
	kvt_put(&t, b, 3, "k", "new");
	CHECK_EQ(kvt_cas(&t, a, 2, "k", "new", "mine"), KV_STATUS_OK);
	CHECK(t.reply.swapped); /* the first answer, */
	CHECK(!t.executed);
	CHECK(kvt_is(&t, "k", "new")); /* not run again */
	kvt_free(&t);
}

static void a_late_copy_below_the_last_seq_is_stale(void)
{
	struct kvt t;
	uint64_t s, d;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	kvt_append(&t, s, 1, "k", "1");
	kvt_append(&t, s, 2, "k", "2");
	d = t.kv.stats.executed;
	CHECK_EQ(kvt_append(&t, s, 1, "k", "1"), KV_STATUS_STALE);
	CHECK(!t.executed);
	CHECK_EQ(t.kv.stats.executed, d);
	CHECK(kvt_is(&t, "k", "12"));
	kvt_free(&t);
}

static void no_dedup_executes_retries_and_reexecuted_counts_them(void)
{
	struct kv_config cfg;
	struct kvt t;
	uint64_t s;

	kv_config_default(&cfg);
	cfg.no_dedup = true;
	REQUIRE(kvt_init(&t, &cfg) == 0);
	s = kvt_register(&t);
	kvt_append(&t, s, 1, "k", "a");
	CHECK_EQ(t.kv.stats.reexecuted, 0);
	kvt_append(&t, s, 1, "k", "a");
	CHECK(t.executed);
	CHECK(kvt_is(&t, "k", "aa"));
	CHECK_EQ(t.kv.stats.reexecuted, 1);
	kvt_append(&t, s, 2, "k", "b");
	CHECK_EQ(t.kv.stats.reexecuted, 1);
	kvt_append(&t, s, 1, "k", "a"); /* a late copy runs too */
	CHECK_EQ(t.kv.stats.reexecuted, 2);
	CHECK(kvt_is(&t, "k", "aaba"));
	CHECK_EQ(t.kv.stats.deduplicated, 0);
	kvt_free(&t);
}

static void an_unknown_session_is_refused_and_nothing_runs(void)
{
	struct kvt t;
	uint64_t s;

	REQUIRE(kvt_init(&t, NULL) == 0);
	s = kvt_register(&t);
	CHECK_EQ(kvt_put(&t, 0, 1, "k", "v"), KV_STATUS_SESSION_EXPIRED);
	CHECK(!t.executed);
	CHECK_EQ(kvt_put(&t, s + 100, 1, "k", "v"), KV_STATUS_SESSION_EXPIRED);
	CHECK(kvt_value(&t, "k") == NULL);
	CHECK_EQ(t.kv.stats.expired, 2);
	CHECK_EQ(t.kv.stats.executed, 0);
	kvt_free(&t);
}

/* Expiry 10: a session last used at entry u serves a request at u + 10
 * and is gone at u + 11, whatever the entries in between are. */
static void sessions_expire_by_index_alike_on_every_store(void)
{
	struct kv_config cfg;
	struct kvt a, b;
	uint64_t sa, sb, keep_a, keep_b;
	int i;

	kv_config_default(&cfg);
	cfg.session_expiry = 10;
	REQUIRE(kvt_init(&a, &cfg) == 0);
	REQUIRE(kvt_init(&b, &cfg) == 0);
	sa = kvt_register(&a); /* entry 1 */
	sb = kvt_register(&b);
	keep_a = kvt_register(&a); /* entry 2 */
	keep_b = kvt_register(&b);
	for (i = 0; i < 8; i++) { /* entries 3..10 */
		kvt_noop(&a);
		kvt_get(&b, keep_b, (uint64_t)i + 1, "x");
	}
	CHECK_EQ(kvt_put(&a, sa, 1, "k", "v"), KV_STATUS_OK); /* entry 11 */
	CHECK_EQ(kvt_put(&b, sb, 1, "k", "v"), KV_STATUS_OK);
	CHECK(a.kv.stats.sessions_expired == 0);
	/* a's keep (last used at 2) went at entry 13; b's (at 10) at 21. */
	for (i = 0; i < 10; i++) { /* entries 12..21 */
		kvt_noop(&a);
		kvt_noop(&b);
	}
	CHECK_EQ(a.kv.stats.sessions_expired, 1);
	CHECK_EQ(a.kv.stats.sessions, 1);
	CHECK_EQ(b.kv.stats.sessions_expired, 1);
	CHECK_EQ(kvt_put(&a, sa, 2, "k", "w"), KV_STATUS_SESSION_EXPIRED);
	CHECK(!a.executed);
	CHECK_EQ(kvt_put(&b, sb, 2, "k", "w"), KV_STATUS_SESSION_EXPIRED);
	CHECK_EQ(kvt_put(&a, keep_a, 1, "k", "w"), KV_STATUS_SESSION_EXPIRED);
	CHECK(kvt_is(&a, "k", "v"));
	CHECK_EQ(a.kv.stats.sessions, 0);
	CHECK_EQ(b.kv.stats.sessions, 0);
	/* Different paths to the same state (k = v, no session): the same
	 * digest. */
	CHECK(a.kv.digest == b.kv.digest);
	kvt_free(&a);
	kvt_free(&b);
}

/* A request of an expired session is never executed, even a retry of one
 * that was: its answer is gone with the session. */
static void an_expired_sessions_request_is_never_executed(void)
{
	struct kv_config cfg;
	struct kvt t;
	uint64_t s;
	int i;

	kv_config_default(&cfg);
	cfg.session_expiry = 3;
	REQUIRE(kvt_init(&t, &cfg) == 0);
	s = kvt_register(&t);
	kvt_append(&t, s, 1, "k", "a");
	for (i = 0; i < 4; i++)
		kvt_noop(&t);
	CHECK_EQ(kvt_append(&t, s, 1, "k", "a"), KV_STATUS_SESSION_EXPIRED);
	CHECK_EQ(kvt_append(&t, s, 2, "k", "b"), KV_STATUS_SESSION_EXPIRED);
	CHECK(!t.executed);
	CHECK(kvt_is(&t, "k", "a"));
	CHECK_EQ(t.kv.stats.executed, 1);
	CHECK_EQ(t.kv.stats.expired, 2);
	kvt_free(&t);
}

/* session_max 3: registering a fourth evicts the least recently used,
 * which is not the oldest once the oldest was used again. */
static void lru_eviction_picks_the_least_recently_used(void)
{
	struct kv_config cfg;
	struct kvt a, b;
	uint64_t s[4];
	int n;

	kv_config_default(&cfg);
	cfg.session_max = 3;
	REQUIRE(kvt_init(&a, &cfg) == 0);
	REQUIRE(kvt_init(&b, &cfg) == 0);
	for (n = 0; n < 2; n++) {
		struct kvt *t = n == 0 ? &a : &b;

		s[0] = kvt_register(t);
		s[1] = kvt_register(t);
		s[2] = kvt_register(t);
		kvt_get(t, s[0], 1, "k"); /* s[1] is now the least recent */
		kvt_get(t, s[2], 1, "k");
		s[3] = kvt_register(t);
		CHECK_EQ(t->kv.stats.sessions_evicted, 1);
		CHECK_EQ(t->kv.stats.sessions, 3);
	}
	CHECK(a.kv.digest == b.kv.digest);
	CHECK_EQ(kvt_put(&a, s[1], 1, "k", "v"), KV_STATUS_SESSION_EXPIRED);
	CHECK_EQ(kvt_put(&a, s[0], 2, "k", "v"), KV_STATUS_OK);
	CHECK_EQ(kvt_put(&a, s[2], 2, "k", "v"), KV_STATUS_OK);
	CHECK_EQ(kvt_put(&a, s[3], 1, "k", "v"), KV_STATUS_OK);
	/* Now s[0] is the least recent, and goes next. */
	kvt_register(&a);
	CHECK_EQ(kvt_put(&a, s[0], 3, "k", "v"), KV_STATUS_SESSION_EXPIRED);
	CHECK_EQ(kvt_put(&a, s[2], 3, "k", "v"), KV_STATUS_OK);
	CHECK_EQ(a.kv.stats.sessions_evicted, 2);
	kvt_free(&a);
	kvt_free(&b);
}

/* 10000 clients register over time with room for 64: the table stays at
 * 64 and the stores that saw the same entries agree. */
static void the_session_table_stays_bounded(void)
{
	struct kv_config cfg;
	struct kvt a, b;
	uint64_t live[64] = {0};
	unsigned i;

	kv_config_default(&cfg);
	cfg.session_max = 64;
	REQUIRE(kvt_init(&a, &cfg) == 0);
	REQUIRE(kvt_init(&b, &cfg) == 0);
	for (i = 0; i < 10000; i++) {
		uint64_t sa = kvt_register(&a), sb = kvt_register(&b);

		CHECK(sa == sb);
		live[i % 64] = sa;
		kvt_get(&a, live[(i * 7) % 64], 1, "k");
		kvt_get(&b, live[(i * 7) % 64], 1, "k");
	}
	CHECK_EQ(a.kv.stats.sessions, 64);
	CHECK(a.kv.stats.sessions_evicted >= 10000 - 64);
	CHECK(a.kv.digest == b.kv.digest);
	kvt_free(&a);
	kvt_free(&b);
}

const struct test_case kv_sessions_tests[] = {
	{"kv session §6.3: a retried append is executed once and the retry gets the "
	 "first answer",
	 a_retried_append_runs_once_and_gets_the_first_answer},
	{"kv session §6.3: a retried get or cas answers what it did the first time, "
	 "after later writes",
	 a_retry_gets_the_original_answer_not_a_new_one},
	{"kv session §6.3: a late copy of a request below the session's last seq is "
	 "stale, not executed",
	 a_late_copy_below_the_last_seq_is_stale},
	{"kv mistake no-dedup: retries run again and reexecuted counts each",
	 no_dedup_executes_retries_and_reexecuted_counts_them},
	{"kv session §6.3: a request of an unknown session is refused and not executed",
	 an_unknown_session_is_refused_and_nothing_runs},
	{"kv session §6.3: sessions expire by log index, alike on every store",
	 sessions_expire_by_index_alike_on_every_store},
	{"kv session §6.3: an expired session's request is never executed, retry or not",
	 an_expired_sessions_request_is_never_executed},
	{"kv session §6.3: a full table evicts the least recently used session, alike "
	 "on every store",
	 lru_eviction_picks_the_least_recently_used},
	{"kv session §6.3: 10000 registrations keep the session table at session_max",
	 the_session_table_stays_bounded},
	{NULL, NULL},
};

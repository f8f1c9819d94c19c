/* test_lincheck_fuzz.c - the checker against histories made from a real
 * sequential store (like ../shared/bench/genhist.py, in C): clients run
 * one op at a time, each op takes effect at a random instant inside its
 * interval (or never, when it ends in fail, or maybe never, in info).
 * Such histories are linearizable by construction; with one read changed
 * they may not be, and a brute-force search over every order decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lchist.h"
#include "testhelp.h"

#define MAX_OPS 48
#define MAX_CLIENTS 4
#define VAL 256 /* longest value: appends concatenate */

struct gop {
	int client;
	int key;
	enum hist_op op;
	char value[VAL], expect[VAL];
	bool expect_null;
	char result[VAL];
	bool result_null, swapped;
	enum hist_type end; /* HIST_OK, HIST_FAIL or HIST_INFO */
	int64_t inv, eff, ret;
	bool effective; /* took effect (at eff) */
};

struct ghist {
	struct gop ops[MAX_OPS];
	int n;
};

static uint64_t rng;

static uint64_t next_rand(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int below(int n)
{
	return (int)(next_rand() % (uint64_t)n);
}

struct store {
	char v[2][VAL * MAX_OPS];
	bool present[2];
};

/* Applies op to the store; fills its result. */
static void apply(struct store *s, struct gop *o)
{
	char *v = s->v[o->key];
	bool *present = &s->present[o->key];

	switch (o->op) {
	case HIST_GET:
		o->result_null = !*present;
		snprintf(o->result, VAL, "%s", *present ? v : "");
		break;
	case HIST_PUT:
		snprintf(v, VAL, "%s", o->value);
		*present = true;
		break;
	case HIST_APPEND:
		if (!*present)
			v[0] = '\0';
		strncat(v, o->value, VAL - 1 - strlen(v));
		*present = true;
		break;
	case HIST_DELETE:
		*present = false;
		break;
	case HIST_CAS:
		o->swapped = o->expect_null ? !*present
					    : *present && !strcmp(v, o->expect);
		if (o->swapped) {
			snprintf(v, VAL, "%s", o->value);
			*present = true;
		}
		break;
	}
}

static int by_effect(const void *a, const void *b)
{
	const struct gop *x = *(const struct gop *const *)a;
	const struct gop *y = *(const struct gop *const *)b;

	if (x->eff != y->eff)
		return x->eff < y->eff ? -1 : 1;
	return x->client - y->client;
}

enum mix {
	MIX_ALL,      /* every op */
	MIX_REGISTER, /* get, put and cas: the register inference's ground */
	MIX_APPENDS,  /* mostly gets, appends and deletes: the append one's */
};

/* A history of n ops by `clients` clients on `keys` keys, in a mix. */
static void generate(struct ghist *h, int n, int clients, int keys,
		     enum mix mix, int dur)
{
	int64_t t_free[MAX_CLIENTS] = {0};
	struct gop *by_eff[MAX_OPS];
	struct store s;
	int i, written = 0;

	memset(&s, 0, sizeof(s));
	h->n = n;
	for (i = 0; i < n; i++) {
		struct gop *o = &h->ops[i];
		int r = below(100);

		memset(o, 0, sizeof(*o));
		o->client = below(clients);
		o->key = below(keys);
		o->op = r < 35   ? HIST_GET
			: r < 60 ? HIST_PUT
			: r < 80 ? HIST_CAS
			: r < 92 ? HIST_APPEND
				 : HIST_DELETE;
		if (mix == MIX_REGISTER &&
		    (o->op == HIST_APPEND || o->op == HIST_DELETE))
			o->op = HIST_PUT;
		if (mix == MIX_APPENDS)
			o->op = r < 35   ? HIST_GET
				: r < 65 ? HIST_APPEND
				: r < 80 ? HIST_DELETE
				: r < 90 ? HIST_CAS
					 : HIST_PUT;
		snprintf(o->value, VAL, "c%di%d", o->client, i);
		o->expect_null = below(4) == 0;
		snprintf(o->expect, VAL, "c%di%d", below(clients),
			 written > 0 ? below(written + 1) : 0);
		written++;
		o->inv = t_free[o->client];
		o->eff = o->inv + 1 + below(dur);
		o->ret = o->eff + 1 + below(dur);
		t_free[o->client] = o->ret + 1 + below(3); /* no tie */
		r = below(100);
		o->end = r < 8 ? HIST_FAIL : r < 22 ? HIST_INFO : HIST_OK;
		o->effective = o->end == HIST_OK ||
			       (o->end == HIST_INFO && below(2) == 0);
		by_eff[i] = o;
	}
	qsort(by_eff, (size_t)n, sizeof(by_eff[0]), by_effect);
	for (i = 0; i < n; i++) {
		struct gop *o = by_eff[i];

		/* a cas's expect is, more often than not, what the key held */
		if (o->op == HIST_CAS && below(10) < 6) {
			o->expect_null = !s.present[o->key];
			snprintf(o->expect, VAL, "%s", s.v[o->key]);
		}
		if (o->effective)
			apply(&s, o);
	}
}

static const char *key_name(int k)
{
	return k ? "k1" : "k0";
}

/* Feeds h, client by client (each client's events in its own order). */
static void feed(const struct ghist *h, bool search_only)
{
	int c, i;

	h_begin(search_only);
	for (c = 0; c < MAX_CLIENTS; c++) {
		for (i = 0; i < h->n; i++) {
			const struct gop *o = &h->ops[i];
			double inv = (double)o->inv, ret = (double)o->ret;

			if (o->client != c)
				continue;
			if (o->op == HIST_CAS)
				h_cas(inv, c, key_name(o->key),
				      o->expect_null ? NULL : o->expect,
				      o->value);
			else if (o->op == HIST_GET)
				h_get(inv, c, key_name(o->key));
			else if (o->op == HIST_DELETE)
				h_delete(inv, c, key_name(o->key));
			else if (o->op == HIST_PUT)
				h_put(inv, c, key_name(o->key), o->value);
			else
				h_append(inv, c, key_name(o->key), o->value);
			if (o->end == HIST_FAIL)
				h_fail(ret, c);
			else if (o->end == HIST_INFO)
				h_info(ret, c);
			else if (o->op == HIST_GET)
				h_read(ret, c,
				       o->result_null ? NULL : o->result);
			else if (o->op == HIST_CAS)
				h_swapped(ret, c, o->swapped);
			else
				h_ok(ret, c);
		}
	}
}

/* ---- the brute force: every order of every subset that holds the
 * completed ops, respecting real time ---- */

static const struct ghist *bh;
static bool placed[MAX_OPS];

static bool result_matches(const struct store *s, const struct gop *o)
{
	struct store tmp = *s;
	struct gop x = *o;

	if (o->end != HIST_OK)
		return true;
	apply(&tmp, &x);
	if (o->op == HIST_GET)
		return x.result_null == o->result_null &&
		       (o->result_null || strcmp(x.result, o->result) == 0);
	if (o->op == HIST_CAS)
		return x.swapped == o->swapped;
	return true;
}

static bool eligible(int i)
{
	int j;

	for (j = 0; j < bh->n; j++)
		if (j != i && !placed[j] && bh->ops[j].end == HIST_OK &&
		    bh->ops[j].ret < bh->ops[i].inv)
			return false;
	return true;
}

static bool brute(const struct store *s, int required)
{
	int i;

	if (required == 0)
		return true;
	for (i = 0; i < bh->n; i++) {
		const struct gop *o = &bh->ops[i];
		struct store next;
		struct gop x;

		if (placed[i] || o->end == HIST_FAIL || !eligible(i) ||
		    !result_matches(s, o))
			continue;
		next = *s;
		x = *o;
		apply(&next, &x);
		placed[i] = true;
		if (brute(&next, required - (o->end == HIST_OK)))
			return placed[i] = false, true;
		placed[i] = false;
	}
	return false;
}

static bool brute_linearizable(const struct ghist *h)
{
	struct store s;
	int i, required = 0;

	memset(&s, 0, sizeof(s));
	memset(placed, 0, sizeof(placed));
	bh = h;
	for (i = 0; i < h->n; i++)
		required += h->ops[i].end == HIST_OK;
	return brute(&s, required);
}

/* Changes one completed get's result to another value the key may have
 * held, or null. 0 when the history has no completed get. */
static int mutate_one_read(struct ghist *h)
{
	int gets[MAX_OPS], n = 0, i, pick;
	struct gop *g;

	for (i = 0; i < h->n; i++)
		if (h->ops[i].op == HIST_GET && h->ops[i].end == HIST_OK)
			gets[n++] = i;
	if (n == 0)
		return 0;
	g = &h->ops[gets[below(n)]];
	pick = below(h->n + 1);
	if (pick == h->n || h->ops[pick].op == HIST_GET ||
	    h->ops[pick].op == HIST_DELETE) {
		g->result_null = !g->result_null;
		memcpy(g->result, h->ops[below(h->n)].value, VAL);
	} else {
		g->result_null = false;
		memcpy(g->result, h->ops[pick].value, VAL);
	}
	return 1;
}

static void random_histories_from_a_real_store_are_linearizable(void)
{
	struct ghist *h = malloc(sizeof(*h));
	int seed, mode, bad = 0;

	REQUIRE(h != NULL);
	for (seed = 1; seed <= 400; seed++) {
		rng = (uint64_t)seed;
		generate(h, 8 + below(32), 2 + below(3), 1 + below(2),
			 (enum mix)(seed % 3), 1 + below(8));
		for (mode = 0; mode < 2; mode++) {
			enum lincheck_verdict v;

			feed(h, mode == 1);
			CHECK_EQ(h_refused(), 0);
			v = h_verdict();
			if (v != LINCHECK_OK && bad++ < 3)
				TEST_FAIL_AT("seed %d, %s: verdict %d\n%s",
					     seed,
					     mode ? "search" : "inference", v,
					     h_report());
		}
	}
	CHECK_EQ(bad, 0);
	h_end();
	free(h);
}

static void one_changed_read_gets_the_brute_force_verdict(void)
{
	struct ghist *h = malloc(sizeof(*h));
	int seed, mode, bad = 0, illegal = 0, tried = 0;

	REQUIRE(h != NULL);
	for (seed = 1; seed <= 3000; seed++) {
		bool want;

		rng = (uint64_t)seed * 7919;
		generate(h, 3 + below(6), 2 + below(2), 1 + below(2),
			 seed % 2 == 0 ? MIX_REGISTER : MIX_ALL, 1 + below(5));
		if (seed % 5 != 0 && !mutate_one_read(h))
			continue;
		want = brute_linearizable(h);
		illegal += !want;
		tried++;
		for (mode = 0; mode < 2; mode++) {
			enum lincheck_verdict v;

			feed(h, mode == 1);
			CHECK_EQ(h_refused(), 0);
			v = h_verdict();
			if (v != (want ? LINCHECK_OK : LINCHECK_ILLEGAL) &&
			    bad++ < 3)
				TEST_FAIL_AT(
					"seed %d, %s: verdict %d, brute "
					"force says %s\n%s",
					seed, mode ? "search" : "inference", v,
					want ? "OK" : "illegal", h_report());
		}
	}
	CHECK_EQ(bad, 0);
	/* the mutations make both answers common */
	CHECK(illegal > tried / 5);
	CHECK(illegal < tried - tried / 5);
	h_end();
	free(h);
}

/* Changes one completed get of the key's chunks the way a broken store
 * would: a chunk dropped, shown twice, two swapped, or the read made
 * absent (or present) instead. 0 when the history has no such get. */
static int mutate_one_append_read(struct ghist *h)
{
	int gets[MAX_OPS], n = 0, i, cut[VAL], k = 0, a;
	char *v, tmp[VAL];
	struct gop *g;

	for (i = 0; i < h->n; i++)
		if (h->ops[i].op == HIST_GET && h->ops[i].end == HIST_OK)
			gets[n++] = i;
	if (n == 0)
		return 0;
	g = &h->ops[gets[below(n)]];
	v = g->result;
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] == 'c')
			cut[k++] = i; /* where each chunk starts */
	cut[k] = i;
	if (g->result_null || k == 0 || below(6) == 0) {
		g->result_null = !g->result_null;
		memcpy(v, h->ops[below(h->n)].value, VAL);
		return 1;
	}
	a = below(k);
	switch (below(3)) {
	case 0: /* dropped */
		memmove(v + cut[a], v + cut[a + 1], strlen(v + cut[a + 1]) + 1);
		g->result_null = g->result_null || v[0] == '\0';
		break;
	case 1: /* twice */
		snprintf(tmp, sizeof(tmp), "%.*s%s", cut[a + 1], v, v + cut[a]);
		snprintf(v, VAL, "%s", tmp);
		break;
	default: /* swapped with the next */
		if (a + 1 >= k)
			return 0;
		snprintf(tmp, sizeof(tmp), "%.*s%.*s%.*s%s", cut[a], v,
			 cut[a + 2] - cut[a + 1], v + cut[a + 1],
			 cut[a + 1] - cut[a], v + cut[a], v + cut[a + 2]);
		snprintf(v, VAL, "%s", tmp);
		break;
	}
	return 1;
}

static void one_changed_append_read_gets_the_brute_force_verdict(void)
{
	struct ghist *h = malloc(sizeof(*h));
	int seed, mode, bad = 0, illegal = 0, tried = 0, inferred = 0;

	REQUIRE(h != NULL);
	for (seed = 1; seed <= 3000; seed++) {
		bool want;

		rng = (uint64_t)seed * 104729;
		generate(h, 3 + below(7), 2 + below(2), 1, MIX_APPENDS,
			 1 + below(5));
		if (seed % 5 != 0 && !mutate_one_append_read(h))
			continue;
		want = brute_linearizable(h);
		illegal += !want;
		tried++;
		for (mode = 0; mode < 2; mode++) {
			enum lincheck_verdict v;

			feed(h, mode == 1);
			CHECK_EQ(h_refused(), 0);
			v = h_verdict();
			if (mode == 0)
				inferred += h_keys_by_inference() > 0;
			if (v != (want ? LINCHECK_OK : LINCHECK_ILLEGAL) &&
			    bad++ < 3)
				TEST_FAIL_AT(
					"seed %d, %s: verdict %d, brute "
					"force says %s\n%s",
					seed, mode ? "search" : "inference", v,
					want ? "OK" : "illegal", h_report());
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(illegal > tried / 5);
	CHECK(illegal < tried - tried / 5);
	/* the append inference decides most of them, not the search */
	CHECK(inferred > tried * 3 / 4);
	h_end();
	free(h);
}

/* One other kind of lie: a cas that reports the other outcome, a write
 * that took effect reported failed, an info turned fail, or an op whose
 * completion comes before another's invoke that it overlapped. 0 when
 * the history offers none of the kind drawn. */
static int mutate_other(struct ghist *h)
{
	int cand[MAX_OPS], n = 0, i, kind = below(4);
	struct gop *o;

	for (i = 0; i < h->n; i++) {
		const struct gop *x = &h->ops[i];

		if ((kind == 0 && x->op == HIST_CAS && x->end == HIST_OK) ||
		    (kind == 1 && x->op != HIST_GET && x->end == HIST_OK) ||
		    (kind == 2 && x->op != HIST_GET && x->end == HIST_INFO) ||
		    (kind == 3 && x->end == HIST_OK))
			cand[n++] = i;
	}
	if (n == 0)
		return 0;
	o = &h->ops[cand[below(n)]];
	if (kind == 0)
		o->swapped = !o->swapped;
	else if (kind == 1 || kind == 2)
		o->end = HIST_FAIL;
	else
		o->ret = o->eff; /* returns at its effect: may now precede */
	return 1;
}

static void other_lies_get_the_brute_force_verdict(void)
{
	struct ghist *h = malloc(sizeof(*h));
	int seed, mode, bad = 0, illegal = 0, tried = 0;

	REQUIRE(h != NULL);
	for (seed = 1; seed <= 4000; seed++) {
		bool want;

		rng = (uint64_t)seed * 104729;
		generate(h, 3 + below(7), 2 + below(3), 1 + below(2),
			 seed % 2 == 0 ? MIX_REGISTER : MIX_ALL, 1 + below(5));
		if (!mutate_other(h))
			continue;
		want = brute_linearizable(h);
		illegal += !want;
		tried++;
		for (mode = 0; mode < 2; mode++) {
			enum lincheck_verdict v;

			feed(h, mode == 1);
			CHECK_EQ(h_refused(), 0);
			v = h_verdict();
			if (v != (want ? LINCHECK_OK : LINCHECK_ILLEGAL) &&
			    bad++ < 3)
				TEST_FAIL_AT(
					"seed %d, %s: verdict %d, brute "
					"force says %s\n%s",
					seed, mode ? "search" : "inference", v,
					want ? "OK" : "illegal", h_report());
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(illegal > tried / 10);
	CHECK(illegal < tried - tried / 10);
	h_end();
	free(h);
}

const struct test_case lincheck_fuzz_tests[] = {
	{"lincheck: random histories from a real sequential store are "
	 "linearizable",
	 random_histories_from_a_real_store_are_linearizable},
	{"lincheck: with one read changed, the verdict is the brute force's",
	 one_changed_read_gets_the_brute_force_verdict},
	{"lincheck: with one read of appends changed (a chunk dropped, doubled "
	 "or moved), the verdict is the brute force's",
	 one_changed_append_read_gets_the_brute_force_verdict},
	{"lincheck: with a cas, an end or a time changed, the verdict is the "
	 "brute force's",
	 other_lies_get_the_brute_force_verdict},
	{NULL, NULL},
};

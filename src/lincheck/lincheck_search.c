/* lincheck_search.c - the sequential store, the witness check, and the
 * search for keys inference cannot decide: Wing & Gong's, with Lowe's
 * just-in-time linearization and memoization of (linearized set, state),
 * as in Porcupine.
 *
 * The key's calls and returns are one list in time order (at a tie the
 * call first: ops that touch are concurrent). Walking it, a call may be
 * linearized now (lifted out of the list, pushed) if the store accepts its
 * result and the (set, state) reached was never tried; a return whose op
 * is not linearized yet means the choices so far fail: pop and go on
 * after that op's call. An open op has no return: it may be linearized
 * anywhere after its call, or never; when no return is left, every
 * completed op has its place.
 *
 * An open write may never take effect, so a search that leaves some out
 * and finds an order has found one for the whole key. The first search
 * leaves out the open puts and cas whose value nobody read or expected
 * (they can only explain a cas that did not swap): under --dup or expiring
 * sessions a key may hold hundreds, each free to go anywhere after its
 * call, and the search with them all runs out of memory. Only when that
 * one finds no order does the search run again with every op.
 */
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

/* The key's state after op; 1 when op's result matches (an open op's is
 * not checked), 0 when not, -1 out of memory. */
static int step(struct lincheck *lc, const struct lc_op *op, uint32_t state,
		uint32_t *next)
{
	bool open = op->status != LC_OK, match;
	const char *s;
	size_t a, b;
	int64_t id;

	*next = state;
	switch (op->op) {
	case HIST_GET:
		return open || op->result == state;
	case HIST_PUT:
		*next = op->value;
		return 1;
	case HIST_DELETE:
		*next = LC_NULL;
		return 1;
	case HIST_CAS:
		match = op->expect == state;
		if (!open && op->swapped != match)
			return 0;
		if (match)
			*next = op->value;
		return 1;
	case HIST_APPEND:
		s = lc_string(&lc->strings, state, &a);
		lc_string(&lc->strings, op->value, &b);
		if (a + b > lc->cat_cap) {
			char *c = realloc(lc->cat, a + b);

			if (c == NULL)
				return -1;
			lc->cat = c;
			lc->cat_cap = a + b;
		}
		memcpy(lc->cat, s, a);
		memcpy(lc->cat + a, lc_string(&lc->strings, op->value, &b), b);
		id = lc_intern(&lc->strings, lc->cat, a + b);
		if (id < 0)
			return -1;
		*next = (uint32_t)id;
		return 1;
	}
	return 0;
}

int lc_witness_ok(struct lincheck *lc, const struct lc_key *k,
		  const uint32_t *seq, size_t len)
{
	uint8_t *seen = calloc(k->n + 1, 1);
	int64_t latest = INT64_MIN;
	uint32_t state = LC_NULL;
	size_t i;
	int ok = 0;

	if (seen == NULL)
		return -2;
	for (i = 0; i < len; i++) {
		const struct lc_op *op = &lc->ops[k->ops[seq[i]]];

		if (seq[i] >= k->n || seen[seq[i]]++)
			goto out;
		if (op->inv > latest)
			latest = op->inv;
		/* an op invoked after this one completed comes before it */
		if (latest > op->ret || step(lc, op, state, &state) != 1)
			goto out;
	}
	for (i = 0; i < k->n; i++)
		if (lc->ops[k->ops[i]].status == LC_OK && !seen[i])
			goto out;
	ok = 1;
out:
	free(seen);
	return ok;
}

/* The calls and returns of the key's ops, a doubly linked list with a
 * head (index n_ent) that lifting and unlifting edit in place. */
struct search {
	struct lincheck *lc;
	const struct lc_key *k;
	struct lc_why *why;
	const uint8_t *left_out; /* local op -> 1: not in this search */
	uint32_t m;              /* ops in the search */
	uint32_t *op_of;         /* search op -> local op */
	uint32_t n_ent;
	uint32_t *ent_op; /* entry -> search op */
	uint8_t *ent_call;
	uint32_t *next, *prev;
	uint32_t *call_of, *ret_of; /* search op -> entries (UINT32_MAX) */
	uint64_t *zob; /* search op -> random bits of the set's hash */
	/* the cache: records of (hash, state, bitset) in one pool */
	size_t words, stride;
	uint64_t *pool;
	size_t pool_len, pool_cap;
	uint32_t *table;
	size_t table_mask, table_used;
	/* the path */
	uint64_t *bits;
	uint32_t *stack_op, *stack_state;
};

struct ent_sort {
	int64_t t;
	uint32_t kind; /* 0 call, 1 return: a call first at a tie */
	uint32_t op;
};

static int by_time(const void *a, const void *b)
{
	const struct ent_sort *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->op < y->op ? -1 : x->op > y->op;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int search_build(struct search *s)
{
	const struct lc_key *k = s->k;
	struct ent_sort *es;
	uint64_t seed = 2026;
	uint32_t i, e = 0;

	s->op_of = malloc((k->n + 1) * sizeof(*s->op_of));
	if (s->op_of == NULL)
		return -1;
	for (i = 0; i < k->n; i++) {
		const struct lc_op *op = &s->lc->ops[k->ops[i]];

		if (op->op == HIST_GET && op->status != LC_OK)
			continue; /* an open get changes nothing */
		if (s->left_out == NULL || !s->left_out[i])
			s->op_of[s->m++] = i;
	}
	es = malloc((2 * (size_t)s->m + 1) * sizeof(*es));
	s->ent_op = malloc((2 * (size_t)s->m + 1) * sizeof(*s->ent_op));
	s->ent_call = malloc(2 * (size_t)s->m + 1);
	s->next = malloc((2 * (size_t)s->m + 1) * sizeof(*s->next));
	s->prev = malloc((2 * (size_t)s->m + 1) * sizeof(*s->prev));
	s->call_of = malloc(((size_t)s->m + 1) * sizeof(*s->call_of));
	s->ret_of = malloc(((size_t)s->m + 1) * sizeof(*s->ret_of));
	s->zob = malloc(((size_t)s->m + 1) * sizeof(*s->zob));
	s->words = ((size_t)s->m + 63) / 64 + 1;
	s->stride = 2 + s->words;
	s->bits = calloc(s->words, sizeof(*s->bits));
	s->stack_op = malloc(((size_t)s->m + 1) * sizeof(*s->stack_op));
	s->stack_state = malloc(((size_t)s->m + 1) * sizeof(*s->stack_state));
	if (es == NULL || s->ent_op == NULL || s->ent_call == NULL ||
	    s->next == NULL || s->prev == NULL || s->call_of == NULL ||
	    s->ret_of == NULL || s->zob == NULL || s->bits == NULL ||
	    s->stack_op == NULL || s->stack_state == NULL) {
		free(es);
		return -1;
	}
	for (i = 0; i < s->m; i++) {
		const struct lc_op *op = &s->lc->ops[k->ops[s->op_of[i]]];

		es[e++] = (struct ent_sort){op->inv, 0, i};
		if (op->status == LC_OK)
			es[e++] = (struct ent_sort){op->ret, 1, i};
		s->ret_of[i] = UINT32_MAX;
		s->zob[i] = splitmix(&seed);
	}
	qsort(es, e, sizeof(*es), by_time);
	s->n_ent = e;
	for (i = 0; i < e; i++) {
		s->ent_op[i] = es[i].op;
		s->ent_call[i] = es[i].kind == 0;
		if (es[i].kind == 0)
			s->call_of[es[i].op] = i;
		else
			s->ret_of[es[i].op] = i;
		s->next[i] = i + 1;
		s->prev[i] = i == 0 ? e : i - 1;
	}
	s->next[e] = e == 0 ? e : 0; /* the head */
	s->prev[e] = e == 0 ? e : e - 1;
	if (e > 0)
		s->next[e - 1] = e;
	free(es);
	return 0;
}

static void unlink_ent(struct search *s, uint32_t x)
{
	s->next[s->prev[x]] = s->next[x];
	s->prev[s->next[x]] = s->prev[x];
}

static void relink_ent(struct search *s, uint32_t x)
{
	s->next[s->prev[x]] = x;
	s->prev[s->next[x]] = x;
}

static void lift(struct search *s, uint32_t op)
{
	unlink_ent(s, s->call_of[op]);
	if (s->ret_of[op] != UINT32_MAX)
		unlink_ent(s, s->ret_of[op]);
}

static void unlift(struct search *s, uint32_t op)
{
	if (s->ret_of[op] != UINT32_MAX)
		relink_ent(s, s->ret_of[op]);
	relink_ent(s, s->call_of[op]);
}

/* What the search holds, with the states its appends interned. */
static size_t search_bytes(const struct search *s)
{
	return s->pool_cap * sizeof(uint64_t) +
	       (s->table ? (s->table_mask + 1) * sizeof(uint32_t) : 0) +
	       lc_strings_bytes(&s->lc->strings);
}

static int cache_grow(struct search *s)
{
	size_t mask = s->table ? s->table_mask * 2 + 1 : 4095, i;
	uint32_t *t;

	if ((mask + 1) * sizeof(*t) + search_bytes(s) > LC_MEM_LIMIT ||
	    mask >= UINT32_MAX)
		return -1;
	t = calloc(mask + 1, sizeof(*t));
	if (t == NULL)
		return -1;
	for (i = 0; i < s->table_used; i++) {
		size_t j = s->pool[i * s->stride] & mask;

		while (t[j] != 0)
			j = (j + 1) & mask;
		t[j] = (uint32_t)i + 1;
	}
	free(s->table);
	s->table = t;
	s->table_mask = mask;
	return 0;
}

/* Adds (bits, state) unless there: 1 added, 0 seen before, -1 no memory. */
static int cache_add(struct search *s, uint64_t h, uint32_t state)
{
	size_t j;
	uint32_t r;

	h ^= (uint64_t)state * 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	if (s->table == NULL || (s->table_used + 1) * 2 > s->table_mask) {
		if (cache_grow(s) != 0)
			return -1;
	}
	for (j = h & s->table_mask; (r = s->table[j]) != 0;
	     j = (j + 1) & s->table_mask) {
		const uint64_t *rec = s->pool + (size_t)(r - 1) * s->stride;

		if (rec[0] == h && rec[1] == state &&
		    memcmp(rec + 2, s->bits, s->words * sizeof(uint64_t)) == 0)
			return 0;
	}
	if ((s->table_used + 1) * s->stride > s->pool_cap) {
		size_t cap = s->pool_cap ? 2 * s->pool_cap : 64 * s->stride;
		uint64_t *p;

		if (cap * sizeof(*p) + search_bytes(s) > LC_MEM_LIMIT)
			return -1;
		p = realloc(s->pool, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		s->pool = p;
		s->pool_cap = cap;
	}
	memcpy(s->pool + s->table_used * s->stride + 2, s->bits,
	       s->words * sizeof(uint64_t));
	s->pool[s->table_used * s->stride] = h;
	s->pool[s->table_used * s->stride + 1] = state;
	s->table[j] = (uint32_t)++s->table_used;
	return 1;
}

static void search_free(struct search *s)
{
	free(s->op_of);
	free(s->ent_op);
	free(s->ent_call);
	free(s->next);
	free(s->prev);
	free(s->call_of);
	free(s->ret_of);
	free(s->zob);
	free(s->pool);
	free(s->table);
	free(s->bits);
	free(s->stack_op);
	free(s->stack_state);
}

/* A failure deeper than any before: its path is the report's longest
 * linearizable prefix, and op the one that cannot be placed after it. */
static void note_failure(struct search *s, uint32_t depth, uint32_t op)
{
	uint32_t i;

	if (s->why->prefix != NULL && depth <= s->why->prefix_len)
		return;
	if (s->why->prefix == NULL) {
		s->why->prefix = malloc(((size_t)s->m + 1) * sizeof(uint32_t));
		if (s->why->prefix == NULL)
			return;
	}
	for (i = 0; i < depth; i++)
		s->why->prefix[i] = s->k->ops[s->op_of[s->stack_op[i]]];
	s->why->prefix_len = depth;
	s->why->blocked = (int64_t)s->k->ops[s->op_of[op]];
}

static void explain(struct search *s, uint32_t state_at_best)
{
	char a[256], v[96];
	const char *str;
	size_t len;

	str = lc_string(&s->lc->strings, state_at_best, &len);
	if (state_at_best == LC_NULL)
		snprintf(v, sizeof(v), "absent");
	else
		snprintf(v, sizeof(v), "\"%.*s\"%s", len > 64 ? 64 : (int)len,
			 str, len > 64 ? "..." : "");
	if (s->why->blocked < 0) {
		snprintf(s->why->text, sizeof(s->why->text),
			 "no order of the operations works (the search "
			 "linearized at most %zu of %u)",
			 s->why->prefix_len, s->m);
		return;
	}
	lc_describe(s->lc, &s->lc->ops[s->why->blocked], a, sizeof(a));
	snprintf(s->why->text, sizeof(s->why->text),
		 "the longest linearizable prefix the search found holds %zu "
		 "of %u operations and leaves the key %s; after it, %s must "
		 "take effect before it completes, and cannot: neither it nor "
		 "any operation concurrent with it fits there",
		 s->why->prefix_len, s->m, v, a);
}

static enum lc_key_verdict search_key(struct lincheck *lc,
				      const struct lc_key *k,
				      struct lc_why *why,
				      const uint8_t *left_out)
{
	struct search s = {.lc = lc, .k = k, .why = why, .left_out = left_out};
	enum lc_key_verdict v = LC_KEY_NOMEM;
	uint32_t depth = 0, state = LC_NULL, best_state = LC_NULL, returns = 0,
		 e, op, next;
	uint64_t h = 0, steps = 0;
	int rv;

	if (search_build(&s) != 0)
		goto out;
	for (op = 0; op < s.m; op++)
		returns += s.ret_of[op] != UINT32_MAX;
	e = s.next[s.n_ent];
	while (returns > 0) {
		if ((++steps & 1023) == 0 && lc_timed_out(lc)) {
			v = LC_KEY_TIMEOUT;
			goto out;
		}
		op = s.ent_op[e];
		if (!s.ent_call[e]) { /* op must have taken effect by now */
			if (why->prefix == NULL || depth > why->prefix_len) {
				note_failure(&s, depth, op);
				best_state = state;
			}
			if (depth == 0) {
				explain(&s, best_state);
				v = LC_KEY_ILLEGAL;
				goto out;
			}
			op = s.stack_op[--depth];
			state = s.stack_state[depth];
			s.bits[op / 64] &= ~(1ull << (op % 64));
			h ^= s.zob[op];
			unlift(&s, op);
			returns += s.ret_of[op] != UINT32_MAX;
			e = s.next[s.call_of[op]];
			continue;
		}
		rv = step(lc, &lc->ops[k->ops[s.op_of[op]]], state, &next);
		if (rv < 0)
			goto out;
		if (rv == 1) {
			s.bits[op / 64] |= 1ull << (op % 64);
			rv = cache_add(&s, h ^ s.zob[op], next);
			if (rv < 0)
				goto out;
			if (rv == 1) {
				s.stack_op[depth] = op;
				s.stack_state[depth++] = state;
				state = next;
				h ^= s.zob[op];
				lift(&s, op);
				returns -= s.ret_of[op] != UINT32_MAX;
				e = s.next[s.n_ent];
				continue;
			}
			s.bits[op / 64] &= ~(1ull << (op % 64));
		}
		e = s.next[e];
	}
	v = LC_KEY_OK;
out:
	search_free(&s);
	return v;
}

enum lc_key_verdict lc_search(struct lincheck *lc, const struct lc_key *k,
			      struct lc_why *why)
{
	uint8_t *left_out = lc_unobserved_open_writes(lc, k);
	enum lc_key_verdict v;

	if (left_out != NULL) {
		v = search_key(lc, k, why, left_out);
		free(left_out);
		if (v == LC_KEY_OK || v == LC_KEY_TIMEOUT)
			return v;
		/* Its failure says nothing of the whole key's. */
		free(why->prefix);
		memset(why, 0, sizeof(*why));
		why->blocked = -1;
	}
	return search_key(lc, k, why, NULL);
}

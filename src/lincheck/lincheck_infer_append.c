/* lincheck_infer_append.c - deciding a key with appends and deletes from
 * its unique self-delimiting chunks (history.h; Elle's list-append
 * inference), without the search.
 *
 * When every value written to the key (a put's, a cas's new one, an
 * append's chunk) is a unique chunk - it starts with 'c' and holds no
 * other 'c' - every state the key can reach is absent or a string of
 * written chunks, and splits into them one way. A read of "c1 c2 c3"
 * then says: c3's writer was the last to change the key, c3 was appended
 * to "c1 c2", c2 to "c1", and c1 was put, swapped in, or appended to an
 * absent key. An append takes effect once, so what it followed is one
 * thing: two reads that disagree on it, a chunk shown twice, or a put's
 * value after another chunk are contradictions. The period in which a
 * chunk is the last one is contiguous (no write brings it back), so as
 * for registers (lincheck_infer.c) a chunk's writer and the reads that
 * end in it form a block, an append is glued right after the block of
 * the chunk it followed and a cas after the block of what it replaced,
 * and glued blocks form chains.
 *
 * What "absent" follows is not named by any value: a delete, or the
 * start. The relaxed problem leaves out the gets of absent and the cas
 * that did not swap, and lets an append to an absent key or a cas from
 * absent start a chain anywhere: every linearization of the history is
 * one of it, so when no order of its chains works (the register
 * inference's exact greedy says so), none works for the history. The
 * witness is then looked for by naming the delete each of those saw
 * (lincheck_append_assign.c) and replayed (lc_witness_ok); when it is not
 * found, the search decides.
 */
#include <stdlib.h>
#include <string.h>

#include "lincheck_append.h"

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool is_chunk(const char *s, size_t len)
{
	return len > 0 && s[0] == 'c' && memchr(s + 1, 'c', len - 1) == NULL;
}

/* The writer of chunk (s, len), or -1. */
static int64_t lookup(const struct app *a, const char *s, size_t len)
{
	size_t j = hash_bytes(s, len) & a->mask;
	uint32_t w;

	for (; (w = a->map[j]) != 0; j = (j + 1) & a->mask) {
		size_t wl;
		const char *ws = lc_string(&a->in.lc->strings,
					   op_at(&a->in, w - 1)->value, &wl);

		if (wl == len && memcmp(ws, s, len) == 0)
			return (int64_t)w - 1;
	}
	return -1;
}

static bool is_writer(const struct lc_op *op)
{
	return op->op == HIST_PUT || op->op == HIST_CAS ||
	       op->op == HIST_APPEND;
}

/* Every written value a unique chunk, in the map: else -1. */
static int claim_chunks(struct app *a)
{
	size_t i, cap = 16;

	while (cap < 2 * a->in.n + 2)
		cap *= 2;
	a->map = calloc(cap, sizeof(*a->map));
	if (a->map == NULL)
		return -2;
	a->mask = cap - 1;
	for (i = 0; i < a->in.n; i++) {
		const struct lc_op *op = op_at(&a->in, i);
		const char *s;
		size_t len, j;

		if (!is_writer(op))
			continue;
		s = lc_string(&a->in.lc->strings, op->value, &len);
		if (op->value == LC_NULL || !is_chunk(s, len) ||
		    lookup(a, s, len) >= 0)
			return -1;
		for (j = hash_bytes(s, len) & a->mask; a->map[j] != 0;)
			j = (j + 1) & a->mask;
		a->map[j] = (uint32_t)i + 1;
	}
	return 0;
}

static int say_unwritten(struct app *a, size_t i, const char *s, size_t len)
{
	char d[256];

	infer_describe(&a->in, i, d, sizeof(d));
	infer_say(&a->in,
		  "%s saw a value that no operation wrote (\"%.*s\" is not "
		  "a string of the chunks written to the key)",
		  d, len > 64 ? 64 : (int)len, s);
	a->in.why->blocked = (int64_t)a->in.k->ops[i];
	return -1;
}

/* Chunk writer w shown by op i right after prev: note it, or explain
 * why it cannot be. */
static int follows(struct app *a, size_t i, size_t w, int32_t prev, size_t pos)
{
	const struct lc_op *op = op_at(&a->in, w);
	char d[256], e[256], f[256];
	const char *what;

	if (a->stamp[w] == a->now) {
		what = "twice, but that took effect once";
		goto named;
	}
	a->stamp[w] = a->now;
	if (pos > 0 && op->op != HIST_APPEND) {
		what = "after another one, but only an append adds to a "
		       "value";
		goto named;
	}
	if (op->op != HIST_APPEND || a->cpred[w] == prev)
		return 0;
	if (a->cpred[w] == APP_UNSET) {
		a->cpred[w] = prev;
		a->cpred_by[w] = (uint32_t)i;
		return 0;
	}
	infer_describe(&a->in, a->cpred_by[w], f, sizeof(f));
	infer_describe(&a->in, i, d, sizeof(d));
	infer_describe(&a->in, w, e, sizeof(e));
	infer_say(&a->in,
		  "%s and %s disagree on what %s was appended to, but it "
		  "took effect once",
		  f, d, e);
	a->in.why->involved[2] = (int64_t)a->in.k->ops[a->cpred_by[w]] + 1;
	goto out;
named:
	infer_describe(&a->in, i, d, sizeof(d));
	infer_describe(&a->in, w, e, sizeof(e));
	infer_say(&a->in, "%s shows the value of %s %s", d, e, what);
out:
	a->in.why->involved[0] = (int64_t)a->in.k->ops[i] + 1;
	a->in.why->involved[1] = (int64_t)a->in.k->ops[w] + 1;
	return -1;
}

/* What op i saw, string v, as chunks: the last one's writer, APP_ABSENT
 * for null, APP_NEVER for a string the key cannot hold. `observe`: the
 * op saw it take effect (a get's result, a swapped cas's expect): the
 * writers join the core, what each append followed is noted, and a
 * contradiction is explained (-4). */
static int64_t parse(struct app *a, size_t i, uint32_t v, bool observe)
{
	size_t len, start = 0, j;
	const char *s = lc_string(&a->in.lc->strings, v, &len);
	int32_t prev = APP_ABSENT;

	if (v == LC_NULL)
		return APP_ABSENT;
	if (len == 0 || s[0] != 'c')
		return observe && say_unwritten(a, i, s, len) ? -4 : APP_NEVER;
	a->now++;
	for (j = 1; j <= len; j++) {
		int64_t w;

		if (j < len && s[j] != 'c')
			continue;
		w = lookup(a, s + start, j - start);
		if (w < 0)
			return observe && say_unwritten(a, i, s, len)
				       ? -4
				       : APP_NEVER;
		if (!observe) {
			if (op_at(&a->in, (size_t)w)->op == HIST_APPEND
				    ? a->cpred[w] != APP_UNSET &&
					      a->cpred[w] != prev
				    : start > 0)
				return APP_NEVER;
		} else if (follows(a, i, (size_t)w, prev, start) != 0) {
			return -4;
		} else if (a->in.role[w] == OUT) {
			a->in.role[w] =
				CORE; /* an open write: it took effect */
			if (op_at(&a->in, (size_t)w)->op == HIST_CAS)
				a->todo[a->ntodo++] = (uint32_t)w;
		}
		prev = (int32_t)w;
		start = j;
	}
	return prev;
}

/* What op i saw, observed; -1 when it cannot be. */
static int observe_op(struct app *a, size_t i)
{
	const struct lc_op *op = op_at(&a->in, i);
	int64_t l;

	l = parse(a, i, op->op == HIST_GET ? op->result : op->expect, true);
	if (l == -4)
		return -1;
	a->last[i] = (int32_t)l;
	return 0;
}

static int pick_core(struct app *a)
{
	struct infer *in = &a->in;
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		a->cpred[i] = APP_UNSET;
		a->last[i] = APP_NEVER;
		in->role[i] = OUT; /* open: in only if observed */
		if (op->status != LC_OK)
			continue;
		if (op->op == HIST_GET)
			in->role[i] = op->result == LC_NULL ? NULLREAD : CORE;
		else if (op->op == HIST_CAS && !op->swapped)
			in->role[i] = NOSWAP;
		else
			in->role[i] = CORE;
	}
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (in->role[i] == CORE && a->last[i] == APP_NEVER &&
		    (op->op == HIST_GET || op->op == HIST_CAS) &&
		    observe_op(a, i) != 0)
			return -1;
		/* an open cas that was observed swapped: what it replaced
		 * was there, and may bring in more */
		while (a->ntodo > 0)
			if (observe_op(a, a->todo[--a->ntodo]) != 0)
				return -1;
	}
	for (i = 0; i < in->n; i++) /* where a failed cas cannot go */
		if (in->role[i] == NOSWAP)
			a->last[i] = (int32_t)parse(a, i, op_at(in, i)->expect,
						    false);
	return 0;
}

/* The blocks and the links between them: an append after the block of
 * the chunk it followed, a cas after the block of what it replaced. */
static int link_blocks(struct app *a)
{
	struct infer *in = &a->in;
	char d[256], e[256], f[320];
	size_t i;

	for (i = 0; i <= in->n; i++)
		in->pred[i] = in->succ[i] = -1;
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);
		int32_t from = -1;

		if (in->role[i] != CORE)
			continue;
		if (op->op == HIST_GET) {
			in->block[i] = a->last[i] + 1;
			continue;
		}
		in->block[i] = (int32_t)i + 1;
		if (op->op == HIST_APPEND && a->cpred[i] >= 0)
			from = a->cpred[i] + 1;
		else if (op->op == HIST_CAS && a->last[i] >= 0)
			from = a->last[i] + 1;
		if (from < 0)
			continue;
		if (in->succ[from] >= 0) {
			infer_describe(in, (size_t)in->succ[from] - 1, d,
				       sizeof(d));
			infer_describe(in, i, e, sizeof(e));
			infer_describe(in, (size_t)from - 1, f, sizeof(f));
			infer_say(in,
				  "%s and %s both changed the value as %s left "
				  "it: only one of them can have",
				  d, e, f);
			in->why->involved[0] =
				(int64_t)in->k->ops[in->succ[from] - 1] + 1;
			in->why->involved[1] = (int64_t)in->k->ops[i] + 1;
			in->why->involved[2] = (int64_t)in->k->ops[from - 1] +
					       1;
			return -1;
		}
		in->succ[from] = (int32_t)i + 1;
		in->pred[i + 1] = from;
	}
	return 0;
}

static int app_alloc(struct app *a)
{
	size_t n = a->in.n + 1;

	a->cpred = malloc(n * sizeof(*a->cpred));
	a->cpred_by = malloc(n * sizeof(*a->cpred_by));
	a->last = malloc(n * sizeof(*a->last));
	a->stamp = calloc(n, sizeof(*a->stamp));
	a->todo = malloc(n * sizeof(*a->todo));
	if (infer_alloc(&a->in) != 0 || a->cpred == NULL || a->todo == NULL ||
	    a->cpred_by == NULL || a->last == NULL || a->stamp == NULL)
		return -1;
	return 0;
}

static void app_free(struct app *a)
{
	infer_free(&a->in);
	free(a->cpred);
	free(a->cpred_by);
	free(a->last);
	free(a->stamp);
	free(a->todo);
	free(a->map);
}

enum lc_key_verdict lc_infer_append(struct lincheck *lc, const struct lc_key *k,
				    struct lc_why *why)
{
	struct app a = {.in = {.lc = lc, .k = k, .why = why, .n = k->n}};
	enum lc_key_verdict v = LC_KEY_NOMEM;
	uint32_t *order = NULL;
	int rv;

	if (app_alloc(&a) != 0)
		goto out;
	rv = claim_chunks(&a);
	if (rv != 0) {
		v = rv == -1 ? LC_KEY_UNDECIDED : LC_KEY_NOMEM;
		goto out;
	}
	v = LC_KEY_ILLEGAL;
	if (pick_core(&a) != 0 || link_blocks(&a) != 0)
		goto out;
	rv = infer_build_chains(&a.in);
	if (rv == 0)
		rv = infer_chain_bounds(&a.in);
	if (rv == 0) {
		order = malloc((a.in.chains + 1) * sizeof(*order));
		rv = order == NULL ? -2 : infer_order_chains(&a.in, order);
	}
	if (rv == 0) {
		free(a.in.why->prefix); /* the relaxed order is no report */
		a.in.why->prefix = NULL;
		rv = app_assign_witness(&a);
	}
	v = rv == -1  ? LC_KEY_ILLEGAL
	    : rv == 1 ? LC_KEY_OK
	    : rv == 0 ? LC_KEY_UNDECIDED
		      : LC_KEY_NOMEM;
out:
	free(order);
	app_free(&a);
	return v;
}

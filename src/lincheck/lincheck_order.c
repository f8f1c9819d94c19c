/* lincheck_order.c - the second half of the inference (lincheck_infer.c
 * says why it is exact): the chains' order, found greedily, or the two
 * chains that must each precede the other; then the witness order with
 * the cas that did not swap put where they read something else. */
#include <stdlib.h>
#include <string.h>

#include "lincheck_infer.h"

/* The order inside each chain is forced: check it, and note each
 * chain's bounds. -1: an op completed before one it must follow began. */
int infer_chain_bounds(struct infer *in)
{
	char a[256], b[256], t1[32], t2[32];
	size_t c, j;

	for (c = 0; c < in->chains; c++) {
		int64_t lo = INT64_MIN, hi = INT64_MAX;
		uint32_t lo_op = UINT32_MAX, hi_op = UINT32_MAX;

		for (j = in->chain_off[c]; j < in->chain_off[c + 1]; j++) {
			const struct lc_op *op = op_at(in, in->seq[j]);

			if (op->ret < lo) {
				infer_describe(in, lo_op, a, sizeof(a));
				infer_describe(in, in->seq[j], b, sizeof(b));
				lc_ms_text(op->ret, t1, sizeof(t1));
				lc_ms_text(lo, t2, sizeof(t2));
				infer_say(in,
					  "%s must come after %s (the value it "
					  "saw was written by it or after it), "
					  "but completed at %s ms, before %s "
					  "was invoked at %s ms",
					  b, a, t1, a, t2);
				in->why->involved[0] =
					(int64_t)in->k->ops[in->seq[j]] + 1;
				in->why->involved[1] =
					(int64_t)in->k->ops[lo_op] + 1;
				return -1;
			}
			if (op->inv > lo) {
				lo = op->inv;
				lo_op = in->seq[j];
			}
			if (op->ret < hi) {
				hi = op->ret;
				hi_op = in->seq[j];
			}
		}
		in->lo[c] = lo;
		in->hi[c] = hi;
		in->lo_op[c] = lo_op;
		in->hi_op[c] = hi_op;
	}
	return 0;
}

/* What a chain holds, for a reader: its first value. */
static void chain_text(const struct infer *in, size_t c, char *buf, size_t cap)
{
	char a[256];
	uint32_t first;

	if (c == 0) {
		snprintf(buf, cap, "the key's initial absence");
		return;
	}
	first = in->seq[in->chain_off[c]];
	infer_describe(in, first, a, sizeof(a));
	snprintf(buf, cap, "the value written by %s%s", a,
		 in->succ[first + 1] >= 0 ? " (and what cas made of it)" : "");
}

/* Chains x and y must each precede the other. */
static void explain_cycle(struct infer *in, size_t x, size_t y, size_t done)
{
	char cx[320], cy[320], a[256], b[256], c[256], d[256];
	char t1[32], t2[32], t3[32], t4[32];

	if (y == 0) { /* the initial chain goes first by definition */
		infer_describe(in, in->hi_op[x], a, sizeof(a));
		infer_describe(in, in->lo_op[0], b, sizeof(b));
		lc_ms_text(in->hi[x], t1, sizeof(t1));
		lc_ms_text(in->lo[0], t2, sizeof(t2));
		infer_say(in,
			  "%s completed at %s ms, before %s was invoked at %s "
			  "ms; yet that one saw the key still absent, or "
			  "replaced the absence",
			  a, t1, b, t2);
		in->why->involved[0] = (int64_t)in->k->ops[in->hi_op[x]] + 1;
		in->why->involved[1] = (int64_t)in->k->ops[in->lo_op[0]] + 1;
		return;
	}
	chain_text(in, x, cx, sizeof(cx));
	chain_text(in, y, cy, sizeof(cy));
	infer_describe(in, in->hi_op[x], a, sizeof(a));
	infer_describe(in, in->lo_op[y], b, sizeof(b));
	infer_describe(in, in->hi_op[y], c, sizeof(c));
	infer_describe(in, in->lo_op[x], d, sizeof(d));
	lc_ms_text(in->hi[x], t1, sizeof(t1));
	lc_ms_text(in->lo[y], t2, sizeof(t2));
	lc_ms_text(in->hi[y], t3, sizeof(t3));
	lc_ms_text(in->lo[x], t4, sizeof(t4));
	infer_say(
		in,
		"%s%s must come before %s, since %s completed at %s ms before "
		"%s was invoked at %s ms; and the other way round, since %s "
		"completed at %s ms before %s was invoked at %s ms",
		done ? "after the prefix, " : "", cx, cy, a, t1, b, t2, c, t3,
		d, t4);
	in->why->involved[0] = (int64_t)in->k->ops[in->hi_op[x]] + 1;
	in->why->involved[1] = (int64_t)in->k->ops[in->lo_op[y]] + 1;
	in->why->involved[2] = (int64_t)in->k->ops[in->hi_op[y]] + 1;
	in->why->involved[3] = (int64_t)in->k->ops[in->lo_op[x]] + 1;
}

/* idx[0..n) sorted by key[idx] (stable merge sort). */
static void sort_by(uint32_t *idx, uint32_t *tmp, size_t n, const int64_t *key)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_by(idx, tmp, mid, key);
	sort_by(idx + mid, tmp, n - mid, key);
	while (i < mid && j < n)
		tmp[k++] = key[idx[j]] < key[idx[i]] ? idx[j++] : idx[i++];
	while (i < mid)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

/* A list in a sorted order, with removal. */
struct olist {
	uint32_t *ids;  /* chain ids, sorted */
	uint32_t *next; /* by position; n: the end */
	uint32_t *prev;
	uint32_t head;
};

static void olist_remove(struct olist *l, uint32_t *pos_of, uint32_t c,
			 size_t n)
{
	uint32_t p = pos_of[c];

	if (l->prev[p] == UINT32_MAX)
		l->head = l->next[p];
	else
		l->next[l->prev[p]] = l->next[p];
	if (l->next[p] < n)
		l->prev[l->next[p]] = l->prev[p];
}

struct greedy {
	struct olist by_hi, by_lo;
	uint32_t *hi_pos, *lo_pos, *tmp;
};

static int greedy_init(struct greedy *g, const struct infer *in, size_t m)
{
	struct olist *l[2] = {&g->by_hi, &g->by_lo};
	uint32_t *pos[2];
	size_t i, s;

	memset(g, 0, sizeof(*g));
	g->tmp = malloc((m + 1) * sizeof(uint32_t));
	g->hi_pos = malloc((m + 1) * sizeof(uint32_t));
	g->lo_pos = malloc((m + 1) * sizeof(uint32_t));
	pos[0] = g->hi_pos;
	pos[1] = g->lo_pos;
	for (s = 0; s < 2; s++) {
		l[s]->ids = malloc((m + 1) * sizeof(uint32_t));
		l[s]->next = malloc((m + 1) * sizeof(uint32_t));
		l[s]->prev = malloc((m + 1) * sizeof(uint32_t));
		if (l[s]->ids == NULL || l[s]->next == NULL ||
		    l[s]->prev == NULL || g->tmp == NULL || pos[s] == NULL)
			return -1;
		for (i = 0; i < m; i++)
			l[s]->ids[i] = (uint32_t)i + 1; /* chain 0 goes first */
		sort_by(l[s]->ids, g->tmp, m, s == 0 ? in->hi : in->lo);
		for (i = 0; i < m; i++) {
			l[s]->next[i] = (uint32_t)i + 1;
			l[s]->prev[i] = i == 0 ? UINT32_MAX : (uint32_t)i - 1;
			pos[s][l[s]->ids[i]] = (uint32_t)i;
		}
		l[s]->head = m > 0 ? 0 : UINT32_MAX;
		if (m == 0)
			l[s]->head = 0;
	}
	return 0;
}

static void greedy_free(struct greedy *g)
{
	struct olist *l[2] = {&g->by_hi, &g->by_lo};
	size_t s;

	for (s = 0; s < 2; s++) {
		free(l[s]->ids);
		free(l[s]->next);
		free(l[s]->prev);
	}
	free(g->hi_pos);
	free(g->lo_pos);
	free(g->tmp);
}

/* Orders the chains into order[0..chains): 0 first, then greedily. -1
 * when no order works (explained), -2 out of memory. */
int infer_order_chains(struct infer *in, uint32_t *order)
{
	size_t m = in->chains - 1, placed = 1, done;
	struct greedy g;
	int rv = -2;

	order[0] = 0;
	if (greedy_init(&g, in, m) != 0)
		goto out;
	done = in->chain_off[1];
	if (m > 0 && in->lo[0] > in->hi[g.by_hi.ids[0]]) {
		explain_cycle(in, g.by_hi.ids[0], 0, 0);
		rv = -1;
		goto out;
	}
	while (placed < in->chains) {
		uint32_t p1 = g.by_hi.head, p2 = g.by_hi.next[p1];
		uint32_t u1 = g.by_hi.ids[p1], pick = UINT32_MAX, pl;

		if (p2 >= m || in->lo[u1] <= in->hi[g.by_hi.ids[p2]]) {
			pick = u1;
		} else {
			pl = g.by_lo.head;
			if (g.by_lo.ids[pl] == u1)
				pl = g.by_lo.next[pl];
			if (pl < m && in->lo[g.by_lo.ids[pl]] <= in->hi[u1])
				pick = g.by_lo.ids[pl];
		}
		if (pick == UINT32_MAX) {
			explain_cycle(in, u1, g.by_hi.ids[p2], done);
			rv = -1;
			goto out;
		}
		olist_remove(&g.by_hi, g.hi_pos, pick, m);
		olist_remove(&g.by_lo, g.lo_pos, pick, m);
		order[placed++] = pick;
		done += in->chain_off[pick + 1] - in->chain_off[pick];
	}
	rv = 0;
out:
	if (rv == -1) { /* the prefix the report shows */
		size_t i, j, len = 0;

		in->why->prefix = malloc((in->n + 1) * sizeof(uint32_t));
		for (i = 0; in->why->prefix != NULL && i < placed; i++)
			for (j = in->chain_off[order[i]];
			     j < in->chain_off[order[i] + 1]; j++)
				in->why->prefix[len++] = in->k->ops[in->seq[j]];
		in->why->prefix_len = len;
	}
	greedy_free(&g);
	return rv;
}

/* A cas that did not swap, placed: a gap of seq (gap g is before seq[g])
 * whose value differs from its expect and whose time span meets the
 * op's. */
struct placed {
	size_t gap;
	int64_t at;
	uint32_t op;
};

static int by_gap(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;

	if (x->gap != y->gap)
		return x->gap < y->gap ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->op < y->op ? -1 : x->op > y->op;
}

/* First g in [0, n] with g == n or t[g] >= x. */
static size_t first_at_least(const int64_t *t, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid] >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The gap for one non-swapping cas, or SIZE_MAX. pos: seq position of
 * each core op; next_write[g]: the first write at or after position g. */
static size_t gap_for(const struct infer *in, const struct lc_op *op,
		      const int64_t *t, const size_t *pos,
		      const size_t *next_write, size_t n)
{
	size_t g1 = first_at_least(t, n, op->inv);
	size_t g2 = first_at_least(t, n,
				   op->ret == LC_OPEN ? LC_OPEN : op->ret + 1);
	size_t a, b;
	uint32_t w;

	/* gaps g1..g2 meet [inv, ret]; the expect's period is a..b */
	if (op->expect == LC_NULL) {
		a = 0;
		b = next_write[0];
	} else {
		w = writer(in, op->expect);
		if (w == 0 || in->role[w - 1] != CORE)
			return g1; /* never the value: anywhere will do */
		a = pos[w - 1] + 1;
		b = next_write[a];
	}
	if (g1 < a || g1 > b)
		return g1;
	return g2 > b ? b + 1 : SIZE_MAX;
}

/* The core's order, with the non-swapping cas put in, checked. 1: a
 * linearization; 0: not found this way; -2: out of memory. */
int infer_witness(struct infer *in, const uint32_t *order)
{
	size_t n = in->chain_off[in->chains], i, j, len = 0, np = 0;
	uint32_t *seq = malloc((in->n + 1) * sizeof(*seq));
	int64_t *t = malloc((n + 1) * sizeof(*t));
	size_t *pos = malloc((in->n + 1) * sizeof(*pos));
	size_t *next_write = malloc((n + 2) * sizeof(*next_write));
	struct placed *pl = malloc((in->n + 1) * sizeof(*pl));
	int rv = -2;

	if (seq == NULL || t == NULL || pos == NULL || next_write == NULL ||
	    pl == NULL)
		goto out;
	for (i = 0; i < in->chains; i++)
		for (j = in->chain_off[order[i]];
		     j < in->chain_off[order[i] + 1]; j++)
			seq[len++] = in->seq[j];
	for (i = 0; i < n; i++) {
		int64_t inv = op_at(in, seq[i])->inv;

		t[i] = i > 0 && t[i - 1] > inv ? t[i - 1] : inv;
		pos[seq[i]] = i;
	}
	next_write[n] = n;
	for (i = n; i-- > 0;)
		next_write[i] = op_at(in, seq[i])->op == HIST_GET
					? next_write[i + 1]
					: i;
	rv = 0;
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (in->role[i] != NOSWAP)
			continue;
		pl[np].gap = gap_for(in, op, t, pos, next_write, n);
		if (pl[np].gap == SIZE_MAX)
			goto out;
		pl[np].at = pl[np].gap > 0 && t[pl[np].gap - 1] > op->inv
				    ? t[pl[np].gap - 1]
				    : op->inv;
		pl[np++].op = (uint32_t)i;
	}
	qsort(pl, np, sizeof(*pl), by_gap);
	/* merge: seq's ops and the placed ones, gap by gap, into in->seq */
	for (i = 0, j = 0, len = 0; i <= n; i++) {
		for (; j < np && pl[j].gap == i; j++)
			in->seq[len++] = pl[j].op;
		if (i < n)
			in->seq[len++] = seq[i];
	}
	rv = lc_witness_ok(in->lc, in->k, in->seq, len);
out:
	free(seq);
	free(t);
	free(pos);
	free(next_write);
	free(pl);
	return rv;
}

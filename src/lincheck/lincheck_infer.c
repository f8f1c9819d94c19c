/* lincheck_infer.c - deciding a key from its unique values (Gibbons &
 * Korach on registers with unique writes; Elle's inference from values to
 * order), in O(n log n).
 *
 * When every value a put or cas writes to the key is unique (and the key
 * has no append or delete), each value v names the one operation that
 * wrote it, and its "block" is that write followed by every get that read
 * v. A linearization is a sequence of blocks: the initial (absent) one
 * first, each block contiguous. A successful cas from e to v glues v's
 * block right after e's: glued blocks form a chain that moves as a unit.
 * Chains A before B is allowed iff no op of B completed before an op of A
 * was invoked: max invoke over A <= min completion over B. Any chain that
 * may go first (before all the others) can be put first without losing a
 * solution, so a greedy choice decides the order; when none may go first,
 * two chains must each precede the other, and no order works.
 *
 * The "core" the chains are built from leaves out what cannot make a
 * linearizable history illegal: read-only ops (a cas that did not swap is
 * placed afterwards, as a read of anything but its expect), open gets, and
 * open writes nobody observed (dropping such a write keeps any
 * linearization valid once the non-swapping cas are out). So a
 * contradiction in the core is a contradiction in the history; and an OK
 * is given only for a whole witness order that lc_witness_ok accepts.
 * Anything else is left to the search.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

enum { OUT, CORE, NOSWAP }; /* what the inference does with an op */

struct infer {
	struct lincheck *lc;
	const struct lc_key *k;
	struct lc_why *why;
	size_t n;
	uint8_t *role;
	int32_t *block;       /* per op: 0 the initial block, else writer + 1 */
	int32_t *pred, *succ; /* per block: the chain's neighbours, or -1 */
	uint32_t *seq;        /* the core ops, chain after chain */
	size_t *chain_off;    /* per chain: where its ops start in seq */
	int64_t *lo, *hi;     /* per chain: max invoke, min completion */
	uint32_t *lo_op, *hi_op;
	size_t chains;
};

static const struct lc_op *op_at(const struct infer *in, size_t i)
{
	return &in->lc->ops[in->k->ops[i]];
}

static void say(struct infer *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct infer *in, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->why->text, sizeof(in->why->text), fmt, ap);
	va_end(ap);
}

static void describe(const struct infer *in, size_t i, char *buf, size_t cap)
{
	lc_describe(in->lc, op_at(in, i), buf, cap);
}

/* The writer of value v in this key (local index + 1), 0 if none. */
static uint32_t writer(const struct infer *in, uint32_t v)
{
	return v == LC_NULL ? 0 : in->lc->writer[v];
}

/* Unique writers, else -1 (the search decides). */
static int claim_writers(struct infer *in)
{
	size_t i, cap = in->lc->strings.count;

	if (in->lc->writer_cap < cap) {
		uint32_t *w = realloc(in->lc->writer, cap * sizeof(*w));

		if (w == NULL)
			return -1;
		memset(w + in->lc->writer_cap, 0,
		       (cap - in->lc->writer_cap) * sizeof(*w));
		in->lc->writer = w;
		in->lc->writer_cap = cap;
	}
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->op == HIST_APPEND || op->op == HIST_DELETE)
			return -1;
		if (op->op != HIST_PUT && op->op != HIST_CAS)
			continue;
		if (in->lc->writer[op->value] != 0)
			return -1;
		in->lc->writer[op->value] = (uint32_t)i + 1;
	}
	return 0;
}

static void release_writers(struct infer *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if ((op->op == HIST_PUT || op->op == HIST_CAS) &&
		    in->lc->writer[op->value] == (uint32_t)i + 1)
			in->lc->writer[op->value] = 0;
	}
}

/* Op i (in the core) saw value v: its writer joins the core, and, for a
 * cas, so does the writer of what it replaced. -1: v never written. */
static int observe(struct infer *in, size_t i, uint32_t v)
{
	char a[256];

	while (v != LC_NULL) {
		uint32_t w = writer(in, v);
		const struct lc_op *op;

		if (w == 0) {
			describe(in, i, a, sizeof(a));
			say(in, "%s saw a value that no operation wrote", a);
			in->why->blocked = (int64_t)in->k->ops[i];
			return -1;
		}
		if (in->role[w - 1] == CORE)
			return 0;
		in->role[w - 1] = CORE; /* an open write: it took effect */
		op = op_at(in, w - 1);
		i = w - 1;
		v = op->op == HIST_CAS ? op->expect : LC_NULL;
	}
	return 0;
}

static int pick_core(struct infer *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->status != LC_OK)
			continue; /* open: in only if observed */
		if (op->op == HIST_CAS && !op->swapped)
			in->role[i] = NOSWAP;
		else
			in->role[i] = CORE;
	}
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->status != LC_OK)
			continue;
		if (op->op == HIST_GET && observe(in, i, op->result) != 0)
			return -1;
		if (op->op == HIST_CAS && op->swapped &&
		    observe(in, i, op->expect) != 0)
			return -1;
	}
	return 0;
}

/* Blocks and the cas links between them. */
static int link_blocks(struct infer *in)
{
	char a[256], b[256];
	size_t i;

	for (i = 0; i <= in->n; i++)
		in->pred[i] = in->succ[i] = -1;
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);
		int32_t from;

		if (in->role[i] != CORE)
			continue;
		if (op->op == HIST_GET) {
			in->block[i] = (int32_t)writer(in, op->result);
			continue;
		}
		in->block[i] = (int32_t)i + 1;
		if (op->op != HIST_CAS)
			continue;
		from = (int32_t)writer(in, op->expect);
		if (in->succ[from] >= 0) {
			describe(in, (size_t)in->succ[from] - 1, a, sizeof(a));
			describe(in, i, b, sizeof(b));
			say(in,
			    "%s and %s both swapped the same value: only "
			    "one can have replaced it",
			    a, b);
			in->why->blocked = (int64_t)in->k->ops[i];
			return -1;
		}
		in->succ[from] = (int32_t)i + 1;
		in->pred[i + 1] = from;
	}
	return 0;
}

/* Appends block b's ops to seq: its write first, then its reads in
 * invoke order (any order of reads is as good; this one keeps real time
 * among them). */
static size_t emit_block(struct infer *in, int32_t b, const size_t *rstart,
			 const uint32_t *reads, size_t len)
{
	size_t j;

	if (b > 0)
		in->seq[len++] = (uint32_t)b - 1;
	for (j = rstart[b]; j < rstart[b + 1]; j++)
		in->seq[len++] = reads[j];
	return len;
}

static int build_chains(struct infer *in)
{
	size_t *rstart = calloc(in->n + 3, sizeof(*rstart));
	uint32_t *reads = malloc((in->n + 1) * sizeof(*reads));
	uint8_t *seen = calloc(in->n + 1, 1);
	size_t i, len = 0, placed_blocks = 0, blocks = 1;
	char a[256];
	int rv = -2;

	if (rstart == NULL || reads == NULL || seen == NULL)
		goto out;
	for (i = 0; i < in->n; i++) {
		if (in->role[i] != CORE)
			continue;
		if (op_at(in, i)->op == HIST_GET)
			rstart[in->block[i] + 2]++;
		else
			blocks++;
	}
	for (i = 2; i <= in->n + 2; i++)
		rstart[i] += rstart[i - 1];
	for (i = 0; i < in->n; i++)
		if (in->role[i] == CORE && op_at(in, i)->op == HIST_GET)
			reads[rstart[in->block[i] + 1]++] = (uint32_t)i;
	in->chains = 0;
	for (i = 0; i <= in->n; i++) {
		int32_t b = (int32_t)i;

		if (i > 0 && (in->role[i - 1] != CORE ||
			      op_at(in, i - 1)->op == HIST_GET))
			continue;
		if (in->pred[b] >= 0)
			continue; /* not a chain's head */
		in->chain_off[in->chains++] = len;
		for (; b >= 0; b = in->succ[b], placed_blocks++) {
			seen[b] = 1;
			len = emit_block(in, b, rstart, reads, len);
		}
	}
	in->chain_off[in->chains] = len;
	rv = 0;
	if (placed_blocks != blocks) { /* a cycle of cas: no head */
		for (i = 0; i < in->n; i++)
			if (in->role[i] == CORE && !seen[i + 1] &&
			    op_at(in, i)->op == HIST_CAS)
				break;
		describe(in, i, a, sizeof(a));
		say(in,
		    "%s is in a cycle of cas, each replacing the value the "
		    "next one wrote: none of them can come first",
		    a);
		in->why->blocked = (int64_t)in->k->ops[i];
		rv = -1;
	}
out:
	free(rstart);
	free(reads);
	free(seen);
	return rv;
}

/* The order inside each chain is forced: check it, and note each
 * chain's bounds. -1: an op completed before one it must follow began. */
static int chain_bounds(struct infer *in)
{
	char a[256], b[256], t1[32], t2[32];
	size_t c, j;

	for (c = 0; c < in->chains; c++) {
		int64_t lo = INT64_MIN, hi = INT64_MAX;
		uint32_t lo_op = UINT32_MAX, hi_op = UINT32_MAX;

		for (j = in->chain_off[c]; j < in->chain_off[c + 1]; j++) {
			const struct lc_op *op = op_at(in, in->seq[j]);

			if (op->ret < lo) {
				describe(in, lo_op, a, sizeof(a));
				describe(in, in->seq[j], b, sizeof(b));
				lc_ms_text(op->ret, t1, sizeof(t1));
				lc_ms_text(lo, t2, sizeof(t2));
				say(in,
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
	describe(in, first, a, sizeof(a));
	snprintf(buf, cap, "the value written by %s%s", a,
		 in->succ[first + 1] >= 0 ? " (and what cas made of it)" : "");
}

/* Chains x and y must each precede the other. */
static void explain_cycle(struct infer *in, size_t x, size_t y, size_t done)
{
	char cx[320], cy[320], a[256], b[256], c[256], d[256];
	char t1[32], t2[32], t3[32], t4[32];

	if (y == 0) { /* the initial chain goes first by definition */
		describe(in, in->hi_op[x], a, sizeof(a));
		describe(in, in->lo_op[0], b, sizeof(b));
		lc_ms_text(in->hi[x], t1, sizeof(t1));
		lc_ms_text(in->lo[0], t2, sizeof(t2));
		say(in,
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
	describe(in, in->hi_op[x], a, sizeof(a));
	describe(in, in->lo_op[y], b, sizeof(b));
	describe(in, in->hi_op[y], c, sizeof(c));
	describe(in, in->lo_op[x], d, sizeof(d));
	lc_ms_text(in->hi[x], t1, sizeof(t1));
	lc_ms_text(in->lo[y], t2, sizeof(t2));
	lc_ms_text(in->hi[y], t3, sizeof(t3));
	lc_ms_text(in->lo[x], t4, sizeof(t4));
	say(in,
	    "%s%s must come before %s, since %s completed at %s ms before "
	    "%s was invoked at %s ms; and the other way round, since %s "
	    "completed at %s ms before %s was invoked at %s ms",
	    done ? "after the prefix, " : "", cx, cy, a, t1, b, t2, c, t3, d,
	    t4);
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
static int order_chains(struct infer *in, uint32_t *order)
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
static int witness(struct infer *in, const uint32_t *order)
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

static int infer_alloc(struct infer *in)
{
	size_t n = in->n + 1;

	in->role = calloc(n, sizeof(*in->role));
	in->block = calloc(n, sizeof(*in->block));
	in->pred = malloc(n * sizeof(*in->pred));
	in->succ = malloc(n * sizeof(*in->succ));
	in->seq = malloc(n * sizeof(*in->seq));
	in->chain_off = malloc((n + 1) * sizeof(*in->chain_off));
	in->lo = malloc(n * sizeof(*in->lo));
	in->hi = malloc(n * sizeof(*in->hi));
	in->lo_op = malloc(n * sizeof(*in->lo_op));
	in->hi_op = malloc(n * sizeof(*in->hi_op));
	return in->role && in->block && in->pred && in->succ && in->seq &&
			       in->chain_off && in->lo && in->hi && in->lo_op &&
			       in->hi_op
		       ? 0
		       : -1;
}

static void infer_free(struct infer *in)
{
	free(in->role);
	free(in->block);
	free(in->pred);
	free(in->succ);
	free(in->seq);
	free(in->chain_off);
	free(in->lo);
	free(in->hi);
	free(in->lo_op);
	free(in->hi_op);
}

enum lc_key_verdict lc_infer(struct lincheck *lc, const struct lc_key *k,
			     struct lc_why *why)
{
	struct infer in = {.lc = lc, .k = k, .why = why, .n = k->n};
	enum lc_key_verdict v = LC_KEY_NOMEM;
	uint32_t *order = NULL;
	int rv;

	if (infer_alloc(&in) != 0)
		goto out;
	rv = claim_writers(&in);
	if (rv != 0) {
		v = LC_KEY_UNDECIDED;
		goto release;
	}
	v = LC_KEY_ILLEGAL;
	if (pick_core(&in) != 0 || link_blocks(&in) != 0)
		goto release;
	rv = build_chains(&in);
	if (rv == 0)
		rv = chain_bounds(&in);
	if (rv == 0) {
		order = malloc((in.chains + 1) * sizeof(*order));
		rv = order == NULL ? -2 : order_chains(&in, order);
	}
	if (rv == 0)
		rv = witness(&in, order);
	v = rv == -1  ? LC_KEY_ILLEGAL
	    : rv == 1 ? LC_KEY_OK
	    : rv == 0 ? LC_KEY_UNDECIDED
		      : LC_KEY_NOMEM;
release:
	release_writers(&in);
out:
	free(order);
	infer_free(&in);
	return v;
}

/* lincheck_append_assign.c - a second way to the witness of a key with
 * appends and deletes: name, for each op that needs the key absent (a get
 * of absent, an append to absent, a cas from absent), the delete (or the
 * start) whose absence it saw. Then the absence is a value like any
 * other: the gets join the delete's block, the write is glued after it,
 * and the register inference's exact order (lincheck_order.c) finds the
 * order of the chains if this naming allows one.
 *
 * The naming is a guess from real time: the latest delete invoked before
 * the op completed such that no write lies wholly between the two (that
 * write would end the absence first); a write from absent takes a delete
 * no other such write took, and a get does not take a delete whose write
 * from absent completed before the get began. A guess that fails leaves
 * the key UNDECIDED, never ILLEGAL: other namings may work.
 */
#include <stdlib.h>
#include <string.h>

#include "lincheck_append.h"

#define TRIES 16 /* candidate deletes per op */
/* namings tried, each after the last one's failure: at least this many,
 * more for small keys (each try costs O(n log n)) */
#define REPAIRS 64
#define REPAIR_WORK (1u << 22)

struct assign {
	struct app *a;
	uint32_t *del; /* core deletes by invoke */
	size_t nd;
	int64_t *winv; /* core non-delete writes' invokes, sorted */
	int64_t *wmin; /* min completion over writes from there on */
	size_t nw;
	int32_t *taken;   /* per delete position: the write glued, or -1 */
	int64_t *maxread; /* per delete position: latest invoke of its gets */
	uint32_t *maxread_op; /* and that get */
	int64_t blocker; /* pick: the op whose naming took a delete, or -1 */
	int64_t *hi;     /* per op that needs absence: by when it must be */
	uint32_t *need;  /* those ops, latest hi first */
	size_t nneed;
	uint8_t *skip;   /* per op: fitting deletes to pass over (repairs) */
	uint8_t *isneed; /* per op: it needs the key absent */
};

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static int cmp_del(const void *x, const void *y, const struct infer *in)
{
	int64_t a = op_at(in, *(const uint32_t *)x)->inv;
	int64_t b = op_at(in, *(const uint32_t *)y)->inv;

	return a < b ? -1 : a > b;
}

/* Insertion-merge sort of the deletes by invoke (C11 qsort has no
 * context). */
static void sort_dels(uint32_t *d, uint32_t *tmp, size_t n,
		      const struct infer *in)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_dels(d, tmp, mid, in);
	sort_dels(d + mid, tmp, n - mid, in);
	while (i < mid && j < n)
		tmp[k++] = cmp_del(&d[j], &d[i], in) < 0 ? d[j++] : d[i++];
	while (i < mid)
		tmp[k++] = d[i++];
	while (j < n)
		tmp[k++] = d[j++];
	memcpy(d, tmp, n * sizeof(*d));
}

/* Does a write lie wholly after t0 and before t1? */
static bool write_between(const struct assign *s, int64_t t0, int64_t t1)
{
	size_t lo = 0, hi = s->nw;

	while (lo < hi) { /* first write invoked after t0 */
		size_t mid = lo + (hi - lo) / 2;

		if (s->winv[mid] > t0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < s->nw && s->wmin[lo] < t1;
}

/* The delete position for op x (-1: the start), or -2 when none fits:
 * the latest invoked by hi[x] with no write wholly between, its write
 * (if any) not before x when x is a get, and none yet when x writes. */
static int64_t pick(struct assign *s, size_t x, bool write)
{
	const struct infer *in = &s->a->in;
	const struct lc_op *op = op_at(in, x);
	size_t lo = 0, hi = s->nd, tries, nfit = 0;
	int64_t fit[TRIES];
	int32_t t;

	while (lo < hi) { /* first delete invoked after hi[x] */
		size_t mid = lo + (hi - lo) / 2;

		if (op_at(in, s->del[mid])->inv > s->hi[x])
			hi = mid;
		else
			lo = mid + 1;
	}
	s->blocker = -1;
	for (tries = 0; tries < TRIES; tries++) {
		int64_t p = (int64_t)lo - 1 - (int64_t)tries;
		int64_t end;

		if (p < -1)
			break;
		end = p < 0 ? INT64_MIN : op_at(in, s->del[p])->ret;
		if (write_between(s, end, op->inv))
			continue;
		t = s->taken[p + 1];
		if ((write && t >= 0) ||
		    (!write && t >= 0 && s->hi[t] < op->inv)) {
			if (s->blocker < 0)
				s->blocker = t;
			continue;
		}
		if (write && s->maxread[p + 1] > s->hi[x]) {
			if (s->blocker < 0)
				s->blocker = s->maxread_op[p + 1];
			continue;
		}
		fit[nfit++] = p;
	}
	/* a repair passes over as many as it was told, round and round */
	return nfit > 0 ? fit[s->skip[x] % nfit] : -2;
}

static bool from_absent(const struct app *a, size_t i)
{
	const struct lc_op *op = op_at(&a->in, i);

	return a->in.role[i] == CORE &&
	       ((op->op == HIST_APPEND && a->cpred[i] == APP_ABSENT) ||
		(op->op == HIST_CAS && a->last[i] == APP_ABSENT));
}

static int build(struct assign *s)
{
	struct app *a = s->a;
	const struct infer *in = &a->in;
	uint32_t *tmp = malloc((in->n + 1) * sizeof(*tmp));
	size_t i;

	s->del = malloc((in->n + 1) * sizeof(*s->del));
	s->winv = malloc((in->n + 1) * sizeof(*s->winv));
	s->wmin = malloc((in->n + 1) * sizeof(*s->wmin));
	s->taken = malloc((in->n + 2) * sizeof(*s->taken));
	s->maxread = malloc((in->n + 2) * sizeof(*s->maxread));
	s->maxread_op = malloc((in->n + 2) * sizeof(*s->maxread_op));
	if (s->maxread == NULL || s->maxread_op == NULL || tmp == NULL ||
	    s->del == NULL || s->winv == NULL || s->wmin == NULL ||
	    s->taken == NULL) {
		free(tmp);
		return -1;
	}
	for (i = 0; i < in->n; i++) {
		const struct lc_op *op = op_at(in, i);

		if (op->op == HIST_DELETE)
			s->del[s->nd++] = (uint32_t)i; /* open ones too */
		else if (in->role[i] == CORE && op->op != HIST_GET)
			s->winv[s->nw++] = op->inv;
	}
	sort_dels(s->del, tmp, s->nd, in);
	free(tmp);
	/* wmin needs the completions in invoke order: sort pairs */
	{
		int64_t *pair = malloc((2 * s->nw + 1) * sizeof(*pair));
		size_t j = 0;

		if (pair == NULL)
			return -1;
		for (i = 0; i < in->n; i++) {
			const struct lc_op *op = op_at(in, i);

			if (in->role[i] != CORE || op->op == HIST_GET ||
			    op->op == HIST_DELETE)
				continue;
			pair[2 * j] = op->inv;
			pair[2 * j++ + 1] = op->ret;
		}
		qsort(pair, s->nw, 2 * sizeof(*pair), cmp_i64);
		for (i = s->nw; i-- > 0;) {
			s->winv[i] = pair[2 * i];
			s->wmin[i] = i + 1 < s->nw && s->wmin[i + 1] <
							      pair[2 * i + 1]
					     ? s->wmin[i + 1]
					     : pair[2 * i + 1];
		}
		free(pair);
	}
	for (i = 0; i <= s->nd; i++) {
		s->taken[i] = -1;
		s->maxread[i] = INT64_MIN;
	}
	return 0;
}

static int by_hi_desc(const void *x, const void *y, const int64_t *hi)
{
	int64_t a = hi[*(const uint32_t *)x], b = hi[*(const uint32_t *)y];

	return a > b ? -1 : a < b;
}

static void sort_need(uint32_t *v, uint32_t *tmp, size_t n, const int64_t *hi)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_need(v, tmp, mid, hi);
	sort_need(v + mid, tmp, n - mid, hi);
	while (i < mid && j < n)
		tmp[k++] = by_hi_desc(&v[j], &v[i], hi) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* The ops that need the key absent, each with the time it must take
 * effect by: a get's completion; for a write, its chain's. */
static int collect_need(struct assign *s)
{
	struct app *a = s->a;
	const struct infer *in = &a->in;
	uint32_t *tmp = malloc((in->n + 1) * sizeof(*tmp));
	size_t i, c;

	s->hi = malloc((in->n + 1) * sizeof(*s->hi));
	s->need = malloc((in->n + 1) * sizeof(*s->need));
	if (tmp == NULL || s->hi == NULL || s->need == NULL) {
		free(tmp);
		return -1;
	}
	for (i = 0; i < in->n; i++)
		s->hi[i] = op_at(in, i)->ret;
	for (c = 1; c < in->chains; c++)
		s->hi[in->seq[in->chain_off[c]]] = in->hi[c];
	for (i = 0; i < in->n; i++)
		if (in->role[i] == NULLREAD || from_absent(a, i)) {
			s->need[s->nneed++] = (uint32_t)i;
			s->isneed[i] = 1;
		}
	sort_need(s->need, tmp, s->nneed, s->hi);
	free(tmp);
	return 0;
}

/* Names the deletes, latest first, and links the blocks so; 0, or -1
 * when a guess found nothing (undecided). */
static int name_deletes(struct assign *s)
{
	struct app *a = s->a;
	struct infer *in = &a->in;
	size_t j;

	for (j = 0; j < s->nneed; j++) {
		size_t i = s->need[j];
		bool write = in->role[i] != NULLREAD;
		int64_t p = pick(s, i, write);
		int32_t from = p < 0 ? 0 : (int32_t)s->del[p] + 1;

		if (p == -2) { /* what took the last delete moves on */
			if (s->blocker >= 0)
				in->why->involved[0] =
					(int64_t)in->k->ops[s->blocker] + 1;
			return -1;
		}
		if (p >= 0 && in->role[s->del[p]] == OUT) {
			in->role[s->del[p]] = CORE; /* an open delete: it did */
			in->block[s->del[p]] = from;
		}
		if (write) {
			s->taken[p + 1] = (int32_t)i;
			in->succ[from] = (int32_t)i + 1;
			in->pred[i + 1] = from;
		} else {
			in->role[i] = CORE;
			in->block[i] = from;
			if (op_at(in, i)->inv > s->maxread[p + 1]) {
				s->maxread[p + 1] = op_at(in, i)->inv;
				s->maxread_op[p + 1] = (uint32_t)i;
			}
		}
	}
	return 0;
}

/* The chains in that order, the cas that did not swap put in. */
static int chains_witness(struct app *a, const uint32_t *order)
{
	const struct infer *in = &a->in;
	uint32_t *seq = malloc((in->n + 1) * sizeof(*seq));
	size_t i, j, len = 0;
	int rv;

	if (seq == NULL)
		return -2;
	for (i = 0; i < in->chains; i++)
		for (j = in->chain_off[order[i]];
		     j < in->chain_off[order[i] + 1]; j++)
			seq[len++] = in->seq[j];
	rv = app_place_noswap(a, seq, len);
	free(seq);
	return rv;
}

/* The links and roles before any naming, to start each try from. */
struct saved {
	uint8_t *role;
	int32_t *pred, *succ;
};

static int save(struct saved *sv, const struct infer *in, bool back)
{
	size_t n = in->n + 1;

	if (!back) {
		sv->role = malloc(n * sizeof(*sv->role));
		sv->pred = malloc(n * sizeof(*sv->pred));
		sv->succ = malloc(n * sizeof(*sv->succ));
		if (sv->role == NULL || sv->pred == NULL || sv->succ == NULL)
			return -1;
		memcpy(sv->role, in->role, n * sizeof(*sv->role));
		memcpy(sv->pred, in->pred, n * sizeof(*sv->pred));
		memcpy(sv->succ, in->succ, n * sizeof(*sv->succ));
		return 0;
	}
	memcpy(in->role, sv->role, n * sizeof(*sv->role));
	memcpy(in->pred, sv->pred, n * sizeof(*sv->pred));
	memcpy(in->succ, sv->succ, n * sizeof(*sv->succ));
	return 0;
}

/* The op that needs absence whose naming placed op i (local) where it
 * is: i itself, or the write from absent its chain hangs from; -1. */
static int64_t need_of(const struct assign *s, size_t i)
{
	const struct infer *in = &s->a->in;
	int32_t b;

	if (s->isneed[i])
		return (int64_t)i;
	b = op_at(in, i)->op == HIST_GET ? in->block[i] : (int32_t)i + 1;
	while (b > 0 && in->pred[b] >= 0) {
		int32_t p = in->pred[b];

		if (p == 0 || op_at(in, (size_t)p - 1)->op == HIST_DELETE)
			return s->isneed[b - 1] ? b - 1 : -1;
		b = p;
	}
	return -1;
}

/* One try with the current skips: 1, 0 (no luck: the ops the failure
 * names are given another delete next time, 2 when one was), -2. */
static int try_naming(struct assign *s)
{
	struct infer *in = &s->a->in;
	uint32_t *order = NULL;
	int64_t best = -1;
	size_t i, j;
	int rv;

	for (i = 0; i <= s->nd; i++) {
		s->taken[i] = -1;
		s->maxread[i] = INT64_MIN;
	}
	memset(in->why->involved, 0, sizeof(in->why->involved));
	rv = name_deletes(s);
	if (rv == 0)
		rv = infer_build_chains(in);
	if (rv == 0)
		rv = infer_chain_bounds(in);
	if (rv == 0) {
		order = malloc((in->chains + 1) * sizeof(*order));
		rv = order == NULL ? -2 : infer_order_chains(in, order);
	}
	if (rv == 0)
		rv = chains_witness(s->a, order);
	free(order);
	free(in->why->prefix);
	in->why->prefix = NULL;
	if (rv != -1)
		return rv;
	rv = 0;
	/* move one of the ops the contradiction names: the one moved least
	 * so far, the late op of the chain that must come first on a tie */
	for (j = 0; j < 4; j++) {
		static const int pref[4] = {3, 0, 1, 2};
		int64_t g = in->why->involved[pref[j]] - 1, h = -1;

		for (i = 0; g >= 0 && i < in->n; i++)
			if (in->k->ops[i] == (uint64_t)g)
				h = need_of(s, i);
		if (h >= 0 && (best < 0 || s->skip[h] < s->skip[best]))
			best = h;
	}
	if (best >= 0 && s->skip[best] < 255) {
		s->skip[best]++;
		rv = 2;
	}
	return rv;
}

int app_assign_witness(struct app *a)
{
	struct assign s = {.a = a};
	struct infer *in = &a->in;
	struct saved sv = {0};
	int rv = -2;
	size_t round, rounds;

	s.skip = calloc(in->n + 1, 1);
	s.isneed = calloc(in->n + 1, 1);
	if (s.skip == NULL || s.isneed == NULL || collect_need(&s) != 0 ||
	    build(&s) != 0 || save(&sv, in, false) != 0)
		goto out;
	rounds = REPAIRS + REPAIR_WORK / (in->n + 1);
	for (round = 0; round < rounds && !lc_timed_out(in->lc); round++) {
		save(&sv, in, true);
		rv = try_naming(&s);
		if (rv != 2)
			break;
	}
	if (rv == 2)
		rv = 0;
out:
	free(sv.role);
	free(sv.pred);
	free(sv.succ);
	free(s.skip);
	free(s.isneed);
	free(s.del);
	free(s.winv);
	free(s.wmin);
	free(s.taken);
	free(s.maxread);
	free(s.maxread_op);
	free(s.hi);
	free(s.need);
	return rv;
}

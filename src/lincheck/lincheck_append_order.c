/* lincheck_append_order.c - the last step of the witness of a key with
 * appends and deletes (lincheck_infer_append.c): the cas that did not
 * swap, put into the order of the rest. Each is a read of "anything but
 * its expect": any gap of the order where the state is not its expect
 * and where real time allows it (no op before it invoked after it
 * completed, no op after it completed before it was invoked) will do.
 * Taken by latest invoke first, each goes to the latest such gap that is
 * not after the gap of one it must precede (one invoked after it
 * completed), so they keep their real-time order among themselves. The
 * whole is then replayed by lc_witness_ok.
 */
#include <stdlib.h>
#include <string.h>

#include "lincheck_append.h"

/* A cas that did not swap, put in gap `gap` (before seq[gap]). */
struct gap_op {
	size_t gap;
	int64_t at;
	uint32_t op;
};

static int by_gap(const void *x, const void *y)
{
	const struct gap_op *a = x, *b = y;

	if (a->gap != b->gap)
		return a->gap < b->gap ? -1 : 1;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->op < b->op ? -1 : a->op > b->op;
}

static int by_inv_desc(const void *x, const void *y)
{
	const struct gap_op *a = x, *b = y;

	if (a->at != b->at)
		return a->at > b->at ? -1 : 1;
	return a->op < b->op ? -1 : a->op > b->op;
}

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

/* The cas that did not swap go where their span meets a state other
 * than their expect, inside chains too; then the whole is replayed. 1 a
 * linearization, 0 not found so, -2 out of memory. */
/* Over the gaps of seq (gap g is before seq[g]): t[i], the latest
 * invoke in seq[0..i]; r[g], the earliest completion in seq[g..n);
 * cls[g], the state there (APP_ABSENT, or the last writer); diff[g], the
 * last gap before g in another state (SIZE_MAX: none). */
static void spans(const struct infer *in, const uint32_t *seq, size_t n,
		  int64_t *t, int64_t *r, int32_t *cls, size_t *diff)
{
	size_t i;

	cls[0] = APP_ABSENT;
	for (i = 0; i < n; i++) {
		const struct lc_op *op = op_at(in, seq[i]);

		t[i] = i > 0 && t[i - 1] > op->inv ? t[i - 1] : op->inv;
		cls[i + 1] = op->op == HIST_GET      ? cls[i]
			     : op->op == HIST_DELETE ? APP_ABSENT
						     : (int32_t)seq[i];
	}
	diff[0] = SIZE_MAX;
	for (i = 1; i <= n; i++)
		diff[i] = cls[i - 1] != cls[i] ? i - 1 : diff[i - 1];
	r[n] = INT64_MAX;
	for (i = n; i-- > 0;) {
		int64_t ret = op_at(in, seq[i])->ret;

		r[i] = ret < r[i + 1] ? ret : r[i + 1];
	}
}

int app_place_noswap(struct app *a, const uint32_t *seq, size_t n)
{
	const struct infer *in = &a->in;
	int64_t *t = malloc((n + 1) * sizeof(*t));
	int64_t *r = malloc((n + 1) * sizeof(*r));
	int32_t *cls = malloc((n + 1) * sizeof(*cls));
	size_t *diff = malloc((n + 1) * sizeof(*diff));
	struct gap_op *pl = malloc((in->n + 1) * sizeof(*pl));
	uint32_t *all = malloc((in->n + 1) * sizeof(*all));
	size_t *cap = malloc((in->n + 1) * sizeof(*cap));
	size_t i, j, np = 0, len = 0;
	int rv = -2;

	if (t == NULL || r == NULL || cls == NULL || diff == NULL ||
	    pl == NULL || all == NULL || cap == NULL)
		goto out;
	spans(in, seq, n, t, r, cls, diff);
	for (i = 0; i < in->n; i++)
		if (in->role[i] == NOSWAP)
			pl[np++] = (struct gap_op){0, op_at(in, i)->inv,
						   (uint32_t)i};
	qsort(pl, np, sizeof(*pl), by_inv_desc);
	rv = 0;
	for (j = 0; j < np; j++) {
		const struct lc_op *op = op_at(in, pl[j].op);
		size_t g1, g2, g, lo = 0, hi = j;

		g1 = first_at_least(r, n, op->inv); /* none after it done */
		g2 = first_at_least(t, n, op->ret + 1);
		while (lo < hi) { /* those placed that it must precede */
			size_t mid = lo + (hi - lo) / 2;

			if (pl[mid].at > op->ret)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && cap[lo - 1] < g2)
			g2 = cap[lo - 1];
		g = cls[g2] != a->last[pl[j].op] ? g2 : diff[g2];
		if (g < g1 || g == SIZE_MAX) { /* name what fills its span */
			for (i = 0; i < 4 && g1 + i < n && g1 + i <= g2; i++)
				in->why->involved[i] =
					(int64_t)in->k->ops[seq[g1 + i]] + 1;
			rv = -1;
			goto out;
		}
		pl[j].gap = g;
		cap[j] = j > 0 && cap[j - 1] < g ? cap[j - 1] : g;
	}
	qsort(pl, np, sizeof(*pl), by_gap);
	for (i = 0, j = 0; i <= n; i++) {
		for (; j < np && pl[j].gap == i; j++)
			all[len++] = pl[j].op;
		if (i < n)
			all[len++] = seq[i];
	}
	rv = lc_witness_ok(in->lc, in->k, all, len);
out:
	free(t);
	free(r);
	free(cls);
	free(diff);
	free(pl);
	free(all);
	free(cap);
	return rv;
}

/* lincheck.c - the checker's front: the operations (lincheck_add.c) are
 * partitioned by key (P-compositionality: the history is linearizable iff
 * every key's is), and each key is decided by inference, or by the search
 * where inference cannot (lincheck.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lincheck_internal.h"

int64_t lc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool lc_timed_out(const struct lincheck *lc)
{
	return lc->deadline_us != 0 && lc_now_us() >= lc->deadline_us;
}

struct lincheck *lincheck_new(void)
{
	struct lincheck *lc = calloc(1, sizeof(*lc));

	if (lc == NULL)
		return NULL;
	lc->client_mask = 63;
	lc->id_mask = 1023;
	lc->clients = calloc(lc->client_mask + 1, sizeof(*lc->clients));
	lc->ids = calloc((size_t)lc->id_mask + 1, 2 * sizeof(*lc->ids));
	if (lc->clients == NULL || lc->ids == NULL ||
	    lc_strings_init(&lc->strings) != 0) {
		lincheck_free(lc);
		return NULL;
	}
	return lc;
}

void lincheck_free(struct lincheck *lc)
{
	if (lc == NULL)
		return;
	free(lc->ops);
	free(lc->clients);
	free(lc->ids);
	free(lc->writer);
	free(lc->cat);
	lc_strings_free(&lc->strings);
	free(lc);
}

void lincheck_get_stats(const struct lincheck *lc, struct lincheck_stats *out)
{
	*out = lc->stats;
}

/* ---- the partition ---- */

static int by_invoke(const void *a, const void *b, const struct lc_op *ops)
{
	const struct lc_op *x = &ops[*(const uint32_t *)a];
	const struct lc_op *y = &ops[*(const uint32_t *)b];

	if (x->inv != y->inv)
		return x->inv < y->inv ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Sorts idx[0..n) by invoke time (then by position): merge sort, since
 * qsort has no context argument in C11. */
static void sort_by_invoke(uint32_t *idx, uint32_t *tmp, size_t n,
			   const struct lc_op *ops)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_by_invoke(idx, tmp, mid, ops);
	sort_by_invoke(idx + mid, tmp, n - mid, ops);
	if (by_invoke(&idx[mid - 1], &idx[mid], ops) <= 0)
		return; /* already in order: the usual case */
	while (i < mid && j < n)
		tmp[k++] = by_invoke(&idx[i], &idx[j], ops) <= 0 ? idx[i++]
								 : idx[j++];
	while (i < mid)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

/* The ops of every key but the failed ones, key by key, each key's by
 * invoke time: order[start[k] .. start[k+1]). Returns the key count, or
 * -1 when out of memory. */
static int64_t partition(struct lincheck *lc, uint32_t **order_out,
			 size_t **start_out, uint32_t **key_of_out)
{
	uint32_t nstr = lc->strings.count, nkeys = 0, *slot, *order = NULL,
		 *tmp = NULL, *key_of = NULL;
	size_t *start = NULL, i, n = 0;

	slot = malloc(nstr * sizeof(*slot));
	if (slot == NULL)
		return -1;
	memset(slot, 0xff, nstr * sizeof(*slot));
	for (i = 0; i < lc->n_ops; i++) {
		if (lc->ops[i].status == LC_FAIL)
			continue;
		if (slot[lc->ops[i].key] == UINT32_MAX)
			slot[lc->ops[i].key] = nkeys++;
		n++;
	}
	start = calloc((size_t)nkeys + 2, sizeof(*start));
	order = malloc((n + 1) * sizeof(*order));
	tmp = malloc((n + 1) * sizeof(*tmp));
	key_of = malloc(((size_t)nkeys + 1) * sizeof(*key_of));
	if (start == NULL || order == NULL || tmp == NULL || key_of == NULL)
		goto err;
	for (i = 0; i < lc->n_ops; i++)
		if (lc->ops[i].status != LC_FAIL)
			start[slot[lc->ops[i].key] + 2]++;
	for (i = 2; i < (size_t)nkeys + 2; i++)
		start[i] += start[i - 1];
	for (i = 0; i < lc->n_ops; i++) {
		uint32_t k;

		if (lc->ops[i].status == LC_FAIL)
			continue;
		k = slot[lc->ops[i].key];
		key_of[k] = lc->ops[i].key;
		order[start[k + 1]++] = (uint32_t)i;
	}
	for (i = 0; i < nkeys; i++)
		sort_by_invoke(order + start[i], tmp, start[i + 1] - start[i],
			       lc->ops);
	free(tmp);
	free(slot);
	*order_out = order;
	*start_out = start;
	*key_of_out = key_of;
	return nkeys;
err:
	free(slot);
	free(start);
	free(order);
	free(tmp);
	free(key_of);
	return -1;
}

/* Real time at one instant: a completion and an invoke at the same time
 * are concurrent (the history cannot say which came first), except a
 * client's own: its next op was invoked after its last one completed.
 * Times become 3t (invokes) and 3t+2 (completions), and a client's pair
 * at one instant 3t (its completion) and 3t+1 (its next invoke): that
 * orders the pair and nothing else, as long as no other pair of the same
 * key shares the instant (then none of them is ordered: a loss of
 * precision, never a false order). */
struct tie {
	int64_t t;
	uint32_t key, b;
};

static int by_instant(const void *x, const void *y)
{
	const struct tie *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static int mark_ties(struct lincheck *lc)
{
	struct tie *ties = malloc((lc->n_ops + 1) * sizeof(*ties));
	size_t i, j, n = 0;

	if (ties == NULL)
		return -1;
	for (i = 0; i < lc->n_ops; i++) {
		const struct lc_op *b = &lc->ops[i], *a;

		lc->ops[i].tie = 0;
		if (b->prev == UINT32_MAX)
			continue;
		a = &lc->ops[b->prev];
		if (a->status == LC_OK && a->ret == b->inv && a->inv < a->ret &&
		    a->key == b->key)
			ties[n++] = (struct tie){b->inv, b->key, (uint32_t)i};
	}
	qsort(ties, n, sizeof(*ties), by_instant);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && by_instant(&ties[i], &ties[j]) == 0;)
			j++;
		if (j == i + 1) {
			lc->ops[ties[i].b].tie |= 2;
			lc->ops[lc->ops[ties[i].b].prev].tie |= 1;
		}
	}
	free(ties);
	return 0;
}

static void scale_times(struct lincheck *lc, bool up)
{
	size_t i;

	for (i = 0; i < lc->n_ops; i++) {
		struct lc_op *op = &lc->ops[i];

		if (up) {
			op->inv = 3 * op->inv + ((op->tie & 2) ? 1 : 0);
			if (op->ret != LC_OPEN)
				op->ret = 3 * op->ret + ((op->tie & 1) ? 0 : 2);
		} else {
			op->inv = (op->inv - ((op->tie & 2) ? 1 : 0)) / 3;
			if (op->ret != LC_OPEN)
				op->ret = (op->ret - ((op->tie & 1) ? 0 : 2)) /
					  3;
		}
	}
}

static void why_free(struct lc_why *why)
{
	free(why->prefix);
	memset(why, 0, sizeof(*why));
	why->blocked = -1;
}

static enum lc_key_verdict decide_key(struct lincheck *lc,
				      const struct lc_key *k,
				      struct lc_why *why)
{
	enum lc_key_verdict v = lc->search_only ? LC_KEY_UNDECIDED
						: lc_infer(lc, k, why);

	if (v == LC_KEY_UNDECIDED && !lc->search_only) {
		why_free(why);
		v = lc_infer_append(lc, k, why);
	}
	if (v != LC_KEY_UNDECIDED) {
		lc->stats.keys_by_inference++;
		return v;
	}
	why_free(why);
	if (lc_timed_out(lc))
		return LC_KEY_TIMEOUT;
	lc->stats.keys_searched++;
	return lc_search(lc, k, why);
}

enum lincheck_verdict lincheck_run(struct lincheck *lc, int64_t timeout_us,
				   FILE *report)
{
	struct lc_why why = {.blocked = -1}, worst = {.blocked = -1};
	struct lc_key k, worst_key = {0};
	uint32_t *order = NULL, *key_of = NULL;
	size_t *start = NULL, i;
	int64_t nkeys;
	int illegal = 0, timeout = 0, nomem = 0;

	lc->deadline_us = timeout_us > 0 ? lc_now_us() + timeout_us : 0;
	lc->stats.open = lc->stats.failed = 0;
	lc->stats.keys_by_inference = lc->stats.keys_searched = 0;
	for (i = 0; i < lc->n_ops; i++) {
		lc->stats.open += lc->ops[i].ret == LC_OPEN;
		lc->stats.failed += lc->ops[i].status == LC_FAIL;
	}
	if (mark_ties(lc) != 0)
		return LINCHECK_NOMEM;
	scale_times(lc, true);
	nkeys = partition(lc, &order, &start, &key_of);
	if (nkeys < 0) {
		scale_times(lc, false);
		return LINCHECK_NOMEM;
	}
	lc->stats.keys = (uint64_t)nkeys;
	for (i = 0; i < (size_t)nkeys; i++) {
		enum lc_key_verdict v;

		k.ops = order + start[i];
		k.n = start[i + 1] - start[i];
		k.key = key_of[i];
		v = decide_key(lc, &k, &why);
		timeout |= v == LC_KEY_TIMEOUT;
		nomem |= v == LC_KEY_NOMEM;
		if (v == LC_KEY_ILLEGAL && (!illegal || k.n < worst_key.n)) {
			why_free(&worst);
			worst = why;
			worst_key = k;
			memset(&why, 0, sizeof(why));
			illegal++;
		} else if (v == LC_KEY_ILLEGAL) {
			illegal++;
		}
		why_free(&why);
	}
	if (illegal && report != NULL) {
		fprintf(report,
			"lincheck: %d of %lld key%s not linearizable; "
			"the smallest:\n",
			illegal, (long long)nkeys, nkeys == 1 ? "" : "s");
		lc_report(lc, &worst_key, &worst, report);
	}
	why_free(&worst);
	free(order);
	free(start);
	free(key_of);
	scale_times(lc, false);
	if (illegal)
		return LINCHECK_ILLEGAL;
	if (nomem)
		return LINCHECK_NOMEM;
	return timeout ? LINCHECK_UNKNOWN : LINCHECK_OK;
}

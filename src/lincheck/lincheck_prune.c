/* lincheck_prune.c - the open writes a first search may leave out
 * (lincheck_search.c): an open write may never take effect, so an order
 * found without it is an order for the whole key. */
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

/* Byte comparisons the search for open appends' values may cost a key;
 * past it they all stay in (the first search is only a shortcut). */
#define APPEND_SCAN_MAX ((uint64_t)1 << 26)

static bool open_write(const struct lc_op *op)
{
	return op->status != LC_OK &&
	       (op->op == HIST_PUT || op->op == HIST_CAS ||
		op->op == HIST_APPEND);
}

static bool contains(const char *hay, size_t n, const char *needle, size_t m)
{
	size_t i;

	if (m == 0)
		return true;
	for (i = 0; i + m <= n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

/* Whether an open append's value shows in a value read or expected
 * (after an append the key holds it at its end, until overwritten). */
static bool append_seen(const struct lincheck *lc, const uint32_t *seen,
			size_t n_seen, uint32_t value)
{
	const char *v, *s;
	size_t vlen, slen, i;

	v = lc_string(&lc->strings, value, &vlen);
	for (i = 0; i < n_seen; i++) {
		if (i > 0 && seen[i] == seen[i - 1])
			continue;
		s = lc_string(&lc->strings, seen[i], &slen);
		if (contains(s, slen, v, vlen))
			return true;
	}
	return false;
}

/* What scanning for every open append's value would cost. */
static uint64_t append_scan_cost(const struct lincheck *lc,
				 const struct lc_key *k, const uint32_t *seen,
				 size_t n_seen)
{
	uint64_t bytes = 0, appends = 0;
	size_t i, len;

	for (i = 0; i < n_seen; i++) {
		if (i == 0 || seen[i] != seen[i - 1]) {
			lc_string(&lc->strings, seen[i], &len);
			bytes += len;
		}
	}
	for (i = 0; i < k->n; i++) {
		const struct lc_op *op = &lc->ops[k->ops[i]];

		appends += op->op == HIST_APPEND && op->status != LC_OK;
	}
	return bytes * appends;
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The values k's gets returned and its cas expected, sorted: the work is
 * the key's own, however many strings the whole history holds. */
static uint32_t *observed(const struct lincheck *lc, const struct lc_key *k,
			  size_t *len)
{
	uint32_t *ids = malloc((k->n + 1) * sizeof(*ids));
	size_t i, n = 0;

	if (ids == NULL)
		return NULL;
	for (i = 0; i < k->n; i++) {
		const struct lc_op *op = &lc->ops[k->ops[i]];

		if (op->op == HIST_GET && op->status == LC_OK)
			ids[n++] = op->result;
		else if (op->op == HIST_CAS)
			ids[n++] = op->expect;
	}
	qsort(ids, n, sizeof(*ids), by_id);
	*len = n;
	return ids;
}

uint8_t *lc_unobserved_open_writes(struct lincheck *lc, const struct lc_key *k)
{
	uint32_t *seen = NULL;
	uint8_t *out = NULL;
	size_t i, count = 0, n_seen = 0;
	bool scan;

	for (i = 0; i < k->n; i++)
		count += open_write(&lc->ops[k->ops[i]]);
	if (count == 0)
		return NULL;
	seen = observed(lc, k, &n_seen);
	out = calloc(k->n, 1);
	if (seen == NULL || out == NULL)
		goto none;
	scan = append_scan_cost(lc, k, seen, n_seen) <= APPEND_SCAN_MAX;
	count = 0;
	for (i = 0; i < k->n; i++) {
		const struct lc_op *op = &lc->ops[k->ops[i]];

		if (!open_write(op))
			continue;
		if (op->op == HIST_APPEND
			    ? scan && !append_seen(lc, seen, n_seen, op->value)
			    : bsearch(&op->value, seen, n_seen, sizeof(*seen),
				      by_id) == NULL) {
			out[i] = 1;
			count++;
		}
	}
	if (count == 0)
		goto none;
	free(seen);
	return out;
none:
	free(seen);
	free(out);
	return NULL;
}

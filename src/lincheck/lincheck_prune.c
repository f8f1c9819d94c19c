/* lincheck_prune.c - the open writes a first search may leave out
 * (lincheck_search.c): an open write may never take effect, so an order
 * found without it is an order for the whole key. */
#include <stdlib.h>

#include "lincheck_internal.h"

static bool open_put_or_cas(const struct lc_op *op)
{
	return op->status != LC_OK &&
	       (op->op == HIST_PUT || op->op == HIST_CAS);
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

	for (i = 0; i < k->n; i++)
		count += open_put_or_cas(&lc->ops[k->ops[i]]);
	if (count == 0)
		return NULL;
	seen = observed(lc, k, &n_seen);
	out = calloc(k->n, 1);
	if (seen == NULL || out == NULL)
		goto none;
	count = 0;
	for (i = 0; i < k->n; i++) {
		const struct lc_op *op = &lc->ops[k->ops[i]];

		if (open_put_or_cas(op) &&
		    bsearch(&op->value, seen, n_seen, sizeof(*seen), by_id) ==
			    NULL) {
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

/* lathist.c - see lathist.h. */
#include <assert.h>
#include <string.h>

#include "lathist.h"

void lathist_init(struct lathist *h)
{
	memset(h, 0, sizeof(*h));
}

static int top_bit(uint64_t v)
{
	int b = 0;

	while (v >>= 1)
		b++;
	return b;
}

static int bucket_of(int64_t us)
{
	uint64_t v = (uint64_t)us;
	int e;

	if (v < LATHIST_EXACT)
		return (int)v;
	e = top_bit(v);
	if (e >= 6 + LATHIST_POWERS)
		return LATHIST_BUCKETS - 1;
	return LATHIST_EXACT + (e - 6) * LATHIST_SUB +
	       (int)((v >> (e - 5)) & (LATHIST_SUB - 1));
}

/* The largest value that lands in bucket b. */
static int64_t bucket_top(int b)
{
	int e;
	int sub;

	if (b < LATHIST_EXACT)
		return b;
	e = (b - LATHIST_EXACT) / LATHIST_SUB + 6;
	sub = (b - LATHIST_EXACT) % LATHIST_SUB;
	return ((int64_t)(LATHIST_SUB + sub + 1) << (e - 5)) - 1;
}

void lathist_add(struct lathist *h, int64_t us)
{
	if (us < 0)
		us = 0;
	h->count++;
	h->sum_us += us;
	if (us > h->max_us)
		h->max_us = us;
	h->bucket[bucket_of(us)]++;
}

void lathist_merge(struct lathist *dst, const struct lathist *src)
{
	int b;

	dst->count += src->count;
	dst->sum_us += src->sum_us;
	if (src->max_us > dst->max_us)
		dst->max_us = src->max_us;
	for (b = 0; b < LATHIST_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
}

int64_t lathist_quantile(const struct lathist *h, double q)
{
	uint64_t rank;
	uint64_t seen = 0;
	int b;

	assert(q >= 0 && q <= 1);
	if (h->count == 0)
		return 0;
	/* The smallest bucket holding at least ceil(q * count) values. */
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank == 0)
		rank = 1;
	for (b = 0; b < LATHIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			int64_t top = bucket_top(b);
			return top < h->max_us ? top : h->max_us;
		}
	}
	return h->max_us;
}

/* lathist.h - a fixed-size latency histogram in microseconds.
 *
 * Preallocated, so a node thread can record every tick and every message
 * without allocating. Values below 64 us are exact; above, each power of two
 * is cut into 32 buckets (about 3% resolution). Quantiles return a bucket's
 * upper edge, so they never understate a latency. Not thread-safe: each
 * thread records into its own and they are merged after the threads end.
 */
#ifndef LATHIST_H
#define LATHIST_H

#include <stdint.h>

#define LATHIST_EXACT 64
#define LATHIST_SUB 32
#define LATHIST_POWERS 30 /* 2^6 .. 2^36 us: up to ~19 hours */
#define LATHIST_BUCKETS (LATHIST_EXACT + LATHIST_POWERS * LATHIST_SUB)

struct lathist {
	uint64_t count;
	int64_t max_us;
	int64_t sum_us;
	uint32_t bucket[LATHIST_BUCKETS];
};

void lathist_init(struct lathist *h);

/* Records one value; a negative one (a clock read before its deadline)
 * counts as 0. */
void lathist_add(struct lathist *h, int64_t us);

/* Adds every value of src into dst. */
void lathist_merge(struct lathist *dst, const struct lathist *src);

/* The value below which a fraction q (0..1) of the values lie, rounded up
 * to its bucket's upper edge; 0 when empty. */
int64_t lathist_quantile(const struct lathist *h, double q);

#endif

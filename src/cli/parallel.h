/* parallel.h - runs fn(ctx, i) for i in [0, n) on `jobs` threads. Work is
 * handed out one index at a time, so uneven items balance themselves.
 * fn must be safe to run concurrently for different i. */
#ifndef PARALLEL_H
#define PARALLEL_H

#include <stdint.h>

void parallel_for(uint64_t n, int jobs, void (*fn)(void *ctx, uint64_t i),
		  void *ctx);

#endif

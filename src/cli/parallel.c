/* parallel.c - see parallel.h. */
#include <pthread.h>
#include <stdbool.h>

#include "parallel.h"

#define MAX_JOBS 256

struct pool {
	pthread_mutex_t lock; /* guards next */
	uint64_t next;
	uint64_t n;
	void (*fn)(void *ctx, uint64_t i);
	void *ctx;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	uint64_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

void parallel_for(uint64_t n, int jobs, void (*fn)(void *ctx, uint64_t i),
		  void *ctx)
{
	pthread_t threads[MAX_JOBS];
	struct pool p = {.next = 0, .n = n, .fn = fn, .ctx = ctx};
	bool locked = pthread_mutex_init(&p.lock, NULL) == 0;
	int started = 0;
	int i;

	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	for (i = 0; locked && i < jobs; i++) {
		if (pthread_create(&threads[i], NULL, worker, &p) != 0)
			break;
		started++;
	}
	/* No threads (or no lock) to be had: do it all on this one. */
	for (; started == 0 && p.next < n; p.next++)
		fn(ctx, p.next);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (locked)
		pthread_mutex_destroy(&p.lock);
}

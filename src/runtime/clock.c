/* clock.c - see clock.h. */
#include <assert.h>
#include <errno.h>

#include "clock.h"

int64_t clock_now_us(void)
{
	struct timespec ts;
	int rv;

	rv = clock_gettime(CLOCK_MONOTONIC, &ts);
	assert(rv == 0); /* CLOCK_MONOTONIC is mandatory on the targets */
	(void)rv;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct timespec clock_timespec_of(int64_t us)
{
	struct timespec ts;

	assert(us >= 0);
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	return ts;
}

int clock_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int rv;

	rv = pthread_condattr_init(&attr);
	if (rv != 0)
		goto err;
	rv = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rv == 0)
		rv = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
err:
	return rv;
}

int clock_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mu,
			  int64_t deadline_us)
{
	struct timespec ts;
	int rv;

	if (deadline_us == INT64_MAX) {
		rv = pthread_cond_wait(cond, mu);
		assert(rv == 0);
		return 0;
	}
	ts = clock_timespec_of(deadline_us < 0 ? 0 : deadline_us);
	rv = pthread_cond_timedwait(cond, mu, &ts);
	assert(rv == 0 || rv == ETIMEDOUT);
	return rv;
}

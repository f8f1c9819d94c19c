/* clock.h - CLOCK_MONOTONIC time in microseconds, and condition variables
 * that wait on it.
 *
 * The threaded runtime computes every deadline as an absolute monotonic
 * time (start + k * tick), so a late wake-up never shifts the next tick and
 * a change of the wall clock never moves a deadline.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Microseconds on CLOCK_MONOTONIC since an arbitrary origin. */
int64_t clock_now_us(void);

/* The absolute timespec of a CLOCK_MONOTONIC time in microseconds. */
struct timespec clock_timespec_of(int64_t us);

/* Initializes a condition variable whose timed waits use CLOCK_MONOTONIC.
 * Returns 0 or an errno value. */
int clock_cond_init(pthread_cond_t *cond);

/* Waits on cond (mu held) until signalled or until the monotonic time
 * `deadline_us`; INT64_MAX waits without a timeout. Returns 0 when
 * signalled (or woken spuriously) and ETIMEDOUT at the deadline; callers
 * re-check their predicate either way. */
int clock_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mu,
			  int64_t deadline_us);

#endif

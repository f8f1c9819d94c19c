/* failpoint.c - see failpoint.h. The __wrap_ and __real_ names are the
 * linker's (--wrap=SYMBOL), not ours to choose. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "failpoint.h"

static atomic_bool armed;
static atomic_long calls;   /* counted since arming */
static atomic_long fail_at; /* the call that fails, 0 for none */
static atomic_long live;    /* allocated minus freed since arming */

void failpoint_arm(long k)
{
	atomic_store(&calls, 0);
	atomic_store(&live, 0);
	atomic_store(&fail_at, k);
	atomic_store(&armed, true);
}

long failpoint_disarm(void)
{
	atomic_store(&armed, false);
	return atomic_load(&calls);
}

long failpoint_live(void)
{
	return atomic_load(&live);
}

/* Whether this call is the one to fail. */
static bool fail_now(void)
{
	long k;

	if (!atomic_load(&armed))
		return false;
	k = atomic_fetch_add(&calls, 1) + 1;
	return k == atomic_load(&fail_at);
}

static void *allocated(void *p)
{
	if (p != NULL && atomic_load(&armed))
		atomic_fetch_add(&live, 1);
	return p;
}

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_pthread_mutex_init(pthread_mutex_t *mu,
			      const pthread_mutexattr_t *attr);
int __real_pthread_cond_init(pthread_cond_t *cond,
			     const pthread_condattr_t *attr);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
int __wrap_pthread_mutex_init(pthread_mutex_t *mu,
			      const pthread_mutexattr_t *attr);
int __wrap_pthread_cond_init(pthread_cond_t *cond,
			     const pthread_condattr_t *attr);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);

/* A failed allocation, as POSIX has malloc fail: NULL and errno ENOMEM
 * (the checker tells a history it cannot hold from a malformed one by
 * it). */
static void *out_of_memory(void)
{
	errno = ENOMEM;
	return NULL;
}

void *__wrap_malloc(size_t size)
{
	return fail_now() ? out_of_memory() : allocated(__real_malloc(size));
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? out_of_memory() : allocated(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t size)
{
	if (fail_now())
		return out_of_memory();
	if (p == NULL)
		return allocated(__real_realloc(p, size));
	return __real_realloc(p, size); /* the same block, moved */
}

void __wrap_free(void *p)
{
	if (p != NULL && atomic_load(&armed))
		atomic_fetch_sub(&live, 1);
	__real_free(p);
}

int __wrap_pthread_mutex_init(pthread_mutex_t *mu,
			      const pthread_mutexattr_t *attr)
{
	return fail_now() ? EAGAIN : __real_pthread_mutex_init(mu, attr);
}

int __wrap_pthread_cond_init(pthread_cond_t *cond,
			     const pthread_condattr_t *attr)
{
	return fail_now() ? EAGAIN : __real_pthread_cond_init(cond, attr);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	return fail_now() ? EAGAIN : __real_pthread_create(t, attr, fn, arg);
}

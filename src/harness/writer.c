/* writer.c - see writer.h. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clock.h"
#include "writer.h"

/* What the thread writes per turn, unlocked. */
#define WRITER_CHUNK (64u << 10)
/* The thread needs little stack (its chunk is on the heap); a small one
 * keeps `ulimit -v` runs from failing for stacks they never touch. */
#define WRITER_STACK (1u << 20)

void writer_init(struct writer *w, FILE *f, enum writer_policy policy,
		 size_t ring_size)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->policy = policy;
	w->ring_size = ring_size;
	w->keep_wait_us = WRITER_KEEP_WAIT_US;
	w->gather_us = policy == WRITER_KEEP ? WRITER_GATHER_US
					     : WRITER_CONSOLE_GATHER_US;
	w->last_flush_us = clock_now_us();
}

static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t lines = 0;
	size_t i;

	for (i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* Writes n bytes to the stream's file; on failure the stream closes. The
 * writing thread only (direct: the caller; threaded: the stream's own). */
static int write_out(struct writer *w, const char *p, size_t n, int *err)
{
	errno = 0;
	/* A buffered stream may take the bytes and fail to write them out:
	 * its error flag says so. */
	if (fwrite(p, 1, n, w->f) == n && !ferror(w->f))
		return 0;
	*err = errno != 0 ? errno : EIO;
	return -1;
}

static int flush_out(struct writer *w, int *err)
{
	errno = 0;
	w->last_flush_us = clock_now_us();
	if (fflush(w->f) == 0 && !ferror(w->f))
		return 0;
	*err = errno != 0 ? errno : EIO;
	return -1;
}

static void close_on(struct writer *w, int err)
{
	if (!w->closed)
		w->err = err;
	w->closed = true;
}

/* Direct mode: written at once, flushed at least every WRITER_FLUSH_US. */
static void put_direct(struct writer *w, const char *line, size_t len)
{
	int err = 0;

	if (w->closed) {
		w->unwritten++;
		return;
	}
	if (write_out(w, line, len, &err) != 0 ||
	    (clock_now_us() - w->last_flush_us >= WRITER_FLUSH_US &&
	     flush_out(w, &err) != 0)) {
		close_on(w, err);
		w->unwritten++;
	}
}

static void ring_copy_in(struct writer *w, const char *line, size_t len)
{
	size_t tail = (w->head + w->len) % w->ring_size;
	size_t first = w->ring_size - tail < len ? w->ring_size - tail : len;

	memcpy(w->ring + tail, line, first);
	memcpy(w->ring, line + first, len - first);
	w->len += len;
}

/* Waits for room for len bytes, until keep_wait_us has passed. mu held.
 * Returns whether there is room. */
static bool wait_for_room(struct writer *w, size_t len)
{
	int64_t deadline = w->keep_wait_us == INT64_MAX
				   ? INT64_MAX
				   : clock_now_us() + w->keep_wait_us;

	while (w->ring_size - w->len < len && !w->closed) {
		if (clock_now_us() >= deadline)
			return false;
		pthread_cond_signal(&w->wake); /* hurry up */
		clock_cond_wait_until(&w->room, &w->mu, deadline);
	}
	return true;
}

static void put_threaded(struct writer *w, const char *line, size_t len)
{
	bool was_empty;

	pthread_mutex_lock(&w->mu);
	w->lines++;
	if (w->closed || w->overrun) {
		w->unwritten++;
		goto out;
	}
	if (len > w->ring_size ||
	    (w->ring_size - w->len < len &&
	     (w->policy == WRITER_DROP || !wait_for_room(w, len)))) {
		if (w->policy == WRITER_DROP) {
			w->dropped++;
		} else {
			w->overrun = true; /* a gap is never left in a trace */
			w->unwritten++;
		}
		goto out;
	}
	if (w->closed) { /* closed while it waited */
		w->unwritten++;
		goto out;
	}
	was_empty = w->len == 0;
	ring_copy_in(w, line, len);
	w->put_bytes += len;
	/* Woken when lines begin to wait for a thread asleep, and when half
	 * the ring is full; otherwise it comes by itself within
	 * gather_us, so a steady flow costs one wake-up per batch. */
	if ((was_empty && w->asleep) ||
	    (w->len - len < w->ring_size / 2 && w->len >= w->ring_size / 2))
		pthread_cond_signal(&w->wake);
out:
	pthread_mutex_unlock(&w->mu);
}

void writer_put(struct writer *w, const char *line, size_t len)
{
	if (w->f == NULL)
		return;
	assert(len > 0 && line[len - 1] == '\n');
	if (w->threaded) {
		put_threaded(w, line, len);
		return;
	}
	w->lines++;
	put_direct(w, line, len);
}

/* Takes up to WRITER_CHUNK queued bytes into w->chunk. mu held. */
static size_t ring_take(struct writer *w)
{
	size_t n = w->len < WRITER_CHUNK ? w->len : WRITER_CHUNK;
	size_t first = w->ring_size - w->head < n ? w->ring_size - w->head : n;

	memcpy(w->chunk, w->ring + w->head, first);
	memcpy(w->chunk + first, w->ring, n - first);
	w->head = (w->head + n) % w->ring_size;
	w->len -= n;
	w->taken_bytes += n;
	pthread_cond_broadcast(&w->room);
	return n;
}

/* Writes out everything queued, then flushes; the lock is dropped around
 * the I/O. mu held. */
static void drain(struct writer *w)
{
	uint64_t taken;
	size_t n;
	int err = 0;
	int rv = 0;

	while (w->len > 0 && !w->closed) {
		n = ring_take(w);
		pthread_mutex_unlock(&w->mu);
		rv = write_out(w, w->chunk, n, &err);
		pthread_mutex_lock(&w->mu);
		if (rv != 0) {
			close_on(w, err);
			w->unwritten += count_lines(w->chunk, n);
		}
	}
	if (w->closed) { /* what waits will never be written */
		while (w->len > 0)
			w->unwritten += count_lines(w->chunk, ring_take(w));
		pthread_cond_broadcast(&w->synced);
		return;
	}
	taken = w->taken_bytes;
	pthread_mutex_unlock(&w->mu);
	rv = flush_out(w, &err);
	pthread_mutex_lock(&w->mu);
	if (rv != 0)
		close_on(w, err);
	else
		w->flushed_bytes = taken;
	pthread_cond_broadcast(&w->synced);
}

static bool urgent(const struct writer *w)
{
	return w->stopping || w->sync_waiters > 0 || w->len >= w->ring_size / 2;
}

/* Waits until `until`, or until the ring is half full or the stream
 * stops: lines that come meanwhile do not wake the thread. mu held. */
static void gather_until(struct writer *w, int64_t until)
{
	while (!urgent(w) && clock_now_us() < until)
		clock_cond_wait_until(&w->wake, &w->mu, until);
}

/* A line waits at most gather_us (and the write): the first one to
 * come to an idle thread wakes it; while lines keep coming, the thread
 * comes back once per batch time by itself, one wake-up per batch. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		w->asleep = true;
		while (w->len == 0 && !w->stopping)
			clock_cond_wait_until(&w->wake, &w->mu, INT64_MAX);
		w->asleep = false;
		if (w->len == 0 && w->stopping)
			break;
		gather_until(w, clock_now_us() + w->gather_us);
		drain(w);
		while (!w->stopping) { /* lines keep coming? */
			gather_until(w, clock_now_us() + w->gather_us);
			if (w->len == 0)
				break; /* a quiet batch time: asleep again */
			drain(w);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int start_thread(struct writer *w)
{
	pthread_attr_t attr;
	int rv;

	rv = pthread_attr_init(&attr);
	if (rv != 0)
		return rv;
	rv = pthread_attr_setstacksize(&attr, WRITER_STACK);
	if (rv == 0)
		rv = pthread_create(&w->thread, &attr, writer_main, w);
	pthread_attr_destroy(&attr);
	return rv;
}

int writer_start(struct writer *w)
{
	int rv;

	assert(!w->threaded);
	if (w->f == NULL)
		return 0;
	w->ring = malloc(w->ring_size);
	w->chunk = malloc(WRITER_CHUNK);
	rv = ENOMEM;
	if (w->ring == NULL || w->chunk == NULL)
		goto err;
	if ((rv = pthread_mutex_init(&w->mu, NULL)) != 0)
		goto err;
	if ((rv = clock_cond_init(&w->wake)) != 0)
		goto err_mu;
	if ((rv = clock_cond_init(&w->room)) != 0)
		goto err_wake;
	if ((rv = clock_cond_init(&w->synced)) != 0) {
		pthread_cond_destroy(&w->room);
		goto err_wake;
	}
	w->head = w->len = 0;
	w->stopping = false;
	w->threaded = true; /* before the thread reads anything */
	if ((rv = start_thread(w)) != 0) {
		w->threaded = false;
		goto err_room;
	}
	return 0;
err_room:
	pthread_cond_destroy(&w->synced);
	pthread_cond_destroy(&w->room);
err_wake:
	pthread_cond_destroy(&w->wake);
err_mu:
	pthread_mutex_destroy(&w->mu);
err:
	free(w->ring);
	free(w->chunk);
	w->ring = w->chunk = NULL;
	return rv;
}

/* Direct mode (no thread): what is buffered goes out now. */
static void flush_direct(struct writer *w)
{
	int err = 0;

	if (!w->closed && flush_out(w, &err) != 0)
		close_on(w, err);
}

void writer_stop(struct writer *w)
{
	if (w->f == NULL)
		return;
	if (!w->threaded) {
		flush_direct(w);
		return;
	}
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->threaded = false;
	pthread_cond_destroy(&w->synced);
	pthread_cond_destroy(&w->room);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	free(w->ring);
	free(w->chunk);
	w->ring = w->chunk = NULL;
}

void writer_sync(struct writer *w)
{
	uint64_t target;

	if (w->f == NULL)
		return;
	if (!w->threaded) {
		flush_direct(w);
		return;
	}
	pthread_mutex_lock(&w->mu);
	target = w->put_bytes;
	w->sync_waiters++;
	while (w->flushed_bytes < target && !w->closed && !w->overrun &&
	       !w->stopping) {
		pthread_cond_signal(&w->wake);
		clock_cond_wait_until(&w->synced, &w->mu, INT64_MAX);
	}
	w->sync_waiters--;
	pthread_mutex_unlock(&w->mu);
}

/* mailbox.c - see mailbox.h. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "mailbox.h"

int mailbox_init(struct mailbox *mb, unsigned cap)
{
	int rv;

	assert(cap > 0);
	memset(mb, 0, sizeof(*mb)); /* empty, running, nothing dropped */
	mb->mode = MAILBOX_RUN;
	mb->cap = cap;
	mb->ring = calloc(cap, sizeof(*mb->ring));
	if (mb->ring == NULL) {
		rv = ENOMEM;
		goto err;
	}
	rv = pthread_mutex_init(&mb->mu, NULL);
	if (rv != 0)
		goto err_ring;
	rv = clock_cond_init(&mb->cond);
	if (rv != 0)
		goto err_mu;
	return 0;
err_mu:
	pthread_mutex_destroy(&mb->mu);
err_ring:
	free(mb->ring);
	mb->ring = NULL;
err:
	return rv;
}

static struct mail *slot(struct mailbox *mb, unsigned i);

/* Frees the blocks of every queued message and empties the ring. Its lock
 * held, or no thread left. */
static void empty_ring(struct mailbox *mb)
{
	unsigned i;

	for (i = 0; i < mb->count; i++)
		free(slot(mb, i)->extra);
	mb->head = 0;
	mb->count = 0;
	mb->bytes = 0;
}

void mailbox_destroy(struct mailbox *mb)
{
	if (mb->ring != NULL)
		empty_ring(mb);
	pthread_cond_destroy(&mb->cond);
	pthread_mutex_destroy(&mb->mu);
	free(mb->ring);
	mb->ring = NULL;
}

static struct mail *slot(struct mailbox *mb, unsigned i)
{
	return &mb->ring[(mb->head + i) % mb->cap];
}

enum mailbox_push_result mailbox_push(struct mailbox *mb,
				      const struct raft_message *msg,
				      void *extra, size_t bytes, int64_t now_us,
				      int64_t ready_us)
{
	enum mailbox_push_result res;

	res = mailbox_push_quiet(mb, msg, extra, bytes, now_us, ready_us);
	/* Only the owner waits, so one wake-up is enough; after the unlock,
	 * so that the owner, woken, does not at once block on the lock still
	 * held there (a second sleep and wake-up on every message). The
	 * owner tests the ring under the lock before it sleeps, so the
	 * wake-up cannot be lost. */
	if (res == MAILBOX_OK)
		mailbox_kick(mb);
	return res;
}

void mailbox_kick(struct mailbox *mb)
{
	pthread_cond_signal(&mb->cond);
}

enum mailbox_push_result mailbox_push_quiet(struct mailbox *mb,
					    const struct raft_message *msg,
					    void *extra, size_t bytes,
					    int64_t now_us, int64_t ready_us)
{
	enum mailbox_push_result res = MAILBOX_OK;
	struct mail *m;

	pthread_mutex_lock(&mb->mu);
	if (mb->mode == MAILBOX_CLOSED || mb->stop) {
		mb->dropped_closed++;
		res = MAILBOX_DROPPED;
		goto out;
	}
	if (mb->count == mb->cap) {
		mb->dropped_full++;
		res = MAILBOX_FULL;
		goto out;
	}
	m = slot(mb, mb->count);
	m->msg = *msg;
	m->extra = extra;
	m->bytes = bytes;
	extra = NULL; /* the ring's now */
	mb->bytes += bytes;
	if (mb->bytes > mb->bytes_peak)
		mb->bytes_peak = mb->bytes;
	m->enqueued_us = now_us;
	m->ready_us = ready_us;
	mb->count++;
	if (mb->count > mb->peak)
		mb->peak = mb->count;
out:
	pthread_mutex_unlock(&mb->mu);
	free(extra); /* refused: nobody else has it */
	return res;
}

void mailbox_done(struct mail *m)
{
	free(m->extra);
	m->extra = NULL;
}

/* The earliest ready time in the ring; stops early at the first message
 * that is ready now, which without --reorder is always the head. */
static int64_t earliest_ready(struct mailbox *mb, int64_t now_us)
{
	int64_t best = INT64_MAX;
	unsigned i;

	for (i = 0; i < mb->count; i++) {
		int64_t r = slot(mb, i)->ready_us;

		if (r < best)
			best = r;
		if (best <= now_us)
			break;
	}
	return best;
}

bool mailbox_wait(struct mailbox *mb, int64_t deadline_us)
{
	int64_t now;
	int64_t wake;
	bool stopped;
	bool was_held = false;

	pthread_mutex_lock(&mb->mu);
	for (;;) {
		if (mb->stop)
			break;
		/* Thawed (resumed, restarted): the owner's deadline was set
		 * before it was held, so it takes a turn now to set a new
		 * one, rather than sleep on through ticks it should run. */
		if (was_held && mb->mode == MAILBOX_RUN)
			break;
		wake = INT64_MAX; /* frozen or closed: only a mode change */
		was_held = mb->mode != MAILBOX_RUN;
		if (mb->mode == MAILBOX_RUN) {
			now = clock_now_us();
			if (now >= deadline_us)
				break;
			wake = earliest_ready(mb, now);
			if (wake <= now)
				break;
			if (deadline_us < wake)
				wake = deadline_us;
		}
		clock_cond_wait_until(&mb->cond, &mb->mu, wake);
	}
	stopped = mb->stop;
	pthread_mutex_unlock(&mb->mu);
	return stopped;
}

bool mailbox_sleep_until(struct mailbox *mb, int64_t deadline_us)
{
	bool stopped;

	pthread_mutex_lock(&mb->mu);
	while (!mb->stop && clock_now_us() < deadline_us)
		clock_cond_wait_until(&mb->cond, &mb->mu, deadline_us);
	stopped = mb->stop;
	pthread_mutex_unlock(&mb->mu);
	return stopped;
}

int mailbox_take(struct mailbox *mb, struct mail *out, int max, int64_t now_us)
{
	unsigned kept = 0;
	unsigned i;
	int n = 0;

	assert(max > 0);
	pthread_mutex_lock(&mb->mu);
	if (mb->mode != MAILBOX_RUN)
		goto out;
	/* Fast path: ready messages at the head. */
	while (n < max && mb->count > 0 &&
	       mb->ring[mb->head].ready_us <= now_us) {
		out[n++] = mb->ring[mb->head];
		mb->bytes -= mb->ring[mb->head].bytes;
		mb->head = (mb->head + 1) % mb->cap;
		mb->count--;
	}
	if (n == max || mb->count == 0)
		goto out;
	/* A delayed message is at the head: take the ready ones behind it
	 * and close the gaps, keeping the rest in order. */
	for (i = 0; i < mb->count; i++) {
		struct mail *m = slot(mb, i);

		if (n < max && m->ready_us <= now_us) {
			out[n++] = *m;
			mb->bytes -= m->bytes;
		} else
			*slot(mb, kept++) = *m;
	}
	mb->count = kept;
out:
	pthread_mutex_unlock(&mb->mu);
	return n;
}

void mailbox_set_mode(struct mailbox *mb, enum mailbox_mode mode)
{
	pthread_mutex_lock(&mb->mu);
	mb->mode = mode;
	if (mode == MAILBOX_CLOSED)
		empty_ring(mb);
	pthread_cond_signal(&mb->cond);
	pthread_mutex_unlock(&mb->mu);
}

void mailbox_stop(struct mailbox *mb)
{
	pthread_mutex_lock(&mb->mu);
	mb->stop = true;
	pthread_cond_signal(&mb->cond);
	pthread_mutex_unlock(&mb->mu);
}

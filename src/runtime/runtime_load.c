/* runtime_load.c - --load on threads: one thread runs the generator
 * (harness/load.h) on absolute CLOCK_MONOTONIC deadlines and pushes each
 * proposal into the leader's mailbox, as a peer's message would go. It
 * never holds two locks: harness_leader takes each node lock alone, the
 * push takes the leader's mailbox lock alone, and its own lock only guards
 * its sleep. A leader's apply wakes it at once (runtime_load_kick): with
 * --outstanding 1 the next proposal leaves the moment the last one
 * applies, and a lost wake-up would cost a whole LOAD_PERIOD_US.
 */
#include <errno.h>
#include <stdlib.h>

#include "clock.h"
#include "runtime_internal.h"

int runtime_load_init(struct cluster *c)
{
	struct rload *l = &c->load;
	int rv;

	l->active = options_have_load(c->o);
	if (!l->active)
		return 0;
	if (load_init(&l->gen, c->o) != 0)
		return ENOMEM;
	rv = pthread_mutex_init(&l->mu, NULL);
	if (rv != 0)
		goto err_gen;
	rv = clock_cond_init(&l->cond);
	if (rv != 0)
		goto err_mu;
	return 0;
err_mu:
	pthread_mutex_destroy(&l->mu);
err_gen:
	load_free(&l->gen);
	l->active = false;
	return rv;
}

void runtime_load_destroy(struct cluster *c)
{
	struct rload *l = &c->load;

	if (!l->active)
		return;
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->mu);
	load_free(&l->gen);
	l->active = false;
}

/* A leader applied load entries: the closed loop may refill. From a node
 * thread under its node lock; the load lock is a leaf, held by the load
 * thread only to test the flags and sleep, so this never waits long. The
 * flag is set under it, so it cannot slip in between the load thread's
 * test and its sleep; the signal follows the unlock, so the woken thread
 * does not at once block on the lock still held here. */
void runtime_load_kick(struct cluster *c)
{
	struct rload *l = &c->load;
	bool was;

	if (!l->active || !c->o->load_max)
		return;
	pthread_mutex_lock(&l->mu);
	was = l->kick;
	l->kick = true;
	pthread_mutex_unlock(&l->mu);
	if (!was)
		pthread_cond_signal(&l->cond);
}

/* Proposes what is due now to the leader. */
static void propose_due(struct cluster *c)
{
	struct rload *l = &c->load;
	int64_t now = runtime_elapsed_us(c);
	int leader = harness_leader(&c->h);
	struct raft_message msg;
	uint64_t due;
	size_t bytes;
	void *extra;

	due = load_due(
		&l->gen, now, leader,
		atomic_load_explicit(&c->h.load_applied, memory_order_relaxed));
	/* A full mailbox takes no more for now (it frees the block). */
	while (due > 0 &&
	       load_next(&l->gen, &due, leader, now, &msg, &extra, &bytes) ==
		       0 &&
	       mailbox_push(&c->node[leader].mb, &msg, extra, bytes,
			    clock_now_us(), 0) == MAILBOX_OK)
		;
}

static void *load_main(void *arg)
{
	struct cluster *c = arg;
	struct rload *l = &c->load;
	int64_t deadline = c->start_us + load_next_us(&l->gen, 0);
	bool stop;

	for (;;) {
		pthread_mutex_lock(&l->mu);
		while (!l->stop && !l->kick && clock_now_us() < deadline)
			clock_cond_wait_until(&l->cond, &l->mu, deadline);
		stop = l->stop;
		l->kick = false; /* propose_due reads what it was for */
		pthread_mutex_unlock(&l->mu);
		if (stop)
			break;
		propose_due(c);
		deadline = c->start_us +
			   load_next_us(&l->gen, runtime_elapsed_us(c));
	}
	return NULL;
}

int runtime_load_start(struct cluster *c)
{
	struct rload *l = &c->load;
	int rv;

	if (!l->active)
		return 0;
	rv = pthread_create(&l->thread, NULL, load_main, c);
	l->started = rv == 0;
	return rv;
}

void runtime_load_stop(struct cluster *c)
{
	struct rload *l = &c->load;

	if (!l->started)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	l->started = false;
}

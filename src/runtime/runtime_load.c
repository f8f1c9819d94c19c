/* runtime_load.c - --load on threads: one thread runs the generator
 * (harness/load.h) on absolute CLOCK_MONOTONIC deadlines and pushes each
 * proposal into the leader's mailbox, as a peer's message would go. It
 * never holds two locks: harness_leader takes each node lock alone, the
 * push takes the leader's mailbox lock alone, and its own lock only guards
 * its sleep. Node threads never wait for it: a leader's apply only sets a
 * flag and signals (runtime_load_kick).
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
 * thread under its node lock: no lock taken, a lost wake-up costs at most
 * LOAD_PERIOD_US. */
void runtime_load_kick(struct cluster *c)
{
	if (!c->load.active || !c->o->load_max)
		return;
	atomic_store_explicit(&c->load.kick, true, memory_order_relaxed);
	pthread_cond_signal(&c->load.cond);
}

/* Proposes what is due now to the leader. */
static void propose_due(struct cluster *c)
{
	struct rload *l = &c->load;
	int64_t now = runtime_elapsed_us(c);
	int leader = harness_leader(&c->h);
	struct raft_message msg, copy;
	enum mailbox_push_result rv;
	uint64_t due;
	size_t bytes;
	void *extra;

	due = load_due(
		&l->gen, now, leader,
		atomic_load_explicit(&c->h.load_applied, memory_order_relaxed));
	while (due > 0) {
		due -= load_build(&l->gen, due, leader, now, &msg);
		if (harness_copy_message(&copy, &msg, &extra, &bytes) != 0)
			break; /* a client's proposal that never left */
		rv = mailbox_push(&c->node[leader].mb, &copy, extra, bytes,
				  clock_now_us(), 0);
		if (rv != MAILBOX_OK) {
			l->refused++;
			break;
		}
	}
}

static void *load_main(void *arg)
{
	struct cluster *c = arg;
	struct rload *l = &c->load;
	int64_t deadline = c->start_us + load_next_us(&l->gen, 0);
	bool stop;

	for (;;) {
		pthread_mutex_lock(&l->mu);
		while (!l->stop && clock_now_us() < deadline &&
		       !atomic_load_explicit(&l->kick, memory_order_relaxed))
			clock_cond_wait_until(&l->cond, &l->mu, deadline);
		stop = l->stop;
		pthread_mutex_unlock(&l->mu);
		if (stop)
			break;
		atomic_store_explicit(&l->kick, false, memory_order_relaxed);
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

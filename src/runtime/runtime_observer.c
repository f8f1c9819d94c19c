/* runtime_observer.c - the observer: once per tick, on the main thread, it
 * begins the tick for the fault schedule (harness_advance: the leader, the
 * schedule, the actions applied to the nodes under their locks).
 *
 * It wakes half a tick after each deadline (start + (k + 1/2) * tick, still
 * absolute): the nodes' turns at deadline k are over by then, so it does not
 * contend with them for their locks, and a fault scheduled for tick k lands
 * between the nodes' ticks k and k+1 instead of racing with them.
 *
 * Unlike a node, the observer never skips a tick: the fault schedule names
 * ticks (--pause 1@50:30), so when it falls behind it catches up at once.
 * Safety is the event checker's to judge (monitor.c), from what the nodes
 * publish; the observer checks nothing itself.
 */
#include "clock.h"
#include "runtime_internal.h"

int runtime_observer_init(struct cluster *c)
{
	struct observer *obs = &c->obs;
	int rv;

	lathist_init(&obs->late);
	rv = pthread_mutex_init(&obs->wait_mu, NULL);
	if (rv != 0)
		goto err;
	rv = clock_cond_init(&obs->wait_cond);
	if (rv != 0)
		pthread_mutex_destroy(&obs->wait_mu);
err:
	return rv;
}

void runtime_observer_destroy(struct cluster *c)
{
	pthread_cond_destroy(&c->obs.wait_cond);
	pthread_mutex_destroy(&c->obs.wait_mu);
}

static void wait_until(struct observer *obs, int64_t deadline)
{
	pthread_mutex_lock(&obs->wait_mu);
	while (clock_now_us() < deadline)
		clock_cond_wait_until(&obs->wait_cond, &obs->wait_mu, deadline);
	pthread_mutex_unlock(&obs->wait_mu);
}

void runtime_observer_run(struct cluster *c)
{
	struct observer *obs = &c->obs;
	int64_t deadline;
	uint64_t k;

	for (k = 1; k <= c->o->ticks; k++) {
		deadline = c->start_us + (int64_t)k * c->tick_us +
			   c->tick_us / 2;
		wait_until(obs, deadline);
		lathist_add(&obs->late, clock_now_us() - deadline);
		harness_advance(&c->h, k);
		obs->ticks = k;
	}
}

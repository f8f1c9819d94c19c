/* runtime_observer.c - the observer: once per tick, on the main thread, it
 * begins the tick for the fault schedule (harness_advance: the leader, the
 * schedule, the actions applied to the nodes under their locks).
 *
 * It wakes half a tick after each deadline (start + (k + 1/2) * tick, still
 * absolute): the nodes' turns at deadline k are over by then, so it does not
 * contend with them for their locks, and a fault scheduled for tick k lands
 * between the nodes' ticks k and k+1 instead of racing with them.
 *
 * A stop request (harness_stop.h) ends the run at the next tick boundary:
 * the observer returns before beginning that tick.
 *
 * Unlike a node, the observer never skips a tick: the fault schedule names
 * ticks (--pause 1@50:30), so when it falls behind it catches up at once.
 * Safety is the event checker's to judge (monitor.c), from what the nodes
 * publish; the observer checks nothing itself.
 */
#include "clock.h"
#include "harness/harness_stop.h"
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

/* Waits for the deadline, or until a stop is requested (Ctrl-C): it looks
 * at least every HARNESS_STOP_POLL_US, however long a tick is. */
static void wait_until(struct observer *obs, int64_t deadline)
{
	int64_t now;
	int64_t until;

	pthread_mutex_lock(&obs->wait_mu);
	while ((now = clock_now_us()) < deadline &&
	       !harness_stop_requested()) {
		until = deadline - now > HARNESS_STOP_POLL_US
				? now + HARNESS_STOP_POLL_US
				: deadline;
		clock_cond_wait_until(&obs->wait_cond, &obs->wait_mu, until);
	}
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
		if (harness_stop_requested()) /* SIGINT, SIGTERM: stop here */
			break;
		lathist_add(&obs->late, clock_now_us() - deadline);
		harness_advance(&c->h, k);
		obs->ticks = k;
	}
}

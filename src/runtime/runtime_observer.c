/* runtime_observer.c - the observer, on the main thread: it begins every
 * tick for the fault schedule (harness_advance: the schedule, the actions
 * applied to the nodes under their locks).
 *
 * Tickless: it wakes only for a tick on which the schedule acts (a fault
 * starts or ends, or a random fault's draw comes up: harness_next_fault_tick
 * replays the draws to find it), for the end, and at least every
 * OBSERVER_PERIOD_US. On waking it begins, in order, every tick since its
 * last wake-up, so the schedule's draws are those of one wake-up per tick
 * and nothing can happen on the ticks it begins late.
 *
 * It wakes half a tick after a deadline (start + (k + 1/2) * tick, still
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

/* The observer wakes at least this often, whatever the schedule: a coarse
 * heartbeat for what must be seen within a fraction of a second. */
#define OBSERVER_PERIOD_US 100000

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

/* The tick on which the observer wakes next: the next one on which the
 * schedule acts, the coarse period's, or the last. */
static uint64_t next_wake(struct cluster *c)
{
	uint64_t period = (uint64_t)(OBSERVER_PERIOD_US / c->tick_us);
	uint64_t limit = c->obs.ticks + (period > 1 ? period : 1);
	uint64_t tick;

	if (limit > c->o->ticks)
		limit = c->o->ticks;
	tick = harness_next_fault_tick(&c->h, limit);
	return tick < limit ? tick : limit;
}

void runtime_observer_run(struct cluster *c)
{
	struct observer *obs = &c->obs;
	int64_t deadline;
	uint64_t wake;
	uint64_t k;

	while (obs->ticks < c->o->ticks) {
		wake = next_wake(c);
		deadline = c->start_us + (int64_t)wake * c->tick_us +
			   c->tick_us / 2;
		wait_until(obs, deadline);
		lathist_add(&obs->late, clock_now_us() - deadline);
		/* THE TICK BOUNDARY: ticks obs->ticks + 1 .. wake begin now,
		 * in order; only `wake` may have anything to apply. */
		for (k = obs->ticks + 1; k <= wake; k++) {
			harness_advance(&c->h, k);
			obs->ticks = k;
		}
	}
}

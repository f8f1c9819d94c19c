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

/* The observer wakes at least this often, whatever the schedule: a coarse
 * heartbeat for what must be seen within a fraction of a second. */
#define OBSERVER_PERIOD_US 250000

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
	while ((now = clock_now_us()) < deadline && !harness_stop_requested()) {
		until = deadline - now > HARNESS_STOP_POLL_US
				? now + HARNESS_STOP_POLL_US
				: deadline;
		clock_cond_wait_until(&obs->wait_cond, &obs->wait_mu, until);
	}
	pthread_mutex_unlock(&obs->wait_mu);
}

/* The tick on which the observer wakes next: the next one on which the
 * schedule acts, the coarse period's, or the last. */
static uint64_t next_wake(struct cluster *c)
{
	int64_t every = c->ctl != NULL ? RUNTIME_CONTROL_PERIOD_US
				       : OBSERVER_PERIOD_US;
	uint64_t period = (uint64_t)(every / c->tick_us);
	uint64_t limit = c->obs.ticks + (period > 1 ? period : 1);
	uint64_t tick;

	if (limit > c->o->ticks)
		limit = c->o->ticks;
	tick = harness_next_fault_tick(&c->h, limit);
	return tick < limit ? tick : limit;
}

/* The ticks whose observer deadline (half a tick in) has passed, up to
 * `wake`: on a stop, the run ends having begun those and no more. */
static uint64_t ticks_begun(const struct cluster *c, uint64_t wake)
{
	int64_t since = clock_now_us() - c->start_us - c->tick_us / 2;
	uint64_t tick = since < 0 ? 0 : (uint64_t)(since / c->tick_us);

	return tick < wake ? tick : wake;
}

void runtime_observer_run(struct cluster *c)
{
	struct observer *obs = &c->obs;
	int64_t deadline;
	uint64_t wake;
	uint64_t k;
	bool stop;

	while (obs->ticks < c->o->ticks) {
		wake = next_wake(c);
		deadline = c->start_us + (int64_t)wake * c->tick_us +
			   c->tick_us / 2;
		wait_until(obs, deadline);
		stop = harness_stop_requested();
		if (stop) /* SIGINT, SIGTERM: begin only the ticks now due */
			wake = ticks_begun(c, wake);
		else
			lathist_add(&obs->late, clock_now_us() - deadline);
		/* THE TICK BOUNDARY: ticks obs->ticks + 1 .. wake begin now,
		 * in order; only `wake` may have anything to apply. */
		for (k = obs->ticks + 1; k <= wake; k++) {
			harness_advance(&c->h, k);
			obs->ticks = k;
		}
		if (stop)
			break;
		if (c->ctl != NULL && c->ctl->poll != NULL)
			c->ctl->poll(c->ctl->ctx, &c->h);
	}
}

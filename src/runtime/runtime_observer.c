/* runtime_observer.c - the observer: once per tick, on the main thread, it
 * samples every node, checks live that no two nodes lead one term, counts
 * spurious elections, and advances and applies the fault schedule.
 *
 * It wakes half a tick after each deadline (start + (k + 1/2) * tick, still
 * absolute): the nodes' turns at deadline k are over by then, so it does not
 * contend with them for their locks, and a fault scheduled for tick k lands
 * between the nodes' ticks k and k+1 instead of racing with them.
 *
 * Unlike a node, the observer never skips a tick: the fault schedule names
 * ticks (--pause 1@50:30), so when it falls behind it catches up at once.
 */
#include <assert.h>
#include <inttypes.h>

#include "clock.h"
#include "runtime_internal.h"

int observer_init(struct cluster *c)
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

void observer_destroy(struct cluster *c)
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

static void take_samples(struct cluster *c)
{
	struct observer *obs = &c->obs;
	struct rnode *rn;
	int i;

	for (i = 0; i < c->n; i++) {
		rn = &c->node[i];
		pthread_mutex_lock(&rn->mu);
		obs->cur[i].role = rn->raft.role;
		obs->cur[i].term = rn->raft.current_term;
		obs->cur[i].status = rn->status;
		obs->cur[i].elections = rn->raft.stats.elections_started;
		pthread_mutex_unlock(&rn->mu);
	}
}

/* The up node leading the highest term, for --pause leader@TICK. */
static int current_leader(const struct cluster *c)
{
	const struct sample *s = c->obs.cur;
	int leader = RAFT_NONE;
	int i;

	for (i = 0; i < c->n; i++)
		if (s[i].status == NODE_UP && s[i].role == RAFT_LEADER &&
		    (leader == RAFT_NONE || s[i].term > s[leader].term))
			leader = i;
	return leader;
}

/* A finding goes to the run's error stream at once, under the monitor lock
 * so that it does not interleave with the console. */
static void report_two_leaders(struct cluster *c, int a, int b, uint64_t term)
{
	pthread_mutex_lock(&c->mon_mu);
	fprintf(c->err,
		"raftsim: observer at %.3f ms: nodes %d and %d both leader of "
		"term %" PRIu64 "\n",
		(double)cluster_elapsed_us(c) / 1000.0, a, b, term);
	pthread_mutex_unlock(&c->mon_mu);
}

/* Election safety, live: a leader of term T seen now, and another node seen
 * leading T at any earlier sample. Crashed nodes' leftovers are ignored. */
static void check_leaders(struct cluster *c)
{
	struct observer *obs = &c->obs;
	uint64_t t;
	int i;
	int j;

	for (i = 0; i < c->n; i++) {
		t = obs->cur[i].term;
		if (obs->cur[i].role != RAFT_LEADER ||
		    obs->cur[i].status == NODE_CRASHED || obs->led_term[i] == t)
			continue;
		obs->led_term[i] = t;
		for (j = 0; j < c->n; j++) {
			if (j == i || obs->led_term[j] != t)
				continue;
			obs->live_violations++;
			report_two_leaders(c, j, i, t);
		}
	}
}

/* An election node i started since the last sample is spurious if, at that
 * sample, a leader of i's term or later had been up and leading for
 * election_max samples, reachable from i with no partition change for as
 * long, i itself had been up as long, and no drops are configured: its
 * heartbeats had to arrive. The same rule as the checker's, on samples. */
static bool spurious(struct cluster *c, int i, uint64_t tick)
{
	const struct observer *obs = &c->obs;
	const struct sample *p = obs->prev;
	uint64_t w = c->o->election.max;
	int l;

	if (c->o->drop > 0 || obs->up_streak[i] < w ||
	    tick < obs->regroup_tick + w)
		return false;
	for (l = 0; l < c->n; l++)
		if (l != i && p[l].role == RAFT_LEADER &&
		    p[l].status == NODE_UP && obs->lead_streak[l] >= w &&
		    p[l].term >= p[i].term &&
		    faults_connected(&c->faults, l, i))
			return true;
	return false;
}

static void count_spurious(struct cluster *c, uint64_t tick)
{
	struct observer *obs = &c->obs;
	const struct sample *p = obs->prev;
	const struct sample *s = obs->cur;
	int i;

	for (i = 0; i < c->n; i++)
		if (tick > 1 && s[i].elections > p[i].elections &&
		    spurious(c, i, tick))
			obs->live_spurious++;
	for (i = 0; i < c->n; i++) {
		if (s[i].status == NODE_UP)
			obs->up_streak[i]++;
		else
			obs->up_streak[i] = 0;
		if (s[i].status != NODE_UP || s[i].role != RAFT_LEADER)
			obs->lead_streak[i] = 0;
		else if (p[i].role == RAFT_LEADER && p[i].term == s[i].term)
			obs->lead_streak[i]++;
		else
			obs->lead_streak[i] = 1;
		obs->prev[i] = s[i];
	}
}

static void publish_fault(struct cluster *c, enum wev_type type, int node,
			  uint64_t tick)
{
	struct wev w = {0};

	w.type = type;
	w.node = node;
	w.tick = tick;
	w.peer = RAFT_NONE;
	if (type == WEV_PARTITION)
		w.group_of = c->faults.group_of; /* this thread's to write */
	cluster_publish(c, &w);
}

static void apply_to_node(struct cluster *c, const struct fault_action *a,
			  uint64_t tick)
{
	struct rnode *rn = &c->node[a->node];
	enum wev_type type = WEV_PAUSE;
	int rv;

	pthread_mutex_lock(&rn->mu);
	switch (a->type) {
	case FAULT_PAUSE:
		rn->status = NODE_PAUSED;
		mailbox_set_mode(&rn->mb, MAILBOX_FROZEN);
		break;
	case FAULT_RESUME:
		type = WEV_RESUME;
		rn->status = NODE_UP;
		rn->resync = true;
		mailbox_set_mode(&rn->mb, MAILBOX_RUN);
		break;
	case FAULT_CRASH:
		type = WEV_CRASH;
		rn->durable = raft_durable_of(&rn->raft);
		rn->status = NODE_CRASHED;
		mailbox_set_mode(&rn->mb, MAILBOX_CLOSED);
		break;
	case FAULT_RESTART:
		type = WEV_RESTART;
		rn->restarts++;
		rv = node_boot(rn, true);
		assert(rv == RAFT_OK); /* this configuration booted before */
		(void)rv;
		mailbox_set_mode(&rn->mb, MAILBOX_RUN);
		break;
	case FAULT_PARTITION:
	case FAULT_HEAL:
		assert(0);
		break;
	}
	/* Published under the node lock, so the node's own events cannot
	 * come before its pause or restart in the trace. */
	publish_fault(c, type, a->node, tick);
	pthread_mutex_unlock(&rn->mu);
}

static void advance_faults(struct cluster *c, uint64_t tick, int leader)
{
	struct observer *obs = &c->obs;
	int count;
	int i;

	pthread_mutex_lock(&c->net_mu);
	count = faults_advance(&c->faults, tick, leader, obs->actions);
	pthread_mutex_unlock(&c->net_mu);
	for (i = 0; i < count; i++) {
		const struct fault_action *a = &obs->actions[i];

		if (a->type == FAULT_PARTITION || a->type == FAULT_HEAL) {
			obs->regroup_tick = tick;
			publish_fault(c,
				      a->type == FAULT_PARTITION ? WEV_PARTITION
								 : WEV_HEAL,
				      RAFT_NONE, tick);
			continue;
		}
		apply_to_node(c, a, tick);
	}
}

void observer_run(struct cluster *c)
{
	struct observer *obs = &c->obs;
	int64_t deadline;
	uint64_t k;

	for (k = 1; k <= c->o->ticks; k++) {
		deadline = c->start_us + (int64_t)k * c->tick_us +
			   c->tick_us / 2;
		wait_until(obs, deadline);
		lathist_add(&obs->late, clock_now_us() - deadline);
		take_samples(c);
		check_leaders(c);
		count_spurious(c, k);
		advance_faults(c, k, current_leader(c));
		obs->ticks = k;
	}
}

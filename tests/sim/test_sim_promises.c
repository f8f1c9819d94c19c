/* test_sim_promises.c - what the harness holds until the disk has it
 * (issue 12), seen in the simulator with a slow disk (5 ms syncs) and
 * leaders that crash. A node's persist event is its promise: the votes
 * and acknowledgements it lets go carry no more than it says. So at every
 * persist event, the node's WAL must already hold that term and vote on
 * disk, and its log up to that index; and every leader must have won on
 * promised votes, every commit rest on a majority of promised copies. The
 * two mistakes that let messages go before the sync break the first rule,
 * which shows the check can fail. */
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "storage/wal.h"
#include "testhelp.h"

#define NODES 5
#define MAX_TERMS 4096

struct promises {
	struct sim *sim;
	int votes[NODES][MAX_TERMS];        /* promised vote + 1; 0: none */
	uint64_t durable[NODES][MAX_TERMS]; /* highest index promised whose
					       last entry is of that term */
	uint64_t persists, leaders, commits;
	uint64_t ahead_of_disk; /* a promise the disk did not hold yet */
	uint64_t unbacked_leaders, unbacked_commits, beyond;
};

static int majority(void)
{
	return NODES / 2 + 1;
}

/* The promise against the node's WAL, as its disk holds it now. */
static void on_persist(struct promises *p, const struct wev *ev)
{
	struct wal *w = sim_harness(p->sim)->node[ev->node].disk.wal;
	uint64_t term;
	int vote;

	p->persists++;
	if (w == NULL) {
		p->ahead_of_disk++;
		return;
	}
	wal_durable_meta(w, &term, &vote);
	if (term != ev->term || vote != ev->peer ||
	    wal_durable_index(w) < ev->index)
		p->ahead_of_disk++;
	if (ev->peer >= 0)
		p->votes[ev->node][ev->term] = ev->peer + 1;
	if (ev->index > p->durable[ev->node][ev->entry_term])
		p->durable[ev->node][ev->entry_term] = ev->index;
}

static void on_leader(struct promises *p, const struct wev *ev)
{
	int n, backed = 0;

	p->leaders++;
	for (n = 0; n < NODES; n++)
		backed += p->votes[n][ev->term] == ev->node + 1;
	if (backed < majority())
		p->unbacked_leaders++;
}

/* A commit by a leader: entry `index` is of its term (§5.4.2), and a
 * node whose promised log ends in that term at or past it holds it. */
static void on_commit(struct promises *p, const struct wev *ev)
{
	const struct raft_state *s = sim_node(p->sim, ev->node);
	int n, backed = 0;

	if (s->role != RAFT_LEADER)
		return;
	p->commits++;
	for (n = 0; n < NODES; n++)
		backed += p->durable[n][ev->term] >= ev->index;
	if (backed < majority())
		p->unbacked_commits++;
}

static void observe(void *ctx, const struct wev *ev)
{
	struct promises *p = ctx;

	if (ev->node < 0 || ev->node >= NODES)
		return;
	if (ev->term >= MAX_TERMS || ev->entry_term >= MAX_TERMS) {
		p->beyond++;
		return;
	}
	if (ev->type == WEV_PERSIST)
		on_persist(p, ev);
	else if (ev->type == WEV_ROLE && ev->role == RAFT_LEADER)
		on_leader(p, ev);
	else if (ev->type == WEV_COMMIT)
		on_commit(p, ev);
}

static struct promises *run(unsigned mistakes, uint64_t seed)
{
	struct promises *p = calloc(1, sizeof(*p));
	struct harness_tap tap = {observe, p};
	struct raftsim_options o;
	int i;

	if (p == NULL)
		return NULL;
	options_default(&o);
	o.sim = true;
	o.sim_disk = true;
	o.disk_us = 5000;
	o.nodes = NODES;
	o.ticks = 1500;
	o.load_rate = 2000;
	o.seed = seed;
	o.mistakes = mistakes;
	o.crash_prob = 0.002;
	o.crash_count = 8;
	for (i = 0; i < o.crash_count; i++)
		o.crashes[i] = (struct fault_window){
			WHO_LEADER, 100 + 150 * (uint64_t)i, 20};
	p->sim = sim_new(&o, NULL);
	if (p->sim == NULL) {
		free(p);
		return NULL;
	}
	sim_set_tap(p->sim, &tap);
	sim_run_all(p->sim);
	sim_free(p->sim);
	p->sim = NULL;
	return p;
}

static void promises_are_on_disk(void)
{
	uint64_t seed;

	for (seed = 1; seed <= 5; seed++) {
		struct promises *p = run(0, seed);

		REQUIRE(p != NULL);
		CHECK(p->persists > 100);
		CHECK(p->leaders >= 5);
		CHECK(p->commits > 100);
		CHECK_EQ(p->ahead_of_disk, 0);
		CHECK_EQ(p->unbacked_leaders, 0);
		CHECK_EQ(p->unbacked_commits, 0);
		CHECK_EQ(p->beyond, 0);
		free(p);
	}
}

static void mistake_promises_ahead(unsigned mistake)
{
	uint64_t seed, ahead = 0;

	for (seed = 1; seed <= 5; seed++) {
		struct promises *p = run(mistake, seed);

		REQUIRE(p != NULL);
		ahead += p->ahead_of_disk;
		free(p);
	}
	CHECK(ahead > 0);
}

static void no_fsync_promises_ahead(void)
{
	mistake_promises_ahead(RAFT_MISTAKE_NO_FSYNC);
}

static void vote_before_persist_promises_ahead(void)
{
	mistake_promises_ahead(RAFT_MISTAKE_VOTE_BEFORE_PERSIST);
}

const struct test_case sim_promises_tests[] = {
	{"disk: term and vote are on disk before any vote or RequestVote "
	 "leaves, entries before they are acknowledged (every promise is on "
	 "disk when made; every leader won on promised votes; every commit "
	 "rests on a majority of promised copies, the leader's own included "
	 "only once synced)",
	 promises_are_on_disk},
	{"disk: with no-fsync, acknowledgements leave before their entries "
	 "are on disk (the check above sees it)",
	 no_fsync_promises_ahead},
	{"disk: with vote-before-persist, votes leave before the term and "
	 "vote are on disk (the check above sees it)",
	 vote_before_persist_promises_ahead},
	{NULL, NULL},
};

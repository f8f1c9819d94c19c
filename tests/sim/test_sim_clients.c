/* test_sim_clients.c - clients on whole simulated clusters (issue 11): a
 * session's life, the fencing demo, the clients' three mistakes caught on
 * 20 seeds while correct code passes the same 20, exactly-once under
 * faults, and the same trace from the same seed. Seeded: every run here
 * is a pure function of its options. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check/checker.h"
#include "client/clients.h"
#include "failpoint.h"
#include "harness/monitor.h"
#include "sim/sim.h"
#include "testhelp.h"
#include "testrun.h"
#include "testsim.h"

/* What one run showed: the checker's verdict, the client events a tap
 * saw, the clients' and the stores' figures, and a hash of every event. */
struct client_run {
	uint64_t violations;
	bool unjudged;
	bool failed;               /* could not be set up or carried out */
	uint64_t kv_out_of_memory; /* commands a store could not apply */
	char first_what[200];
	uint64_t events;
	uint64_t hash;
	uint64_t invokes;
	uint64_t fenced_refused;   /* WEV_FENCED, accepted false */
	uint64_t fenced_stale;     /* WEV_FENCED, accepted true */
	uint64_t fenced_bad_token; /* a WEV_FENCED whose token >= highest */
	uint64_t duplicates;       /* WEV_DUPLICATE */
	struct clients_stats clients;
	struct harness_client_summary stores;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	return h * 0x100000001b3ULL;
}

static void client_tap(void *ctx, const struct wev *ev)
{
	struct client_run *r = ctx;
	size_t i;

	r->events++;
	r->hash = mix(mix(mix(r->hash, (uint64_t)ev->type), (uint64_t)ev->us),
		      (uint64_t)ev->node * 31 + ev->term + ev->index);
	if (ev->hist != NULL) {
		r->hash = mix(mix(r->hash, (uint64_t)ev->hist->client),
			      ev->hist->id);
		for (i = 0; i < ev->hist->value.len; i++)
			r->hash = mix(r->hash,
				      (unsigned char)ev->hist->value.s[i]);
	}
	switch (ev->type) {
	case WEV_INVOKE:
		r->invokes++;
		break;
	case WEV_FENCED:
		if (ev->accepted)
			r->fenced_stale++;
		else
			r->fenced_refused++;
		if (ev->token >= ev->highest)
			r->fenced_bad_token++;
		break;
	case WEV_DUPLICATE:
		r->duplicates++;
		break;
	default:
		break;
	}
}

/* Runs o in the simulator with a checker and the tap. */
static void run_clients(const struct raftsim_options *o, struct client_run *r)
{
	const struct checker_violation *reports;
	struct harness_tap tap = {client_tap, r};
	struct run_info info;
	struct monitor mon;
	struct sim *sim;

	memset(r, 0, sizeof(*r));
	r->hash = 0xcbf29ce484222325ULL;
	r->failed = true;
	monitor_run_info(&info, o, "sim");
	if (monitor_init(&mon, &info, NULL, NULL) != 0)
		return;
	sim = sim_new(o, &mon);
	if (sim == NULL)
		goto out;
	sim_set_tap(sim, &tap);
	sim_run_all(sim);
	if (sim_failure(sim) == SIM_OK && sim_clients(sim) != NULL) {
		r->failed = false;
		monitor_end(&mon, sim_now(sim), sim_tick(sim));
		r->violations = checker_violation_count(mon.checker);
		r->unjudged = checker_unjudged(mon.checker);
		if (r->violations > 0 &&
		    checker_reports(mon.checker, &reports) > 0)
			snprintf(r->first_what, sizeof(r->first_what), "%s",
				 reports[0].what);
		r->clients = sim_clients(sim)->stats;
		harness_client_summary(sim_harness(sim), &r->stores);
		r->kv_out_of_memory = harness_kv_out_of_memory(
			sim_harness(sim));
	}
	sim_free(sim);
out:
	monitor_free(&mon);
}

static void client_defaults(struct raftsim_options *o, uint64_t seed)
{
	options_default(o);
	o->sim = true;
	o->quiet = true;
	o->seed = seed;
	o->clients = 4;
	o->ticks = 400;
}

/* A clean run: the checker looked (clients' history included) and found
 * nothing. */
static bool passed(const struct client_run *r)
{
	return !r->failed && !r->unjudged && r->violations == 0;
}

/* Thesis §6.3: each client registers a session, numbers its requests, and
 * a request retried after its reply was lost is answered from the
 * session's cache instead of being executed again. */
static void a_client_sessions_life(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));

	REQUIRE(o != NULL && r != NULL);
	client_defaults(o, 3);
	o->drop = 0.1; /* replies lost: retries of executed requests */
	run_clients(o, r);
	REQUIRE(!r->failed);
	CHECK_EQ(r->clients.sessions, 4u); /* one registration each */
	CHECK(r->clients.ok > 50);
	CHECK(r->clients.timeouts > 0);
	/* a retry answered from the cache, never executed twice */
	CHECK(r->stores.deduplicated > 0);
	CHECK_EQ(r->stores.reexecuted, 0u);
	CHECK_EQ(r->duplicates, 0u);
	/* every operation invoked is in the history, once */
	CHECK_EQ(r->invokes, r->clients.invoked);
	CHECK(r->clients.ok + r->clients.failed + r->clients.info <=
	      r->clients.invoked);
	CHECK(r->clients.invoked - r->clients.ok - r->clients.failed -
		      r->clients.info <=
	      4); /* at most one open a client at the end */
	if (!passed(r))
		TEST_FAIL_AT("seed 3: %" PRIu64 " violations (%s)%s",
			     r->violations, r->first_what,
			     r->unjudged ? ", unjudged" : "");
	free(r);
	free(o);
}

/* The fencing demo's run: the leader frozen at tick 50 for 60 ticks
 * (past election_max, 20): its successor writes with a higher token, and
 * the old leader's write, mirrored before the pause, leaves when it
 * resumes. */
static void fencing_demo(struct raftsim_options *o, uint64_t seed)
{
	client_defaults(o, seed);
	o->ticks = 300;
	o->fenced_store = true;
	o->pauses[0] = (struct fault_window){WHO_LEADER, 50, 60};
	o->pause_count = 1;
}

/* Lesson L05 (Kleppmann): a leader frozen past the election timeout
 * resumes and writes with its old term; the fenced store refuses it, and
 * the trace shows it. */
static void a_deposed_leaders_write_is_refused_by_the_fenced_store(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));

	REQUIRE(o != NULL && r != NULL);
	fencing_demo(o, 1);
	run_clients(o, r);
	REQUIRE(!r->failed);
	CHECK(r->fenced_refused > 0);
	CHECK_EQ(r->fenced_stale, 0u);
	CHECK_EQ(r->fenced_bad_token, 0u);
	CHECK_EQ(r->stores.fenced.stats.refused, r->fenced_refused);
	CHECK_EQ(r->stores.fenced.stats.stale_accepted, 0u);
	CHECK(r->stores.fenced.stats.accepted > 100);
	CHECK(r->stores.fenced.highest > 1);
	CHECK(passed(r));
	free(r);
	free(o);
}

/* The no-fencing mistake: the same write is taken, and the checker says
 * a stale write was accepted. */
static void without_fencing_the_stale_write_is_accepted_and_caught(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));

	REQUIRE(o != NULL && r != NULL);
	fencing_demo(o, 1);
	o->mistakes = RAFT_MISTAKE_NO_FENCING;
	run_clients(o, r);
	REQUIRE(!r->failed);
	CHECK_EQ(r->fenced_refused, 0u);
	CHECK(r->fenced_stale > 0);
	CHECK_EQ(r->stores.fenced.stats.stale_accepted, r->fenced_stale);
	CHECK(r->violations > 0);
	free(r);
	free(o);
}

/* no-fencing over 20 seeds: the fencing demo with 8 clients (so that the
 * leader has writes in its outbox when it is frozen) refuses the deposed
 * leader's writes with correct code, and the checker fails the run with
 * the mistake, on every seed. */
static void no_fencing_is_caught_on_20_seeds_and_correct_code_passes(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));
	uint64_t seed;

	REQUIRE(o != NULL && r != NULL);
	for (seed = 1; seed <= 20; seed++) {
		fencing_demo(o, seed);
		o->clients = 8;
		run_clients(o, r);
		if (!passed(r) || r->fenced_stale > 0 || r->fenced_refused == 0)
			TEST_FAIL_AT("correct code, seed %" PRIu64 ": %" PRIu64
				     " violations (%s), %" PRIu64
				     " refused, %" PRIu64 " stale accepted",
				     seed, r->violations, r->first_what,
				     r->fenced_refused, r->fenced_stale);
		o->mistakes = RAFT_MISTAKE_NO_FENCING;
		run_clients(o, r);
		if (r->failed || r->fenced_stale == 0 || r->violations == 0)
			TEST_FAIL_AT("no-fencing, seed %" PRIu64 ": %" PRIu64
				     " stale accepted, %" PRIu64 " violations",
				     seed, r->fenced_stale, r->violations);
	}
	free(r);
	free(o);
}

/* no-dedup: a retry of a request whose reply was lost is executed again;
 * the exactly-once check catches it on every one of 20 seeds, and correct
 * code passes the same 20. */
static void no_dedup_is_caught_on_20_seeds_and_correct_code_passes(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));
	uint64_t seed;

	REQUIRE(o != NULL && r != NULL);
	for (seed = 1; seed <= 20; seed++) {
		client_defaults(o, seed);
		o->ticks = 300;
		o->drop = 0.1;
		run_clients(o, r);
		if (!passed(r) || r->duplicates > 0)
			TEST_FAIL_AT("correct code, seed %" PRIu64 ": %" PRIu64
				     " violations (%s), %" PRIu64 " duplicates",
				     seed, r->violations, r->first_what,
				     r->duplicates);
		o->mistakes = RAFT_MISTAKE_NO_DEDUP;
		run_clients(o, r);
		if (r->failed || r->duplicates == 0 || r->violations == 0)
			TEST_FAIL_AT("no-dedup, seed %" PRIu64 ": %" PRIu64
				     " duplicates, %" PRIu64 " violations",
				     seed, r->duplicates, r->violations);
	}
	free(r);
	free(o);
}

/* The stale-read scenario: no check-quorum; at tick 60 the leader is cut
 * off alone for 100 ticks (clients still reach it: they stand outside).
 * Mostly reads on three keys, and a client timeout (50 ms) shorter than
 * an election, so that writers soon move to the majority's new leader
 * while readers stay with the old one. */
static bool stale_read_scenario(struct raftsim_options *o, uint64_t seed)
{
	struct partition_window *p = &o->partitions[0];
	int leader, i;

	options_default(o);
	o->sim = true;
	o->quiet = true;
	o->seed = seed;
	o->clients = 8;
	o->keys = 3;
	o->read_ratio = 0.97;
	o->cas_ratio = 0.01;
	o->append_ratio = 0.01;
	o->delete_ratio = 0;
	o->client_timeout_us = 50000;
	o->ticks = 59;
	leader = testsim_leader_at(o, 59);
	if (leader == RAFT_NONE)
		return false;
	o->ticks = 300;
	memset(p, 0, sizeof(*p));
	p->tick = 60;
	p->len = 100;
	p->max_node = o->nodes - 1;
	for (i = 0; i < o->nodes; i++)
		p->group_of[i] = i == leader ? 0 : 1;
	o->partition_count = 1;
	return true;
}

static void stale_read_is_caught_under_a_partition_on_20_seeds(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));
	uint64_t seed;

	REQUIRE(o != NULL && r != NULL);
	for (seed = 1; seed <= 20; seed++) {
		if (!stale_read_scenario(o, seed)) {
			TEST_FAIL_AT("seed %" PRIu64 ": no leader by tick 59",
				     seed);
			continue;
		}
		run_clients(o, r);
		if (!passed(r))
			TEST_FAIL_AT("correct code, seed %" PRIu64 ": %" PRIu64
				     " violations (%s)%s",
				     seed, r->violations, r->first_what,
				     r->unjudged ? ", unjudged" : "");
		o->mistakes = RAFT_MISTAKE_STALE_READ;
		run_clients(o, r);
		if (r->failed || r->violations == 0)
			TEST_FAIL_AT("stale-read, seed %" PRIu64 ": not caught",
				     seed);
	}
	free(r);
	free(o);
}

/* Issue 11, "exactly-once under faults", at a tenth of its size (make
 * stress runs the million): 100,000 operations of 64 clients, each
 * retried up to 5 times, under leader crashes, a paused leader,
 * partitions, loss, duplication and reordering: no request applied twice,
 * a linearizable history, no stale write taken by the fenced store. */
static void exactly_once_under_faults_100k_operations(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));
	static const uint8_t sides[2][3] = {{0, 1, 1}, {1, 0, 1}};
	int i;

	REQUIRE(o != NULL && r != NULL);
	client_defaults(o, 7);
	o->clients = 64;
	o->ops = 100000;
	o->ticks = 30000;
	o->retries = 5;
	o->fenced_store = true;
	o->drop = 0.02;
	o->dup = 0.05;
	o->reorder = 0.05;
	o->crashes[0] = (struct fault_window){WHO_LEADER, 2000, 50};
	o->crashes[1] = (struct fault_window){WHO_LEADER, 6000, 50};
	o->crash_count = 2;
	o->pauses[0] = (struct fault_window){WHO_LEADER, 9000, 60};
	o->pause_count = 1;
	for (i = 0; i < 2; i++) {
		struct partition_window *p = &o->partitions[i];

		memset(p, 0, sizeof(*p));
		p->tick = i == 0 ? 4000 : 12000;
		p->len = 100;
		p->max_node = 2;
		memcpy(p->group_of, sides[i], 3);
	}
	o->partition_count = 2;
	run_clients(o, r);
	REQUIRE(!r->failed);
	CHECK_EQ(r->clients.invoked, 100000u);
	CHECK(r->clients.ok > 99000);
	CHECK(r->clients.timeouts > 1000); /* the faults were felt */
	CHECK(r->stores.deduplicated > 0);
	CHECK_EQ(r->duplicates, 0u);
	CHECK_EQ(r->stores.reexecuted, 0u);
	CHECK_EQ(r->fenced_stale, 0u);
	CHECK_EQ(r->stores.fenced.stats.stale_accepted, 0u);
	if (!passed(r))
		TEST_FAIL_AT("%" PRIu64 " violations (%s)%s", r->violations,
			     r->first_what, r->unjudged ? ", unjudged" : "");
	free(r);
	free(o);
}

/* The same seed gives the same run, client history included, event for
 * event; another seed another. */
static void a_seed_replays_the_clients_run_event_for_event(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(3 * sizeof(*r));

	REQUIRE(o != NULL && r != NULL);
	client_defaults(o, 21);
	o->drop = 0.05;
	o->dup = 0.05;
	o->reorder = 0.05;
	o->fenced_store = true;
	o->pauses[0] = (struct fault_window){WHO_LEADER, 50, 60};
	o->pause_count = 1;
	run_clients(o, &r[0]);
	run_clients(o, &r[1]);
	o->seed = 22;
	run_clients(o, &r[2]);
	REQUIRE(!r[0].failed && !r[1].failed && !r[2].failed);
	CHECK(r[0].invokes > 100);
	CHECK_EQ(r[0].events, r[1].events);
	CHECK(r[0].hash == r[1].hash);
	CHECK(r[0].hash != r[2].hash);
	free(r);
	free(o);
}

/* A run whose history lincheck cannot decide was looked at by nobody:
 * explore must not count it passed. This explore has such runs (30
 * clients on 3 keys: a cas from an absent key that may have followed any
 * of several deletes defeats the append inference's guess, and the search
 * then passes its memory bound); should the checker learn to decide it,
 * find another with the same command and more runs. */
static void explore_does_not_pass_a_run_it_could_not_judge(void)
{
	struct cmd_result *r = calloc(1, sizeof(*r));

	REQUIRE(r != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim explore --clients 30 --keys 3 --runs 45 "
			"--ticks 600 --seed 1014",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->out, " runs could not be judged: ") != NULL);
	CHECK(strstr(r->out, "replay: raftsim --sim ") != NULL);
	free(r);
}

/* explore with clients: its random faults on every run, the clients'
 * flags carried into each run and its replay command; correct code
 * passes, and the no-dedup and no-fencing mistakes are caught. */
static void explore_runs_clients_and_catches_their_mistakes(void)
{
	struct cmd_result *r = calloc(1, sizeof(*r));

	REQUIRE(r != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim explore --clients 4 --fenced-store "
			"--runs 60 --seed 1",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, " 0 runs with violations") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim explore --clients 4 --mistake no-dedup "
			"--runs 60 --seed 1",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 1);
	CHECK(strstr(r->out, "exactly-once") != NULL);
	CHECK(strstr(r->out, "--mistake no-dedup --clients 4 ") != NULL);
	REQUIRE(run_cmd(r,
			"%s/raftsim explore --clients 4 --fenced-store "
			"--mistake no-fencing --runs 60 --seed 1",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 1);
	CHECK(strstr(r->out, "fencing") != NULL);
	free(r);
}

/* An allocation that fails anywhere in a run with clients (the stores,
 * the sessions, the service, the clients, lincheck) is the machine's
 * failure: the run is not carried out, or cannot be judged, or names the
 * store that could not apply; it never passes for a Raft violation
 * alone. Sweeps the allocations of a small run. */
static void a_failed_allocation_is_never_a_raft_violation(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct client_run *r = malloc(sizeof(*r));
	long calls, k, step;

	REQUIRE(o != NULL && r != NULL);
	client_defaults(o, 3);
	o->ticks = 150;
	o->append_ratio = 0.3;
	failpoint_arm(0);
	run_clients(o, r);
	calls = failpoint_disarm();
	REQUIRE(!r->failed && r->violations == 0);
	step = calls / 400 > 0 ? calls / 400 : 1;
	for (k = 1; k <= calls; k += step) {
		failpoint_arm(k);
		run_clients(o, r);
		failpoint_disarm();
		if (r->failed || r->unjudged)
			continue;
		if (r->violations > 0 && r->kv_out_of_memory == 0)
			TEST_FAIL_AT("allocation %ld of %ld failed: %" PRIu64
				     " violations (%s), no store out of memory",
				     k, calls, r->violations, r->first_what);
	}
	free(r);
	free(o);
}

const struct test_case sim_clients_tests[] = {
	{"sim clients: §6.3 a client's session: it registers, its operations "
	 "complete, and a retry after a lost reply is answered from the "
	 "session's cache, never executed twice",
	 a_client_sessions_life},
	{"sim clients: L05 fencing: a leader frozen past the election "
	 "timeout resumes, and the fenced store refuses its old-term write "
	 "(a fenced event in the trace)",
	 a_deposed_leaders_write_is_refused_by_the_fenced_store},
	{"sim clients: with --mistake no-fencing the deposed leader's write "
	 "is accepted, and the checker fails the run",
	 without_fencing_the_stale_write_is_accepted_and_caught},
	{"sim clients: L05 no-fencing is caught on 20 seeds (a deposed "
	 "leader's write accepted below the highest token), and correct code "
	 "passes the same 20 with the write refused",
	 no_fencing_is_caught_on_20_seeds_and_correct_code_passes},
	{"sim clients: no-dedup executes retries twice: caught on 20 seeds, "
	 "and correct code passes the same 20",
	 no_dedup_is_caught_on_20_seeds_and_correct_code_passes},
	{"explore: a run whose client history was not decided is not "
	 "counted passed (exit 3, with its replay)",
	 explore_does_not_pass_a_run_it_could_not_judge},
	{"sim clients: an allocation that fails anywhere in a run with clients "
	 "is never reported as a Raft violation alone",
	 a_failed_allocation_is_never_a_raft_violation},
	{"sim clients: stale-read under a partition: a non-linearizable "
	 "history on 20 seeds, and correct code passes the same 20",
	 stale_read_is_caught_under_a_partition_on_20_seeds},
	{"sim clients: exactly-once under crashes, a pause, partitions, "
	 "--drop, --dup and --reorder: 100,000 operations, none applied "
	 "twice, linearizable, no stale fenced write",
	 exactly_once_under_faults_100k_operations},
	{"sim clients: a seed replays the run, client history included, "
	 "event for event",
	 a_seed_replays_the_clients_run_event_for_event},
	{"sim clients: explore --clients passes correct code and catches "
	 "no-dedup and no-fencing, with replayable commands",
	 explore_runs_clients_and_catches_their_mistakes},
	{NULL, NULL},
};

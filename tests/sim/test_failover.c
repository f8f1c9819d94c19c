/* test_failover.c - `raftsim failover`: the measurement itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/failover.h"
#include "testhelp.h"
#include "testrun.h"

#define TRIALS 200

/* Runs n trials of one range into results (TRIALS long). */
static void run_trials(struct trial_result *results, const char *range, int n,
		       void (*tweak)(struct raftsim_options *))
{
	struct raftsim_options base, o;
	struct tick_range ms;
	int i;

	options_default(&base);
	base.command = CMD_FAILOVER;
	base.nodes = 5;
	base.latency_us.min = base.latency_us.max = 15000;
	if (tweak != NULL)
		tweak(&base);
	if (sscanf(range, "%llu-%llu", (unsigned long long *)&ms.min,
		   (unsigned long long *)&ms.max) != 2)
		abort();
	failover_trial_options(&base, &ms, &o);
	memset(results, 0, TRIALS * sizeof(*results));
	for (i = 0; i < n; i++)
		if (failover_sim_trial(&o, (uint64_t)i + 1, &results[i]) != 0)
			results[i].capped = 1;
}

/* Runs `body` on TRIALS fresh results, freed however it ends. */
static void with_results(void (*body)(struct trial_result *results))
{
	struct trial_result *results = calloc(TRIALS, sizeof(*results));

	REQUIRE(results != NULL);
	body(results);
	free(results);
}

static void peer_settings(struct raftsim_options *o)
{
	o->heartbeat_ms = 100;
}

/* README's Figure 16 model, replicating `rate` proposals a second. */
static void paper_model(struct raftsim_options *o, uint64_t rate)
{
	o->latency_us.min = 1000;
	o->latency_us.max = 2500;
	o->disk_us = 1000;
	o->load_rate = rate;
}

/* Fewer AppendEntries a second than a peer's pipeline holds
 * (--max-inflight 64 over a ~5 ms round trip). */
static void light_load(struct raftsim_options *o)
{
	paper_model(o, 5000);
}

/* More: the leader holds entries back from the peers whose pipelines are
 * full, and they die with it. */
static void heavy_load(struct raftsim_options *o)
{
	paper_model(o, 30000);
}

static void ranked(struct raftsim_options *o)
{
	o->heartbeat_ms = 100;
	o->ranked_timeouts = true;
}

/* §9.3: the leader dies uniformly within its heartbeat interval, so no
 * follower can notice before MIN - H after the crash. */
static void downtime_is_bounded_below_on(struct trial_result *results)
{
	struct range_stats st;
	int i;

	run_trials(results, "1000-2000", TRIALS, peer_settings);
	for (i = 0; i < TRIALS; i++) {
		CHECK(!results[i].capped);
		/* MIN - H, plus one message to deliver the new heartbeat. */
		CHECK(results[i].downtime_ms >= 1000 - 100 + 15);
		CHECK(results[i].rounds >= 1);
	}
	failover_stats(results, TRIALS, &st);
	CHECK(st.p50 <= st.p90 && st.p90 <= st.p99 && st.p99 <= st.max);
	CHECK(st.mean < 1400); /* the first of 4 timeouts: about 1200 */
}

static void ranked_timeouts_need_one_round_on(struct trial_result *results)
{
	struct range_stats st;
	int i;

	run_trials(results, "1000-2000", TRIALS, ranked);
	for (i = 0; i < TRIALS; i++) {
		CHECK_EQ(results[i].rounds, 1);
		/* The first slot is [1000, 1125): + one vote round trip + one
		 * heartbeat, less the crash offset. */
		CHECK(results[i].downtime_ms <= 1125 + 45);
	}
	failover_stats(results, TRIALS, &st);
	CHECK(st.max <= 1170);
}

static void equal_timeouts_split_votes_on(struct trial_result *results)
{
	struct range_stats st;

	run_trials(results, "150-150", 20, NULL); /* 20 trials are plenty */
	failover_stats(results, 20, &st);
	CHECK(st.p50 > 10000); /* the paper: over 10 s, split votes */
	CHECK(st.rounds_mean > 10);
}

/* Entries in flight at the crash put survivors behind one another, but
 * they arrive within 2.5 ms, long before a 150 ms timeout; and a stream
 * of AppendEntries resets the followers' timers until the crash, so the
 * moment in the heartbeat interval no longer shortens the downtime. */
static void light_load_catches_up_before_the_vote_on(
	struct trial_result *results)
{
	int behind_at_crash = 0;
	int i;

	run_trials(results, "150-200", 40, light_load);
	for (i = 0; i < 40; i++) {
		CHECK(results[i].finished && !results[i].capped);
		CHECK_EQ(results[i].stale_at_vote, 0);
		CHECK(results[i].stale_at_crash <= 3); /* of 4 survivors */
		behind_at_crash += results[i].stale_at_crash > 0;
		/* MIN, plus a vote round trip and a heartbeat. */
		CHECK(results[i].downtime_ms >= 150 + 5);
	}
	CHECK(behind_at_crash >= 30);
}

/* §5.4.1: full pipelines leave survivors behind for good; a candidate
 * behind its voters loses, and the stale ones' failed elections add
 * rounds. */
static void heavy_load_leaves_stale_survivors_on(struct trial_result *results)
{
	struct range_stats st;
	int stale_trials = 0;
	int i;

	run_trials(results, "150-200", 40, heavy_load);
	for (i = 0; i < 40; i++) {
		CHECK(results[i].finished && !results[i].capped);
		CHECK(results[i].stale_at_vote <= 3);
		stale_trials += results[i].stale_at_vote > 0;
	}
	CHECK(stale_trials >= 30);
	failover_stats(results, 40, &st);
	CHECK(st.stale_at_vote_mean >= 1.0);
	CHECK(st.rounds_mean > 1.1);
}

static void csv_and_svg_are_written_on(struct cmd_pair *p)
{
	struct cmd_result *r = &p->first;
	FILE *f;
	char line[256];
	int rows = 0;

	char csv[64], svg[64];

	test_tmp(csv, sizeof(csv), "f.csv");
	test_tmp(svg, sizeof(svg), "f.svg");
	REQUIRE(run_cmd(r,
			"%s/raftsim failover --trials 30 --election-ms "
			"150-300,12-24 --seed 4 --csv %s --svg %s",
			test_bin_dir(), csv, svg) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "150-300") != NULL);
	CHECK(strstr(r->out, "CDF") != NULL);
	f = fopen(csv, "r");
	REQUIRE(f != NULL);
	REQUIRE(fgets(line, sizeof(line), f) != NULL);
	CHECK(strcmp(line, "range,trial,downtime_ms,rounds,stale_at_crash,"
			   "stale_at_vote\n") == 0);
	while (fgets(line, sizeof(line), f) != NULL) {
		rows++;
		CHECK(strncmp(line, "150-300,", 8) == 0 ||
		      strncmp(line, "12-24,", 6) == 0);
	}
	fclose(f);
	CHECK_EQ(rows, 60);
	REQUIRE(run_cmd(r, "grep -c '<polyline' %s", svg) == 0);
	CHECK(strcmp(r->out, "2\n") == 0); /* one CDF curve per range */
	REQUIRE(run_cmd(r, "tail -c 7 %s", svg) == 0);
	CHECK(strcmp(r->out, "</svg>\n") == 0);
	remove(csv);
	remove(svg);
}

/* --stale was a stand-in for real logs; it is gone, and says so. */
static void stale_is_an_unknown_flag_on(struct cmd_pair *p)
{
	struct cmd_result *r = &p->first;

	REQUIRE(run_cmd(r, "%s/raftsim failover --stale 2 --trials 1",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--stale") != NULL);
	CHECK(r->out[0] == '\0');
}

/* Real time: one short trial, the load thread proposing all along. */
static void threads_take_load_on(struct cmd_pair *p)
{
	struct cmd_result *r = &p->first;
	char csv[64];

	test_tmp(csv, sizeof(csv), "ft.csv");
	REQUIRE(run_cmd(r,
			"%s/raftsim failover --threads --trials 1 "
			"--election-ms 50-100 --load 20000 --payload 32 "
			"--seed 5 -q --csv %s",
			test_bin_dir(), csv) == 0);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "load 20000/s of 32 B") != NULL);
	CHECK(strstr(r->out, "50-100 ") != NULL);
	REQUIRE(run_cmd(r, "tail -n 1 %s | tr -cd , | wc -c", csv) == 0);
	CHECK_EQ(atoi(r->out), 5); /* a row with the stale columns */
	remove(csv);
}

static void light_load_catches_up_before_the_vote(void)
{
	with_results(light_load_catches_up_before_the_vote_on);
}

static void heavy_load_leaves_stale_survivors(void)
{
	with_results(heavy_load_leaves_stale_survivors_on);
}

static void stale_is_an_unknown_flag(void)
{
	with_cmd_pair(stale_is_an_unknown_flag_on);
}

static void threads_take_load(void)
{
	with_cmd_pair(threads_take_load_on);
}

static void downtime_is_bounded_below(void)
{
	with_results(downtime_is_bounded_below_on);
}

static void ranked_timeouts_need_one_round(void)
{
	with_results(ranked_timeouts_need_one_round_on);
}

static void equal_timeouts_split_votes(void)
{
	with_results(equal_timeouts_split_votes_on);
}

static void csv_and_svg_are_written(void)
{
	with_cmd_pair(csv_and_svg_are_written_on);
}

const struct test_case failover_tests[] = {
	{"failover §9.3: no downtime is shorter than MIN - H plus a message; "
	 "the mean is near the first of 4 timeouts",
	 downtime_is_bounded_below},
	{"failover: ranked timeouts elect in one round, within the first slot",
	 ranked_timeouts_need_one_round},
	{"failover §9.3: equal timeouts (150-150) split votes for over 10 s",
	 equal_timeouts_split_votes},
	{"failover --load: entries in flight at the crash reach every survivor "
	 "before the first timeout, which the stream of AppendEntries delays "
	 "to MIN after the crash",
	 light_load_catches_up_before_the_vote},
	{"failover --load §5.4.1: at 30000/s full pipelines leave survivors "
	 "stale when the votes start, and their elections add rounds",
	 heavy_load_leaves_stale_survivors},
	{"failover: --stale is no longer a flag (exit 2, named)",
	 stale_is_an_unknown_flag},
	{"failover --threads takes --load and --payload, and says so",
	 threads_take_load},
	{"failover: the CSV has one row per trial and the SVG one curve per "
	 "range",
	 csv_and_svg_are_written},
	{NULL, NULL},
};

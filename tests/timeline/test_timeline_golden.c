/* test_timeline_golden.c - `raftsim timeline` pictures of seeded simulator
 * runs, compared byte for byte with tests/timeline/NAME.txt.
 *
 * Each case runs the simulator for a trace, then draws it. When a change
 * of the picture (or of the runs) is intended, `make golden` rewrites the
 * files (it runs this suite with RAFTSIM_TIMELINE_WRITE=1); read the diff
 * before committing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/timeline.h"
#include "testhelp.h"
#include "testrun.h"
#include "timeline_util.h"

#define DIR "tests/timeline"

static struct cmd_result r; /* large: never on the stack */

static const struct golden {
	const char *name;
	const char *args; /* raftsim --sim flags */
	int width;
	int64_t from_ms, to_ms; /* to_ms < 0: the whole run */
	bool utf8;
} cases[] = {
	{"plain", "--nodes 3 --ticks 200 --seed 1", 80, 0, -1, false},
	{"plain-40", "--nodes 3 --ticks 200 --seed 1", 40, 0, -1, false},
	{"plain-200", "--nodes 3 --ticks 200 --seed 1", 200, 0, -1, false},
	/* The lesson's second mistake: node 0 accepts a heartbeat at 268 ms
	 * and times out at 270 ms, before the leader's next round. */
	{"no-reset", "--nodes 3 --ticks 300 --seed 2 --mistake no-reset", 80, 0,
	 -1, false},
	{"no-reset-window",
	 "--nodes 3 --ticks 300 --seed 2 --mistake "
	 "no-reset",
	 80, 100, 400, false},
	{"no-reset-utf8", "--nodes 3 --ticks 300 --seed 2 --mistake no-reset",
	 80, 100, 400, true},
	{"faults",
	 "--nodes 5 --ticks 400 --seed 7 --pause leader@100:40 "
	 "--crash 2@200:30 --partition '300:40:0,1|2,3,4'",
	 100, 0, -1, false},
	{"prevote",
	 "--nodes 5 --ticks 300 --seed 3 --prevote --check-quorum "
	 "--drop 0.05 --dup 0.05 --reorder 0.1",
	 80, 0, 1500, false},
};

/* Draws one case into *got. Returns 0, or -1 after a failed check. */
static int draw_case(const struct golden *c, char **got, size_t *len)
{
	struct timeline_opts t = {c->width, c->from_ms * 1000,
				  c->to_ms < 0 ? -1 : c->to_ms * 1000, c->utf8};
	char trace[128];
	int rv;

	test_tmp(trace, sizeof(trace), "timeline.jsonl");
	if (run_cmd(&r, "%s/raftsim --sim %s -q --trace %s", test_bin_dir(),
		    c->args, trace) != 0 ||
	    r.status > 1) {
		TEST_FAIL_AT("%s: the run failed (%d): %s", c->name, r.status,
			     r.err);
		return -1;
	}
	rv = tl_draw_file(trace, &t, got, len, NULL);
	remove(trace);
	if (rv != TIMELINE_DRAWN) {
		TEST_FAIL_AT("%s: drawing it returned %d", c->name, rv);
		return -1;
	}
	return 0;
}

static void check_case(const struct golden *c, bool write)
{
	char path[256], *got = NULL, *want;
	size_t got_len = 0, want_len = 0;
	FILE *f;

	snprintf(path, sizeof(path), DIR "/%s.txt", c->name);
	if (draw_case(c, &got, &got_len) != 0)
		return;
	if (write) {
		f = fopen(path, "w");
		CHECK(f != NULL && fwrite(got, 1, got_len, f) == got_len);
		CHECK(f != NULL && fclose(f) == 0);
		printf("  GOLDEN  %s\n", path);
	} else {
		want = tl_slurp(path, &want_len);
		CHECK(want != NULL);
		if (want != NULL &&
		    (want_len != got_len || memcmp(want, got, got_len) != 0))
			TEST_FAIL_AT("%s: the picture differs from %s from "
				     "line %d (intended? `make golden`, then "
				     "read the diff)",
				     c->name, path,
				     tl_first_diff_line(got, want));
		free(want);
	}
	free(got);
}

static void test_golden_pictures(void)
{
	const char *w = getenv("RAFTSIM_TIMELINE_WRITE");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], w != NULL && strcmp(w, "1") == 0);
}

/* What the lesson's picture is for, asserted rather than compared: in the
 * no-reset run, node 0's lane has a timer reset and, in the next column,
 * the spurious election the checker flags, right after the leader's (node
 * 2) round and long before its next one. */
static void test_no_reset_times_out_between_heartbeats(void)
{
	static char n0[512], n2[512], chk[512];
	const struct golden *c = &cases[4];
	char *got = NULL, *at;
	size_t len = 0;
	bool lanes;
	int col;

	REQUIRE(strcmp(c->name, "no-reset-window") == 0);
	REQUIRE(draw_case(c, &got, &len) == 0);
	lanes = timeline_lane(got, "node-0", n0, sizeof(n0)) != NULL &&
		timeline_lane(got, "node-2", n2, sizeof(n2)) != NULL &&
		timeline_lane(got, "checker", chk, sizeof(chk)) != NULL;
	free(got);
	REQUIRE(lanes);
	at = strstr(n0, "v!");
	REQUIRE(at != NULL);
	col = (int)(at - n0) + 1; /* the '!' */
	CHECK(chk[col] == '!');
	/* The round that reset it is a column or two before; no round in
	 * the timeout's column: the next one was due 30 ms later. */
	CHECK(n2[col] != '|' && (n2[col - 1] == '|' || n2[col - 2] == '|'));
}

const struct test_case timeline_golden_tests[] = {
	{"timeline: golden: seeded simulator runs draw exactly the pictures "
	 "in tests/timeline",
	 test_golden_pictures},
	{"timeline: with no-reset, a follower resets its timer and times out "
	 "before the leader's next heartbeat round",
	 test_no_reset_times_out_between_heartbeats},
	{NULL, NULL},
};

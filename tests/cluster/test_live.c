/* test_live.c - `raftsim --live` end to end: the tmux script (a user
 * pausing the leader), and what it refuses. */
#include <stdio.h>
#include <string.h>

#include "../cli/clitest.h"

/* tests/live_tmux.sh: passes, or says it was skipped (no tmux). */
CLI_TEST(pausing_the_leader_in_the_live_view_elects_another)
{
	REQUIRE(run_cmd(r, "sh tests/live_tmux.sh %s/raftsim",
			test_bin_dir()) == 0);
	if (r->status != 0)
		cli_show(r);
	CHECK_EQ(r->status, 0);
	CHECK(strstr(r->out, "ok: paused leader") != NULL ||
	      strstr(r->out, "skipped: tmux not available") != NULL);
}

CLI_TEST(live_without_a_terminal_is_refused)
{
	REQUIRE(run_cmd(r, "%s/raftsim --live --nodes 3 </dev/null",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--live needs a terminal") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --sim --speed 2", test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--speed: only with --live") != NULL);
	REQUIRE(run_cmd(r, "%s/raftsim --live --sim --speed 0",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--speed") != NULL);
}

const struct test_case live_run_tests[] = {
	{"live: in tmux, p pauses the leader, another node's row becomes "
	 "leader, p N resumes the old one as a follower, q leaves a clean "
	 "trace",
	 pausing_the_leader_in_the_live_view_elects_another},
	{"live: --live refuses a stdout that is not a terminal, and --speed "
	 "wants --live and a speed above 0",
	 live_without_a_terminal_is_refused},
	{NULL, NULL},
};

/* test_data_dir.c - threaded runs on real files (issue 12): every node's
 * WAL under --data-dir, crash faults that throw a node's memory away and
 * restart it from its files, under --load; and a directory a run left is
 * refused without --resume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testhelp.h"
#include "testrun.h"

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_meta(const char *dir, int node)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/node-%d/meta", dir, node);
	return stat(path, &st) == 0 && st.st_size > 0;
}

static void crashes_on_files_pass_on(struct cmd_pair *p)
{
	char dir[] = "/tmp/raftsim-data-XXXXXX";
	int i;

	REQUIRE(mkdtemp(dir) != NULL);
	REQUIRE(run_cmd(&p->first,
			"%s/raftsim --nodes 3 --ticks 150 --tick-ms %u "
			"--load 500 --data-dir %s --crash 1@40:10 "
			"--crash leader@80:10 --trace %s/trace.jsonl -q",
			test_bin_dir(), test_tick_ms(), dir, dir) == 0);
	CHECK_EQ(p->first.status, 0);
	CHECK(strstr(p->first.out, "raftsim: PASS") != NULL);
	CHECK(strstr(p->first.out, "\ndisk: ") != NULL);
	for (i = 0; i < 3; i++) {
		char node[512];

		snprintf(node, sizeof(node), "%s/node-%d", dir, i);
		CHECK(is_dir(node));
		CHECK(has_meta(dir, i));
	}
	if (p->first.status != 0)
		fprintf(stderr, "    %s%s", p->first.out, p->first.err);
	/* The files of that run: a second run without --resume refuses. */
	REQUIRE(run_cmd(&p->second,
			"%s/raftsim --nodes 3 --ticks 10 --tick-ms %u "
			"--data-dir %s -q",
			test_bin_dir(), test_tick_ms(), dir) == 0);
	CHECK_EQ(p->second.status, 2);
	CHECK(strstr(p->second.err, "holds a previous run; add --resume") !=
	      NULL);
	REQUIRE(run_cmd(&p->second, "rm -rf %s", dir) == 0);
}

static void crashes_on_files_pass(void)
{
	with_cmd_pair(crashes_on_files_pass_on);
}

const struct test_case data_dir_tests[] = {
	{"cluster: a threaded run with --data-dir, crash faults and --load "
	 "passes, every node's files exist, and the directory is refused "
	 "to a next run without --resume",
	 crashes_on_files_pass},
	{NULL, NULL},
};

/* test_golden.c - seeded simulator runs replayed against the traces in
 * tests/golden (README there): the same flags must write the same bytes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "testrun.h"

#define GOLDEN_DIR "tests/golden"

/* The 1-based number of the first line where a and b differ. */
static int first_diff_line(const char *a, const char *b)
{
	int line = 1;

	for (; *a != '\0' && *a == *b; a++, b++)
		line += *a == '\n';
	return line;
}

/* Runs one NAME.args and compares its trace with NAME.jsonl. */
static void check_one(struct cmd_result *r, const char *name)
{
	char args_path[512], want_path[512], got_path[128];
	char *args, *want, *got;
	size_t args_len = 0, want_len = 0, got_len = 0;

	snprintf(args_path, sizeof(args_path), GOLDEN_DIR "/%s.args", name);
	snprintf(want_path, sizeof(want_path), GOLDEN_DIR "/%s.jsonl", name);
	test_tmp(got_path, sizeof(got_path), "golden.jsonl");
	args = test_slurp(args_path, &args_len);
	want = test_slurp(want_path, &want_len);
	REQUIRE(args != NULL && want != NULL);
	args[strcspn(args, "\n")] = '\0';
	REQUIRE(run_cmd(r, "%s/raftsim --sim %s -q --trace %s", test_bin_dir(),
			args, got_path) == 0);
	got = test_slurp(got_path, &got_len);
	remove(got_path);
	CHECK(got != NULL);
	/* The exit code follows the verdict the trace ends with. */
	CHECK_EQ(r->status, strstr(want, "\"violations\":0,") ? 0 : 1);
	if (got != NULL &&
	    (got_len != want_len || memcmp(got, want, got_len))) {
		TEST_FAIL_AT("%s: the trace differs from %s from line %d "
			     "(intended? `make golden`, then read the diff)",
			     name, want_path, first_diff_line(got, want));
	}
	free(args);
	free(want);
	free(got);
}

static void golden_traces_on(struct cmd_pair *p)
{
	DIR *dir = opendir(GOLDEN_DIR);
	struct dirent *e;
	char name[256];
	size_t len;
	int seen = 0;

	REQUIRE(dir != NULL);
	while ((e = readdir(dir)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 5 || len >= sizeof(name) ||
		    strcmp(e->d_name + len - 5, ".args") != 0)
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';
		check_one(&p->first, name);
		seen++;
	}
	closedir(dir);
	CHECK(seen >= 5);
}

static void test_golden_traces(void)
{
	with_cmd_pair(golden_traces_on);
}

const struct test_case golden_tests[] = {
	{"golden: seeded simulator runs write exactly the traces in "
	 "tests/golden",
	 test_golden_traces},
	{NULL, NULL},
};

/* test_figure8.c - `raftsim figure8`: the paper's Figure 8 is caught with
 * commit-old-term and passes with correct Raft. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/figure8.h"
#include "cli/options.h"
#include "testhelp.h"
#include "testrun.h"

/* Runs the scenario into a memory stream; returns the exit code. */
static int play(unsigned mistakes, char **text)
{
	size_t len = 0;
	FILE *out = open_memstream(text, &len);
	int code;

	if (out == NULL)
		return -1;
	code = figure8_main(mistakes, out, stderr);
	fclose(out);
	return code;
}

static void correct_leader_never_commits_an_old_term_entry_by_counting(void)
{
	char *text = NULL;

	CHECK_EQ(play(0, &text), EXIT_PASS);
	CHECK(strstr(text, "does not commit entry 2 by counting") != NULL);
	/* the picture: an index row, then each server's terms, | at its
	 * commit index (S5 holds entry 2 of its own term 2 alone) */
	CHECK(strstr(text, "  index        1   2   3") != NULL);
	CHECK(strstr(text, "  S5 crashed   1   2 \n") != NULL);
	CHECK(strstr(text, "figure8: PASS (0 violations)") != NULL);
	free(text);
}

static void commit_old_term_loses_a_committed_entry(void)
{
	char *text = NULL;

	CHECK_EQ(play(RAFT_MISTAKE_COMMIT_OLD_TERM, &text), EXIT_VIOLATION);
	CHECK(strstr(text, "committed it: the mistake") != NULL);
	CHECK(strstr(text, "figure8: FAIL") != NULL);
	CHECK(strstr(text, "committed entry lost") != NULL);
	if (text != NULL && strstr(text, "committed entry lost") == NULL)
		fputs(text, stdout); /* what the scenario did instead */
	free(text);
}

const struct test_case figure8_tests[] = {
	{"§5.4.2, Figure 8: a leader never commits an entry of an older term "
	 "by counting its replicas",
	 correct_leader_never_commits_an_old_term_entry_by_counting},
	{"Figure 8 with commit-old-term: S5 overwrites an entry S1 committed, "
	 "and the checker says so",
	 commit_old_term_loses_a_committed_entry},
	{NULL, NULL},
};

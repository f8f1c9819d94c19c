/* test_lesson.c - the lesson's heartbeat_test prints its Expected block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "testrun.h"

static void heartbeat_test_prints_the_lessons_lines(void)
{
	char expected[2048];
	size_t len = 0;
	struct cmd_result r;
	int k;

	len += (size_t)snprintf(
		expected + len, sizeof(expected) - len,
		"node-0: leader for term=1, sending heartbeats\n");
	for (k = 1; k <= 10; k++)
		len += (size_t)snprintf(
			expected + len, sizeof(expected) - len,
			"tick %d: heartbeat sent to 2 followers\n", k);
	len += (size_t)snprintf(
		expected + len, sizeof(expected) - len,
		"node-1: still follower, timeout reset 10 times\n"
		"node-2: still follower, timeout reset 10 times\n"
		"heartbeat_test: PASS (no spurious elections in 10 ticks)\n");
	REQUIRE(len < sizeof(expected));
	REQUIRE(run_cmd(&r, "%s/heartbeat_test", test_bin_dir()) == 0);
	CHECK_EQ(r.status, 0);
	CHECK(strcmp(r.out, expected) == 0);
	if (strcmp(r.out, expected) != 0)
		fprintf(stderr, "    got:\n%s", r.out);
}

const struct test_case lesson_tests[] = {
	{"lesson w12-l02: ./heartbeat_test prints the Expected block line for "
	 "line",
	 heartbeat_test_prints_the_lessons_lines},
	{NULL, NULL},
};

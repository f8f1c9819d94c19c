/* clitest.h - a per-test fixture for the command-line tests: each test gets
 * its own struct cmd_result (large, so on the heap), freed when it ends,
 * early returns of REQUIRE included. */
#ifndef CLITEST_H
#define CLITEST_H

#include <stdlib.h>

#include "testhelp.h"
#include "testrun.h"

#define CLI_TEST(name)                                                         \
	static void name##_body(struct cmd_result *r);                         \
	static void name(void)                                                 \
	{                                                                      \
		struct cmd_result *r = calloc(1, sizeof(*r));                  \
                                                                               \
		if (r == NULL) {                                               \
			TEST_FAIL_AT("%s", "out of memory");                   \
			return;                                                \
		}                                                              \
		name##_body(r);                                                \
		free(r);                                                       \
	}                                                                      \
	static void name##_body(struct cmd_result *r)

/* Prints what a command wrote, under a failed check. */
static inline void cli_show(const struct cmd_result *r)
{
	fprintf(stderr, "    exit %d\n    stdout:\n%s    stderr:\n%s",
		r->status, r->out, r->err);
}

#endif

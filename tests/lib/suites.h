/* suites.h - every suite the runner knows. */
#ifndef SUITES_H
#define SUITES_H

#include "testhelp.h"

extern const struct test_case term_tests[];
extern const struct test_case election_tests[];
extern const struct test_case timeout_tests[];
extern const struct test_case lesson_tests[];
extern const struct test_case extension_tests[];
extern const struct test_case sim_tests[];
extern const struct test_case failover_tests[];
extern const struct test_case usage_tests[];
extern const struct test_case mailbox_tests[];
extern const struct test_case cluster_tests[];
extern const struct test_case cli_tests[];
extern const struct test_case checker_tests[];
extern const struct test_case checker_live_tests[];
extern const struct test_case trace_tests[];

#ifdef TEST_MAIN
static const struct test_case *const all_suites[] = {
	term_tests,
	election_tests,
	timeout_tests,
	lesson_tests,
	extension_tests,
	sim_tests,
	failover_tests,
	usage_tests,
	mailbox_tests,
	cluster_tests,
	cli_tests,
	checker_tests,
	checker_live_tests,
	trace_tests,
};
#endif

#endif

/* testhelp.h - a small test harness in the spirit of redis' testhelp.h.
 *
 * A test is a function; CHECK records a failure and goes on, REQUIRE records
 * one and returns from the test. The runner (tests/lib/main.c) prints one line
 * per test and ends with "N passed, N failed".
 */
#ifndef TESTHELP_H
#define TESTHELP_H

#include <stdio.h>

extern int test_failures; /* failed checks in the current test */

struct test_case {
	const char *name; /* the sentence the test checks */
	void (*fn)(void);
};

#define TEST_FAIL_AT(fmt, ...)                                                 \
	(test_failures++, fprintf(stderr, "    %s:%d: " fmt "\n", __FILE__,    \
				  __LINE__, __VA_ARGS__))

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			TEST_FAIL_AT("CHECK(%s)", #cond);                      \
	} while (0)

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			TEST_FAIL_AT("REQUIRE(%s)", #cond);                    \
			return;                                                \
		}                                                              \
	} while (0)

/* Compares two integers and prints both values when they differ. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long check_a_ = (long long)(a),                           \
			  check_b_ = (long long)(b);                           \
		if (check_a_ != check_b_)                                      \
			TEST_FAIL_AT("CHECK_EQ(%s, %s): %lld != %lld", #a, #b, \
				     check_a_, check_b_);                      \
	} while (0)

#endif

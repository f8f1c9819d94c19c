/* main.c - runs every suite, or those whose test names contain argv[1].
 *
 * A suite is registered once, where it is defined: the build collects every
 * `const struct test_case NAME[] = {` line of the test sources into
 * suites.gen.h, in the Makefile's TEST_SRC order (the core's tests first).
 */
#include <stdio.h>
#include <string.h>

#include "testhelp.h"

int test_failures;

#define SUITE(name) extern const struct test_case name[];
#include "suites.gen.h"
#undef SUITE

#define SUITE(name) name,
static const struct test_case *const all_suites[] = {
#include "suites.gen.h"
};
#undef SUITE

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0;
	int failed = 0;
	size_t i;
	const struct test_case *t;

	for (i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++) {
		for (t = all_suites[i]; t->name != NULL; t++) {
			if (filter != NULL && strstr(t->name, filter) == NULL)
				continue;
			test_failures = 0;
			t->fn();
			fprintf(stdout, "%s - %s\n",
				test_failures ? "FAIL" : "ok", t->name);
			fflush(stdout);
			if (test_failures)
				failed++;
			else
				passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0 || passed == 0;
}

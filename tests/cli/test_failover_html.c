/* test_failover_html.c - `raftsim failover --html`: one self-contained
 * page holding the table failover prints and its CDF chart. */
#include <stdio.h>
#include <string.h>

#include "clitest.h"

/* Whether every "http" in page is the SVG namespace: nothing to fetch. */
static int only_the_svg_namespace(const char *page)
{
	const char *at;

	for (at = strstr(page, "http"); at != NULL; at = strstr(at + 1, "http"))
		if (strncmp(at, "http://www.w3.org/2000/svg\"", 27) != 0)
			return 0;
	return 1;
}

/* Whether the page has a row for range with the trials and the mean that
 * failover printed on its line of out ("  150-151  20  3616.5 ..."). */
static int page_has_row(const char *page, const char *out, const char *range)
{
	char needle[160];
	const char *line = strstr(out, range);
	int trials;
	double mean;

	if (line == NULL ||
	    sscanf(line + strlen(range), "%d %lf", &trials, &mean) != 2)
		return 0;
	snprintf(needle, sizeof(needle),
		 "<tr class=\"range\"><td>%s</td><td class=\"num\">%d</td>"
		 "<td class=\"num\">%.1f</td>",
		 range, trials, mean);
	return strstr(page, needle) != NULL;
}

CLI_TEST(failover_html_holds_the_table_and_the_cdf_chart)
{
	char path[256];
	char *page;

	test_tmp(path, sizeof(path), "failover.html");
	REQUIRE(run_cmd(r,
			"%s/raftsim failover --trials 20 --seed 3 "
			"--election-ms 150-151,150-300 -q --html %s",
			test_bin_dir(), path) == 0);
	CHECK_EQ(r->status, 0);
	page = test_slurp(path, NULL);
	REQUIRE(page != NULL);
	CHECK(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
	CHECK(strstr(page, "<svg xmlns=\"http://www.w3.org/2000/svg\"") !=
	      NULL);
	CHECK(strstr(page, "<polyline") != NULL);
	/* A row per range, with the numbers failover printed. */
	CHECK(page_has_row(page, r->out, "150-151"));
	CHECK(page_has_row(page, r->out, "150-300"));
	CHECK(strstr(page, "20 trials per range") != NULL);
	CHECK(only_the_svg_namespace(page));
	CHECK(strstr(page, "<script") == NULL &&
	      strstr(page, "<link") == NULL && strstr(page, "url(") == NULL);
	CHECK(strstr(page, "</body></html>\n") != NULL);
	if (test_failures)
		cli_show(r);
	free(page);
	remove(path);
}

CLI_TEST(failover_html_that_cannot_be_written_exits_3_naming_the_file)
{
	REQUIRE(run_cmd(r, "%s/raftsim failover --trials 3 -q --html /dev/full",
			test_bin_dir()) == 0);
	CHECK_EQ(r->status, 3);
	CHECK(strstr(r->err, "raftsim: --html: writing '/dev/full' failed") !=
	      NULL);
	/* The run's own modes keep refusing it. */
	REQUIRE(run_cmd(r, "%s/raftsim --sim --html x.html", test_bin_dir()) ==
		0);
	CHECK_EQ(r->status, 2);
	CHECK(strstr(r->err, "--html") != NULL);
}

const struct test_case failover_html_tests[] = {
	{"failover --html: one self-contained page with a row per election "
	 "range, the numbers failover printed, and the CDF chart as inline "
	 "SVG",
	 failover_html_holds_the_table_and_the_cdf_chart},
	{"failover --html: a page that cannot be written exits 3 naming the "
	 "file; a run refuses --html",
	 failover_html_that_cannot_be_written_exits_3_naming_the_file},
	{NULL, NULL},
};

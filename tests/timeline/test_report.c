/* test_report.c - `raftsim report`: the HTML writer's escaping, and that
 * a trace's lanes, marks and violations land in the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/html_page.h"
#include "cli/report.h"
#include "testhelp.h"
#include "testrun.h"

static struct cmd_result r; /* large: never on the stack */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* The page of the trace at path, in a fresh buffer; *rv its result. */
static char *page(const char *path, int *rv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len), *out = tmpfile(),
	     *err = tmpfile();

	*rv = -1;
	if (f != NULL && out != NULL && err != NULL)
		*rv = report_write(path, f, out, err);
	if (f != NULL)
		fclose(f);
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return buf;
}

static void test_escape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	REQUIRE(f != NULL);
	html_escape(f, "<script>a='1' & \"b\"\x01</script>\n");
	fclose(f);
	CHECK(strcmp(buf, "&lt;script&gt;a=&#39;1&#39; &amp; &quot;b&quot;"
			  "&lt;/script&gt;\n") == 0);
	free(buf);
}

/* tests/golden/no-reset.jsonl: 3 nodes, 24 "timer reset" violations,
 * each at a follower's election start. */
static void test_no_reset_marks(void)
{
	char *html, needle[96];
	const char *v, *cx;
	int rv;

	html = page("tests/golden/no-reset.jsonl", &rv);
	REQUIRE(html != NULL);
	CHECK_EQ(rv, REPORT_WRITTEN);
	CHECK_EQ(count(html, "<g class=\"lane\""), 3);
	CHECK_EQ(count(html, "<g class=\"checker-lane\""), 1);
	CHECK_EQ(count(html, "<a href=\"#v"), 24);
	CHECK_EQ(count(html, "<li id=\"v"), 16);
	CHECK(strstr(html, "timer reset: node 0 started an election of "
			   "term 2") != NULL);
	CHECK(count(html, "<line class=\"hb\"") > 50);
	CHECK(count(html, "<line class=\"reset\"") > 50);
	/* The first violation's marker sits on node 0's lane at 270 ms, where
	 * node 0's election marker is: its timeout, drawn among the leader's
	 * heartbeat ticks. */
	v = strstr(html, "<a href=\"#v0\"><circle class=\"violation\" "
			 "data-a=\"270000\"");
	REQUIRE(v != NULL);
	cx = strstr(v, "cx=\"");
	REQUIRE(cx != NULL);
	snprintf(needle, sizeof(needle),
		 "<circle class=\"election\" data-a=\"270000\" %.*s",
		 (int)(strchr(cx + 4, '"') - cx + 1), cx);
	CHECK(strstr(html, needle) != NULL);
	CHECK(strstr(html, "cy=\"44.0\" r=\"8\"><title>violation at "
			   "270.000 ms") != NULL);
	CHECK(strstr(html, "<td class=\"FAIL\">FAIL</td>") != NULL);
	CHECK(strstr(html, "--mistake no-reset") != NULL);
	/* Self-contained: nothing to fetch. */
	CHECK(strstr(html, "src=") == NULL && strstr(html, "<link") == NULL &&
	      strstr(html, "url(") == NULL);
	free(html);
}

static void test_clean_run_and_escaped_path(void)
{
	char path[256], *html;
	int rv;

	test_tmp(path, sizeof(path), "rep<b>&'.jsonl");
	REQUIRE(run_cmd(&r,
			"%s/raftsim --sim --nodes 3 --ticks 200 --seed 1 "
			"-q --trace \"%s\"",
			test_bin_dir(), path) == 0);
	html = page(path, &rv);
	REQUIRE(html != NULL);
	CHECK_EQ(rv, REPORT_WRITTEN);
	CHECK(strstr(html, "rep&lt;b&gt;&amp;&#39;.jsonl") != NULL);
	CHECK(strstr(html, "rep<b>") == NULL);
	CHECK(strstr(html, "<td class=\"PASS\">PASS</td>") != NULL);
	CHECK_EQ(count(html, "<a href=\"#v"), 0);
	CHECK(strstr(html, "The checker found none.") != NULL);
	CHECK(count(html, "class=\"leader\"") >= 1);
	free(html);
	remove(path);
}

static void test_bad_and_failed_writes(void)
{
	FILE *full = fopen("/dev/full", "w"), *out = tmpfile(),
	     *err = tmpfile();
	char path[256];
	int rv;

	REQUIRE(full != NULL && out != NULL && err != NULL);
	free(page("/nonexistent/trace.jsonl", &rv));
	CHECK_EQ(rv, REPORT_BAD);
	test_tmp(path, sizeof(path), "rep-bad.jsonl");
	REQUIRE(run_cmd(&r, "echo '{\"ev\":\"nonsense\"}' > %s", path) == 0);
	free(page(path, &rv));
	CHECK_EQ(rv, REPORT_BAD);
	setvbuf(full, NULL, _IONBF, 0);
	CHECK_EQ(report_write("tests/golden/no-reset.jsonl", full, out, err),
		 REPORT_IO);
	REQUIRE(run_cmd(&r, "%s/raftsim report %s", test_bin_dir(),
			"tests/golden/no-reset.jsonl") == 0);
	CHECK_EQ(r.status, 2);
	fclose(full);
	fclose(out);
	fclose(err);
	remove(path);
}

const struct test_case report_tests[] = {
	{"report: every string from the trace is HTML-escaped", test_escape},
	{"report: a no-reset run's page has a lane per node, and each "
	 "violation's red marker on the follower's election start, linked to "
	 "the checker's message",
	 test_no_reset_marks},
	{"report: a clean run's page says PASS with no markers; the file name "
	 "is escaped",
	 test_clean_run_and_escaped_path},
	{"report: an unreadable trace is exit 2, a failed write exit 3, no "
	 "--html exit 2",
	 test_bad_and_failed_writes},
	{NULL, NULL},
};

/* failover_html.c - `raftsim failover --html`: the run's settings, the
 * table failover prints and its CDF chart (failover_write_svg, inline) on
 * one self-contained page in the look of `raftsim report --html`. */
#include <inttypes.h>

#include "failover.h"
#include "html_page.h"

static const char *const style =
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"#cdf svg{border:1px solid #ccc}";

static void settings(FILE *f, const struct raftsim_options *o,
		     const char *header)
{
	fprintf(f, "<h1>raftsim failover</h1>\n<p>How long the cluster has "
		   "no leader after its leader crashes (the Raft paper's "
		   "Figure 16, &#167;9.3): from the crash until every live "
		   "node has heard the new leader.</p>\n<table "
		   "id=\"settings\">\n<tr><th>run</th><td>");
	html_escape(f, header);
	fprintf(f,
		"</td></tr>\n<tr><th>nodes</th><td>%d</td></tr>\n"
		"<tr><th>trials per range</th><td>%d</td></tr>\n"
		"<tr><th>world</th><td>%s</td></tr>\n"
		"<tr><th>seed</th><td>%" PRIu64 "</td></tr>\n</table>\n",
		o->nodes, o->trials,
		o->threads ? "threads (real time, real latency)" : "simulator",
		o->seed);
}

static void results_table(FILE *f, const struct raftsim_options *o,
			  const struct range_stats *stats, const int *counts,
			  int range_count)
{
	const struct tick_range *rg = o->election_ms;
	const struct range_stats *st;
	int r;

	fprintf(f, "<h2>Downtime per election timeout range</h2>\n<table "
		   "id=\"results\">\n<tr><th>range (ms)</th><th>trials</th>"
		   "<th>mean (ms)</th><th>p50 (ms)</th><th>p90 (ms)</th>"
		   "<th>p99 (ms)</th><th>max (ms)</th><th>rounds</th>"
		   "<th>stale@crash</th><th>stale@vote</th><th>capped</th>"
		   "</tr>\n");
	for (r = 0; r < range_count; r++) {
		if (counts[r] == 0)
			continue;
		st = &stats[r];
		fprintf(f,
			"<tr class=\"range\"><td>%" PRIu64 "-%" PRIu64
			"</td><td class=\"num\">%d</td><td class=\"num\">%.1f"
			"</td><td class=\"num\">%.1f</td><td class=\"num\">"
			"%.1f</td><td class=\"num\">%.1f</td><td class=\"num\">"
			"%.1f</td><td class=\"num\">%.2f</td><td class=\"num\">"
			"%.2f</td><td class=\"num\">%.2f</td><td class=\"num\">"
			"%d</td></tr>\n",
			rg[r].min, rg[r].max, st->trials, st->mean, st->p50,
			st->p90, st->p99, st->max, st->rounds_mean,
			st->stale_at_crash_mean, st->stale_at_vote_mean,
			st->capped);
	}
	fprintf(f, "</table>\n<p>rounds: new term - old term. stale@crash, "
		   "stale@vote: survivors whose log is behind the most "
		   "up-to-date survivor's, as the leader crashed and as the "
		   "first election began (&#167;5.4.1). capped: trials with "
		   "no leader before the cap, counted at the cap.</p>\n");
}

int failover_write_html(FILE *f, const struct raftsim_options *o,
			const char *header, const char *note,
			struct trial_result *const *sorted,
			const struct range_stats *stats, const int *counts,
			int range_count)
{
	html_page_begin(f, "raftsim ", header, style);
	settings(f, o, header);
	if (note != NULL) {
		fprintf(f, "<p class=\"CANNOT\">");
		html_escape(f, note);
		fprintf(f, "; the table and the chart hold the trials that "
			   "finished.</p>\n");
	}
	results_table(f, o, stats, counts, range_count);
	fprintf(f, "<h2>CDF of downtime</h2>\n<div id=\"cdf\">\n");
	if (failover_write_svg(f, o->election_ms, sorted, counts,
			       range_count) != 0)
		return -1;
	return fprintf(f, "</div>\n</body></html>\n") < 0 ? -1 : 0;
}

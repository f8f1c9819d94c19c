/* report.h - `raftsim report FILE --html OUT.html`: one self-contained
 * HTML page of a trace (issue 14): a summary table (the start line's
 * settings, the verdict, counts, a replay command), the lesson's heartbeat
 * timeline as SVG (timeline.c's model, at each mark's exact time), the
 * checker's violations as red markers linked to their messages, commit
 * indexes over time, and the client operations.
 *
 * Self-contained: inline CSS, inline SVG, a few lines of our own script
 * for zoom and pan; nothing is fetched, so it works mailed or attached to
 * a bug report. Every string from the trace is HTML-escaped
 * (html_page.h).
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "options.h"

/* Results, which are also raftsim's exit codes: a report is written
 * whatever the run's verdict. */
enum {
	REPORT_WRITTEN = 0,
	REPORT_BAD = 2, /* not a trace, or unreadable */
	REPORT_IO = 3,  /* out of memory, or the page could not be written */
};

/* Reads the trace at path and writes its page to html; prints the
 * verdict line ("report: FAIL (...)") on out and problems on err. */
int report_write(const char *path, FILE *html, FILE *out, FILE *err);

/* `raftsim report FILE --html OUT.html`: o->check_path, o->html_path. */
int report_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

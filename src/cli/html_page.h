/* html_page.h - what raftsim's self-contained HTML pages share (issue 14):
 * `raftsim report --html` and `raftsim failover --html` look alike, with
 * one escaper and one page head with its inline CSS. Nothing is fetched:
 * no external scripts, fonts or style sheets.
 */
#ifndef HTML_PAGE_H
#define HTML_PAGE_H

#include <stdio.h>

/* Writes s to f with &, <, >, " and ' escaped (and control bytes other
 * than tab and newline dropped), so that no text can make markup. */
void html_escape(FILE *f, const char *s);

/* Writes the doctype, the head (title: title_prefix then the escaped
 * title; the shared CSS, then extra_css, may be NULL) and opens the
 * body. title_prefix and extra_css are the caller's literals, not
 * escaped. */
void html_page_begin(FILE *f, const char *title_prefix, const char *title,
		     const char *extra_css);

#endif

/* html_page.c - the escaper and the page head of raftsim's HTML pages. */
#include "html_page.h"

void html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' ||
			    *s == '\n')
				fputc(*s, f);
		}
	}
}

/* The look every page shares: body text, tables, code, verdicts. */
static const char *const base_style =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
	"th{background:#f4f4f4}code{background:#f4f4f4;padding:1px 4px}"
	".PASS{color:#070;font-weight:bold}.FAIL{color:#c00;font-weight:bold}"
	".CANNOT{color:#a60;font-weight:bold}";

void html_page_begin(FILE *f, const char *title_prefix, const char *title,
		     const char *extra_css)
{
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		"charset=\"utf-8\"><title>%s",
		title_prefix);
	html_escape(f, title);
	fprintf(f, "</title>\n<style>%s%s</style></head><body>\n", base_style,
		extra_css != NULL ? extra_css : "");
}

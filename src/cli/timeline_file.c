/* timeline_file.c - `raftsim timeline FILE`: a trace file, read one
 * bounded line at a time, onto the canvas of timeline.c; and the options
 * that come from the environment (the width, the locale).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check/trace.h"
#include "timeline_internal.h"

#define MAX_LINE TRACE_LINE_MAX /* bytes of one trace line, as check reads */
#define DEFAULT_WIDTH 80

struct reader {
	FILE *f;
	const char *path;
	FILE *err;
	char *buf; /* MAX_LINE + 1 bytes */
	uint64_t line;
	int nodes; /* from the start event; 0 before it */
	bool ended;
	int64_t last_us; /* the end event's time, or the latest event's */
	/* A resumed run's times start from 0 again (schema 5): they are
	 * drawn from the last time before its start line on, as the checker
	 * counts them. */
	int64_t offset;
	struct trace_slots slots;
};

/* Reads the next line into r->buf. Returns 0, 1 at the end of the file,
 * TIMELINE_BAD for a line too long or with a NUL, TIMELINE_IO for a read
 * error, after a message. */
static int next_line(struct reader *r)
{
	size_t len = 0;
	int ch;

	while ((ch = getc(r->f)) != EOF && ch != '\n') {
		if (ch == '\0' || len == MAX_LINE) {
			fprintf(r->err,
				"%s:%" PRIu64 ": malformed trace: "
				"%s\n",
				r->path, r->line + 1,
				ch == '\0'
					? "the line has a NUL byte"
					: "the line is longer than " TRACE_LINE_MAX_TEXT
					  " bytes");
			return TIMELINE_BAD;
		}
		r->buf[len++] = (char)ch;
	}
	r->buf[len] = '\0';
	if (ferror(r->f)) {
		fprintf(r->err, "%s:%" PRIu64 ": cannot read: %s\n", r->path,
			r->line + 1, strerror(errno));
		return TIMELINE_IO;
	}
	if (ch == EOF && len == 0)
		return 1;
	r->line++;
	return 0;
}

/* Reads every event, checking what `raftsim check` checks of the file's
 * shape, onto cv (NULL: only to find where the run ends). Returns
 * TIMELINE_DRAWN, or another result after a message. */
static int read_events(struct reader *r, struct timeline_canvas *cv)
{
	const char *bad;
	char why[160];
	struct wev ev, end;
	int rv;

	while ((rv = next_line(r)) == 0) {
		if (strspn(r->buf, " \t\r") == strlen(r->buf))
			continue; /* a blank line says nothing */
		bad = NULL;
		if (trace_parse(r->buf, &ev, &r->slots, r->nodes, why,
				sizeof(why)) != 0)
			bad = why;
		else if (r->ended && !(ev.type == WEV_START && ev.info->resume))
			bad = "an event after the end event";
		else if (r->nodes != 0 && ev.type == WEV_START &&
			 (!ev.info->resume || ev.info->nodes != r->nodes))
			bad = "a second start event without \"resume\" (or of "
			      "another cluster size)";
		if (bad != NULL) {
			fprintf(r->err, "%s:%" PRIu64 ": malformed trace: %s\n",
				r->path, r->line, bad);
			return TIMELINE_BAD;
		}
		if (r->nodes != 0 && ev.type == WEV_START)
			r->offset = ev.us < r->last_us ? r->last_us - ev.us : 0;
		ev.us += ev.us <= INT64_MAX - r->offset ? r->offset : 0;
		if (ev.type == WEV_START)
			r->nodes = ev.info->nodes;
		r->ended = ev.type == WEV_END;
		if (ev.us > r->last_us || r->ended)
			r->last_us = ev.us;
		if (r->ended) { /* held back: a resumed run may follow it */
			end = ev;
			continue;
		}
		if (cv != NULL && (rv = timeline_canvas_add(cv, &ev)) != 0) {
			fprintf(r->err, "raftsim timeline: out of memory\n");
			return rv;
		}
	}
	if (rv == 1 && r->ended && cv != NULL &&
	    (rv = timeline_canvas_add(cv, &end)) == 0)
		rv = 1;
	if (rv == 1 && r->nodes == 0) {
		fprintf(r->err, "%s: malformed trace: no start event\n",
			r->path);
		return TIMELINE_BAD;
	}
	return rv == 1 ? TIMELINE_DRAWN : rv;
}

/* The first pass: where the run ends. Then back to the first line. */
static int find_end(struct reader *r, int64_t *end_us)
{
	int rv = read_events(r, NULL);

	if (rv != TIMELINE_DRAWN)
		return rv;
	*end_us = r->last_us;
	if (fseek(r->f, 0, SEEK_SET) != 0) {
		fprintf(r->err,
			"raftsim timeline: cannot read %s twice (%s): "
			"give the window's end\n",
			r->path, strerror(errno));
		return TIMELINE_BAD;
	}
	r->line = 0;
	r->nodes = 0;
	r->ended = false;
	r->offset = 0;
	r->last_us = 0;
	return TIMELINE_DRAWN;
}

static int check_window(const struct timeline_opts *t, int64_t end_us,
			FILE *err)
{
	if (t->from_us < 0 || (t->to_us >= 0 && t->to_us <= t->from_us)) {
		fprintf(err,
			"raftsim timeline: the window must start at 0 "
			"ms or later and end after it starts (from %.3f ms to "
			"%.3f ms)\n",
			(double)t->from_us / 1000.0, (double)t->to_us / 1000.0);
		return TIMELINE_BAD;
	}
	if (t->to_us < 0 && t->from_us > 0 && t->from_us >= end_us) {
		fprintf(err,
			"raftsim timeline: the window starts at %.3f "
			"ms, when the trace has ended (at %.3f ms)\n",
			(double)t->from_us / 1000.0, (double)end_us / 1000.0);
		return TIMELINE_BAD;
	}
	return TIMELINE_DRAWN;
}

int timeline_canvas_read(const char *path, const struct timeline_opts *t,
			 const struct timeline_sink *sink, const char *prog,
			 FILE *err, struct timeline_canvas **out)
{
	struct reader r = {.path = path, .err = err};
	struct timeline_canvas *cv = NULL;
	int64_t end_us = t->to_us;
	int rv = check_window(t, INT64_MAX, err);

	*out = NULL;
	if (rv != TIMELINE_DRAWN)
		return rv;
	r.f = fopen(path, "r");
	if (r.f == NULL) {
		fprintf(err, "%s: cannot open %s: %s\n", prog, path,
			strerror(errno));
		return TIMELINE_BAD;
	}
	r.buf = malloc(MAX_LINE + 1);
	if (r.buf == NULL) {
		fprintf(err, "%s: out of memory\n", prog);
		rv = TIMELINE_IO;
		goto err;
	}
	if (t->to_us < 0 && ((rv = find_end(&r, &end_us)) != TIMELINE_DRAWN ||
			     (rv = check_window(t, end_us, err)) != 0))
		goto err;
	cv = timeline_canvas_new(t, end_us);
	if (cv == NULL) {
		fprintf(err, "%s: out of memory\n", prog);
		rv = TIMELINE_IO;
		goto err;
	}
	cv->sink = sink;
	rv = read_events(&r, cv);
	if (rv != TIMELINE_DRAWN)
		goto err;
	timeline_canvas_finish(cv);
	*out = cv;
	cv = NULL;
err:
	timeline_canvas_free(cv);
	free(r.buf);
	trace_slots_free(&r.slots);
	fclose(r.f);
	return rv;
}

int timeline_render_file(const char *path, const struct timeline_opts *t,
			 FILE *out, FILE *err)
{
	struct timeline_canvas *cv;
	int rv = timeline_canvas_read(path, t, NULL, "raftsim timeline", err,
				      &cv);

	if (rv != TIMELINE_DRAWN)
		return rv;
	rv = timeline_canvas_print(cv, out);
	if (rv != TIMELINE_DRAWN)
		fprintf(err,
			"raftsim timeline: cannot write the picture: "
			"%s\n",
			strerror(errno));
	timeline_canvas_free(cv);
	return rv;
}

/* Whether a locale name such as "en_US.UTF-8" names UTF-8. */
static bool names_utf8(const char *locale)
{
	const char *dot = strchr(locale, '.');
	char cs[8];
	size_t i, n;

	if (dot == NULL)
		return false;
	n = strcspn(dot + 1, "@");
	if (n >= sizeof(cs))
		return false;
	for (i = 0; i < n; i++)
		cs[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z'
				       ? dot[1 + i] - 'A' + 'a'
				       : dot[1 + i]);
	cs[n] = '\0';
	return strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0;
}

void timeline_opts_from_env(struct timeline_opts *t)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	const char *v;
	char *end;
	long cols;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->to_us = -1;
	t->width = DEFAULT_WIDTH;
	v = getenv("COLUMNS");
	if (v != NULL && *v != '\0') {
		errno = 0;
		cols = strtol(v, &end, 10);
		if (errno == 0 && *end == '\0' && cols > 0)
			t->width = cols > TIMELINE_MAX_WIDTH
					   ? TIMELINE_MAX_WIDTH
					   : (int)cols;
	}
	/* The first one set decides, as setlocale(LC_CTYPE, "") would. */
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		v = getenv(vars[i]);
		if (v != NULL && *v != '\0') {
			t->utf8 = names_utf8(v);
			break;
		}
	}
}

int timeline_draw_trace(const struct raftsim_options *o, const char *path,
			FILE *out, FILE *err)
{
	struct timeline_opts t;

	timeline_opts_from_env(&t);
	t.from_us = (int64_t)o->timeline_from_us;
	t.to_us = o->timeline_to_us != 0 ? (int64_t)o->timeline_to_us : -1;
	return timeline_render_file(path, &t, out, err);
}

int timeline_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	if (o->check_path == NULL) {
		fprintf(err, "raftsim timeline: which trace? usage: raftsim "
			     "timeline FILE\n");
		return TIMELINE_BAD;
	}
	return timeline_draw_trace(o, o->check_path, out, err);
}

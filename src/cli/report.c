/* report.c - `raftsim report FILE --html OUT.html`: reads a trace through
 * the timeline's canvas (timeline.c), whose sink hands over every mark,
 * span and violation at its exact time, and every event for the log and
 * client panels; report_html.c then writes the page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck/history.h"
#include "report_internal.h"

/* Room for one more item of an array of item size `size`; false (and
 * r->dropped or r->nomem set) when there is none. */
static bool grow(struct report *r, void **v, size_t *n, size_t *cap,
		 size_t size)
{
	size_t want;
	void *p;

	if (*n >= REPORT_MAX_ITEMS) {
		r->dropped++;
		return false;
	}
	if (*n < *cap)
		return true;
	want = *cap != 0 ? *cap * 2 : 256;
	p = realloc(*v, want * size);
	if (p == NULL) {
		r->nomem = true;
		return false;
	}
	*v = p;
	*cap = want;
	return true;
}

#define PUSH(r, a)                                                             \
	(grow((r), (void **)&(a).v, &(a).n, &(a).cap, sizeof(*(a).v))          \
		 ? &(a).v[(a).n++]                                             \
		 : NULL)

static void on_mark(void *ctx, int lane, int64_t us, enum timeline_mark m,
		    uint64_t term)
{
	struct report *r = ctx;
	struct report_mark *k;

	if (m == TL_LEADER && lane >= 0 && lane < RAFT_MAX_NODES)
		r->lead_term[lane] = term;
	k = PUSH(r, r->marks);
	if (k != NULL)
		*k = (struct report_mark){lane, us, (uint8_t)m, term};
}

static void on_span(void *ctx, int lane, int64_t from_us, int64_t to_us,
		    enum timeline_mark m)
{
	struct report *r = ctx;
	struct report_span *s = PUSH(r, r->spans);

	if (s == NULL)
		return;
	*s = (struct report_span){lane, from_us, to_us, (uint8_t)m, 0};
	if (m == TL_LEAD_FILL && lane >= 0 && lane < RAFT_MAX_NODES)
		s->term = r->lead_term[lane];
}

static void on_violation(void *ctx, int lane, int64_t us, uint64_t i)
{
	struct report *r = ctx;
	struct report_violation *v = PUSH(r, r->violations);

	if (v != NULL)
		*v = (struct report_violation){lane, us, i};
}

static void copy_str(char *dst, const struct hist_str *s)
{
	size_t n = s->len < REPORT_KEY_MAX - 1 ? s->len : REPORT_KEY_MAX - 1;

	if (s->null || s->s == NULL) {
		snprintf(dst, REPORT_KEY_MAX, "%s", s->null ? "null" : "");
		return;
	}
	memcpy(dst, s->s, n);
	dst[n] = '\0';
}

/* The open operation of a client with this id: the latest one. */
static struct report_op *open_op(struct report *r, int client, uint64_t id)
{
	size_t i;

	for (i = r->ops.n; i-- > 0;)
		if (r->ops.v[i].client == client && r->ops.v[i].id == id &&
		    r->ops.v[i].to_us < 0)
			return &r->ops.v[i];
	return NULL;
}

static void client_event(struct report *r, const struct hist_event *h)
{
	struct report_op *op;

	if (h->type == HIST_INVOKE) {
		op = PUSH(r, r->ops);
		if (op == NULL)
			return;
		memset(op, 0, sizeof(*op));
		op->client = h->client;
		op->id = h->id;
		op->from_us = h->us;
		op->to_us = -1;
		op->op = (uint8_t)h->op;
		op->result = HIST_INVOKE;
		copy_str(op->key, &h->key);
		copy_str(op->value, &h->value);
		return;
	}
	op = open_op(r, h->client, h->id);
	if (op == NULL)
		return; /* the checker reports it */
	op->to_us = h->us;
	op->result = (uint8_t)h->type;
	if (h->type == HIST_OK && h->has_value)
		copy_str(op->value, &h->value);
}

static void on_event(void *ctx, const struct wev *ev)
{
	struct report *r = ctx;
	struct report_commit *c;

	r->events++;
	if ((unsigned)ev->type < WEV_TYPE_COUNT)
		r->counts[ev->type]++;
	if (ev->term > r->max_term)
		r->max_term = ev->term;
	if (ev->type == WEV_END)
		r->ticks = ev->tick;
	if (ev->type == WEV_COMMIT) {
		c = PUSH(r, r->commits);
		if (c != NULL)
			*c = (struct report_commit){ev->node, ev->us,
						    ev->index};
	} else if ((ev->type == WEV_INVOKE || ev->type == WEV_OK ||
		    ev->type == WEV_FAIL || ev->type == WEV_INFO) &&
		   ev->hist != NULL) {
		client_event(r, ev->hist);
	}
}

static const char *verdict(const struct checker *c)
{
	uint64_t v = checker_violation_count(c);

	if (checker_unjudged(c) && v == checker_overload(c).live_violations)
		return "CANNOT JUDGE";
	if (v != 0)
		return "FAIL";
	return checker_clients_undecided(c) ? "CANNOT JUDGE" : "PASS";
}

static void report_free(struct report *r)
{
	timeline_canvas_free(r->cv);
	free(r->marks.v);
	free(r->spans.v);
	free(r->violations.v);
	free(r->commits.v);
	free(r->ops.v);
}

int report_write(const char *path, FILE *html, FILE *out, FILE *err)
{
	struct report r = {.path = path};
	struct timeline_sink sink = {on_mark, on_span, on_violation, on_event,
				     &r};
	struct timeline_opts t = {TIMELINE_MAX_WIDTH, 0, -1, false};
	int rv;

	rv = timeline_canvas_read(path, &t, &sink, "raftsim report", err,
				  &r.cv);
	if (rv != TIMELINE_DRAWN)
		goto err;
	if (r.nomem) {
		fprintf(err, "raftsim report: out of memory\n");
		rv = REPORT_IO;
		goto err;
	}
	r.verdict = verdict(r.cv->checker);
	rv = report_html(&r, html);
	if (rv != REPORT_WRITTEN) {
		fprintf(err, "raftsim report: cannot write the page: %s\n",
			strerror(errno));
		goto err;
	}
	fprintf(out,
		"report: %s (%llu events, %llu terms, %llu violations, %llu "
		"spurious elections)\n",
		r.verdict, (unsigned long long)r.events,
		(unsigned long long)r.max_term,
		(unsigned long long)checker_violation_count(r.cv->checker),
		(unsigned long long)checker_spurious_elections(r.cv->checker));
err:
	report_free(&r);
	return rv;
}

int report_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	FILE *html;
	int rv;

	if (o->check_path == NULL || o->html_path == NULL) {
		fprintf(err, "raftsim report: usage: raftsim report FILE "
			     "--html OUT.html\n");
		return REPORT_BAD;
	}
	html = fopen(o->html_path, "w");
	if (html == NULL) {
		fprintf(err, "raftsim report: --html: cannot write %s: %s\n",
			o->html_path, strerror(errno));
		return REPORT_IO;
	}
	rv = report_write(o->check_path, html, out, err);
	if (fclose(html) != 0 && rv == REPORT_WRITTEN) {
		fprintf(err, "raftsim report: --html: cannot write %s: %s\n",
			o->html_path, strerror(errno));
		rv = REPORT_IO;
	}
	if (rv == REPORT_WRITTEN)
		fprintf(out, "report: wrote %s\n", o->html_path);
	return rv;
}

/* report_html.c - the page of `raftsim report`: a summary table, the
 * timeline as SVG, the violations, commit indexes and client operations.
 *
 * Every element of the timeline that sits at a time carries it (data-a,
 * and data-b for a span's end, in us): the page is drawn here at full
 * width, and the script at its end only moves those elements when the
 * reader zooms (wheel) or pans (drag).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "html_page.h"
#include "lincheck/history.h"
#include "report_internal.h"

#define PLOT_W 1200.0 /* px of the whole run */
#define LABEL_W 80.0
#define LANE_H 40.0
#define TOP 24.0 /* the axis */

struct page {
	const struct report *r;
	const struct timeline_canvas *cv;
	FILE *f;
};

static double x_of(const struct page *p, int64_t us)
{
	return LABEL_W + (double)(us - p->cv->from) * PLOT_W /
				 (double)(p->cv->to - p->cv->from);
}

static double ms(int64_t us)
{
	return (double)us / 1000.0;
}

/* A term's color: the hue turns by the golden angle, so neighbouring
 * terms differ. */
static int hue(uint64_t term)
{
	return (int)((term * 137) % 360);
}

/* The timeline's own classes, after html_page.c's shared look. */
static const char *const style =
	"#tl{border:1px solid #ccc;cursor:grab;user-select:none}"
	".lane-bg{fill:#fafafa;stroke:#eee}"
	".hb{stroke:#1f5fbf;stroke-width:1.5}"
	".reset{stroke:#2a9d3a;stroke-width:1.5}"
	".election{fill:#f08c00;stroke:#000;stroke-width:.5}"
	".leader{stroke:#000;stroke-width:1}"
	".follower{fill:#fff;stroke:#555;stroke-width:1.5}"
	".prevote{fill:#9b59b6}"
	".paused{fill:#999;fill-opacity:.45}"
	".crashed{fill:#000;fill-opacity:.55}"
	".part{fill:#e67e22;fill-opacity:.35}"
	".cand{fill:#f08c00;fill-opacity:.18}"
	".violation{fill:#e00;stroke:#fff;stroke-width:1.5}"
	".vtext{fill:#e00;font-weight:bold}"
	"text{font-size:12px}.axis{fill:#666;font-size:11px}"
	".grid{stroke:#ddd}.legend svg{vertical-align:middle}"
	"li:target{background:#fee}";

static void summary(const struct page *p)
{
	const struct run_info *in = &p->cv->info;
	const struct checker *c = p->cv->checker;
	struct checker_clients_stats cs = checker_clients_stats(c);
	const char *v = p->r->verdict;
	FILE *f = p->f;
	unsigned b;

	fprintf(f, "<h1>raftsim report: ");
	html_escape(f, p->r->path);
	fprintf(f, "</h1>\n<table id=\"summary\">\n");
	fprintf(f, "<tr><th>verdict</th><td class=\"%s\">%s</td></tr>\n",
		strncmp(v, "CANNOT", 6) == 0 ? "CANNOT" : v, v);
	fprintf(f, "<tr><th>mode</th><td>");
	html_escape(f, in->mode);
	fprintf(f,
		"</td></tr>\n<tr><th>nodes</th><td>%d</td></tr>\n"
		"<tr><th>seed</th><td>%" PRIu64 "</td></tr>\n"
		"<tr><th>tick</th><td>%.3f ms; heartbeat every %u ticks; "
		"election timeout %u-%u ticks</td></tr>\n"
		"<tr><th>latency</th><td>%.3f-%.3f ms</td></tr>\n"
		"<tr><th>network faults</th><td>drop %g, dup %g, reorder %g"
		"%s</td></tr>\n<tr><th>options</th><td>%s%s%s</td></tr>\n",
		in->nodes, in->seed, ms((int64_t)in->tick_us),
		in->heartbeat_ticks, in->election_min, in->election_max,
		ms((int64_t)in->latency_min_us),
		ms((int64_t)in->latency_max_us), in->drop, in->dup, in->reorder,
		in->random_faults ? "; random faults" : "",
		in->prevote ? "prevote " : "",
		in->check_quorum ? "check-quorum " : "",
		in->ranked_timeouts ? "ranked-timeouts" : "");
	fprintf(f, "<tr><th>mistakes</th><td>");
	for (b = 1; b != 0; b <<= 1)
		if (in->mistakes & b)
			fprintf(f, "<code>%s</code> ",
				options_mistake_name(b) != NULL
					? options_mistake_name(b)
					: "?");
	fprintf(f,
		"%s</td></tr>\n<tr><th>events</th><td>%" PRIu64 " over "
		"%.3f ms; %" PRIu64 " terms</td></tr>\n"
		"<tr><th>elections</th><td>%" PRIu64 " (%" PRIu64
		" spurious); %" PRIu64 " heartbeat rounds</td></tr>\n"
		"<tr><th>violations</th><td>%" PRIu64 "</td></tr>\n",
		in->mistakes == 0 ? "none" : "", p->r->events,
		ms(p->cv->last_us), p->r->max_term, p->r->counts[WEV_ELECTION],
		checker_spurious_elections(c), p->r->counts[WEV_ROUND],
		checker_violation_count(c));
	if (p->r->counts[WEV_COMMIT] != 0 || cs.any)
		fprintf(f,
			"<tr><th>log and clients</th><td>%" PRIu64
			" commits; %" PRIu64 " client operations on %" PRIu64
			" keys</td></tr>\n",
			p->r->counts[WEV_COMMIT], cs.operations, cs.keys);
	fprintf(f,
		"<tr><th>replay</th><td><code>raftsim%s --nodes %d "
		"--seed %" PRIu64,
		strcmp(in->mode, "sim") == 0 ? " --sim" : "", in->nodes,
		in->seed);
	if (p->r->ticks != 0)
		fprintf(f, " --ticks %" PRIu64, p->r->ticks);
	fprintf(f, " --tick-ms %g --heartbeat-ticks %u --election-ticks %u-%u",
		ms((int64_t)in->tick_us), in->heartbeat_ticks, in->election_min,
		in->election_max);
	if (in->drop > 0 || in->dup > 0 || in->reorder > 0)
		fprintf(f, " --drop %g --dup %g --reorder %g", in->drop,
			in->dup, in->reorder);
	fprintf(f, "%s%s%s", in->prevote ? " --prevote" : "",
		in->check_quorum ? " --check-quorum" : "",
		in->ranked_timeouts ? " --ranked-timeouts" : "");
	for (b = 1; b != 0; b <<= 1)
		if ((in->mistakes & b) && options_mistake_name(b) != NULL)
			fprintf(f, " --mistake %s", options_mistake_name(b));
	fprintf(f, "</code> (the start line's settings; add the run's "
		   "fault and load flags)</td></tr>\n</table>\n");
}

static double lane_y(int lane)
{
	return TOP + LANE_H * lane;
}

static void axis(const struct page *p, double h)
{
	int64_t span = p->cv->to - p->cv->from, step = 1000;
	int64_t t;

	while (span / step > 12)
		step *= step % 3 == 0 ? 2 : 5; /* 1, 5, 10, 50... ms */
	for (t = p->cv->from - p->cv->from % step; t <= p->cv->to; t += step) {
		if (t < p->cv->from)
			continue;
		fprintf(p->f,
			"<line class=\"grid\" data-a=\"%" PRId64
			"\" x1=\"%.1f\" "
			"x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>"
			"<text class=\"axis\" data-a=\"%" PRId64
			"\" x=\"%.1f\" "
			"y=\"%.0f\">%.0f ms</text>\n",
			t, x_of(p, t), x_of(p, t), TOP - 4, h, t, x_of(p, t),
			TOP - 8, ms(t));
	}
}

static const char *span_class(uint8_t m)
{
	switch (m) {
	case TL_LEAD_FILL:
		return "lead";
	case TL_CAND_FILL:
		return "cand";
	case TL_PAUSED:
		return "paused";
	case TL_CRASHED:
		return "crashed";
	default:
		return "part";
	}
}

static void spans(const struct page *p)
{
	const struct report_span *s;
	size_t i;
	double x, w, y;

	for (i = 0; i < p->r->spans.n; i++) {
		s = &p->r->spans.v[i];
		x = x_of(p, s->from_us);
		w = x_of(p, s->to_us) - x;
		y = lane_y(s->lane) + (s->mark == TL_LEAD_FILL ? 6 : 2);
		fprintf(p->f,
			"<rect class=\"%s\" data-a=\"%" PRId64
			"\" data-b=\"%" PRId64 "\" x=\"%.2f\" y=\"%.0f\" "
			"width=\"%.2f\" height=\"%.0f\"",
			span_class(s->mark), s->from_us, s->to_us, x, y,
			w < 1 ? 1 : w,
			s->mark == TL_LEAD_FILL ? LANE_H - 12 : LANE_H - 4);
		if (s->mark == TL_LEAD_FILL)
			fprintf(p->f,
				" style=\"fill:hsl(%d,70%%,60%%);fill-opacity:"
				".35\"><title>leader of term %" PRIu64
				", %.3f-%.3f ms</title></rect>\n",
				hue(s->term), s->term, ms(s->from_us),
				ms(s->to_us));
		else
			fprintf(p->f,
				"><title>%s %.3f-%.3f ms</title></rect>\n",
				span_class(s->mark), ms(s->from_us),
				ms(s->to_us));
	}
}

static void tick_line(const struct page *p, const struct report_mark *k,
		      const char *cls, double y1, double y2, const char *what)
{
	double x = x_of(p, k->us);

	fprintf(p->f,
		"<line class=\"%s\" data-a=\"%" PRId64 "\" x1=\"%.2f\" "
		"x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\"><title>node %d %s at "
		"%.3f ms</title></line>\n",
		cls, k->us, x, x, y1, y2, k->lane, what, ms(k->us));
}

static void dot(const struct page *p, const struct report_mark *k,
		const char *cls, double r, const char *what)
{
	double y = lane_y(k->lane) + LANE_H / 2;

	fprintf(p->f,
		"<circle class=\"%s\" data-a=\"%" PRId64 "\" cx=\"%.2f\" "
		"cy=\"%.1f\" r=\"%.0f\"",
		cls, k->us, x_of(p, k->us), y, r);
	if (k->mark == TL_LEADER)
		fprintf(p->f, " style=\"fill:hsl(%d,70%%,50%%)\"",
			hue(k->term));
	fprintf(p->f,
		"><title>node %d %s %" PRIu64 " at %.3f ms</title></circle>\n",
		k->lane, what, k->term, ms(k->us));
	if (k->mark == TL_ELECTION || k->mark == TL_LEADER)
		fprintf(p->f,
			"<text data-a=\"%" PRId64 "\" x=\"%.2f\" y=\"%.1f\">"
			"%s%" PRIu64 "</text>\n",
			k->us, x_of(p, k->us) + 7, y - 6,
			k->mark == TL_ELECTION ? "E" : "L", k->term);
}

static void marks(const struct page *p)
{
	const struct report_mark *k;
	double top;
	size_t i;

	for (i = 0; i < p->r->marks.n; i++) {
		k = &p->r->marks.v[i];
		top = lane_y(k->lane);
		switch (k->mark) {
		case TL_ROUND:
			tick_line(p, k, "hb", top + 3, top + LANE_H / 2,
				  "sends a heartbeat round");
			break;
		case TL_RESET:
			tick_line(p, k, "reset", top + LANE_H / 2,
				  top + LANE_H - 3,
				  "accepts a heartbeat: timer reset");
			break;
		case TL_ELECTION:
			dot(p, k, "election", 6,
			    "times out: election for term");
			break;
		case TL_LEADER:
			dot(p, k, "leader", 6, "becomes leader of term");
			break;
		case TL_FOLLOWER:
			dot(p, k, "follower", 4, "steps down in term");
			break;
		case TL_PREVOTE:
			dot(p, k, "prevote", 4, "starts a pre-vote, term");
			break;
		default:
			break;
		}
	}
}

static void violation_text(const struct page *p, uint64_t i)
{
	const struct checker_violation *v;
	int n = checker_reports(p->cv->checker, &v);

	if (i < (uint64_t)n)
		html_escape(p->f, v[i].what);
	else
		fprintf(p->f, "(past the checker's first %d messages)",
			CHECKER_MAX_REPORTS);
}

static void violation_markers(const struct page *p)
{
	const struct report_violation *v;
	size_t i;
	double y;

	for (i = 0; i < p->r->violations.n; i++) {
		v = &p->r->violations.v[i];
		y = lane_y(v->lane >= 0 ? v->lane : p->cv->n) + LANE_H / 2;
		fprintf(p->f,
			"<a href=\"#v%" PRIu64 "\"><circle class=\"violation\" "
			"data-a=\"%" PRId64 "\" cx=\"%.2f\" cy=\"%.1f\" "
			"r=\"8\"><title>violation at %.3f ms: ",
			v->index, v->us, x_of(p, v->us), y, ms(v->us));
		violation_text(p, v->index);
		fprintf(p->f, "</title></circle></a>\n");
	}
}

static void timeline(const struct page *p)
{
	double h = lane_y(p->cv->n + 1) + 4;
	int i;

	fprintf(p->f,
		"<h2>Timeline</h2>\n<p class=\"legend\">Wheel: zoom; drag: "
		"pan; double-click: whole run. "
		"<svg width=\"14\" height=\"14\"><line class=\"hb\" x1=\"7\" "
		"x2=\"7\" y1=\"0\" y2=\"14\"/></svg> leader's heartbeat round "
		"<svg width=\"14\" height=\"14\"><line class=\"reset\" "
		"x1=\"7\" x2=\"7\" y1=\"0\" y2=\"14\"/></svg> follower's timer "
		"reset <svg width=\"14\" height=\"14\"><circle "
		"class=\"election\" cx=\"7\" cy=\"7\" r=\"6\"/></svg> election "
		"timeout (E term) <svg width=\"14\" height=\"14\"><circle "
		"class=\"leader\" cx=\"7\" cy=\"7\" r=\"6\" "
		"style=\"fill:hsl(137,70%%,50%%)\"/></svg> leader (L term; its "
		"span colored by term) <svg width=\"14\" height=\"14\"><rect "
		"class=\"paused\" width=\"14\" height=\"14\"/></svg> paused "
		"<svg width=\"14\" height=\"14\"><rect class=\"crashed\" "
		"width=\"14\" height=\"14\"/></svg> crashed <svg width=\"14\" "
		"height=\"14\"><rect class=\"part\" width=\"14\" "
		"height=\"14\"/></svg> partitioned <svg width=\"14\" "
		"height=\"14\"><circle class=\"violation\" cx=\"7\" cy=\"7\" "
		"r=\"6\"/></svg> violation (links to its message)</p>\n");
	fprintf(p->f,
		"<svg id=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%.0f\" height=\"%.0f\" data-from=\"%" PRId64
		"\" data-to=\"%" PRId64 "\" data-x0=\"%.0f\" "
		"data-w=\"%.0f\">\n",
		LABEL_W + PLOT_W + 10, h, p->cv->from, p->cv->to, LABEL_W,
		PLOT_W);
	for (i = 0; i <= p->cv->n; i++) {
		if (i < p->cv->n)
			fprintf(p->f, "<g class=\"lane\" data-node=\"%d\">", i);
		else /* partitions and violations of no one node */
			fprintf(p->f, "<g class=\"checker-lane\">");
		fprintf(p->f,
			"<rect class=\"lane-bg\" x=\"%.0f\" y=\"%.0f\" "
			"width=\"%.0f\" height=\"%.0f\"/>",
			LABEL_W, lane_y(i), PLOT_W, LANE_H);
		fprintf(p->f, "</g>\n");
	}
	fprintf(p->f, "<g id=\"plot\">\n");
	axis(p, h);
	spans(p);
	marks(p);
	violation_markers(p);
	fprintf(p->f, "</g>\n");
	/* Labels last, on a white strip, so that panned marks pass under. */
	fprintf(p->f,
		"<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#fff\"/>\n",
		LABEL_W - 2, h);
	for (i = 0; i < p->cv->n; i++)
		fprintf(p->f,
			"<text x=\"4\" y=\"%.0f\" class=\"label\">node-%d"
			"</text>\n",
			lane_y(i) + LANE_H / 2 + 4, i);
	fprintf(p->f,
		"<text x=\"4\" y=\"%.0f\" class=\"label\">checker"
		"</text>\n",
		lane_y(p->cv->n) + LANE_H / 2 + 4);
	fprintf(p->f, "</svg>\n");
}

static void violation_list(const struct page *p)
{
	const struct checker_violation *v;
	int i, n = checker_reports(p->cv->checker, &v);
	uint64_t total = checker_violation_count(p->cv->checker);

	fprintf(p->f, "<h2 id=\"violations\">Violations (%" PRIu64 ")</h2>\n",
		total);
	if (total == 0) {
		fprintf(p->f, "<p>The checker found none.</p>\n");
		return;
	}
	fprintf(p->f, "<ol start=\"0\">\n");
	for (i = 0; i < n; i++) {
		fprintf(p->f, "<li id=\"v%d\"><b>%.3f ms</b>: ", i,
			ms(v[i].us));
		html_escape(p->f, v[i].what);
		fprintf(p->f, "</li>\n");
	}
	fprintf(p->f, "</ol>\n");
	if (total > (uint64_t)n)
		fprintf(p->f,
			"<p>and %" PRIu64 " more, marked on the timeline "
			"(the checker keeps the first %d messages).</p>\n",
			total - (uint64_t)n, n);
}

/* Commit index over time, a step line per node. */
static void commits(const struct page *p)
{
	const struct report_commit *c;
	uint64_t top = 1;
	double x, y, h = 160;
	size_t i;
	int node;

	if (p->r->commits.n == 0)
		return;
	for (i = 0; i < p->r->commits.n; i++)
		if (p->r->commits.v[i].index > top)
			top = p->r->commits.v[i].index;
	fprintf(p->f,
		"<h2>Commit index</h2>\n<svg id=\"commits\" "
		"xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
		"height=\"%.0f\">\n<text class=\"axis\" x=\"4\" y=\"14\">%" PRIu64
		"</text><text class=\"axis\" x=\"4\" y=\"%.0f\">0</text>\n",
		LABEL_W + PLOT_W + 10, h + 20, top, h + 10);
	for (node = 0; node < p->cv->n; node++) {
		fprintf(p->f,
			"<polyline class=\"commit\" fill=\"none\" "
			"stroke=\"hsl(%d,70%%,40%%)\" points=\"",
			hue((uint64_t)node + 1));
		y = h + 10;
		fprintf(p->f, "%.1f,%.1f", LABEL_W, y);
		for (i = 0; i < p->r->commits.n; i++) {
			c = &p->r->commits.v[i];
			if (c->node != node)
				continue;
			x = x_of(p, c->us);
			fprintf(p->f, " %.1f,%.1f", x, y);
			y = h + 10 - (double)c->index * h / (double)top;
			fprintf(p->f, " %.1f,%.1f", x, y);
		}
		fprintf(p->f,
			" %.1f,%.1f\"><title>node-%d</title></polyline>\n",
			LABEL_W + PLOT_W, y, node);
	}
	fprintf(p->f, "</svg>\n");
}

#define KEYS_SHOWN 30

/* Client operations per key (the first KEYS_SHOWN keys), and lincheck's
 * own account of the smallest failing key when there is one. */
static void clients(const struct page *p)
{
	const struct report_op *ops = p->r->ops.v;
	size_t i, j, n = p->r->ops.n;
	uint64_t count[4];
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int keys = 0;

	if (n == 0)
		return;
	fprintf(p->f, "<h2>Client operations</h2>\n<table id=\"clients\">"
		      "<tr><th>key</th><th>operations</th><th>ok</th>"
		      "<th>fail</th><th>info / open</th></tr>\n");
	for (i = 0; i < n && keys < KEYS_SHOWN; i++) {
		for (j = 0; j < i && strcmp(ops[j].key, ops[i].key) != 0; j++)
			;
		if (j < i)
			continue; /* counted at its first operation */
		memset(count, 0, sizeof(count));
		for (j = i; j < n; j++)
			if (strcmp(ops[j].key, ops[i].key) == 0)
				count[ops[j].result]++;
		fprintf(p->f, "<tr><td><code>");
		html_escape(p->f, ops[i].key);
		fprintf(p->f,
			"</code></td><td>%" PRIu64 "</td><td>%" PRIu64
			"</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
			count[0] + count[1] + count[2] + count[3],
			count[HIST_OK], count[HIST_FAIL],
			count[HIST_INFO] + count[HIST_INVOKE]);
		keys++;
	}
	fprintf(p->f, "</table>\n");
	if (checker_clients_stats(p->cv->checker).lin != CHECKER_LIN_ILLEGAL)
		return;
	mem = open_memstream(&text, &len);
	if (mem == NULL)
		return;
	checker_print_lincheck_report(p->cv->checker, mem);
	if (fclose(mem) == 0 && text != NULL) {
		fprintf(p->f, "<h3>Not linearizable: the smallest failing "
			      "key</h3>\n<pre id=\"lincheck\">");
		html_escape(p->f, text);
		fprintf(p->f, "</pre>\n");
	}
	free(text);
}

/* Zoom (wheel, around the pointer) and pan (drag): every element with a
 * time moves to x0 + (t - from) * w / (to - from) of the view. */
static const char *const script =
	"(function(){var s=document.getElementById('tl');if(!s)return;"
	"var F=+s.dataset.from,T=+s.dataset.to,x0=+s.dataset.x0,"
	"w=+s.dataset.w,a=F,b=T,els=s.querySelectorAll('[data-a]');"
	"function X(t){return x0+(t-a)*w/(b-a);}"
	"function draw(){for(var i=0;i<els.length;i++){var e=els[i],"
	"x=X(+e.dataset.a),n=e.tagName;if(n==='rect'){e.setAttribute('x',x);"
	"e.setAttribute('width',Math.max(1,X(+e.dataset.b)-x));}"
	"else if(n==='line'){e.setAttribute('x1',x);e.setAttribute('x2',x);}"
	"else if(n==='circle')e.setAttribute('cx',x);"
	"else if(n==='text')e.setAttribute('x',n==='text'&&"
	"e.classList.contains('axis')?x:x+7);}}"
	"function at(ev){var r=s.getBoundingClientRect();"
	"return a+(ev.clientX-r.left-x0)*(b-a)/w;}"
	"s.addEventListener('wheel',function(ev){ev.preventDefault();"
	"var t=at(ev),k=ev.deltaY<0?0.8:1.25;"
	"if(k<1&&b-a<10)return;a=t-(t-a)*k;b=t+(b-t)*k;"
	"if(a<F)a=F;if(b>T)b=T;draw();},{passive:false});"
	"var d=null;s.addEventListener('mousedown',function(ev){d=ev.clientX;});"
	"window.addEventListener('mouseup',function(){d=null;});"
	"window.addEventListener('mousemove',function(ev){if(d===null)return;"
	"var dt=(ev.clientX-d)*(b-a)/w;d=ev.clientX;"
	"if(a-dt<F)dt=a-F;if(b-dt>T)dt=b-T;a-=dt;b-=dt;draw();});"
	"s.addEventListener('dblclick',function(){a=F;b=T;draw();});})();";

int report_html(const struct report *r, FILE *f)
{
	struct page p = {r, r->cv, f};

	html_page_begin(f, "raftsim report: ", r->path, style);
	summary(&p);
	timeline(&p);
	if (r->dropped != 0)
		fprintf(f,
			"<p>The page shows the first %d items of each kind; "
			"%" PRIu64 " more were left out.</p>\n",
			REPORT_MAX_ITEMS, r->dropped);
	violation_list(&p);
	commits(&p);
	clients(&p);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
	fflush(f);
	return ferror(f) ? REPORT_IO : REPORT_WRITTEN;
}

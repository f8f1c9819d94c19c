/* timeline_draw.c - prints a finished timeline canvas: the settings, a time
 * axis, one lane per node (then the partitions' lane and the checker's),
 * the legend, and the partitions and violations in words.
 *
 * Every line fits the width the canvas was made for; text is wrapped
 * between words. The ASCII glyphs say everything the UTF-8 ones do.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "timeline_internal.h"

#define LEGEND_GAP 3 /* spaces between legend entries on one line */

struct glyph {
	const char *ascii, *utf8;
};

static const struct glyph glyphs[TL_MARK_COUNT] = {
	[TL_NONE] = {" ", " "},           [TL_CAND_FILL] = {"~", "\u2508"},
	[TL_LEAD_FILL] = {"-", "\u2500"}, [TL_RESET] = {"v", "\u25bc"},
	[TL_ROUND] = {"|", "\u251c"},     [TL_PART] = {"=", "\u2550"},
	[TL_PAUSED] = {":", "\u2591"},    [TL_CRASHED] = {"x", "\u2573"},
	[TL_PREVOTE] = {"p", "p"},        [TL_FOLLOWER] = {"F", "F"},
	[TL_ELECTION] = {"E", "E"},       [TL_LEADER] = {"L", "L"},
	[TL_VIOLATION] = {"!", "!"},      [TL_MANY] = {"+", "+"},
};

/* The axis: tick, rule and its arrow head. */
static const struct glyph axis_tick = {"+", "\u252c"};
static const struct glyph axis_rule = {"-", "\u2500"};
static const struct glyph axis_head = {">", "\u25b6"};

struct printer {
	const struct timeline_canvas *cv;
	FILE *out;
	int width;
};

static const char *g(const struct printer *p, const struct glyph *gl)
{
	return p->cv->opts.utf8 ? gl->utf8 : gl->ascii;
}

static const char *mark_glyph(const struct printer *p, uint8_t m)
{
	static const char digits[10][2] = {"0", "1", "2", "3", "4",
					   "5", "6", "7", "8", "9"};

	if (m >= TL_DIGIT0 && m < TL_DIGIT0 + 10)
		return digits[m - TL_DIGIT0];
	return g(p, &glyphs[m < TL_MARK_COUNT ? m : TL_NONE]);
}

/* Columns a UTF-8 string takes: one per character (every glyph here is
 * one column wide). */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Milliseconds with up to 3 decimals, without trailing zeros. */
static const char *fmt_ms(char *buf, size_t size, int64_t us)
{
	uint64_t a = us < 0 ? -(uint64_t)us : (uint64_t)us;
	int len = snprintf(buf, size, "%s%" PRIu64 ".%03" PRIu64,
			   us < 0 ? "-" : "", a / 1000, a % 1000);

	while (len > 0 && (size_t)len < size && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && (size_t)len < size && buf[len - 1] == '.')
		buf[--len] = '\0';
	return buf;
}

/* Prints text wrapped between words at the width: the first line after
 * `first` spaces, the next ones after `rest`. */
static void wrap(const struct printer *p, int first, int rest, const char *text)
{
	int col = first, at_start = 1;
	size_t len;
	char word[256];

	fprintf(p->out, "%*s", first, "");
	while (*(text += strspn(text, " ")) != '\0') {
		len = strcspn(text, " ");
		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, text, len);
		word[len] = '\0';
		text += len;
		if (!at_start && col + 1 + text_cols(word) > p->width) {
			fprintf(p->out, "\n%*s", rest, "");
			col = rest;
			at_start = 1;
		}
		fprintf(p->out, "%s%s", at_start ? "" : " ", word);
		col += text_cols(word) + !at_start;
		at_start = 0;
	}
	fputc('\n', p->out);
}

static void print_header(const struct printer *p)
{
	const struct timeline_canvas *cv = p->cv;
	char text[512], a[32], b[32], c[32], mistakes[160] = "";
	unsigned bit;
	size_t len;

	for (bit = 1; bit != 0 && bit <= cv->info.mistakes; bit <<= 1) {
		if (!(cv->info.mistakes & bit))
			continue;
		len = strlen(mistakes);
		snprintf(mistakes + len, sizeof(mistakes) - len, "%s%s",
			 len ? ", " : ", mistake ", options_mistake_name(bit));
	}
	snprintf(text, sizeof(text),
		 "Heartbeat timeline: %d node%s, tick %s "
		 "ms, heartbeat every %u ticks, election timeout %u-%u ticks "
		 "(%s, seed %" PRIu64 "%s)",
		 cv->n, cv->n == 1 ? "" : "s",
		 fmt_ms(a, sizeof(a), (int64_t)cv->info.tick_us),
		 cv->info.heartbeat_ticks, cv->info.election_min,
		 cv->info.election_max, cv->info.mode, cv->info.seed, mistakes);
	wrap(p, 0, 2, text);
	snprintf(text, sizeof(text), "From %s to %s ms, one column = %s ms.",
		 fmt_ms(a, sizeof(a), cv->from), fmt_ms(b, sizeof(b), cv->to),
		 fmt_ms(c, sizeof(c), (cv->to - cv->from) / cv->cols));
	wrap(p, 0, 2, text);
	fputc('\n', p->out);
}

/* A round step between axis labels, at least 10 columns apart: 1, 2 or 5
 * times a power of ten microseconds. */
static int64_t axis_step(const struct timeline_canvas *cv)
{
	int64_t per = (cv->to - cv->from) / cv->cols, step = 1;
	int64_t want = per > INT64_MAX / 10 ? INT64_MAX : per * 10;

	for (;;) {
		if (step >= want || step > INT64_MAX / 10)
			return step;
		if (2 * step >= want)
			return 2 * step;
		if (5 * step >= want)
			return 5 * step;
		step *= 10;
	}
}

static void print_axis(const struct printer *p)
{
	const struct timeline_canvas *cv = p->cv;
	int64_t step = axis_step(cv), t;
	bool in_s = step >= 1000000; /* whole seconds: label in seconds */
	char labels[TIMELINE_MAX_WIDTH + 1], ms[32];
	bool tick[TIMELINE_MAX_WIDTH] = {false};
	int c, len, free_from = 0, end = 0;

	memset(labels, ' ', (size_t)cv->cols);
	t = cv->from / step * step;
	if (t < cv->from) /* the first multiple of step in the window */
		t = t <= INT64_MAX - step ? t + step : INT64_MAX;
	for (; t <= cv->to && t >= cv->from; t += step) {
		c = timeline_col(cv, t);
		tick[c] = true;
		len = (int)strlen(fmt_ms(ms, sizeof(ms), in_s ? t / 1000 : t));
		if (c >= free_from && c + len <= cv->cols) {
			memcpy(labels + c, ms, (size_t)len);
			free_from = c + len + 1;
			end = c + len;
		}
		if (t > INT64_MAX - step)
			break;
	}
	labels[end] = '\0';
	fprintf(p->out, "%-*s%s\n", cv->label_w, in_s ? "s" : "ms", labels);
	fprintf(p->out, "%-*s", cv->label_w, "time");
	for (c = 0; c < cv->cols - 1; c++)
		fputs(g(p, tick[c] ? &axis_tick : &axis_rule), p->out);
	fprintf(p->out, "%s\n", g(p, &axis_head));
}

/* One lane: its label, then its cells up to the last one not blank. */
static void print_lane(const struct printer *p, const char *label,
		       const uint8_t *row)
{
	int c, last = p->cv->cols - 1;

	while (last >= 0 && row[last] == TL_NONE)
		last--;
	fprintf(p->out, "%-*s", last >= 0 ? p->cv->label_w : 0, label);
	for (c = 0; c <= last; c++)
		fputs(mark_glyph(p, row[c]), p->out);
	fputc('\n', p->out);
}

static void print_lanes(const struct printer *p)
{
	const struct timeline_canvas *cv = p->cv;
	uint8_t row[TIMELINE_MAX_WIDTH];
	char label[32];
	uint32_t k;
	int i, c;

	for (i = 0; i < cv->n; i++) {
		snprintf(label, sizeof(label), "node-%d", i);
		print_lane(p, label, &cv->cells[(size_t)i * (size_t)cv->cols]);
	}
	if (cv->npartitions > 0)
		print_lane(p, "net",
			   &cv->cells[(size_t)cv->n * (size_t)cv->cols]);
	/* The checker's lane: how many violations each column holds. */
	for (c = 0; c < cv->cols; c++) {
		k = cv->violations[c];
		row[c] = k == 0   ? TL_NONE
			 : k == 1 ? TL_VIOLATION
			 : k <= 9 ? (uint8_t)(TL_DIGIT0 + k)
				  : TL_MANY;
	}
	print_lane(p, "checker", row);
}

static const struct {
	enum timeline_mark mark;
	const char *term; /* the example term after the glyph, or "" */
	const char *text;
} legend[] = {
	{TL_ROUND, "", "the leader sends a heartbeat round"},
	{TL_LEAD_FILL, "", "leader, between rounds"},
	{TL_RESET, "", "a follower accepts it: timer reset"},
	{TL_ELECTION, "3", "timeout: election for term 3"},
	{TL_CAND_FILL, "", "candidate"},
	{TL_PREVOTE, "", "timeout: asks for pre-votes"},
	{TL_LEADER, "3", "becomes leader of term 3"},
	{TL_FOLLOWER, "3", "steps down to follower, term 3"},
	{TL_PAUSED, "", "paused"},
	{TL_CRASHED, "", "crashed"},
	{TL_PART, "", "partitioned (net lane)"},
	{TL_VIOLATION, "", "violation (listed below)"},
};

#define LEGEND_COUNT (int)(sizeof(legend) / sizeof(legend[0]))

/* The legend's entries in as many columns as the width holds. */
static void print_legend(const struct printer *p)
{
	char entry[LEGEND_COUNT][96];
	int i, w = 0, cell, per_line, len;

	for (i = 0; i < LEGEND_COUNT; i++) {
		snprintf(entry[i], sizeof(entry[i]), "%s%-*s %s",
			 mark_glyph(p, legend[i].mark), 1, legend[i].term,
			 legend[i].text);
		len = text_cols(entry[i]);
		w = len > w ? len : w;
	}
	cell = w + LEGEND_GAP;
	per_line = (p->width - 2 + LEGEND_GAP) / cell;
	per_line = per_line < 1 ? 1 : per_line;
	fputs("\nLegend:\n", p->out);
	for (i = 0; i < LEGEND_COUNT; i++) {
		len = text_cols(entry[i]);
		if (2 + len > p->width) { /* alone on its line, and too long */
			wrap(p, 2, 5, entry[i]);
			continue;
		}
		fprintf(p->out, "%s%s", i % per_line ? "" : "  ", entry[i]);
		if (i % per_line == per_line - 1 || i == LEGEND_COUNT - 1)
			fputc('\n', p->out);
		else
			fprintf(p->out, "%*s", cell - len, "");
	}
	wrap(p, 2, 2,
	     "One mark per column: where marks meet, a violation "
	     "wins over an election or a role change, which wins over a "
	     "fault, which wins over a heartbeat. The term follows E, L or F "
	     "where the next columns hold only heartbeats or faults.");
	wrap(p, 2, 2,
	     "The checker lane counts the violations in each column "
	     "(! one, 2-9, + ten or more), so that none is hidden.");
}

/* Appends to text[*len..size), keeping it terminated when full. */
static void __attribute__((format(printf, 4, 5)))
append(char *text, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text + *len, size - *len, fmt, ap);
	va_end(ap);
	*len = n < 0 ? size : *len + (size_t)n;
}

/* "Partition from 300 ms to 700 ms: {0,1} {2,3,4}" */
static void print_partition(const struct printer *p,
			    const struct timeline_partition *pt)
{
	char text[1600], ms[32];
	size_t len = 0;
	int g, node, k;

	append(text, sizeof(text), &len, "Partition from %s ms ",
	       fmt_ms(ms, sizeof(ms), pt->from_us));
	if (pt->to_us < 0)
		append(text, sizeof(text), &len, "to the end:");
	else
		append(text, sizeof(text), &len,
		       "to %s ms:", fmt_ms(ms, sizeof(ms), pt->to_us));
	for (g = 0; g < p->cv->n; g++) {
		for (node = 0, k = 0; node < p->cv->n; node++)
			if (pt->group_of[node] == g)
				append(text, sizeof(text), &len, "%s%d",
				       k++ ? "," : " {", node);
		if (k > 0)
			append(text, sizeof(text), &len, "}");
	}
	wrap(p, 0, 2, text);
}

static void print_partitions(const struct printer *p)
{
	const struct timeline_canvas *cv = p->cv;
	int i;

	for (i = 0; i < cv->npartitions && i < TL_MAX_PARTITIONS; i++)
		print_partition(p, &cv->partitions[i]);
	if (cv->npartitions > TL_MAX_PARTITIONS)
		fprintf(p->out, "... and %d more partitions\n",
			cv->npartitions - TL_MAX_PARTITIONS);
}

static void print_violations(const struct printer *p)
{
	const struct timeline_canvas *cv = p->cv;
	const struct checker_violation *v;
	uint64_t listed = 0, total = checker_violation_count(cv->checker);
	char text[320], ms[32];
	int i, n = checker_reports(cv->checker, &v);

	if (total == 0) {
		fputs("Checker: no violation.\n", p->out);
		return;
	}
	snprintf(text, sizeof(text),
		 "Checker: %" PRIu64 " violation%s, %" PRIu64
		 " in this window%s",
		 total, total == 1 ? "" : "s", cv->violations_in_window,
		 cv->violations_in_window ? ":" : ".");
	wrap(p, 0, 2, text);
	for (i = 0; i < n; i++) {
		if (v[i].us < cv->from || v[i].us > cv->to)
			continue;
		snprintf(text, sizeof(text), "! at %s ms: %s",
			 fmt_ms(ms, sizeof(ms), v[i].us), v[i].what);
		wrap(p, 2, 4, text);
		listed++;
	}
	if (cv->violations_in_window > listed) {
		snprintf(text, sizeof(text),
			 "... and %" PRIu64 " more (the "
			 "checker words only its first %d)",
			 cv->violations_in_window - listed,
			 CHECKER_MAX_REPORTS);
		wrap(p, 2, 4, text);
	}
}

int timeline_canvas_print(const struct timeline_canvas *cv, FILE *out)
{
	struct printer p = {cv, out, cv->opts.width};

	print_header(&p);
	print_axis(&p);
	print_lanes(&p);
	print_legend(&p);
	fputc('\n', out);
	print_partitions(&p);
	print_violations(&p);
	if (!cv->ended)
		fputs("The trace has no end event: was the run cut short?\n",
		      out);
	return fflush(out) != 0 || ferror(out) ? TIMELINE_IO : TIMELINE_DRAWN;
}

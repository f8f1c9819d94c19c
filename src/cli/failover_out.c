/* failover_out.c - the failover results as a terminal CDF, a CSV and an SVG
 * (one CDF curve per timeout range, like the paper's Figure 16). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "failover.h"

#define CDF_WIDTH 60
#define CDF_HEIGHT 10

void failover_print_cdf(FILE *out, const struct trial_result *sorted, int n)
{
	char row[CDF_WIDTH + 1];
	double max;
	int level, x, i;

	if (n == 0)
		return;
	max = sorted[n - 1].downtime_ms;
	if (max <= 0)
		max = 1;
	for (level = CDF_HEIGHT; level >= 1; level--) {
		double want = (double)level / CDF_HEIGHT;

		/* Column x is filled when the CDF at its time reaches the
		 * row's level. */
		for (x = 0, i = 0; x < CDF_WIDTH; x++) {
			double t = max * (x + 1) / CDF_WIDTH;

			while (i < n && sorted[i].downtime_ms <= t)
				i++;
			row[x] = (double)i / n >= want ? '#' : ' ';
		}
		row[CDF_WIDTH] = '\0';
		fprintf(out, "  %3d%% |%s\n", level * 100 / CDF_HEIGHT, row);
	}
	fprintf(out, "       +");
	for (x = 0; x < CDF_WIDTH; x++)
		fputc(x % 10 == 9 ? '+' : '-', out);
	fprintf(out, "\n        0 ms%*s%.0f ms\n", CDF_WIDTH - 8, "", max);
}

int failover_write_csv(FILE *f, const struct tick_range *range,
		       const struct trial_result *results, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fprintf(f,
			    "%" PRIu64 "-%" PRIu64 ",%d,%.3f,%" PRIu64
			    ",%d,%d\n",
			    range->min, range->max, i, results[i].downtime_ms,
			    results[i].rounds, results[i].stale_at_crash,
			    results[i].stale_at_vote) < 0)
			return -1;
	return 0;
}

/* SVG geometry: a log-scale time axis, as in the paper. */
#define SVG_W 720
#define SVG_H 420
#define PLOT_X 70
#define PLOT_Y 20
#define PLOT_W 460
#define PLOT_H 340
#define SVG_STEPS 200

static double x_of(double ms, double lo, double hi)
{
	if (ms < lo)
		ms = lo;
	return PLOT_X +
	       PLOT_W * (log10(ms) - log10(lo)) / (log10(hi) - log10(lo));
}

static const char *const colors[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

int failover_write_svg(FILE *f, const struct tick_range *ranges,
		       struct trial_result *const *sorted, const int *counts,
		       int range_count)
{
	double lo = 10, hi = 100;
	double decade;
	int r, i, step;

	for (r = 0; r < range_count; r++)
		if (counts[r] > 0 && sorted[r][counts[r] - 1].downtime_ms > hi)
			hi = sorted[r][counts[r] - 1].downtime_ms;
	hi = pow(10, ceil(log10(hi)));
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, SVG_H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"none\" stroke=\"black\"/>\n",
		PLOT_X, PLOT_Y, PLOT_W, PLOT_H);
	for (decade = lo; decade <= hi * 1.001; decade *= 10)
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#ccc\"/><text x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">%.0f</text>\n",
			x_of(decade, lo, hi), PLOT_Y, x_of(decade, lo, hi),
			PLOT_Y + PLOT_H, x_of(decade, lo, hi),
			PLOT_Y + PLOT_H + 16, decade);
	for (i = 0; i <= 4; i++)
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d%%"
			"</text>\n",
			PLOT_X - 6, PLOT_Y + PLOT_H - i * PLOT_H / 4 + 4,
			i * 25);
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time without "
		"leader (ms)</text>\n",
		PLOT_X + PLOT_W / 2, SVG_H - 20);
	fprintf(f,
		"<text transform=\"translate(16,%d) rotate(-90)\" "
		"text-anchor=\"middle\">cumulative percent</text>\n",
		PLOT_Y + PLOT_H / 2);
	for (r = 0; r < range_count; r++) {
		const char *color = colors[r % 10];

		fprintf(f,
			"<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"1.5\" points=\"",
			color);
		/* A step per trial would make a 1000-trial file huge; at most
		 * SVG_STEPS steps keep the curve's shape at this size. */
		step = counts[r] / SVG_STEPS + 1;
		for (i = step - 1; i < counts[r] + step - 1; i += step) {
			int at = i < counts[r] ? i : counts[r] - 1;
			double x = x_of(sorted[r][at].downtime_ms, lo, hi);
			double y0 = PLOT_Y + PLOT_H -
				    (double)PLOT_H * (at + 1 - step) /
					    counts[r];
			double y1 = PLOT_Y + PLOT_H -
				    (double)PLOT_H * (at + 1) / counts[r];

			if (y0 > PLOT_Y + PLOT_H)
				y0 = PLOT_Y + PLOT_H;
			fprintf(f, "%.1f,%.1f %.1f,%.1f ", x, y0, x, y1);
		}
		fprintf(f,
			"\"/>\n<text x=\"%d\" y=\"%d\" fill=\"%s\">%" PRIu64
			"-%" PRIu64 " ms%s</text>\n",
			PLOT_X + PLOT_W + 16, PLOT_Y + 14 + r * 18, color,
			ranges[r].min, ranges[r].max,
			counts[r] > 0 && sorted[r][counts[r] - 1].capped
				? " (capped)"
				: "");
	}
	return fprintf(f, "</svg>\n") < 0 ? -1 : 0;
}

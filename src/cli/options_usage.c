/* options_usage.c - the documentation made from the flag table: --help for
 * each subcommand, the README's flag tables and the man page. None of them
 * lists a flag by hand, so none can drift from the parser.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "options_internal.h"

#define HELP_WIDTH 79
#define HELP_COLUMN 26

/* The commands that have a default of their own, in README order. */
static const enum raftsim_command doc_commands[] = {
	CMD_RUN,
	CMD_EXPLORE,
	CMD_FAILOVER,
	CMD_CHECK,
};
#define DOC_COMMAND_COUNT (sizeof(doc_commands) / sizeof(doc_commands[0]))

static const char *ms_text(uint64_t us, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
	n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

/* A probability as the parser reads it back: plain decimals, no exponent. */
static const char *prob_text(double p, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%.12f", p);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
		buf[n - 2] = '\0';
	return buf;
}

const char *options_value_text(const struct raftsim_options *o,
			       const struct opt_flag *f, char *buf, size_t size)
{
	const void *field = options_field_c(o, f);
	struct tick_range r;
	char lo[32], hi[32];
	const char *path;
	double d;
	bool b;

	buf[0] = '\0';
	switch (f->kind) {
	case OPT_BOOL:
		memcpy(&b, field, sizeof(b));
		snprintf(buf, size, "%s", b ? "on" : "off");
		break;
	case OPT_COUNT:
		snprintf(buf, size, "%" PRIu64, options_field_u64(o, f));
		break;
	case OPT_MS:
	case OPT_MS_DECIMAL:
		ms_text(options_field_u64(o, f), buf, size);
		break;
	case OPT_TICK_RANGE:
		memcpy(&r, field, sizeof(r));
		snprintf(buf, size, "%" PRIu64 "-%" PRIu64, r.min, r.max);
		break;
	case OPT_MS_RANGE:
		memcpy(&r, field, sizeof(r));
		snprintf(buf, size, "%s-%s", ms_text(r.min, lo, sizeof(lo)),
			 ms_text(r.max, hi, sizeof(hi)));
		break;
	case OPT_PROB:
		memcpy(&d, field, sizeof(d));
		prob_text(d, buf, size);
		break;
	case OPT_PATH:
		memcpy(&path, field, sizeof(path));
		snprintf(buf, size, "%s", path != NULL ? path : "none");
		break;
	case OPT_CUSTOM:
		break;
	}
	return buf;
}

const char *options_modes_text(unsigned modes, char *buf, size_t size)
{
	static const struct {
		unsigned all; /* a command's modes, named once when all in */
		const char *name;
	} whole[] = {
		{IN_RUN, "run"},
		{IN_FAILOVERS, "failover"},
	};
	size_t len = 0, i;
	int m, n;

	buf[0] = '\0';
	if (modes == IN_ALL) {
		snprintf(buf, size, "every command");
		return buf;
	}
	for (m = 0; m < IN_MODES; m++) {
		const char *name = options_mode_names[m];

		if (!(modes & (1u << m)))
			continue;
		for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
			if ((whole[i].all & (1u << m)) &&
			    (modes & whole[i].all) == whole[i].all) {
				name = whole[i].name;
				modes &= ~whole[i].all;
			}
		}
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			     name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

const char *options_command_word(enum raftsim_command command)
{
	switch (command) {
	case CMD_RUN:
		return "run";
	case CMD_CHECK:
		return "check";
	case CMD_EXPLORE:
		return "explore";
	case CMD_FAILOVER:
		return "failover";
	case CMD_TIMELINE:
		return "timeline";
	case CMD_FIGURE8:
		return "figure8";
	case CMD_REPORT:
		return "report";
	case CMD_NODE:
		return "node";
	case CMD_CLIENT:
		return "client";
	case CMD_BENCH:
		return "bench";
	}
	return "?";
}

/* The default of f in a command, or "" when there is none to tell. */
static const char *default_text(const struct opt_flag *f,
				enum raftsim_command command, char *buf,
				size_t size)
{
	struct raftsim_options d;

	if (f->defaults != NULL)
		return f->defaults;
	if (f->kind == OPT_CUSTOM || f->kind == OPT_PATH || f->kind == OPT_BOOL)
		return "";
	options_default_for(&d, command);
	/* raftsim node runs until a signal unless --ticks is given. */
	if (command == CMD_NODE && strcmp(f->name, "ticks") == 0)
		return "none: until SIGTERM or SIGINT";
	return options_value_text(&d, f, buf, size);
}

void options_all_defaults(const struct opt_flag *f, char *buf, size_t size)
{
	char first[64], other[64];
	const char *text;
	size_t i, len;

	buf[0] = '\0';
	first[0] = '\0';
	for (i = 0; i < DOC_COMMAND_COUNT; i++) {
		if (!(f->modes & options_command_modes(doc_commands[i])))
			continue;
		text = default_text(f, doc_commands[i], other, sizeof(other));
		if (buf[0] == '\0') {
			snprintf(first, sizeof(first), "%s", text);
			snprintf(buf, size, "%s", text);
		} else if (strcmp(text, first) != 0) {
			len = strlen(buf);
			snprintf(buf + len, size - len, " (%s: %s)",
				 options_command_word(doc_commands[i]), text);
		}
	}
}

void options_flag_title(const struct opt_flag *f, char *buf, size_t size)
{
	char letter[8] = "";

	if (f->short_name != 0)
		snprintf(letter, sizeof(letter), "-%c, ", f->short_name);
	snprintf(buf, size, "%s--%s%s%s", letter, f->name,
		 f->metavar ? " " : "", f->metavar ? f->metavar : "");
}

/* Prints text from column `col`, wrapped at HELP_WIDTH with later lines
 * starting at column `indent`. */
static void wrap(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p != '\0') {
		size_t word = strcspn(p, " ");

		if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += (int)word;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

/* Where, within a command of two modes, f is taken (if only in one). */
static const char *mode_note(const struct opt_flag *f, unsigned modes)
{
	unsigned in = f->modes & modes;

	if (f->props & OPTF_MODE || in == modes)
		return NULL;
	if (in == IN_SIM)
		return "with --sim only";
	if (in == IN_THREADS)
		return "on threads only";
	if (in == IN_FAILOVER)
		return "not with --threads";
	return NULL;
}

static void help_row(FILE *out, const struct opt_flag *f,
		     enum raftsim_command command)
{
	unsigned modes = options_command_modes(command);
	char title[64], text[512], value[64];
	const char *def = default_text(f, command, value, sizeof(value));
	const char *note = mode_note(f, modes);
	struct opt_text t = {text, sizeof(text), 0, true};
	int col;

	options_flag_title(f, title, sizeof(title));
	/* Cut short (never past the buffer) if a help text outgrew it. */
	options_text_add(&t, "%s", f->help);
	if ((f->kind == OPT_COUNT || f->kind == OPT_MS) && f->max != UINT64_MAX)
		options_text_add(&t, " (%llu to %llu%s%s)",
				 (unsigned long long)f->min,
				 (unsigned long long)f->max,
				 def[0] != '\0' ? ", default " : "", def);
	else if (def[0] != '\0')
		options_text_add(&t, " (default %s)", def);
	if (note != NULL)
		options_text_add(&t, " [%s]", note);
	if (f->props & OPTF_REPEAT)
		options_text_add(&t, "; repeatable");
	col = fprintf(out, "  %s", title);
	if (col >= HELP_COLUMN - 1) {
		fprintf(out, "\n%*s", HELP_COLUMN, "");
		col = HELP_COLUMN;
	} else {
		col += fprintf(out, "%*s", HELP_COLUMN - col, "");
	}
	wrap(out, text, col, HELP_COLUMN);
}

int options_usage(const struct raftsim_options *o, FILE *out)
{
	unsigned modes = options_command_modes(o->command);
	size_t i, k;
	int s;

	for (i = 0, k = 0; i < options_synopsis_len; i++)
		if (o->command == CMD_RUN || options_synopsis[i].modes == modes)
			fprintf(out, "%s %s\n%*s%s\n",
				k++ ? "      " : "Usage:",
				options_synopsis[i].usage, HELP_COLUMN, "",
				options_synopsis[i].what);
	if (o->command == CMD_RUN)
		fputs("\nThe flags of a run (raftsim COMMAND --help: those of "
		      "COMMAND):\n",
		      out);
	for (s = 0; s < SEC_COUNT; s++) {
		int shown = 0;

		for (i = 0; i < options_table_len; i++) {
			const struct opt_flag *f = &options_table[i];

			if ((int)f->section != s || !(f->modes & modes) ||
			    (f->props & OPTF_HIDDEN))
				continue;
			if (shown++ == 0)
				fprintf(out, "\n%s:\n",
					options_sections[s].title);
			help_row(out, f, o->command);
		}
	}
	fputs("\nExit status:\n", out);
	for (i = 0; i < options_exit_codes_len; i++) {
		fprintf(out, "  %d  ", options_exit_codes[i].code);
		wrap(out, options_exit_codes[i].meaning, 5, 5);
	}
	return fflush(out) != 0 || ferror(out) ? EXIT_RUN_FAILED : 0;
}

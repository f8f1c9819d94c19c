/* options_doc.c - the README's flag tables (`raftsim --readme`) and the man
 * page (`raftsim --man`, installed as raftsim.1), made from the flag table.
 * tests/cli compares the README with the first and checks that the second
 * names every flag.
 */
#include <stdio.h>
#include <string.h>

#include "options_internal.h"

/* Markdown table cells: a '|' would end the cell. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s, out);
	}
}

static void readme_row(FILE *out, const struct opt_flag *f)
{
	char title[64], defaults[128], modes[128];

	options_flag_title(f, title, sizeof(title));
	options_all_defaults(f, defaults, sizeof(defaults));
	if (f->defaults == NULL && f->kind == OPT_BOOL)
		snprintf(defaults, sizeof(defaults), "off");
	fputs("| `", out);
	md_cell(out, title);
	fputs("` | ", out);
	md_cell(out, defaults);
	fprintf(out, " | %s | ",
		options_modes_text(f->modes, modes, sizeof(modes)));
	md_cell(out, f->doc != NULL ? f->doc : f->help);
	if ((f->kind == OPT_COUNT || f->kind == OPT_MS) && f->max != UINT64_MAX)
		fprintf(out, ", %llu to %llu", (unsigned long long)f->min,
			(unsigned long long)f->max);
	fputs(f->props & OPTF_REPEAT ? ". Repeatable |\n" : " |\n", out);
}

int options_write_readme(FILE *out)
{
	size_t i;
	int s;

	fputs("<!-- flags:begin (made by `./raftsim --readme`; tests/cli "
	      "compares) -->\n",
	      out);
	for (s = 0; s < SEC_COUNT; s++) {
		fprintf(out, "\n**%s.**", options_sections[s].title);
		if (options_sections[s].intro != NULL)
			fprintf(out, " %s", options_sections[s].intro);
		fputs("\n\n| flag | default | taken by | meaning |\n"
		      "|------|---------|----------|---------|\n",
		      out);
		for (i = 0; i < options_table_len; i++)
			if ((int)options_table[i].section == s &&
			    !(options_table[i].props & OPTF_HIDDEN))
				readme_row(out, &options_table[i]);
	}
	fputs("\n<!-- flags:end -->\n", out);
	return fflush(out) != 0 || ferror(out) ? EXIT_RUN_FAILED : 0;
}

/* roff text: '-' as \-, '\' as \e, no Markdown backquotes, and no line
 * that starts with a control character. */
static void roff(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s != '\0'; s++) {
		if (*s == '-')
			fputs("\\-", out);
		else if (*s == '\\')
			fputs("\\e", out);
		else if (*s != '`')
			fputc(*s, out);
	}
}

static void man_row(FILE *out, const struct opt_flag *f)
{
	char defaults[128], modes[128];

	options_all_defaults(f, defaults, sizeof(defaults));
	/* .BI: the flag in bold, its value in italics. */
	fputs(f->metavar != NULL ? ".TP\n.BI \"" : ".TP\n.B \"", out);
	if (f->short_name != 0)
		fprintf(out, "\\-%c, ", f->short_name);
	fputs("\\-\\-", out);
	roff(out, f->name);
	if (f->metavar != NULL) {
		fputs(" \" \"", out);
		roff(out, f->metavar);
	}
	fputs("\"\n", out);
	roff(out, f->doc != NULL ? f->doc : f->help);
	if ((f->kind == OPT_COUNT || f->kind == OPT_MS) && f->max != UINT64_MAX)
		fprintf(out, ", %llu to %llu", (unsigned long long)f->min,
			(unsigned long long)f->max);
	fputs(".", out);
	if (f->props & OPTF_REPEAT)
		fputs(" Repeatable.", out);
	if (defaults[0] != '\0') {
		fputs(" Default: ", out);
		roff(out, defaults);
		fputs(".", out);
	}
	fputs(" Taken by: ", out);
	roff(out, options_modes_text(f->modes, modes, sizeof(modes)));
	fputs(".\n", out);
}

static void man_head(FILE *out)
{
	size_t i;

	fputs(".TH RAFTSIM 1 \"\" \"raftsim " RAFTSIM_VERSION "\" "
	      "\"User Commands\"\n"
	      ".SH NAME\n"
	      "raftsim \\- Raft leader election on threads or in a "
	      "simulator, under an invariant checker\n"
	      ".SH SYNOPSIS\n.nf\n",
	      out);
	for (i = 0; i < options_synopsis_len; i++) {
		fputs(".B ", out);
		roff(out, options_synopsis[i].usage);
		fputs("\n", out);
	}
	fputs(".fi\n.SH DESCRIPTION\n"
	      "raftsim runs a Raft cluster in one process: each node in its "
	      "own thread, in real time, or all of them in a deterministic "
	      "simulator, in virtual time. The leader keeps its followers "
	      "quiet with heartbeats; when they stop, randomized election "
	      "timeouts pick a new leader. An invariant checker watches every "
	      "run and gives the verdict.\n",
	      out);
	for (i = 0; i < options_synopsis_len; i++) {
		fputs(".TP\n.B ", out);
		roff(out, options_synopsis[i].usage);
		fputs("\n", out);
		roff(out, options_synopsis[i].what);
		fputs("\n", out);
	}
}

int options_write_man(FILE *out)
{
	size_t i;
	int s;

	man_head(out);
	fputs(".SH OPTIONS\n", out);
	for (s = 0; s < SEC_COUNT; s++) {
		fprintf(out, ".SS %s\n", options_sections[s].title);
		if (options_sections[s].intro != NULL) {
			roff(out, options_sections[s].intro);
			fputs("\n", out);
		}
		for (i = 0; i < options_table_len; i++)
			if ((int)options_table[i].section == s &&
			    !(options_table[i].props & OPTF_HIDDEN))
				man_row(out, &options_table[i]);
	}
	fputs(".SH EXIT STATUS\n", out);
	for (i = 0; i < options_exit_codes_len; i++) {
		fprintf(out, ".TP\n.B %d\n", options_exit_codes[i].code);
		roff(out, options_exit_codes[i].meaning);
		fputs("\n", out);
	}
	fputs(".SH SEE ALSO\nThe README of raftsim: the trace format, the "
	      "checker's rules, the lesson's mistakes.\n",
	      out);
	return fflush(out) != 0 || ferror(out) ? EXIT_RUN_FAILED : 0;
}

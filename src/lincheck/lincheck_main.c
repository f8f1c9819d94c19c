/* lincheck_main.c - `raftsim lincheck FILE [--timeout S]`: reads a
 * history (a trace, or a file of client events only; "-" is stdin) line
 * by line and prints the verdict. Exit codes: lincheck.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

#define CHUNK (1u << 20)

static const char usage[] =
	"Usage: raftsim lincheck FILE [--timeout S]\n"
	"  Is the client history in FILE (a trace, or only client events;\n"
	"  - for stdin) linearizable against a key-value store?\n"
	"  --timeout S   give up after S seconds (exit 4); default: none\n"
	"Exit status: 0 linearizable, 1 not (the smallest failing key is\n"
	"printed), 2 unreadable, 3 out of memory, 4 undecided in time.\n";

static int usage_error(FILE *err, const char *what, const char *arg)
{
	fprintf(err, "raftsim lincheck: %s%s%s\n", what, arg ? ": " : "",
		arg ? arg : "");
	fputs("Try 'raftsim lincheck --help' for more information.\n", err);
	return LINCHECK_BAD_INPUT;
}

static int parse_seconds(const char *s, int64_t *us)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(d) || d <= 0 ||
	    d > 1e9)
		return -1;
	*us = (int64_t)(d * 1e6);
	if (*us < 1)
		*us = 1;
	return 0;
}

static int is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

struct reader {
	FILE *in;
	const char *path;
	char *buf;
	size_t cap, len;
	long line;
	struct hist_scratch scratch;
};

/* Feeds every line of the file to lc. Returns 0, or the exit code. */
static int feed_lines(struct reader *r, struct lincheck *lc, FILE *err)
{
	char msg[256];
	struct hist_event ev;
	size_t start = 0, got;
	char *nl;
	int eof = 0, rv;

	for (;;) {
		if (r->len == r->cap || start > 0) { /* keep the partial line */
			memmove(r->buf, r->buf + start, r->len - start);
			r->len -= start;
			start = 0;
		}
		if (r->len == r->cap) {
			char *b = realloc(r->buf, r->cap * 2);

			if (b == NULL)
				goto nomem;
			r->buf = b;
			r->cap *= 2;
		}
		if (!eof) {
			got = fread(r->buf + r->len, 1, r->cap - r->len, r->in);
			r->len += got;
			if (got == 0) {
				if (ferror(r->in)) {
					fprintf(err,
						"raftsim lincheck: %s: read "
						"error\n",
						r->path);
					return LINCHECK_BAD_INPUT;
				}
				eof = 1;
			}
		}
		while (start < r->len) {
			size_t end;

			nl = memchr(r->buf + start, '\n', r->len - start);
			if (nl == NULL && !eof)
				break;
			end = nl ? (size_t)(nl - r->buf) : r->len;
			r->line++;
			if (!is_blank(r->buf + start, end - start)) {
				rv = hist_parse(r->buf + start, end - start,
						&ev, &r->scratch, msg,
						sizeof(msg));
				if (rv == 1 && lincheck_add(lc, &ev, msg,
							    sizeof(msg)) != 0)
					rv = strcmp(msg, "out of memory") == 0
						     ? -2
						     : -1;
				if (rv == -2)
					goto nomem;
				if (rv < 0) {
					fprintf(err,
						"raftsim lincheck: %s:%ld: %s\n",
						r->path, r->line, msg);
					return LINCHECK_BAD_INPUT;
				}
			}
			start = end + 1;
		}
		if (eof && start >= r->len)
			return 0;
	}
nomem:
	fprintf(err, "raftsim lincheck: out of memory at %s:%ld\n", r->path,
		r->line);
	return LINCHECK_NOMEM;
}

static void print_verdict(enum lincheck_verdict v, const struct lincheck *lc,
			  double secs, FILE *out)
{
	struct lincheck_stats st;
	static const char *const what[] = {
		[LINCHECK_OK] = "OK: linearizable",
		[LINCHECK_ILLEGAL] = "NOT LINEARIZABLE",
		[LINCHECK_BAD_INPUT] = "unreadable",
		[LINCHECK_NOMEM] = "out of memory: undecided",
		[LINCHECK_UNKNOWN] = "UNKNOWN: undecided within the timeout",
	};

	lincheck_get_stats(lc, &st);
	fprintf(out,
		"lincheck: %s (%llu operations, %llu key%s: %llu by "
		"inference, %llu searched; %llu open, %llu failed; %.3f s)\n",
		what[v], (unsigned long long)st.operations,
		(unsigned long long)st.keys, st.keys == 1 ? "" : "s",
		(unsigned long long)st.keys_by_inference,
		(unsigned long long)st.keys_searched,
		(unsigned long long)st.open, (unsigned long long)st.failed,
		secs);
}

static int check_file(const char *path, int64_t timeout_us, FILE *out,
		      FILE *err)
{
	struct reader r = {.path = path, .cap = CHUNK};
	struct lincheck *lc = lincheck_new();
	int64_t t0 = lc_now_us();
	int rv = LINCHECK_NOMEM;

	r.in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	r.buf = malloc(r.cap);
	if (r.in == NULL) {
		fprintf(err, "raftsim lincheck: %s: %s\n", path,
			strerror(errno));
		rv = LINCHECK_BAD_INPUT;
		goto out;
	}
	if (lc == NULL || r.buf == NULL) {
		fprintf(err, "raftsim lincheck: out of memory\n");
		goto out;
	}
	rv = feed_lines(&r, lc, err);
	if (rv == 0) {
		rv = (int)lincheck_run(lc, timeout_us, out);
		if (rv == LINCHECK_NOMEM)
			fprintf(err, "raftsim lincheck: the search needs more "
				     "than its memory bound\n");
		print_verdict((enum lincheck_verdict)rv, lc,
			      (double)(lc_now_us() - t0) / 1e6, out);
	}
out:
	if (r.in != NULL && r.in != stdin)
		fclose(r.in);
	free(r.buf);
	hist_scratch_free(&r.scratch);
	lincheck_free(lc);
	return rv;
}

int lincheck_main(int argc, char **argv, FILE *out, FILE *err)
{
	const char *path = NULL;
	int64_t timeout_us = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, out);
			return 0;
		}
		if (strcmp(a, "--timeout") == 0 ||
		    strncmp(a, "--timeout=", 10) == 0) {
			const char *v = a[9] == '=' ? a + 10 : NULL;

			if (v == NULL && ++i < argc)
				v = argv[i];
			if (v == NULL)
				return usage_error(err,
						   "--timeout: needs a "
						   "value",
						   NULL);
			if (parse_seconds(v, &timeout_us) != 0)
				return usage_error(err,
						   "--timeout: not a "
						   "number of seconds "
						   "above 0",
						   v);
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error(err, "unknown flag", a);
		} else if (path == NULL) {
			path = a;
		} else {
			return usage_error(err, "unexpected argument", a);
		}
	}
	if (path == NULL)
		return usage_error(err, "no FILE given", NULL);
	return check_file(path, timeout_us, out, err);
}

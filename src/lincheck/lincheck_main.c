/* lincheck_main.c - `raftsim lincheck FILE... [--timeout S]`: reads a
 * history (a trace, or a file of client events only; "-" is stdin) line
 * by line and prints the verdict. Several files are one history: each
 * client's events must all be in one file, in order (as every raftsim
 * client process writes them), while the files' lines may interleave in
 * any way, since operations are ordered by their times, not their lines:
 * the files must share one clock (`raftsim client` and `bench` write
 * CLOCK_MONOTONIC, one host's). Exit codes: lincheck.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

#define CHUNK (1u << 20)

static const char usage[] =
	"Usage: raftsim lincheck FILE... [--timeout S]\n"
	"  Is the client history in FILE (a trace, or only client events;\n"
	"  - for stdin) linearizable against a key-value store? Several\n"
	"  files are checked as one history (each client in one file, all\n"
	"  on one clock: those of raftsim client and bench on one host).\n"
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

/* Feeds one file into lc. Returns 0, or the exit code. */
static int feed_file(const char *path, struct lincheck *lc, FILE *err)
{
	struct reader r = {.path = path, .cap = CHUNK};
	int rv = LINCHECK_NOMEM;

	r.in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	r.buf = malloc(r.cap);
	if (r.in == NULL) {
		fprintf(err, "raftsim lincheck: %s: %s\n", path,
			strerror(errno));
		rv = LINCHECK_BAD_INPUT;
		goto out;
	}
	if (r.buf == NULL) {
		fprintf(err, "raftsim lincheck: out of memory\n");
		goto out;
	}
	rv = feed_lines(&r, lc, err);
out:
	if (r.in != NULL && r.in != stdin)
		fclose(r.in);
	free(r.buf);
	hist_scratch_free(&r.scratch);
	return rv;
}

static int check_files(const char *const *paths, int count, int64_t timeout_us,
		       FILE *out, FILE *err)
{
	struct lincheck *lc = lincheck_new();
	int64_t t0 = lc_now_us();
	int rv = 0;
	int i;

	if (lc == NULL) {
		fprintf(err, "raftsim lincheck: out of memory\n");
		return LINCHECK_NOMEM;
	}
	for (i = 0; i < count && rv == 0; i++)
		rv = feed_file(paths[i], lc, err);
	if (rv == 0) {
		rv = (int)lincheck_run(lc, timeout_us, out);
		if (rv == LINCHECK_NOMEM)
			fprintf(err, "raftsim lincheck: the search needs more "
				     "than its memory bound\n");
		print_verdict((enum lincheck_verdict)rv, lc,
			      (double)(lc_now_us() - t0) / 1e6, out);
	}
	lincheck_free(lc);
	return rv;
}

int lincheck_main(int argc, char **argv, FILE *out, FILE *err)
{
	const char **paths = calloc((size_t)argc, sizeof(*paths));
	int64_t timeout_us = 0;
	int count = 0, rv = 0;
	int i;

	if (paths == NULL) {
		fprintf(err, "raftsim lincheck: out of memory\n");
		return LINCHECK_NOMEM;
	}
	for (i = 1; i < argc && rv == 0; i++) {
		const char *a = argv[i];
		const char *v = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, out);
			goto out;
		}
		if (strcmp(a, "--timeout") != 0 &&
		    strncmp(a, "--timeout=", 10) != 0) {
			if (a[0] == '-' && a[1] != '\0')
				rv = usage_error(err, "unknown flag", a);
			else
				paths[count++] = a;
			continue;
		}
		if (a[9] == '=')
			v = a + 10;
		else if (++i < argc)
			v = argv[i];
		if (v == NULL)
			rv = usage_error(err, "--timeout: needs a value", NULL);
		else if (parse_seconds(v, &timeout_us) != 0)
			rv = usage_error(err,
					 "--timeout: not a number of seconds "
					 "above 0",
					 v);
	}
	if (rv == 0 && count == 0)
		rv = usage_error(err, "no FILE given", NULL);
	if (rv == 0)
		rv = check_files(paths, count, timeout_us, out, err);
out:
	free(paths);
	return rv;
}

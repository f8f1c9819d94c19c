/* trace_json.c - see trace_json.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_json.h"

static bool trace_json_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

int trace_json_fail(struct trace_json_parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->errlen == 0)
		return -1;
	n = snprintf(ps->err, ps->errlen,
		     "column %d: ", (int)(ps->p - ps->line) + 1);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		/* A reason cut short still names the column. */
		if (vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap) < 0)
			ps->err[n] = '\0';
		va_end(ap);
	}
	return -1;
}

void trace_json_skip_ws(struct trace_json_parser *ps)
{
	ps->p += strspn(ps->p, " \t\r\n");
}

int trace_json_expect(struct trace_json_parser *ps, char ch)
{
	trace_json_skip_ws(ps);
	if (*ps->p != ch)
		return trace_json_fail(ps, "expected '%c'", ch);
	ps->p++;
	trace_json_skip_ws(ps);
	return 0;
}

/* Reads a string into out (NUL-terminated; NULL skips it). Every name the
 * trace uses is ASCII, so a \u escape beyond it is kept as '?'. Returns 0,
 * 1 if it did not fit (out then holds ""), or -1. */
int trace_json_lex_string(struct trace_json_parser *ps, char *out, size_t size)
{
	static const char plain[] = "\"\\/\b\f\n\r\t", esc[] = "\"\\/bfnrt";
	size_t len = 0;
	int too_long = 0;
	char ch, hex[5] = "";

	if (*ps->p != '"')
		return trace_json_fail(ps, "expected a string");
	for (ps->p++; *ps->p != '"'; len++) {
		if ((unsigned char)*ps->p < 0x20)
			return trace_json_fail(
				ps, *ps->p ? "control character in a string"
					   : "unterminated string");
		ch = *ps->p++;
		if (ch == '\\' && *ps->p == 'u') {
			if (strspn(ps->p + 1, "0123456789abcdefABCDEF") < 4)
				return trace_json_fail(ps, "bad \\u escape");
			memcpy(hex, ps->p + 1, 4);
			ch = strtoul(hex, NULL, 16) < 0x80
				     ? (char)strtoul(hex, NULL, 16)
				     : '?';
			ps->p += 5;
		} else if (ch == '\\') {
			if (*ps->p == '\0' || !strchr(esc, *ps->p))
				return trace_json_fail(
					ps, "bad escape in a string");
			ch = plain[strchr(esc, *ps->p++) - esc];
		}
		if (out != NULL && len + 1 < size)
			out[len] = ch;
		else
			too_long = 1;
	}
	ps->p++;
	if (out != NULL)
		out[too_long ? 0 : len] = '\0';
	return out != NULL && too_long;
}

static void trace_json_digits(struct trace_json_parser *ps)
{
	while (trace_json_is_digit(*ps->p))
		ps->p++;
}

/* Checks JSON number syntax; returns its text span. */
int trace_json_lex_number(struct trace_json_parser *ps, const char **start,
			  size_t *len)
{
	*start = ps->p;
	if (*ps->p == '-')
		ps->p++;
	if (!trace_json_is_digit(*ps->p))
		return trace_json_fail(ps, "expected a number");
	if (*ps->p++ != '0')
		trace_json_digits(ps);
	if (*ps->p == '.') {
		ps->p++;
		if (!trace_json_is_digit(*ps->p))
			return trace_json_fail(ps, "expected digits after '.'");
		trace_json_digits(ps);
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		ps->p += ps->p[1] == '+' || ps->p[1] == '-' ? 2 : 1;
		if (!trace_json_is_digit(*ps->p))
			return trace_json_fail(ps, "expected an exponent");
		trace_json_digits(ps);
	}
	*len = (size_t)(ps->p - *start);
	return 0;
}

int trace_json_literal(struct trace_json_parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(ps->p, word, n) != 0)
		return -1;
	ps->p += n;
	return 0;
}

int trace_json_skip_value(struct trace_json_parser *ps, int depth)
{
	const char *s;
	size_t n;
	char close;

	if (depth > TRACE_JSON_MAX_DEPTH)
		return trace_json_fail(ps, "nested more than %d deep",
				       TRACE_JSON_MAX_DEPTH);
	if (*ps->p == '"')
		return trace_json_lex_string(ps, NULL, 0);
	if (*ps->p != '[' && *ps->p != '{') {
		if (trace_json_literal(ps, "true") == 0 ||
		    trace_json_literal(ps, "false") == 0 ||
		    trace_json_literal(ps, "null") == 0)
			return 0;
		return trace_json_lex_number(ps, &s, &n);
	}
	close = *ps->p == '[' ? ']' : '}';
	if (trace_json_expect(ps, *ps->p) != 0)
		return -1;
	while (*ps->p != close) {
		if (close == '}' && (trace_json_lex_string(ps, NULL, 0) ||
				     trace_json_expect(ps, ':')))
			return -1;
		if (trace_json_skip_value(ps, depth + 1) != 0)
			return -1;
		trace_json_skip_ws(ps);
		if (*ps->p == close)
			break;
		if (trace_json_expect(ps, ',') != 0)
			return -1;
		if (*ps->p == close)
			return trace_json_fail(ps,
					       "expected a value after ','");
	}
	ps->p++;
	return 0;
}

/* Appends one decimal digit to *v, refusing anything past max. */
static int trace_json_add_digit(struct trace_json_parser *ps, uint64_t *v,
				char ch, uint64_t max)
{
	uint64_t d = (uint64_t)(ch - '0');

	if (!trace_json_is_digit(ch))
		return trace_json_fail(ps, "expected a non-negative number");
	if (d > max || *v > (max - d) / 10)
		return trace_json_fail(ps, "number out of range");
	*v = *v * 10 + d;
	return 0;
}

/* A non-negative number with at most `decimals` decimals, as an integer
 * times 10^decimals ("ms":1.5 is 1500), no larger than max. */
int trace_json_parse_fixed(struct trace_json_parser *ps, uint64_t max,
			   int decimals, uint64_t *v)
{
	const char *s, *at = ps->p;
	size_t n, i;
	int k;

	if (trace_json_lex_number(ps, &s, &n) != 0)
		return -1;
	ps->p = at; /* a reason names the number's first column */
	for (*v = 0, i = 0; i < n && s[i] != '.'; i++)
		if (trace_json_add_digit(ps, v, s[i], max) != 0)
			return -1;
	i += i < n; /* the '.' */
	for (k = 0; k < decimals; k++)
		if (trace_json_add_digit(ps, v, i < n ? s[i++] : '0', max) != 0)
			return -1;
	if (i != n && decimals == 0)
		return trace_json_fail(ps, "expected an integer");
	if (i != n)
		return trace_json_fail(ps, "more than %d decimals", decimals);
	ps->p = s + n;
	return 0;
}

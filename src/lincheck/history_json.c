/* history_json.c - the JSON reader under hist_parse (history_json.h).
 *
 * Hand-written because a trace line is flat: the fields of a client event
 * are strings, numbers, null and booleans, and the other events' fields
 * are skipped whatever they hold (nested values included, to a bounded
 * depth so that no input can exhaust the stack). Compact JSON, the usual
 * line, takes the short paths.
 */
#include "history_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int json_fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (!ps->failed && ps->errcap > 0) {
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->errcap, fmt, ap);
		va_end(ap);
	}
	ps->failed = 1;
	return -1;
}

void json_skip_ws(struct parser *ps)
{
	const char *p = ps->p;

	if (p < ps->end && (unsigned char)*p > ' ')
		return; /* the usual case: compact JSON */
	while (p < ps->end &&
	       (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	ps->p = p;
}

int json_expect_char(struct parser *ps, char c)
{
	if (ps->p < ps->end && *ps->p == c) {
		ps->p++;
		return 0;
	}
	json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != c)
		return json_fail(ps, "expected '%c' at column %ld", c,
				 (long)(ps->p - ps->start) + 1);
	ps->p++;
	return 0;
}

static int hex4(struct parser *ps, unsigned *cp)
{
	int i;

	*cp = 0;
	if (ps->end - ps->p < 4)
		return json_fail(ps, "a \\u escape needs four hex digits");
	for (i = 0; i < 4; i++) {
		char c = *ps->p++;

		*cp <<= 4;
		if (c >= '0' && c <= '9')
			*cp |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*cp |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*cp |= (unsigned)(c - 'A' + 10);
		else
			return json_fail(ps,
					 "a \\u escape needs four hex digits");
	}
	return 0;
}

static void put_utf8(char **w, unsigned cp)
{
	char *q = *w;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | (cp >> 6));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | (cp >> 12));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | (cp >> 18));
		*q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*w = q;
}

/* \uXXXX, with a surrogate pair joined; a lone surrogate is refused. The
 * UTF-8 is never longer than the escape it comes from. */
static int unicode_escape(struct parser *ps, char **w)
{
	unsigned cp, lo;

	if (hex4(ps, &cp) != 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return json_fail(ps, "a lone low surrogate \\u%04x", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return json_fail(ps, "a lone high surrogate \\u%04x",
					 cp);
		ps->p += 2;
		if (hex4(ps, &lo) != 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(ps, "a lone high surrogate \\u%04x",
					 cp);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(w, cp);
	return 0;
}

static int escape(struct parser *ps, char **w)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	char c;

	if (ps->p >= ps->end)
		return json_fail(ps, "a string ends in a backslash");
	c = *ps->p++;
	if (c == 'u')
		return unicode_escape(ps, w);
	hit = c != '\0' ? strchr(from, c) : NULL;
	if (hit == NULL)
		return json_fail(ps, "an unknown escape \\%c", c);
	*(*w)++ = to[hit - from];
	return 0;
}

/* 1 for the bytes that end a run of plain string bytes. */
#define ONES8 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char special[256] = {
	ONES8,     ONES8,      ONES8, ONES8, /* the control bytes 0x00-0x1f */
	['"'] = 1, ['\\'] = 1,
};

/* The opening quote is at ps->p. The decoded bytes go to the scratch. */
static int string(struct parser *ps, struct hist_str *s)
{
	const char *p = ps->p + 1, *end = ps->end;
	char *w = ps->out;

	s->s = w;
	s->null = false;
	for (;;) {
		unsigned char c;

		while (p < end && !special[(unsigned char)*p])
			*w++ = *p++;
		if (p >= end)
			return json_fail(ps, "a string has no closing quote");
		c = (unsigned char)*p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return json_fail(ps, "a control character in a string");
		ps->p = p;
		if (escape(ps, &w) != 0)
			return -1;
		p = ps->p;
	}
	ps->p = p;
	s->len = (size_t)(w - s->s);
	ps->out = w;
	return 0;
}

/* An object's key: read in place when it has no escape (the usual case),
 * else decoded like any string. */
int json_name(struct parser *ps, struct hist_str *s)
{
	const char *p = ps->p + 1, *end = ps->end;

	while (p < end && !special[(unsigned char)*p])
		p++;
	if (p < end && *p == '"') {
		s->s = ps->p + 1;
		s->len = (size_t)(p - s->s);
		s->null = false;
		ps->p = p + 1;
		return 0;
	}
	return string(ps, s);
}

static size_t digits_at(struct parser *ps)
{
	const char *q = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return (size_t)(ps->p - q);
}

static int number(struct parser *ps, struct number *n)
{
	memset(n, 0, sizeof(*n));
	if (ps->p < ps->end && *ps->p == '-') {
		n->neg = 1;
		ps->p++;
	}
	n->digits[0] = ps->p;
	n->ndigits[0] = digits_at(ps);
	if (n->ndigits[0] == 0 || (n->ndigits[0] > 1 && n->digits[0][0] == '0'))
		return json_fail(ps, "a malformed number");
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		n->digits[1] = ps->p;
		n->ndigits[1] = digits_at(ps);
		if (n->ndigits[1] == 0)
			return json_fail(ps, "a malformed number");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		int eneg = 0;
		const char *q;

		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			eneg = *ps->p++ == '-';
		q = ps->p;
		if (digits_at(ps) == 0)
			return json_fail(ps, "a malformed number");
		for (; q < ps->p; q++)
			if (n->exp < 100000)
				n->exp = n->exp * 10 + (*q - '0');
		if (eneg)
			n->exp = -n->exp;
	}
	return 0;
}

/* json_number_scaled() without an exponent, for up to 18 digits kept: no
 * overflow is possible before the last comparison. */
static int number_plain(const struct number *n, int scale, uint64_t limit,
			int64_t *v, int *exact)
{
	const char *d = n->digits[0], *f = n->digits[1];
	size_t i, nf = n->ndigits[1];
	uint64_t acc = 0;

	for (i = 0; i < n->ndigits[0]; i++)
		acc = acc * 10 + (uint64_t)(d[i] - '0');
	for (i = 0; i < (size_t)scale; i++)
		acc = acc * 10 + (uint64_t)(i < nf ? f[i] - '0' : 0);
	if (nf > (size_t)scale) {
		acc += f[scale] >= '5';
		for (i = (size_t)scale; i < nf; i++)
			if (f[i] != '0')
				*exact = 0;
	}
	if (acc > limit)
		return -1;
	*v = n->neg ? -(int64_t)acc : (int64_t)acc;
	return 0;
}

/* n * 10^scale as an integer, rounded half away from zero. Returns -1
 * when it does not fit in [-limit, limit]; *exact says no digit was
 * rounded off. */
int json_number_scaled(const struct number *n, int scale, uint64_t limit,
		       int64_t *v, int *exact)
{
	/* digit k (0-based over integer then fraction digits) has weight
	 * 10^(ndigits[0] - 1 - k + exp + scale) */
	long shift = (long)n->ndigits[0] + n->exp + scale; /* digits kept */
	size_t total = n->ndigits[0] + n->ndigits[1];
	uint64_t acc = 0, lim10 = limit / 10, limd = limit % 10;
	long k;

	*exact = 1;
	if (n->exp == 0 && scale >= 0 && n->ndigits[0] + (size_t)scale <= 18)
		return number_plain(n, scale, limit, v, exact);
	for (k = 0; k < shift || (size_t)k < total; k++) {
		int d = (size_t)k < n->ndigits[0] ? n->digits[0][k] - '0'
			: (size_t)k < total
				? n->digits[1][k - (long)n->ndigits[0]] - '0'
				: 0;

		if (k >= shift) { /* below the unit: round, then stop */
			if (k == shift && d >= 5)
				acc++;
			if (d != 0)
				*exact = 0;
			continue;
		}
		if (acc > lim10 || (acc == lim10 && (uint64_t)d > limd))
			return -1;
		acc = acc * 10 + (uint64_t)d;
	}
	if (acc > limit)
		return -1;
	*v = n->neg ? -(int64_t)acc : (int64_t)acc;
	return 0;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return json_fail(ps, "an unknown value");
	ps->p += n;
	return 0;
}

/* An object or an array, skipped (its strings still decoded into the
 * scratch, which has room for the whole line). */
static int compound(struct parser *ps, int depth)
{
	char close = *ps->p == '{' ? '}' : ']';
	struct jvalue v;

	if (depth >= MAX_DEPTH)
		return json_fail(ps, "values nested deeper than %d", MAX_DEPTH);
	ps->p++;
	json_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			json_skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"')
				return json_fail(
					ps, "an object key is not a string");
			if (string(ps, &v.str) != 0 ||
			    json_expect_char(ps, ':') != 0)
				return -1;
		}
		if (json_value(ps, &v, depth + 1) != 0)
			return -1;
		json_skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		return json_expect_char(ps, close);
	}
}

int json_value(struct parser *ps, struct jvalue *v, int depth)
{
	json_skip_ws(ps);
	if (ps->p >= ps->end)
		return json_fail(ps, "a value is missing");
	switch (*ps->p) {
	case '"':
		v->type = J_STR;
		return string(ps, &v->str);
	case 'n':
		v->type = J_NULL;
		v->str = (struct hist_str){NULL, 0, true};
		return literal(ps, "null");
	case 't':
		v->type = J_BOOL;
		v->boolean = 1;
		return literal(ps, "true");
	case 'f':
		v->type = J_BOOL;
		v->boolean = 0;
		return literal(ps, "false");
	case '{':
	case '[':
		v->type = J_OTHER;
		return compound(ps, depth);
	default:
		v->type = J_NUM;
		return number(ps, &v->num);
	}
}

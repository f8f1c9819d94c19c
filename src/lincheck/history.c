/* history.c - the client-history line format (history.h): names, the
 * writer, and a small parser of one JSON object per line.
 *
 * The parser is hand-written because a trace line is flat: the fields of
 * a client event are strings, numbers, null and booleans, and the other
 * events' fields are skipped whatever they hold (nested values included,
 * to a bounded depth so that no input can exhaust the stack).
 */
#include "history.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hist_op_name(enum hist_op op)
{
	switch (op) {
	case HIST_GET:
		return "get";
	case HIST_PUT:
		return "put";
	case HIST_APPEND:
		return "append";
	case HIST_CAS:
		return "cas";
	case HIST_DELETE:
		return "delete";
	}
	return "?";
}

const char *hist_type_name(enum hist_type type)
{
	switch (type) {
	case HIST_INVOKE:
		return "invoke";
	case HIST_OK:
		return "ok";
	case HIST_FAIL:
		return "fail";
	case HIST_INFO:
		return "info";
	}
	return "?";
}

/* ---- writer ---- */

/* Appends like snprintf: counts what it needed, writes what fits. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put_bytes(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len - 1; /* keep the NUL's byte */

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void put_fmt(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put_fmt(struct out *o, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put_bytes(o, tmp,
			  (size_t)n < sizeof(tmp) ? (size_t)n
						  : sizeof(tmp) - 1);
}

static void put_str(struct out *o, const struct hist_str *s)
{
	size_t i;

	if (s->null) {
		put_bytes(o, "null", 4);
		return;
	}
	put_bytes(o, "\"", 1);
	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->s[i];

		if (c == '"' || c == '\\')
			put_fmt(o, "\\%c", c);
		else if (c == '\n')
			put_bytes(o, "\\n", 2);
		else if (c == '\t')
			put_bytes(o, "\\t", 2);
		else if (c == '\r')
			put_bytes(o, "\\r", 2);
		else if (c < 0x20)
			put_fmt(o, "\\u%04x", c);
		else
			put_bytes(o, (const char *)&c, 1);
	}
	put_bytes(o, "\"", 1);
}

size_t hist_format(const struct hist_event *ev, char *buf, size_t cap)
{
	struct out o = {buf, cap, 0};
	long long us = (long long)ev->us;
	unsigned long long mag = us < 0 ? 0ULL - (unsigned long long)us
					: (unsigned long long)us;

	put_fmt(&o, "{\"ev\":\"%s\",\"ms\":%s%llu.%03llu",
		hist_type_name(ev->type), us < 0 ? "-" : "", mag / 1000,
		mag % 1000);
	put_fmt(&o, ",\"client\":%d,\"id\":%llu", ev->client,
		(unsigned long long)ev->id);
	if (ev->type == HIST_INVOKE) {
		put_fmt(&o, ",\"op\":\"%s\",\"key\":", hist_op_name(ev->op));
		put_str(&o, &ev->key);
		if (ev->op == HIST_CAS) {
			put_bytes(&o, ",\"expect\":", 10);
			put_str(&o, &ev->expect);
		}
		if (ev->op == HIST_PUT || ev->op == HIST_APPEND ||
		    ev->op == HIST_CAS) {
			put_bytes(&o, ",\"value\":", 9);
			put_str(&o, &ev->value);
		}
	} else if (ev->type == HIST_OK) {
		if (ev->has_value) {
			put_bytes(&o, ",\"value\":", 9);
			put_str(&o, &ev->value);
		}
		if (ev->has_swapped)
			put_fmt(&o, ",\"swapped\":%s",
				ev->swapped ? "true" : "false");
	}
	put_bytes(&o, "}", 1);
	if (cap > 0)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}

/* ---- parser ---- */

#define MAX_DEPTH 32 /* nesting of the skipped values of other events */

struct parser {
	const char *start;
	const char *p;
	const char *end;
	char *out; /* the scratch: decoded strings go here */
	char *err;
	size_t errcap;
	int failed;
};

/* A JSON number, kept as its decimal digits and exponent so that "ms"
 * converts to microseconds without floating-point rounding. */
struct number {
	int neg;
	const char *digits[2]; /* integer part, fraction */
	size_t ndigits[2];
	long exp;
};

enum jtype { J_NONE, J_STR, J_NUM, J_NULL, J_BOOL, J_OTHER };

struct jvalue {
	enum jtype type;
	struct hist_str str;
	struct number num;
	int boolean;
};

static int fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
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

static void skip_ws(struct parser *ps)
{
	const char *p = ps->p;

	if (p < ps->end && (unsigned char)*p > ' ')
		return; /* the usual case: compact JSON */
	while (p < ps->end &&
	       (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	ps->p = p;
}

static int expect_char(struct parser *ps, char c)
{
	if (ps->p < ps->end && *ps->p == c) {
		ps->p++;
		return 0;
	}
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != c)
		return fail(ps, "expected '%c' at column %ld", c,
			    (long)(ps->p - ps->start) + 1);
	ps->p++;
	return 0;
}

static int hex4(struct parser *ps, unsigned *cp)
{
	int i;

	*cp = 0;
	if (ps->end - ps->p < 4)
		return fail(ps, "a \\u escape needs four hex digits");
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
			return fail(ps, "a \\u escape needs four hex digits");
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
		return fail(ps, "a lone low surrogate \\u%04x", cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return fail(ps, "a lone high surrogate \\u%04x", cp);
		ps->p += 2;
		if (hex4(ps, &lo) != 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, "a lone high surrogate \\u%04x", cp);
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
		return fail(ps, "a string ends in a backslash");
	c = *ps->p++;
	if (c == 'u')
		return unicode_escape(ps, w);
	hit = c != '\0' ? strchr(from, c) : NULL;
	if (hit == NULL)
		return fail(ps, "an unknown escape \\%c", c);
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
			return fail(ps, "a string has no closing quote");
		c = (unsigned char)*p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(ps, "a control character in a string");
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
static int name(struct parser *ps, struct hist_str *s)
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
		return fail(ps, "a malformed number");
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		n->digits[1] = ps->p;
		n->ndigits[1] = digits_at(ps);
		if (n->ndigits[1] == 0)
			return fail(ps, "a malformed number");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		int eneg = 0;
		const char *q;

		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			eneg = *ps->p++ == '-';
		q = ps->p;
		if (digits_at(ps) == 0)
			return fail(ps, "a malformed number");
		for (; q < ps->p; q++)
			if (n->exp < 100000)
				n->exp = n->exp * 10 + (*q - '0');
		if (eneg)
			n->exp = -n->exp;
	}
	return 0;
}

/* number_scaled() without an exponent, for up to 18 digits kept: no
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
static int number_scaled(const struct number *n, int scale, uint64_t limit,
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
		return fail(ps, "an unknown value");
	ps->p += n;
	return 0;
}

static int value(struct parser *ps, struct jvalue *v, int depth);

/* An object or an array, skipped (its strings still decoded into the
 * scratch, which has room for the whole line). */
static int compound(struct parser *ps, int depth)
{
	char close = *ps->p == '{' ? '}' : ']';
	struct jvalue v;

	if (depth >= MAX_DEPTH)
		return fail(ps, "values nested deeper than %d", MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps,
					    "an object key is not a string");
			if (string(ps, &v.str) != 0 ||
			    expect_char(ps, ':') != 0)
				return -1;
		}
		if (value(ps, &v, depth + 1) != 0)
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		return expect_char(ps, close);
	}
}

static int value(struct parser *ps, struct jvalue *v, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "a value is missing");
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

/* ---- the fields of a client event ---- */

enum field {
	F_EV,
	F_MS,
	F_CLIENT,
	F_ID,
	F_OP,
	F_KEY,
	F_VALUE,
	F_EXPECT,
	F_SWAPPED,
	F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"ev", "ms", "client", "id", "op", "key", "value", "expect", "swapped",
};

/* The field a name is, or -1: by length, then by its letters (this runs
 * for every field of every line). */
static int field_of(const struct hist_str *name)
{
	const char *n = name->s;

	switch (name->len) {
	case 2:
		if (n[0] == 'e' && n[1] == 'v')
			return F_EV;
		if (n[0] == 'm' && n[1] == 's')
			return F_MS;
		if (n[0] == 'i' && n[1] == 'd')
			return F_ID;
		if (n[0] == 'o' && n[1] == 'p')
			return F_OP;
		return -1;
	case 3:
		return memcmp(n, "key", 3) == 0 ? F_KEY : -1;
	case 5:
		return memcmp(n, "value", 5) == 0 ? F_VALUE : -1;
	case 6:
		if (memcmp(n, "client", 6) == 0)
			return F_CLIENT;
		return memcmp(n, "expect", 6) == 0 ? F_EXPECT : -1;
	case 7:
		return memcmp(n, "swapped", 7) == 0 ? F_SWAPPED : -1;
	}
	return -1;
}

/* The index of s in words (n of them), or -1. */
static int word_of(const struct hist_str *s, const char *const *words, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s->len > 0 && words[i][0] == s->s[0] &&
		    strlen(words[i]) == s->len &&
		    memcmp(words[i], s->s, s->len) == 0)
			return i;
	return -1;
}

/* The top-level object, each known field's last value kept. */
static int object(struct parser *ps, struct jvalue *fields)
{
	struct hist_str key;
	struct jvalue v;
	int f;

	if (expect_char(ps, '{') != 0)
		return -1;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return fail(ps, "an object key is not a string");
		if (name(ps, &key) != 0 || expect_char(ps, ':') != 0)
			return -1;
		f = field_of(&key);
		if (value(ps, f >= 0 ? &fields[f] : &v, 1) != 0)
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		return expect_char(ps, '}');
	}
}

static int want(struct parser *ps, const struct jvalue *fields, enum field f,
		enum jtype type, int or_null)
{
	const struct jvalue *v = &fields[f];

	if (v->type == type || (or_null && v->type == J_NULL))
		return 0;
	if (v->type == J_NONE)
		return fail(ps, "\"%s\" is missing", field_names[f]);
	return fail(ps, "\"%s\" is not a %s%s", field_names[f],
		    type == J_STR   ? "string"
		    : type == J_NUM ? "number"
				    : "boolean",
		    or_null ? " or null" : "");
}

static int whole(struct parser *ps, const struct jvalue *fields, enum field f,
		 uint64_t limit, int64_t *out)
{
	int exact;

	if (want(ps, fields, f, J_NUM, 0) != 0)
		return -1;
	if (fields[f].num.neg ||
	    number_scaled(&fields[f].num, 0, limit, out, &exact) != 0 || !exact)
		return fail(ps, "\"%s\" is not a whole number from 0 to %llu",
			    field_names[f], (unsigned long long)limit);
	return 0;
}

static int invoke_fields(struct parser *ps, const struct jvalue *fields,
			 struct hist_event *ev)
{
	static const char *const ops[] = {"get", "put", "append", "cas",
					  "delete"};
	int i;

	if (want(ps, fields, F_OP, J_STR, 0) != 0)
		return -1;
	i = word_of(&fields[F_OP].str, ops, 5);
	if (i < 0)
		return fail(ps,
			    "\"op\" is not get, put, append, cas or delete");
	ev->op = (enum hist_op)i;
	if (want(ps, fields, F_KEY, J_STR, 0) != 0)
		return -1;
	ev->key = fields[F_KEY].str;
	if (ev->op == HIST_CAS) {
		if (want(ps, fields, F_EXPECT, J_STR, 1) != 0)
			return -1;
		ev->expect = fields[F_EXPECT].str;
	}
	if (ev->op == HIST_PUT || ev->op == HIST_APPEND || ev->op == HIST_CAS) {
		if (want(ps, fields, F_VALUE, J_STR, 0) != 0)
			return -1;
		ev->value = fields[F_VALUE].str;
	}
	return 0;
}

static int ok_fields(struct parser *ps, const struct jvalue *fields,
		     struct hist_event *ev)
{
	if (fields[F_VALUE].type != J_NONE) {
		if (want(ps, fields, F_VALUE, J_STR, 1) != 0)
			return -1;
		ev->value = fields[F_VALUE].str;
		ev->has_value = true;
	}
	if (fields[F_SWAPPED].type != J_NONE) {
		if (want(ps, fields, F_SWAPPED, J_BOOL, 0) != 0)
			return -1;
		ev->swapped = fields[F_SWAPPED].boolean != 0;
		ev->has_swapped = true;
	}
	return 0;
}

static int event_fields(struct parser *ps, const struct jvalue *fields,
			struct hist_event *ev)
{
	static const char *const types[] = {"invoke", "ok", "fail", "info"};
	int64_t v;
	int exact, i;

	if (want(ps, fields, F_EV, J_STR, 0) != 0)
		return -1;
	i = word_of(&fields[F_EV].str, types, 4);
	if (i < 0)
		return 0; /* another event of the trace */
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum hist_type)i;
	if (want(ps, fields, F_MS, J_NUM, 0) != 0)
		return -1;
	if (number_scaled(&fields[F_MS].num, 3, INT64_MAX / 4, &ev->us,
			  &exact) != 0)
		return fail(ps, "\"ms\" is out of range");
	if (whole(ps, fields, F_CLIENT, INT32_MAX, &v) != 0)
		return -1;
	ev->client = (int)v;
	if (whole(ps, fields, F_ID, INT64_MAX, &v) != 0)
		return -1;
	ev->id = (uint64_t)v;
	if (ev->type == HIST_INVOKE && invoke_fields(ps, fields, ev) != 0)
		return -1;
	if (ev->type == HIST_OK && ok_fields(ps, fields, ev) != 0)
		return -1;
	return 1;
}

int hist_parse(const char *line, size_t len, struct hist_event *ev,
	       struct hist_scratch *scratch, char *err, size_t errcap)
{
	struct jvalue fields[F_COUNT];
	int f;
	struct parser ps = {line, line, line + len, NULL, err, errcap, 0};

	if (errcap > 0)
		err[0] = '\0';
	/* Decoded strings are never longer than the line they come from. */
	if (scratch->cap < len + 1) {
		char *b = realloc(scratch->buf, len + 1);

		if (b == NULL)
			return fail(&ps, "out of memory");
		scratch->buf = b;
		scratch->cap = len + 1;
	}
	ps.out = scratch->buf;
	for (f = 0; f < F_COUNT; f++)
		fields[f].type = J_NONE;
	if (object(&ps, fields) != 0)
		return -1;
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, "text after the object at column %ld",
			    (long)(ps.p - line) + 1);
	return event_fields(&ps, fields, ev);
}

void hist_scratch_free(struct hist_scratch *scratch)
{
	free(scratch->buf);
	scratch->buf = NULL;
	scratch->cap = 0;
}

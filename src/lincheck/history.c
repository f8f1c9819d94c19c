/* history.c - the client-history line format (history.h): names, the
 * writer, and the reading of one line's client event from the fields
 * history_json.c reads (any order; unknown fields ignored).
 */
#include "history.h"
#include "history_json.h"

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

	if (json_expect_char(ps, '{') != 0)
		return -1;
	json_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		json_skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return json_fail(ps, "an object key is not a string");
		if (json_name(ps, &key) != 0 || json_expect_char(ps, ':') != 0)
			return -1;
		f = field_of(&key);
		if (json_value(ps, f >= 0 ? &fields[f] : &v, 1) != 0)
			return -1;
		json_skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		return json_expect_char(ps, '}');
	}
}

static int want(struct parser *ps, const struct jvalue *fields, enum field f,
		enum jtype type, int or_null)
{
	const struct jvalue *v = &fields[f];

	if (v->type == type || (or_null && v->type == J_NULL))
		return 0;
	if (v->type == J_NONE)
		return json_fail(ps, "\"%s\" is missing", field_names[f]);
	return json_fail(ps, "\"%s\" is not a %s%s", field_names[f],
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
	    json_number_scaled(&fields[f].num, 0, limit, out, &exact) != 0 ||
	    !exact)
		return json_fail(ps,
				 "\"%s\" is not a whole number from 0 to %llu",
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
		return json_fail(
			ps, "\"op\" is not get, put, append, cas or delete");
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
	if (json_number_scaled(&fields[F_MS].num, 3, INT64_MAX / 4, &ev->us,
			       &exact) != 0)
		return json_fail(ps, "\"ms\" is out of range");
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
			return json_fail(&ps, "out of memory");
		scratch->buf = b;
		scratch->cap = len + 1;
	}
	ps.out = scratch->buf;
	for (f = 0; f < F_COUNT; f++)
		fields[f].type = J_NONE;
	if (object(&ps, fields) != 0)
		return -1;
	json_skip_ws(&ps);
	if (ps.p != ps.end)
		return json_fail(&ps, "text after the object at column %ld",
				 (long)(ps.p - line) + 1);
	return event_fields(&ps, fields, ev);
}

void hist_scratch_free(struct hist_scratch *scratch)
{
	free(scratch->buf);
	scratch->buf = NULL;
	scratch->cap = 0;
}

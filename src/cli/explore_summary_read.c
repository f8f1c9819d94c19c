/* explore_summary_read.c - one line of an explore summary, read with the
 * trace reader's JSON lexer (check/trace_json.h): a flat object whose
 * values are whole numbers, strings, booleans, null or, skipped, objects
 * (the totals' "by_rule"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/trace_json.h"
#include "explore_internal.h"

enum value_kind { V_U64, V_DOUBLE, V_BOOL, V_SHORT, V_LONG };

static const struct {
	const char *name;
	enum summary_key key;
	enum value_kind kind;
} keys[] = {
	{"summary", SK_SUMMARY, V_SHORT},
	{"schema", SK_SCHEMA, V_U64},
	{"version", SK_VERSION, V_SHORT},
	{"shard", SK_SHARD, V_U64},
	{"shards", SK_SHARDS, V_U64},
	{"runs", SK_RUNS, V_U64},
	{"nodes", SK_NODES, V_U64},
	{"ticks", SK_TICKS, V_U64},
	{"tick_us", SK_TICK_US, V_U64},
	{"seed", SK_SEED, V_U64},
	{"settings", SK_SETTINGS, V_LONG},
	{"run", SK_RUN, V_U64},
	{"result", SK_RESULT, V_SHORT},
	{"what", SK_WHAT, V_SHORT},
	{"replay", SK_REPLAY, V_LONG},
	{"totals", SK_TOTALS, V_BOOL},
	{"planned", SK_PLANNED, V_U64},
	{"done", SK_DONE, V_U64},
	{"violations", SK_VIOLATIONS, V_U64},
	{"undecided", SK_UNDECIDED, V_U64},
	{"not_carried_out", SK_NOT_CARRIED_OUT, V_U64},
	{"not_run", SK_NOT_RUN, V_U64},
	{"elections", SK_ELECTIONS, V_U64},
	{"faults", SK_FAULTS, V_U64},
	{"wall_s", SK_WALL_S, V_DOUBLE},
	{"interrupted", SK_INTERRUPTED, V_BOOL},
};

static int read_u64(struct trace_json_parser *ps, uint64_t *v)
{
	const char *start;
	char digits[24];
	size_t len;

	if (trace_json_lex_number(ps, &start, &len) != 0)
		return -1;
	if (len == 0 || len >= sizeof(digits) ||
	    strspn(start, "0123456789") < len)
		return trace_json_fail(ps, "expected a whole number");
	memcpy(digits, start, len);
	digits[len] = '\0';
	errno = 0;
	*v = strtoull(digits, NULL, 10);
	if (errno != 0)
		return trace_json_fail(ps, "number out of range");
	return 0;
}

static int read_double(struct trace_json_parser *ps, double *v)
{
	const char *start;
	size_t len;

	if (trace_json_lex_number(ps, &start, &len) != 0)
		return -1;
	*v = strtod(start, NULL);
	return 0;
}

static int read_bool(struct trace_json_parser *ps, bool *v)
{
	*v = trace_json_literal(ps, "true") == 0;
	if (*v || trace_json_literal(ps, "false") == 0)
		return 0;
	return trace_json_fail(ps, "expected true or false");
}

/* The short strings' fields, by key. */
static char *short_field(struct summary_line *l, enum summary_key key,
			 size_t *size)
{
	switch (key) {
	case SK_SUMMARY:
		*size = sizeof(l->summary);
		return l->summary;
	case SK_VERSION:
		*size = sizeof(l->version);
		return l->version;
	case SK_RESULT:
		*size = sizeof(l->result);
		return l->result;
	default:
		*size = sizeof(l->what);
		return l->what;
	}
}

static int read_value(struct trace_json_parser *ps, struct summary_line *l,
		      int k)
{
	char *field;
	size_t size;
	int rv;

	switch (keys[k].kind) {
	case V_U64:
		return read_u64(ps, &l->num[keys[k].key]);
	case V_DOUBLE:
		return read_double(ps, &l->wall_s);
	case V_BOOL:
		return read_bool(ps, keys[k].key == SK_TOTALS
					     ? &l->totals
					     : &l->interrupted);
	case V_SHORT:
		field = short_field(l, keys[k].key, &size);
		rv = trace_json_lex_string(ps, field, size);
		return rv > 0 ? trace_json_fail(ps, "string too long") : rv;
	case V_LONG:
		l->long_null = trace_json_literal(ps, "null") == 0;
		if (l->long_null)
			return 0;
		/* The line's length bounds its strings': it always fits. */
		return trace_json_lex_string(ps, l->long_text, l->long_size);
	}
	return -1;
}

/* One "key":value of the object; unknown keys' values are skipped. */
static int read_member(struct trace_json_parser *ps, struct summary_line *l)
{
	char name[32];
	size_t k;
	int rv = trace_json_lex_string(ps, name, sizeof(name));

	if (rv < 0 || trace_json_expect(ps, ':') != 0)
		return -1;
	for (k = 0; rv == 0 && k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (strcmp(keys[k].name, name) != 0)
			continue;
		if (SUMMARY_HAS(l, keys[k].key))
			return trace_json_fail(ps, "\"%s\" twice", name);
		l->seen |= 1u << keys[k].key;
		return read_value(ps, l, (int)k);
	}
	return trace_json_skip_value(ps, 0);
}

int explore_summary_read_line(const char *line, struct summary_line *l,
			      char *why, size_t why_size)
{
	struct trace_json_parser ps = {
		.line = line, .p = line, .err = why, .errlen = why_size};
	size_t need = strlen(line) + 1;
	char *grown;

	char *long_text = l->long_text;
	size_t long_size = l->long_size;

	/* Nothing of the line before may pass for this one's. */
	memset(l, 0, sizeof(*l));
	l->long_text = long_text;
	l->long_size = long_size;
	why[0] = '\0';
	if (l->long_size < need) {
		grown = realloc(l->long_text, need);
		if (grown == NULL) {
			snprintf(why, why_size, "out of memory");
			return -1;
		}
		l->long_text = grown;
		l->long_size = need;
	}
	l->long_text[0] = '\0';
	if (trace_json_expect(&ps, '{') != 0)
		return -1;
	while (*ps.p != '}') {
		if (read_member(&ps, l) != 0)
			return -1;
		trace_json_skip_ws(&ps);
		if (*ps.p == '}')
			break;
		if (trace_json_expect(&ps, ',') != 0)
			return -1;
	}
	ps.p++;
	trace_json_skip_ws(&ps);
	if (*ps.p != '\0')
		return trace_json_fail(&ps, "text after the object");
	return 0;
}

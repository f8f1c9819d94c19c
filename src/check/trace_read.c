/* trace_read.c - trace_parse: one trace line back into an event, the
 * inverse of trace_write.c. One flat JSON object per line whose known fields
 * are typed and range-checked; unknown fields of any type are skipped (with
 * limited nesting, so no input can exhaust the stack). Every read stops at
 * the line's terminating NUL, so malformed input is reported, never trusted.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAX_DEPTH 32         /* nesting of a skipped value */

enum field {
	F_EV, F_MS, F_NODE, F_FOR, F_LEADER, F_FROM, F_TERM, F_ROLE, F_TICK,
	F_SENT, F_SEEN, F_GROUPS, F_TICKS, F_VIOLATIONS, F_SPURIOUS, F_MODE,
	F_NODES, F_SEED, F_TICK_MS, F_HEARTBEAT, F_ELECTION, F_SCHEMA, F_DROP,
	F_DUP, F_REORDER, F_RANDOM, F_PREVOTE, F_QUORUM, F_RANKED, F_MISTAKES,
	F_INTERRUPTED, /* end: optional, written only when true */
	F_COUNT
};

enum kind { K_EV, K_UINT, K_ROLE, K_GROUPS, K_MODE, K_PAIR, K_PROB, K_BOOL };

#define NODE_ID K_UINT, RAFT_MAX_NODES - 1, 0
#define U64 K_UINT, UINT64_MAX, 0

/* Every field the trace knows: its JSON type, largest value, decimals. */
static const struct {
	const char *name;
	enum kind kind;
	uint64_t max;
	int decimals;
} fields[F_COUNT] = {
	[F_EV] = {"ev", K_EV, 0, 0}, [F_MS] = {"ms", K_UINT, INT64_MAX, 3},
	[F_NODE] = {"node", NODE_ID}, [F_FOR] = {"for", NODE_ID},
	[F_LEADER] = {"leader", NODE_ID}, [F_FROM] = {"from", NODE_ID},
	[F_TERM] = {"term", U64}, [F_ROLE] = {"role", K_ROLE, 0, 0},
	[F_TICK] = {"tick", U64}, [F_SENT] = {"sent", K_UINT, INT_MAX, 0},
	[F_SEEN] = {"seen", U64}, [F_GROUPS] = {"groups", K_GROUPS, 0, 0},
	[F_TICKS] = {"ticks", U64}, [F_VIOLATIONS] = {"violations", U64},
	[F_SPURIOUS] = {"spurious_elections", U64},
	[F_MODE] = {"mode", K_MODE, 0, 0},
	[F_NODES] = {"nodes", K_UINT, RAFT_MAX_NODES, 0},
	[F_SEED] = {"seed", U64}, [F_TICK_MS] = {"tick_ms", K_UINT, UINT_MAX, 3},
	[F_HEARTBEAT] = {"heartbeat_ticks", K_UINT, UINT_MAX, 0},
	[F_ELECTION] = {"election_ticks", K_PAIR, UINT_MAX, 0},
	[F_SCHEMA] = {"schema", K_UINT, UINT_MAX, 0},
	[F_DROP] = {"drop", K_PROB, 0, 0}, [F_DUP] = {"dup", K_PROB, 0, 0},
	[F_REORDER] = {"reorder", K_PROB, 0, 0},
	[F_RANDOM] = {"random_faults", K_BOOL, 0, 0},
	[F_PREVOTE] = {"prevote", K_BOOL, 0, 0},
	[F_QUORUM] = {"check_quorum", K_BOOL, 0, 0},
	[F_RANKED] = {"ranked_timeouts", K_BOOL, 0, 0},
	[F_MISTAKES] = {"mistakes", K_UINT, UINT_MAX, 0},
	[F_INTERRUPTED] = {"interrupted", K_BOOL, 0, 0},
};

#define B(f) (1u << (f))
#define BASE (B(F_EV) | B(F_MS))
#define NODE_EV (BASE | B(F_NODE))
#define CORE_EV (NODE_EV | B(F_TERM))
#define NODE_IDS (B(F_NODE) | B(F_FOR) | B(F_LEADER) | B(F_FROM))

/* The fields trace_format writes for each type, all of them required. */
static const unsigned required[WEV_TYPE_COUNT] = {
	[WEV_START] = BASE | B(F_MODE) | B(F_NODES) | B(F_SEED) |
		      B(F_TICK_MS) | B(F_HEARTBEAT) | B(F_ELECTION) |
		      B(F_SCHEMA) | B(F_DROP) | B(F_DUP) | B(F_REORDER) |
		      B(F_RANDOM) | B(F_PREVOTE) | B(F_QUORUM) | B(F_RANKED) |
		      B(F_MISTAKES),
	[WEV_TERM] = CORE_EV, [WEV_ROLE] = CORE_EV | B(F_ROLE),
	[WEV_VOTE] = CORE_EV | B(F_FOR),
	[WEV_HEARTBEAT] = CORE_EV | B(F_LEADER),
	[WEV_ROUND] = CORE_EV | B(F_TICK) | B(F_SENT),
	[WEV_ELECTION] = CORE_EV | B(F_TICK),
	[WEV_PREVOTE] = CORE_EV | B(F_TICK),
	[WEV_SAW_TERM] = CORE_EV | B(F_ROLE) | B(F_FROM) | B(F_SEEN),
	[WEV_PAUSE] = NODE_EV, [WEV_RESUME] = NODE_EV,
	[WEV_CRASH] = NODE_EV, [WEV_RESTART] = NODE_EV,
	[WEV_PARTITION] = BASE | B(F_GROUPS), [WEV_HEAL] = BASE,
	[WEV_END] = BASE | B(F_TICKS) | B(F_VIOLATIONS) | B(F_SPURIOUS),
};

struct parser {
	const char *line;
	const char *p;
	int nodes;
	char *err;
	size_t errlen;
};

/* What one line said, before it is known to be a whole event. */
struct line {
	unsigned seen;
	int type;
	uint64_t num[F_COUNT]; /* integers and booleans, by field */
	double prob[F_COUNT];
	uint64_t election_min;
	enum raft_role role;
	char mode[sizeof(((struct run_info *)0)->mode)];
	uint8_t group_of[RAFT_MAX_NODES];
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->errlen == 0)
		return -1;
	n = snprintf(ps->err, ps->errlen, "column %d: ",
		     (int)(ps->p - ps->line) + 1);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		/* A reason cut short still names the column. */
		if (vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap) < 0)
			ps->err[n] = '\0';
		va_end(ap);
	}
	return -1;
}

static void skip_ws(struct parser *ps)
{
	ps->p += strspn(ps->p, " \t\r\n");
}

static int expect(struct parser *ps, char ch)
{
	skip_ws(ps);
	if (*ps->p != ch)
		return fail(ps, "expected '%c'", ch);
	ps->p++;
	skip_ws(ps);
	return 0;
}

/* Reads a string into out (NUL-terminated; NULL skips it). Every name the
 * trace uses is ASCII, so a \u escape beyond it is kept as '?'. Returns 0,
 * 1 if it did not fit (out then holds ""), or -1. */
static int lex_string(struct parser *ps, char *out, size_t size)
{
	static const char plain[] = "\"\\/\b\f\n\r\t", esc[] = "\"\\/bfnrt";
	size_t len = 0;
	int too_long = 0;
	char ch, hex[5] = "";

	if (*ps->p != '"')
		return fail(ps, "expected a string");
	for (ps->p++; *ps->p != '"'; len++) {
		if ((unsigned char)*ps->p < 0x20)
			return fail(ps, *ps->p ? "control character in a string"
					       : "unterminated string");
		ch = *ps->p++;
		if (ch == '\\' && *ps->p == 'u') {
			if (strspn(ps->p + 1, "0123456789abcdefABCDEF") < 4)
				return fail(ps, "bad \\u escape");
			memcpy(hex, ps->p + 1, 4);
			ch = strtoul(hex, NULL, 16) < 0x80
				     ? (char)strtoul(hex, NULL, 16) : '?';
			ps->p += 5;
		} else if (ch == '\\') {
			if (*ps->p == '\0' || !strchr(esc, *ps->p))
				return fail(ps, "bad escape in a string");
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

static void digits(struct parser *ps)
{
	while (is_digit(*ps->p))
		ps->p++;
}

/* Checks JSON number syntax; returns its text span. */
static int lex_number(struct parser *ps, const char **start, size_t *len)
{
	*start = ps->p;
	if (*ps->p == '-')
		ps->p++;
	if (!is_digit(*ps->p))
		return fail(ps, "expected a number");
	if (*ps->p++ != '0')
		digits(ps);
	if (*ps->p == '.') {
		ps->p++;
		if (!is_digit(*ps->p))
			return fail(ps, "expected digits after '.'");
		digits(ps);
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		ps->p += ps->p[1] == '+' || ps->p[1] == '-' ? 2 : 1;
		if (!is_digit(*ps->p))
			return fail(ps, "expected an exponent");
		digits(ps);
	}
	*len = (size_t)(ps->p - *start);
	return 0;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(ps->p, word, n) != 0)
		return -1;
	ps->p += n;
	return 0;
}

static int skip_value(struct parser *ps, int depth)
{
	const char *s;
	size_t n;
	char close;

	if (depth > MAX_DEPTH)
		return fail(ps, "nested more than %d deep", MAX_DEPTH);
	if (*ps->p == '"')
		return lex_string(ps, NULL, 0);
	if (*ps->p != '[' && *ps->p != '{') {
		if (literal(ps, "true") == 0 || literal(ps, "false") == 0 ||
		    literal(ps, "null") == 0)
			return 0;
		return lex_number(ps, &s, &n);
	}
	close = *ps->p == '[' ? ']' : '}';
	if (expect(ps, *ps->p) != 0)
		return -1;
	while (*ps->p != close) {
		if (close == '}' && (lex_string(ps, NULL, 0) || expect(ps, ':')))
			return -1;
		if (skip_value(ps, depth + 1) != 0)
			return -1;
		skip_ws(ps);
		if (*ps->p == close)
			break;
		if (expect(ps, ',') != 0)
			return -1;
		if (*ps->p == close)
			return fail(ps, "expected a value after ','");
	}
	ps->p++;
	return 0;
}

/* Appends one decimal digit to *v, refusing anything past max. */
static int add_digit(struct parser *ps, uint64_t *v, char ch, uint64_t max)
{
	uint64_t d = (uint64_t)(ch - '0');

	if (!is_digit(ch))
		return fail(ps, "expected a non-negative number");
	if (d > max || *v > (max - d) / 10)
		return fail(ps, "number out of range");
	*v = *v * 10 + d;
	return 0;
}

/* A non-negative number with at most `decimals` decimals, as an integer
 * times 10^decimals ("ms":1.5 is 1500), no larger than max. */
static int parse_fixed(struct parser *ps, uint64_t max, int decimals,
		       uint64_t *v)
{
	const char *s, *at = ps->p;
	size_t n, i;
	int k;

	if (lex_number(ps, &s, &n) != 0)
		return -1;
	ps->p = at; /* a reason names the number's first column */
	for (*v = 0, i = 0; i < n && s[i] != '.'; i++)
		if (add_digit(ps, v, s[i], max) != 0)
			return -1;
	i += i < n; /* the '.' */
	for (k = 0; k < decimals; k++)
		if (add_digit(ps, v, i < n ? s[i++] : '0', max) != 0)
			return -1;
	if (i != n && decimals == 0)
		return fail(ps, "expected an integer");
	if (i != n)
		return fail(ps, "more than %d decimals", decimals);
	ps->p = s + n;
	return 0;
}

/* "groups":[[0,1],[2]]: every node of the cluster in exactly one group. */
static int parse_groups(struct parser *ps, uint8_t *group_of)
{
	uint8_t seen[RAFT_MAX_NODES] = {0};
	uint64_t node;
	int g, i;

	if (ps->nodes == 0)
		return fail(ps, "groups before the start event");
	if (expect(ps, '[') != 0)
		return -1;
	for (g = 0; *ps->p != ']'; g++) {
		if ((g > 0 && expect(ps, ',')) || expect(ps, '['))
			return -1;
		for (i = 0; *ps->p != ']'; i++) {
			if ((i > 0 && expect(ps, ',')) ||
			    parse_fixed(ps, (uint64_t)ps->nodes - 1, 0, &node))
				return -1;
			if (seen[node]++)
				return fail(ps, "node %d in two groups",
					    (int)node);
			group_of[node] = (uint8_t)g;
			skip_ws(ps);
		}
		if (i == 0)
			return fail(ps, "empty group");
		ps->p++;
		skip_ws(ps);
	}
	ps->p++;
	for (i = 0; i < ps->nodes; i++)
		if (!seen[i])
			return fail(ps, "node %d is in no group", i);
	return 0;
}

static int parse_field(struct parser *ps, struct line *f, int field)
{
	const char *s;
	char buf[64];
	size_t n;
	int rv;

	switch (fields[field].kind) {
	case K_EV:
		rv = lex_string(ps, buf, sizeof(buf));
		f->type = rv == 0 ? wev_from_name(buf) : -1;
		return rv < 0 ? -1
		       : f->type < 0 ? fail(ps, "unknown \"ev\" name") : 0;
	case K_UINT:
		return parse_fixed(ps, fields[field].max,
				   fields[field].decimals, &f->num[field]);
	case K_ROLE:
		if (lex_string(ps, buf, sizeof(buf)) < 0)
			return -1;
		for (rv = RAFT_FOLLOWER; rv <= RAFT_LEADER; rv++)
			if (!strcmp(buf, raft_role_name((enum raft_role)rv)))
				f->role = (enum raft_role)rv;
		return strcmp(buf, raft_role_name(f->role)) == 0
			       ? 0 : fail(ps, "unknown role");
	case K_GROUPS:
		return parse_groups(ps, f->group_of);
	case K_MODE:
		rv = lex_string(ps, f->mode, sizeof(f->mode));
		return rv > 0 ? fail(ps, "\"mode\" is too long") : rv;
	case K_PAIR:
		return expect(ps, '[') ||
		       parse_fixed(ps, UINT_MAX, 0, &f->election_min) ||
		       expect(ps, ',') ||
		       parse_fixed(ps, UINT_MAX, 0, &f->num[field]) ||
		       expect(ps, ']') ? -1 : 0;
	case K_PROB:
		if (lex_number(ps, &s, &n) != 0)
			return -1;
		memcpy(buf, s, n < sizeof(buf) ? n : 0);
		buf[n < sizeof(buf) ? n : 0] = '\0';
		f->prob[field] = strtod(buf, NULL);
		return n < sizeof(buf) && f->prob[field] >= 0.0 &&
				       f->prob[field] <= 1.0
			       ? 0 : fail(ps, "expected a probability 0..1");
	case K_BOOL:
		f->num[field] = literal(ps, "true") == 0;
		return f->num[field] || literal(ps, "false") == 0
			       ? 0 : fail(ps, "expected true or false");
	}
	return -1;
}

static void fill_info(struct run_info *info, const struct line *f)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->mode, f->mode, sizeof(info->mode));
	info->nodes = (int)f->num[F_NODES];
	info->seed = f->num[F_SEED];
	info->tick_us = f->num[F_TICK_MS]; /* 3 decimals: us */
	info->heartbeat_ticks = (unsigned)f->num[F_HEARTBEAT];
	info->election_min = (unsigned)f->election_min;
	info->election_max = (unsigned)f->num[F_ELECTION];
	info->drop = f->prob[F_DROP];
	info->dup = f->prob[F_DUP];
	info->reorder = f->prob[F_REORDER];
	info->random_faults = f->num[F_RANDOM] != 0;
	info->prevote = f->num[F_PREVOTE] != 0;
	info->check_quorum = f->num[F_QUORUM] != 0;
	info->ranked_timeouts = f->num[F_RANKED] != 0;
	info->mistakes = (unsigned)f->num[F_MISTAKES];
}

/* Turns the fields of a whole line into an event. */
static int assemble(struct parser *ps, const struct line *f, struct wev *ev,
		    struct trace_slots *slots)
{
	unsigned need = f->seen & B(F_EV) ? required[f->type] : B(F_EV);
	int i;

	for (i = 0; i < F_COUNT; i++) {
		if (need & ~f->seen & B(i))
			return fail(ps, "no \"%s\" field", fields[i].name);
		if ((need & NODE_IDS & B(i)) && f->num[i] >= (uint64_t)ps->nodes)
			return fail(ps, "\"%s\" is %d: not a node of %d",
				    fields[i].name, (int)f->num[i], ps->nodes);
	}
	if (f->type != WEV_START && ps->nodes == 0)
		return fail(ps, "\"%s\" event before the start event",
			    wev_name(f->type));
	if (f->type == WEV_START && f->num[F_SCHEMA] != TRACE_SCHEMA_VERSION)
		return fail(ps, "schema %" PRIu64 " is not %d",
			    f->num[F_SCHEMA], TRACE_SCHEMA_VERSION);
	if (f->type == WEV_START && f->num[F_NODES] == 0)
		return fail(ps, "\"nodes\" is 0");
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum wev_type)f->type;
	ev->us = (int64_t)f->num[F_MS];
	ev->node = need & B(F_NODE) ? (int)f->num[F_NODE] : RAFT_NONE;
	ev->peer = f->type == WEV_VOTE ? (int)f->num[F_FOR]
		   : f->type == WEV_HEARTBEAT ? (int)f->num[F_LEADER]
		   : f->type == WEV_SAW_TERM ? (int)f->num[F_FROM] : RAFT_NONE;
	ev->term = f->num[F_TERM];
	ev->role = f->role;
	ev->seen_term = f->num[F_SEEN];
	ev->count = (int)f->num[F_SENT];
	ev->tick = f->type == WEV_END ? f->num[F_TICKS] : f->num[F_TICK];
	ev->violations = f->num[F_VIOLATIONS];
	ev->spurious_elections = f->num[F_SPURIOUS];
	ev->interrupted = f->type == WEV_END && f->num[F_INTERRUPTED] != 0;
	if (f->type == WEV_START) {
		fill_info(&slots->info, f);
		ev->info = &slots->info;
	} else if (f->type == WEV_PARTITION) {
		memcpy(slots->group_of, f->group_of, (size_t)ps->nodes);
		ev->group_of = slots->group_of;
	}
	return 0;
}

int trace_parse(const char *line, struct wev *ev, struct trace_slots *slots,
		int nodes, char *err, size_t errlen)
{
	struct parser ps = {line, line, nodes, err, errlen};
	struct line f;
	char key[32];
	int rv, i;

	memset(&f, 0, sizeof(f));
	if (errlen > 0)
		err[0] = '\0';
	if (nodes < 0 || nodes > RAFT_MAX_NODES)
		return fail(&ps, "bad cluster size %d", nodes);
	if (expect(&ps, '{') != 0)
		return -1;
	/* Bit F_COUNT of f.seen: some field was read, so a ',' comes next. */
	while (*ps.p != '}') {
		if ((f.seen && expect(&ps, ',')) ||
		    (rv = lex_string(&ps, key, sizeof(key))) < 0 ||
		    expect(&ps, ':'))
			return -1;
		for (i = 0; rv == 0 && i < F_COUNT; i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (rv != 0 || i == F_COUNT) {
			i = F_COUNT; /* unknown: skipped */
			if (skip_value(&ps, 1) != 0)
				return -1;
		} else if (f.seen & B(i)) {
			return fail(&ps, "\"%s\" given twice", key);
		} else if (parse_field(&ps, &f, i) != 0) {
			return -1;
		}
		f.seen |= B(i);
		skip_ws(&ps);
	}
	ps.p++;
	skip_ws(&ps);
	if (*ps.p != '\0')
		return fail(&ps, "text after the object");
	return assemble(&ps, &f, ev, slots);
}

/* trace_values.c - the trace's structured values, read by trace_read.c:
 * partition groups, hex digests, votes and a restart's runs. Each reads one
 * value at ps->p and returns 0, or -1 with a reason (trace_json_fail). */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_json.h"

/* "groups":[[0,1],[2]]: every node of the cluster in exactly one group. */
int trace_value_groups(struct trace_json_parser *ps, uint8_t *group_of)
{
	uint8_t seen[RAFT_MAX_NODES] = {0};
	uint64_t node;
	int g, i;

	if (ps->nodes == 0)
		return trace_json_fail(ps, "groups before the start event");
	if (trace_json_expect(ps, '[') != 0)
		return -1;
	for (g = 0; *ps->p != ']'; g++) {
		if ((g > 0 && trace_json_expect(ps, ',')) ||
		    trace_json_expect(ps, '['))
			return -1;
		for (i = 0; *ps->p != ']'; i++) {
			if ((i > 0 && trace_json_expect(ps, ',')) ||
			    trace_json_parse_fixed(ps, (uint64_t)ps->nodes - 1,
						   0, &node))
				return -1;
			if (seen[node]++)
				return trace_json_fail(
					ps, "node %d in two groups", (int)node);
			group_of[node] = (uint8_t)g;
			trace_json_skip_ws(ps);
		}
		if (i == 0)
			return trace_json_fail(ps, "empty group");
		ps->p++;
		trace_json_skip_ws(ps);
	}
	ps->p++;
	for (i = 0; i < ps->nodes; i++)
		if (!seen[i])
			return trace_json_fail(ps, "node %d is in no group", i);
	return 0;
}

/* "digest":"00ff...": 1 to 16 hex digits, so that no bit is lost to a
 * reader that holds JSON numbers as doubles. */
int trace_value_hex(struct trace_json_parser *ps, uint64_t *v)
{
	char buf[20];
	size_t i, n;
	int rv = trace_json_lex_string(ps, buf, sizeof(buf));

	if (rv < 0)
		return -1;
	n = rv == 0 ? strlen(buf) : 0;
	if (n == 0 || n > 16)
		return trace_json_fail(ps, "expected 1 to 16 hex digits");
	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)buf[i]))
			return trace_json_fail(ps, "expected hex digits");
		*v = *v << 4 |
		     (uint64_t)(isdigit((unsigned char)buf[i])
					? buf[i] - '0'
					: tolower((unsigned char)buf[i]) - 'a' +
						  10);
	}
	return 0;
}

/* "vote":2 or "vote":null (RAFT_NONE). */
int trace_value_vote(struct trace_json_parser *ps, int *vote)
{
	uint64_t v;

	if (trace_json_literal(ps, "null") == 0) {
		*vote = RAFT_NONE;
		return 0;
	}
	if (trace_json_parse_fixed(ps, RAFT_MAX_NODES - 1, 0, &v) != 0)
		return -1;
	*vote = (int)v;
	return 0;
}

/* "runs":[[first,term],...]: first strictly increasing, into the slots'
 * array (grown as needed; the line's length bounds it). */
int trace_value_runs(struct trace_json_parser *ps, struct trace_slots *sl,
		     int *count)
{
	uint64_t first, term, *grown;
	size_t cap;
	int n;

	if (trace_json_expect(ps, '[') != 0)
		return -1;
	for (n = 0; *ps->p != ']'; n++) {
		if ((n > 0 && trace_json_expect(ps, ',')) ||
		    trace_json_expect(ps, '[') ||
		    trace_json_parse_fixed(ps, UINT64_MAX, 0, &first) ||
		    trace_json_expect(ps, ',') ||
		    trace_json_parse_fixed(ps, UINT64_MAX, 0, &term) ||
		    trace_json_expect(ps, ']'))
			return -1;
		if (n > 0 && first <= sl->runs[2 * n - 2])
			return trace_json_fail(ps, "\"runs\": the first "
						   "indexes do not increase");
		if ((size_t)n * 2 + 2 > sl->runs_cap) {
			cap = sl->runs_cap > 0 ? 2 * sl->runs_cap : 64;
			grown = realloc(sl->runs, cap * sizeof(*grown));
			if (grown == NULL || n == INT_MAX / 2)
				return trace_json_fail(ps, "out of memory");
			sl->runs = grown;
			sl->runs_cap = cap;
		}
		sl->runs[2 * n] = first;
		sl->runs[2 * n + 1] = term;
	}
	ps->p++;
	*count = n;
	return 0;
}

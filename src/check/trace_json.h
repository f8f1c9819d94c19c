/* trace_json.h - the JSON lexing under trace_read.c: one flat object per
 * trace line, read in place from a NUL-terminated string. Every function
 * stops at the NUL, returns 0 or -1, and on -1 leaves a reason with its
 * column in the parser's error buffer (the first reason wins).
 */
#ifndef TRACE_JSON_H
#define TRACE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_JSON_MAX_DEPTH 32 /* nesting of a skipped value */

struct trace_json_parser {
	const char *line;
	const char *p;
	int nodes; /* from the start event: bounds node ids and groups */
	char *err;
	size_t errlen;
};

/* Records "column N: <why>" (when no reason is there yet); returns -1. */
int trace_json_fail(struct trace_json_parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void trace_json_skip_ws(struct trace_json_parser *ps);
/* Skips white space, then requires ch and skips white space after it. */
int trace_json_expect(struct trace_json_parser *ps, char ch);
/* Reads a string into out (NUL-terminated; NULL skips it). Every name the
 * trace uses is ASCII, so a \u escape beyond it is kept as '?'. Returns 0,
 * 1 if it did not fit (out then holds ""), or -1. */
int trace_json_lex_string(struct trace_json_parser *ps, char *out, size_t size);
/* The text of a JSON number, not converted. */
int trace_json_lex_number(struct trace_json_parser *ps, const char **start,
			  size_t *len);
/* Requires the literal word (true, false, null). */
int trace_json_literal(struct trace_json_parser *ps, const char *word);
/* Skips any value, nested at most TRACE_JSON_MAX_DEPTH deep. */
int trace_json_skip_value(struct trace_json_parser *ps, int depth);
/* A non-negative number with at most `decimals` decimals, as an integer
 * times 10^decimals ("ms":1.5 is 1500), no larger than max. */
int trace_json_parse_fixed(struct trace_json_parser *ps, uint64_t max,
			   int decimals, uint64_t *v);

/* trace_values.c: "groups" (every node of ps->nodes in exactly one
 * group), "digest" (1 to 16 hex digits in a string), "vote" (a node or
 * null: RAFT_NONE) and "runs" ([[first, term], ...] with first strictly
 * increasing, into the slots' array, grown to fit). */
struct trace_slots;
int trace_value_groups(struct trace_json_parser *ps, uint8_t *group_of);
int trace_value_hex(struct trace_json_parser *ps, uint64_t *v);
int trace_value_vote(struct trace_json_parser *ps, int *vote);
int trace_value_runs(struct trace_json_parser *ps, struct trace_slots *sl,
		     int *count);

#endif

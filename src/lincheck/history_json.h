/* history_json.h - the small JSON reader under hist_parse (history.c):
 * one object per line, its values read into struct jvalue; strings decoded
 * into the caller's scratch, numbers kept as digits so that a time
 * converts without floating-point rounding. */
#ifndef HISTORY_JSON_H
#define HISTORY_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"

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

int json_fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void json_skip_ws(struct parser *ps);
int json_expect_char(struct parser *ps, char c);
/* An object's key (the quote at ps->p), read in place when it can be. */
int json_name(struct parser *ps, struct hist_str *s);
/* Any value; objects and arrays are skipped, to MAX_DEPTH. */
int json_value(struct parser *ps, struct jvalue *v, int depth);
/* n * 10^scale as an integer, rounded half away from zero; -1 when it
 * does not fit in [-limit, limit]; *exact: no digit was rounded off. */
int json_number_scaled(const struct number *n, int scale, uint64_t limit,
		       int64_t *v, int *exact);

#endif

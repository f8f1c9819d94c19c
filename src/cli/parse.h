/* parse.h - strict parsers for command-line values. Each returns 0 on
 * success and -1 on anything else: trailing junk, signs, overflow, NaN. */
#ifndef PARSE_H
#define PARSE_H

#include <stdint.h>

int parse_u64(const char *s, uint64_t *out);
/* A non-negative decimal such as "15" or "0.5". */
int parse_decimal(const char *s, double *out);
/* A probability in [0, 1]. */
int parse_prob(const char *s, double *out);
/* "A-B" or "A" (both ends A); requires A <= B. */
int parse_u64_range(const char *s, uint64_t *min, uint64_t *max);
/* Milliseconds "A-B" or "A" with decimals, into microseconds. */
int parse_ms_range(const char *s, uint64_t *min_us, uint64_t *max_us);

/* The structured values (parse_faults.c); they need options.h's types. */
#include "options.h"

/* WHO@TICK:LEN, WHO a node id or "leader"; LEN >= 1. */
int parse_window(const char *s, struct fault_window *w);
/* TICK:LEN:GROUPS such as 10:30:0,1|2,3,4. Nodes not listed form one more
 * group together; a node listed twice is an error. */
int parse_partition(const char *s, struct partition_window *p);
/* A comma-separated list of MIN-MAX ranges, at most `max` of them, each
 * from 1 to max_value. */
int parse_range_list(const char *s, struct tick_range *list, int max,
		     uint64_t max_value, int *count);

#endif

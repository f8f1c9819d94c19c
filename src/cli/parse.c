/* parse.c - see parse.h. strtoull alone accepts "-1" and " 7", so every
 * parser checks the characters itself first. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || !all_digits(s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int parse_decimal(const char *s, double *out)
{
	const char *p;
	int dots = 0;
	double v;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return -1;
	}
	if (dots > 1 || strcmp(s, ".") == 0)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int parse_prob(const char *s, double *out)
{
	double v;

	if (parse_decimal(s, &v) != 0 || v > 1.0)
		return -1;
	*out = v;
	return 0;
}

/* Splits "A-B" at the dash into two buffers; "A" gives A twice. */
static int split_range(const char *s, char *lo, char *hi, size_t size)
{
	const char *dash;
	size_t n;

	if (s == NULL)
		return -1;
	dash = strchr(s, '-');
	if (dash == NULL) {
		if (strlen(s) >= size)
			return -1;
		strcpy(lo, s);
		strcpy(hi, s);
		return 0;
	}
	n = (size_t)(dash - s);
	if (n >= size || strlen(dash + 1) >= size)
		return -1;
	memcpy(lo, s, n);
	lo[n] = '\0';
	strcpy(hi, dash + 1);
	return 0;
}

int parse_u64_range(const char *s, uint64_t *min, uint64_t *max)
{
	char lo[32], hi[32];
	uint64_t a, b;

	if (split_range(s, lo, hi, sizeof(lo)) != 0 || parse_u64(lo, &a) != 0 ||
	    parse_u64(hi, &b) != 0 || a > b)
		return -1;
	*min = a;
	*max = b;
	return 0;
}

int parse_ms_range(const char *s, uint64_t *min_us, uint64_t *max_us)
{
	char lo[32], hi[32];
	double a, b;

	if (split_range(s, lo, hi, sizeof(lo)) != 0 ||
	    parse_decimal(lo, &a) != 0 || parse_decimal(hi, &b) != 0 || a > b ||
	    b > 1e9)
		return -1;
	*min_us = (uint64_t)llround(a * 1000.0);
	*max_us = (uint64_t)llround(b * 1000.0);
	return 0;
}

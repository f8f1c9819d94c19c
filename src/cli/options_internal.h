/* options_internal.h - what options.c and options_flags.c share. */
#ifndef OPTIONS_INTERNAL_H
#define OPTIONS_INTERNAL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "options.h"

/* options_flags.c: getopt_long's table, and one flag applied to *o;
 * apply_flag returns 0 or EXIT_USAGE (after printing why). */
extern const struct option long_options[];
int apply_flag(struct raftsim_options *o, int id, const char *arg,
	       bool *heartbeat_given, FILE *err);

/* options.c: prints "raftsim: <why>" and a hint; returns EXIT_USAGE. */
int usage_error(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

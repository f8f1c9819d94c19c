/* testparse.h - parses a command line in the test process, as raftsim's
 * main would, for the flag tests that check what options_parse makes of
 * it without running anything. */
#ifndef TESTPARSE_H
#define TESTPARSE_H

#include "cli/options.h"

/* Parses "raftsim <words>" (split at spaces, at most 30 of them) into *o,
 * from the defaults. Returns options_parse's code (-1 when the error
 * stream cannot be opened); *err_text holds what it wrote to stderr
 * (malloc'd: the caller frees it). */
int testparse_words(const char *words, struct raftsim_options *o,
		    char **err_text);

/* A command line options_parse must refuse (exit 2) with words in its
 * message. */
struct testparse_refusal {
	const char *args;
	const char *words;
};

/* Fails the running test for each case not refused so. */
void testparse_expect_refused(const struct testparse_refusal *cases,
			      size_t count);

#endif

/* testparse.c - see testparse.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"
#include "testparse.h"

int testparse_words(const char *words, struct raftsim_options *o,
		    char **err_text)
{
	char buf[512];
	char *argv[32];
	int argc = 0;
	char *tok, *save = NULL;
	size_t len = 0;
	FILE *err;
	int rv;

	snprintf(buf, sizeof(buf), "%s", words);
	argv[argc++] = (char *)"raftsim";
	for (tok = strtok_r(buf, " ", &save); tok != NULL && argc < 31;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	*err_text = NULL;
	err = open_memstream(err_text, &len);
	if (err == NULL)
		return -1;
	options_default(o);
	rv = options_parse(o, argc, argv, err);
	fclose(err);
	return rv;
}

void testparse_expect_refused(const struct testparse_refusal *cases,
			      size_t count)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	char *text;
	size_t i;
	int rv;

	REQUIRE(o != NULL);
	for (i = 0; i < count; i++) {
		rv = testparse_words(cases[i].args, o, &text);
		if (rv != 2 || text == NULL ||
		    strstr(text, cases[i].words) == NULL)
			TEST_FAIL_AT("raftsim %s: exit %d, stderr '%s'",
				     cases[i].args, rv, text ? text : "");
		free(text);
	}
	free(o);
}

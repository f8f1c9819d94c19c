/* testparse.c - see testparse.h. */
#include <stdio.h>
#include <string.h>

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

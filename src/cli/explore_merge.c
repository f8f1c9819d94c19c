#include "explore_internal.h"
int explore_merge_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	(void)o; (void)out;
	fprintf(err, "raftsim: explore --merge: not yet\n");
	return EXIT_RUN_FAILED;
}

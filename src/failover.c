/* failover.c - placeholder until the Figure 16 measurement lands. */
#include "failover.h"

int failover_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	(void)o;
	(void)out;
	fprintf(err, "raftsim: failover: not available in this build yet\n");
	return EXIT_USAGE;
}

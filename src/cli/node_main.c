/* node_main.c - raftsim node: one node of a TCP cluster (tcp_commands.h).
 * Not built yet: the node helper replaces this file. */
#include "tcp_commands.h"

int node_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	(void)o;
	(void)out;
	fprintf(err, "raftsim node: not built yet\n");
	return EXIT_USAGE;
}

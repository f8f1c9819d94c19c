/* client_main.c - raftsim client and raftsim bench (tcp_commands.h).
 * Not built yet: the client helper replaces this file. */
#include "tcp_commands.h"

int client_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	(void)o;
	(void)out;
	fprintf(err, "raftsim client: not built yet\n");
	return EXIT_USAGE;
}

int bench_main(const struct raftsim_options *o, FILE *out, FILE *err)
{
	(void)o;
	(void)out;
	fprintf(err, "raftsim bench: not built yet\n");
	return EXIT_USAGE;
}

/* tcp_commands.h - the commands of a cluster over TCP (issue 13):
 *  - raftsim node: one node per process (node_main.c);
 *  - raftsim client OP KEY [VALUE [NEW]]: one operation (client_main.c);
 *  - raftsim bench: --clients N clients for --duration S (client_main.c).
 * Each returns its exit code (options.h's EXIT_*).
 */
#ifndef TCP_COMMANDS_H
#define TCP_COMMANDS_H

#include <stdio.h>

#include "options.h"

int node_main(const struct raftsim_options *o, FILE *out, FILE *err);
int client_main(const struct raftsim_options *o, FILE *out, FILE *err);
int bench_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

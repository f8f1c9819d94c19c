/* failover.h - `raftsim failover`: leader failover downtime, measured as in
 * the Raft paper's Figure 16 (§9.3). */
#ifndef FAILOVER_H
#define FAILOVER_H

#include <stdio.h>

#include "options.h"

int failover_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

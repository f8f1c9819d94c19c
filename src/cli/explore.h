/* explore.h - `raftsim explore`: many simulated runs, each with its own seed
 * and its own random fault schedule, every check on. Each failure is printed
 * with the exact command that replays it byte for byte. */
#ifndef EXPLORE_H
#define EXPLORE_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"

/* Derives run `index`'s options from the base: its seed and its faults.
 * The result replays alone: options_format_command(run) reproduces it. */
void explore_plan_run(const struct raftsim_options *base, uint64_t index,
		      struct raftsim_options *run);

int explore_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

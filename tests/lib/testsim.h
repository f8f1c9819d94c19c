/* testsim.h - one simulated run for the tests: its checker's verdict, or
 * who leads at a tick. */
#ifndef TESTSIM_H
#define TESTSIM_H

#include <stddef.h>
#include <stdint.h>

#include "cli/options.h"

/* Runs o in the simulator with a checker (no trace, no console) and
 * returns its violation count (999 when it could not be set up); the first
 * violation's text goes to first_what (size bytes; "" when none), unless
 * first_what is NULL. */
uint64_t testsim_violations(const struct raftsim_options *o, char *first_what,
			    size_t size);

/* The node that leads at `tick` of o's run, or RAFT_NONE. */
int testsim_leader_at(const struct raftsim_options *o, uint64_t tick);

#endif

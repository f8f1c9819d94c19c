/* run_dir.h - what a --data-dir run keeps about itself in DIR/run, so that
 * a --resume after kill -9 goes on with the same cluster (issue 12).
 *
 * DIR/run is a small text file written (tmp, fsync, rename, dir fsync)
 * before any node boots: the cluster size, the mode, the state machine
 * (kv with --clients, digest otherwise: a log of one is no log of the
 * other), the client numbers used so far and the number of resumes. A
 * resume with a conflicting setting, a node directory missing or one
 * beyond --nodes is refused (exit 2) naming the flag; a first run into a
 * DIR that holds one is refused too. A resume numbers its clients after
 * every earlier run's (o->client_base), so that each value written
 * (c<client>i<id>) is unique in the whole trace.
 */
#ifndef RUN_DIR_H
#define RUN_DIR_H

#include <stdio.h>

#include "options.h"

/* Checks and updates DIR/run for a threaded run with --data-dir; sets
 * o->client_base. Returns 0, EXIT_USAGE or EXIT_RUN_FAILED, having said
 * why on err. Does nothing without --data-dir or in the simulator. */
int run_dir_prepare(struct raftsim_options *o, FILE *err);

#endif

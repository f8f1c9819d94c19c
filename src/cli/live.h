/* live.h - `raftsim --live`: the running cluster full-screen in a
 * terminal, steered with keys (README "Watching a run live").
 *
 * On threads the run is runtime_run_control's: a view thread of its own
 * (live.c) reads every node under its node lock 20 times a second, draws
 * the frame (live_draw.c) and reads the keys (live_keys.c); the keys'
 * faults go to the observer, which applies them with harness_pause,
 * harness_crash, harness_partition (the schedule's one thread). With
 * --sim --speed X the simulator's thread does all of it between ticks, and
 * paces virtual time against CLOCK_MONOTONIC (live_sim.c); its keys become
 * scheduled faults (--pause N@TICK:LEN ...) of the replay command printed
 * at the end, which replays the run byte for byte.
 *
 * The terminal (live_term.c): alternate screen, hidden cursor, raw keys;
 * restored on every way out: the run's end, q, Ctrl-C (the first ends the
 * run as harness_stop.h says, a second kills at once, after restoring),
 * SIGSEGV, SIGABRT, SIGBUS, SIGFPE (restored, then the signal goes on) and
 * exit() (atexit).
 */
#ifndef LIVE_H
#define LIVE_H

#include <stdio.h>

#include "options.h"

/* The run with its view. stdout not a terminal: EXIT_USAGE, said on err.
 * Otherwise the run's exit code (runtime_run, sim_main); q ends it as
 * SIGINT does (130). */
int live_main(const struct raftsim_options *o, FILE *out, FILE *err);

#endif

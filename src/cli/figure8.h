/* figure8.h - `raftsim figure8`: the Raft paper's Figure 8 (§5.4.2) played
 * on five cores, with the checker's verdict. */
#ifndef FIGURE8_H
#define FIGURE8_H

#include <stdio.h>

/* Plays the scenario with the given mistakes (enum raft_mistake bits),
 * prints each step's logs and the verdict on out. Returns EXIT_PASS,
 * EXIT_VIOLATION, or EXIT_RUN_FAILED (out of memory, or the script went
 * otherwise than written: a change in the core). */
int figure8_main(unsigned mistakes, FILE *out, FILE *err);

#endif

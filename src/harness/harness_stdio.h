/* harness_stdio.h - the process's standard streams, made safe to write to
 * before a run and checked after it.
 *
 * Before any file is opened: fds 0-2 are made open (onto /dev/null), so a
 * file opened later (--trace, --csv, --svg) can never become fd 1 and
 * receive the console lines (`raftsim --trace t.jsonl >&-`); and SIGPIPE
 * is ignored, so a reader that goes away (`raftsim | head -1`) cannot kill
 * the run in the middle of a trace line.
 *
 * A closed stdout is not an error: the console stops, the run and its
 * trace go on, and the exit code is the verdict's. A stdout that fails
 * otherwise (`>/dev/full`, a full disk) is: the run exits EXIT_RUN_FAILED
 * with a message, since output the user asked for was lost.
 */
#ifndef HARNESS_STDIO_H
#define HARNESS_STDIO_H

#include <stdbool.h>
#include <stdio.h>

/* Opens /dev/null onto any closed fd of 0, 1 and 2 and ignores SIGPIPE.
 * Returns 0, or -1 if that could not be done (errno). */
int harness_stdio_guard(void);

/* Whether a write that failed with `err` (an errno value) on `f` means
 * that its reader went away (EPIPE, or a pipe or socket) rather than an
 * I/O error. */
bool harness_stdio_closed(FILE *f, int err);

/* After the command: flushes `out` and, if writing it failed other than by
 * its reader going away, says so on `err` and returns EXIT_RUN_FAILED;
 * else `code`. `failed_errno` is the first error a writer already saw on
 * `out` (0: none seen). */
int harness_stdio_finish(FILE *out, FILE *err, int failed_errno, int code);

#endif

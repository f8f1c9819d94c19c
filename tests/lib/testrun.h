/* testrun.h - runs a command for the end-to-end tests and keeps its output. */
#ifndef TESTRUN_H
#define TESTRUN_H

#include <stddef.h>

#define TESTRUN_OUT 65536

struct cmd_result {
	int status;            /* exit code, or 128+signal */
	char out[TESTRUN_OUT]; /* stdout, cut at TESTRUN_OUT-1 bytes */
	char err[TESTRUN_OUT]; /* stderr, likewise */
};

/* Runs a shell command (printf-style), waits, and fills *r. Returns 0, or -1
 * when the command could not be started. */
int run_cmd(struct cmd_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Two command results for one test, on the heap: they are large. */
struct cmd_pair {
	struct cmd_result first;
	struct cmd_result second;
};

/* Runs `body` on a fresh pair, freed however the body ends. */
void with_cmd_pair(void (*body)(struct cmd_pair *p));

/* A whole file in a fresh NUL-terminated buffer (free it), its length in
 * *len if len is not NULL; NULL if it cannot be read. */
char *test_slurp(const char *path, size_t *len);

/* A scratch file name of this process's own ("/tmp/raftsim-PID-NAME"), so
 * that test runs side by side never share one. Returns buf. */
const char *test_tmp(char *buf, size_t size, const char *name);

/* The tick of threaded runs that must pass: $RAFTSIM_TEST_TICK_MS, default
 * 30 ms. A clean run fails on a spurious election, which a leader thread
 * stalled for about election.min - heartbeat = 7 ticks causes; a longer
 * tick makes that stall longer in real time (`make tsan` sets 40). */
unsigned test_tick_ms(void);

/* Where the binaries under test are: $RAFTSIM_BIN_DIR, or ".". */
const char *test_bin_dir(void);

#endif

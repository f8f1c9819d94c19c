/* live_term.h - the terminal of --live: raw keys, the alternate screen,
 * its size, and its restoration on every way out (see live.h). One per
 * process. */
#ifndef LIVE_TERM_H
#define LIVE_TERM_H

#include <stdbool.h>
#include <stddef.h>

/* Takes the terminal: stdout must be one (else -1). Keys are read raw
 * from stdin if it is a terminal too (live_term_keys). Installs the
 * restoring handlers. Returns 0 or -1. */
int live_term_open(void);
/* Gives the terminal back as it was; safe to call again, and from a
 * signal handler. */
void live_term_restore(void);
/* Whether keys can be read (stdin is the terminal). */
bool live_term_keys(void);
/* The size now (TIOCGWINSZ; 24x80 if unknown), and whether it changed
 * since the last call (SIGWINCH): the caller clears the screen then. */
bool live_term_size(int *rows, int *cols);
/* Waits up to timeout_ms for keys; reads what came into buf. Returns the
 * bytes read, 0 if none. */
size_t live_term_read(char *buf, size_t cap, int timeout_ms);
/* Writes all of buf to the terminal. */
void live_term_write(const char *buf, size_t len);

#endif

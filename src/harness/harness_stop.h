/* harness_stop.h - Ctrl-C and SIGTERM: stop a run at its next tick
 * boundary, not in the middle of a line.
 *
 * The signal handler only records which signal came (an async-signal-safe
 * store into a lock-free atomic); the drivers poll harness_stop_requested()
 * where a run can end cleanly: the simulator before a cluster tick
 * (sim.c), the threaded runtime's observer before a tick (its waits are at
 * most HARNESS_STOP_POLL_US long), explore and failover before each run or
 * trial. The run then ends as a finished one does: the trace gets its end
 * event (marked "interrupted"), the per-node lines and the verdict are
 * printed, and the process exits 128 + the signal (130, 143).
 *
 * The handler is installed with SA_RESETHAND: a second Ctrl-C finds the
 * default action and ends the process at once.
 */
#ifndef HARNESS_STOP_H
#define HARNESS_STOP_H

#include <stdint.h>

/* How long a threaded wait may last before it looks at the flag again. */
#define HARNESS_STOP_POLL_US 250000

/* Installs the handler for SIGINT and SIGTERM. Returns 0, or -1 (errno). */
int harness_stop_install(void);

/* The signal that asked the run to stop, or 0. */
int harness_stop_requested(void);

/* What the process exits with once a stop was requested: 128 + signal.
 * `code` (the run's own) is returned when no stop was requested, and
 * wins over the interruption when the run could not be carried out
 * (EXIT_RUN_FAILED): lost data says more than the Ctrl-C. */
int harness_stop_exit_code(int code);

/* As the handler does: for tests, and to stop a run from inside. */
void harness_stop_request(int sig);
/* Forgets a request (tests only: a process is stopped once). */
void harness_stop_reset(void);

#endif

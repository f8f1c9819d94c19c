/* harness_stop.c - see harness_stop.h. */
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "cli/options.h"
#include "harness_stop.h"

/* C11 7.14.1.1: a handler may store to a lock-free atomic object; that,
 * unlike a volatile sig_atomic_t, is also defined when other threads read
 * it (the runtime's observer, explore's workers). */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free");
static atomic_int stop_signal;

/* The first signal is the one the exit code names (130 or 143): a SIGTERM
 * after a SIGINT does not turn an interrupted run into a terminated one. */
static void on_signal(int sig)
{
	int none = 0;

	atomic_compare_exchange_strong_explicit(&stop_signal, &none, sig,
						memory_order_relaxed,
						memory_order_relaxed);
}

int harness_stop_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* The second signal finds the default action: it kills at once. */
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0)
		return -1;
	return 0;
}

int harness_stop_requested(void)
{
	return atomic_load_explicit(&stop_signal, memory_order_relaxed);
}

int harness_stop_exit_code(int code)
{
	int sig = harness_stop_requested();

	if (sig == 0 || code == EXIT_RUN_FAILED)
		return code;
	return 128 + sig;
}

void harness_stop_request(int sig)
{
	on_signal(sig);
}

void harness_stop_reset(void)
{
	atomic_store_explicit(&stop_signal, 0, memory_order_relaxed);
}

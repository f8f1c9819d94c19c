/* live_term.c - the terminal of --live (live_term.h). Everything the
 * restoring paths touch is async-signal-safe: tcsetattr, write, signal,
 * raise, and sig_atomic_t flags. */
#define _DEFAULT_SOURCE /* cfmakeraw's neighbours, TIOCGWINSZ */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "harness/harness_stop.h"
#include "live_term.h"

/* Alternate screen, cursor hidden, screen cleared; and back. */
#define ENTER "\x1b[?1049h\x1b[?25l\x1b[2J"
#define LEAVE "\x1b[0m\x1b[?25h\x1b[?1049l"

static struct termios saved;
static volatile sig_atomic_t active;   /* the screen is ours */
static volatile sig_atomic_t raw_keys; /* stdin is raw: restore it */
static volatile sig_atomic_t resized;  /* SIGWINCH since the last look */
static volatile sig_atomic_t stops;    /* SIGINT and SIGTERM so far */
static int handlers_set;
static int keys_gone; /* stdin hung up: waits only */

static void put(const char *s, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(STDOUT_FILENO, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

void live_term_restore(void)
{
	if (!active)
		return;
	active = 0;
	if (raw_keys) {
		raw_keys = 0;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	}
	put(LEAVE, sizeof(LEAVE) - 1);
}

/* A crash: the terminal first, then the signal does what it would have. */
static void on_crash(int sig)
{
	live_term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The first Ctrl-C or SIGTERM ends the run cleanly (harness_stop.h); a
 * second ends the process at once, the terminal restored. */
static void on_stop(int sig)
{
	if (stops++ == 0) {
		harness_stop_request(sig);
		return;
	}
	on_crash(sig);
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static int install(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int install_handlers(void)
{
	static const int crashes[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};
	size_t i;

	if (handlers_set)
		return 0;
	for (i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		if (install(crashes[i], on_crash) != 0)
			return -1;
	if (install(SIGINT, on_stop) != 0 || install(SIGTERM, on_stop) != 0 ||
	    install(SIGWINCH, on_winch) != 0 || atexit(live_term_restore) != 0)
		return -1;
	handlers_set = 1;
	return 0;
}

int live_term_open(void)
{
	struct termios raw;

	if (!isatty(STDOUT_FILENO) || install_handlers() != 0)
		return -1;
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		/* Keys one by one, unechoed; Ctrl-C stays a signal. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
			raw_keys = 1;
	}
	active = 1;
	resized = 1;
	put(ENTER, sizeof(ENTER) - 1);
	return 0;
}

bool live_term_keys(void)
{
	return raw_keys != 0;
}

bool live_term_size(int *rows, int *cols)
{
	struct winsize ws;
	bool changed = resized != 0;

	resized = 0;
	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
	return changed;
}

size_t live_term_read(char *buf, size_t cap, int timeout_ms)
{
	struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
	ssize_t n;

	if (!raw_keys || keys_gone) {
		poll(NULL, 0, timeout_ms); /* nothing to read: just the wait */
		return 0;
	}
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	n = (pfd.revents & POLLIN) ? read(STDIN_FILENO, buf, cap) : 0;
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
		keys_gone = 1; /* no more keys will come: stop polling */
	return n > 0 ? (size_t)n : 0;
}

void live_term_write(const char *buf, size_t len)
{
	put(buf, len);
}

/* harness_stdio.c - see harness_stdio.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "harness_stdio.h"

int harness_stdio_guard(void)
{
	struct sigaction sa;
	int fd;
	int got;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* The lowest free fd: this one, as the lower ones are open. */
		got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (got < 0)
			return -1;
		if (got != fd) {
			if (dup2(got, fd) < 0) {
				close(got);
				return -1;
			}
			close(got);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGPIPE, &sa, NULL);
}

bool harness_stdio_closed(FILE *f, int err)
{
	struct stat st;

	if (err == EPIPE)
		return true;
	return fstat(fileno(f), &st) == 0 &&
	       (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

int harness_stdio_finish(FILE *out, FILE *err, int failed_errno, int code)
{
	int why = failed_errno;

	errno = 0;
	if (fflush(out) != 0 && why == 0)
		why = errno;
	if (why == 0 && !ferror(out))
		return code;
	if (harness_stdio_closed(out, why))
		return code; /* the reader went away: not an error */
	fprintf(err, "raftsim: writing standard output failed: %s\n",
		why != 0 ? strerror(why) : "write error");
	return EXIT_RUN_FAILED;
}

/* testrun.c - see testrun.h. Output goes to temporary files, not pipes, so a
 * chatty child can never block on a full pipe. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testhelp.h"
#include "testrun.h"

void with_cmd_pair(void (*body)(struct cmd_pair *p))
{
	struct cmd_pair *p = calloc(1, sizeof(*p));

	REQUIRE(p != NULL);
	body(p);
	free(p);
}

char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1))) {
		n = fread(buf, 1, (size_t)size, f);
		buf[n] = '\0';
	}
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

const char *test_bin_dir(void)
{
	const char *dir = getenv("RAFTSIM_BIN_DIR");

	return dir != NULL && *dir != '\0' ? dir : ".";
}

const char *test_tmp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "/tmp/raftsim-%ld-%s", (long)getpid(), name);
	return buf;
}

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
}

int run_cmd(struct cmd_result *r, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	FILE *out = NULL;
	FILE *err = NULL;
	pid_t pid;
	int status;
	int rv = -1;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	memset(r, 0, sizeof(*r));
	out = tmpfile();
	err = tmpfile();
	if (out == NULL || err == NULL)
		goto done;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto done;
	if (pid == 0) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		goto done;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status)
				      : 128 + WTERMSIG(status);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	rv = 0;
done:
	if (out != NULL)
		fclose(out);
	if (err != NULL)
		fclose(err);
	return rv;
}

unsigned test_tick_ms(void)
{
	const char *s = getenv("RAFTSIM_TEST_TICK_MS");
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	return v >= 1 && v <= 1000 ? (unsigned)v : 30;
}

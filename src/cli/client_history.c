/* client_history.c - the --history file of `raftsim client` and `bench`
 * (client_cli.h). Every write holds whole lines and the file is opened
 * with O_APPEND, so the lines of processes that share one file never cut
 * each other, and a client's own lines stay in its order. The driver
 * (client_net.c) flushes before it sends what the clients asked to send:
 * an invoke is in the file before its request leaves, so a client killed
 * at any moment never hides a write that took effect.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_cli.h"

#define HIST_BUF_START 4096

int client_hist_open(struct client_hist *h, const char *path, char *err,
		     size_t err_len)
{
	memset(h, 0, sizeof(*h));
	h->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (h->fd < 0) {
		snprintf(err, err_len, "--history: %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int reserve(struct client_hist *h, size_t more)
{
	size_t cap = h->cap ? h->cap : HIST_BUF_START;
	char *buf;

	while (cap - h->len < more)
		cap *= 2;
	if (cap == h->cap)
		return 0;
	buf = realloc(h->buf, cap);
	if (buf == NULL)
		return -1;
	h->buf = buf;
	h->cap = cap;
	return 0;
}

int client_hist_add(struct client_hist *h, const struct hist_event *ev)
{
	size_t need;

	if (h->fd < 0)
		return 0;
	need = hist_format(ev, NULL, 0) + 1; /* with its newline */
	if (reserve(h, need + 1) != 0)
		return -1;
	hist_format(ev, h->buf + h->len, h->cap - h->len);
	h->len += need;
	h->buf[h->len - 1] = '\n';
	h->lines++;
	return 0;
}

int client_hist_flush(struct client_hist *h)
{
	size_t done = 0;
	ssize_t n;

	if (h->fd < 0 || h->error != 0) {
		h->len = 0;
		return h->error != 0 ? -1 : 0;
	}
	while (done < h->len) {
		n = write(h->fd, h->buf + done, h->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			h->error = n < 0 ? errno : EIO;
			h->len = 0;
			return -1;
		}
		done += (size_t)n;
	}
	h->len = 0;
	return 0;
}

int client_hist_close(struct client_hist *h)
{
	int rv = client_hist_flush(h);

	if (h->fd >= 0 && close(h->fd) != 0 && h->error == 0) {
		h->error = errno;
		rv = -1;
	}
	h->fd = -1;
	free(h->buf);
	h->buf = NULL;
	h->cap = h->len = 0;
	return rv;
}

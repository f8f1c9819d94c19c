/* tcp_parse.c - what the command line gives the TCP transport: addresses
 * ("HOST:PORT", "[v6]:PORT"), peer lists ("0=HOST:PORT,1=..."), and the
 * --secret file (tcp.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcp.h"

/* Whole decimal number in [0, max] from s[0..len). */
static int parse_uint(const char *s, size_t len, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* The address in text[0..len). */
static int parse_addr_n(const char *text, size_t len, struct tcp_addr *out,
			char *err, size_t err_len)
{
	const char *host = text;
	const char *colon;
	size_t host_len;
	unsigned long port;

	if (len > 0 && text[0] == '[') {
		const char *close = memchr(text, ']', len);

		if (close == NULL || close + 1 >= text + len || close[1] != ':')
			goto bad;
		host = text + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = NULL;
		for (const char *p = text; p < text + len; p++)
			if (*p == ':')
				colon = p;
		if (colon == NULL)
			goto bad;
		host_len = (size_t)(colon - text);
		if (memchr(text, ':', host_len) != NULL)
			goto bad; /* a bare IPv6 address: brackets needed */
	}
	if (host_len == 0 || host_len >= TCP_HOST_MAX)
		goto bad;
	if (parse_uint(colon + 1, (size_t)(text + len - colon - 1), 65535,
		       &port) != 0)
		goto bad;
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	out->port = (uint16_t)port;
	return 0;
bad:
	snprintf(err, err_len,
		 "'%.*s' is not HOST:PORT (or [IPv6]:PORT, PORT 0 to 65535)",
		 (int)(len > 200 ? 200 : len), text);
	return -1;
}

int tcp_parse_addr(const char *text, struct tcp_addr *out, char *err,
		   size_t err_len)
{
	return parse_addr_n(text, strlen(text), out, err, err_len);
}

/* One "ID=HOST:PORT" of text[0..len); its id below max, not seen yet. */
static int parse_peer(const char *text, size_t len, struct tcp_addr *addrs,
		      bool *seen, int max, int *id_out, char *err,
		      size_t err_len)
{
	const char *eq = memchr(text, '=', len);
	unsigned long id;

	if (eq == NULL || parse_uint(text, (size_t)(eq - text),
				     (unsigned long)max - 1, &id) != 0) {
		snprintf(err, err_len,
			 "'%.*s' is not ID=HOST:PORT (ID from 0 to %d)",
			 (int)(len > 200 ? 200 : len), text, max - 1);
		return -1;
	}
	if (seen[id]) {
		snprintf(err, err_len, "node %lu is listed twice", id);
		return -1;
	}
	if (parse_addr_n(eq + 1, (size_t)(text + len - eq - 1), &addrs[id], err,
			 err_len) != 0)
		return -1;
	seen[id] = true;
	*id_out = (int)id;
	return 0;
}

int tcp_parse_peers(const char *text, struct tcp_addr *addrs, int max,
		    int *count, char *err, size_t err_len)
{
	bool seen[1024] = {false};
	const char *p = text;
	const char *end;
	int n = 0;
	int id;
	int i;

	if (max > (int)sizeof(seen))
		max = (int)sizeof(seen);
	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if (n == max) {
			snprintf(err, err_len, "more than %d peers", max);
			return -1;
		}
		if (parse_peer(p, (size_t)(end - p), addrs, seen, max, &id, err,
			       err_len) != 0)
			return -1;
		n++;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	for (i = 0; i < n; i++) {
		if (!seen[i]) {
			snprintf(err, err_len,
				 "node %d is missing: %d peers need ids 0 to "
				 "%d",
				 i, n, n - 1);
			return -1;
		}
	}
	*count = n;
	return 0;
}

int tcp_read_secret(const char *path, uint8_t *out, size_t *len, char *err,
		    size_t err_len)
{
	uint8_t buf[TCP_SECRET_MAX + 2];
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "--secret %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "--secret %s: not a regular file", path);
		goto err;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, err_len,
			 "--secret %s: others may read it (mode %03o); "
			 "chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		goto err;
	}
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, err_len, "--secret %s: %s", path,
				 strerror(errno));
			goto err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got > 0 && buf[got - 1] == '\n')
		got--;
	if (got < 16 || got > TCP_SECRET_MAX) {
		snprintf(err, err_len,
			 "--secret %s: %s (it needs 16 to %d bytes)", path,
			 got == 0   ? "empty"
			 : got < 16 ? "too short"
				    : "too long",
			 TCP_SECRET_MAX);
		return -1;
	}
	memcpy(out, buf, got);
	*len = got;
	return 0;
err:
	close(fd);
	return -1;
}

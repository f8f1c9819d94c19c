/* disk_posix.c - struct disk over a real directory (disk.h): one directory
 * fd, file handles in a small table, every call retried on EINTR and
 * failing with -errno. */
#include "storage/disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The WAL holds at most a few files open at once (meta, one or two
 * segments, a snapshot being written). */
#define POSIX_FILES 16

struct disk_posix {
	struct disk base;
	int dirfd;
	int fds[POSIX_FILES]; /* -1: free */
};

static struct disk_posix *dp_of(struct disk *d)
{
	return (struct disk_posix *)d;
}

static int fd_of(struct disk *d, int h)
{
	if (h < 0 || h >= POSIX_FILES)
		return -1;
	return dp_of(d)->fds[h];
}

static int name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= DISK_NAME_MAX && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int dp_open(struct disk *d, const char *name, int flags, int *h)
{
	struct disk_posix *dp = dp_of(d);
	int oflags = O_RDWR | O_CLOEXEC;
	int i, fd;

	if (!name_ok(name))
		return -EINVAL;
	for (i = 0; i < POSIX_FILES && dp->fds[i] >= 0; i++)
		;
	if (i == POSIX_FILES)
		return -EMFILE;
	if (flags & DISK_CREATE)
		oflags |= O_CREAT;
	if (flags & DISK_TRUNC)
		oflags |= O_TRUNC;
	do
		fd = openat(dp->dirfd, name, oflags, 0644);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	dp->fds[i] = fd;
	*h = i;
	return 0;
}

static void dp_close(struct disk *d, int h)
{
	int fd = fd_of(d, h);

	if (fd < 0)
		return;
	(void)close(fd); /* Linux closes the fd even on EINTR */
	dp_of(d)->fds[h] = -1;
}

static int64_t dp_size(struct disk *d, int h)
{
	struct stat st;
	int fd = fd_of(d, h);

	if (fd < 0)
		return -EBADF;
	if (fstat(fd, &st) != 0)
		return -errno;
	return (int64_t)st.st_size;
}

static int64_t dp_pread(struct disk *d, int h, void *buf, size_t len,
			uint64_t off)
{
	int fd = fd_of(d, h);
	size_t done = 0;

	if (fd < 0)
		return -EBADF;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break; /* the end of the file */
		done += (size_t)n;
	}
	return (int64_t)done;
}

static int dp_pwrite(struct disk *d, int h, const void *buf, size_t len,
		     uint64_t off)
{
	int fd = fd_of(d, h);
	size_t done = 0;

	if (fd < 0)
		return -EBADF;
	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int sync_fd(int fd, int data_only)
{
	int rv;

	do
		rv = data_only ? fdatasync(fd) : fsync(fd);
	while (rv != 0 && errno == EINTR);
	return rv != 0 ? -errno : 0;
}

static int dp_sync(struct disk *d, int h)
{
	int fd = fd_of(d, h);

	if (fd < 0)
		return -EBADF;
	return sync_fd(fd, 1);
}

static int dp_truncate(struct disk *d, int h, uint64_t len)
{
	int fd = fd_of(d, h);
	int rv;

	if (fd < 0)
		return -EBADF;
	do
		rv = ftruncate(fd, (off_t)len);
	while (rv != 0 && errno == EINTR);
	return rv != 0 ? -errno : 0;
}

static int dp_rename(struct disk *d, const char *from, const char *to)
{
	int dirfd = dp_of(d)->dirfd;

	if (!name_ok(from) || !name_ok(to))
		return -EINVAL;
	return renameat(dirfd, from, dirfd, to) != 0 ? -errno : 0;
}

static int dp_remove(struct disk *d, const char *name)
{
	if (!name_ok(name))
		return -EINVAL;
	return unlinkat(dp_of(d)->dirfd, name, 0) != 0 ? -errno : 0;
}

static int dp_sync_dir(struct disk *d)
{
	return sync_fd(dp_of(d)->dirfd, 0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int dp_list(struct disk *d, char (**names)[DISK_NAME_MAX + 1],
		   int *count)
{
	char(*out)[DISK_NAME_MAX + 1] = NULL;
	int n = 0, cap = 0, fd, rv = 0;
	struct dirent *de;
	DIR *dir;

	fd = openat(dp_of(d)->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		rv = -errno;
		close(fd);
		return rv;
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (!name_ok(de->d_name))
			continue; /* ".", "..", or too long to be ours */
		if (n == cap) {
			int ncap = cap ? cap * 2 : 16;
			void *p = realloc(out, (size_t)ncap * sizeof(*out));

			if (p == NULL) {
				rv = -ENOMEM;
				goto err;
			}
			out = p;
			cap = ncap;
		}
		memcpy(out[n++], de->d_name, strlen(de->d_name) + 1); /* fits */
	}
	if (errno != 0) {
		rv = -errno;
		goto err;
	}
	closedir(dir);
	if (n > 0)
		qsort(out, (size_t)n, sizeof(*out), name_cmp);
	*names = out;
	*count = n;
	return 0;
err:
	closedir(dir);
	free(out);
	return rv;
}

static const struct disk_ops posix_ops = {
	.open = dp_open,
	.close = dp_close,
	.size = dp_size,
	.pread = dp_pread,
	.pwrite = dp_pwrite,
	.sync = dp_sync,
	.truncate = dp_truncate,
	.rename = dp_rename,
	.remove = dp_remove,
	.sync_dir = dp_sync_dir,
	.list = dp_list,
};

/* mkdir -p: each component in turn, an existing one being fine. */
/* fsync of the directory that holds path (path itself not "/"). */
static int sync_parent(const char *path)
{
	char parent[sizeof(((struct disk *)0)->where)];
	char *slash;
	int fd, rv = 0;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rv = -errno;
	close(fd);
	return rv;
}

static int make_dirs(const char *path)
{
	char buf[sizeof(((struct disk *)0)->where)];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == 0) {
			/* the new name is durable once its parent is synced:
			 * else a power cut could lose a node's directory, and
			 * with it the votes it promised */
			int rv = sync_parent(buf);

			if (rv != 0)
				return rv;
		} else if (errno != EEXIST) {
			return -errno;
		}
		buf[i] = path[i];
	}
	return 0;
}

struct disk *disk_posix_open(const char *path, int *err)
{
	struct disk_posix *dp;
	int rv, i;

	rv = make_dirs(path);
	if (rv != 0)
		goto err;
	dp = malloc(sizeof(*dp));
	if (dp == NULL) {
		rv = -ENOMEM;
		goto err;
	}
	dp->base.ops = &posix_ops;
	snprintf(dp->base.where, sizeof(dp->base.where), "%s", path);
	for (i = 0; i < POSIX_FILES; i++)
		dp->fds[i] = -1;
	dp->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dp->dirfd < 0) {
		rv = -errno;
		free(dp);
		goto err;
	}
	return &dp->base;
err:
	*err = rv;
	return NULL;
}

void disk_posix_close(struct disk *d)
{
	struct disk_posix *dp = dp_of(d);
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < POSIX_FILES; i++)
		dp_close(d, i);
	close(dp->dirfd);
	free(dp);
}

/* run_dir.c - DIR/run: what a resume must match; see run_dir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_dir.h"

#define RUN_PATH_MAX 4096

struct run_record {
	int nodes;
	char mode[32];         /* "threads" */
	char workload[32];     /* "kv" (--clients) or "digest" */
	uint64_t clients_used; /* client numbers taken by earlier runs */
	uint64_t resumes;
};

static const char *workload_of(const struct raftsim_options *o)
{
	return options_have_clients(o) ? "kv" : "digest";
}

/* mkdir -p: DIR may be new. Returns 0 or an errno value. */
static int make_dirs(const char *path)
{
	char buf[RUN_PATH_MAX];
	size_t i;

	snprintf(buf, sizeof(buf), "%s", path);
	for (i = 1; buf[i] != '\0'; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return errno;
		buf[i] = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return errno;
	return 0;
}

/* Reads DIR/run. Returns 0, ENOENT, or EINVAL (not a run file). */
static int read_record(const char *path, struct run_record *r)
{
	char key[32], value[32];
	unsigned seen = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return errno;
	memset(r, 0, sizeof(*r));
	while (fscanf(f, "%31s %31s", key, value) == 2) {
		if (strcmp(key, "nodes") == 0) {
			r->nodes = atoi(value);
			seen |= 1;
		} else if (strcmp(key, "mode") == 0) {
			memcpy(r->mode, value, sizeof(r->mode));
			seen |= 2;
		} else if (strcmp(key, "workload") == 0) {
			memcpy(r->workload, value, sizeof(r->workload));
			seen |= 4;
		} else if (strcmp(key, "clients_used") == 0) {
			r->clients_used = strtoull(value, NULL, 10);
			seen |= 8;
		} else if (strcmp(key, "resumes") == 0) {
			r->resumes = strtoull(value, NULL, 10);
			seen |= 16;
		}
	}
	fclose(f);
	return seen == 31 && r->nodes > 0 ? 0 : EINVAL;
}

/* Writes DIR/run whole: a temporary file, synced, renamed over the old
 * one, the directory synced. Returns 0 or an errno value. */
static int write_record(const char *dir, const struct run_record *r)
{
	char path[RUN_PATH_MAX], tmp[RUN_PATH_MAX], text[256];
	int fd, dfd, n, rv = 0;

	snprintf(path, sizeof(path), "%s/run", dir);
	snprintf(tmp, sizeof(tmp), "%s/run.tmp", dir);
	n = snprintf(text, sizeof(text),
		     "nodes %d\nmode %s\nworkload %s\nclients_used %" PRIu64
		     "\nresumes %" PRIu64 "\n",
		     r->nodes, r->mode, r->workload, r->clients_used,
		     r->resumes);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return errno;
	if (write(fd, text, (size_t)n) != n || fsync(fd) != 0)
		rv = errno != 0 ? errno : EIO;
	if (close(fd) != 0 && rv == 0)
		rv = errno;
	if (rv == 0 && rename(tmp, path) != 0)
		rv = errno;
	if (rv != 0)
		return rv;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno;
	if (fsync(dfd) != 0)
		rv = errno;
	close(dfd);
	return rv;
}

/* The node directories must be node-0 .. node-<nodes-1>, no more. */
static int check_node_dirs(const struct raftsim_options *o, FILE *err)
{
	char path[RUN_PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int i, id;
	char tail;

	for (i = 0; i < o->nodes; i++) {
		snprintf(path, sizeof(path), "%s/node-%d", o->data_dir, i);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(err,
				"raftsim: --resume: %s is missing: --nodes %d "
				"does not match the run in '%s'\n",
				path, o->nodes, o->data_dir);
			return EXIT_USAGE;
		}
	}
	d = opendir(o->data_dir);
	if (d == NULL) {
		fprintf(err, "raftsim: --data-dir: cannot read '%s': %s\n",
			o->data_dir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "node-%d%c", &id, &tail) != 1 ||
		    id < o->nodes)
			continue;
		fprintf(err,
			"raftsim: --resume: '%s' holds %s: --nodes %d does "
			"not match the run there\n",
			o->data_dir, de->d_name, o->nodes);
		closedir(d);
		return EXIT_USAGE;
	}
	closedir(d);
	return 0;
}

/* A resume: DIR/run must say the same cluster as the flags. */
static int check_resume(const struct raftsim_options *o,
			const struct run_record *r, const char *path, FILE *err)
{
	if (r->nodes != o->nodes) {
		fprintf(err,
			"raftsim: --nodes %d: the run in '%s' has %d nodes "
			"(%s)\n",
			o->nodes, o->data_dir, r->nodes, path);
		return EXIT_USAGE;
	}
	if (strcmp(r->mode, "threads") != 0) {
		fprintf(err,
			"raftsim: --resume: the run in '%s' ran in mode "
			"'%s' (%s)\n",
			o->data_dir, r->mode, path);
		return EXIT_USAGE;
	}
	if (strcmp(r->workload, workload_of(o)) != 0) {
		fprintf(err,
			"raftsim: %s: the run in '%s' %s (%s): its state "
			"machine differs\n",
			options_have_clients(o) ? "--clients" : "--load",
			o->data_dir,
			strcmp(r->workload, "kv") == 0
				? "had --clients (the key-value store)"
				: "had no --clients (the digest state machine)",
			path);
		return EXIT_USAGE;
	}
	if (r->clients_used + o->clients > (uint64_t)INT_MAX / 2) {
		fprintf(err,
			"raftsim: --clients %u: the runs in '%s' used %" PRIu64
			" client numbers already\n",
			o->clients, o->data_dir, r->clients_used);
		return EXIT_USAGE;
	}
	return check_node_dirs(o, err);
}

int run_dir_prepare(struct raftsim_options *o, FILE *err)
{
	char path[RUN_PATH_MAX];
	struct run_record r;
	int rv;

	if (o->data_dir == NULL || o->sim)
		return 0;
	if (strlen(o->data_dir) + 32 >= sizeof(path)) {
		fprintf(err, "raftsim: --data-dir: '%s' is too long\n",
			o->data_dir);
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/run", o->data_dir);
	rv = read_record(path, &r);
	if (!o->resume && rv != ENOENT) {
		fprintf(err,
			"raftsim: --data-dir: '%s' holds a previous run; add "
			"--resume or use an empty directory\n",
			o->data_dir);
		return EXIT_USAGE;
	}
	if (o->resume && rv != 0) {
		fprintf(err, "raftsim: --resume: %s: %s\n", path,
			rv == EINVAL ? "not a raftsim run file"
			: rv == ENOENT
				? "no run to resume (a first run writes it)"
				: strerror(rv));
		return rv == ENOENT || rv == EINVAL ? EXIT_USAGE
						    : EXIT_RUN_FAILED;
	}
	if (o->resume) {
		rv = check_resume(o, &r, path, err);
		if (rv != 0)
			return rv;
		r.resumes++;
	} else {
		memset(&r, 0, sizeof(r));
		r.nodes = o->nodes;
		snprintf(r.mode, sizeof(r.mode), "threads");
		snprintf(r.workload, sizeof(r.workload), "%s", workload_of(o));
		rv = make_dirs(o->data_dir);
		if (rv != 0) {
			fprintf(err,
				"raftsim: --data-dir: cannot create "
				"'%s': %s\n",
				o->data_dir, strerror(rv));
			return EXIT_RUN_FAILED;
		}
	}
	o->client_base = (int)r.clients_used;
	r.clients_used += o->clients;
	rv = write_record(o->data_dir, &r);
	if (rv != 0) {
		fprintf(err, "raftsim: --data-dir: cannot write %s: %s\n", path,
			strerror(rv));
		return EXIT_RUN_FAILED;
	}
	return 0;
}

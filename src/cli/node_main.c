/* node_main.c - raftsim node: one node of a TCP cluster per process
 * (tcp_commands.h; issue 13).
 *
 * The process runs the threaded runtime with one local node, --id; every
 * other node of --peers is another process (harness.h's remote nodes),
 * reached over TCP (net/tcp.h, runtime_remote.c). Its clients are other
 * processes too (raftsim client, bench): it serves them with its key-value
 * store, or with --load proposes the load to itself while it leads.
 *
 * Its checks here, before anything starts (exit 2, naming the flag): --id
 * and --peers given, the list well formed with ids 0..N-1 and no port 0,
 * --id among them, --listen a HOST:PORT. A port that cannot be bound is
 * the machine's refusal (exit 3), said with the flag that named it.
 *
 * --data-dir DIR holds this node's files (DIR itself). Files in it are a
 * previous life of this node (killed, or stopped): the node recovers from
 * them and appends to its --trace as --resume does (run_dir.h); no flag is
 * needed for that. The trace holds only this node's events: `raftsim
 * check A B C` judges the cluster from every node's trace.
 *
 * It runs until SIGTERM or SIGINT (or --ticks), then ends its trace and
 * syncs its WAL like any run (exit 143 or 130).
 */
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/tcp.h"
#include "runtime/runtime.h"
#include "tcp_commands.h"

/* A run "until a signal": the most ticks whose deadlines stay far from
 * int64_t's end (start + ticks * tick, in us). */
#define NODE_FOREVER_US (INT64_MAX / 4)

static int usage(FILE *err, const char *flag, const char *why)
{
	fprintf(err, "raftsim: %s: %s\n", flag, why);
	fputs("Try 'raftsim node --help' for more information.\n", err);
	return EXIT_USAGE;
}

/* Whether the machine lets this process listen at addr; the transport
 * binds it for real later (SO_REUSEADDR both times). Returns 0, or an
 * exit code after saying why on err. */
static int probe_listen(const char *flag, const struct tcp_addr *addr,
			FILE *err)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];
	int one = 1;
	int fd, rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%u", (unsigned)addr->port);
	rv = getaddrinfo(addr->host, port, &hints, &ai);
	if (rv != 0) {
		fprintf(err, "raftsim: %s: host '%s': %s\n", flag, addr->host,
			gai_strerror(rv));
		return EXIT_USAGE;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
	rv = fd < 0 ? -1 : 0;
	if (rv == 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rv == 0)
		rv = bind(fd, ai->ai_addr, ai->ai_addrlen);
	if (rv != 0)
		fprintf(err, "raftsim: %s: cannot listen on %s:%u: %s\n", flag,
			addr->host, (unsigned)addr->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rv == 0 ? 0 : EXIT_RUN_FAILED;
}

/* --peers, --id and --listen; sets o->nodes. */
static int check_addresses(struct raftsim_options *o, FILE *err)
{
	static struct tcp_addr addrs[OPT_MAX_NODES];
	struct tcp_addr listen;
	char why[512], flag[300];
	int count = 0;
	int i;

	if (o->node_id < 0)
		return usage(err, "--id",
			     "which node is this process? (--id I, "
			     "one of --peers' ids)");
	if (o->peers == NULL)
		return usage(err, "--peers",
			     "where is the cluster? (--peers 0=HOST:PORT,"
			     "1=HOST:PORT,..., this node included)");
	if (tcp_parse_peers(o->peers, addrs, OPT_MAX_NODES, &count, why,
			    sizeof(why)) != 0)
		return usage(err, "--peers", why);
	for (i = 0; i < count; i++)
		if (addrs[i].port == 0) {
			snprintf(why, sizeof(why),
				 "node %d's port is 0: its peers could not "
				 "dial it",
				 i);
			return usage(err, "--peers", why);
		}
	if (o->node_id >= count) {
		snprintf(why, sizeof(why),
			 "%d is not among --peers' ids (0 to %d)", o->node_id,
			 count - 1);
		return usage(err, "--id", why);
	}
	o->nodes = count;
	listen = addrs[o->node_id];
	snprintf(flag, sizeof(flag), "--peers (node %d's entry)", o->node_id);
	if (o->listen != NULL) {
		if (tcp_parse_addr(o->listen, &listen, why, sizeof(why)) != 0)
			return usage(err, "--listen", why);
		if (listen.port == 0)
			return usage(err, "--listen",
				     "port 0: its peers dial the port "
				     "--peers gives");
		snprintf(flag, sizeof(flag), "--listen");
	}
	return probe_listen(flag, &listen, err);
}

/* Whether DIR holds this node's WAL from an earlier life: then the node
 * recovers from it and its trace goes on (resume). */
static bool holds_wal(const char *dir)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		found = strcmp(de->d_name, "meta") == 0 ||
			strcmp(de->d_name, "snapshot") == 0 ||
			strncmp(de->d_name, "wal-", 4) == 0;
	closedir(d);
	return found;
}

int node_main(const struct raftsim_options *given, FILE *out, FILE *err)
{
	static struct raftsim_options o; /* large: off the stack */
	int code;

	o = *given;
	code = check_addresses(&o, err);
	if (code != 0)
		return code;
	if (o.ticks == 0)
		o.ticks = (uint64_t)(NODE_FOREVER_US / (int64_t)o.tick_us);
	o.resume = o.data_dir != NULL && holds_wal(o.data_dir);
	return runtime_run(&o, out, err);
}

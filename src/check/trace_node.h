/* trace_node.h - a per-node trace's start line (`raftsim node`, issue 13).
 *
 * A node process writes a normal trace (schema 5) of its own node's events
 * whose start line says, beside run_info: "mode":"node", "node_id":I,
 * "transport":"tcp", "host" (gethostname), and where the run's time 0 lies
 * on the host's clocks: "mono_us" (CLOCK_MONOTONIC, comparable between the
 * processes of one host while it stays up) and "unix_us" (CLOCK_REALTIME,
 * comparable between hosts only as far as their clocks agree). A node
 * restarted after kill -9 appends a "resume":true start line with a new
 * time 0, then its restart line.
 */
#ifndef TRACE_NODE_H
#define TRACE_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "harness/world.h"

enum {
	TRACE_NODE_ID = 1,
	TRACE_NODE_MONO = 2,
	TRACE_NODE_UNIX = 4,
	TRACE_NODE_HOST = 8,
};

struct trace_node_start {
	char mode[sizeof(((struct run_info *)0)->mode)];
	int node_id; /* -1 when not given */
	int64_t mono_us, unix_us;
	char host[256];
	char boot_id[40]; /* "" when the line has none */
	unsigned have;    /* TRACE_NODE_* */
};

/* Reads the node fields of a start line that trace_parse accepted (other
 * fields are skipped). Returns 0, or -1 with a reason in err. */
int trace_node_start(const char *line, struct trace_node_start *ns, char *err,
		     size_t errlen);

/* For a "node" start line: the first field it lacks, or NULL. */
const char *trace_node_missing(const struct trace_node_start *ns);

#endif

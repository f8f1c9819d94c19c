/* trace_node.c - what a per-node trace's start line says beyond run_info
 * (`raftsim node`, issue 13): which node wrote it and where its time 0 lies
 * on the host's clocks. trace_parse skips these fields; `raftsim check A B
 * C` reads them here to put every file on one clock (trace_merge.c).
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "trace_json.h"
#include "trace_node.h"

static int node_field(struct trace_json_parser *ps, const char *key,
		      struct trace_node_start *ns)
{
	uint64_t v;
	int rv;

	if (strcmp(key, "node_id") == 0) {
		rv = trace_json_parse_fixed(ps, RAFT_MAX_NODES - 1, 0, &v);
		ns->node_id = (int)v;
		ns->have |= TRACE_NODE_ID;
	} else if (strcmp(key, "mono_us") == 0) {
		rv = trace_json_parse_fixed(ps, INT64_MAX, 0, &v);
		ns->mono_us = (int64_t)v;
		ns->have |= TRACE_NODE_MONO;
	} else if (strcmp(key, "unix_us") == 0) {
		rv = trace_json_parse_fixed(ps, INT64_MAX, 0, &v);
		ns->unix_us = (int64_t)v;
		ns->have |= TRACE_NODE_UNIX;
	} else if (strcmp(key, "host") == 0) {
		rv = trace_json_lex_string(ps, ns->host, sizeof(ns->host));
		if (rv > 0)
			return trace_json_fail(ps, "\"host\" is too long");
		ns->have |= TRACE_NODE_HOST;
	} else if (strcmp(key, "boot_id") == 0) {
		rv = trace_json_lex_string(ps, ns->boot_id,
					   sizeof(ns->boot_id));
		if (rv > 0)
			return trace_json_fail(ps, "\"boot_id\" is too long");
	} else if (strcmp(key, "mode") == 0) {
		rv = trace_json_lex_string(ps, ns->mode, sizeof(ns->mode));
		if (rv > 0)
			return trace_json_fail(ps, "\"mode\" is too long");
	} else {
		rv = trace_json_skip_value(ps, 1);
	}
	return rv;
}

int trace_node_start(const char *line, struct trace_node_start *ns, char *err,
		     size_t errlen)
{
	struct trace_json_parser ps = {line, line, 0, err, errlen};
	char key[32];
	bool first = true;
	int rv;

	memset(ns, 0, sizeof(*ns));
	ns->node_id = -1;
	if (errlen > 0)
		err[0] = '\0';
	if (trace_json_expect(&ps, '{') != 0)
		return -1;
	while (*ps.p != '}') {
		if ((!first && trace_json_expect(&ps, ',')) ||
		    (rv = trace_json_lex_string(&ps, key, sizeof(key))) < 0 ||
		    trace_json_expect(&ps, ':'))
			return -1;
		first = false;
		if (rv > 0)
			key[0] = '\0'; /* a long key is none of ours: skipped */
		if (node_field(&ps, key, ns) != 0)
			return -1;
		trace_json_skip_ws(&ps);
	}
	return 0;
}

const char *trace_node_missing(const struct trace_node_start *ns)
{
	if (strcmp(ns->mode, "node") != 0)
		return NULL;
	if (!(ns->have & TRACE_NODE_ID))
		return "node_id";
	if (!(ns->have & TRACE_NODE_MONO))
		return "mono_us";
	if (!(ns->have & TRACE_NODE_UNIX))
		return "unix_us";
	if (!(ns->have & TRACE_NODE_HOST))
		return "host";
	return NULL;
}

/* history.h - one client operation's events, as Jepsen records them
 * (invoke, then ok, fail or info), in the trace's client-history format
 * (README "Client history"; issue 11):
 *
 *   {"ev":"invoke","ms":M,"client":C,"id":I,"op":"get","key":"k"}
 *   {"ev":"invoke",...,"op":"put"|"append","key":"k","value":"v"}
 *   {"ev":"invoke",...,"op":"cas","key":"k","expect":"v0"|null,"value":"v1"}
 *   {"ev":"invoke",...,"op":"delete","key":"k"}
 *   {"ev":"ok","ms":M,"client":C,"id":I,"value":"v"|null}   get
 *   {"ev":"ok","ms":M,"client":C,"id":I,"swapped":true|false} cas
 *   {"ev":"ok","ms":M,"client":C,"id":I}                   put, append, delete
 *   {"ev":"fail","ms":M,"client":C,"id":I}  certainly did not take effect
 *   {"ev":"info","ms":M,"client":C,"id":I}  unknown: open for ever
 *
 * `id` is unique per client; a completion matches the client's earlier
 * invoke of that id. A client may invoke again after an info (its open
 * operation may take effect at any later time, or never).
 *
 * The values raftsim's own clients write (put, cas's new value, an append's
 * chunk) are unique in a run and self-delimiting: "c<client>i<id>" followed
 * by '.' padding up to --value-bytes, so a chunk starts with 'c' and holds
 * no other 'c', and a read of an appended key splits at each 'c'. Histories
 * from elsewhere need not follow this: the checker only uses it when it
 * holds.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hist_type { HIST_INVOKE, HIST_OK, HIST_FAIL, HIST_INFO };
enum hist_op { HIST_GET, HIST_PUT, HIST_APPEND, HIST_CAS, HIST_DELETE };

/* Strings are (pointer, length), not NUL-terminated, valid only for the
 * call they are handed to: whoever keeps one copies it. */
struct hist_str {
	const char *s;
	size_t len;
	bool null; /* JSON null: a get of an absent key; cas "expect absent" */
};

struct hist_event {
	enum hist_type type;
	int64_t us; /* "ms" in the trace, to the microsecond */
	int client;
	uint64_t id;
	/* invoke: */
	enum hist_op op;
	struct hist_str key;
	struct hist_str value;  /* put, append, cas (new); ok of a get */
	struct hist_str expect; /* cas */
	/* ok of a cas: */
	bool swapped;
	bool has_swapped; /* the ok carried "swapped" */
	bool has_value;   /* the ok carried "value" */
};

const char *hist_op_name(enum hist_op op);
const char *hist_type_name(enum hist_type type);

/* Writes ev as one JSON line (no newline) into buf, escaping strings as
 * JSON; returns the length it needed (like snprintf: truncated when that
 * is >= cap). */
size_t hist_format(const struct hist_event *ev, char *buf, size_t cap);

/* Parses one JSON line. Returns 1 and fills *ev (strings point into a
 * buffer of the parser's own, valid until the next call with the same
 * scratch) when it is a client event; 0 when it is valid JSON of another
 * event (a trace's other lines); -1 when malformed, with a message in
 * err. */
struct hist_scratch {
	char *buf;
	size_t cap;
};
int hist_parse(const char *line, size_t len, struct hist_event *ev,
	       struct hist_scratch *scratch, char *err, size_t errcap);
void hist_scratch_free(struct hist_scratch *scratch);

#endif

/* trace_read.c - trace_parse: one trace line back into an event, the
 * inverse of trace_write.c. One flat JSON object per line whose known fields
 * are typed and range-checked; unknown fields of any type are skipped (with
 * limited nesting, so no input can exhaust the stack). Every read stops at
 * the line's terminating NUL, so malformed input is reported, never trusted.
 * A client history line is read here like any other (its "ev", "ms" and
 * "client"), then by hist_parse (history.h) for the operation.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_json.h"

enum field {
	F_EV,
	F_MS,
	F_NODE,
	F_FOR,
	F_LEADER,
	F_FROM,
	F_TERM,
	F_ROLE,
	F_TICK,
	F_SENT,
	F_SEEN,
	F_GROUPS,
	F_TICKS,
	F_VIOLATIONS,
	F_SPURIOUS,
	F_MODE,
	F_NODES,
	F_SEED,
	F_TICK_MS,
	F_HEARTBEAT,
	F_ELECTION,
	F_SCHEMA,
	F_DROP,
	F_DUP,
	F_REORDER,
	F_RANDOM,
	F_PREVOTE,
	F_QUORUM,
	F_RANKED,
	F_MISTAKES,
	F_NOW,
	F_LATENCY,
	F_INTERRUPTED, /* end: optional, written only when true */
	F_LATE,
	F_INDEX, /* schema 3: log events */
	F_FIRST,
	F_LAST,
	F_ENTRY_TERM,
	F_DIGEST,
	F_CLIENT, /* schema 4: clients */
	F_SEQ,
	F_TOKEN,
	F_HIGHEST,
	F_ACCEPTED,
	F_VOTE, /* schema 5: storage */
	F_WHAT,
	F_TEXT,
	F_SNAPSHOT,
	F_LOG_END,
	F_RUNS,
	F_RESUME,
	F_COUNT
};

enum kind {
	K_EV,
	K_UINT,
	K_ROLE,
	K_GROUPS,
	K_MODE,
	K_PAIR,
	K_PROB,
	K_BOOL,
	K_HEX,
	K_TUPLE, /* two numbers in any order: [index, term] */
	K_VOTE,  /* a node, or null */
	K_WHAT,  /* a disk event's kind */
	K_TEXT,  /* a string kept in the slots */
	K_RUNS   /* [[first, term], ...], kept in the slots */
};

#define NODE_ID K_UINT, RAFT_MAX_NODES - 1, 0
#define U64 K_UINT, UINT64_MAX, 0

/* Every field the trace knows: its JSON type, largest value, decimals. */
static const struct {
	const char *name;
	enum kind kind;
	uint64_t max;
	int decimals;
} fields[F_COUNT] = {
	[F_EV] = {"ev", K_EV, 0, 0},
	[F_MS] = {"ms", K_UINT, INT64_MAX, 3},
	[F_NODE] = {"node", NODE_ID},
	[F_FOR] = {"for", NODE_ID},
	[F_LEADER] = {"leader", NODE_ID},
	/* A node (saw_term, loss) or an index (truncate): assemble checks
	 * the node ids. */
	[F_FROM] = {"from", U64},
	[F_TERM] = {"term", U64},
	[F_ROLE] = {"role", K_ROLE, 0, 0},
	[F_TICK] = {"tick", U64},
	[F_SENT] = {"sent", K_UINT, INT_MAX, 0},
	[F_SEEN] = {"seen", U64},
	[F_GROUPS] = {"groups", K_GROUPS, 0, 0},
	[F_TICKS] = {"ticks", U64},
	[F_VIOLATIONS] = {"violations", U64},
	[F_SPURIOUS] = {"spurious_elections", U64},
	[F_MODE] = {"mode", K_MODE, 0, 0},
	[F_NODES] = {"nodes", K_UINT, RAFT_MAX_NODES, 0},
	[F_SEED] = {"seed", U64},
	[F_TICK_MS] = {"tick_ms", K_UINT, UINT_MAX, 3},
	[F_HEARTBEAT] = {"heartbeat_ticks", K_UINT, UINT_MAX, 0},
	[F_ELECTION] = {"election_ticks", K_PAIR, UINT_MAX, 0},
	[F_SCHEMA] = {"schema", K_UINT, UINT_MAX, 0},
	[F_DROP] = {"drop", K_PROB, 0, 0},
	[F_DUP] = {"dup", K_PROB, 0, 0},
	[F_REORDER] = {"reorder", K_PROB, 0, 0},
	[F_RANDOM] = {"random_faults", K_BOOL, 0, 0},
	[F_PREVOTE] = {"prevote", K_BOOL, 0, 0},
	[F_QUORUM] = {"check_quorum", K_BOOL, 0, 0},
	[F_RANKED] = {"ranked_timeouts", K_BOOL, 0, 0},
	[F_MISTAKES] = {"mistakes", K_UINT, UINT_MAX, 0},
	[F_NOW] = {"now", U64},
	[F_LATENCY] = {"latency_ms", K_PAIR, INT64_MAX / 1000, 3},
	[F_INTERRUPTED] = {"interrupted", K_BOOL, 0, 0},
	[F_LATE] = {"late_ms", K_UINT, INT64_MAX, 3},
	[F_INDEX] = {"index", U64},
	[F_FIRST] = {"first", U64},
	[F_LAST] = {"last", U64},
	[F_ENTRY_TERM] = {"entry_term", U64},
	[F_DIGEST] = {"digest", K_HEX, 0, 0},
	[F_CLIENT] = {"client", K_UINT, INT_MAX, 0},
	[F_SEQ] = {"seq", U64},
	[F_TOKEN] = {"token", U64},
	[F_HIGHEST] = {"highest", U64},
	[F_ACCEPTED] = {"accepted", K_BOOL, 0, 0},
	[F_VOTE] = {"vote", K_VOTE, 0, 0},
	[F_WHAT] = {"what", K_WHAT, 0, 0},
	[F_TEXT] = {"text", K_TEXT, 0, 0},
	[F_SNAPSHOT] = {"snapshot", K_TUPLE, UINT64_MAX, 0},
	[F_LOG_END] = {"log_end", K_TUPLE, UINT64_MAX, 0},
	[F_RUNS] = {"runs", K_RUNS, 0, 0},
	[F_RESUME] = {"resume", K_BOOL, 0, 0},
};

/* A set of fields: one bit each. */
typedef uint64_t field_set;
_Static_assert(F_COUNT < 64, "a field_set has a bit for every field and "
			     "one for 'some field was read'");

#define B(f) ((field_set)1 << (f))
#define BASE (B(F_EV) | B(F_MS))
#define NODE_EV (BASE | B(F_NODE))
#define CORE_EV (NODE_EV | B(F_TERM) | B(F_NOW))
#define NODE_IDS (B(F_NODE) | B(F_FOR) | B(F_LEADER) | B(F_FROM))
#define RANGE (B(F_FIRST) | B(F_LAST) | B(F_ENTRY_TERM))

/* The fields trace_format writes for each type, all of them required. */
static const field_set required[WEV_TYPE_COUNT] = {
	[WEV_START] = BASE | B(F_MODE) | B(F_NODES) | B(F_SEED) | B(F_TICK_MS) |
		      B(F_HEARTBEAT) | B(F_ELECTION) | B(F_SCHEMA) | B(F_DROP) |
		      B(F_DUP) | B(F_REORDER) | B(F_RANDOM) | B(F_PREVOTE) |
		      B(F_QUORUM) | B(F_RANKED) | B(F_MISTAKES) | B(F_LATENCY),
	[WEV_TERM] = CORE_EV,
	[WEV_ROLE] = CORE_EV | B(F_ROLE),
	[WEV_VOTE] = CORE_EV | B(F_FOR),
	[WEV_HEARTBEAT] = CORE_EV | B(F_LEADER),
	[WEV_ROUND] = CORE_EV | B(F_TICK) | B(F_SENT),
	[WEV_ELECTION] = CORE_EV | B(F_TICK),
	[WEV_PREVOTE] = CORE_EV | B(F_TICK),
	[WEV_SAW_TERM] = CORE_EV | B(F_ROLE) | B(F_FROM) | B(F_SEEN),
	[WEV_PAUSE] = NODE_EV,
	[WEV_RESUME] = NODE_EV,
	[WEV_CRASH] = NODE_EV,
	[WEV_RESTART] = NODE_EV,
	[WEV_PARTITION] = BASE | B(F_GROUPS),
	[WEV_HEAL] = BASE,
	[WEV_LOSS] = NODE_EV | B(F_FROM),
	[WEV_LATE] = NODE_EV | B(F_TICK) | B(F_LATE),
	[WEV_END] = BASE | B(F_TICKS) | B(F_VIOLATIONS) | B(F_SPURIOUS),
	[WEV_APPEND] = CORE_EV | RANGE,
	[WEV_COMMIT] = CORE_EV | B(F_INDEX),
	[WEV_APPLY] = CORE_EV | RANGE | B(F_DIGEST),
	[WEV_TRUNCATE] = CORE_EV | B(F_FROM),
	[WEV_SNAPSHOT] = CORE_EV | B(F_INDEX) | B(F_ENTRY_TERM),
	[WEV_PROPOSE] = CORE_EV | RANGE,
	/* The history's other fields are hist_parse's. */
	[WEV_INVOKE] = BASE | B(F_CLIENT),
	[WEV_OK] = BASE | B(F_CLIENT),
	[WEV_FAIL] = BASE | B(F_CLIENT),
	[WEV_INFO] = BASE | B(F_CLIENT),
	[WEV_FENCED] = NODE_EV | B(F_TOKEN) | B(F_HIGHEST) | B(F_ACCEPTED),
	[WEV_DUPLICATE] = NODE_EV | B(F_CLIENT) | B(F_SEQ) | B(F_INDEX),
	[WEV_PERSIST] = NODE_EV | B(F_TERM) | B(F_VOTE) | B(F_INDEX) |
			B(F_ENTRY_TERM),
	[WEV_DISK] = NODE_EV | B(F_WHAT) | B(F_TEXT),
};

/* A restart's recovered state (schema 5): all of these, or none. */
#define RECOVERED                                                              \
	(B(F_TERM) | B(F_VOTE) | B(F_SNAPSHOT) | B(F_LOG_END) | B(F_RUNS))

/* Fields a type may have beyond its required ones: a snapshot's "leader",
 * written when it was installed from one. */
static const field_set optional[WEV_TYPE_COUNT] = {
	[WEV_SNAPSHOT] = B(F_LEADER),
	[WEV_START] = B(F_RESUME),
	[WEV_RESTART] = RECOVERED,
};

/* What one line said, before it is known to be a whole event. */
struct line {
	field_set seen;
	int type;
	uint64_t num[F_COUNT]; /* integers and booleans, by field; the
				  larger value of a pair */
	uint64_t low[F_COUNT]; /* the smaller value of a pair */
	double prob[F_COUNT];
	enum raft_role role;
	char mode[sizeof(((struct run_info *)0)->mode)];
	uint8_t group_of[RAFT_MAX_NODES];
	int vote;      /* "vote": a node, or RAFT_NONE for null */
	int disk_what; /* "what" */
	int run_count; /* "runs": pairs in slots->runs */
	struct trace_slots *slots;
};

static int parse_field(struct trace_json_parser *ps, struct line *f, int field)
{
	const char *s;
	char buf[64];
	size_t n;
	int rv;

	switch (fields[field].kind) {
	case K_EV:
		rv = trace_json_lex_string(ps, buf, sizeof(buf));
		f->type = rv == 0 ? wev_from_name(buf) : -1;
		return rv < 0 ? -1
		       : f->type < 0
			       ? trace_json_fail(ps, "unknown \"ev\" name")
			       : 0;
	case K_UINT:
		return trace_json_parse_fixed(ps, fields[field].max,
					      fields[field].decimals,
					      &f->num[field]);
	case K_ROLE:
		if (trace_json_lex_string(ps, buf, sizeof(buf)) < 0)
			return -1;
		for (rv = RAFT_FOLLOWER; rv <= RAFT_LEADER; rv++)
			if (!strcmp(buf, raft_role_name((enum raft_role)rv)))
				f->role = (enum raft_role)rv;
		return strcmp(buf, raft_role_name(f->role)) == 0
			       ? 0
			       : trace_json_fail(ps, "unknown role");
	case K_GROUPS:
		return trace_value_groups(ps, f->group_of);
	case K_MODE:
		rv = trace_json_lex_string(ps, f->mode, sizeof(f->mode));
		return rv > 0 ? trace_json_fail(ps, "\"mode\" is too long")
			      : rv;
	case K_PAIR:
		if (trace_json_expect(ps, '[') ||
		    trace_json_parse_fixed(ps, fields[field].max,
					   fields[field].decimals,
					   &f->low[field]) ||
		    trace_json_expect(ps, ',') ||
		    trace_json_parse_fixed(ps, fields[field].max,
					   fields[field].decimals,
					   &f->num[field]))
			return -1;
		if (f->low[field] > f->num[field])
			return trace_json_fail(
				ps,
				"\"%s\": the first value exceeds the "
				"second",
				fields[field].name);
		return trace_json_expect(ps, ']');
	case K_PROB:
		if (trace_json_lex_number(ps, &s, &n) != 0)
			return -1;
		memcpy(buf, s, n < sizeof(buf) ? n : 0);
		buf[n < sizeof(buf) ? n : 0] = '\0';
		f->prob[field] = strtod(buf, NULL);
		return n < sizeof(buf) && f->prob[field] >= 0.0 &&
				       f->prob[field] <= 1.0
			       ? 0
			       : trace_json_fail(ps,
						 "expected a probability 0..1");
	case K_HEX:
		return trace_value_hex(ps, &f->num[field]);
	case K_TUPLE:
		if (trace_json_expect(ps, '[') ||
		    trace_json_parse_fixed(ps, fields[field].max, 0,
					   &f->low[field]) ||
		    trace_json_expect(ps, ',') ||
		    trace_json_parse_fixed(ps, fields[field].max, 0,
					   &f->num[field]))
			return -1;
		return trace_json_expect(ps, ']');
	case K_VOTE:
		return trace_value_vote(ps, &f->vote);
	case K_WHAT:
		rv = trace_json_lex_string(ps, buf, sizeof(buf));
		f->disk_what = rv == 0 ? wev_disk_from_name(buf) : -1;
		return rv < 0 ? -1
		       : f->disk_what < 0
			       ? trace_json_fail(ps, "unknown disk \"what\"")
			       : 0;
	case K_TEXT:
		rv = trace_json_lex_string(ps, f->slots->text,
					   sizeof(f->slots->text));
		return rv > 0 ? trace_json_fail(ps, "\"text\" is too long")
			      : rv;
	case K_RUNS:
		return trace_value_runs(ps, f->slots, &f->run_count);
	case K_BOOL:
		f->num[field] = trace_json_literal(ps, "true") == 0;
		return f->num[field] || trace_json_literal(ps, "false") == 0
			       ? 0
			       : trace_json_fail(ps, "expected true or false");
	}
	return -1;
}

static void fill_info(struct run_info *info, const struct line *f)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->mode, f->mode, sizeof(info->mode));
	info->nodes = (int)f->num[F_NODES];
	info->seed = f->num[F_SEED];
	info->tick_us = f->num[F_TICK_MS]; /* 3 decimals: us */
	info->heartbeat_ticks = (unsigned)f->num[F_HEARTBEAT];
	info->election_min = (unsigned)f->low[F_ELECTION];
	info->election_max = (unsigned)f->num[F_ELECTION];
	info->drop = f->prob[F_DROP];
	info->dup = f->prob[F_DUP];
	info->reorder = f->prob[F_REORDER];
	info->random_faults = f->num[F_RANDOM] != 0;
	info->prevote = f->num[F_PREVOTE] != 0;
	info->check_quorum = f->num[F_QUORUM] != 0;
	info->ranked_timeouts = f->num[F_RANKED] != 0;
	info->mistakes = (unsigned)f->num[F_MISTAKES];
	info->latency_min_us = f->low[F_LATENCY]; /* 3 decimals: us */
	info->latency_max_us = f->num[F_LATENCY];
	info->resume = f->num[F_RESUME] != 0;
}

/* What the core itself refuses (raft_config_validate), a start line may
 * not claim either: the checker's rules count on it. */
static int check_start(struct trace_json_parser *ps, const struct line *f)
{
	/* 3 and 4 only added events: a schema 2 trace reads the same. */
	if (f->num[F_SCHEMA] < 2 || f->num[F_SCHEMA] > TRACE_SCHEMA_VERSION)
		return trace_json_fail(ps, "schema %" PRIu64 " is not 2 to %d",
				       f->num[F_SCHEMA], TRACE_SCHEMA_VERSION);
	if (f->num[F_NODES] == 0)
		return trace_json_fail(ps, "\"nodes\" is 0");
	if (f->num[F_TICK_MS] == 0)
		return trace_json_fail(ps, "\"tick_ms\" is 0");
	if (f->num[F_HEARTBEAT] == 0 || f->low[F_ELECTION] == 0)
		return trace_json_fail(ps, "\"%s\" is 0",
				       f->num[F_HEARTBEAT] == 0
					       ? "heartbeat_ticks"
					       : "election_ticks");
	return 0;
}

/* A client history line, whose common fields are in ev already: its
 * operation, read by hist_parse into the slots. */
static int assemble_hist(struct trace_json_parser *ps, struct wev *ev,
			 struct trace_slots *slots)
{
	struct hist_event *h = &slots->hist;
	char why[128];
	int rv;

	rv = hist_parse(ps->line, strlen(ps->line), h, &slots->scratch, why,
			sizeof(why));
	if (rv < 0)
		return trace_json_fail(ps, "%s", why);
	if (rv == 0 || h->type != (enum hist_type)wev_hist_type(ev->type) ||
	    h->client != ev->client)
		return trace_json_fail(ps, "not a client history event");
	h->us = ev->us; /* the same "ms", to the microsecond */
	ev->hist = h;
	return 0;
}

/* Schema 5's fields: a persist's or a recovered restart's vote, what a
 * restart recovered, a disk event's kind and text. */
static void assemble_storage(const struct line *f, struct wev *ev,
			     struct trace_slots *slots)
{
	if (f->type == WEV_PERSIST || f->type == WEV_RESTART)
		ev->peer = f->seen & B(F_VOTE) ? f->vote : RAFT_NONE;
	if (f->type == WEV_RESTART && (f->seen & B(F_RUNS))) {
		ev->recovered = true;
		ev->index = f->low[F_SNAPSHOT];
		ev->entry_term = f->num[F_SNAPSHOT];
		ev->last_index = f->low[F_LOG_END];
		ev->last_term = f->num[F_LOG_END];
		ev->runs = slots->runs;
		ev->run_count = f->run_count;
	}
	if (f->type == WEV_DISK) {
		ev->disk_what = (enum wev_disk_what)f->disk_what;
		ev->text = slots->text;
	}
}

/* Turns the fields of a whole line into an event. */
static int assemble(struct trace_json_parser *ps, const struct line *f,
		    struct wev *ev, struct trace_slots *slots)
{
	field_set need = f->seen & B(F_EV) ? required[f->type] : B(F_EV);
	field_set ids = (need | (f->seen & optional[f->type])) & NODE_IDS;
	int i;

	if (f->type == WEV_TRUNCATE)
		ids &= ~B(F_FROM); /* an index there */
	for (i = 0; i < F_COUNT; i++) {
		if (need & ~f->seen & B(i))
			return trace_json_fail(ps, "no \"%s\" field",
					       fields[i].name);
		if ((ids & B(i)) && f->num[i] >= (uint64_t)ps->nodes)
			return trace_json_fail(
				ps, "\"%s\" is %d: not a node of %d",
				fields[i].name, (int)f->num[i], ps->nodes);
	}
	if (f->type != WEV_START && ps->nodes == 0)
		return trace_json_fail(ps,
				       "\"%s\" event before the start event",
				       wev_name(f->type));
	if (f->type == WEV_START && check_start(ps, f) != 0)
		return -1;
	if ((need & B(F_FIRST)) && f->num[F_FIRST] > f->num[F_LAST])
		return trace_json_fail(ps, "\"first\" is after \"last\"");
	if (f->type == WEV_RESTART && (f->seen & RECOVERED) &&
	    (f->seen & RECOVERED) != RECOVERED)
		return trace_json_fail(ps,
				       "a recovered restart needs \"term\", "
				       "\"vote\", \"snapshot\", "
				       "\"log_end\" and \"runs\"");
	if ((f->seen & B(F_VOTE)) && f->vote != RAFT_NONE &&
	    f->vote >= ps->nodes)
		return trace_json_fail(ps, "\"vote\" is %d: not a node of %d",
				       f->vote, ps->nodes);
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum wev_type)f->type;
	ev->us = (int64_t)f->num[F_MS];
	ev->node = need & B(F_NODE) ? (int)f->num[F_NODE] : RAFT_NONE;
	ev->peer = f->type == WEV_VOTE ? (int)f->num[F_FOR]
		   : f->type == WEV_HEARTBEAT || (f->type == WEV_SNAPSHOT &&
						  (f->seen & B(F_LEADER)))
			   ? (int)f->num[F_LEADER]
		   : f->type == WEV_SAW_TERM || f->type == WEV_LOSS
			   ? (int)f->num[F_FROM]
			   : RAFT_NONE;
	ev->installed = f->type == WEV_SNAPSHOT && (f->seen & B(F_LEADER));
	ev->index = f->type == WEV_TRUNCATE ? f->num[F_FROM]
		    : need & B(F_FIRST)     ? f->num[F_FIRST]
					    : f->num[F_INDEX];
	ev->last_index = f->num[F_LAST];
	ev->entry_term = f->num[F_ENTRY_TERM];
	ev->digest = f->num[F_DIGEST];
	ev->term = f->num[F_TERM];
	ev->role = f->role;
	ev->seen_term = f->num[F_SEEN];
	ev->now = f->num[F_NOW];
	ev->count = (int)f->num[F_SENT];
	ev->late_us = (int64_t)f->num[F_LATE]; /* 3 decimals: us */
	ev->tick = f->type == WEV_END ? f->num[F_TICKS] : f->num[F_TICK];
	ev->violations = f->num[F_VIOLATIONS];
	ev->spurious_elections = f->num[F_SPURIOUS];
	ev->interrupted = f->type == WEV_END && f->num[F_INTERRUPTED] != 0;
	ev->client = (int)f->num[F_CLIENT];
	ev->seq = f->num[F_SEQ];
	ev->token = f->num[F_TOKEN];
	ev->highest = f->num[F_HIGHEST];
	ev->accepted = f->num[F_ACCEPTED] != 0;
	assemble_storage(f, ev, slots);
	if (wev_is_hist(ev->type))
		return assemble_hist(ps, ev, slots);
	if (f->type == WEV_START) {
		fill_info(&slots->info, f);
		ev->info = &slots->info;
	} else if (f->type == WEV_PARTITION) {
		memcpy(slots->group_of, f->group_of, (size_t)ps->nodes);
		ev->group_of = slots->group_of;
	}
	return 0;
}

int trace_parse(const char *line, struct wev *ev, struct trace_slots *slots,
		int nodes, char *err, size_t errlen)
{
	struct trace_json_parser ps = {line, line, nodes, err, errlen};
	struct line f;
	char key[32];
	int rv, i;

	memset(&f, 0, sizeof(f));
	f.slots = slots;
	if (errlen > 0)
		err[0] = '\0';
	if (nodes < 0 || nodes > RAFT_MAX_NODES)
		return trace_json_fail(&ps, "bad cluster size %d", nodes);
	if (trace_json_expect(&ps, '{') != 0)
		return -1;
	/* Bit F_COUNT of f.seen: some field was read, so a ',' comes next. */
	while (*ps.p != '}') {
		if ((f.seen && trace_json_expect(&ps, ',')) ||
		    (rv = trace_json_lex_string(&ps, key, sizeof(key))) < 0 ||
		    trace_json_expect(&ps, ':'))
			return -1;
		for (i = 0; rv == 0 && i < F_COUNT; i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (rv != 0 || i == F_COUNT) {
			i = F_COUNT; /* unknown: skipped */
			if (trace_json_skip_value(&ps, 1) != 0)
				return -1;
		} else if (f.seen & B(i)) {
			return trace_json_fail(&ps, "\"%s\" given twice", key);
		} else if (parse_field(&ps, &f, i) != 0) {
			return -1;
		}
		f.seen |= B(i);
		trace_json_skip_ws(&ps);
	}
	ps.p++;
	trace_json_skip_ws(&ps);
	if (*ps.p != '\0')
		return trace_json_fail(&ps, "text after the object");
	return assemble(&ps, &f, ev, slots);
}

void trace_slots_free(struct trace_slots *slots)
{
	hist_scratch_free(&slots->scratch);
	free(slots->runs);
	slots->runs = NULL;
	slots->runs_cap = 0;
}

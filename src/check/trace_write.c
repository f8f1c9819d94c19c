/* trace_write.c - formats events as JSON lines; see trace.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace.h"

/* An append-only buffer that remembers whether anything was cut. */
struct out {
	char *buf;
	size_t size;
	size_t len;
	int overflow;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->overflow = 1;
		return;
	}
	o->len += (size_t)n;
}

/* A tick's fraction of a millisecond (".100"), or "" for whole ms. */
static const char *tick_fraction(uint64_t tick_us, char *buf, size_t size)
{
	if (tick_us % 1000 == 0)
		return "";
	snprintf(buf, size, ".%03u", (unsigned)(tick_us % 1000));
	return buf;
}

/* Microseconds as milliseconds with 3 decimals. */
static void put_ms(struct out *o, uint64_t us)
{
	put(o, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

static void put_string(struct out *o, const char *key, const char *text);

static void put_start(struct out *o, const struct run_info *info)
{
	char frac[8];

	put(o,
	    ",\"mode\":\"%s\",\"nodes\":%d,\"seed\":%" PRIu64
	    ",\"tick_ms\":%" PRIu64
	    "%s,\"heartbeat_ticks\":%u,\"election_ticks\":[%u,%u]"
	    ",\"schema\":%d,\"drop\":%g,\"dup\":%g,\"reorder\":%g"
	    ",\"random_faults\":%s,\"prevote\":%s,\"check_quorum\":%s"
	    ",\"ranked_timeouts\":%s,\"mistakes\":%u",
	    info->mode, info->nodes, info->seed, info->tick_us / 1000,
	    tick_fraction(info->tick_us, frac, sizeof(frac)),
	    info->heartbeat_ticks, info->election_min, info->election_max,
	    TRACE_SCHEMA_VERSION, info->drop, info->dup, info->reorder,
	    info->random_faults ? "true" : "false",
	    info->prevote ? "true" : "false",
	    info->check_quorum ? "true" : "false",
	    info->ranked_timeouts ? "true" : "false", info->mistakes);
	put(o, ",\"latency_ms\":[");
	put_ms(o, info->latency_min_us);
	put(o, ",");
	put_ms(o, info->latency_max_us);
	put(o, "]");
	if (info->resume) /* only then: a first start line stays as it was */
		put(o, ",\"resume\":true");
	if (info->one_node) {
		put(o,
		    ",\"node_id\":%d,\"transport\":\"tcp\",\"mono_us\":%" PRId64
		    ",\"unix_us\":%" PRId64,
		    info->node_id, info->mono_us, info->unix_us);
		put_string(o, "host", info->host);
		if (info->boot_id[0] != '\0')
			put_string(o, "boot_id", info->boot_id);
	}
}

/* A vote: the node, or null for none. */
static void put_vote(struct out *o, int vote)
{
	if (vote == RAFT_NONE)
		put(o, ",\"vote\":null");
	else
		put(o, ",\"vote\":%d", vote);
}

/* ,"key":"text" with at most TRACE_TEXT_MAX - 1 bytes of text: quotes,
 * backslashes and control characters escaped. */
static void put_string(struct out *o, const char *key, const char *text)
{
	size_t i;
	unsigned char ch;

	put(o, ",\"%s\":\"", key);
	for (i = 0; text != NULL && text[i] != '\0' && i < TRACE_TEXT_MAX - 1;
	     i++) {
		ch = (unsigned char)text[i];
		if (ch == '"' || ch == '\\')
			put(o, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			put(o, "\\u%04x", ch);
		else
			put(o, "%c", ch);
	}
	put(o, "\"");
}

/* A disk event's text, as a JSON string. */
static void put_text(struct out *o, const char *text)
{
	put_string(o, "text", text);
}

/* A restart: with a recovered state (schema 5), what the node came back
 * with; without one, nothing more (the trace stays as before). */
static void put_restart(struct out *o, const struct wev *ev)
{
	int i;

	put(o, ",\"node\":%d", ev->node);
	if (!ev->recovered)
		return;
	put(o, ",\"term\":%" PRIu64, ev->term);
	put_vote(o, ev->peer);
	put(o,
	    ",\"snapshot\":[%" PRIu64 ",%" PRIu64 "]"
	    ",\"log_end\":[%" PRIu64 ",%" PRIu64 "],\"runs\":[",
	    ev->index, ev->entry_term, ev->last_index, ev->last_term);
	for (i = 0; i < ev->run_count && ev->runs != NULL; i++)
		put(o, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
		    ev->runs[2 * i], ev->runs[2 * i + 1]);
	put(o, "]");
}

static void put_groups(struct out *o, const uint8_t *group_of, int nodes)
{
	int g, i, first_group = 1, first;
	int max_group = -1;

	for (i = 0; i < nodes; i++)
		if (group_of[i] > max_group)
			max_group = group_of[i];
	put(o, ",\"groups\":[");
	for (g = 0; g <= max_group; g++) {
		first = 1;
		for (i = 0; i < nodes; i++) {
			if (group_of[i] != g)
				continue;
			put(o, "%s%s%d", first && !first_group ? "," : "",
			    first ? "[" : ",", i);
			first = 0;
		}
		if (!first) {
			put(o, "]");
			first_group = 0;
		}
	}
	put(o, "]");
}

/* A client history event: history.h's line, stamped with the event's
 * time and type, so that the trace and the checker (checker_clients.c)
 * see the same "ms" whatever the history event says. */
static int format_hist(char *buf, size_t size, const struct wev *ev)
{
	struct hist_event h;
	size_t n;

	if (ev->hist == NULL)
		return -1;
	h = *ev->hist;
	h.type = (enum hist_type)wev_hist_type(ev->type);
	h.us = ev->us;
	n = hist_format(&h, buf, size);
	if (n + 1 >= size) /* '\n' and the NUL after it */
		return -1;
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return (int)(n + 1);
}

int trace_format(char *buf, size_t size, const struct wev *ev, int nodes)
{
	struct out o = {buf, size, 0, 0};

	if (wev_is_hist(ev->type))
		return format_hist(buf, size, ev);

	put(&o, "{\"ev\":\"%s\",\"ms\":%" PRId64 ".%03" PRId64,
	    wev_name(ev->type), ev->us / 1000, ev->us % 1000);
	switch (ev->type) {
	case WEV_START:
		put_start(&o, ev->info);
		break;
	case WEV_TERM:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64, ev->node, ev->term);
		break;
	case WEV_ROLE:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64 ",\"role\":\"%s\"",
		    ev->node, ev->term, raft_role_name(ev->role));
		break;
	case WEV_VOTE:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64 ",\"for\":%d",
		    ev->node, ev->term, ev->peer);
		break;
	case WEV_HEARTBEAT:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64 ",\"leader\":%d",
		    ev->node, ev->term, ev->peer);
		break;
	case WEV_ROUND:
		put(&o,
		    ",\"node\":%d,\"term\":%" PRIu64 ",\"tick\":%" PRIu64
		    ",\"sent\":%d",
		    ev->node, ev->term, ev->tick, ev->count);
		break;
	case WEV_ELECTION:
	case WEV_PREVOTE:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64 ",\"tick\":%" PRIu64,
		    ev->node, ev->term, ev->tick);
		break;
	case WEV_SAW_TERM:
		put(&o,
		    ",\"node\":%d,\"term\":%" PRIu64 ",\"role\":\"%s\""
		    ",\"from\":%d,\"seen\":%" PRIu64,
		    ev->node, ev->term, raft_role_name(ev->role), ev->peer,
		    ev->seen_term);
		break;
	case WEV_PAUSE:
	case WEV_RESUME:
	case WEV_CRASH:
		put(&o, ",\"node\":%d", ev->node);
		break;
	case WEV_RESTART:
		put_restart(&o, ev);
		break;
	case WEV_LOSS:
		put(&o, ",\"node\":%d,\"from\":%d", ev->node, ev->peer);
		break;
	case WEV_LATE:
		put(&o,
		    ",\"node\":%d,\"tick\":%" PRIu64 ",\"late_ms\":", ev->node,
		    ev->tick);
		put_ms(&o, ev->late_us > 0 ? (uint64_t)ev->late_us : 0);
		break;
	case WEV_PARTITION:
		put_groups(&o, ev->group_of, nodes);
		break;
	case WEV_HEAL:
		break;
	case WEV_PERSIST:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64, ev->node, ev->term);
		put_vote(&o, ev->peer);
		put(&o, ",\"index\":%" PRIu64 ",\"entry_term\":%" PRIu64,
		    ev->index, ev->entry_term);
		break;
	case WEV_DISK:
		put(&o, ",\"node\":%d,\"what\":\"%s\"", ev->node,
		    wev_disk_name(ev->disk_what));
		put_text(&o, ev->text);
		break;
	case WEV_END:
		put(&o,
		    ",\"ticks\":%" PRIu64 ",\"violations\":%" PRIu64
		    ",\"spurious_elections\":%" PRIu64,
		    ev->tick, ev->violations, ev->spurious_elections);
		if (ev->interrupted) /* only then: old traces stay as they were */
			put(&o, ",\"interrupted\":true");
		break;
	case WEV_APPEND:
	case WEV_PROPOSE:
		put(&o,
		    ",\"node\":%d,\"term\":%" PRIu64 ",\"first\":%" PRIu64
		    ",\"last\":%" PRIu64 ",\"entry_term\":%" PRIu64,
		    ev->node, ev->term, ev->index, ev->last_index,
		    ev->entry_term);
		break;
	case WEV_INVOKE:
	case WEV_OK:
	case WEV_FAIL:
	case WEV_INFO:
		break; /* format_hist */
	case WEV_FENCED:
		put(&o,
		    ",\"node\":%d,\"token\":%" PRIu64 ",\"highest\":%" PRIu64
		    ",\"accepted\":%s",
		    ev->node, ev->token, ev->highest,
		    ev->accepted ? "true" : "false");
		break;
	case WEV_DUPLICATE:
		put(&o,
		    ",\"node\":%d,\"client\":%d,\"seq\":%" PRIu64
		    ",\"index\":%" PRIu64,
		    ev->node, ev->client, ev->seq, ev->index);
		break;
	case WEV_COMMIT:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64 ",\"index\":%" PRIu64,
		    ev->node, ev->term, ev->index);
		break;
	case WEV_APPLY:
		/* The digest as 16 hex digits: a JSON number would lose bits
		 * in readers that hold numbers as doubles. */
		put(&o,
		    ",\"node\":%d,\"term\":%" PRIu64 ",\"first\":%" PRIu64
		    ",\"last\":%" PRIu64 ",\"entry_term\":%" PRIu64
		    ",\"digest\":\"%016" PRIx64 "\"",
		    ev->node, ev->term, ev->index, ev->last_index,
		    ev->entry_term, ev->digest);
		break;
	case WEV_TRUNCATE:
		put(&o, ",\"node\":%d,\"term\":%" PRIu64 ",\"from\":%" PRIu64,
		    ev->node, ev->term, ev->index);
		break;
	case WEV_SNAPSHOT:
		put(&o,
		    ",\"node\":%d,\"term\":%" PRIu64 ",\"index\":%" PRIu64
		    ",\"entry_term\":%" PRIu64,
		    ev->node, ev->term, ev->index, ev->entry_term);
		if (ev->installed)
			put(&o, ",\"leader\":%d", ev->peer);
		break;
	case WEV_TYPE_COUNT:
		break;
	}
	if (wev_kind(ev->type) == WEV_KIND_CORE)
		put(&o, ",\"now\":%" PRIu64, ev->now);
	put(&o, "}\n");
	return o.overflow ? -1 : (int)o.len;
}

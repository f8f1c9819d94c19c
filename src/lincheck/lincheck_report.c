/* lincheck_report.c - what a student reads when a key is not
 * linearizable: its operations in time order, and the point where no
 * order works. */
#include <inttypes.h>
#include <string.h>

#include "lincheck_internal.h"

#define SHOW_ALL 100 /* a longer key shows this many ops around the point */
#define SHOW_PREFIX 8

/* A value as JSON would show it, cut at 40 bytes. */
static void value_text(const struct lincheck *lc, uint32_t id, char *buf,
		       size_t cap)
{
	size_t len, i, w = 0;
	const char *s;

	if (id == LC_NULL) {
		snprintf(buf, cap, "null");
		return;
	}
	s = lc_string(&lc->strings, id, &len);
	if (cap < 8)
		return;
	buf[w++] = '"';
	for (i = 0; i < len && i < 40 && w + 6 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
			w += (size_t)snprintf(buf + w, cap - w, "\\x%02x", c);
		else
			buf[w++] = (char)c;
	}
	if (i < len && w + 4 < cap) {
		memcpy(buf + w, "...", 3);
		w += 3;
	}
	buf[w++] = '"';
	buf[w] = '\0';
}

void lc_describe(const struct lincheck *lc, const struct lc_op *op, char *buf,
		 size_t cap)
{
	char v[128], e[128], r[160] = "";

	value_text(lc, op->value, v, sizeof(v));
	value_text(lc, op->expect, e, sizeof(e));
	if (op->status == LC_OK && op->op == HIST_GET) {
		strcpy(r, " -> ");
		value_text(lc, op->result, r + 4, sizeof(r) - 4);
	} else if (op->status == LC_OK && op->op == HIST_CAS) {
		snprintf(r, sizeof(r), " -> %s",
			 op->swapped ? "swapped" : "not swapped");
	} else if (op->status == LC_INFO) {
		snprintf(r, sizeof(r), " -> info");
	} else if (op->status == LC_PENDING) {
		snprintf(r, sizeof(r), " -> (no completion)");
	}
	switch (op->op) {
	case HIST_GET:
	case HIST_DELETE:
		snprintf(buf, cap, "client %d id %" PRIu64 " %s%s", op->client,
			 op->id, hist_op_name(op->op), r);
		break;
	case HIST_PUT:
	case HIST_APPEND:
		snprintf(buf, cap, "client %d id %" PRIu64 " %s %s%s",
			 op->client, op->id, hist_op_name(op->op), v, r);
		break;
	case HIST_CAS:
		snprintf(buf, cap, "client %d id %" PRIu64 " cas %s to %s%s",
			 op->client, op->id, e, v, r);
		break;
	}
}

void lc_ms_text(int64_t t, char *buf, size_t cap)
{
	int64_t us = t >= 0 ? t / 3 : -((-t + 2) / 3);

	if (t == LC_OPEN)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%s%" PRId64 ".%03" PRId64,
			 us < 0 ? "-" : "", (us < 0 ? -us : us) / 1000,
			 (us < 0 ? -us : us) % 1000);
}

static void op_row(const struct lincheck *lc, const struct lc_op *op,
		   const char *mark, FILE *out)
{
	char inv[32], ret[32], what[384];

	lc_ms_text(op->inv, inv, sizeof(inv));
	lc_ms_text(op->ret, ret, sizeof(ret));
	lc_describe(lc, op, what, sizeof(what));
	fprintf(out, "  %s %12s %12s  %s\n", mark, inv, ret, what);
}

static const char *mark(const struct lc_why *why, uint32_t op)
{
	size_t i;

	if ((int64_t)op == why->blocked)
		return ">";
	for (i = 0; i < 4; i++)
		if (why->involved[i] == (int64_t)op + 1)
			return "*";
	return " ";
}

void lc_report(const struct lincheck *lc, const struct lc_key *k,
	       const struct lc_why *why, FILE *out)
{
	char key[128], what[384];
	size_t i, from = 0, to = k->n, at = 0, shown;

	value_text(lc, k->key, key, sizeof(key));
	for (i = k->n; i-- > 0;)
		if (mark(why, k->ops[i])[0] != ' ')
			at = i;
	if (k->n > SHOW_ALL) {
		from = at > SHOW_ALL / 2 ? at - SHOW_ALL / 2 : 0;
		to = from + SHOW_ALL < k->n ? from + SHOW_ALL : k->n;
	}
	fprintf(out,
		"key %s: %zu operations (fails left out), by invoke "
		"time%s\n",
		key, k->n,
		why->blocked >= 0 ? "; > marks the one that cannot be placed"
				  : "; * marks those the reason names");
	if (from > 0 || to < k->n)
		fprintf(out,
			"  (showing %zu to %zu of %zu, then the marked "
			"ones elsewhere)\n",
			from + 1, to, k->n);
	fprintf(out, "  %12s %12s  %s\n", "invoked ms", "completed ms",
		"operation");
	for (i = from; i < to; i++)
		op_row(lc, &lc->ops[k->ops[i]], mark(why, k->ops[i]), out);
	for (i = 0; i < k->n; i++) /* the marked ones outside the window */
		if ((i < from || i >= to) && mark(why, k->ops[i])[0] != ' ')
			op_row(lc, &lc->ops[k->ops[i]], mark(why, k->ops[i]),
			       out);
	fprintf(out, "no order works: %s\n", why->text);
	if (why->prefix == NULL || (why->prefix_len == 0 && why->blocked < 0))
		return;
	fprintf(out, "longest linearizable prefix: %zu operations%s\n",
		why->prefix_len,
		why->prefix_len > SHOW_PREFIX ? ", ending with" : "");
	shown = why->prefix_len > SHOW_PREFIX ? why->prefix_len - SHOW_PREFIX
					      : 0;
	for (i = shown; i < why->prefix_len; i++) {
		lc_describe(lc, &lc->ops[why->prefix[i]], what, sizeof(what));
		fprintf(out, "  %zu. %s\n", i + 1, what);
	}
	if (why->blocked >= 0) {
		lc_describe(lc, &lc->ops[why->blocked], what, sizeof(what));
		fprintf(out, "then cannot be placed: %s\n", what);
	}
}

/* options_replay.c - the command line that replays a run, made from the
 * table: every row marked OPTF_REPLAY whose value differs from the default,
 * and every row marked OPTF_REPLAY_ALWAYS, in table order, for the mode the
 * run is in (--latency-ms only with --sim, and so on).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options_internal.h"

void options_text_add(struct opt_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!t->ok)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len) {
		t->ok = false;
		return;
	}
	t->len += (size_t)n;
}

static void replay_row(const struct raftsim_options *o,
		       const struct raftsim_options *defaults,
		       const struct opt_flag *f, struct opt_text *t)
{
	char value[64];

	if (f->kind == OPT_CUSTOM) {
		f->replay(o, f, t);
		return;
	}
	if (!(f->props & OPTF_REPLAY_ALWAYS) &&
	    memcmp(options_field_c(o, f), options_field_c(defaults, f),
		   f->size) == 0)
		return;
	if (f->kind == OPT_BOOL)
		options_text_add(t, " --%s", f->name);
	else
		options_text_add(
			t, " --%s %s", f->name,
			options_value_text(o, f, value, sizeof(value)));
}

int options_format_command(const struct raftsim_options *o, char *buf,
			   size_t size)
{
	struct raftsim_options defaults;
	struct opt_text t = {buf, size, 0, size > 0};
	unsigned mode = options_mode(o);
	size_t i;

	options_default(&defaults);
	options_text_add(&t, "raftsim");
	for (i = 0; i < options_table_len; i++) {
		const struct opt_flag *f = &options_table[i];

		if ((f->props & (OPTF_REPLAY | OPTF_REPLAY_ALWAYS)) &&
		    (f->modes & mode))
			replay_row(o, &defaults, f, &t);
	}
	return t.ok ? 0 : -1;
}

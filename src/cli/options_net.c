/* options_net.c - the custom values of options_rows_net.h: --transport. */
#include <string.h>

#include "options_internal.h"

int options_parse_transport(struct raftsim_options *o, const struct opt_flag *f,
			    const char *arg, FILE *err)
{
	if (strcmp(arg, "mailbox") == 0)
		o->transport = TRANSPORT_MAILBOX;
	else if (strcmp(arg, "tcp") == 0)
		o->transport = TRANSPORT_TCP;
	else
		return options_usage_error(err, "--%s: '%s' is not %s", f->name,
					   arg, f->what);
	return 0;
}

void options_replay_transport(const struct raftsim_options *o,
			      const struct opt_flag *f, struct opt_text *t)
{
	if (o->transport == TRANSPORT_TCP)
		options_text_add(t, " --%s tcp", f->name);
}

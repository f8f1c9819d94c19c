/* client_words.c - the pure parts of `raftsim client` (client_cli.h): the
 * operation words, the result line, and the ids of a process's clients.
 */
#include <stdio.h>
#include <string.h>

#include "client_cli.h"

struct op_form {
	const char *word;
	enum kv_op op;
	int values; /* words after KEY */
	const char *usage;
};

static const struct op_form forms[] = {
	{"get", KV_GET, 0, "get KEY"},
	{"put", KV_PUT, 1, "put KEY VALUE"},
	{"append", KV_APPEND, 1, "append KEY VALUE"},
	{"cas", KV_CAS, 2, "cas KEY OLD NEW"},
	{"delete", KV_DELETE, 0, "delete KEY"},
};

static struct kv_bytes bytes_of(const char *s)
{
	struct kv_bytes b = {(const uint8_t *)s, (uint32_t)strlen(s)};

	return b;
}

int client_parse_words(const char *const *words, int count,
		       struct client_op *op, char *err, size_t err_len)
{
	const struct op_form *f = NULL;
	size_t i;
	int w;

	memset(op, 0, sizeof(*op));
	if (count == 0) {
		snprintf(err, err_len,
			 "no operation: get, put, append, cas "
			 "or delete");
		return -1;
	}
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(words[0], forms[i].word) == 0)
			f = &forms[i];
	if (f == NULL) {
		snprintf(err, err_len,
			 "'%s': unknown operation (get, put, append, cas, "
			 "delete)",
			 words[0]);
		return -1;
	}
	if (count != 2 + f->values) {
		snprintf(err, err_len, "%s: %s words: usage: %s", f->word,
			 count < 2 + f->values ? "missing" : "too many",
			 f->usage);
		return -1;
	}
	for (w = 1; w < count; w++)
		if (strlen(words[w]) > CLIENT_WORD_MAX) {
			snprintf(err, err_len,
				 "%s: a word longer than %d bytes", f->word,
				 CLIENT_WORD_MAX);
			return -1;
		}
	if (words[1][0] == '\0') {
		snprintf(err, err_len, "%s: the KEY is empty", f->word);
		return -1;
	}
	op->op = (uint8_t)f->op;
	op->key = bytes_of(words[1]);
	if (f->op == KV_PUT || f->op == KV_APPEND)
		op->value = bytes_of(words[2]);
	if (f->op == KV_CAS) {
		op->expect = bytes_of(words[2]);
		op->value = bytes_of(words[3]);
	}
	return 0;
}

int client_print_result(const struct client_op *op, const struct hist_event *ok,
			FILE *out)
{
	int rv;

	if (op->op == KV_GET && ok->value.null)
		rv = fputs("(none)\n", out);
	else if (op->op == KV_GET) /* the bytes as stored */
		rv = fwrite(ok->value.s, 1, ok->value.len, out) == ok->value.len
			     ? fputc('\n', out)
			     : -1;
	else if (op->op == KV_CAS)
		rv = fputs(ok->swapped ? "swapped\n" : "not swapped\n", out);
	else
		rv = fputs("ok\n", out);
	return rv < 0 || fflush(out) != 0 ? -1 : 0;
}

int client_ids_derive(uint64_t pid, uint64_t unix_s)
{
	return (int)(((pid & 0x7fffu) << 16) | ((unix_s & 0x3fu) << 10));
}

/* parse_faults.c - parsers for the structured flag values: --pause and
 * --crash windows, --partition groups, --election-ms lists. */
#include <string.h>

#include "parse.h"

/* WHO@TICK:LEN, WHO a node id or "leader". */
int parse_window(const char *s, struct fault_window *w)
{
	char who[16];
	char tick[32];
	const char *at = strchr(s, '@');
	const char *colon = at ? strchr(at, ':') : NULL;
	uint64_t id;

	if (at == NULL || colon == NULL || (size_t)(at - s) >= sizeof(who) ||
	    (size_t)(colon - at - 1) >= sizeof(tick))
		return -1;
	memcpy(who, s, (size_t)(at - s));
	who[at - s] = '\0';
	memcpy(tick, at + 1, (size_t)(colon - at - 1));
	tick[colon - at - 1] = '\0';
	if (strcmp(who, "leader") == 0)
		w->who = WHO_LEADER;
	else if (parse_u64(who, &id) == 0 && id < OPT_MAX_NODES)
		w->who = (int)id;
	else
		return -1;
	/* Ticks count from 1: a fault at tick 0 would never happen. */
	if (parse_u64(tick, &w->tick) != 0 || w->tick == 0 ||
	    parse_u64(colon + 1, &w->len) != 0 || w->len == 0)
		return -1;
	return 0;
}

/* TICK:LEN:GROUPS, GROUPS like 0,1|2,3,4. Unlisted nodes form one more
 * group together. Returns 0, or -1 for any error (a node listed twice
 * included); the caller checks max_node against --nodes. */
int parse_partition(const char *s, struct partition_window *p)
{
	char num[32];
	const char *c1 = strchr(s, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *g;
	uint8_t listed[OPT_MAX_NODES] = {0};
	int group = 0;
	int groups_seen = 0;
	int i;

	p->max_node = -1;
	if (c1 == NULL || c2 == NULL || (size_t)(c1 - s) >= sizeof(num) ||
	    (size_t)(c2 - c1 - 1) >= sizeof(num))
		return -1;
	memcpy(num, s, (size_t)(c1 - s));
	num[c1 - s] = '\0';
	if (parse_u64(num, &p->tick) != 0 || p->tick == 0)
		return -1;
	memcpy(num, c1 + 1, (size_t)(c2 - c1 - 1));
	num[c2 - c1 - 1] = '\0';
	if (parse_u64(num, &p->len) != 0 || p->len == 0)
		return -1;
	g = c2 + 1;
	if (*g == '\0')
		return -1; /* no groups: nothing would be split */
	while (*g != '\0') {
		uint64_t id = 0;
		int digits = 0;

		while (*g >= '0' && *g <= '9' && digits < 5) {
			id = id * 10 + (uint64_t)(*g - '0');
			g++;
			digits++;
		}
		if (digits == 0 || digits == 5 || id >= OPT_MAX_NODES ||
		    listed[id])
			return -1;
		listed[id] = 1;
		p->group_of[id] = (uint8_t)group;
		if ((int)id > p->max_node)
			p->max_node = (int)id;
		if (*g == '|') {
			group++;
			g++;
			if (*g == '\0')
				return -1;
		} else if (*g == ',') {
			g++;
			if (*g == '\0')
				return -1;
		} else if (*g != '\0') {
			return -1;
		}
	}
	groups_seen = group + 1;
	for (i = 0; i < OPT_MAX_NODES; i++)
		if (!listed[i])
			p->group_of[i] = (uint8_t)groups_seen;
	return 0;
}

int parse_range_list(const char *s, struct tick_range *list, int max,
		     uint64_t max_value, int *count)
{
	char item[64];
	const char *p = s;

	*count = 0;
	while (*p != '\0') {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (n == 0 || n >= sizeof(item) || *count >= max)
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (parse_u64_range(item, &list[*count].min,
				    &list[*count].max) != 0 ||
		    list[*count].min == 0 || list[*count].max > max_value)
			return -1;
		(*count)++;
		p += n;
		if (*p == ',' && *++p == '\0')
			return -1;
	}
	return *count > 0 ? 0 : -1;
}

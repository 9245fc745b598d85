/*
 * duration.c: spans of time (duration.h). A part is digits and a unit:
 * s seconds, m minutes, h hours, d days (86400 s: the manual clock counts
 * seconds, not calendar days), w weeks; a bare number is seconds. Parts add
 * up: "1w2d", "1h30m".
 */
#include "duration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int
duration_parse(const char *s, json_int_t *out)
{
	static const char units[] = "smhdw";
	static const json_int_t secs[] = {1, 60, 3600, 86400, 7 * 86400};
	json_int_t total = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		json_int_t n = 0, unit = 1;
		const char *u;

		if (!isdigit((unsigned char)*s))
			return -1;
		for (; isdigit((unsigned char)*s); s++) {
			n = n * 10 + (*s - '0');
			if (n > 2147483647)
				return -1;
		}
		if (*s != '\0') {
			u = strchr(units, *s);
			if (u == NULL)
				return -1;
			unit = secs[u - units];
			s++;
		}
		if (n > (2147483647 - total) / unit)
			return -1;
		total += n * unit;
	}
	*out = total;
	return 0;
}

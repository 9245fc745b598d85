/*
 * duration.h: spans of time as people write them ("3d", "1w2d", "90m",
 * "3600"), for clock advance.
 */
#ifndef PW_CTL_DURATION_H
#define PW_CTL_DURATION_H

#include <jansson.h>

/*
 * Parse one or more NUMBER[UNIT] parts, UNIT s, m, h, d or w (none:
 * seconds), into seconds (at most 2147483647). 0, or -1 when it is not one.
 */
int duration_parse(const char *s, json_int_t *out);

#endif

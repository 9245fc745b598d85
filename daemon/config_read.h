/*
 * config_read.h: private to the configuration loader (daemon/config*.c).
 * Reading libconfig files and their settings with checks: each helper
 * either fills its out-parameter or fails with a message naming the file,
 * the line and the setting. Nothing here knows programmes, cohorts or
 * templates.
 */
#ifndef PW_CONFIG_READ_H
#define PW_CONFIG_READ_H

#include <libconfig.h>
#include <stddef.h>

#include "proto.h"

/*
 * Fail with PW_ECONFIG and "FILE:LINE: SETTING: what" at setting s (an
 * element of a list is named "(element)"), or "FILE: what" when s is NULL.
 * FILE is the file s was read from (an @include), else file.
 */
int conf_bad(struct pw_status *st, const char *file, const config_setting_t *s, const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));

/*
 * Read path into c (initialised here). Every string in it must be valid
 * UTF-8. On success the caller owns c (config_destroy); on error c is
 * destroyed and PW_ECONFIG returned with FILE:LINE in st.
 */
int conf_open(config_t *c, const char *path, struct pw_status *st);

/*
 * 1 if the NUL-terminated s is valid UTF-8 (no overlong forms, surrogates
 * or code points above U+10FFFF); otherwise 0 with *bad the offset of the
 * first byte that is not.
 */
int conf_utf8_valid(const char *s, size_t *bad);

/* Every member of group g must be named in allowed (NULL-terminated). */
int conf_known(struct pw_status *st, const char *file, const config_setting_t *g,
	       const char *const *allowed);

/*
 * Typed getters for member name of group g. An absent member leaves *out
 * as it was (conf_string, conf_id: NULL), unless required. Strings are
 * copies the caller frees, also when a later check fails.
 */
int conf_string(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
		int required, char **out);
/* An integer from min to max (max INT_MAX: "at least min"). */
int conf_int(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	     int min, int max, int *out);
int conf_bool(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	      int *out);
/* An id: 1 to 64 of A-Z a-z 0-9 . _ - */
int conf_id(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	    int required, char **out);
/* "HH:MM" into minutes after midnight. */
int conf_hhmm(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	      int *out);
/* A required non-empty array of role names into role bits. */
int conf_roles(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	       int *to);
/* "mon-fri", "mon,wed,fri", "sat-sun" into weekday bits (bit 0 = Sunday). */
int conf_weekdays(struct pw_status *st, const char *file, const config_setting_t *g,
		  const char *name, int *bits);

/*
 * tz must be a zone the C library can load (TZDIR, else /usr/share/zoneinfo);
 * the error names member "timezone" of g (or the file when g is NULL).
 */
int conf_zone(struct pw_status *st, const char *file, const config_setting_t *g, const char *tz);

#endif

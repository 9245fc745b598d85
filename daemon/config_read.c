/*
 * config_read.c: the bottom of the configuration loader. It opens libconfig
 * files (refusing any string that is not UTF-8, so nothing malformed
 * reaches the store, the wire or an email) and reads settings with their
 * checks: type, range, ids, times of day, roles, weekdays, time zones.
 * Every error names the file, the line and the setting. It owns no state;
 * the files above it (config.c, config_programme.c, config_cohort.c,
 * config_notify.c, config_mailer.c) call it and it calls none of them.
 */
#include "config_read.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
conf_bad(struct pw_status *st, const char *file, const config_setting_t *s, const char *fmt, ...)
{
	char what[PW_MSG_LEN];
	va_list ap;
	const char *sfile = s ? config_setting_source_file(s) : NULL;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (s != NULL)
		return pw_fail(st, PW_ECONFIG, "%s:%u: %s: %s", sfile ? sfile : file,
			       config_setting_source_line(s),
			       config_setting_name(s) ? config_setting_name(s) : "(element)", what);
	return pw_fail(st, PW_ECONFIG, "%s: %s", file, what);
}

int
conf_utf8_valid(const char *s, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (p[i] != '\0') {
		unsigned int c = p[i], cp, min;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			break;
		/* a NUL is not a continuation byte: the loop stops at the end */
		for (size_t k = 1; k <= n && cp != UINT_MAX; k++)
			cp = (p[i + k] & 0xc0) == 0x80 ? cp << 6 | (p[i + k] & 0x3f) : UINT_MAX;
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			break;
		i += n + 1;
	}
	*bad = i;
	return p[i] == '\0';
}

/* Every string setting under s (s included) must be valid UTF-8. */
static int
utf8_walk(struct pw_status *st, const char *file, const config_setting_t *s)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t bad;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);

		if (conf_utf8_valid(v, &bad))
			return 0;
		if (config_setting_name(s) != NULL || parent == NULL)
			return conf_bad(st, file, s,
					"not valid UTF-8 (byte 0x%02X); save the file as UTF-8",
					(unsigned char)v[bad]);
		return conf_bad(
		    st, file, parent,
		    "element %d is not valid UTF-8 (byte 0x%02X); save the file as UTF-8",
		    config_setting_index(s), (unsigned char)v[bad]);
	}
	for (int i = 0; config_setting_is_aggregate(s) && i < config_setting_length(s); i++)
		if (utf8_walk(st, file, config_setting_get_elem(s, (unsigned)i)) != 0)
			return PW_ECONFIG;
	return 0;
}

int
conf_open(config_t *c, const char *path, struct pw_status *st)
{
	const char *slash = strrchr(path, '/');

	config_init(c);
	/* @include "x.conf" is found beside the file that includes it. */
	if (slash != NULL) {
		char *dir = xasprintf("%.*s", (int)(slash - path + 1), path);

		config_set_include_dir(c, dir);
		free(dir);
	}
	if (config_read_file(c, path) != CONFIG_TRUE) {
		if (config_error_type(c) == CONFIG_ERR_FILE_IO)
			pw_fail(st, PW_ECONFIG, "%s: cannot read the file", path);
		else
			pw_fail(st, PW_ECONFIG, "%s:%d: %s",
				config_error_file(c) ? config_error_file(c) : path,
				config_error_line(c), config_error_text(c));
		config_destroy(c);
		return PW_ECONFIG;
	}
	if (utf8_walk(st, path, config_root_setting(c)) != 0) {
		config_destroy(c);
		return PW_ECONFIG;
	}
	return 0;
}

int
conf_known(struct pw_status *st, const char *file, const config_setting_t *g,
	   const char *const *allowed)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		int ok = 0;

		for (const char *const *a = allowed; *a != NULL; a++)
			if (name != NULL && strcmp(name, *a) == 0)
				ok = 1;
		if (!ok)
			return conf_bad(st, file, m, "unknown setting");
	}
	return 0;
}

int
conf_string(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	    int required, char **out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	*out = NULL;
	if (s == NULL) {
		if (required)
			return conf_bad(st, file, g, "missing setting '%s'", name);
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_bad(st, file, s, "must be a string");
	*out = xstrdup(config_setting_get_string(s));
	return 0;
}

int
conf_int(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	 int min, int max, int *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long v;

	if (s == NULL)
		return 0; /* keep the default */
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return conf_bad(st, file, s, "must be an integer");
	v = config_setting_get_int64(s);
	if (v < min && max == INT_MAX)
		return conf_bad(st, file, s, "must be at least %d", min);
	if (v < min || v > max)
		return conf_bad(st, file, s, "must be between %d and %d", min, max);
	*out = (int)v;
	return 0;
}

int
conf_bool(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	  int *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return conf_bad(st, file, s, "must be true or false");
	*out = config_setting_get_bool(s);
	return 0;
}

int
conf_id(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	int required, char **out)
{
	if (conf_string(st, file, g, name, required, out) != 0)
		return PW_ECONFIG;
	if (*out != NULL && !pw_id_valid(*out))
		return conf_bad(st, file, config_setting_get_member(g, name),
				"'%s' is not an id (1 to 64 of A-Z a-z 0-9 . _ -)", *out);
	return 0;
}

int
conf_hhmm(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	  int *out)
{
	char *v = NULL;
	int rc = conf_string(st, file, g, name, 0, &v);

	if (rc == 0 && v != NULL && pw_hhmm_parse(v, out) != 0)
		rc = conf_bad(st, file, config_setting_get_member(g, name), "must be HH:MM");
	free(v);
	return rc;
}

int
conf_roles(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	   int *to)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	*to = 0;
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_ARRAY ||
	    config_setting_length(s) == 0)
		return conf_bad(st, file, s ? s : g, "'%s' must be a non-empty array of roles",
				name);
	for (int i = 0; i < config_setting_length(s); i++) {
		const char *role = config_setting_get_string_elem(s, i);

		if (role == NULL || proto_role_bit(role) < 0)
			return conf_bad(st, file, s, "element %d is not a role", i);
		*to |= 1 << proto_role_bit(role);
	}
	return 0;
}

/* "mon-fri", "mon,wed,fri", "sat-sun" (ranges may wrap) -> weekday bits (0 = Sunday). */
static int
weekdays_parse(const char *s, int *bits)
{
	static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
	char *copy = xstrdup(s), *save = NULL;
	int rc = 0;

	*bits = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		int a = -1, b = -1;

		for (int i = 0; i < 7; i++) {
			if (strncmp(tok, names[i], 3) == 0)
				a = i;
			if (strlen(tok) == 7 && tok[3] == '-' && strcmp(tok + 4, names[i]) == 0)
				b = i;
		}
		if (a < 0 || (strlen(tok) != 3 && b < 0)) {
			rc = -1;
			break;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*bits |= 1 << d;
			if (b < 0 || d == b)
				break;
		}
	}
	free(copy);
	return rc == 0 && *bits != 0 ? 0 : -1;
}

int
conf_weekdays(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	      int *bits)
{
	char *days = NULL;
	int rc = conf_string(st, file, g, name, 0, &days);

	if (rc == 0 && days != NULL && weekdays_parse(days, bits) != 0)
		rc = conf_bad(st, file, config_setting_get_member(g, name),
			      "must be days like \"mon-fri\" or \"mon,wed,fri\"");
	free(days);
	return rc;
}

/* A compiled zone file: a regular file that starts with the TZif magic. */
static int
zone_file(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	int ok = f != NULL && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;

	if (f != NULL)
		fclose(f);
	return ok;
}

/*
 * A name the C library cannot find would silently become UTC, and every
 * local time would be off by the zone's offset.
 */
int
conf_zone(struct pw_status *st, const char *file, const config_setting_t *g, const char *tz)
{
	const char *dir = getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo";
	char *path;
	int ok;

	if (tz == NULL)
		return 0;
	path = xasprintf("%s/%s", dir, tz);
	ok = *tz != '\0' && *tz != '/' && strstr(tz, "..") == NULL && zone_file(path);
	free(path);
	if (ok)
		return 0;
	return conf_bad(st, file, g ? config_setting_get_member(g, "timezone") : NULL,
			"unknown time zone '%s' (not in %s; is tzdata installed?)", tz, dir);
}

/*
 * template.c: {{variable}} placeholders: finding them (for validation) and
 * substituting them (for rendering). A growing buffer is the only state.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TMPL_NAME_MAX 64

/* The placeholder at s ("{{ name }}"): its name and length, or -1. */
static int
placeholder(const char *s, char *name, size_t *len)
{
	const char *p = s + 2, *end = strstr(p, "}}");
	size_t n = 0;

	if (end == NULL)
		return -1;
	while (p < end && *p == ' ')
		p++;
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
		if (n == TMPL_NAME_MAX)
			return -1;
		name[n++] = *p++;
	}
	while (p < end && *p == ' ')
		p++;
	if (p != end || n == 0)
		return -1;
	name[n] = '\0';
	*len = (size_t)(end + 2 - s);
	return 0;
}

int
tmpl_vars(const char *text, tmpl_var_fn fn, void *ud, size_t *bad)
{
	char name[TMPL_NAME_MAX + 1];
	const char *s = text;
	size_t len;
	int rc;

	while ((s = strstr(s, "{{")) != NULL) {
		if (placeholder(s, name, &len) != 0) {
			if (bad != NULL)
				*bad = (size_t)(s - text);
			return -1;
		}
		rc = fn(name, ud);
		if (rc != 0)
			return rc;
		s += len;
	}
	return 0;
}

static void
add_value(struct pw_buf *b, const json_t *v, int html)
{
	char num[64];
	const char *s = "";

	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_real(v)) {
		snprintf(num, sizeof num, "%g", json_real_value(v));
		s = num;
	}
	if (!html) {
		pw_buf_add(b, s, strlen(s));
		return;
	}
	for (; *s != '\0'; s++) {
		static const char *const esc[] = {['&'] = "&amp;",
						  ['<'] = "&lt;",
						  ['>'] = "&gt;",
						  ['"'] = "&quot;",
						  ['\''] = "&#39;"};
		unsigned char c = (unsigned char)*s;

		if (c < sizeof esc / sizeof esc[0] && esc[c] != NULL)
			pw_buf_add(b, esc[c], strlen(esc[c]));
		else
			pw_buf_add(b, s, 1);
	}
}

char *
tmpl_render(const char *text, const json_t *vars, int html)
{
	struct pw_buf b = {NULL, 0, 0};
	char name[TMPL_NAME_MAX + 1];
	const char *s = text, *open;
	size_t len;

	pw_buf_add(&b, "", 0);
	while ((open = strstr(s, "{{")) != NULL) {
		pw_buf_add(&b, s, (size_t)(open - s));
		if (placeholder(open, name, &len) != 0) {
			pw_buf_add(&b, "{{", 2);
			s = open + 2;
			continue;
		}
		add_value(&b, json_object_get(vars, name), html);
		s = open + len;
	}
	pw_buf_add(&b, s, strlen(s));
	return b.p;
}

/*
 * form.c: fields as browsers send them. A query string or an
 * application/x-www-form-urlencoded body ("a=1&b=x+y%21&b=2") becomes an
 * object of name -> [values, in order]: a repeated name (checkboxes) keeps
 * every value. Names and values must decode to UTF-8 without NUL bytes;
 * anything else is refused whole, so no page sees half a form.
 */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "util.h"

int
form_add(json_t *into, const char *name, size_t nlen, const char *value, size_t vlen)
{
	json_t *k = json_stringn(name, nlen), *v = json_stringn(value, vlen), *list;
	int rc = -1;

	if (k == NULL || v == NULL || memchr(name, '\0', nlen) != NULL ||
	    memchr(value, '\0', vlen) != NULL)
		goto cleanup;
	list = json_object_get(into, json_string_value(k));
	if (list == NULL) {
		list = json_array();
		json_object_set_new(into, json_string_value(k), list);
	}
	json_array_append(list, v);
	rc = 0;
cleanup:
	json_decref(k);
	json_decref(v);
	return rc;
}

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s (n bytes) into out (at least n bytes); the decoded length, or -1. */
static long
decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
				return -1;
			out[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return (long)o;
}

int
form_parse(json_t *into, const char *s, size_t n)
{
	char *buf = xmalloc(2 * n + 2);
	size_t i = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		size_t end = i, eq;
		long kl, vl;

		while (end < n && s[end] != '&')
			end++;
		eq = i;
		while (eq < end && s[eq] != '=')
			eq++;
		if (end > i) {
			kl = decode(s + i, eq - i, buf);
			vl = eq < end ? decode(s + eq + 1, end - eq - 1, buf + n + 1) : 0;
			if (kl < 0 || vl < 0 ||
			    form_add(into, buf, (size_t)kl, buf + n + 1, (size_t)vl) != 0)
				rc = -1;
		}
		i = end + 1;
	}
	free(buf);
	return rc;
}

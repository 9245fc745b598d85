/*
 * value.c: turning text into JSON values and back. Words from the command
 * line and from CSV cells become strings, counts, booleans, facts (numbers
 * where they look like numbers) and lists; JSON scalars become the text of
 * table cells and event lines. No state.
 */
#include "value.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

const char *
value_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Any value as text for a table cell; the caller frees it. */
char *
value_text(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("yes");
	if (json_is_false(v))
		return xstrdup("no");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	/* As typed: 0.8, not the 17 digits that tell 0.8 from its neighbours. */
	if (json_is_real(v))
		return xasprintf("%.15g", json_real_value(v));
	return proto_encode(v); /* an array or an object, as compact JSON */
}

/* The fields of an object as "k=v k=v", for event details. */
char *
value_pairs(const json_t *o)
{
	const char *k;
	json_t *v;
	char *out = xstrdup(""), *t, *next;

	json_object_foreach((json_t *)o, k, v)
	{
		t = value_text(v);
		next = xasprintf("%s%s%s=%s", out, *out ? " " : "", k, t);
		free(t);
		free(out);
		out = next;
	}
	return out;
}

int
value_word_in(const char *word, const char *words)
{
	size_t n = strlen(word);

	for (const char *p = words; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

int
value_count(const char *s, json_int_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* A fact's value: integers and decimals become numbers, true/false booleans. */
json_t *
value_fact(const char *s)
{
	char *end;
	long long i;
	double d;

	if (strcmp(s, "true") == 0)
		return json_true();
	if (strcmp(s, "false") == 0)
		return json_false();
	if (*s != '\0' && strchr("-+0123456789.", *s) != NULL) {
		errno = 0;
		i = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0')
			return json_integer(i);
		errno = 0;
		d = strtod(s, &end);
		/* Plain finite decimals only: "0x1f", "nan" or "1e999" stay text. */
		if (errno == 0 && *end == '\0' && isfinite(d) && strpbrk(s, "xX") == NULL)
			return json_real(d);
	}
	return json_string(s);
}

/* Append the items of a , ; | separated list to arr. */
void
value_list_add(json_t *arr, const char *s)
{
	char *copy = xstrdup(s), *save = NULL;

	for (char *tok = strtok_r(copy, ",;|", &save); tok != NULL;
	     tok = strtok_r(NULL, ",;|", &save)) {
		while (*tok == ' ')
			tok++;
		for (char *end = tok + strlen(tok); end > tok && end[-1] == ' ';)
			*--end = '\0';
		if (*tok)
			json_array_append_new(arr, json_string(tok));
	}
	free(copy);
}

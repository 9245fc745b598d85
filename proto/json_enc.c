/*
 * json_enc.c: a compact JSON encoder for jansson values whose output is
 * json_dumps's, byte for byte, so that what it writes can be hashed and
 * compared with what jansson writes (the event chain hashes the canonical
 * form; older records were written by json_dumps).
 *
 * json_dumps (jansson 2.14, src/dump.c) goes through a callback per token
 * and keeps a hash table of every container on the path to detect cycles;
 * that is most of a request's encoding time. This walks the tree into one
 * growing buffer and copies runs of plain bytes at once. The rules it keeps:
 * object keys in insertion order, or with JSON_SORT_KEYS ordered by memcmp
 * over the shorter length, then by length; strings and keys checked as
 * UTF-8, one that is not failing the whole encoding (jansson writes a key
 * made by the _nocheck calls, which the daemon does not use, anyway);
 * escapes as jansson writes them without JSON_ENSURE_ASCII or
 * JSON_ESCAPE_SLASH: \" \\ \b \f \n \r \t, any other byte below 0x20 as
 * \u00XX in capitals, everything else as it is; integers in "%lld"; reals
 * formatted by jansson itself. A value nested more than DEPTH_MAX levels
 * down fails, where jansson would recurse on (and a cycle fails there, where
 * jansson refuses it at once): no value the daemon builds or parses comes
 * near it (the parser stops at 2,048).
 */
#include "json_enc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 4096
#define KEYS_ON_STACK 8

struct out {
	char *p;
	size_t n, cap;
	int failed;
};

static int
grow(struct out *o, size_t more)
{
	size_t cap = o->cap ? o->cap : 256;
	char *p;

	if (o->failed || more > SIZE_MAX / 4 - o->n) {
		o->failed = 1;
		return -1;
	}
	while (cap - o->n < more + 1)
		cap *= 2;
	if (cap == o->cap)
		return 0;
	p = realloc(o->p, cap);
	if (p == NULL) {
		o->failed = 1;
		return -1;
	}
	o->p = p;
	o->cap = cap;
	return 0;
}

static void
put(struct out *o, const void *s, size_t n)
{
	if (o->cap - o->n < n + 1 && grow(o, n) != 0)
		return;
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void
put_c(struct out *o, char c)
{
	if (o->cap - o->n < 2 && grow(o, 1) != 0)
		return;
	o->p[o->n++] = c;
}

/* The length of the UTF-8 sequence at s (at most n bytes) as jansson accepts it, or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t v;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, v = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, v = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, v = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (len == 3 && v < 0x800) ||
	    (len == 4 && v < 0x10000))
		return 0;
	return len;
}

static void
put_string(struct out *o, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	put_c(o, '"');
	while (i < n) {
		unsigned char c;
		char esc[6] = {'\\', 0, '0', '0', 0, 0};
		size_t len = 2;

		/* A run of bytes copied as they are: ASCII from space on, but " and \. */
		while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
			i++;
		if (i == n)
			break;
		c = s[i];
		if (c >= 0x80) {
			size_t k = utf8_len(s + i, n - i);

			if (k == 0) {
				o->failed = 1;
				return;
			}
			i += k;
			continue;
		}
		put(o, s + run, i - run);
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xF];
			len = 6;
		}
		put(o, esc, len);
		run = ++i;
	}
	put(o, s + run, n - run);
	put_c(o, '"');
}

struct key {
	const char *k;
	size_t n;
	json_t *v;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int r = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);

	return r != 0 ? r : (x->n > y->n) - (x->n < y->n);
}

static void put_value(struct out *o, const json_t *v, size_t flags, int depth);

/*
 * An object with JSON_SORT_KEYS: its members sorted as jansson sorts them. A
 * frame of its own, so that the key array (on the stack for a few keys) is
 * not carried down every level of a deep value.
 */
static void
put_sorted(struct out *o, const json_t *v, size_t flags, int depth)
{
	struct key stack[KEYS_ON_STACK], *keys = stack;
	size_t n = json_object_size(v), i = 0;

	if (n > KEYS_ON_STACK && (keys = malloc(n * sizeof *keys)) == NULL) {
		o->failed = 1;
		return;
	}
	for (void *it = json_object_iter((json_t *)v); it != NULL && i < n;
	     it = json_object_iter_next((json_t *)v, it))
		keys[i++] = (struct key){json_object_iter_key(it), json_object_iter_key_len(it),
					 json_object_iter_value(it)};
	qsort(keys, i, sizeof *keys, key_cmp);
	for (size_t j = 0; j < i; j++) {
		if (j > 0)
			put_c(o, ',');
		put_string(o, keys[j].k, keys[j].n);
		put_c(o, ':');
		put_value(o, keys[j].v, flags, depth + 1);
	}
	if (keys != stack)
		free(keys);
}

static void
put_object(struct out *o, const json_t *v, size_t flags, int depth)
{
	size_t i = 0;

	put_c(o, '{');
	if (flags & JSON_SORT_KEYS)
		put_sorted(o, v, flags, depth);
	else
		for (void *it = json_object_iter((json_t *)v); it != NULL;
		     it = json_object_iter_next((json_t *)v, it)) {
			if (i++ > 0)
				put_c(o, ',');
			put_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
			put_c(o, ':');
			put_value(o, json_object_iter_value(it), flags, depth + 1);
		}
	put_c(o, '}');
}

static void
put_value(struct out *o, const json_t *v, size_t flags, int depth)
{
	char buf[32];
	char *real;

	if (o->failed)
		return;
	if (v == NULL || depth > DEPTH_MAX) {
		o->failed = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(o, v, flags, depth);
		break;
	case JSON_ARRAY:
		put_c(o, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				put_c(o, ',');
			put_value(o, json_array_get(v, i), flags, depth + 1);
		}
		put_c(o, ']');
		break;
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put(o, buf,
		    (size_t)snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT,
				     json_integer_value(v)));
		break;
	case JSON_REAL: /* rare: jansson's own formatting, so the digits are its */
		real = json_dumps(v, JSON_ENCODE_ANY);
		if (real == NULL) {
			o->failed = 1;
			return;
		}
		put(o, real, strlen(real));
		free(real);
		break;
	case JSON_TRUE:
		put(o, "true", 4);
		break;
	case JSON_FALSE:
		put(o, "false", 5);
		break;
	case JSON_NULL:
		put(o, "null", 4);
		break;
	}
}

char *
pw_json_dumps(const json_t *v, size_t flags)
{
	const size_t ours = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY;
	struct out o = {NULL, 0, 0, 0};

	if ((flags & ~ours) != 0 || !(flags & JSON_COMPACT))
		return json_dumps(v, flags);
	if (v == NULL || (!(flags & JSON_ENCODE_ANY) && !json_is_object(v) && !json_is_array(v)))
		return NULL;
	if (grow(&o, 0) == 0)
		put_value(&o, v, flags, 0);
	if (o.failed) {
		free(o.p);
		return NULL;
	}
	o.p[o.n] = '\0';
	return o.p;
}

/*
 * test_json_enc.c: pw_json_dumps (proto/json_enc.c) writes what jansson's
 * json_dumps writes, byte for byte, for the flags it handles: fixed values
 * chosen for every rule (escapes, UTF-8, key order, numbers, nesting), large
 * objects and strings, and thousands of random trees; it fails where
 * json_dumps fails, hands the flags it does not handle to jansson, and
 * refuses a value nested deeper than 4,096 levels.
 */
#include "unit.h"

#include "json_enc.h"

static const size_t flag_sets[] = {JSON_COMPACT, JSON_COMPACT | JSON_SORT_KEYS,
				   JSON_COMPACT | JSON_ENCODE_ANY,
				   JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY};

/* Both encoders agree on v under every flag set (and v is not consumed). */
static void
same(const json_t *v, const char *what)
{
	for (size_t i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
		char *a = json_dumps(v, flag_sets[i]), *b = pw_json_dumps(v, flag_sets[i]);

		if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
			fail_msg("%s, flags %#zx: jansson %s, ours %s", what, flag_sets[i],
				 a ? a : "(NULL)", b ? b : "(NULL)");
		free(a);
		free(b);
	}
}

static void
test_fixed(void **state)
{
	static const char *const texts[] = {
	    "{}",
	    "[]",
	    "[{}, [], [[]], {\"a\": {}}]",
	    "{\"b\": 1, \"a\": 2, \"c\": {\"z\": true, \"y\": false, \"x\": null}}",
	    "{\"ab\": 1, \"a\": 2, \"b\": 3, \"\": 4, \"A\": 5, \"a b\": 6}",
	    "{\"kb\": 1, \"k\": 2, \"ka\": 3, \"k~\": 4, \"K\": 5}",
	    "[\"\\\"quoted\\\" and \\\\ back\", \"/slash/\", \"tab\\there\", \"\\u007f\"]",
	    "[\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
	    "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
	    "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"]",
	    "[\"café\", \"Łódź\", \"日本語\", \"\\ud83d\\ude00 smile\", \"\\uffff\", \"\\u0080\"]",
	    "{\"é\": 1, \"e\": 2, \"z\": 3, \"\\ud83d\\ude00\": 4}",
	    "[0, -1, 1, 9223372036854775807, -9223372036854775808, 42]",
	    "[0.5, -0.0, 1.0, 0.1, 1e300, -2.5e-7, 3.141592653589793, 100000000000000000000.0]",
	    "{\"id\": \"r-1\", \"ok\": true, \"data\": {\"person\": {\"id\": \"p1\", \"roles\": "
	    "[\"candidate\"], \"facts\": {\"years_as_head\": 4}}}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		json_error_t err;
		json_t *v = json_loads(texts[i], JSON_ALLOW_NUL, &err);

		if (v == NULL)
			fail_msg("%s: %s", texts[i], err.text);
		same(v, texts[i]);
		json_decref(v);
	}
}

static void
test_scalars_and_failures(void **state)
{
	json_t *scalars[] = {json_string("plain"), json_integer(-7), json_real(2.0),
			     json_true(),	   json_false(),     json_null()};
	json_t *bad = json_stringn_nocheck("a\xC3(b", 4), *arr = json_array(), *obj = json_object();

	(void)state;
	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
		same(scalars[i], "a scalar");
		json_decref(scalars[i]);
	}
	/* Not UTF-8: both refuse, alone and inside containers. */
	same(bad, "an invalid string");
	json_array_append(arr, bad);
	json_object_set(obj, "k", arr);
	same(obj, "an invalid string inside");
	assert_null(pw_json_dumps(obj, JSON_COMPACT));
	/* Sequences jansson rejects: overlong, surrogate half, beyond U+10FFFF, truncated. */
	{
		static const char *const seqs[] = {
		    "\xC0\xAF",	    "\xE0\x80\xAF",	    "\xED\xA0\x80", "\xF4\x90\x80\x80",
		    "\xF0\x9F\x98", "\xF8\x88\x80\x80\x80", "\x80"};

		for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
			json_t *s = json_stringn_nocheck(seqs[i], strlen(seqs[i]));

			same(s, "a rejected sequence");
			assert_null(pw_json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY));
			json_decref(s);
		}
	}
	assert_null(pw_json_dumps(NULL, JSON_COMPACT));
	/* Flags it does not handle go to jansson itself, with or without JSON_COMPACT. */
	{
		static const size_t others[] = {JSON_INDENT(2),
						JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH,
						JSON_COMPACT | JSON_ESCAPE_SLASH,
						JSON_COMPACT | JSON_ENSURE_ASCII | JSON_SORT_KEYS,
						JSON_COMPACT | JSON_REAL_PRECISION(5)};
		json_t *ok = json_pack("{s:s, s:f, s:[s, i], s:{}}", "k", "é/x\n\u00e9", "r",
				       3.14159265, "a", "/", 7, "e");

		for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
			char *a = json_dumps(ok, others[i]), *b = pw_json_dumps(ok, others[i]);

			assert_non_null(a);
			assert_non_null(b);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
		json_decref(ok);
	}
	json_decref(bad);
	json_decref(arr);
	json_decref(obj);
}

/* Objects with more keys than fit on the encoder's stack, and strings longer than its first buffer.
 */
static void
test_large_values(void **state)
{
	json_t *o = json_object(), *a = json_array();
	char key[32], *big = malloc(100001);

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "k%03d", (i * 7919) % 300); /* inserted out of order */
		json_object_set_new(o, key, json_integer(i));
	}
	for (int i = 0; i < 100000; i++)
		big[i] = "ab\"\\\n\x01é/"[i % 9];
	big[100000] = '\0';
	json_array_append_new(a, json_string(big));
	json_object_set(o, "big", a);
	same(o, "300 keys and a 100,000-byte string");
	free(big);
	json_decref(a);
	json_decref(o);
}

/* Nesting as deep as the parser allows is encoded; deeper than 4,096 levels is refused. */
static void
test_depth(void **state)
{
	json_t *deep = json_string("leaf"), *deeper;

	(void)state;
	for (int i = 0; i < 2048; i++) {
		json_t *w = i % 2 ? json_array() : json_object();

		if (json_is_array(w))
			json_array_append_new(w, deep);
		else
			json_object_set_new(w, "x", deep);
		deep = w;
	}
	same(deep, "2,048 levels");
	deeper = json_incref(deep);
	for (int i = 0; i < 3000; i++) {
		json_t *w = json_array();

		json_array_append_new(w, deeper);
		deeper = w;
	}
	assert_null(pw_json_dumps(deeper, JSON_COMPACT));
	assert_null(pw_json_dumps(deeper, JSON_COMPACT | JSON_SORT_KEYS));
	json_decref(deeper);
	json_decref(deep);
}

/* unit_rnd's state: the same sequence every run, so failures repeat. */
static unsigned long long rng = 0x9E3779B97F4A7C15ULL;

static unsigned
rnd(unsigned n)
{
	return unit_rnd(&rng, n);
}

/* A random string: ASCII, controls, quotes, backslashes, and 2-, 3- and 4-byte UTF-8. */
static json_t *
rnd_string(void)
{
	static const char *const parts[] = {"a",
					    "Z",
					    " ",
					    "\"",
					    "\\",
					    "/",
					    "\n",
					    "\t",
					    "\x01",
					    "\x1f",
					    "\x7f",
					    "é",
					    "ß",
					    "€",
					    "日",
					    "😀",
					    "ab",
					    "id",
					    "\xef\xbf\xbf",
					    "\xc2\x80",
					    "\xf4\x8f\xbf\xbf"};
	char buf[128];
	size_t n = 0, len = rnd(12);

	for (size_t i = 0; i < len; i++) {
		const char *p = parts[rnd(sizeof parts / sizeof parts[0])];

		memcpy(buf + n, p, strlen(p));
		n += strlen(p);
	}
	if (rnd(20) == 0) /* now and then an embedded NUL */
		buf[n++] = '\0';
	return json_stringn(buf, n);
}

static json_t *
rnd_value(int depth)
{
	unsigned kind = depth > 4 ? 2 + rnd(6) : rnd(8);

	switch (kind) {
	case 0: {
		json_t *o = json_object();
		unsigned n = rnd(8);

		for (unsigned i = 0; i < n; i++) {
			json_t *k = rnd_string();

			json_object_setn_new(o, json_string_value(k), json_string_length(k),
					     rnd_value(depth + 1));
			json_decref(k);
		}
		return o;
	}
	case 1: {
		json_t *a = json_array();
		unsigned n = rnd(6);

		for (unsigned i = 0; i < n; i++)
			json_array_append_new(a, rnd_value(depth + 1));
		return a;
	}
	case 2:
		if (rnd(200) == 0) /* now and then a string that is not UTF-8: both refuse */
			return json_stringn_nocheck("ok\xC3(", 4);
		return rnd_string();
	case 3:
		return rnd_string();
	case 4:
		return json_integer((json_int_t)(rng >> rnd(64)) * (rnd(2) ? 1 : -1));
	case 5:
		return json_real((double)(int64_t)rng / (double)(1 + rnd(1000000)));
	case 6:
		return rnd(2) ? json_true() : json_false();
	default:
		return json_null();
	}
}

static void
test_random_trees(void **state)
{
	(void)state;
	for (int i = 0; i < 5000; i++) {
		json_t *v = rnd_value(0);
		char what[64];

		snprintf(what, sizeof what, "random tree %d", i);
		same(v, what);
		json_decref(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed),	 cmocka_unit_test(test_scalars_and_failures),
	    cmocka_unit_test(test_large_values), cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_random_trees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

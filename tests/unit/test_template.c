/*
 * test_template.c: {{variable}} templates (proto/template.c): rendering,
 * HTML escaping of values, and finding placeholders so that a template
 * using a variable its event does not provide is caught at load time;
 * re-wrapping rendered text to 78 columns.
 */
#include "unit.h"

#include <dirent.h>

#include "template.h"

static void
render_is(const char *text, const char *vars_json, int html, const char *want)
{
	json_t *vars = json_loads(vars_json, 0, NULL);
	char *got;

	assert_non_null(vars);
	got = tmpl_render(text, vars, html);
	if (strcmp(got, want) != 0)
		fail_msg("render '%s' (html %d): got '%s', want '%s'", text, html, got, want);
	free(got);
	json_decref(vars);
}

static void
test_render(void **state)
{
	(void)state;
	render_is("Dear {{recipient_name}},", "{\"recipient_name\": \"Ann Lee\"}", 0,
		  "Dear Ann Lee,");
	render_is("{{ a }}+{{b}}={{c}}", "{\"a\": \"1\", \"b\": 2, \"c\": 3.5}", 0, "1+2=3.5");
	render_is("{{a}}{{a}}{{b}}", "{\"a\": \"x\", \"b\": \"y\"}", 0, "xxy");
	render_is("no placeholders at all", "{}", 0, "no placeholders at all");
	render_is("", "{}", 0, "");
	render_is("{{a}}", "{\"a\": \"\"}", 0, "");
	/* missing names and values that are not text render empty */
	render_is("[{{missing}}]", "{}", 0, "[]");
	render_is("[{{t}}|{{n}}|{{o}}|{{l}}]",
		  "{\"t\": true, \"n\": null, \"o\": {\"x\": 1}, \"l\": [1]}", 0, "[|||]");
	render_is("{{neg}}", "{\"neg\": -42}", 0, "-42");
	/* UTF-8 passes through untouched */
	render_is("{{s}}", "{\"s\": \"Jos\\u00e9 \\u2013 \\u00a3100\"}", 0,
		  "Jos\xc3\xa9 \xe2\x80\x93 \xc2\xa3"
		  "100");
	/* a value is not itself expanded */
	render_is("{{a}}", "{\"a\": \"{{b}}\", \"b\": \"no\"}", 0, "{{b}}");
	/* what is not a placeholder stays as written */
	render_is("{{Name}} {{a-b}} {{}} {{a b}} {{open", "{\"Name\": 1, \"a\": 2}", 0,
		  "{{Name}} {{a-b}} {{}} {{a b}} {{open");
	render_is("{ {a} } }} {{a}", "{\"a\": 1}", 0, "{ {a} } }} {{a}");
	render_is("x {{a}} y", "{\"a\": \"1\"}", 1, "x 1 y");
}

static void
test_render_html(void **state)
{
	(void)state;
	render_is("<p>{{v}}</p>", "{\"v\": \"<b>\\\"Tom\\\" & 'Jerry'</b>\"}", 1,
		  "<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>");
	/* plain text is not escaped */
	render_is("{{v}}", "{\"v\": \"<b>\\\"Tom\\\" & 'Jerry'</b>\"}", 0,
		  "<b>\"Tom\" & 'Jerry'</b>");
	/* the template's own markup is left alone, only values are escaped */
	render_is("<a href=\"{{link}}\">&amp;</a>", "{\"link\": \"https://x/?a=1&b=2\"}", 1,
		  "<a href=\"https://x/?a=1&amp;b=2\">&amp;</a>");
	/* an entity in a value is escaped again, not trusted */
	render_is("{{v}}", "{\"v\": \"&amp;\"}", 1, "&amp;amp;");
	render_is("{{v}}", "{\"v\": \"<script>alert(1)</script>\"}", 1,
		  "&lt;script&gt;alert(1)&lt;/script&gt;");
	render_is("{{v}}", "{\"v\": \"caf\\u00e9 > tea\"}", 1, "caf\xc3\xa9 &gt; tea");
	render_is("{{n}}", "{\"n\": 7}", 1, "7");
}

static void
test_render_long(void **state)
{
	/* many placeholders and a long value: the buffer grows correctly */
	size_t n = 5000;
	char *text = xmalloc(n * 5 + 1), *big = xmalloc(100001), *got;
	json_t *vars;

	(void)state;
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 5, "{{a}}", 5);
	text[n * 5] = '\0';
	vars = json_pack("{s:s}", "a", "xy");
	got = tmpl_render(text, vars, 0);
	assert_int_equal(strlen(got), n * 2);
	for (size_t i = 0; i < n * 2; i += 2)
		assert_memory_equal(got + i, "xy", 2);
	free(got);
	json_decref(vars);
	memset(big, '&', 100000);
	big[100000] = '\0';
	vars = json_pack("{s:s}", "a", big);
	got = tmpl_render("[{{a}}]", vars, 1);
	assert_int_equal(strlen(got), 100000 * 5 + 2);
	assert_int_equal(got[0], '[');
	assert_memory_equal(got + 1, "&amp;&amp;", 10);
	assert_int_equal(got[strlen(got) - 1], ']');
	free(got);
	json_decref(vars);
	free(big);
	free(text);
}

/* tmpl_vars: collect names into a JSON array. */
static int
collect(const char *name, void *ud)
{
	json_array_append_new(ud, json_string(name));
	return 0;
}

static void
vars_are(const char *text, const char *want_json)
{
	json_t *got = json_array(), *want = json_loads(want_json, 0, NULL);
	size_t bad = 999;

	assert_int_equal(tmpl_vars(text, collect, got, &bad), 0);
	assert_int_equal(bad, 999);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, 0);

		fail_msg("'%s': names %s, want %s", text, g, want_json);
	}
	json_decref(got);
	json_decref(want);
}

static void
vars_bad(const char *text, size_t at)
{
	json_t *got = json_array();
	size_t bad = 999;

	assert_int_equal(tmpl_vars(text, collect, got, &bad), -1);
	if (bad != at)
		fail_msg("'%s': bad at %zu, want %zu", text, bad, at);
	json_decref(got);
	/* bad may be NULL */
	got = json_array();
	assert_int_equal(tmpl_vars(text, collect, got, NULL), -1);
	json_decref(got);
}

static void
test_vars(void **state)
{
	char name[80], *text;

	(void)state;
	vars_are("", "[]");
	vars_are("Dear {{recipient_name}}, {{ stage_name }} {{todo}}{{todo}}",
		 "[\"recipient_name\", \"stage_name\", \"todo\", \"todo\"]");
	vars_are("a { b } c }} d", "[]");
	vars_bad("Dear {{recipient_name}", 5);
	vars_bad("ok {{a}} then {{Bad}}", 14);
	vars_bad("{{a-b}}", 0);
	vars_bad("{{}}", 0);
	vars_bad("{{ }}", 0);
	vars_bad("{{a b}}", 0);
	vars_bad("x {{", 2);
	/* names up to 64 characters */
	memset(name, 'n', 64);
	name[64] = '\0';
	text = xasprintf("{{%s}}", name);
	vars_are(text, "[\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"]");
	free(text);
	name[64] = 'n';
	name[65] = '\0';
	text = xasprintf("ab{{%s}}", name);
	vars_bad(text, 2);
	free(text);
}

/* Unknown-variable detection as the configuration loader does it. */
struct allow {
	const char *const *names;
	char unknown[80];
	int seen;
};

static int
allowed(const char *name, void *ud)
{
	struct allow *a = ud;

	a->seen++;
	for (const char *const *n = a->names; *n != NULL; n++)
		if (strcmp(*n, name) == 0)
			return 0;
	snprintf(a->unknown, sizeof a->unknown, "%s", name);
	return 7;
}

static void
test_unknown_variable(void **state)
{
	static const char *const names[] = {"recipient_name", "candidate_name", "reason", NULL};
	struct allow a = {names, "", 0};

	(void)state;
	assert_int_equal(
	    tmpl_vars("{{recipient_name}}: {{candidate_name}} ({{reason}})", allowed, &a, NULL), 0);
	assert_int_equal(a.seen, 3);
	assert_string_equal(a.unknown, "");
	/* the first unknown name stops the walk, and the callback's value comes back */
	a.seen = 0;
	assert_int_equal(
	    tmpl_vars("{{recipient_name}} {{candiate_name}} {{nope}}", allowed, &a, NULL), 7);
	assert_int_equal(a.seen, 2);
	assert_string_equal(a.unknown, "candiate_name");
}

/* Every shipped template is well formed: its placeholders are valid names. */
static void
test_shipped_templates(void **state)
{
	char *dir = xasprintf("%s/conf/templates", unit_src());
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char *path, *text;
		json_t *names;
		size_t bad = 0;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		text = unit_read(path);
		names = json_array();
		if (tmpl_vars(text, collect, names, &bad) != 0)
			fail_msg("%s: bad placeholder at byte %zu", path, bad);
		assert_true(json_array_size(names) > 0);
		json_decref(names);
		free(text);
		free(path);
		n++;
	}
	closedir(d);
	free(dir);
	assert_true(n >= 20);
}

static void
wrap_is(const char *text, size_t width, const char *want)
{
	char *got = tmpl_wrap(text, width);

	if (strcmp(got, want) != 0)
		fail_msg("wrap '%s' (%zu): got '%s', want '%s'", text, width, got, want);
	free(got);
}

/* Plain text re-wrapped after substitution: paragraphs filled, the rest kept. */
static void
test_wrap(void **state)
{
	(void)state;
	/* a paragraph whose lines grew or shrank with their values is filled again */
	wrap_is("Dear Ann,\n\nOne two three four five six\nseven.\n", 20,
		"Dear Ann,\n\nOne two three four\nfive six seven.\n");
	wrap_is("a b\nc d\n", 78, "a b c d\n");
	/* no line passes the width; characters, not bytes, are counted */
	wrap_is("Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab Zo\xc3\xab\n", 10,
		"Zo\xc3\xab Zo\xc3\xab\nZo\xc3\xab Zo\xc3\xab\n");
	/* a word longer than the line (a URL) is never broken: a line of its own */
	wrap_is("Do it online: https://example.org/a/aaaaaaaaaaaaaaaaaaaa then.\n", 20,
		"Do it online:\nhttps://example.org/a/aaaaaaaaaaaaaaaaaaaa\nthen.\n");
	/* blank lines stay, and separate paragraphs */
	wrap_is("a\n\n\nb\n", 78, "a\n\n\nb\n");
	/* indented lines and list lines stand alone, folded under themselves */
	wrap_is("Sessions:\n  TP1 Mon\n  TP2 Tue\nAfter.\n", 78,
		"Sessions:\n  TP1 Mon\n  TP2 Tue\nAfter.\n");
	wrap_is("  To: one two three four\n", 14, "  To: one two\n  three four\n");
	wrap_is("  To:    aligned   columns\n", 78, "  To:    aligned   columns\n");
	wrap_is("- one two three four\n- five\n", 12, "- one two\n  three four\n- five\n");
	wrap_is("12. one two three\n", 10, "12. one\n    two\n    three\n");
	/* trailing blanks, CRs and doubled spaces (an empty value) go */
	wrap_is("a  b \r\n\r\nc\t\n", 78, "a b\n\nc\n");
	/* every line ends with a newline */
	wrap_is("last", 78, "last\n");
	wrap_is("", 78, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_render_html),
	    cmocka_unit_test(test_render_long),
	    cmocka_unit_test(test_vars),
	    cmocka_unit_test(test_unknown_variable),
	    cmocka_unit_test(test_shipped_templates),
	    cmocka_unit_test(test_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

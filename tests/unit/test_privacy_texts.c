/*
 * test_privacy_texts.c: what an erasure takes out of the emails queued to
 * others (daemon/cmd/privacy_texts.c): the texts read off an application
 * and a support request as they were and are (only what went), a whole
 * reason, note or need replaced only when it is the erased text (another
 * writer's stays), a career step's school in its line (the same school on
 * another step stays), a subject quoting the text as whole words (not
 * inside another word, nor under 3 bytes), a job about nothing in
 * particular changed only in the subjects it quotes.
 */
#include "unit.h"

#include <jansson.h>

#include "cmd/privacy_texts.h"

#define R PRIVACY_TEXT_REMOVED

static const char *
sv(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
test_collect_what_went(void **state)
{
	json_t *texts = json_object(), *list;
	json_t *before = json_loads(
	    "{\"withdrawal\": {\"by\": \"p-a\", \"reason\": \"ill\"},"
	    " \"returned\": {\"f1\": {\"by\": \"p-h\", \"note\": \"N1\"},"
	    "                \"f2\": {\"by\": \"p-l\", \"note\": \"N2\"}},"
	    " \"career\": [{\"date\": \"2027-09-01\", \"role\": \"Head\", \"school\": \"Oak\"},"
	    "            {\"role\": \"Dep\"}]}",
	    0, NULL);
	json_t *after = json_loads("{\"withdrawal\": {\"by\": \"p-a\"},"
				   " \"returned\": {\"f1\": {\"by\": \"p-h\"},"
				   "                \"f2\": {\"by\": \"p-l\", \"note\": \"N2\"}},"
				   " \"career\": [{\"role\": \"Head\"}, {\"role\": \"Dep\"}]}",
				   0, NULL);
	json_t *sb = json_loads("{\"S1\": {\"need\": \"NEED\", \"ended\": {\"note\": \"END\"}},"
				" \"S2\": {\"need\": \"KEPT\"}}",
				0, NULL);
	json_t *sa = json_loads("{\"S1\": {\"ended\": {}}, \"S2\": {\"need\": \"KEPT\"}}", 0, NULL);
	char *s;

	(void)state;
	privacy_texts_app(texts, "A1", before, after);
	privacy_texts_support(texts, sb, sa);
	privacy_texts_add(texts, "app", "A1", "note", ""); /* nothing to add */
	privacy_texts_add(NULL, "app", "A1", "note", "x"); /* nowhere to add */
	list = json_object_get(texts, "app/A1");
	s = json_dumps(list, JSON_COMPACT);
	assert_string_equal(s, "[[\"reason\",\"ill\"],[\"note\",\"N1\"],"
			       "[\"career\",\"Oak\",\"  2027-09-01: Head, \"]]");
	free(s);
	s = json_dumps(json_object_get(texts, "support/S1"), JSON_COMPACT);
	assert_string_equal(s, "[[\"need\",\"NEED\"],[\"note\",\"END\"]]");
	free(s);
	assert_null(json_object_get(texts, "support/S2"));
	json_decref(texts);
	json_decref(before);
	json_decref(after);
	json_decref(sb);
	json_decref(sa);
}

static void
test_redact_job(void **state)
{
	json_t *list2;
	json_t *list = json_loads("[[\"reason\", \"my partner is ill\"], [\"note\", \"Fix it\"],"
				  " [\"career\", \"Oak\"], [\"need\", \"A mentor\"]]",
				  0, NULL);
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "reason", "my partner is ill",
			      "note", "Another's note", "need", "A mentor", "career",
			      "  2027-09-01: Deputy head, Oak\n  2028-09-01: Head, Oakwood\n",
			      "failed_subject", "Withdrawn: my partner is ill, Fix itself", "todo",
			      "my partner is ill");

	(void)state;
	assert_int_equal(privacy_texts_redact(v, list, 1), 4);
	assert_string_equal(sv(v, "reason"), R);
	assert_string_equal(sv(v, "note"), "Another's note"); /* not theirs */
	assert_string_equal(sv(v, "need"), R);
	assert_string_equal(sv(v, "career"),
			    "  2027-09-01: Deputy head, " R "\n  2028-09-01: Head, Oakwood\n");
	/* Whole words only: "Fix itself" is not their "Fix it". */
	assert_string_equal(sv(v, "failed_subject"), "Withdrawn: " R ", Fix itself");
	assert_string_equal(sv(v, "todo"), "my partner is ill"); /* carries no one's text */
	/* Done: nothing more changes. */
	assert_int_equal(privacy_texts_redact(v, list, 1), 0);
	json_decref(v);

	/* A step known by its line: the same school on another step stays. */
	list2 = json_loads("[[\"career\", \"Oak\", \"  2027-09-01: Deputy head, \"]]", 0, NULL);
	v = json_pack("{s:s}", "career",
		      "  2027-09-01: Deputy head, Oak\n  2028-09-01: Head, Oak\n");
	assert_int_equal(privacy_texts_redact(v, list2, 1), 1);
	assert_string_equal(sv(v, "career"),
			    "  2027-09-01: Deputy head, " R "\n  2028-09-01: Head, Oak\n");
	json_decref(v);
	json_decref(list2);

	/* A job about no application or request: only the subjects it quotes. */
	v = json_pack("{s:s, s:s}", "reason", "my partner is ill", "notices",
		      "- 1 Oct: Withdrawn (my partner is ill)\n- 2 Oct: Oak Primary");
	assert_int_equal(privacy_texts_redact(v, list, 0), 1);
	assert_string_equal(sv(v, "reason"), "my partner is ill");
	assert_string_equal(sv(v, "notices"), "- 1 Oct: Withdrawn (" R ")\n- 2 Oct: Oak Primary");
	json_decref(v);
	json_decref(list);
}

static void
test_line(void **state)
{
	json_t *list = json_loads("[[\"reason\", \"no\"], [\"note\", \"Ünïcode\"]]", 0, NULL);
	char *s;

	(void)state;
	assert_null(privacy_texts_line("no reason: no", list)); /* under 3 bytes */
	assert_null(privacy_texts_line("xÜnïcode", list));
	s = privacy_texts_line("Ünïcode, again Ünïcode.", list);
	assert_string_equal(s, R ", again " R ".");
	free(s);
	json_decref(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_collect_what_went),
	    cmocka_unit_test(test_redact_job),
	    cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

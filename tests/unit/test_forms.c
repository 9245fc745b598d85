/*
 * test_forms.c: a form's answers checked against its fields (daemon/forms.c)
 * and the 360's anonymous roll-up (daemon/feedback_report.c): averages only
 * for categories at their threshold, short ones folded into "others" or
 * hidden, no overall average when anything is hidden, comments sorted and
 * withheld below the threshold, and the count withheld below count_from.
 */
#include "unit.h"

#include <jansson.h>

#include "config.h"
#include "feedback_report.h"
#include "forms.h"

static char *opts[] = {"A", "B", "C"};
static struct form_field fields[] = {
    {.id = "t", .label = "T", .type = FIELD_TEXT, .required = 1, .max = 5},
    {.id = "lt", .label = "LT", .type = FIELD_LONG_TEXT, .max = 8},
    {.id = "c", .label = "C", .type = FIELD_CHOICE, .options = opts, .noptions = 3},
    {.id = "mc",
     .label = "MC",
     .type = FIELD_MULTIPLE_CHOICE,
     .options = opts,
     .noptions = 3,
     .max = 2},
    {.id = "r", .label = "R", .type = FIELD_RATING, .max = 4},
    {.id = "d", .label = "D", .type = FIELD_DATE},
    {.id = "l", .label = "L", .type = FIELD_LINK, .max = 30},
    {.id = "yn", .label = "YN", .type = FIELD_YES_NO},
};
static struct form form = {.id = "f", .title = "F", .filled_by = 0, .fields = fields, .nfields = 8};

static int
check(const char *json, int complete, const char *words)
{
	json_t *v = json_loads(json, 0, NULL);
	struct pw_status st = {0};
	int rc;

	assert_non_null(v);
	rc = form_validate(&form, v, complete, &st);
	json_decref(v);
	if (words == NULL) {
		assert_int_equal(rc, 0);
	} else {
		assert_int_equal(rc, PW_EINVALID);
		if (strstr(st.msg, words) == NULL)
			fail_msg("'%s' does not say '%s'", st.msg, words);
	}
	return rc;
}

static void
test_field_types(void **state)
{
	(void)state;
	check("{\"t\": \"abcde\", \"lt\": "
	      "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\","
	      " \"c\": \"B\", \"mc\": [\"A\", \"C\"], \"r\": 4, \"d\": \"2028-02-29\","
	      " \"l\": \"https://x.org/a?b=c\", \"yn\": false}",
	      1, NULL);
	check("{\"t\": \"abcdef\"}", 1, "field 't' of form 'f' is longer than 5");
	check("{\"t\": \"a\", \"lt\": \"123456789\"}", 1,
	      "field 'lt' of form 'f' is longer than 8");
	check("{\"t\": \"a\\tb\"}", 1, "must be one line");
	check("{\"t\": \"a\", \"lt\": \"a\\u0001\"}", 1, "control character");
	check("{\"t\": \"a\", \"c\": \"b\"}", 1,
	      "field 'c' of form 'f' must be one of its options");
	check("{\"t\": \"a\", \"mc\": [\"A\", \"B\", \"C\"]}", 1, "takes at most 2");
	check("{\"t\": \"a\", \"mc\": [\"A\", \"A\"]}", 1, "holds an option twice");
	check("{\"t\": \"a\", \"mc\": [1]}", 1, "not one of its options");
	check("{\"t\": \"a\", \"r\": 1.5}", 1, "integer from 1 to 4");
	check("{\"t\": \"a\", \"r\": true}", 1, "integer from 1 to 4");
	check("{\"t\": \"a\", \"d\": \"2027-02-29\"}", 1, "must be a date");
	check("{\"t\": \"a\", \"d\": \"2027-2-1\"}", 1, "must be a date");
	check("{\"t\": \"a\", \"l\": \"https://\"}", 1, "must be a link");
	check("{\"t\": \"a\", \"l\": \"javascript:alert(1)\"}", 1, "must be a link");
	check("{\"t\": \"a\", \"l\": \"https://x.org/\\\"><b>\"}", 1, "must be a link");
	check("{\"t\": \"a\", \"l\": \"https://x.org/aaaaaaaaaaaaaaaaaaaaaaaaa\"}", 1,
	      "longer than 30");
	check("{\"t\": \"a\", \"yn\": 0}", 1, "must be true or false");
	check("{\"t\": \"a\", \"x\": 0}", 1, "form 'f' has no field 'x'");
}

static void
test_required_and_drafts(void **state)
{
	(void)state;
	check("{}", 1, "field 't' of form 'f' is required");
	check("{\"t\": null}", 1, "field 't' of form 'f' is required");
	check("{\"t\": \"\"}", 1, "field 't' of form 'f' is required");
	/* A draft may be incomplete, and may clear a field; its values are still checked. */
	check("{}", 0, NULL);
	check("{\"t\": null, \"mc\": [], \"c\": \"\"}", 0, NULL);
	check("{\"r\": 9}", 0, "integer from 1 to 4");
	{
		json_t *v =
		    json_loads("{\"t\": \"a\", \"c\": \"\", \"mc\": [], \"yn\": false}", 0, NULL);
		json_t *clean = form_clean(v);

		assert_int_equal(json_object_size(clean), 2);
		assert_true(json_is_false(json_object_get(clean, "yn")));
		json_decref(clean);
		json_decref(v);
	}
}

static struct feedback_category cats[] = {
    {.id = "line_manager", .name = "Line manager", .threshold = 1},
    {.id = "peers", .name = "Peers", .threshold = 3},
    {.id = "direct_reports", .name = "Direct reports", .threshold = 3},
    {.id = "others", .name = "Others", .threshold = 3},
};
static struct feedback_question questions[] = {{.id = "q", .text = "Q"}};
static struct programme prog = {.id = "p",
				.feedback = {.declared = 1,
					     .scale_max = 5,
					     .count_from = 3,
					     .categories = cats,
					     .ncategories = 4,
					     .questions = questions,
					     .nquestions = 1}};

/* Responses "category:rating:comment" (comment optional) as the report reads them. */
static json_t *
responses(const char *const *spec, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		char cat[32], comment[64] = "";
		int rating;

		assert_true(sscanf(spec[i], "%31[^:]:%d:%63[^\n]", cat, &rating, comment) >= 2);
		json_array_append_new(a,
				      json_pack("{s:s, s:{s:i}, s:{s:s}}", "category", cat,
						"ratings", "q", rating, "comments", "q", comment));
	}
	return a;
}

static json_t *
question(const char *const *spec, size_t n, json_t **report)
{
	json_t *r = responses(spec, n);

	*report = feedback_report(&prog, r);
	json_decref(r);
	return json_array_get(json_object_get(*report, "questions"), 0);
}

static void
test_rollup_folds_and_hides(void **state)
{
	static const char *const some[] = {
	    "line_manager:5:Zest",   "peers:4",		 "peers:3",  "peers:5",
	    "direct_reports:1:also", "direct_reports:2", "others:4", "self:2:me",
	};
	static const char *const few[] = {"line_manager:5", "direct_reports:1:one", "others:2:two"};
	json_t *report, *q, *g;

	(void)state;
	q = question(some, 8, &report);
	g = json_object_get(q, "groups");
	assert_int_equal(json_array_size(g), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(g, 1), "category")),
			    "peers");
	assert_true(json_real_value(json_object_get(json_array_get(g, 1), "average")) == 4.0);
	/* Two direct reports folded into others with its one: 3, average 7/3. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(g, 2), "category")),
			    "others");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(g, 2), "n")), 3);
	assert_true(json_real_value(json_object_get(json_array_get(g, 2), "average")) == 2.33);
	assert_true(json_is_false(json_object_get(q, "hidden")));
	assert_int_equal(json_integer_value(json_object_get(q, "self")), 2);
	assert_int_equal(json_integer_value(json_object_get(report, "responses")), 7);
	/* Sorted by text, the self-assessment's apart. */
	assert_int_equal(json_array_size(json_object_get(q, "comments")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(q, "comments"), 0)),
			    "Zest");
	assert_string_equal(json_string_value(json_array_get(json_object_get(q, "comments"), 1)),
			    "also");
	json_decref(report);

	q = question(few, 3, &report);
	g = json_object_get(q, "groups");
	/* The line manager shows; the other two together are short of 3: hidden, and no
	 * overall average (it would give them away), no comments, no count. */
	assert_int_equal(json_array_size(g), 1);
	assert_true(json_is_true(json_object_get(q, "hidden")));
	assert_null(json_object_get(q, "all"));
	assert_non_null(json_object_get(q, "comments")); /* three colleagues: at the threshold */
	assert_int_equal(json_integer_value(json_object_get(report, "responses")), 3);
	json_decref(report);

	q = question(few, 2, &report);
	assert_null(json_object_get(q, "comments"));
	assert_null(json_object_get(report, "responses"));
	assert_int_equal(json_integer_value(json_object_get(report, "fewer_than")), 3);
	json_decref(report);
}

static void
test_answers_checked(void **state)
{
	struct pw_status st = {0};
	json_t *ok = json_pack("{s:i}", "q", 5), *bad = json_pack("{s:i}", "q", 6);
	json_t *unknown = json_pack("{s:i}", "z", 1), *cm = json_pack("{s:s}", "q", "fine");

	(void)state;
	assert_int_equal(feedback_check(&prog, ok, cm, &st), 0);
	assert_int_equal(feedback_check(&prog, bad, NULL, &st), PW_EINVALID);
	assert_non_null(strstr(st.msg, "from 1 to 5"));
	assert_int_equal(feedback_check(&prog, unknown, NULL, &st), PW_EINVALID);
	assert_non_null(strstr(st.msg, "no question 'z'"));
	assert_int_equal(feedback_check(&prog, NULL, NULL, &st), PW_EINVALID);
	assert_int_equal(feedback_check(&prog, ok, unknown, &st), PW_EINVALID);
	json_decref(ok);
	json_decref(bad);
	json_decref(unknown);
	json_decref(cm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_field_types),
	    cmocka_unit_test(test_required_and_drafts),
	    cmocka_unit_test(test_rollup_folds_and_hides),
	    cmocka_unit_test(test_answers_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_post_view.c: what each reader sees of a secondment post and how the
 * panel's scores add up (daemon/cmd/post_view.c): who stands how to a post
 * (LA, viewer, panel, applicant, audience, nobody; the round released), a
 * member's own scores only until scoring is complete, never a score for an
 * applicant, the advert fields alone for the audience, the means and the
 * pass mark at its boundary, a missing score that is never a pass, and
 * the applications listed the internal round's first, each round by person.
 */
#include "unit.h"

#include <jansson.h>

#include "cmd/post_view.h"
#include "posts.h"

static json_t *
post_fixture(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:[s, s], s:s, s:s, "
			 "s:s, s:{s:b}, s:[s], s:{}}",
			 "id", "sec", "title", "Deputy", "host", "s-hill", "description", "D",
			 "criteria", "id", "qts", "text", "QTS", "id", "lead", "text", "Leads",
			 "panel", "p-chair", "p-mem", "chair", "p-chair", "round", "internal",
			 "state", "interviewing", "internal", "p-ann", 1, "shortlist", "p-ann",
			 "audience");
}

/* An application of p-ann with the scores given (NULL: none), as {member: {crit: score}}. */
static json_t *
app_fixture(const char *scores)
{
	json_t *app = json_pack("{s:s, s:s, s:s, s:s, s:s}", "post", "sec", "round", "internal",
				"person", "p-ann", "statement", "S", "status", "shortlisted");
	json_t *in = scores ? json_loads(scores, 0, NULL) : NULL, *out = json_object(), *mine;
	const char *member, *crit;
	json_t *v;

	json_object_foreach(in, member, mine)
	{
		json_t *m = json_object();

		json_object_foreach(mine, crit, v)
		{
			json_object_set_new(m, crit, json_pack("{s:O}", "score", v));
		}
		json_object_set_new(out, member, m);
	}
	json_object_set_new(app, "scores", out);
	json_decref(in);
	return app;
}

static enum post_reader
reader(const char *id, const char *role, const json_t *post, const json_t *apps)
{
	struct wctx c;
	enum post_reader r;

	memset(&c, 0, sizeof c);
	c.actor_id = id;
	c.actor = json_pack("{s:s, s:[s]}", "id", id, "roles", role);
	r = post_reader_of(&c, post, apps);
	json_decref(c.actor);
	return r;
}

static void
test_readers(void **state)
{
	json_t *post = post_fixture(), *apps = json_pack("{s:[]}", "p-ben");

	(void)state;
	assert_int_equal(reader("p-la", "la_adviser", post, apps), POST_FULL);
	assert_int_equal(reader("v", "viewer", post, apps), POST_FULL);
	assert_int_equal(reader("p-mem", "headteacher", post, apps), POST_PANEL);
	assert_int_equal(reader("p-ben", "candidate", post, apps), POST_APPLICANT);
	assert_int_equal(reader("p-ann", "candidate", post, apps), POST_PUBLIC);
	assert_int_equal(reader("p-out", "candidate", post, apps), POST_HIDDEN);
	json_object_set_new(post, "round", json_string("external"));
	assert_int_equal(reader("p-out", "candidate", post, apps), POST_PUBLIC);
	json_decref(apps);
	json_decref(post);
}

static void
test_scores_seen(void **state)
{
	json_t *post = post_fixture();
	json_t *app =
	    app_fixture("{\"p-mem\": {\"qts\": 2, \"lead\": 3}, \"p-chair\": {\"qts\": 3}}");
	json_t *v;

	(void)state;
	/* The applicant: their own, no scores; someone else's: nothing. */
	v = post_app_view(post, app, POST_APPLICANT, "p-ann", 1);
	assert_non_null(v);
	assert_null(json_object_get(v, "scores"));
	assert_null(json_object_get(v, "means"));
	json_decref(v);
	assert_null(post_app_view(post, app, POST_APPLICANT, "p-ben", 1));
	assert_null(post_app_view(post, app, POST_PUBLIC, "p-ann", 1));
	/* A member while scoring goes on: their own scores only, no means. */
	v = post_app_view(post, app, POST_PANEL, "p-mem", 0);
	assert_int_equal(json_object_size(json_object_get(v, "scores")), 1);
	assert_non_null(json_object_get(json_object_get(v, "scores"), "p-mem"));
	assert_null(json_object_get(v, "means"));
	json_decref(v);
	/* Complete: everyone's, with the means. */
	v = post_app_view(post, app, POST_PANEL, "p-mem", 1);
	assert_int_equal(json_object_size(json_object_get(v, "scores")), 2);
	assert_true(json_real_value(json_object_get(json_object_get(v, "means"), "qts")) == 2.5);
	assert_true(json_real_value(json_object_get(json_object_get(v, "means"), "lead")) == 3);
	assert_true(json_is_true(json_object_get(v, "meets")));
	json_decref(v);
	json_decref(app);
	json_decref(post);
}

static void
test_complete_and_meets(void **state)
{
	json_t *post = post_fixture(), *apps = json_object(), *app;

	(void)state;
	app = app_fixture("{\"p-mem\": {\"qts\": 2, \"lead\": 2}, \"p-chair\": {\"qts\": 2}}");
	json_object_set_new(apps, "p-ann", app);
	assert_false(post_scoring_complete(post, apps));
	assert_true(post_meets(post, app)); /* a mean over those who scored: 2 and 2 */
	app = app_fixture("{\"p-mem\": {\"qts\": 2, \"lead\": 2}, \"p-chair\": {\"qts\": 2, "
			  "\"lead\": 1}}");
	json_object_set_new(apps, "p-ann", app);
	assert_true(post_scoring_complete(post, apps));
	assert_false(post_meets(post, app)); /* lead 1.5: below the pass mark */
	app = app_fixture("{\"p-mem\": {\"qts\": 1, \"lead\": 3}, \"p-chair\": {\"qts\": 3, "
			  "\"lead\": 1}}");
	json_object_set_new(apps, "p-ann", app);
	assert_true(post_meets(post, app)); /* exactly 2 on each passes */
	app = app_fixture(NULL);
	assert_false(post_meets(post, app)); /* nobody scored: never a pass */
	json_decref(app);
	json_decref(apps);
	json_decref(post);
}

static void
test_post_fields(void **state)
{
	json_t *post = post_fixture(), *v;

	(void)state;
	v = post_view(post, POST_PUBLIC);
	assert_non_null(json_object_get(v, "criteria"));
	assert_null(json_object_get(v, "panel"));
	assert_null(json_object_get(v, "internal"));
	assert_null(json_object_get(v, "shortlist"));
	assert_null(json_object_get(v, "audience"));
	json_decref(v);
	v = post_view(post, POST_PANEL);
	assert_int_equal(json_integer_value(json_object_get(v, "internal")), 1);
	assert_non_null(json_object_get(v, "shortlist"));
	json_decref(v);
	v = post_view(post, POST_FULL);
	assert_true(json_is_object(json_object_get(v, "internal")));
	json_decref(v);
	/* The ids of the post's timers are the daemon's own: nobody reads them. */
	json_object_set_new(post, "timers", json_pack("{s:s}", "close", "T000000001"));
	for (enum post_reader r = POST_PUBLIC; r <= POST_FULL; r++) {
		v = post_view(post, r);
		assert_null(json_object_get(v, "timers"));
		json_decref(v);
	}
	json_decref(post);
}

/* An application of person in round, with status. */
static json_t *
app_of(const char *person, const char *round)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "post", "sec", "round", round, "person",
			 person, "statement", "S", "status", "not_appointed");
}

static void
test_reply_order(void **state)
{
	json_t *post = post_fixture(), *all = json_object(), *out, *a;
	static const char *const want[][2] = {{"internal", "p-ann"},
					      {"internal", "p-zed"},
					      {"external", "p-ann"},
					      {"external", "p-bob"},
					      {"external", "p-out"}};
	struct wctx c;
	size_t i;

	(void)state;
	json_object_set_new(post, "round", json_string("external"));
	/* As the store's keys sort: "POST/external/..." before "POST/internal/...". */
	json_object_set_new(all, "p-out", json_pack("[o]", app_of("p-out", "external")));
	json_object_set_new(all, "p-bob", json_pack("[o]", app_of("p-bob", "external")));
	json_object_set_new(
	    all, "p-ann",
	    json_pack("[o, o]", app_of("p-ann", "internal"), app_of("p-ann", "external")));
	json_object_set_new(all, "p-zed", json_pack("[o]", app_of("p-zed", "internal")));
	memset(&c, 0, sizeof c);
	c.actor_id = "p-la";
	c.actor = json_pack("{s:s, s:[s]}", "id", "p-la", "roles", "la_adviser");
	out = post_reply(&c, post, all);
	assert_int_equal(json_array_size(json_object_get(out, "applications")), 5);
	json_array_foreach(json_object_get(out, "applications"), i, a)
	{
		assert_string_equal(json_string_value(json_object_get(a, "round")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(a, "person")), want[i][1]);
	}
	json_decref(out);
	/* An applicant of both rounds: their own, the internal round's first. */
	json_decref(c.actor);
	c.actor_id = "p-ann";
	c.actor = json_pack("{s:s, s:[s]}", "id", "p-ann", "roles", "candidate");
	out = post_reply(&c, post, all);
	assert_int_equal(json_array_size(json_object_get(out, "applications")), 2);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(out, "applications"), 0), "round")),
			    "internal");
	json_decref(out);
	json_decref(c.actor);
	json_decref(all);
	json_decref(post);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_readers),
	    cmocka_unit_test(test_scores_seen),
	    cmocka_unit_test(test_complete_and_meets),
	    cmocka_unit_test(test_post_fields),
	    cmocka_unit_test(test_reply_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

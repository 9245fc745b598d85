/*
 * posts.c: secondment posts in the store and what happens to them on their
 * own. A post (DB_POSTS, under its id) holds its text (title, host school,
 * job description, person specification, essential criteria), its internal
 * audience (who was told at publishing, "internal": {person: true}), its
 * panel and chair, its round ("internal", then "external" once released),
 * its state and dates. Each application (DB_POST_APPS, "POST/ROUND/PERSON")
 * holds the statement, its status and the panel's scores, per member and
 * criterion. The closing date and the end of the internal window are
 * timers (kind "post"), their ids in the post's "timers" {close, window}:
 * deleted when the round ends or the post is appointed or withdrawn, they
 * also check, when they fire, that the post is still where they were
 * armed for.
 */
#include "posts.h"

#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "post_retention.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

int
posts_load(struct wctx *c, const char *id, json_t **post)
{
	int rc = store_rec_get(c->store, c->txn, DB_POSTS, id, post);

	if (rc == PW_ENOTFOUND)
		return pw_fail(c->st, PW_ENOTFOUND, "no post '%s'", id);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading post %s", id);
	return 0;
}

int
posts_save(struct wctx *c, const json_t *post)
{
	int rc = store_rec_put(c->store, c->txn, DB_POSTS, str(post, "id"), post, c->st);

	/* An ended post's purge is armed with the save that ended it. */
	return rc == 0 ? post_retention_arm(c, post) : rc;
}

char *
posts_app_key(const char *post, const char *round, const char *person)
{
	return xasprintf("%s/%s/%s", post, round, person);
}

int
posts_apps(struct wctx *c, const char *post, const char *round, json_t **out)
{
	char *prefix = xasprintf("%s/%s/", post, round);
	json_t *all = NULL, *rec;
	const char *key;
	int rc = store_rec_prefix(c->store, c->txn, DB_POST_APPS, prefix, &all);

	free(prefix);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading the applications to %s", post);
	*out = json_object();
	json_object_foreach(all, key, rec)
	{
		json_object_set(*out, str(rec, "person"), rec);
	}
	json_decref(all);
	return 0;
}

static const char *
reason_words(const char *reason)
{
	if (streq(reason, "none_appointable"))
		return "the panel found no applicant appointable.";
	if (streq(reason, "none_shortlisted"))
		return "no applicant was shortlisted.";
	if (streq(reason, "no_applications"))
		return "no applications were received.";
	if (streq(reason, "window_ended"))
		return "the internal window ended with nobody appointed.";
	return "";
}

json_t *
posts_vars(struct wctx *c, const json_t *post, const json_t *extra)
{
	json_t *school = NULL, *v, *crit;
	struct pw_buf b = {0};
	const char *k;
	size_t i;

	store_rec_get(c->store, c->txn, DB_SCHOOLS, str(post, "host"), &school);
	json_array_foreach(json_object_get(post, "criteria"), i, crit)
	{
		pw_buf_addf(&b, "%s  %s: %s", i ? "\n" : "", str(crit, "id"), str(crit, "text"));
	}
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		      "post_id", str(post, "id"), "title", str(post, "title"), "host_name",
		      str(school, "name") ? str(school, "name") : str(post, "host"), "description",
		      str(post, "description"), "person_spec",
		      str(post, "person_spec") ? str(post, "person_spec") : "", "criteria",
		      b.p ? b.p : "", "closes", str(post, "closes_local"), "internal_until",
		      str(post, "internal_until_local"), "round", str(post, "round"),
		      "applications", "", "shortlisted", "", "start", "", "objective", "",
		      "outcome", "", "reason", "");
	json_object_set_new(
	    v, "applications",
	    json_sprintf("%lld", (long long)json_integer_value(json_object_get(
				     json_object_get(post, "applications"), str(post, "round")))));
	json_object_set_new(
	    v, "shortlisted",
	    json_sprintf("%zu", json_array_size(json_object_get(post, "shortlist"))));
	json_object_foreach((json_t *)extra, k, crit)
	{
		json_object_set(v, k, crit);
	}
	free(b.p);
	json_decref(school);
	return v;
}

int
posts_tell(struct wctx *c, const json_t *ev, const json_t *post, const char *person,
	   const char *role, enum post_tmpl t, const json_t *extra)
{
	json_t *vars = posts_vars(c, post, extra);
	int rc = notify_person(c, ev, person, role, c->cfg->posts.t[t], vars);

	json_decref(vars);
	return rc;
}

int
posts_tell_la(struct wctx *c, const json_t *ev, const json_t *post, enum post_tmpl t,
	      const json_t *extra)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, "la_adviser", NULL, NULL, NULL,
				  store_collect_id, ids);

	if (rc != 0)
		rc = pw_fail(c->st, PW_ESTORE, "store: reading the LA advisers");
	json_array_foreach(ids, i, id)
	{
		if (rc == 0)
			rc = posts_tell(c, ev, post, json_string_value(id), "la_adviser", t, extra);
	}
	json_decref(ids);
	return rc;
}

int
posts_tell_panel(struct wctx *c, const json_t *ev, const json_t *post, enum post_tmpl t,
		 const json_t *extra)
{
	json_t *id;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(post, "panel"), i, id)
	{
		if (rc == 0)
			rc = posts_tell(c, ev, post, json_string_value(id), "panel", t, extra);
	}
	return rc;
}

int
posts_arm(struct wctx *c, json_t *post, const char *what, int64_t at)
{
	json_t *ids = json_object_get(post, "timers");
	char tid[32] = "";
	int rc = timers_put(c,
			    json_pack("{s:s, s:s, s:s, s:s}", "kind", "post", "post",
				      str(post, "id"), "what", what, "round", str(post, "round")),
			    at, tid, sizeof tid);

	if (rc != 0)
		return rc;
	if (ids == NULL) {
		ids = json_object();
		json_object_set_new(post, "timers", ids);
	}
	json_object_set_new(ids, what, json_string(tid));
	return 0;
}

int
posts_disarm(struct wctx *c, json_t *post)
{
	const char *what;
	json_t *id;
	int rc = 0;

	json_object_foreach(json_object_get(post, "timers"), what, id)
	{
		json_t *t = NULL;

		if (rc == 0 &&
		    store_rec_get(c->store, c->txn, DB_TIMER_RECS, json_string_value(id), &t) == 0)
			rc = timers_delete(c, t);
		json_decref(t);
	}
	json_object_del(post, "timers");
	return rc;
}

/* The applications of the round not yet ended become not_appointed; tell each. */
static int
round_close_apps(struct wctx *c, const json_t *ev, const json_t *post)
{
	json_t *apps = NULL, *app;
	const char *who;
	int rc = posts_apps(c, str(post, "id"), str(post, "round"), &apps);

	json_object_foreach(apps, who, app)
	{
		char *key;

		if (rc != 0 || !(streq(str(app, "status"), "applied") ||
				 streq(str(app, "status"), "shortlisted")))
			continue;
		json_object_set_new(app, "status", json_string("not_appointed"));
		key = posts_app_key(str(post, "id"), str(post, "round"), who);
		rc = store_rec_put(c->store, c->txn, DB_POST_APPS, key, app, c->st);
		free(key);
		if (rc == 0)
			rc = posts_tell(c, ev, post, who, "candidate", POST_T_NOT_APPOINTED, NULL);
	}
	json_decref(apps);
	return rc;
}

int
posts_round_ends(struct wctx *c, json_t *post, const char *reason)
{
	const char *tz = str(post, "timezone");
	char t[PW_TIME_LEN], local[64], now[PW_TIME_LEN];
	json_t *ev, *extra;
	int64_t day, closes;
	int rc, minutes;

	/* The round's timers go with it; a release arms the external round's close. */
	rc = posts_disarm(c, post);
	if (rc != 0)
		return rc;
	extra = json_pack("{s:s}", "reason", reason_words(reason));
	if (streq(str(post, "round"), "external")) {
		json_object_set_new(post, "state", json_string("unfilled"));
		json_object_set_new(
		    post, "ended",
		    json_pack("{s:s, s:s}", "at", pw_time_format(c->now, now), "reason", reason));
		json_object_set_new(
		    extra, "outcome",
		    json_string("unfilled, after internal and external advertising"));
		ev = json_pack("{s:s, s:{s:s, s:s}}", "type", "post.unfilled", "data", "post",
			       str(post, "id"), "reason", reason);
		rc = wctx_emit(c, ev);
		if (rc == 0)
			rc = round_close_apps(c, ev, post);
		if (rc == 0)
			rc = posts_tell_la(c, ev, post, POST_T_DECIDED, extra);
		goto done;
	}
	/* The internal round's applicants hear first, under the round they applied in. */
	day = schedule_local_date(tz, c->now, NULL, &minutes) +
	      json_integer_value(json_object_get(post, "external_days"));
	closes = schedule_local(tz, day + 1, 0);
	schedule_format_date(tz, closes - 1, local);
	ev = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "post.released", "data", "post",
		       str(post, "id"), "reason", reason, "closes", pw_time_format(closes, t));
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = round_close_apps(c, ev, post);
	json_object_set_new(post, "round", json_string("external"));
	json_object_set_new(post, "state", json_string("advertised_external"));
	json_object_set_new(post, "shortlist", json_array());
	json_object_set_new(post, "closes", json_string(t));
	json_object_set_new(post, "closes_local", json_string(local));
	json_object_set_new(
	    post, "released",
	    json_pack("{s:s, s:s}", "at", pw_time_format(c->now, now), "reason", reason));
	if (rc == 0)
		rc = posts_arm(c, post, "close", closes);
	if (rc == 0)
		rc = posts_tell_la(c, ev, post, POST_T_RELEASED, extra);
done:
	json_decref(ev);
	json_decref(extra);
	return rc;
}

/* Applications close: shortlisting begins, or the round ends when there are none. */
static int
fire_close(struct wctx *c, json_t *post)
{
	json_int_t n = json_integer_value(
	    json_object_get(json_object_get(post, "applications"), str(post, "round")));
	json_t *ev;
	int rc;

	if (n == 0)
		return posts_round_ends(c, post, "no_applications");
	json_object_set_new(post, "state", json_string("shortlisting"));
	ev = json_pack("{s:s, s:{s:s, s:s, s:I}}", "type", "post.closed", "data", "post",
		       str(post, "id"), "round", str(post, "round"), "applications", n);
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = posts_tell_la(c, ev, post, POST_T_CLOSED, NULL);
	if (rc == 0)
		rc = posts_tell_panel(c, ev, post, POST_T_CLOSED, NULL);
	json_decref(ev);
	return rc;
}

int
posts_fire(struct wctx *c, const json_t *t)
{
	const char *what = str(t, "what"), *state;
	json_t *post = NULL;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_POSTS, str(t, "post"), &post) != 0)
		return 0; /* gone: nothing to do */
	state = str(post, "state");
	if (!streq(str(t, "round"), str(post, "round"))) {
		json_decref(post);
		return 0; /* armed for a round that has ended */
	}
	if (streq(what, "close") && strncmp(state, "advertised_", 11) == 0)
		rc = fire_close(c, post);
	else if (streq(what, "window") &&
		 (streq(state, "advertised_internal") || streq(state, "shortlisting") ||
		  streq(state, "interviewing")))
		rc = posts_round_ends(c, post, "window_ended");
	else {
		json_decref(post);
		return 0;
	}
	if (rc == 0)
		rc = posts_save(c, post);
	json_decref(post);
	return rc;
}

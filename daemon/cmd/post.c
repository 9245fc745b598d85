/*
 * post.c: the commands on secondment posts (PROTOCOL.md, "secondment
 * posts"). An LA
 * adviser publishes a post; people in its internal audience (anyone with a
 * person record once it is released) apply; an LA adviser or a panel
 * member shortlists; each panel member scores each shortlisted applicant
 * against each essential criterion; the chair decides. The records, the
 * emails, the timers and the release are posts.c; what each reader sees is
 * cmd/post_view.c.
 */
#include "cmd/post.h"

#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "cmd/base.h"
#include "cmd/post_view.h"
#include "posts.h"
#include "schedule.h"

#define POST_CRITERIA_MAX 20
#define POST_PANEL_MAX 20
#define POST_TEXT_MAX 4096

/* The local date (days since 1970-01-01) of now in the post's zone. */
static int64_t
post_today(const struct wctx *c, const char *tz)
{
	return schedule_local_date(tz, c->now, NULL, NULL);
}

/* post.get's reply, after a change: the post and the applications the actor may see. */
static int
reply_of(struct wctx *c, const json_t *post, json_t **data)
{
	json_t *all = NULL;
	int rc = post_all_apps(c, post, &all);

	if (rc == 0)
		*data = post_reply(c, post, all);
	json_decref(all);
	return rc;
}

/* The UTC time post[key] (0 when absent). */
static int64_t
time_of(const json_t *post, const char *key)
{
	int64_t t = 0;

	if (str(post, key) != NULL)
		pw_time_parse(str(post, key), &t);
	return t;
}

/* args.criteria, {id: text}, into [{"id", "text"}]; PW_EINVALID when it is not one. */
static int
criteria_of(struct wctx *c, const json_t *in, json_t **out)
{
	const char *k;
	json_t *v;

	if (json_object_size(in) == 0 || json_object_size(in) > POST_CRITERIA_MAX)
		return pw_fail(c->st, PW_EINVALID,
			       "criteria: 1 to %d essential criteria, {id: text}",
			       POST_CRITERIA_MAX);
	*out = json_array();
	json_object_foreach((json_t *)in, k, v)
	{
		if (!pw_id_valid(k) || !json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > POST_TEXT_MAX) {
			json_decref(*out);
			*out = NULL;
			return pw_fail(
			    c->st, PW_EINVALID,
			    "criteria.%s: an id and the criterion's text (1 to %d bytes)", k,
			    POST_TEXT_MAX);
		}
		json_array_append_new(*out, json_pack("{s:s, s:O}", "id", k, "text", v));
	}
	return 0;
}

/* Every panel member is a person (not erased), named once; the chair is one of them. */
static int
panel_check(struct wctx *c, const json_t *panel, const char *chair)
{
	json_t *m, *seen = json_object();
	size_t i;
	int rc = 0;

	if (json_array_size(panel) == 0 || json_array_size(panel) > POST_PANEL_MAX)
		rc = pw_fail(c->st, PW_EINVALID, "panel: 1 to %d members", POST_PANEL_MAX);
	json_array_foreach(panel, i, m)
	{
		const char *id = json_string_value(m);
		json_t *p = NULL;

		if (rc != 0)
			break;
		if (json_object_get(seen, id) != NULL)
			rc = pw_fail(c->st, PW_EINVALID, "panel: %s is named twice", id);
		else if (store_rec_get(c->store, c->txn, DB_PEOPLE, id, &p) != 0 ||
			 json_object_get(p, "erased") != NULL)
			rc = pw_fail(c->st, PW_ENOTFOUND, "no person '%s'", id);
		json_object_set_new(seen, id, json_true());
		json_decref(p);
	}
	if (rc == 0 && json_object_get(seen, chair) == NULL)
		rc = pw_fail(c->st, PW_EINVALID, "chair: %s is not on the panel", chair);
	json_decref(seen);
	return rc;
}

/* A date argument's end: local midnight after it, in zone tz; -1 with c->st filled. */
static int
date_arg(struct wctx *c, const json_t *args, const char *key, const char *tz, int64_t *days)
{
	if (pw_date_parse(cmd_arg(args, key), days) != 0)
		return pw_fail(c->st, PW_EINVALID, "%s: not a date", key);
	if (*days < post_today(c, tz))
		return pw_fail(c->st, PW_EINVALID, "%s: %s is in the past", key,
			       cmd_arg(args, key));
	return 0;
}

int
run_post_publish(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *aud = json_object_get(args, "audience");
	const char *id = cmd_arg(args, "id"), *tz = "Europe/London";
	json_t *crit = NULL, *members = json_object(), *post = NULL, *ev = NULL, *school = NULL, *m;
	char t1[PW_TIME_LEN], t2[PW_TIME_LEN], t3[PW_TIME_LEN], l1[64], l2[64];
	int64_t closes, until, ext = 14;
	json_int_t told = 0;
	const char *who;
	size_t i;
	int rc;

	if (c->cfg->ncohorts > 0)
		tz = c->cfg->cohorts[0].timezone;
	if (str(aud, "cohort") && config_cohort(c->cfg, str(aud, "cohort")) != NULL)
		tz = config_cohort(c->cfg, str(aud, "cohort"))->timezone;
	if (json_object_get(args, "external_days") != NULL)
		ext = json_integer_value(json_object_get(args, "external_days"));
	if (store_rec_exists(c->store, c->txn, DB_POSTS, id)) {
		rc = pw_fail(c->st, PW_EEXISTS, "post '%s' already exists", id);
		goto done;
	}
	rc = cmd_load(c, DB_SCHOOLS, "school", cmd_arg(args, "host"), &school);
	if (rc == 0)
		rc = criteria_of(c, json_object_get(args, "criteria"), &crit);
	if (rc == 0)
		rc = panel_check(c, json_object_get(args, "panel"), cmd_arg(args, "chair"));
	if (rc == 0 && (ext < 1 || ext > 365))
		rc = pw_fail(c->st, PW_EINVALID, "external_days: 1 to 365");
	if (rc == 0)
		rc = date_arg(c, args, "closes", tz, &closes);
	if (rc == 0)
		rc = date_arg(c, args, "internal_until", tz, &until);
	/* The internal round needs time after the close to shortlist, score and decide. */
	if (rc == 0 && until <= closes)
		rc = pw_fail(c->st, PW_EINVALID, "internal_until must be after closes");
	if (rc == 0)
		rc = audience_check(c, aud);
	if (rc == 0)
		rc = audience_members(c, aud, members);
	if (rc != 0)
		goto done;
	/* The panel judges; it does not apply. */
	json_array_foreach(json_object_get(args, "panel"), i, m)
	{
		json_object_del(members, json_string_value(m));
	}
	closes = schedule_local(tz, closes + 1, 0);
	until = schedule_local(tz, until + 1, 0);
	post = json_pack(
	    "{s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:O, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
	    "s:s, s:O, s:{s:i, s:i}, s:[]}",
	    "v", 1, "id", id, "title", cmd_arg(args, "title"), "host", cmd_arg(args, "host"),
	    "description", cmd_arg(args, "description"), "criteria", crit, "audience",
	    aud ? json_incref((json_t *)aud) : json_object(), "panel",
	    json_object_get(args, "panel"), "chair", cmd_arg(args, "chair"), "timezone", tz,
	    "published", pw_time_format(c->now, t1), "closes", pw_time_format(closes, t2),
	    "closes_local", schedule_format_date(tz, closes - 1, l1), "internal_until",
	    pw_time_format(until, t3), "internal_until_local",
	    schedule_format_date(tz, until - 1, l2), "external_days", (json_int_t)ext, "round",
	    "internal", "state", "advertised_internal", "internal", members, "applications",
	    "internal", 0, "external", 0, "shortlist");
	crit = NULL;
	if (cmd_arg(args, "person_spec") != NULL)
		json_object_set_new(post, "person_spec", json_string(cmd_arg(args, "person_spec")));
	ev = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "post.published", "data", "post", id,
		       "closes", t2, "internal_until", t3);
	rc = wctx_emit(c, ev);
	json_object_foreach(members, who, m)
	{
		if (rc == 0)
			rc = posts_tell(c, ev, post, who, "candidate", POST_T_ADVERT, NULL);
		told += audience_has_email(c, who);
	}
	if (rc == 0)
		rc = posts_arm(c, post, "close", closes);
	if (rc == 0)
		rc = posts_arm(c, post, "window", until);
	if (rc == 0)
		rc = posts_save(c, post);
	if (rc == 0)
		*data = json_pack("{s:o, s:I}", "post", post_view(post, POST_FULL), "told", told);
done:
	json_decref(ev);
	json_decref(post);
	json_decref(crit);
	json_decref(members);
	json_decref(school);
	return rc;
}

/* Save application app of post's current round. */
static int
app_save(struct wctx *c, const json_t *post, const json_t *app)
{
	char *key = posts_app_key(str(post, "id"), str(post, "round"), str(app, "person"));
	int rc = store_rec_put(c->store, c->txn, DB_POST_APPS, key, app, c->st);

	free(key);
	return rc;
}

int
run_post_apply(struct wctx *c, const json_t *args, json_t **data)
{
	const char *who = cmd_arg(args, "person") ? cmd_arg(args, "person") : c->actor_id;
	const char *state, *round;
	json_t *post = NULL, *person = NULL, *app = NULL, *ev = NULL, *counts;
	char at[PW_TIME_LEN], *key = NULL;
	json_int_t n;
	int rc = post_load_seen(c, cmd_arg(args, "post"), &post);

	if (rc != 0)
		goto done;
	if (!streq(who, c->actor_id) && !(engine_roles(c->actor) & ROLE_LA_ADVISER)) {
		rc = pw_fail(c->st, PW_EFORBIDDEN, "only an LA adviser applies for someone else");
		goto done;
	}
	if (streq(who, c->cfg->daemon.operator_id)) {
		rc = pw_fail(c->st, PW_EINVALID, "person: name the person who applies");
		goto done;
	}
	rc = cmd_load(c, DB_PEOPLE, "person", who, &person);
	if (rc == 0 && json_object_get(person, "erased") != NULL)
		rc = pw_fail(c->st, PW_ENOTFOUND, "no person '%s'", who);
	if (rc != 0)
		goto done;
	state = str(post, "state");
	round = str(post, "round");
	if (strncmp(state, "advertised_", 11) != 0 || c->now >= time_of(post, "closes")) {
		rc = pw_fail(c->st, PW_ETRANSITION, "post %s is not taking applications (%s)",
			     str(post, "id"), state);
		goto done;
	}
	if (post_on_panel(post, who)) {
		rc = pw_fail(c->st, PW_EFORBIDDEN, "%s is on the panel of post %s", who,
			     str(post, "id"));
		goto done;
	}
	if (streq(round, "internal") &&
	    json_object_get(json_object_get(post, "internal"), who) == NULL) {
		rc = pw_fail(c->st, PW_EFORBIDDEN,
			     "post %s is advertised internally: %s is not in its audience",
			     str(post, "id"), who);
		goto done;
	}
	if (json_string_length(json_object_get(args, "statement")) == 0 ||
	    json_string_length(json_object_get(args, "statement")) > POST_TEXT_MAX) {
		rc = pw_fail(c->st, PW_EINVALID,
			     "statement: how the applicant meets the criteria (1 to %d bytes)",
			     POST_TEXT_MAX);
		goto done;
	}
	key = posts_app_key(str(post, "id"), round, who);
	if (store_rec_exists(c->store, c->txn, DB_POST_APPS, key)) {
		rc = pw_fail(c->st, PW_EEXISTS, "%s has applied for post %s already", who,
			     str(post, "id"));
		goto done;
	}
	app = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "post", str(post, "id"),
			"round", round, "person", who, "statement", cmd_arg(args, "statement"),
			"at", pw_time_format(c->now, at), "status", "applied");
	counts = json_object_get(post, "applications");
	n = json_integer_value(json_object_get(counts, round)) + 1;
	json_object_set_new(counts, round, json_integer(n));
	/* Who applied is for the LA and the panel (post.get), not the stream. */
	ev = json_pack("{s:s, s:n, s:{s:s, s:s, s:I}}", "type", "post.applied", "actor", "data",
		       "post", str(post, "id"), "round", round, "applications", n);
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_POST_APPS, key, app, c->st);
	if (rc == 0)
		rc = posts_save(c, post);
	if (rc == 0)
		rc = posts_tell(c, ev, post, who, "candidate", POST_T_RECEIVED, NULL);
	if (rc == 0)
		*data = json_pack("{s:o, s:o}", "post", post_view(post, POST_APPLICANT),
				  "application", post_app_view(post, app, POST_APPLICANT, who, 0));
done:
	free(key);
	json_decref(ev);
	json_decref(app);
	json_decref(person);
	json_decref(post);
	return rc;
}

/* The actor is an LA adviser or on the panel, else PW_EFORBIDDEN. */
static int
la_or_panel(struct wctx *c, const json_t *post)
{
	if ((engine_roles(c->actor) & ROLE_LA_ADVISER) || post_on_panel(post, c->actor_id))
		return 0;
	return pw_fail(c->st, PW_EFORBIDDEN, "%s is neither an LA adviser nor on the panel of %s",
		       c->actor_id, str(post, "id"));
}

/* The post is in state, else PW_ETRANSITION. */
static int
in_state(struct wctx *c, const json_t *post, const char *state)
{
	if (streq(str(post, "state"), state))
		return 0;
	return pw_fail(c->st, PW_ETRANSITION, "post %s is %s, not %s", str(post, "id"),
		       str(post, "state"), state);
}

int
run_post_shortlist(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *list = json_object_get(args, "applicants");
	json_t *post = NULL, *apps = NULL, *ev = NULL, *on = json_object(), *m, *app;
	const char *who;
	size_t i;
	int rc = post_load_seen(c, cmd_arg(args, "post"), &post);

	if (rc == 0)
		rc = la_or_panel(c, post);
	if (rc == 0)
		rc = in_state(c, post, "shortlisting");
	if (rc == 0)
		rc = posts_apps(c, str(post, "id"), str(post, "round"), &apps);
	json_array_foreach(list, i, m)
	{
		if (rc != 0)
			break;
		if (json_object_get(apps, json_string_value(m)) == NULL)
			rc = pw_fail(c->st, PW_ENOTFOUND, "no application from '%s' to post %s",
				     json_string_value(m), str(post, "id"));
		else if (json_object_get(on, json_string_value(m)) != NULL)
			rc = pw_fail(c->st, PW_EINVALID, "applicants: %s is named twice",
				     json_string_value(m));
		json_object_set_new(on, json_string_value(m), json_true());
	}
	if (rc != 0)
		goto done;
	json_object_set(post, "shortlist", (json_t *)list);
	json_object_set_new(post, "state", json_string("interviewing"));
	ev = json_pack("{s:s, s:{s:s, s:s, s:I, s:I}}", "type", "post.shortlisted", "data", "post",
		       str(post, "id"), "round", str(post, "round"), "shortlisted",
		       (json_int_t)json_array_size(list), "applications",
		       (json_int_t)json_object_size(apps));
	rc = wctx_emit(c, ev);
	json_object_foreach(apps, who, app)
	{
		int in = json_object_get(on, who) != NULL;

		if (rc != 0)
			break;
		json_object_set_new(app, "status",
				    json_string(in ? "shortlisted" : "not_shortlisted"));
		rc = app_save(c, post, app);
		if (rc == 0)
			rc = posts_tell(c, ev, post, who, "candidate",
					in ? POST_T_SHORTLISTED : POST_T_NOT_SHORTLISTED, NULL);
	}
	if (rc == 0 && json_array_size(list) == 0)
		rc = posts_round_ends(c, post, "none_shortlisted");
	else if (rc == 0)
		rc = posts_tell_panel(c, ev, post, POST_T_PANEL, NULL);
	if (rc == 0)
		rc = posts_save(c, post);
	if (rc == 0)
		rc = reply_of(c, post, data);
done:
	json_decref(ev);
	json_decref(on);
	json_decref(apps);
	json_decref(post);
	return rc;
}

/* args.scores {criterion: 0..3} and args.notes {criterion: text} checked against post. */
static int
scores_check(struct wctx *c, const json_t *post, const json_t *scores, const json_t *notes)
{
	const char *k;
	json_t *v;

	if (json_object_size(scores) == 0)
		return pw_fail(c->st, PW_EINVALID, "scores: {criterion: 0 to %d}", POSTS_SCORE_MAX);
	json_object_foreach((json_t *)scores, k, v)
	{
		int known = 0;
		json_t *crit;
		size_t i;

		json_array_foreach(json_object_get(post, "criteria"), i, crit)
		{
			known |= streq(str(crit, "id"), k);
		}
		if (!known)
			return pw_fail(c->st, PW_EINVALID, "scores.%s: not a criterion of post %s",
				       k, str(post, "id"));
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > POSTS_SCORE_MAX)
			return pw_fail(c->st, PW_EINVALID, "scores.%s: an integer from 0 to %d", k,
				       POSTS_SCORE_MAX);
	}
	json_object_foreach((json_t *)notes, k, v)
	{
		if (json_object_get(scores, k) == NULL || !json_is_string(v) ||
		    json_string_length(v) > POST_TEXT_MAX)
			return pw_fail(c->st, PW_EINVALID,
				       "notes.%s: text (at most %d bytes) on a criterion scored", k,
				       POST_TEXT_MAX);
	}
	return 0;
}

int
run_post_score(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *scores = json_object_get(args, "scores"),
		     *notes = json_object_get(args, "notes");
	const char *who = cmd_arg(args, "applicant"), *k;
	json_t *post = NULL, *apps = NULL, *app, *mine, *ev = NULL, *v, *all;
	char at[PW_TIME_LEN];
	int rc = post_load_seen(c, cmd_arg(args, "post"), &post), was;

	if (rc == 0 && !post_on_panel(post, c->actor_id))
		rc = pw_fail(c->st, PW_EFORBIDDEN, "%s is not on the panel of post %s", c->actor_id,
			     str(post, "id"));
	if (rc == 0)
		rc = in_state(c, post, "interviewing");
	if (rc == 0)
		rc = posts_apps(c, str(post, "id"), str(post, "round"), &apps);
	if (rc != 0)
		goto done;
	app = json_object_get(apps, who);
	if (app == NULL) {
		rc = pw_fail(c->st, PW_ENOTFOUND, "no application from '%s' to post %s", who,
			     str(post, "id"));
		goto done;
	}
	if (!streq(str(app, "status"), "shortlisted")) {
		rc = pw_fail(c->st, PW_ETRANSITION, "%s is not shortlisted for post %s", who,
			     str(post, "id"));
		goto done;
	}
	rc = scores_check(c, post, scores, notes);
	if (rc != 0)
		goto done;
	was = post_scoring_complete(post, apps);
	all = json_object_get(app, "scores");
	if (all == NULL) {
		all = json_object();
		json_object_set_new(app, "scores", all);
	}
	mine = json_object_get(all, c->actor_id);
	if (mine == NULL) {
		mine = json_object();
		json_object_set_new(all, c->actor_id, mine);
	}
	json_object_foreach((json_t *)scores, k, v)
	{
		json_t *s = json_pack("{s:O, s:s}", "score", v, "at", pw_time_format(c->now, at));

		if (str(notes, k) != NULL)
			json_object_set_new(s, "note", json_string(str(notes, k)));
		json_object_set_new(mine, k, s);
	}
	ev = json_pack("{s:s, s:{s:s, s:s, s:b}}", "type", "post.scored", "data", "post",
		       str(post, "id"), "round", str(post, "round"), "complete",
		       post_scoring_complete(post, apps));
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = app_save(c, post, app);
	if (rc == 0 && !was && post_scoring_complete(post, apps))
		rc = posts_tell(c, ev, post, str(post, "chair"), "panel", POST_T_SCORED, NULL);
	if (rc == 0)
		*data = json_pack("{s:o}", "application",
				  post_app_view(post, app, POST_PANEL, c->actor_id,
						post_scoring_complete(post, apps)));
done:
	json_decref(ev);
	json_decref(apps);
	json_decref(post);
	return rc;
}

/* The decision's arguments: an appointment names applicant, start and objective; none none. */
static int
decide_args(struct wctx *c, const json_t *post, const json_t *args, int appoint)
{
	static const char *const keys[] = {"applicant", "start", "objective"};
	int64_t day;

	for (int i = 0; i < 3; i++)
		if ((json_object_get(args, keys[i]) != NULL) != appoint)
			return pw_fail(c->st, PW_EINVALID, "%s: %s", keys[i],
				       appoint ? "an appointment names the applicant, the start "
						 "date and the secondee's objective"
					       : "only with outcome appoint");
	if (appoint && json_string_length(json_object_get(args, "objective")) == 0)
		return pw_fail(c->st, PW_EINVALID, "objective: the secondee's objective");
	if (appoint) {
		if (pw_date_parse(cmd_arg(args, "start"), &day) != 0)
			return pw_fail(c->st, PW_EINVALID, "start: not a date");
		if (day < post_today(c, str(post, "timezone")))
			return pw_fail(c->st, PW_EINVALID, "start: %s is in the past",
				       cmd_arg(args, "start"));
	}
	return 0;
}

/* Appoint applicant 'who' (app): the others shortlisted are not appointed; everyone is told. */
static int
appoint(struct wctx *c, json_t *post, json_t *apps, const json_t *args, const json_t *ev)
{
	const char *who = cmd_arg(args, "applicant"), *k;
	json_t *extra, *app;
	char at[PW_TIME_LEN];
	int rc = 0;

	rc = posts_disarm(c, post); /* the window's end has nothing left to do */
	if (rc != 0)
		return rc;
	json_object_set_new(post, "state", json_string("appointed"));
	json_object_set_new(post, "appointment",
			    json_pack("{s:s, s:s, s:s, s:s, s:s}", "person", who, "start",
				      cmd_arg(args, "start"), "objective",
				      cmd_arg(args, "objective"), "at", pw_time_format(c->now, at),
				      "by", c->actor_id));
	extra = json_pack("{s:s, s:s, s:s}", "start", cmd_arg(args, "start"), "objective",
			  cmd_arg(args, "objective"), "outcome", "appointed");
	json_object_foreach(apps, k, app)
	{
		int me = streq(k, who);

		if (rc != 0 || !streq(str(app, "status"), "shortlisted"))
			continue;
		json_object_set_new(app, "status", json_string(me ? "appointed" : "not_appointed"));
		rc = app_save(c, post, app);
		if (rc == 0)
			rc = posts_tell(c, ev, post, k, "candidate",
					me ? POST_T_APPOINTED : POST_T_NOT_APPOINTED, extra);
	}
	json_object_set_new(
	    extra, "outcome",
	    json_sprintf("an applicant was appointed, to start on %s", cmd_arg(args, "start")));
	if (rc == 0)
		rc = posts_tell_la(c, ev, post, POST_T_DECIDED, extra);
	json_decref(extra);
	return rc;
}

int
run_post_decide(struct wctx *c, const json_t *args, json_t **data)
{
	int yes = streq(cmd_arg(args, "outcome"), "appoint");
	json_t *post = NULL, *apps = NULL, *app = NULL, *ev = NULL;
	char at[PW_TIME_LEN];
	int rc = post_load_seen(c, cmd_arg(args, "post"), &post);

	if (rc == 0 && !streq(c->actor_id, str(post, "chair")))
		rc = pw_fail(c->st, PW_EFORBIDDEN, "only the panel's chair decides on post %s",
			     str(post, "id"));
	if (rc == 0)
		rc = in_state(c, post, "interviewing");
	if (rc == 0)
		rc = posts_apps(c, str(post, "id"), str(post, "round"), &apps);
	if (rc == 0 && !post_scoring_complete(post, apps))
		rc = pw_fail(c->st, PW_ETRANSITION,
			     "not every panel member has scored every shortlisted applicant "
			     "against every criterion");
	if (rc == 0)
		rc = decide_args(c, post, args, yes);
	if (rc == 0 && yes) {
		app = json_object_get(apps, cmd_arg(args, "applicant"));
		if (app == NULL)
			rc = pw_fail(c->st, PW_ENOTFOUND, "no application from '%s' to post %s",
				     cmd_arg(args, "applicant"), str(post, "id"));
		else if (!streq(str(app, "status"), "shortlisted"))
			rc = pw_fail(c->st, PW_ETRANSITION, "%s is not shortlisted",
				     cmd_arg(args, "applicant"));
		else if (!post_meets(post, app))
			rc = pw_fail(c->st, PW_ENOTELIGIBLE,
				     "%s does not meet every essential criterion (a mean score "
				     "of %d on each)",
				     cmd_arg(args, "applicant"), POSTS_PASS_MARK);
	}
	if (rc != 0)
		goto done;
	json_object_set_new(post, "decision",
			    json_pack("{s:s, s:s, s:s, s:s}", "outcome", yes ? "appoint" : "none",
				      "round", str(post, "round"), "at", pw_time_format(c->now, at),
				      "by", c->actor_id));
	ev = json_pack("{s:s, s:{s:s, s:s, s:s}}", "type", "post.decided", "data", "post",
		       str(post, "id"), "round", str(post, "round"), "outcome",
		       yes ? "appoint" : "none");
	if (yes)
		json_object_set_new(json_object_get(ev, "data"), "start",
				    json_string(cmd_arg(args, "start")));
	rc = wctx_emit(c, ev);
	if (rc == 0 && yes)
		rc = appoint(c, post, apps, args, ev);
	else if (rc == 0)
		rc = posts_round_ends(c, post, "none_appointable");
	if (rc == 0)
		rc = posts_save(c, post);
	if (rc == 0)
		rc = reply_of(c, post, data);
done:
	json_decref(ev);
	json_decref(apps);
	json_decref(post);
	return rc;
}

int
run_post_withdraw(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *post = NULL, *apps = NULL, *ev = NULL, *app;
	const char *state, *who;
	char at[PW_TIME_LEN];
	int rc = post_load_seen(c, cmd_arg(args, "post"), &post);

	if (rc != 0)
		goto done;
	state = str(post, "state");
	if (streq(state, "appointed") || streq(state, "unfilled") || streq(state, "withdrawn")) {
		rc =
		    pw_fail(c->st, PW_ETRANSITION, "post %s is %s already", str(post, "id"), state);
		goto done;
	}
	rc = posts_apps(c, str(post, "id"), str(post, "round"), &apps);
	if (rc != 0)
		goto done;
	rc = posts_disarm(c, post);
	if (rc != 0)
		goto done;
	json_object_set_new(post, "state", json_string("withdrawn"));
	json_object_set_new(
	    post, "withdrawn",
	    json_pack("{s:s, s:s}", "at", pw_time_format(c->now, at), "by", c->actor_id));
	ev = json_pack("{s:s, s:{s:s, s:s}}", "type", "post.withdrawn", "data", "post",
		       str(post, "id"), "round", str(post, "round"));
	rc = wctx_emit(c, ev);
	json_object_foreach(apps, who, app)
	{
		if (rc != 0 || !(streq(str(app, "status"), "applied") ||
				 streq(str(app, "status"), "shortlisted")))
			continue;
		json_object_set_new(app, "status", json_string("withdrawn"));
		rc = app_save(c, post, app);
		if (rc == 0)
			rc = posts_tell(c, ev, post, who, "candidate", POST_T_WITHDRAWN, NULL);
	}
	if (rc == 0)
		rc = posts_save(c, post);
	if (rc == 0)
		rc = reply_of(c, post, data);
done:
	json_decref(ev);
	json_decref(apps);
	json_decref(post);
	return rc;
}

/*
 * post_retention.c: retention of the applications to secondment posts
 * (PROTOCOL.md, "Retention"). A post ends when it is appointed (the
 * appointment's time), left unfilled (ended.at) or withdrawn
 * (withdrawn.at); a release to external advertising is not an end, so the
 * internal round's applications wait for the post's. posts.retention_years
 * (pathway.conf, default 6; 0 keeps them) after the end, every application
 * of every round loses its statement and the notes of the panel's scores
 * and gets "purged"; the post gets "purged" too. Kept, for the LA's
 * figures and the post's record: who applied in which round and when,
 * each application's status (so who was appointed), the scores
 * themselves, the post's counts and its appointment. Event post.purged
 * (actor pathwayd) carries the post's id and counts only.
 *
 * The timer has a fixed id per post, so arming is idempotent:
 * post_retention_arm runs on every save of a post (posts_save) and for
 * every post at start-up and after a reload, and moves the timer when the
 * setting changed (a moment already past purges at the next tick).
 */
#include "post_retention.h"

#include <stdlib.h>
#include <string.h>

#include "timers.h"
#include "util.h"

int64_t
post_retention_ended(const json_t *post)
{
	const char *state = str(post, "state"), *when = NULL;
	int64_t t;

	if (streq(state, "appointed"))
		when = str(json_object_get(post, "appointment"), "at");
	else if (streq(state, "unfilled"))
		when = str(json_object_get(post, "ended"), "at");
	else if (streq(state, "withdrawn"))
		when = str(json_object_get(post, "withdrawn"), "at");
	if (when == NULL || pw_time_parse(when, &t) != 0)
		return 0;
	return t;
}

int64_t
post_retention_due(const struct pw_config *cfg, const json_t *post, int64_t *ended)
{
	int64_t end = post_retention_ended(post);

	if (ended != NULL)
		*ended = end;
	if (cfg->posts.retention_years == 0 || end == 0 || json_object_get(post, "purged") != NULL)
		return 0;
	return pw_time_add_years(end, cfg->posts.retention_years);
}

int
post_retention_arm(struct wctx *c, const json_t *post)
{
	int64_t want = post_retention_due(c->cfg, post, NULL);
	char *id = xasprintf("%s%s", POST_RETENTION_PREFIX, str(post, "id"));
	json_t *t = NULL;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_TIMER_RECS, id, &t) == 0) {
		if (json_integer_value(json_object_get(t, "at")) == want)
			goto done; /* where it belongs already */
		rc = timers_delete(c, t);
	}
	if (rc == 0 && want > 0) {
		json_decref(t);
		t = json_pack("{s:i, s:s, s:s, s:s, s:I}", "v", 1, "id", id, "kind",
			      "post_retention", "post", str(post, "id"), "at", (json_int_t)want);
		rc = store_rec_put(c->store, c->txn, DB_TIMER_RECS, id, t, c->st);
		if (rc == 0)
			rc = store_due_put(c->store, c->txn, DB_TIMERS, want, id, c->st);
	}
done:
	json_decref(t);
	free(id);
	return rc;
}

int
post_retention_sync(struct wctx *c)
{
	json_t *posts = json_array(), *post;
	size_t i;
	int rc = store_rec_scan(c->store, c->txn, DB_POSTS, NULL, store_collect_rec, posts);

	if (rc != 0)
		rc = pw_fail(c->st, PW_ESTORE, "store: reading the posts");
	json_array_foreach(posts, i, post)
	{
		if (rc == 0)
			rc = post_retention_arm(c, post);
	}
	json_decref(posts);
	return rc;
}

/* Every application to post, of both rounds: a new object key -> application. */
static int
post_apps(struct wctx *c, const char *post, json_t **out)
{
	char *prefix = xasprintf("%s/", post);
	int rc = store_rec_prefix(c->store, c->txn, DB_POST_APPS, prefix, out);

	free(prefix);
	return rc != 0 ? pw_fail(c->st, PW_ESTORE, "store: reading the applications to %s", post)
		       : 0;
}

/* Remove the statement and every note of app; count them. */
static void
purge_app(json_t *app, const char *at, json_int_t *statements, json_int_t *notes)
{
	const char *member, *crit;
	json_t *mine, *sc;

	if (json_object_get(app, "statement") != NULL) {
		json_object_del(app, "statement");
		(*statements)++;
	}
	json_object_foreach(json_object_get(app, "scores"), member, mine)
	{
		json_object_foreach(mine, crit, sc)
		{
			if (json_object_get(sc, "note") != NULL) {
				json_object_del(sc, "note");
				(*notes)++;
			}
		}
	}
	json_object_set_new(app, "purged", json_string(at));
}

int
post_retention_purge(struct wctx *c, const json_t *t)
{
	json_t *post = NULL, *apps = NULL, *app, *ev;
	json_int_t statements = 0, notes = 0;
	char at[PW_TIME_LEN];
	const char *key;
	int64_t due;
	int rc;

	if (store_rec_get(c->store, c->txn, DB_POSTS, str(t, "post"), &post) != 0)
		return 0; /* gone: nothing to do */
	due = post_retention_due(c->cfg, post, NULL);
	/* Purged already or kept (nothing due), or due later (the setting grew): again then. */
	if (due == 0 || due > c->now) {
		rc = post_retention_arm(c, post);
		json_decref(post);
		return rc;
	}
	pw_time_format(c->now, at);
	rc = post_apps(c, str(post, "id"), &apps);
	json_object_foreach(apps, key, app)
	{
		if (rc != 0)
			break;
		purge_app(app, at, &statements, &notes);
		rc = store_rec_put(c->store, c->txn, DB_POST_APPS, key, app, c->st);
	}
	json_object_set_new(post, "purged", json_string(at));
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_POSTS, str(post, "id"), post, c->st);
	ev = json_pack("{s:s, s:{s:s, s:I, s:{s:I, s:I}}}", "type", "post.purged", "data", "post",
		       str(post, "id"), "applications", (json_int_t)json_object_size(apps),
		       "erased", "statements", statements, "notes", notes);
	if (rc == 0)
		rc = wctx_emit(c, ev);
	json_decref(ev);
	json_decref(apps);
	json_decref(post);
	return rc;
}

int
post_retention_list(struct wctx *c, const json_t *t, int64_t due, json_t *out, size_t limit)
{
	json_t *post = NULL, *apps = NULL, *app;
	char at[PW_TIME_LEN], end[PW_TIME_LEN];
	const char *key;
	int64_t ended;
	int rc;

	if (store_rec_get(c->store, c->txn, DB_POSTS, str(t, "post"), &post) != 0)
		return 0;
	post_retention_due(c->cfg, post, &ended);
	rc = post_apps(c, str(post, "id"), &apps);
	/* The internal round's first, then the external's, each by person (the scan's order). */
	for (int k = 0; k < 2; k++)
		json_object_foreach(apps, key, app)
		{
			if (json_array_size(out) >= limit)
				break;
			if (!streq(str(app, "round"), k == 0 ? "internal" : "external"))
				continue;
			json_array_append_new(
			    out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "post",
					   str(post, "id"), "round", str(app, "round"), "person",
					   str(app, "person"), "status", str(app, "status"),
					   "ended", pw_time_format(ended, end), "purge_at",
					   pw_time_format(due, at)));
		}
	json_decref(apps);
	json_decref(post);
	return rc;
}

/*
 * retention.c: an ended application's personal data is kept for its
 * programme's retention_years (default 6; 0 keeps it), then purged.
 * An application ends when it is withdrawn (its withdrawal's
 * time), rejected (that decision's time) or graduated (its graduation
 * date, 00:00 UTC: the alumni follow-up has no end of its own and stops
 * with the purge). When it ends, cmd_app_save arms a "retention" timer
 * (timers_stage_arm calls retention_arm, timers.c); retention_sync
 * (timers_sync.c) re-arms them all at start-up and after a reload, so a
 * changed retention_years moves them (a moment already past purges at the
 * next tick).
 *
 * The purge erases what erasure erases for one application
 * (privacy_erase_app: free text on it, its forms' content, the
 * self-assessment), deletes all its 360 responses, erases the raters
 * invited to it by name (each a person of their own, role rater alone),
 * marks it "purged" and emits application.purged (actor pathwayd). When
 * its candidate then has no application left that is not purged (found
 * through the events naming them, cmd/privacy_find.c), and is only a
 * candidate (no staff role), the person is erased as person.erase does
 * (their statements on secondment posts too, cmd/post_privacy.c).
 *
 * retention.list walks the armed purges in due order: an application's,
 * and an ended secondment post's (post_retention.c), one entry for each of
 * its applications.
 */
#include "retention.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "cmd/post_privacy.h"
#include "cmd/privacy.h"
#include "cmd/privacy_find.h"
#include "post_retention.h"
#include "timers.h"
#include "util.h"

#define LIST_DEFAULT 100
#define LIST_MAX 10000

/* Delete every 360 response of the application (the self-assessment among them). */
static int
drop_responses(struct wctx *c, const char *app, json_t *counts)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_APP_FEEDBACK, app, NULL, NULL, NULL,
				  store_collect_id, ids);

	json_array_foreach(ids, i, id)
	{
		if (rc == 0)
			rc = store_rec_del(c->store, c->txn, DB_FEEDBACK, json_string_value(id));
		if (rc == 0 || rc == PW_ENOTFOUND)
			rc = store_index_del(c->store, c->txn, DB_APP_FEEDBACK, app,
					     json_string_value(id), NULL);
	}
	if (json_array_size(ids) > 0)
		json_object_set_new(counts, "responses",
				    json_integer((json_int_t)json_array_size(ids)));
	json_decref(ids);
	return rc;
}

/*
 * Erase the candidate too when nothing of theirs is left and they hold no
 * other role: their applications are found as erasure finds them
 * (privacy_holdings: the events naming them), not by reading every one.
 */
static int
maybe_erase(struct wctx *c, const char *cand, const char *app)
{
	struct holdings h = {0};
	json_t *p = NULL, *counts, *a;
	const char *k;
	int rc = 0, live = 0;

	if (store_rec_get(c->store, c->txn, DB_PEOPLE, cand, &p) != 0)
		return 0;
	if (json_object_get(p, "erased") != NULL || (engine_roles(p) & ~ROLE_CANDIDATE) != 0) {
		json_decref(p);
		return 0;
	}
	rc = privacy_holdings(c, p, &h);
	json_object_foreach(h.own, k, a)
	{
		if (!streq(k, app) && json_object_get(a, "purged") == NULL)
			live = 1;
	}
	privacy_holdings_clear(&h);
	if (rc == 0 && !live) {
		counts = json_object();
		rc = privacy_erase_person(c, cand, counts, NULL);
		if (rc == 0) /* their statements on posts, as person.erase */
			rc = post_privacy_erase(c, cand, counts);
		json_decref(counts);
	}
	json_decref(p);
	return rc;
}

struct other_app {
	struct wctx *c;
	const char *app; /* the one being purged */
	int found;
};

/* Whether application id (not the one purged, not purged itself) still needs the rater. */
static int
other_visit(const char *id, void *ud)
{
	struct other_app *o = ud;
	json_t *a = NULL;

	if (strcmp(id, o->app) != 0 &&
	    store_rec_get(o->c->store, o->c->txn, DB_APPS, id, &a) == 0 &&
	    json_object_get(a, "purged") == NULL)
		o->found = 1;
	json_decref(a);
	return o->found;
}

/*
 * A rater invited to this application who is a rater and nothing else: erased,
 * unless another application not purged yet still lists them (a person the
 * LA created may rate several candidates).
 */
static int
erase_rater(struct wctx *c, const char *id, const char *app)
{
	struct other_app o = {c, app, 0};
	json_t *p = NULL, *counts;
	int rc = 0;

	if (store_index_scan(c->store, c->txn, DB_BY_PERSON, id, NULL, NULL, NULL, other_visit,
			     &o) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: the applications of rater %s", id);
	if (!o.found && store_rec_get(c->store, c->txn, DB_PEOPLE, id, &p) == 0 &&
	    json_object_get(p, "erased") == NULL && (engine_roles(p) & ~ROLE_RATER) == 0) {
		counts = json_object();
		rc = privacy_erase_person(c, id, counts, NULL);
		json_decref(counts);
	}
	json_decref(p);
	return rc;
}

int
retention_purge(struct wctx *c, const json_t *t)
{
	json_t *app = NULL, *counts, *ev, *r;
	const char *k;
	char at[PW_TIME_LEN];
	int rc;

	if (store_rec_get(c->store, c->txn, DB_APPS, str(t, "app"), &app) != 0)
		return 0;
	/* Reopened or purged already: nothing is due; due later (the setting grew): again then. */
	if (retention_due(c->cfg, app, NULL) == 0 || retention_due(c->cfg, app, NULL) > c->now) {
		rc = retention_arm(c, app);
		json_decref(app);
		return rc;
	}
	counts = json_object();
	rc = privacy_erase_app(c, app, counts);
	if (rc == 0)
		rc = drop_responses(c, str(app, "id"), counts);
	json_object_foreach(json_object_get(app, "raters"), k, r)
	{
		json_object_del(r, "name");
		json_object_del(r, "email");
		if (rc == 0)
			rc = erase_rater(c, k, str(app, "id"));
	}
	json_object_set_new(app, "purged", json_string(pw_time_format(c->now, at)));
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
	if (rc == 0)
		rc = timers_cancel(c, str(app, "id")); /* the alumni follow-up ends here */
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:O}}", "type", "application.purged", "app",
		       str(app, "id"), "cohort", str(app, "cohort") ?: "", "school",
		       str(app, "school") ?: "", "stage", str(app, "stage") ?: "", "data", "erased",
		       counts);
	if (rc == 0)
		rc = wctx_emit(c, ev);
	json_decref(ev);
	json_decref(counts);
	if (rc == 0)
		rc = maybe_erase(c, str(app, "candidate"), str(app, "id"));
	json_decref(app);
	return rc;
}

struct list {
	struct wctx *c;
	json_t *out;
	size_t limit;
	int rc;
};

static int
list_visit(int64_t due, const char *id, void *ud)
{
	struct list *l = ud;
	json_t *t = NULL, *app = NULL;
	char at[PW_TIME_LEN], end[PW_TIME_LEN];
	int64_t ended;

	if (store_rec_get(l->c->store, l->c->txn, DB_TIMER_RECS, id, &t) == 0 &&
	    streq(str(t, "kind"), "post_retention"))
		l->rc = post_retention_list(l->c, t, due, l->out, l->limit);
	else if (t != NULL && streq(str(t, "kind"), "retention") &&
		 store_rec_get(l->c->store, l->c->txn, DB_APPS, str(t, "app"), &app) == 0) {
		retention_due(l->c->cfg, app, &ended);
		json_array_append_new(
		    l->out,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "app", str(app, "id"), "cohort",
			      str(app, "cohort"), "candidate", str(app, "candidate"), "status",
			      str(app, "status"), "ended", pw_time_format(ended, end), "purge_at",
			      pw_time_format(due, at)));
	}
	json_decref(t);
	json_decref(app);
	return l->rc != 0 || json_array_size(l->out) >= l->limit;
}

int
run_retention_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_int_t limit = json_integer_value(json_object_get(args, "limit"));
	struct list l = {c, json_array(), LIST_DEFAULT, 0};

	if (json_object_get(args, "limit") != NULL && (limit < 1 || limit > LIST_MAX)) {
		json_decref(l.out);
		return pw_fail(c->st, PW_EINVALID, "limit must be 1 to %d", LIST_MAX);
	}
	if (limit > 0)
		l.limit = (size_t)limit;
	if (store_due_scan(c->store, c->txn, DB_TIMERS, INT64_MAX, list_visit, &l) != 0 ||
	    l.rc != 0) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ESTORE, "store: reading the timers");
	}
	*data = json_pack("{s:o}", "purges", l.out);
	return 0;
}

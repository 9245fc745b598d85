/*
 * partners.c: partner-school support in the store, its emails and its review
 * points. A request is a record in DB_SUPPORT under "S" and six digits:
 *
 *   { v, id, cohort, school, need, raised_by, raised_as ("headteacher" or
 *     "la_adviser"), created, status ("open", "paired", "ended", "closed"),
 *     app, lle (the paired application and its candidate), paired_at,
 *     phase_mismatch, reviews: [ { n, due, timer, done: { at, by, note } } ],
 *     ended: { at, by, note } }
 *
 * The need is personal to the school: it goes into the emails of those who
 * may read it (the LA, the school's headteachers, the paired LLE) and never
 * into an event. Review points are timers of kind "support_review" (no
 * application: moving the LLE's stage leaves them armed); ending a pairing
 * cancels those not yet due.
 */
#include "partners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

static void
put_s(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v != NULL ? v : ""));
}

/* The name of record id of db, or the id itself. */
static void
name_of(struct wctx *c, enum store_db db, const char *id, json_t *vars, const char *key)
{
	json_t *rec = NULL;

	if (id != NULL)
		store_rec_get(c->store, c->txn, db, id, &rec);
	put_s(vars, key, str(rec, "name") ? str(rec, "name") : id);
	json_decref(rec);
}

static json_t *
vars_of(struct wctx *c, const json_t *r, const json_t *extra)
{
	const struct cohort *co = config_cohort(c->cfg, str(r, "cohort"));
	json_t *v = json_object(), *lle = NULL;

	put_s(v, "programme_name", co ? co->programme->name : "");
	put_s(v, "cohort_name", co ? co->name : str(r, "cohort"));
	put_s(v, "support_name", co ? co->programme->support.name : "");
	put_s(v, "request_id", str(r, "id"));
	put_s(v, "need", str(r, "need"));
	name_of(c, DB_SCHOOLS, str(r, "school"), v, "school_name");
	name_of(c, DB_PEOPLE, str(r, "raised_by"), v, "raised_by");
	if (str(r, "lle") != NULL) {
		name_of(c, DB_PEOPLE, str(r, "lle"), v, "lle_name");
		store_rec_get(c->store, c->txn, DB_PEOPLE, str(r, "lle"), &lle);
		name_of(c, DB_SCHOOLS, str(lle, "school"), v, "lle_school_name");
		json_decref(lle);
	}
	if (extra != NULL)
		json_object_update(v, (json_t *)extra);
	return v;
}

/* Add person id to who (an object: person -> role) once. */
static void
add(json_t *who, const char *id, const char *role)
{
	if (id != NULL && json_object_get(who, id) == NULL)
		json_object_set_new(who, id, json_string(role));
}

static int
add_role(struct wctx *c, json_t *who, const char *role, const char *school)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, role, school, NULL, NULL,
				  store_collect_id, ids);

	json_array_foreach(ids, i, id) add(who, json_string_value(id), role);
	json_decref(ids);
	return rc;
}

int
support_tell(struct wctx *c, json_t *ev, const json_t *r, const struct template *t, int to,
	     const json_t *extra)
{
	json_t *who = json_object(), *vars, *role;
	const char *person;
	int rc = wctx_emit(c, ev);

	if (rc == 0 && (to & SUPPORT_TO_LLE))
		add(who, str(r, "lle"), "candidate");
	if (rc == 0 && (to & SUPPORT_TO_SCHOOL))
		rc = add_role(c, who, "headteacher", str(r, "school"));
	if (rc == 0 && (to & SUPPORT_TO_RAISER))
		add(who, str(r, "raised_by"), str(r, "raised_as"));
	if (rc == 0 && (to & SUPPORT_TO_LA))
		rc = add_role(c, who, "la_adviser", NULL);
	if (rc != 0 || t == NULL) {
		json_decref(who);
		return rc;
	}
	vars = vars_of(c, r, extra);
	json_object_foreach(who, person, role)
	{
		if (rc == 0)
			rc = notify_person(c, ev, person, json_string_value(role), t, vars);
	}
	json_decref(vars);
	json_decref(who);
	return rc;
}

struct count {
	const char *app;
	int n;
};

static int
count_one(const char *id, json_t *rec, void *ud)
{
	struct count *k = ud;

	(void)id;
	if (streq(str(rec, "status"), "paired") && streq(str(rec, "app"), k->app))
		k->n++;
	return 0;
}

int
support_active(struct wctx *c, const char *app, int *n)
{
	struct count k = {app, 0};
	int rc = store_rec_scan(c->store, c->txn, DB_SUPPORT, NULL, count_one, &k);

	*n = k.n;
	return rc;
}

int
support_reviews_arm(struct wctx *c, json_t *r, const struct cohort *co)
{
	const struct support_conf *sc = &co->programme->support;
	json_t *reviews = json_array();
	int64_t today;
	int minutes, rc = 0;

	today = schedule_local_date(co->timezone, c->now, NULL, &minutes);
	for (int k = 1; k <= sc->reviews && rc == 0; k++) {
		int64_t at = schedule_local(co->timezone, today + (int64_t)k * sc->review_every,
					    sc->review_at);
		char tid[32] = "", due[PW_TIME_LEN];

		rc = timers_put(c,
				json_pack("{s:s, s:s, s:i}", "kind", "support_review", "request",
					  str(r, "id"), "index", k),
				at, tid, sizeof tid);
		json_array_append_new(reviews, json_pack("{s:i, s:s, s:s}", "n", k, "due",
							 pw_time_format(at, due), "timer", tid));
	}
	json_object_set_new(r, "reviews", reviews);
	return rc;
}

int
support_reviews_cancel(struct wctx *c, json_t *r)
{
	json_t *rv;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(r, "reviews"), i, rv)
	{
		json_t *t = NULL;

		if (str(rv, "timer") == NULL ||
		    store_rec_get(c->store, c->txn, DB_TIMER_RECS, str(rv, "timer"), &t) != 0)
			continue;
		if (rc == 0)
			rc = timers_delete(c, t);
		json_decref(t);
	}
	return rc;
}

int
support_review_fire(struct wctx *c, const json_t *t)
{
	int k = (int)json_integer_value(json_object_get(t, "index"));
	const struct cohort *co;
	json_t *r = NULL, *rv, *ev, *extra;
	char n[16], when[64];
	int rc;

	if (store_rec_get(c->store, c->txn, DB_SUPPORT, str(t, "request"), &r) != 0)
		return 0;
	rv = json_array_get(json_object_get(r, "reviews"), (size_t)(k - 1));
	co = config_cohort(c->cfg, str(r, "cohort"));
	if (!streq(str(r, "status"), "paired") || rv == NULL ||
	    !streq(str(rv, "timer"), str(t, "id")) || co == NULL) {
		json_decref(r);
		return 0; /* ended, or a cohort no longer configured: nothing is due */
	}
	snprintf(n, sizeof n, "%d", k);
	schedule_format_date(co->timezone, c->now, when);
	ev = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:i}}", "type", "support.review_due",
		       "app", str(r, "app"), "cohort", str(r, "cohort"), "school", str(r, "school"),
		       "data", "request", str(r, "id"), "school", str(r, "school"), "review", k);
	extra = json_pack("{s:s, s:s}", "review_number", n, "review_date", when);
	rc = support_tell(c, ev, r, co->programme->support.review,
			  SUPPORT_TO_LLE | SUPPORT_TO_SCHOOL | SUPPORT_TO_LA, extra);
	json_decref(extra);
	json_decref(ev);
	json_decref(r);
	return rc;
}

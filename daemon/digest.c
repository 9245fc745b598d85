/*
 * digest.c: one email a day for those who chose it. What is pending is
 * worked out from the store when the digest goes, not collected as it
 * happens, so the list is always current: for a headteacher, the active
 * applications of their school's candidates whose stage waits on a
 * headteacher, or that are overdue; for an LA adviser, the applications in
 * every stage that waits on an LA adviser, those whose termly reviews were
 * not met often enough that the LA must continue or withdraw them
 * ("review_attention"; found through the stage index of every stage with a
 * review requirement, never a scan of all applications), and every overdue one.
 */
#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "notify.h"
#include "schedule.h"
#include "util.h"

int64_t
digest_next(const struct pw_config *cfg, int64_t after)
{
	const struct digest_conf *d = &cfg->digest;
	int64_t day = schedule_local_date(d->timezone, after, NULL, NULL);

	for (int64_t k = day; k <= day + 8; k++) {
		int64_t t = schedule_local(d->timezone, k, d->at);
		int wd = (int)(((k % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */

		if (t > after && (d->days & (1 << wd)))
			return t;
	}
	return after + 86400; /* no weekday allowed: unreachable, days is never empty */
}

static int
collect(const char *id, void *ud)
{
	if (json_object_get(ud, id) == NULL)
		json_object_set_new(ud, id, json_true());
	return 0;
}

/*
 * Do the stage's requirements wait on role (one of that role's not yet met,
 * and due: a term's review only from its date until it is recorded)?
 */
static int
waits_on(const json_t *reqs, const char *role)
{
	json_t *q;
	size_t i;
	int yes = 0;

	json_array_foreach(reqs, i, q)
	{
		const char *r = str(q, "role");

		if (!json_is_true(json_object_get(q, "met")) &&
		    !json_is_false(json_object_get(q, "due")) && streq(r, role))
			yes = 1;
		/* Reviews not met ask the LA to continue or withdraw (application.continue). */
		if (streq(role, "la_adviser") && json_is_true(json_object_get(q, "attention")))
			yes = 1;
	}
	return yes;
}

/* The name in record id of db, or the id. */
static char *
name_of(struct wctx *c, enum store_db db, const char *id)
{
	json_t *rec = NULL;
	char *s;

	if (id == NULL)
		return xstrdup("");
	store_rec_get(c->store, c->txn, db, id, &rec);
	s = xstrdup(str(rec, "name") ? str(rec, "name") : id);
	json_decref(rec);
	return s;
}

/* One line for an application: who, where, what is still needed, by when. */
static char *
item_line(struct wctx *c, const json_t *app, const json_t *reqs)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));
	int k = co ? config_stage_index(co->programme, str(app, "stage")) : -1;
	char *cand = name_of(c, DB_PEOPLE, str(app, "candidate"));
	char *school = name_of(c, DB_SCHOOLS, str(app, "school"));
	json_t *todo = notify_todo(reqs);
	char when[64] = "", *line;
	int64_t entered, dl = 0;

	if (k >= 0 && pw_time_parse(str(app, "stage_entered"), &entered) == 0)
		dl = schedule_deadline(co, &co->programme->stages[k], entered);
	if (dl > 0)
		schedule_format(co->timezone, dl, when);
	line = xasprintf("- %s (%s, %s), %s: %s.%s%s%s", cand, str(app, "id"), school,
			 k >= 0 ? co->programme->stages[k].name : str(app, "stage"),
			 json_string_value(todo), dl > 0 ? " Due " : "", when,
			 json_object_get(app, "overdue") != NULL ? " OVERDUE."
			 : dl > 0				 ? "."
								 : "");
	json_decref(todo);
	free(cand);
	free(school);
	return line;
}

/* The applications waiting on person p (headteacher of a school, or LA adviser), as lines. */
static int
pending_of(struct wctx *c, const json_t *p, int roles, json_t **out)
{
	json_t *ids = json_object(), *v;
	const char *id, *role = roles & ROLE_LA_ADVISER ? "la_adviser" : "headteacher";
	int rc = 0;

	*out = json_array();
	if (roles & ROLE_LA_ADVISER) {
		for (size_t i = 0; rc == 0 && i < c->cfg->ncohorts; i++) {
			const struct cohort *co = &c->cfg->cohorts[i];
			const struct programme *pg = co->programme;

			for (size_t s = 0; rc == 0 && s < pg->nstages; s++)
				for (size_t r = 0; r < pg->stages[s].nreqs; r++)
					if (pg->stages[s].reqs[r].role ==
						proto_role_bit("la_adviser") ||
					    pg->stages[s].reqs[r].kind == REQ_REVIEW) {
						rc = store_index_scan(c->store, c->txn, DB_BY_STAGE,
								      co->id, pg->stages[s].id,
								      NULL, NULL, collect, ids);
						break;
					}
			if (rc == 0)
				rc = store_index_scan(c->store, c->txn, DB_OVERDUE, co->id, NULL,
						      NULL, NULL, collect, ids);
		}
	} else if (str(p, "school") != NULL) {
		rc = store_index_scan(c->store, c->txn, DB_BY_SCHOOL, str(p, "school"), NULL, NULL,
				      NULL, collect, ids);
	}
	json_object_foreach(ids, id, v)
	{
		json_t *app = NULL, *reqs = NULL;

		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_APPS, id, &app) == 0 &&
		    streq(str(app, "status"), "active") &&
		    (waits_on(reqs = notify_requirements(c, app), role) ||
		     json_object_get(app, "overdue") != NULL)) {
			char *line = item_line(c, app, reqs);

			json_array_append_new(*out, json_string(line));
			free(line);
		}
		json_decref(reqs);
		json_decref(app);
	}
	json_decref(ids);
	return rc;
}

/* Lines joined by newlines, at most DIGEST_LINES of them; 'none' when there are none. */
#define DIGEST_LINES 200

static char *
join(const json_t *lines, const char *none)
{
	size_t n = json_array_size(lines), shown = n > DIGEST_LINES ? DIGEST_LINES : n, len = 1;
	char *s, *end;

	if (n == 0)
		return xstrdup(none);
	for (size_t i = 0; i < shown; i++)
		len += strlen(json_string_value(json_array_get(lines, i))) + 1;
	len += 64;
	s = end = xmalloc(len);
	for (size_t i = 0; i < shown; i++)
		end =
		    stpcpy(stpcpy(end, i ? "\n" : ""), json_string_value(json_array_get(lines, i)));
	if (shown < n)
		snprintf(end, len - (size_t)(end - s), "\n- and %zu more.", n - shown);
	return s;
}

/*
 * Build and write one person's digest; nothing when nothing waits or was held.
 * known: the lines of what waits on them, when already known (LA advisers
 * share one list), or NULL.
 */
static int
send_one(struct wctx *c, const json_t *p, const json_t *known)
{
	const char *tz = c->cfg->digest.timezone, *id = str(p, "id");
	int roles = engine_roles(p), rc = 0;
	json_t *held = NULL, *pending = NULL, *notices, *n;
	char date[64], *ptext, *ntext;
	size_t i;

	if (known != NULL)
		pending = json_incref((json_t *)known);
	else if (!(roles & (ROLE_HEADTEACHER | ROLE_LA_ADVISER)))
		pending = json_array(); /* no longer in the role: only what was held */
	else if (pending_of(c, p, roles, &pending) != 0) {
		json_decref(pending);
		return PW_ESTORE;
	}
	notices = json_array();
	rc = store_rec_get(c->store, c->txn, DB_DIGESTS, id, &held);
	if (rc != 0 && rc != PW_ENOTFOUND) {
		json_decref(pending);
		json_decref(notices);
		return PW_ESTORE;
	}
	rc = 0;
	json_array_foreach(json_object_get(held, "notices"), i, n)
	{
		char when[64];
		char *line = xasprintf(
		    "- %s: %s",
		    schedule_format(tz, json_integer_value(json_object_get(n, "at")), when),
		    str(n, "subject"));

		json_array_append_new(notices, json_string(line));
		free(line);
	}
	if (json_array_size(pending) > 0 || json_array_size(notices) > 0) {
		json_t *ev, *vars;

		schedule_format_date(tz, c->now, date);
		ptext = join(pending, "Nothing is waiting for you.");
		ntext = join(notices, "No other notices.");
		ev = json_pack("{s:s, s:{s:s, s:I, s:I}}", "type", "person.digest", "data",
			       "person", id, "pending", (json_int_t)json_array_size(pending),
			       "notices", (json_int_t)json_array_size(notices));
		vars = json_pack("{s:s, s:s, s:I, s:s, s:I}", "date", date, "pending", ptext,
				 "pending_count", (json_int_t)json_array_size(pending), "notices",
				 ntext, "notices_count", (json_int_t)json_array_size(notices));
		rc = wctx_emit(c, ev);
		if (rc == 0)
			rc = notify_person(c, ev, id,
					   roles & ROLE_LA_ADVISER ? "la_adviser" : "headteacher",
					   c->cfg->digest.tmpl, vars);
		if (rc == 0 && held != NULL)
			rc = store_rec_del(c->store, c->txn, DB_DIGESTS, id);
		json_decref(vars);
		json_decref(ev);
		free(ptext);
		free(ntext);
	}
	json_decref(held);
	json_decref(pending);
	json_decref(notices);
	return rc;
}

int
digest_send_all(struct wctx *c)
{
	json_t *people = json_object(), *la = NULL, *v;
	const char *id;
	int rc;

	rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, "headteacher", NULL, NULL, NULL,
			      collect, people);
	if (rc == 0)
		rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, "la_adviser", NULL, NULL,
				      NULL, collect, people);
	json_object_foreach(people, id, v)
	{
		json_t *p = NULL;

		if (rc == 0 && store_rec_get(c->store, c->txn, DB_PEOPLE, id, &p) == 0 &&
		    json_is_true(json_object_get(p, "digest"))) {
			int roles = engine_roles(p);

			/* What waits on an LA adviser is the same for every one of them. */
			if ((roles & ROLE_LA_ADVISER) && la == NULL)
				rc = pending_of(c, p, roles, &la);
			if (rc == 0)
				rc = send_one(c, p, roles & ROLE_LA_ADVISER ? la : NULL);
		}
		json_decref(p);
	}
	json_decref(la);
	json_decref(people);
	return rc ? PW_ESTORE : 0;
}

int
digest_flush(struct wctx *c, const json_t *p)
{
	if (json_is_true(json_object_get(p, "digest")) ||
	    !store_rec_exists(c->store, c->txn, DB_DIGESTS, str(p, "id")))
		return 0;
	return send_one(c, p, NULL);
}

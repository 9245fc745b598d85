/*
 * support.c: the commands of partner-school support: support.request (a
 * school's headteacher for their school, or an LA adviser for any),
 * support.pair and support.end (LA advisers), support.review (the paired
 * LLE or an LA adviser), support.get and support.list. The need, and the
 * notes of reviews and of the ending, are read by LA advisers, the school's
 * headteachers and the paired LLE; a viewer sees a request without them;
 * anyone else sees nothing of it. Records, emails and
 * review points are partners.c.
 */
#include "cmd/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "schedule.h"
#include "partners.h"
#include "util.h"

#define NEED_MAX 4000

/* What the actor may see of request r: 2 all of it, 1 all but the need, 0 nothing. */
static int
may_see(const struct wctx *c, const json_t *r)
{
	int roles = engine_roles(c->actor);

	if (roles & ROLE_LA_ADVISER)
		return 2;
	if ((roles & ROLE_HEADTEACHER) && streq(str(c->actor, "school"), str(r, "school")))
		return 2;
	if (str(r, "lle") != NULL && streq(str(r, "lle"), c->actor_id))
		return 2;
	if (roles & ROLE_VIEWER)
		return 1;
	return 0;
}

/* The record (changed in place) as the actor may see it. */
static json_t *
view(const struct wctx *c, json_t *r)
{
	json_t *rv;
	size_t i;

	int all = may_see(c, r) == 2;

	json_object_del(r, "v");
	if (!all) /* the need, and what reviews and the ending said of the school */
		json_object_del(r, "need");
	json_array_foreach(json_object_get(r, "reviews"), i, rv)
	{
		json_object_del(rv, "timer");
		if (!all)
			json_object_del(json_object_get(rv, "done"), "note");
	}
	if (!all)
		json_object_del(json_object_get(r, "ended"), "note");
	return r;
}

static const struct cohort *
support_cohort(struct wctx *c, const json_t *r)
{
	return config_cohort(c->cfg, str(r, "cohort"));
}

static int
load(struct wctx *c, const json_t *args, json_t **r, const struct cohort **co)
{
	int rc = cmd_load(c, DB_SUPPORT, "support request", cmd_arg(args, "request"), r);

	if (rc != 0)
		return rc;
	if (may_see(c, *r) == 0) {
		json_decref(*r);
		*r = NULL;
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not see support request %s",
			       c->actor_id, cmd_arg(args, "request"));
	}
	*co = support_cohort(c, *r);
	if (*co == NULL) {
		json_decref(*r);
		*r = NULL;
		return pw_fail(c->st, PW_ENOTFOUND,
			       "the cohort of this request is no longer configured");
	}
	return 0;
}

static int
save(struct wctx *c, const json_t *r)
{
	return store_rec_put(c->store, c->txn, DB_SUPPORT, str(r, "id"), r, c->st);
}

static json_t *
event(const char *type, const json_t *r)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "type", type, "cohort",
			       str(r, "cohort"), "school", str(r, "school"), "data", "request",
			       str(r, "id"), "school", str(r, "school"));

	if (str(r, "app") != NULL) {
		json_object_set_new(ev, "app", json_string(str(r, "app")));
		json_object_set_new(json_object_get(ev, "data"), "app", json_string(str(r, "app")));
	}
	return ev;
}

int
run_support_request(struct wctx *c, const json_t *args, json_t **data)
{
	const char *school = cmd_arg(args, "school"), *need = cmd_arg(args, "need");
	int la = engine_roles(c->actor) & ROLE_LA_ADVISER;
	const struct cohort *co;
	json_t *r, *ev, *sch = NULL;
	char id[32], at[PW_TIME_LEN];
	uint64_t n;
	int rc;

	if ((rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co)) != 0)
		return rc;
	if (!co->programme->support.declared)
		return pw_fail(c->st, PW_EINVALID, "programme '%s' has no partner-school support",
			       co->programme->id);
	if (school == NULL)
		school = str(c->actor, "school");
	if (school == NULL)
		return pw_fail(c->st, PW_EINVALID, "school: which school asks for support");
	if (!la && !streq(school, str(c->actor, "school")))
		return pw_fail(c->st, PW_EFORBIDDEN,
			       "a headteacher asks for support for their own school only");
	if (need[0] == '\0' || strlen(need) > NEED_MAX)
		return pw_fail(c->st, PW_EINVALID, "need: 1 to %d bytes", NEED_MAX);
	if ((rc = cmd_load(c, DB_SCHOOLS, "school", school, &sch)) != 0)
		return rc;
	json_decref(sch);
	if (store_counter_next(c->store, c->txn, "next_support", &n, c->st) != 0)
		return PW_ESTORE;
	snprintf(id, sizeof id, "S%06llu", (unsigned long long)n);
	r = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "id", id, "cohort",
		      co->id, "school", school, "need", need, "raised_by", c->actor_id, "raised_as",
		      la ? "la_adviser" : "headteacher", "created", pw_time_format(c->now, at),
		      "status", "open");
	rc = save(c, r);
	if (rc == 0) {
		ev = event("support.requested", r);
		rc = support_tell(c, ev, r, co->programme->support.requested,
				  SUPPORT_TO_SCHOOL | SUPPORT_TO_LA | SUPPORT_TO_RAISER, NULL);
		json_decref(ev);
	}
	if (rc == 0)
		*data = json_pack("{s:o}", "request", view(c, json_deep_copy(r)));
	json_decref(r);
	return rc;
}

/* Whether an LLE's school of phase a may support a school of phase b (PROTOCOL.md). */
static int
phases_match(const char *a, const char *b)
{
	if (a == NULL || b == NULL || streq(a, b))
		return 1;
	if (streq(a, "all-through"))
		return streq(b, "primary") || streq(b, "secondary");
	if (streq(b, "all-through"))
		return streq(a, "primary") || streq(a, "secondary");
	return 0;
}

static const char *
school_phase(struct wctx *c, const char *school, json_t **keep)
{
	*keep = NULL;
	if (school != NULL)
		store_rec_get(c->store, c->txn, DB_SCHOOLS, school, keep);
	return str(*keep, "phase");
}

/* Checks of support.pair on request r and application app; *mismatch set. */
static int
pair_check(struct wctx *c, const json_t *args, const struct cohort *co, const json_t *r,
	   const json_t *app, const json_t *cand, int *mismatch)
{
	const struct support_conf *sc = &co->programme->support;
	json_t *ks = NULL, *kp = NULL, *f;
	const char *mine, *theirs;
	int cap = sc->capacity, n, rc;

	if (!streq(str(r, "status"), "open"))
		return pw_fail(c->st, PW_ETRANSITION, "support request %s is %s, not open",
			       str(r, "id"), str(r, "status"));
	if (!streq(str(app, "cohort"), co->id))
		return pw_fail(c->st, PW_EINVALID, "application %s is not in cohort %s",
			       str(app, "id"), co->id);
	if (!(streq(str(app, "status"), "active") || streq(str(app, "status"), "graduated")) ||
	    !streq(str(app, "stage"), sc->stage))
		return pw_fail(c->st, PW_ETRANSITION,
			       "application %s is not at stage '%s' (it is %s at '%s')",
			       str(app, "id"), sc->stage, str(app, "status"), str(app, "stage"));
	if (streq(str(app, "school"), str(r, "school")))
		return pw_fail(c->st, PW_EINVALID, "an LLE does not support their own school");
	f = json_object_get(json_object_get(cand, "facts"), sc->capacity_fact ?: "");
	if (sc->capacity_fact != NULL && json_is_integer(f))
		cap = (int)json_integer_value(f);
	if ((rc = support_active(c, str(app, "id"), &n)) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: counting pairings");
	if (n >= cap)
		return pw_fail(c->st, PW_EFULL,
			       "application %s already supports %d partner school%s (capacity %d)",
			       str(app, "id"), n, n == 1 ? "" : "s", cap);
	mine = school_phase(c, str(app, "school"), &ks);
	theirs = school_phase(c, str(r, "school"), &kp);
	*mismatch = !phases_match(mine, theirs);
	if (*mismatch && sc->phase == SUPPORT_PHASE_MATCH &&
	    !json_is_true(json_object_get(args, "override")))
		rc = pw_fail(c->st, PW_ENOTELIGIBLE,
			     "phase: the LLE's school is %s, the partner school %s (override to "
			     "pair them anyway)",
			     mine, theirs);
	if (sc->phase == SUPPORT_PHASE_ANY)
		*mismatch = 0;
	json_decref(ks);
	json_decref(kp);
	return rc;
}

static json_t *
reviews_text(const struct cohort *co, const json_t *r)
{
	char *s = xstrdup(""), *t, when[64];
	json_t *rv, *out;
	size_t i;

	json_array_foreach(json_object_get(r, "reviews"), i, rv)
	{
		int64_t at;

		pw_time_parse(str(rv, "due"), &at);
		schedule_format_date(co->timezone, at, when);
		t = xasprintf("%s%s%s", s, i ? ", " : "", when);
		free(s);
		s = t;
	}
	out = json_string(s[0] ? s : "none");
	free(s);
	return out;
}

int
run_support_pair(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	json_t *r = NULL, *app = NULL, *cand = NULL, *ev, *extra;
	int mismatch = 0, rc;
	char at[PW_TIME_LEN];

	if ((rc = load(c, args, &r, &co)) != 0)
		return rc;
	if (!co->programme->support.declared)
		rc = pw_fail(c->st, PW_EINVALID, "programme '%s' has no partner-school support",
			     co->programme->id);
	if (rc == 0)
		rc = cmd_load(c, DB_APPS, "application", cmd_arg(args, "app"), &app);
	if (rc == 0)
		rc = cmd_load(c, DB_PEOPLE, "person", str(app, "candidate"), &cand);
	if (rc == 0)
		rc = pair_check(c, args, co, r, app, cand, &mismatch);
	if (rc == 0) {
		json_object_set_new(r, "status", json_string("paired"));
		json_object_set_new(r, "app", json_string(str(app, "id")));
		json_object_set_new(r, "lle", json_string(str(app, "candidate")));
		json_object_set_new(r, "paired_at", json_string(pw_time_format(c->now, at)));
		json_object_set_new(r, "paired_by", json_string(c->actor_id));
		json_object_set_new(r, "phase_mismatch", json_boolean(mismatch));
		rc = support_reviews_arm(c, r, co);
	}
	if (rc == 0)
		rc = save(c, r);
	if (rc == 0) {
		ev = event("support.paired", r);
		json_object_set_new(json_object_get(ev, "data"), "phase_mismatch",
				    json_boolean(mismatch));
		extra = json_pack("{s:s, s:o}", "phase_note",
				  mismatch ? "The two schools are of different phases." : "",
				  "reviews", reviews_text(co, r));
		rc = support_tell(c, ev, r, co->programme->support.paired,
				  SUPPORT_TO_LLE | SUPPORT_TO_SCHOOL | SUPPORT_TO_LA, extra);
		json_decref(extra);
		json_decref(ev);
	}
	if (rc == 0)
		*data = json_pack("{s:o}", "request", view(c, json_deep_copy(r)));
	json_decref(r);
	json_decref(app);
	json_decref(cand);
	return rc;
}

int
run_support_review(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	json_t *r = NULL, *rv, *ev, *done = NULL;
	char at[PW_TIME_LEN];
	size_t i;
	int rc;

	if ((rc = load(c, args, &r, &co)) != 0)
		return rc;
	if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) && !streq(str(r, "lle"), c->actor_id))
		rc =
		    pw_fail(c->st, PW_EFORBIDDEN, "only the paired LLE or the LA records a review");
	else if (!streq(str(r, "status"), "paired"))
		rc = pw_fail(c->st, PW_ETRANSITION, "support request %s is %s, not paired",
			     str(r, "id"), str(r, "status"));
	json_array_foreach(json_object_get(r, "reviews"), i, rv)
	{
		if (done == NULL && json_object_get(rv, "done") == NULL)
			done = rv;
	}
	if (rc == 0 && done == NULL)
		rc = pw_fail(c->st, PW_ETRANSITION, "every review point of %s is recorded",
			     str(r, "id"));
	if (rc == 0) {
		json_object_set_new(done, "done",
				    json_pack("{s:s, s:s, s:s}", "at", pw_time_format(c->now, at),
					      "by", c->actor_id, "note",
					      cmd_arg(args, "note") ?: ""));
		rc = save(c, r);
	}
	if (rc == 0) {
		ev = event("support.reviewed", r);
		json_object_set(json_object_get(ev, "data"), "review", json_object_get(done, "n"));
		rc = wctx_emit(c, ev);
		json_decref(ev);
	}
	if (rc == 0)
		*data = json_pack("{s:o}", "request", view(c, json_deep_copy(r)));
	json_decref(r);
	return rc;
}

int
run_support_end(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	json_t *r = NULL, *ev, *extra;
	char at[PW_TIME_LEN];
	int rc, paired;

	if ((rc = load(c, args, &r, &co)) != 0)
		return rc;
	paired = streq(str(r, "status"), "paired");
	if (!paired && !streq(str(r, "status"), "open")) {
		rc = pw_fail(c->st, PW_ETRANSITION, "support request %s is %s already",
			     str(r, "id"), str(r, "status"));
		json_decref(r);
		return rc;
	}
	rc = support_reviews_cancel(c, r);
	json_object_set_new(r, "status", json_string(paired ? "ended" : "closed"));
	json_object_set_new(r, "ended",
			    json_pack("{s:s, s:s, s:s}", "at", pw_time_format(c->now, at), "by",
				      c->actor_id, "note", cmd_arg(args, "note") ?: ""));
	if (rc == 0)
		rc = save(c, r);
	if (rc == 0) {
		ev = event(paired ? "support.ended" : "support.closed", r);
		extra = json_pack("{s:s}", "note", cmd_arg(args, "note") ?: "");
		rc = support_tell(c, ev, r, paired ? co->programme->support.ended : NULL,
				  SUPPORT_TO_LLE | SUPPORT_TO_SCHOOL | SUPPORT_TO_LA, extra);
		json_decref(extra);
		json_decref(ev);
	}
	if (rc == 0)
		*data = json_pack("{s:o}", "request", view(c, json_deep_copy(r)));
	json_decref(r);
	return rc;
}

int
run_support_get(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	json_t *r = NULL;
	int rc = load(c, args, &r, &co);

	if (rc == 0)
		*data = json_pack("{s:o}", "request", view(c, r));
	return rc;
}

struct list {
	struct wctx *c;
	const json_t *args;
	json_t *out;
};

static int
list_one(const char *id, json_t *r, void *ud)
{
	struct list *l = ud;
	const char *cohort = cmd_arg(l->args, "cohort"), *status = cmd_arg(l->args, "status");

	(void)id;
	if ((cohort && !streq(cohort, str(r, "cohort"))) ||
	    (status && !streq(status, str(r, "status"))) || may_see(l->c, r) == 0)
		return 0;
	json_array_append(l->out, view(l->c, r));
	return 0;
}

int
run_support_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct list l = {c, args, json_array()};

	if (store_rec_scan(c->store, c->txn, DB_SUPPORT, NULL, list_one, &l) != 0) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing support requests");
	}
	*data = json_pack("{s:o}", "requests", l.out);
	return 0;
}

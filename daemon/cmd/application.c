/*
 * application.c: the commands on applications. Creating one (one live
 * application per candidate and cohort), reading it, its history and
 * listings as the principal may see them, and each command that changes
 * one: a small adapter to the engine, run through cmd_app_command.
 */
#include "cmd/application.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/app_summary.h"
#include "cmd/base.h"
#include "cmd/cohort.h"
#include "cmd/form.h"
#include "cmd/rater_view.h"
#include "util.h"

/*
 * One live (active or waiting) application per candidate and cohort: the
 * meta record "COHORT/CANDIDATE" names the last application made or moved
 * there. Claim it for app, or fail with already_exists when that one is
 * still live in that cohort.
 */
static int
live_app_claim(struct wctx *c, const char *cohort, const char *cand, const char *app)
{
	char *k = xasprintf("%s/%s", cohort, cand);
	json_t *prev = NULL, *old = NULL, *key;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_META, k, &prev) == 0 &&
	    store_rec_get(c->store, c->txn, DB_APPS, str(prev, "active"), &old) == 0 &&
	    !streq(str(old, "id"), app) && streq(str(old, "cohort"), cohort) &&
	    (streq(str(old, "status"), "active") || streq(str(old, "status"), "waitlisted")))
		rc = pw_fail(c->st, PW_EEXISTS, "%s already has application %s in %s", cand,
			     str(old, "id"), cohort);
	if (rc == 0) {
		key = json_pack("{s:s}", "active", app);
		rc = store_rec_put(c->store, c->txn, DB_META, k, key, c->st);
		json_decref(key);
	}
	json_decref(old);
	json_decref(prev);
	free(k);
	return rc;
}

int
run_app_create(struct wctx *c, const json_t *args, json_t **data)
{
	const char *route = cmd_arg(args, "route") ? cmd_arg(args, "route") : "interest";
	const struct cohort *co;
	json_t *cand = NULL, *app = NULL;
	struct engine_out out;
	struct engine_ctx e;
	char id[32];
	uint64_t n;
	int rc;

	engine_out_init(&out);
	rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co);
	if (rc == 0)
		rc = cmd_load(c, DB_PEOPLE, "person", cmd_arg(args, "candidate"), &cand);
	if (rc != 0)
		goto done;
	cmd_engine_ctx(c, cand, &e);
	e.override = json_is_true(json_object_get(args, "override")); /* the window (LA only) */
	/* rules on the candidate's school; its phase chooses a cohort's group */
	if (co->programme->uses_school || co->ngroups > 0)
		e.school = cmd_loaded(c, DB_SCHOOLS, str(cand, "school"));
	if (store_counter_next(c->store, c->txn, "next_app", &n, c->st) != 0) {
		rc = PW_ESTORE;
		goto done;
	}
	snprintf(id, sizeof id, "A%06llu", (unsigned long long)n);
	rc = engine_app_create(&e, co, id, route, cmd_arg(args, "track"), &app, &out, c->st);
	if (rc != 0)
		goto done;
	rc = live_app_claim(c, co->id, str(cand, "id"), id);
	if (rc != 0)
		goto done;
	rc = store_index_put(c->store, c->txn, DB_BY_SCHOOL, str(app, "school"), id, NULL, c->st);
	if (rc == 0)
		rc = cmd_app_finish(c, app, NULL, cand, &out, data);
done:
	engine_out_clear(&out);
	json_decref(app);
	json_decref(cand);
	return rc;
}

static int
app_load_viewable(struct wctx *c, const char *id, json_t **app, json_t **cand)
{
	struct engine_ctx e;
	int rc = cmd_app_load(c, id, app, cand, &e);

	return rc ? rc : engine_may_view(&e, *app, c->st);
}

int
run_app_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *app, *cand;
	int rc = app_load_viewable(c, cmd_arg(args, "app"), &app, &cand);

	if (rc == 0)
		*data = json_pack("{s:o}", "application", cmd_app_view(c, app, cand));
	json_decref(app);
	json_decref(cand);
	return rc;
}

int
run_app_history(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *app, *cand, *evs = NULL, *limit = json_object_get(args, "limit");
	int n = limit ? (int)json_integer_value(limit) : 1000;
	uint64_t next = 0;
	int rc;

	if (n < 1 || n > 1000)
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	rc = app_load_viewable(c, cmd_arg(args, "app"), &app, &cand);
	if (rc == 0 &&
	    store_app_events(c->store, c->txn, cmd_arg(args, "app"),
			     (uint64_t)json_integer_value(json_object_get(args, "after")), n, &evs,
			     &next) != 0) {
		json_decref(evs);
		rc = pw_fail(c->st, PW_ESTORE, "store: reading the history");
	}
	if (rc == 0 && !(engine_roles(c->actor) & READERS)) {
		json_t *kept = json_array(), *ev;
		struct engine_ctx e;
		size_t i;
		int raters = cmd_sees_raters(c, app), only_rater;

		cmd_engine_ctx(c, cand, &e);
		only_rater = rater_only(&e, app);

		json_array_foreach(evs, i, ev)
		{
			const char *rater = str(json_object_get(ev, "data"), "rater");
			const char *by = str(ev, "actor");

			/*
			 * Who was emailed what would tell which raters have not
			 * responded; when a response came, who it was.
			 */
			if (strncmp(str(ev, "type"), "notification.", 13) == 0 ||
			    streq(str(ev, "type"), "application.response_recorded"))
				continue;
			/* Nor what the reviews found: appraisal data (engine_panel_redact). */
			if (!raters && (streq(str(ev, "type"), "application.review_escalated") ||
					streq(str(ev, "type"), "application.continued")))
				continue;
			/* A rater alone reads their own invitation and what they did, no more. */
			if (only_rater && !streq(by, c->actor_id) &&
			    !(streq(str(ev, "type"), "application.rater_invited") &&
			      streq(rater, c->actor_id)))
				continue;
			/* An invited rater does not learn who the other raters are. */
			if (streq(str(ev, "type"), "application.rater_invited") && !raters &&
			    !streq(rater, c->actor_id))
				continue;
			/*
			 * Nor who acted, unless it is the viewer, the candidate, the
			 * coach or the daemon: a rater's response, or another
			 * candidate's withdrawal that freed a place, would show.
			 */
			if (by != NULL && !streq(by, c->actor_id) &&
			    !streq(by, str(app, "candidate")) && !streq(by, str(app, "coach")) &&
			    !streq(by, "pathwayd") && !streq(by, c->cfg->daemon.operator_id))
				json_object_del(ev, "actor");
			json_array_append(kept, ev);
		}
		json_decref(evs);
		evs = kept;
	}
	if (rc == 0)
		*data = json_pack("{s:o, s:o}", "events", evs, "next",
				  next ? json_integer((json_int_t)next) : json_null());
	json_decref(app);
	json_decref(cand);
	return rc;
}

struct app_list {
	struct wctx *c;
	const json_t *args;
	const char *school; /* forced for headteachers */
	json_t *out;
	int limit;
	char next[PW_ID_MAX + 1];
	int failed;
};

static int
list_visit(const char *id, void *ud)
{
	struct app_list *l = ud;
	const char *f;
	json_t *app, *cand = NULL;

	if (store_rec_get(l->c->store, l->c->txn, DB_APPS, id, &app) != 0) {
		l->failed = 1;
		return 1;
	}
	if ((json_is_true(json_object_get(l->args, "overdue")) &&
	     json_object_get(app, "overdue") == NULL) ||
	    ((f = cmd_arg(l->args, "cohort")) && !streq(str(app, "cohort"), f)) ||
	    /* 'stage' is a position, as in the stage index: active applications at it. */
	    ((f = cmd_arg(l->args, "stage")) && !streq(engine_position(app), f)) ||
	    ((f = cmd_arg(l->args, "status")) && !streq(str(app, "status"), f)) ||
	    ((f = cmd_arg(l->args, "track")) && !streq(str(app, "track"), f)) ||
	    (l->school && !streq(str(app, "school"), l->school))) {
		json_decref(app);
		return 0;
	}
	if ((int)json_array_size(l->out) == l->limit) {
		json_decref(app);
		return 1;
	}
	/* The view application.get gives: the candidate's name, their facts for a rule. */
	if (store_rec_get(l->c->store, l->c->txn, DB_PEOPLE, str(app, "candidate"), &cand) != 0) {
		json_decref(app);
		l->failed = 1;
		return 1;
	}
	json_array_append_new(l->out, json_is_true(json_object_get(l->args, "summary"))
					  ? cmd_app_summary(l->c, app, cand)
					  : cmd_app_view(l->c, app, cand));
	json_decref(cand);
	json_decref(app);
	snprintf(l->next, sizeof l->next, "%s", id);
	return 0;
}

static int
list_rec_visit(const char *id, json_t *rec, void *ud)
{
	(void)rec;
	return list_visit(id, ud);
}

/*
 * Listings from an index keyed by cohort (the overdue index, or the stage
 * index at position pos): the cohort 'only', or each configured cohort in
 * turn, never a scan of every application. Paging goes on in the cohort of
 * the 'after' application, then the later cohorts from their start.
 */
static int
list_by_cohort(struct wctx *c, enum store_db db, const char *only, const char *pos,
	       const char *after, struct app_list *l)
{
	const char *from = only;
	json_t *a = NULL;
	int rc = 0;

	if (from == NULL && after != NULL &&
	    store_rec_get(c->store, c->txn, DB_APPS, after, &a) == 0)
		from = str(a, "cohort");
	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++) {
		const char *id = c->cfg->cohorts[i].id;

		if (from != NULL && strcmp(from, id) != 0)
			continue;
		rc = store_index_scan(c->store, c->txn, db, id, pos, from ? after : NULL, NULL,
				      list_visit, l);
		if (only != NULL || (int)json_array_size(l->out) == l->limit)
			break;
		from = NULL;
	}
	json_decref(a);
	return rc;
}

int
run_app_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct app_list l = {c, args, cmd_arg(args, "school"), json_array(), 100, "", 0};
	const char *cohort = cmd_arg(args, "cohort"), *after = cmd_arg(args, "after");
	const char *pos = cmd_arg(args, "stage") ? cmd_arg(args, "stage") : cmd_arg(args, "status");
	char afterpos[PW_ID_MAX + 1] = "";
	size_t before;
	int rc = 0;

	if (json_object_get(args, "limit") != NULL)
		l.limit = (int)json_integer_value(json_object_get(args, "limit"));
	if (l.limit < 1 || l.limit > 1000) {
		json_decref(l.out);
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	}
	if (!(engine_roles(c->actor) & READERS)) {
		if (l.school != NULL && !streq(l.school, str(c->actor, "school"))) {
			json_decref(l.out);
			return pw_fail(c->st, PW_EFORBIDDEN,
				       "%s may list only the applications of their school",
				       c->actor_id);
		}
		l.school = str(c->actor, "school") ? str(c->actor, "school") : "";
	}
	if (cohort != NULL && config_cohort(c->cfg, cohort) == NULL) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ENOTFOUND, "no cohort '%s'", cohort);
	}
	if (streq(pos, "active") && cmd_arg(args, "stage") == NULL)
		pos = NULL; /* every stage: filtered per record */
	if (cohort != NULL && pos == NULL && after != NULL) {
		json_t *a = NULL;

		if (store_rec_get(c->store, c->txn, DB_APPS, after, &a) == 0)
			snprintf(afterpos, sizeof afterpos, "%s", engine_position(a));
		json_decref(a);
	}
	if (json_is_true(json_object_get(args, "overdue")))
		rc = list_by_cohort(c, DB_OVERDUE, cohort, NULL, after, &l);
	else if (cohort != NULL && pos != NULL)
		rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, cohort, pos, after, NULL,
				      list_visit, &l);
	else if (cohort != NULL)
		rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, cohort, NULL,
				      after ? afterpos : NULL, after, list_visit, &l);
	else if (l.school != NULL)
		rc = store_index_scan(c->store, c->txn, DB_BY_SCHOOL, l.school, NULL, after, NULL,
				      list_visit, &l);
	else if (pos != NULL)
		rc = list_by_cohort(c, DB_BY_STAGE, NULL, pos, after, &l);
	else
		rc = store_rec_scan(c->store, c->txn, DB_APPS, after, list_rec_visit, &l);
	if (rc != 0 || l.failed) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing applications");
	}
	before = json_array_size(l.out);
	*data = json_pack("{s:o, s:s?}", "applications", l.out, "next",
			  before == (size_t)l.limit ? l.next : NULL);
	return 0;
}

/* The commands on one application, each a small adapter to the engine. */

static int
op_signoff(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	   struct engine_out *out)
{
	(void)op;
	return engine_signoff(e, app, out, c->st);
}

static int
op_decide(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	return engine_decide(e, app, cmd_cstate(c, str(app, "cohort")),
			     cmd_arg(op->args, "outcome"), cmd_arg(op->args, "note"), out, c->st);
}

static int
op_invite(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	int rc = engine_invite_rater(e, app, op->ref, cmd_arg(op->args, "category"), out, c->st);

	return rc ? rc : cmd_index_person(c, str(op->ref, "id"), app);
}

static int
op_respond(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	   struct engine_out *out)
{
	return engine_record_response(e, app, cmd_arg(op->args, "rater"), out, c->st);
}

static int
op_place(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	 struct engine_out *out)
{
	int rc = engine_place_internship(e, app, op->ref, cmd_arg(op->args, "start"),
					 cmd_arg(op->args, "end"), out, c->st);
	char *key = xasprintf("school:%s", str(op->ref, "id"));

	if (rc == 0)
		rc = cmd_index_person(c, key, app);
	free(key);
	return rc;
}

static int
op_confirm(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	   struct engine_out *out)
{
	return engine_confirm_internship(
	    e, app, (int)json_integer_value(json_object_get(op->args, "days")), out, c->st);
}

static int
op_coach(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	 struct engine_out *out)
{
	struct engine_ctx with = *e;
	int rc;

	with.coach = op->ref; /* the new coach's training counts from now (coach_trained) */
	rc = engine_assign_coach(&with, app, op->ref, out, c->st);
	return rc ? rc : cmd_index_person(c, str(op->ref, "id"), app);
}

static int
op_withdraw(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	    struct engine_out *out)
{
	return engine_withdraw(e, app, cmd_cstate(c, str(app, "cohort")),
			       cmd_arg(op->args, "reason"), out, c->st);
}

static int
op_progress(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	    struct engine_out *out)
{
	return engine_record_progression(e, app, cmd_arg(op->args, "role"),
					 cmd_arg(op->args, "school"), cmd_arg(op->args, "date"),
					 cmd_arg(op->args, "note"), out, c->st);
}

static int
op_defer(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	 struct engine_out *out)
{
	const struct cohort *to = config_cohort(c->cfg, cmd_arg(op->args, "cohort"));
	/* Checked first: a refusal then leaves the cohorts' states untouched. */
	int rc = live_app_claim(c, to->id, str(app, "candidate"), str(app, "id"));

	return rc ? rc : engine_defer(e, app, cmd_cstate(c, str(app, "cohort")), to, out, c->st);
}

/* How each application command finds the record it refers to, if any. */
struct app_cmd {
	const char *name;
	int (*fn)(struct wctx *, const struct engine_ctx *, json_t *, const struct app_op *,
		  struct engine_out *);
	const char *ref_arg; /* args key naming a record */
	enum store_db ref_db;
	const char *ref_what;
};

static const struct app_cmd app_cmds[] = {
    {"application.submit", form_op_submit, NULL, 0, NULL},
    {"application.return", form_op_return, NULL, 0, NULL},
    {"application.signoff", op_signoff, NULL, 0, NULL},
    {"application.decide", op_decide, NULL, 0, NULL},
    {"application.invite_rater", op_invite, "rater", DB_PEOPLE, "person"},
    {"application.record_response", op_respond, NULL, 0, NULL},
    {"application.record_attendance", cohort_op_attend, NULL, 0, NULL},
    {"application.place_internship", op_place, "host_school", DB_SCHOOLS, "school"},
    {"application.confirm_internship", op_confirm, NULL, 0, NULL},
    {"application.assign_coach", op_coach, "coach", DB_PEOPLE, "person"},
    {"application.withdraw", op_withdraw, NULL, 0, NULL},
    {"application.defer", op_defer, NULL, 0, NULL},
    {"application.record_progression", op_progress, NULL, 0, NULL},
};

static const struct app_cmd *app_cmd_current;

void
application_op_select(const char *name)
{
	app_cmd_current = NULL;
	for (size_t i = 0; i < sizeof app_cmds / sizeof app_cmds[0]; i++)
		if (strcmp(app_cmds[i].name, name) == 0)
			app_cmd_current = &app_cmds[i];
}

int
run_app_op(struct wctx *c, const json_t *args, json_t **data)
{
	const struct app_cmd *ac = app_cmd_current;
	struct app_op op = {args, NULL, ac->fn};
	const struct cohort *to;
	int rc = 0;

	if (!store_rec_exists(c->store, c->txn, DB_APPS, cmd_arg(args, "app")))
		return pw_fail(c->st, PW_ENOTFOUND, "no application '%s'", cmd_arg(args, "app"));
	if (ac->ref_arg != NULL)
		rc = cmd_load(c, ac->ref_db, ac->ref_what, cmd_arg(args, ac->ref_arg), &op.ref);
	if (rc == 0 && streq(ac->name, "application.defer"))
		rc = cmd_cohort(c, cmd_arg(args, "cohort"), &to);
	if (rc == 0)
		rc = cmd_app_command(c, cmd_arg(args, "app"), &op, data);
	json_decref(op.ref);
	return rc;
}

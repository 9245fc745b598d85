/*
 * commands.c: one function per API command and the table that names them.
 * A command loads what it refers to (application, people, schools, cohort
 * state), asks the engine, and writes back: the record, the stage and school
 * indexes, the cohort's counters, and the events. Errors come back in the
 * order PROTOCOL.md gives: arguments, ids, permission, state.
 */
#include "commands.h"

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "engine.h"
#include "notify.h"
#include "opportunities.h"
#include "timers.h"
#include "util.h"

#define READERS (ROLE_LA_ADVISER | ROLE_VIEWER)

int
cmd_actor_load(struct store *s, MDB_txn *txn, const struct pw_config *cfg, const char *id,
	       json_t **actor, struct pw_status *st)
{
	int rc;

	if (strcmp(id, cfg->daemon.operator_id) == 0) {
		*actor = json_pack("{s:s, s:s, s:[s]}", "id", id, "name", "Operator", "roles",
				   "la_adviser");
		return 0;
	}
	rc = store_rec_get(s, txn, DB_PEOPLE, id, actor);
	if (rc == PW_ENOTFOUND)
		return pw_fail(st, PW_EUNKNOWN_ACTOR, "no person '%s'", id);
	if (rc != 0)
		return pw_fail(st, PW_ESTORE, "store: reading person %s", id);
	return 0;
}

/* Load a record that args[key] names; PW_ENOTFOUND names what is missing. */
static int
load(struct wctx *c, enum store_db db, const char *what, const char *id, json_t **out)
{
	int rc = store_rec_get(c->store, c->txn, db, id, out);

	if (rc == PW_ENOTFOUND)
		return pw_fail(c->st, PW_ENOTFOUND, "no %s '%s'", what, id);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading %s %s", what, id);
	return 0;
}

static int
cohort_of(struct wctx *c, const char *id, const struct cohort **out)
{
	*out = config_cohort(c->cfg, id);
	if (*out == NULL)
		return pw_fail(c->st, PW_ENOTFOUND, "no cohort '%s'", id);
	return 0;
}

/* The cohort's state (places taken, waiting list, counts), loaded once per command. */
static json_t *
cstate(struct wctx *c, const char *cohort)
{
	json_t *s = json_object_get(c->cstates, cohort);

	if (s != NULL)
		return s;
	if (store_rec_get(c->store, c->txn, DB_COHORTS, cohort, &s) != 0)
		s = json_pack("{s:i, s:i, s:[], s:{}, s:i}", "v", 1, "taken", 0, "waiting",
			      "counts", "total", 0);
	json_object_set_new(c->cstates, cohort, s);
	return s;
}

static void
count_add(json_t *state, const char *pos, int delta)
{
	json_t *counts = json_object_get(state, "counts");
	json_int_t n = json_integer_value(json_object_get(counts, pos)) + delta;

	if (n > 0)
		json_object_set_new(counts, pos, json_integer(n));
	else
		json_object_del(counts, pos);
}

static void
total_add(json_t *state, int delta)
{
	json_int_t n = json_integer_value(json_object_get(state, "total")) + delta;

	json_object_set_new(state, "total", json_integer(n));
}

static int
cstates_save(struct wctx *c)
{
	const char *id;
	json_t *s;

	json_object_foreach(c->cstates, id, s)
	{
		if (store_rec_put(c->store, c->txn, DB_COHORTS, id, s, c->st) != 0)
			return PW_ESTORE;
	}
	return 0;
}

/* Where an application was before a command: to move its index entry after. */
struct app_pos {
	char cohort[PW_ID_MAX + 1];
	char pos[PW_ID_MAX + 1];
};

static void
app_pos_get(const json_t *app, struct app_pos *p)
{
	snprintf(p->cohort, sizeof p->cohort, "%s", str(app, "cohort"));
	snprintf(p->pos, sizeof p->pos, "%s", engine_position(app));
}

/*
 * Store app. If it moved (cohort, stage or status), move its stage index
 * entry and the cohort counters, clear its overdue mark, cancel the old
 * stage's timers and arm the new stage's.
 */
static int
app_save(struct wctx *c, json_t *app, const struct app_pos *was)
{
	struct app_pos now;
	const char *id = str(app, "id");

	app_pos_get(app, &now);
	if (was != NULL && strcmp(was->cohort, now.cohort) == 0 && strcmp(was->pos, now.pos) == 0)
		return store_rec_put(c->store, c->txn, DB_APPS, id, app, c->st);
	if (was != NULL) {
		json_object_del(app, "overdue");
		store_index_del(c->store, c->txn, DB_OVERDUE, was->cohort, id, NULL);
		if (timers_cancel(c, id) != 0)
			return PW_ESTORE;
	}
	if (store_rec_put(c->store, c->txn, DB_APPS, id, app, c->st) != 0 ||
	    timers_stage_entered(c, app) != 0)
		return PW_ESTORE;
	if (was != NULL) {
		json_t *old = cstate(c, was->cohort);

		store_index_del(c->store, c->txn, DB_BY_STAGE, was->cohort, was->pos, id);
		count_add(old, was->pos, -1);
		if (strcmp(was->cohort, now.cohort) != 0)
			total_add(old, -1);
	}
	if (was == NULL || strcmp(was->cohort, now.cohort) != 0)
		total_add(cstate(c, now.cohort), 1);
	count_add(cstate(c, now.cohort), now.pos, 1);
	return store_index_put(c->store, c->txn, DB_BY_STAGE, now.cohort, now.pos, id, c->st);
}

static int
emit_all(struct wctx *c, struct engine_out *out)
{
	size_t i;
	json_t *ev;

	json_array_foreach(out->events, i, ev)
	{
		if (wctx_emit(c, ev) != 0)
			return PW_ESTORE;
	}
	json_array_clear(out->events);
	return 0;
}

static void
ctx_engine(struct wctx *c, const json_t *candidate, struct engine_ctx *e)
{
	e->cfg = c->cfg;
	e->now = c->now;
	e->actor_id = c->actor_id;
	e->actor = c->actor;
	e->candidate = candidate;
}

/* Offer each freed place to the application the engine named. */
static int
offers_run(struct wctx *c, struct engine_out *out)
{
	json_t *offers = json_copy(out->offers); /* not the same array: it is cleared below */
	size_t i;
	json_t *id;
	int rc = 0;

	json_array_clear(out->offers);
	json_array_foreach(offers, i, id)
	{
		struct engine_ctx e;
		struct app_pos was;
		json_t *app = NULL, *cand = NULL;
		struct pw_status ost;

		rc = load(c, DB_APPS, "application", json_string_value(id), &app);
		if (rc == 0)
			rc = load(c, DB_PEOPLE, "person", str(app, "candidate"), &cand);
		if (rc == 0) {
			ctx_engine(c, cand, &e);
			app_pos_get(app, &was);
			json_t *cs = cstate(c, str(app, "cohort"));

			if (engine_offer_place(&e, app, cs, out, &ost) != 0) {
				/* No place after all (places lowered on reload): keep its turn. */
				log_warn("offering a place to %s: %s", json_string_value(id),
					 ost.msg);
				if (streq(str(app, "status"), "waitlisted"))
					json_array_insert(json_object_get(cs, "waiting"), 0, id);
			} else
				rc = app_save(c, app, &was);
		}
		json_decref(app);
		json_decref(cand);
		if (rc == 0)
			rc = emit_all(c, out);
		if (rc != 0)
			break;
	}
	json_decref(offers);
	return rc;
}

/*
 * 360 feedback is confidential: who responded is for LA advisers and viewers;
 * a rater sees their own response. Applies to any application record shown.
 */
static void
raters_redact(const struct wctx *c, json_t *v)
{
	const char *rater;
	json_t *r;

	if (engine_roles(c->actor) & READERS)
		return;
	json_object_foreach(json_object_get(v, "raters"), rater, r)
	{
		if (strcmp(rater, c->actor_id) != 0)
			json_object_del(r, "responded");
	}
}

/* Render an application for a reply: the record plus its current requirements. */
static json_t *
app_view(struct wctx *c, const json_t *app, const json_t *candidate)
{
	struct engine_ctx e;
	json_t *v = json_deep_copy(app);

	ctx_engine(c, candidate, &e);
	json_object_del(v, "v");
	raters_redact(c, v);
	if (streq(str(app, "status"), "active") || streq(str(app, "status"), "waitlisted"))
		json_object_set_new(v, "requirements", engine_requirements(&e, app));
	return v;
}

/*
 * The shape of every command on one application: load it and its candidate,
 * let op change it through the engine, save it, run offers, emit events.
 */
struct app_op {
	const json_t *args;
	json_t *ref; /* a record op needs (rater, coach, school, target cohort) */
	int (*fn)(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
		  struct engine_out *out);
};

/*
 * An application that ended (withdrawn, not selected, graduated) keeps the
 * stage it ended at, and a reload may drop that stage from its programme
 * (the daemon refuses a reload that would strand an active or waiting
 * application). Such an application can still be read, not changed.
 */
static int
app_configured(struct wctx *c, const json_t *app)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));

	if (co != NULL && str(app, "stage") != NULL &&
	    config_stage_index(co->programme, str(app, "stage")) >= 0)
		return 0;
	return pw_fail(c->st, PW_ETRANSITION,
		       "application %s is at stage '%s' of cohort '%s', which the configuration no "
		       "longer defines: it can be read but not changed",
		       str(app, "id"), str(app, "stage") ? str(app, "stage") : "",
		       str(app, "cohort") ? str(app, "cohort") : "");
}

static int
app_command(struct wctx *c, const char *app_id, const struct app_op *op, json_t **data)
{
	json_t *app = NULL, *cand = NULL;
	struct engine_out out;
	struct engine_ctx e;
	struct app_pos was;
	int rc;

	engine_out_init(&out);
	rc = load(c, DB_APPS, "application", app_id, &app);
	if (rc == 0)
		rc = app_configured(c, app);
	if (rc == 0)
		rc = load(c, DB_PEOPLE, "person", str(app, "candidate"), &cand);
	if (rc != 0)
		goto done;
	ctx_engine(c, cand, &e);
	app_pos_get(app, &was);
	rc = op->fn(c, &e, app, op, &out);
	if (rc == 0)
		rc = app_save(c, app, &was);
	if (rc == 0)
		rc = emit_all(c, &out);
	if (rc == 0)
		rc = offers_run(c, &out);
	if (rc == 0)
		rc = cstates_save(c);
	if (rc == 0)
		*data = json_pack("{s:o}", "application", app_view(c, app, cand));
done:
	engine_out_clear(&out);
	json_decref(app);
	json_decref(cand);
	return rc;
}

static const char *
arg(const json_t *args, const char *key)
{
	return str(args, key);
}

/* system */

static int
run_ping(struct wctx *c, const json_t *args, json_t **data)
{
	char t[PW_TIME_LEN];
	uint64_t head;

	(void)args;
	store_event_head(c->store, c->txn, &head);
	*data = json_pack("{s:s, s:i, s:s, s:I}", "version", PW_VERSION, "protocol",
			  PW_PROTOCOL_VERSION, "now", pw_time_format(c->now, t), "head",
			  (json_int_t)head);
	return 0;
}

int
cmd_run_outside(const struct cmd_entry *e, struct store *s, const json_t *args, json_t **data,
		struct pw_status *st)
{
	const json_t *compact = json_object_get(args, "compact");
	const char *path = str(args, "path");
	char *file;
	FILE *f;
	long bytes = 0;
	int rc;

	if (strcmp(e->name, "system.backup") != 0)
		fatal("%s does not run outside a transaction", e->name);
	rc = store_backup(s, path, compact == NULL || json_is_true(compact), st);
	if (rc != 0)
		return rc;
	file = xasprintf("%s/data.mdb", path);
	f = fopen(file, "rb");
	if (f != NULL && fseek(f, 0, SEEK_END) == 0)
		bytes = ftell(f);
	if (f != NULL)
		fclose(f);
	free(file);
	*data = json_pack("{s:s, s:I}", "path", path, "bytes", (json_int_t)bytes);
	return 0;
}

/* The manual clock: moves forward only, and is kept in meta across restarts. */
static int
clock_move(struct wctx *c, int64_t to, json_t **data)
{
	char t[PW_TIME_LEN];
	json_t *v;
	int rc;

	if (to < c->clock->now)
		return pw_fail(c->st, PW_EINVALID, "the clock only moves forward (it is %s)",
			       pw_time_format(c->clock->now, t));
	v = json_pack("{s:I}", "now", (json_int_t)to);
	rc = store_rec_put(c->store, c->txn, DB_META, "clock", v, c->st);
	json_decref(v);
	if (rc != 0)
		return rc;
	c->clock->now = c->now = to;
	*data = json_pack("{s:s}", "now", pw_time_format(to, t));
	return 0;
}

static int
run_clock_set(struct wctx *c, const json_t *args, json_t **data)
{
	int64_t to;

	if (pw_time_parse(arg(args, "now"), &to) != 0)
		return pw_fail(c->st, PW_EINVALID, "'now' must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
	return clock_move(c, to, data);
}

static int
run_clock_advance(struct wctx *c, const json_t *args, json_t **data)
{
	return clock_move(c, c->clock->now + json_integer_value(json_object_get(args, "seconds")),
			  data);
}

/* people and schools */

/* Keep DB_PEOPLE_ROLE (role, school -> person) in step with p; del removes p's entries. */
static int
person_index(struct wctx *c, const json_t *p, int del)
{
	const char *school = str(p, "school") ? str(p, "school") : "";
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(p, "roles"), i, r)
	{
		/* LA advisers and viewers serve the whole authority, not one school. */
		const char *role = json_string_value(r);
		const char *where =
		    streq(role, "la_adviser") || streq(role, "viewer") ? "" : school;

		if (del)
			store_index_del(c->store, c->txn, DB_PEOPLE_ROLE, role, where,
					str(p, "id"));
		else if (store_index_put(c->store, c->txn, DB_PEOPLE_ROLE, role, where,
					 str(p, "id"), c->st) != 0)
			return PW_ESTORE;
	}
	return 0;
}

/* The daily digest is for headteachers and LA advisers (see digest.h). */
static int
person_digest_check(struct wctx *c, const json_t *p)
{
	if (json_is_true(json_object_get(p, "digest")) &&
	    !(engine_roles(p) & (ROLE_HEADTEACHER | ROLE_LA_ADVISER)))
		return pw_fail(c->st, PW_EINVALID,
			       "'digest': the daily digest is for headteachers and LA advisers");
	return 0;
}

static int
person_fill(struct wctx *c, json_t *p, const json_t *args)
{
	static const char *const keys[] = {"name",  "email",  "roles", "school",
					   "facts", "digest", NULL};
	const char *school = arg(args, "school");

	if (school != NULL && !store_rec_exists(c->store, c->txn, DB_SCHOOLS, school))
		return pw_fail(c->st, PW_ENOTFOUND, "no school '%s'", school);
	for (int i = 0; keys[i] != NULL; i++) {
		json_t *v = json_object_get(args, keys[i]);

		if (v != NULL)
			json_object_set_new(p, keys[i], json_deep_copy(v));
	}
	return person_digest_check(c, p);
}

static int
run_person_create(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = arg(args, "id");
	json_t *p;
	int rc;

	if (streq(id, c->cfg->daemon.operator_id) ||
	    store_rec_exists(c->store, c->txn, DB_PEOPLE, id))
		return pw_fail(c->st, PW_EEXISTS, "person '%s' already exists", id);
	p = json_pack("{s:i, s:s}", "v", 1, "id", id);
	rc = person_fill(c, p, args);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, p, c->st);
	if (rc == 0)
		rc = person_index(c, p, 0);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.created", "person", id);
	if (rc == 0)
		*data = json_pack("{s:O}", "person", p);
	json_decref(p);
	return rc;
}

/*
 * A candidate who moves school takes their open (active or waiting)
 * applications along: the new school's headteacher signs off and is told;
 * the old one no longer sees them. Ended applications keep the school they
 * ended at.
 */
static int
apps_follow_candidate(struct wctx *c, const char *cand, const char *from, const char *to)
{
	json_t *seen = json_object();
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++) {
		char *k = xasprintf("%s/%s", c->cfg->cohorts[i].id, cand);
		json_t *key = NULL, *app = NULL, *ev;
		const char *id;

		if (store_rec_get(c->store, c->txn, DB_META, k, &key) == 0 &&
		    (id = str(key, "active")) != NULL && json_object_get(seen, id) == NULL &&
		    store_rec_get(c->store, c->txn, DB_APPS, id, &app) == 0 &&
		    streq(str(app, "candidate"), cand) && streq(str(app, "school"), from) &&
		    (streq(str(app, "status"), "active") ||
		     streq(str(app, "status"), "waitlisted"))) {
			json_object_set_new(seen, id, json_true());
			json_object_set_new(app, "school", json_string(to));
			rc = store_index_del(c->store, c->txn, DB_BY_SCHOOL, from, id, NULL);
			if (rc == 0)
				rc = store_index_put(c->store, c->txn, DB_BY_SCHOOL, to, id, NULL,
						     c->st);
			if (rc == 0)
				rc = store_rec_put(c->store, c->txn, DB_APPS, id, app, c->st);
			ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "type",
				       "application.school_changed", "app", id, "cohort",
				       str(app, "cohort"), "school", to, "stage", str(app, "stage"),
				       "data", "from", from, "to", to);
			if (rc == 0)
				rc = wctx_emit(c, ev);
			json_decref(ev);
		}
		json_decref(app);
		json_decref(key);
		free(k);
	}
	json_decref(seen);
	return rc;
}

static int
run_person_update(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *p;
	char *was_school;
	int rc = load(c, DB_PEOPLE, "person", arg(args, "id"), &p);

	if (rc != 0)
		return rc;
	was_school = xstrdup(str(p, "school") ? str(p, "school") : "");
	person_index(c, p, 1);
	rc = person_fill(c, p, args);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, arg(args, "id"), p, c->st);
	if (rc == 0)
		rc = person_index(c, p, 0);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.updated", "person", arg(args, "id"));
	if (rc == 0 && str(p, "school") != NULL && *was_school != '\0' &&
	    !streq(was_school, str(p, "school")))
		rc = apps_follow_candidate(c, arg(args, "id"), was_school, str(p, "school"));
	free(was_school);
	if (rc == 0)
		rc = digest_flush(c, p);
	if (rc == 0)
		*data = json_pack("{s:O}", "person", p);
	json_decref(p);
	return rc;
}

/* person.digest: a person chooses (or stops) the daily digest; an LA adviser may do it for them. */
static int
run_person_digest(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = arg(args, "id");
	json_t *p;
	int rc;

	if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) && !streq(c->actor_id, id))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not change the digest of %s",
			       c->actor_id, id);
	rc = load(c, DB_PEOPLE, "person", id, &p);
	if (rc != 0)
		return rc;
	json_object_set(p, "digest", json_object_get(args, "digest"));
	rc = person_digest_check(c, p);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, p, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.updated", "person", id);
	if (rc == 0)
		rc = digest_flush(c, p);
	if (rc == 0)
		*data = json_pack("{s:O}", "person", p);
	json_decref(p);
	return rc;
}

static int
run_person_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *p;
	int rc;

	if (!(engine_roles(c->actor) & READERS) && !streq(c->actor_id, arg(args, "id")))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not see person %s", c->actor_id,
			       arg(args, "id"));
	rc = load(c, DB_PEOPLE, "person", arg(args, "id"), &p);
	if (rc == 0)
		*data = json_pack("{s:o}", "person", p);
	return rc;
}

struct rec_filter {
	const json_t *args;
	json_t *out;
};

static int
person_match(const char *id, json_t *rec, void *ud)
{
	struct rec_filter *f = ud;
	const char *role = arg(f->args, "role"), *school = arg(f->args, "school");

	(void)id;
	if (role != NULL && !(engine_roles(rec) & (1 << proto_role_bit(role))))
		return 0;
	if (school != NULL && !streq(str(rec, "school"), school))
		return 0;
	json_array_append(f->out, rec);
	return 0;
}

static int
run_person_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct rec_filter f = {args, json_array()};

	if (store_rec_scan(c->store, c->txn, DB_PEOPLE, NULL, person_match, &f) != 0) {
		json_decref(f.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing people");
	}
	*data = json_pack("{s:o}", "people", f.out);
	return 0;
}

static void
school_fill(json_t *s, const json_t *args)
{
	static const char *const keys[] = {"name", "phase", "lss", "email", NULL};

	for (int i = 0; keys[i] != NULL; i++) {
		json_t *v = json_object_get(args, keys[i]);

		if (v != NULL)
			json_object_set_new(s, keys[i], json_deep_copy(v));
	}
}

static int
run_school_create(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = arg(args, "id");
	json_t *s;
	int rc;

	if (store_rec_exists(c->store, c->txn, DB_SCHOOLS, id))
		return pw_fail(c->st, PW_EEXISTS, "school '%s' already exists", id);
	s = json_pack("{s:i, s:s, s:b}", "v", 1, "id", id, "lss", 0);
	school_fill(s, args);
	rc = store_rec_put(c->store, c->txn, DB_SCHOOLS, id, s, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "school.created", "school", id);
	if (rc == 0)
		*data = json_pack("{s:O}", "school", s);
	json_decref(s);
	return rc;
}

static int
run_school_update(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *s;
	int rc = load(c, DB_SCHOOLS, "school", arg(args, "id"), &s);

	if (rc != 0)
		return rc;
	school_fill(s, args);
	rc = store_rec_put(c->store, c->txn, DB_SCHOOLS, arg(args, "id"), s, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "school.updated", "school", arg(args, "id"));
	if (rc == 0)
		*data = json_pack("{s:O}", "school", s);
	json_decref(s);
	return rc;
}

static int
run_school_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *s;
	int rc = load(c, DB_SCHOOLS, "school", arg(args, "id"), &s);

	if (rc == 0)
		*data = json_pack("{s:o}", "school", s);
	return rc;
}

static int
school_all(const char *id, json_t *rec, void *ud)
{
	(void)id;
	json_array_append(ud, rec);
	return 0;
}

static int
run_school_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *arr = json_array();

	(void)args;
	if (store_rec_scan(c->store, c->txn, DB_SCHOOLS, NULL, school_all, arr) != 0) {
		json_decref(arr);
		return pw_fail(c->st, PW_ESTORE, "store: listing schools");
	}
	*data = json_pack("{s:o}", "schools", arr);
	return 0;
}

/* cohorts */

static json_t *
cohort_summary(const struct cohort *co)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", co->id, "programme", co->programme->id,
			 "name", co->name, "places", co->places, "starts", co->starts);
}

static int
run_cohort_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *arr = json_array();

	(void)args;
	for (size_t i = 0; i < c->cfg->ncohorts; i++)
		json_array_append_new(arr, cohort_summary(&c->cfg->cohorts[i]));
	*data = json_pack("{s:o}", "cohorts", arr);
	return 0;
}

static int
run_cohort_get(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	json_t *v, *ss, *st;
	int rc = cohort_of(c, arg(args, "cohort"), &co);

	if (rc != 0)
		return rc;
	v = cohort_summary(co);
	ss = json_array();
	st = json_array();
	for (size_t i = 0; i < co->nsessions; i++) {
		const struct session *s = &co->sessions[i];

		json_array_append_new(ss, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
						    s->id, "title", s->title, "date", s->date,
						    "start", s->start, "end", s->end, "venue",
						    s->venue, "audience", s->audience));
	}
	for (size_t i = 0; i < co->programme->nstages; i++) {
		const struct stage *s = &co->programme->stages[i];

		json_array_append_new(st, json_pack("{s:s, s:s, s:b}", "id", s->id, "name", s->name,
						    "terminal", s->terminal));
	}
	json_object_set_new(v, "timezone", json_string(co->timezone));
	json_object_set_new(v, "sessions", ss);
	json_object_set_new(v, "stages", st);
	*data = json_pack("{s:o}", "cohort", v);
	return 0;
}

static int
count_visit(const char *id, void *ud)
{
	(void)id;
	(*(int *)ud)++;
	return 0;
}

static int
run_cohort_report(struct wctx *c, const json_t *args, json_t **data)
{
	static const char *const statuses[] = {"active",    "waitlisted", "rejected",
					       "withdrawn", "graduated",  NULL};
	const struct cohort *co;
	json_t *s, *counts, *stages, *status;
	json_int_t taken, active = 0;
	int overdue = 0, rc = cohort_of(c, arg(args, "cohort"), &co);

	if (rc != 0)
		return rc;
	s = cstate(c, co->id);
	counts = json_object_get(s, "counts");
	stages = json_object();
	status = json_object();
	for (size_t i = 0; i < co->programme->nstages; i++) {
		const char *id = co->programme->stages[i].id;
		json_int_t n = json_integer_value(json_object_get(counts, id));

		if (!co->programme->stages[i].terminal)
			active += n;
		json_object_set_new(stages, id, json_integer(n));
	}
	for (int i = 0; statuses[i] != NULL; i++)
		json_object_set_new(status, statuses[i],
				    json_integer(i == 0 ? active
							: json_integer_value(json_object_get(
							      counts, statuses[i]))));
	json_object_set(stages, co->programme->stages[co->programme->nstages - 1].id,
			json_object_get(status, "graduated"));
	taken = json_integer_value(json_object_get(s, "taken"));
	store_index_scan(c->store, c->txn, DB_OVERDUE, co->id, NULL, NULL, NULL, count_visit,
			 &overdue);
	*data = json_pack("{s:s, s:s, s:i, s:I, s:I, s:O, s:o, s:o, s:O, s:i}", "cohort", co->id,
			  "programme", co->programme->id, "places", co->places, "taken", taken,
			  "left", taken < co->places ? (json_int_t)co->places - taken : 0,
			  "waiting", json_object_get(s, "waiting"), "stages", stages, "status",
			  status, "total", json_object_get(s, "total"), "overdue", overdue);
	return 0;
}

/* applications */

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

static int
run_app_create(struct wctx *c, const json_t *args, json_t **data)
{
	const char *route = arg(args, "route") ? arg(args, "route") : "interest";
	const struct cohort *co;
	json_t *cand = NULL, *app = NULL;
	struct engine_out out;
	struct engine_ctx e;
	char id[32];
	uint64_t n;
	int rc;

	engine_out_init(&out);
	rc = cohort_of(c, arg(args, "cohort"), &co);
	if (rc == 0)
		rc = load(c, DB_PEOPLE, "person", arg(args, "candidate"), &cand);
	if (rc != 0)
		goto done;
	ctx_engine(c, cand, &e);
	if (store_counter_next(c->store, c->txn, "next_app", &n, c->st) != 0) {
		rc = PW_ESTORE;
		goto done;
	}
	snprintf(id, sizeof id, "A%06llu", (unsigned long long)n);
	rc = engine_app_create(&e, co, id, route, &app, &out, c->st);
	if (rc != 0)
		goto done;
	rc = live_app_claim(c, co->id, str(cand, "id"), id);
	if (rc != 0)
		goto done;
	rc = app_save(c, app, NULL);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_BY_SCHOOL, str(app, "school"), id, NULL,
				     c->st);
	if (rc == 0)
		rc = emit_all(c, &out);
	if (rc == 0)
		rc = cstates_save(c);
	if (rc == 0)
		*data = json_pack("{s:o}", "application", app_view(c, app, cand));
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
	int rc;

	*app = *cand = NULL;
	rc = load(c, DB_APPS, "application", id, app);
	if (rc == 0)
		rc = load(c, DB_PEOPLE, "person", str(*app, "candidate"), cand);
	if (rc != 0)
		return rc;
	ctx_engine(c, *cand, &e);
	return engine_may_view(&e, *app, c->st);
}

static int
run_app_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *app, *cand;
	int rc = app_load_viewable(c, arg(args, "app"), &app, &cand);

	if (rc == 0)
		*data = json_pack("{s:o}", "application", app_view(c, app, cand));
	json_decref(app);
	json_decref(cand);
	return rc;
}

static int
run_app_history(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *app, *cand, *evs = NULL, *limit = json_object_get(args, "limit");
	int n = limit ? (int)json_integer_value(limit) : 1000;
	uint64_t next = 0;
	int rc;

	if (n < 1 || n > 1000)
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	rc = app_load_viewable(c, arg(args, "app"), &app, &cand);
	if (rc == 0 &&
	    store_app_events(c->store, c->txn, arg(args, "app"),
			     (uint64_t)json_integer_value(json_object_get(args, "after")), n, &evs,
			     &next) != 0) {
		json_decref(evs);
		rc = pw_fail(c->st, PW_ESTORE, "store: reading the history");
	}
	if (rc == 0 && !(engine_roles(c->actor) & READERS)) {
		json_t *kept = json_array(), *ev;
		size_t i;

		json_array_foreach(evs, i, ev)
		{
			const char *rater = str(json_object_get(ev, "data"), "rater");

			const char *by = str(ev, "actor");

			/* Who was emailed what would tell which raters have not responded. */
			if (strncmp(str(ev, "type"), "notification.", 13) == 0)
				continue;
			if (streq(str(ev, "type"), "application.response_recorded") &&
			    !streq(rater, c->actor_id))
				json_object_del(json_object_get(ev, "data"), "rater");
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
	json_t *app;

	if (store_rec_get(l->c->store, l->c->txn, DB_APPS, id, &app) != 0) {
		l->failed = 1;
		return 1;
	}
	if ((json_is_true(json_object_get(l->args, "overdue")) &&
	     json_object_get(app, "overdue") == NULL) ||
	    ((f = arg(l->args, "cohort")) && !streq(str(app, "cohort"), f)) ||
	    ((f = arg(l->args, "stage")) && !streq(str(app, "stage"), f)) ||
	    ((f = arg(l->args, "status")) && !streq(str(app, "status"), f)) ||
	    (l->school && !streq(str(app, "school"), l->school))) {
		json_decref(app);
		return 0;
	}
	if ((int)json_array_size(l->out) == l->limit) {
		json_decref(app);
		return 1;
	}
	json_object_del(app, "v");
	raters_redact(l->c, app);
	json_array_append_new(l->out, app);
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

static int
run_app_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct app_list l = {c, args, arg(args, "school"), json_array(), 100, "", 0};
	const char *cohort = arg(args, "cohort"), *after = arg(args, "after");
	const char *pos = arg(args, "stage") ? arg(args, "stage") : arg(args, "status");
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
	if (streq(pos, "active") && arg(args, "stage") == NULL)
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
op_submit(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	return engine_submit(e, app, arg(op->args, "doc"), arg(op->args, "ref"), out, c->st);
}

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
	return engine_decide(e, app, cstate(c, str(app, "cohort")), arg(op->args, "outcome"),
			     arg(op->args, "note"), out, c->st);
}

static int
op_invite(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	return engine_invite_rater(e, app, op->ref, out, c->st);
}

static int
op_respond(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	   struct engine_out *out)
{
	return engine_record_response(e, app, arg(op->args, "rater"), out, c->st);
}

static int
op_attend(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	return engine_attend(e, app, arg(op->args, "session"),
			     json_is_true(json_object_get(op->args, "present")), out, c->st);
}

static int
op_place(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	 struct engine_out *out)
{
	return engine_place_internship(e, app, op->ref, arg(op->args, "start"),
				       arg(op->args, "end"), out, c->st);
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
	return engine_assign_coach(e, app, op->ref, out, c->st);
}

static int
op_withdraw(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	    struct engine_out *out)
{
	return engine_withdraw(e, app, cstate(c, str(app, "cohort")), arg(op->args, "reason"), out,
			       c->st);
}

static int
op_progress(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	    struct engine_out *out)
{
	return engine_record_progression(e, app, arg(op->args, "role"), arg(op->args, "school"),
					 arg(op->args, "date"), arg(op->args, "note"), out, c->st);
}

static int
op_defer(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	 struct engine_out *out)
{
	const struct cohort *to = config_cohort(c->cfg, arg(op->args, "cohort"));
	/* Checked first: a refusal then leaves the cohorts' states untouched. */
	int rc = live_app_claim(c, to->id, str(app, "candidate"), str(app, "id"));

	return rc ? rc : engine_defer(e, app, cstate(c, str(app, "cohort")), to, out, c->st);
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
    {"application.submit", op_submit, NULL, 0, NULL},
    {"application.signoff", op_signoff, NULL, 0, NULL},
    {"application.decide", op_decide, NULL, 0, NULL},
    {"application.invite_rater", op_invite, "rater", DB_PEOPLE, "person"},
    {"application.record_response", op_respond, NULL, 0, NULL},
    {"application.record_attendance", op_attend, NULL, 0, NULL},
    {"application.place_internship", op_place, "host_school", DB_SCHOOLS, "school"},
    {"application.confirm_internship", op_confirm, NULL, 0, NULL},
    {"application.assign_coach", op_coach, "coach", DB_PEOPLE, "person"},
    {"application.withdraw", op_withdraw, NULL, 0, NULL},
    {"application.defer", op_defer, NULL, 0, NULL},
    {"application.record_progression", op_progress, NULL, 0, NULL},
};

static const struct app_cmd *app_cmd_current;

static int
run_app_op(struct wctx *c, const json_t *args, json_t **data)
{
	const struct app_cmd *ac = app_cmd_current;
	struct app_op op = {args, NULL, ac->fn};
	const struct cohort *to;
	int rc = 0;

	if (!store_rec_exists(c->store, c->txn, DB_APPS, arg(args, "app")))
		return pw_fail(c->st, PW_ENOTFOUND, "no application '%s'", arg(args, "app"));
	if (ac->ref_arg != NULL)
		rc = load(c, ac->ref_db, ac->ref_what, arg(args, ac->ref_arg), &op.ref);
	if (rc == 0 && streq(ac->name, "application.defer"))
		rc = cohort_of(c, arg(args, "cohort"), &to);
	if (rc == 0)
		rc = app_command(c, arg(args, "app"), &op, data);
	json_decref(op.ref);
	return rc;
}

static int
run_attendance_record(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	const char *lists[] = {"present", "absent"};
	json_t *apps = json_array();
	int rc = cohort_of(c, arg(args, "cohort"), &co), n = 0;

	if (rc == 0 && config_session(co, arg(args, "session")) == NULL)
		rc = pw_fail(c->st, PW_ENOTFOUND, "cohort %s has no session '%s'", co->id,
			     arg(args, "session"));
	for (int l = 0; l < 2 && rc == 0; l++) {
		size_t i;
		json_t *id;

		json_array_foreach(json_object_get(args, lists[l]), i, id)
		{
			json_t *one = json_pack("{s:O, s:s, s:b}", "app", id, "session",
						arg(args, "session"), "present", l == 0);
			struct app_op op = {one, NULL, op_attend};
			json_t *d = NULL, *app = NULL;

			rc = load(c, DB_APPS, "application", json_string_value(id), &app);
			if (rc == 0 && !streq(str(app, "cohort"), co->id))
				rc = pw_fail(c->st, PW_EINVALID, "application %s is not in %s",
					     json_string_value(id), co->id);
			json_decref(app);
			if (rc == 0)
				rc = app_command(c, json_string_value(id), &op, &d);
			if (rc == 0)
				json_array_append(apps, json_object_get(d, "application"));
			json_decref(d);
			json_decref(one);
			n++;
			if (rc != 0)
				break;
		}
	}
	if (rc != 0) {
		json_decref(apps);
		return rc;
	}
	*data = json_pack("{s:i, s:o}", "recorded", n, "applications", apps);
	return 0;
}

static int
run_events_since(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *limit = json_object_get(args, "limit"), *evs;
	int n = limit ? (int)json_integer_value(limit) : 500;
	uint64_t head;

	if (n < 1 || n > 1000)
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	if (store_events_since(c->store, c->txn,
			       (uint64_t)json_integer_value(json_object_get(args, "after")), n,
			       &evs) != 0 ||
	    store_event_head(c->store, c->txn, &head) != 0) {
		json_decref(evs);
		return pw_fail(c->st, PW_ESTORE, "store: reading events");
	}
	*data = json_pack("{s:o, s:I}", "events", evs, "head", (json_int_t)head);
	return 0;
}

/* The outbox, for operators: list jobs by state, re-queue a dead one. */

static json_t *
job_view(const json_t *job, int with_vars)
{
	char t[PW_TIME_LEN];
	json_t *v = json_deep_copy(job);

	json_object_del(v, "v");
	if (!with_vars)
		json_object_del(v, "vars");
	if (json_object_get(job, "attachments") != NULL) {
		json_t *names = json_array(), *a;
		size_t i;

		json_array_foreach(json_object_get(job, "attachments"), i, a)
		{
			json_array_append(names, json_object_get(a, "filename"));
		}
		json_object_set_new(v, "attachments", names);
	}
	json_object_set_new(
	    v, "created",
	    json_string(pw_time_format(json_integer_value(json_object_get(job, "created")), t)));
	json_object_set_new(v, "next_attempt",
			    json_string(pw_time_format(
				json_integer_value(json_object_get(job, "next_attempt")), t)));
	return v;
}

struct job_list {
	const char *state;
	int limit;
	int vars;
	json_t *out;
	char next[PW_ID_MAX + 1];
};

static int
job_visit(const char *id, json_t *job, void *ud)
{
	struct job_list *l = ud;

	if (l->state != NULL && !streq(str(job, "state"), l->state))
		return 0;
	if ((int)json_array_size(l->out) == l->limit)
		return 1;
	json_array_append_new(l->out, job_view(job, l->vars));
	snprintf(l->next, sizeof l->next, "%s", id);
	return 0;
}

static int
run_outbox_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct job_list l = {arg(args, "state"), 100, json_is_true(json_object_get(args, "vars")),
			     json_array(), ""};

	if (json_object_get(args, "limit") != NULL)
		l.limit = (int)json_integer_value(json_object_get(args, "limit"));
	if (l.limit < 1 || l.limit > 1000) {
		json_decref(l.out);
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	}
	if (store_rec_scan(c->store, c->txn, DB_OUTBOX, arg(args, "after"), job_visit, &l) != 0) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing the outbox");
	}
	*data = json_pack("{s:o, s:s?}", "jobs", l.out, "next",
			  json_array_size(l.out) == (size_t)l.limit ? l.next : NULL);
	return 0;
}

static int
run_outbox_retry(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *job, *ev;
	int rc = load(c, DB_OUTBOX, "job", arg(args, "job"), &job);

	if (rc != 0)
		return rc;
	if (!streq(str(job, "state"), "dead")) {
		rc = pw_fail(c->st, PW_ETRANSITION, "job %s is %s, not dead", arg(args, "job"),
			     str(job, "state"));
		json_decref(job);
		return rc;
	}
	/* A fresh start: a new lifetime from now, attempts kept for the record. */
	json_object_set_new(job, "state", json_string("pending"));
	json_object_set_new(job, "created", json_integer(c->now));
	json_object_set_new(job, "next_attempt", json_integer(c->now));
	rc = store_rec_put(c->store, c->txn, DB_OUTBOX, arg(args, "job"), job, c->st);
	if (rc == 0)
		rc =
		    store_due_put(c->store, c->txn, DB_OUTBOX_DUE, c->now, arg(args, "job"), c->st);
	ev = json_pack("{s:s, s:{s:s}}", "type", "notification.requeued", "data", "job",
		       arg(args, "job"));
	if (str(job, "app") != NULL)
		json_object_set(ev, "app", json_object_get(job, "app"));
	if (str(job, "cohort") != NULL)
		json_object_set(ev, "cohort", json_object_get(job, "cohort"));
	if (rc == 0)
		rc = wctx_emit(c, ev);
	if (rc == 0)
		*data = json_pack("{s:o}", "job", job_view(job, 0));
	json_decref(ev);
	json_decref(job);
	return rc;
}

static int
run_opportunity_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *o;
	int rc = load(c, DB_OPPORTUNITIES, "opportunity", arg(args, "id"), &o);

	if (rc == 0) {
		json_object_del(o, "v");
		json_object_set_new(
		    o, "told",
		    json_integer((json_int_t)json_object_size(json_object_get(o, "told"))));
		*data = json_pack("{s:o}", "opportunity", o);
	}
	return rc;
}

static int
opp_visit(const char *id, json_t *rec, void *ud)
{
	(void)id;
	json_object_del(rec, "v");
	json_object_set_new(
	    rec, "told", json_integer((json_int_t)json_object_size(json_object_get(rec, "told"))));
	json_array_append(ud, rec);
	return 0;
}

static int
run_opportunity_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *arr = json_array();

	(void)args;
	if (store_rec_scan(c->store, c->txn, DB_OPPORTUNITIES, NULL, opp_visit, arr) != 0) {
		json_decref(arr);
		return pw_fail(c->st, PW_ESTORE, "store: listing opportunities");
	}
	*data = json_pack("{s:o}", "opportunities", arr);
	return 0;
}

/* Argument schemas. */
#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}
static const struct proto_field a_none[] = {END};
static const struct proto_field a_clock_set[] = {{"now", PT_STRING, 1, NULL}, END};
static const struct proto_field a_clock_adv[] = {{"seconds", PT_INT, 1, NULL}, END};
static const struct proto_field a_backup[] = {
    {"path", PT_STRING, 1, NULL}, {"compact", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_person[] = {
    {"id", PT_ID, 1, NULL},	  {"name", PT_STRING, 1, NULL},
    {"email", PT_EMAIL, 1, NULL}, {"roles", PT_ROLES, 1, NULL},
    {"school", PT_ID, 0, NULL},	  {"facts", PT_FACTS, 0, NULL},
    {"digest", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_person_upd[] = {
    {"id", PT_ID, 1, NULL},	  {"name", PT_STRING, 0, NULL},
    {"email", PT_EMAIL, 0, NULL}, {"roles", PT_ROLES, 0, NULL},
    {"school", PT_ID, 0, NULL},	  {"facts", PT_FACTS, 0, NULL},
    {"digest", PT_BOOL, 0, NULL}, END};
static const struct proto_field a_person_digest[] = {
    {"id", PT_ID, 1, NULL}, {"digest", PT_BOOL, 1, NULL}, END};
static const struct proto_field a_id[] = {{"id", PT_ID, 1, NULL}, END};
static const struct proto_field a_person_list[] = {
    {"role", PT_ENUM, 0, "candidate|headteacher|coach|rater|host|la_adviser|viewer"},
    {"school", PT_ID, 0, NULL},
    END};
#define PHASES "primary|secondary|special|all-through"
static const struct proto_field a_school[] = {
    {"id", PT_ID, 1, NULL},    {"name", PT_STRING, 1, NULL}, {"phase", PT_ENUM, 0, PHASES},
    {"lss", PT_BOOL, 0, NULL}, {"email", PT_EMAIL, 0, NULL}, END};
static const struct proto_field a_school_upd[] = {
    {"id", PT_ID, 1, NULL},    {"name", PT_STRING, 0, NULL}, {"phase", PT_ENUM, 0, PHASES},
    {"lss", PT_BOOL, 0, NULL}, {"email", PT_EMAIL, 0, NULL}, END};
static const struct proto_field a_cohort[] = {{"cohort", PT_ID, 1, NULL}, END};
static const struct proto_field a_create[] = {{"cohort", PT_ID, 1, NULL},
					      {"candidate", PT_ID, 1, NULL},
					      {"route", PT_ENUM, 0, "interest|nomination"},
					      END};
static const struct proto_field a_app[] = {{"app", PT_ID, 1, NULL}, END};
static const struct proto_field a_history[] = {
    {"app", PT_ID, 1, NULL}, {"after", PT_INT, 0, NULL}, {"limit", PT_INT, 0, NULL}, END};
static const struct proto_field a_list[] = {
    {"cohort", PT_ID, 0, NULL},
    {"stage", PT_ID, 0, NULL},
    {"school", PT_ID, 0, NULL},
    {"status", PT_ENUM, 0, "active|waitlisted|rejected|withdrawn|graduated"},
    {"overdue", PT_BOOL, 0, NULL},
    {"limit", PT_INT, 0, NULL},
    {"after", PT_ID, 0, NULL},
    END};
static const struct proto_field a_submit[] = {
    {"app", PT_ID, 1, NULL}, {"doc", PT_ID, 1, NULL}, {"ref", PT_STRING, 0, NULL}, END};
static const struct proto_field a_decide[] = {{"app", PT_ID, 1, NULL},
					      {"outcome", PT_ENUM, 1, "accept|waitlist|reject"},
					      {"note", PT_STRING, 0, NULL},
					      END};
static const struct proto_field a_rater[] = {
    {"app", PT_ID, 1, NULL}, {"rater", PT_ID, 1, NULL}, END};
static const struct proto_field a_attend[] = {
    {"app", PT_ID, 1, NULL}, {"session", PT_ID, 1, NULL}, {"present", PT_BOOL, 1, NULL}, END};
static const struct proto_field a_place[] = {{"app", PT_ID, 1, NULL},
					     {"host_school", PT_ID, 1, NULL},
					     {"start", PT_DATE, 1, NULL},
					     {"end", PT_DATE, 1, NULL},
					     END};
static const struct proto_field a_confirm[] = {
    {"app", PT_ID, 1, NULL}, {"days", PT_INT, 1, NULL}, END};
static const struct proto_field a_coach[] = {
    {"app", PT_ID, 1, NULL}, {"coach", PT_ID, 1, NULL}, END};
static const struct proto_field a_withdraw[] = {
    {"app", PT_ID, 1, NULL}, {"reason", PT_STRING, 0, NULL}, END};
static const struct proto_field a_defer[] = {
    {"app", PT_ID, 1, NULL}, {"cohort", PT_ID, 1, NULL}, END};
static const struct proto_field a_progress[] = {
    {"app", PT_ID, 1, NULL},	{"role", PT_STRING, 1, NULL}, {"school", PT_STRING, 0, NULL},
    {"date", PT_DATE, 1, NULL}, {"note", PT_STRING, 0, NULL}, END};
static const struct proto_field a_register[] = {{"cohort", PT_ID, 1, NULL},
						{"session", PT_ID, 1, NULL},
						{"present", PT_IDS, 0, NULL},
						{"absent", PT_IDS, 0, NULL},
						END};
static const struct proto_field a_outbox_list[] = {{"state", PT_ENUM, 0, "pending|inflight|dead"},
						   {"limit", PT_INT, 0, NULL},
						   {"after", PT_ID, 0, NULL},
						   {"vars", PT_BOOL, 0, NULL},
						   END};
static const struct proto_field a_outbox_retry[] = {{"job", PT_ID, 1, NULL}, END};
static const struct proto_field a_opportunity[] = {{"id", PT_ID, 1, NULL},
						   {"title", PT_STRING, 1, NULL},
						   {"description", PT_STRING, 1, NULL},
						   {"link", PT_STRING, 0, NULL},
						   {"audience", PT_FACTS, 0, NULL},
						   {"early_days", PT_INT, 1, NULL},
						   END};
static const struct proto_field a_since[] = {
    {"after", PT_INT, 1, NULL}, {"limit", PT_INT, 0, NULL}, END};

#define W CMD_WRITES
#define APP_ROLES (ROLE_ANY & ~ROLE_VIEWER)
static const struct cmd_entry cmds[] = {
    {"system.ping", ROLE_ANY, 0, a_none, run_ping},
    {"system.backup", ROLE_LA_ADVISER, CMD_OUTSIDE_TXN, a_backup, NULL},
    {"clock.set", ROLE_LA_ADVISER, W | CMD_MANUAL_CLOCK, a_clock_set, run_clock_set},
    {"clock.advance", ROLE_LA_ADVISER, W | CMD_MANUAL_CLOCK, a_clock_adv, run_clock_advance},
    {"person.create", ROLE_LA_ADVISER, W, a_person, run_person_create},
    {"person.update", ROLE_LA_ADVISER, W, a_person_upd, run_person_update},
    {"person.digest", APP_ROLES, W, a_person_digest, run_person_digest},
    {"person.get", ROLE_ANY, 0, a_id, run_person_get},
    {"person.list", READERS, 0, a_person_list, run_person_list},
    {"school.create", ROLE_LA_ADVISER, W, a_school, run_school_create},
    {"school.update", ROLE_LA_ADVISER, W, a_school_upd, run_school_update},
    {"school.get", ROLE_ANY, 0, a_id, run_school_get},
    {"school.list", ROLE_ANY, 0, a_none, run_school_list},
    {"cohort.list", ROLE_ANY, 0, a_none, run_cohort_list},
    {"cohort.get", ROLE_ANY, 0, a_cohort, run_cohort_get},
    {"cohort.report", READERS, 0, a_cohort, run_cohort_report},
    {"application.create", ROLE_CANDIDATE | ROLE_HEADTEACHER, W, a_create, run_app_create},
    {"application.get", ROLE_ANY, 0, a_app, run_app_get},
    {"application.list", READERS | ROLE_HEADTEACHER, 0, a_list, run_app_list},
    {"application.history", ROLE_ANY, 0, a_history, run_app_history},
    {"application.submit", APP_ROLES, W, a_submit, run_app_op},
    {"application.signoff", APP_ROLES, W, a_app, run_app_op},
    {"application.decide", APP_ROLES, W, a_decide, run_app_op},
    {"application.invite_rater", ROLE_CANDIDATE, W, a_rater, run_app_op},
    {"application.record_response", ROLE_RATER, W, a_rater, run_app_op},
    {"application.record_attendance", ROLE_COACH, W, a_attend, run_app_op},
    {"application.place_internship", ROLE_COACH, W, a_place, run_app_op},
    {"application.confirm_internship", ROLE_HOST, W, a_confirm, run_app_op},
    {"application.assign_coach", 0, W, a_coach, run_app_op},
    {"application.withdraw", ROLE_CANDIDATE | ROLE_HEADTEACHER, W, a_withdraw, run_app_op},
    {"application.defer", 0, W, a_defer, run_app_op},
    {"application.record_progression", ROLE_CANDIDATE | ROLE_HEADTEACHER | ROLE_COACH, W,
     a_progress, run_app_op},
    {"attendance.record", 0, W, a_register, run_attendance_record},
    {"events.since", READERS, 0, a_since, run_events_since},
    {"outbox.list", READERS, 0, a_outbox_list, run_outbox_list},
    {"opportunity.publish", ROLE_LA_ADVISER, W, a_opportunity, opportunity_publish},
    {"opportunity.get", ROLE_ANY, 0, a_id, run_opportunity_get},
    {"opportunity.list", ROLE_ANY, 0, a_none, run_opportunity_list},
    {"outbox.retry", ROLE_LA_ADVISER, W, a_outbox_retry, run_outbox_retry},
};

const struct cmd_entry *
cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int
cmd_allowed(const struct cmd_entry *e, const json_t *actor)
{
	int roles = engine_roles(actor);

	return (roles & ROLE_LA_ADVISER) || (roles & e->roles);
}

int
cmd_run(const struct cmd_entry *e, struct wctx *c, const json_t *args, json_t **data)
{
	int rc;

	*data = NULL;
	rc = proto_args_check(args, e->args, c->st);
	if (rc != 0)
		return rc;
	if (!cmd_allowed(e, c->actor))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not run %s", c->actor_id, e->name);
	app_cmd_current = NULL;
	for (size_t i = 0; i < sizeof app_cmds / sizeof app_cmds[0]; i++)
		if (strcmp(app_cmds[i].name, e->name) == 0)
			app_cmd_current = &app_cmds[i];
	c->cstates = json_object();
	rc = e->run(c, args, data);
	json_decref(c->cstates);
	c->cstates = NULL;
	if (rc != 0) {
		json_decref(*data);
		*data = NULL;
	}
	return rc;
}

/*
 * base.c: what every command file shares. Loading the records a command
 * names; the cohorts' states (places taken, the waiting list, counts per
 * stage), loaded once per command and saved at its end; saving an
 * application with its stage index, counters and timers; the view of an
 * application a principal may see; and the shape of every command on one
 * application (load, let the engine change it, save, offer freed places,
 * emit the events).
 */
#include "cmd/base.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/rater_view.h"
#include "engine_panel.h"
#include "engine_reqs.h"
#include "offers.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

/* Load a record that args[key] names; PW_ENOTFOUND names what is missing. */
int
cmd_load(struct wctx *c, enum store_db db, const char *what, const char *id, json_t **out)
{
	int rc = store_rec_get(c->store, c->txn, db, id, out);

	if (rc == PW_ENOTFOUND)
		return pw_fail(c->st, PW_ENOTFOUND, "no %s '%s'", what, id);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading %s %s", what, id);
	return 0;
}

int
cmd_cohort(struct wctx *c, const char *id, const struct cohort **out)
{
	*out = config_cohort(c->cfg, id);
	if (*out == NULL)
		return pw_fail(c->st, PW_ENOTFOUND, "no cohort '%s'", id);
	return 0;
}

/* The cohort's state (places taken, waiting list, counts), loaded once per command. */
json_t *
cmd_cstate(struct wctx *c, const char *cohort)
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

/* Per track (an application's never changes): {"tracks": {track: {pos: n}}}, for the report. */
static void
track_add(json_t *state, const json_t *app, const char *pos, int delta)
{
	const char *track = str(app, "track");
	json_t *tracks, *counts;
	json_int_t n;

	if (track == NULL)
		return;
	tracks = json_object_get(state, "tracks");
	if (tracks == NULL) {
		tracks = json_object();
		json_object_set_new(state, "tracks", tracks);
	}
	counts = json_object_get(tracks, track);
	if (counts == NULL) {
		counts = json_object();
		json_object_set_new(tracks, track, counts);
	}
	n = json_integer_value(json_object_get(counts, pos)) + delta;
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

int
cmd_cstates_save(struct wctx *c)
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

void
cmd_app_pos(const json_t *app, struct app_pos *p)
{
	snprintf(p->cohort, sizeof p->cohort, "%s", str(app, "cohort"));
	snprintf(p->pos, sizeof p->pos, "%s", engine_position(app));
}

/*
 * An application entering a stage with a panel requirement on its track is indexed under
 * each member of its cohort's panel (DB_BY_PERSON), for application.mine.
 */
static int
panel_index(struct wctx *c, const json_t *app)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));

	/* Only a panel requirement that applies to the application's track. */
	if (co == NULL || engine_req_at(co, app, str(app, "stage"), REQ_PANEL) == NULL)
		return 0;
	for (size_t i = 0; i < co->npanel; i++)
		if (cmd_index_person(c, co->panel_members[i], app) != 0)
			return PW_ESTORE;
	return 0;
}

/*
 * Store app. If it moved (cohort, stage or status), move its stage index
 * entry and the cohort counters, clear its overdue mark, cancel the old
 * stage's timers and arm the new stage's.
 */
int
cmd_app_save(struct wctx *c, json_t *app, const struct app_pos *was)
{
	struct app_pos now;
	const char *id = str(app, "id");

	cmd_app_pos(app, &now);
	if (was != NULL && strcmp(was->cohort, now.cohort) == 0 && strcmp(was->pos, now.pos) == 0)
		return store_rec_put(c->store, c->txn, DB_APPS, id, app, c->st);
	if (was != NULL) {
		json_object_del(app, "overdue");
		store_index_del(c->store, c->txn, DB_OVERDUE, was->cohort, id, NULL);
		if (timers_cancel(c, id) != 0)
			return PW_ESTORE;
	}
	if (store_rec_put(c->store, c->txn, DB_APPS, id, app, c->st) != 0 ||
	    timers_stage_entered(c, app) != 0 || panel_index(c, app) != 0)
		return PW_ESTORE;
	if (was != NULL) {
		json_t *old = cmd_cstate(c, was->cohort);

		store_index_del(c->store, c->txn, DB_BY_STAGE, was->cohort, was->pos, id);
		count_add(old, was->pos, -1);
		track_add(old, app, was->pos, -1);
		if (strcmp(was->cohort, now.cohort) != 0)
			total_add(old, -1);
	}
	if (was == NULL || strcmp(was->cohort, now.cohort) != 0)
		total_add(cmd_cstate(c, now.cohort), 1);
	count_add(cmd_cstate(c, now.cohort), now.pos, 1);
	track_add(cmd_cstate(c, now.cohort), app, now.pos, 1);
	return store_index_put(c->store, c->txn, DB_BY_STAGE, now.cohort, now.pos, id, c->st);
}

int
cmd_emit_all(struct wctx *c, struct engine_out *out)
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

void
cmd_engine_ctx(struct wctx *c, const json_t *candidate, struct engine_ctx *e)
{
	e->cfg = c->cfg;
	e->now = c->now;
	e->actor_id = c->actor_id;
	e->actor = c->actor;
	e->candidate = candidate;
	e->override = 0;
	e->school = NULL;
	e->coach = NULL;
}

/* A record the engine reads, loaded once per command and kept in c->loaded (borrowed), or NULL. */
const json_t *
cmd_loaded(struct wctx *c, enum store_db db, const char *id)
{
	char key[PW_ID_MAX + 16];
	json_t *r = NULL;

	if (id == NULL || c->loaded == NULL)
		return NULL;
	snprintf(key, sizeof key, "%d/%s", (int)db, id);
	if (json_object_get(c->loaded, key) != NULL)
		return json_object_get(c->loaded, key);
	if (store_rec_get(c->store, c->txn, db, id, &r) != 0)
		return NULL;
	json_object_set_new(c->loaded, key, r);
	return r;
}

void
cmd_engine_app(struct wctx *c, const json_t *app, struct engine_ctx *e)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));

	if (co == NULL)
		return;
	if (co->programme->uses_school)
		e->school = cmd_loaded(c, DB_SCHOOLS, str(app, "school"));
	if (co->programme->uses_coach)
		e->coach = cmd_loaded(c, DB_PEOPLE, str(app, "coach"));
}

int
cmd_app_load(struct wctx *c, const char *id, json_t **app, json_t **cand, struct engine_ctx *e)
{
	int rc;

	*app = *cand = NULL;
	rc = cmd_load(c, DB_APPS, "application", id, app);
	if (rc == 0)
		rc = cmd_load(c, DB_PEOPLE, "person", str(*app, "candidate"), cand);
	if (rc == 0) {
		cmd_engine_ctx(c, *cand, e);
		cmd_engine_app(c, *app, e);
	}
	return rc;
}

int
cmd_index_person(struct wctx *c, const char *key, const json_t *app)
{
	return store_index_put(c->store, c->txn, DB_BY_PERSON, key, str(app, "id"), NULL, c->st);
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
		json_t *app = NULL;

		rc = cmd_load(c, DB_APPS, "application", json_string_value(id), &app);
		if (rc == 0) {
			/* It, or the first after it whose group has room (offers.c). */
			json_t *cs = cmd_cstate(c, str(app, "cohort"));

			cmd_engine_ctx(c, NULL, &e);
			json_decref(app);
			app = offers_pick(c, &e, cs, json_string_value(id), out);
		}
		if (app != NULL) {
			cmd_app_pos(app, &was); /* an offer leaves it waitlisted */
			rc = cmd_app_save(c, app, &was);
			if (rc == 0) /* its expiry: offers.c */
				rc = offers_arm(c, app);
		}
		json_decref(app);
		if (rc == 0)
			rc = cmd_emit_all(c, out);
		if (rc != 0)
			break;
	}
	json_decref(offers);
	return rc;
}

int
cmd_sees_raters(const struct wctx *c, const json_t *app)
{
	int roles = engine_roles(c->actor);

	if (roles & READERS)
		return 1;
	if (json_object_get(json_object_get(app, "raters"), c->actor_id) != NULL)
		return 0; /* an invited rater sees only themself */
	return ((roles & ROLE_CANDIDATE) && streq(str(app, "candidate"), c->actor_id)) ||
	       ((roles & ROLE_HEADTEACHER) && streq(str(app, "school"), str(c->actor, "school"))) ||
	       ((roles & ROLE_COACH) && streq(str(app, "coach"), c->actor_id));
}

/* Drop obj[key] unless the actor is an LA adviser or wrote obj ("by"). */
static void
free_text_redact(const struct wctx *c, json_t *obj, const char *key)
{
	if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) && !streq(str(obj, "by"), c->actor_id))
		json_object_del(obj, key);
}

/* A returned form's note is for those who may read the form (and its author). */
static void
returned_redact(const struct wctx *c, json_t *v)
{
	const struct cohort *co = config_cohort(c->cfg, str(v, "cohort"));
	struct pw_status ignore;
	struct engine_ctx e;
	const char *form;
	json_t *r;

	cmd_engine_ctx((struct wctx *)c, NULL, &e);
	json_object_foreach(json_object_get(v, "returned"), form, r)
	{
		const struct form *fm = co ? config_form(co->programme, form) : NULL;

		if (!streq(str(r, "by"), c->actor_id) &&
		    (fm == NULL || engine_may_read_form(&e, v, fm, &ignore) != 0))
			json_object_del(r, "note");
	}
}

/*
 * The 360's responses requirement as a candidate, headteacher or coach sees
 * it: no count per category, and no total until it reaches the programme's
 * count_from ("fewer_than" instead), so inviting raters one at a time
 * cannot tell them who answered.
 */
static void
reqs_redact(const struct wctx *c, const json_t *app, json_t *reqs)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));
	size_t i;
	json_t *q;

	if (engine_roles(c->actor) & READERS)
		return;
	json_array_foreach(reqs, i, q)
	{
		/* Whether the LA is asked after reviews not met: appraisal data. */
		if (streq(str(q, "kind"), "review") && !cmd_sees_raters(c, app))
			json_object_del(q, "attention");
		if (!streq(str(q, "kind"), "responses"))
			continue;
		json_object_del(q, "categories");
		if (co != NULL && json_integer_value(json_object_get(q, "have")) <
				      co->programme->feedback.count_from) {
			json_object_del(q, "have");
			json_object_set_new(q, "fewer_than",
					    json_integer(co->programme->feedback.count_from));
		}
	}
}

/*
 * What is confidential in an application. 360 feedback: who responded is
 * for LA advisers and viewers; a rater sees their own entry only; the
 * candidate, their headteacher and coach see who was invited. Free text (a
 * decision's note, a withdrawal's reason) is for LA advisers and its author.
 */
void
cmd_app_redact(const struct wctx *c, json_t *v)
{
	json_t *raters = json_object_get(v, "raters"), *r, *d;
	int all = engine_roles(c->actor) & READERS, invited = cmd_sees_raters(c, v);
	const char *key;
	void *tmp;

	json_object_foreach_safe(raters, tmp, key, r)
	{
		if (all || strcmp(key, c->actor_id) == 0)
			continue;
		if (invited)
			json_object_del(r, "responded");
		else
			json_object_del(raters, key);
	}
	json_object_foreach(json_object_get(v, "decisions"), key, d)
	{
		free_text_redact(c, d, "note");
	}
	if (json_object_get(v, "withdrawal") != NULL)
		free_text_redact(c, json_object_get(v, "withdrawal"), "reason");
	returned_redact(c, v);
	/* The candidate's ranking of host schools (internship.c): the candidate, their
	 * headteacher and coach, LA advisers and viewers; never a host school or a rater. */
	if (!cmd_sees_raters(c, v))
		json_object_del(v, "host_ranking");
	engine_panel_redact(c->cfg, c->actor_id, engine_roles(c->actor), cmd_sees_raters(c, v), v);
}

/* The current stage's deadline, if it has one: {"at" (UTC), "local" (the cohort's words)}. */
static void
deadline_add(struct wctx *c, const json_t *app, json_t *v)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));
	int si =
	    co && str(app, "stage") ? config_stage_index(co->programme, str(app, "stage")) : -1;
	int64_t entered, dl;
	char utc[PW_TIME_LEN], local[64];

	if (si < 0 || pw_time_parse(str(app, "stage_entered") ?: "", &entered) != 0)
		return;
	dl = schedule_deadline(co, &co->programme->stages[si], entered);
	if (dl > 0)
		json_object_set_new(v, "deadline",
				    json_pack("{s:s, s:s}", "at", pw_time_format(dl, utc), "local",
					      schedule_format(co->timezone, dl, local)));
}

/*
 * Each invited rater the reader sees, with their name (whoever may see who
 * was invited knows whom they invited; a rater sees only their own entry).
 */
static void
raters_named(struct wctx *c, json_t *v)
{
	const char *key;
	json_t *r;

	json_object_foreach(json_object_get(v, "raters"), key, r)
	{
		json_t *own = NULL;
		const json_t *p = c->loaded != NULL ? cmd_loaded(c, DB_PEOPLE, key) : NULL;

		if (p == NULL && c->loaded == NULL &&
		    store_rec_get(c->store, c->txn, DB_PEOPLE, key, &own) == 0)
			p = own;
		if (str(p, "name") != NULL)
			json_object_set_new(r, "name", json_string(str(p, "name")));
		json_decref(own);
	}
}

/* Render an application for a reply: the record plus its current requirements. */
json_t *
cmd_app_view(struct wctx *c, const json_t *app, const json_t *candidate)
{
	struct engine_ctx e;
	json_t *v = json_deep_copy(app);

	cmd_engine_ctx(c, candidate, &e);
	cmd_engine_app(c, app, &e);
	json_object_del(v, "v");
	cmd_app_redact(c, v);
	raters_named(c, v);
	if (str(candidate, "name") != NULL)
		json_object_set_new(v, "candidate_name", json_string(str(candidate, "name")));
	if (streq(str(app, "status"), "active"))
		deadline_add(c, app, v);
	if (streq(str(app, "status"), "active") || streq(str(app, "status"), "waitlisted")) {
		json_t *reqs = engine_requirements(&e, app);

		reqs_redact(c, app, reqs);
		json_object_set_new(v, "requirements", reqs);
	}
	if (rater_only(&e, app))
		rater_view_cut(&e, v);
	return v;
}

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

int
cmd_app_finish(struct wctx *c, json_t *app, const struct app_pos *was, const json_t *cand,
	       struct engine_out *out, json_t **data)
{
	int rc = cmd_app_save(c, app, was);

	if (rc == 0)
		rc = cmd_emit_all(c, out);
	if (rc == 0)
		rc = offers_run(c, out);
	if (rc == 0)
		rc = cmd_cstates_save(c);
	if (rc == 0)
		*data = json_pack("{s:o}", "application", cmd_app_view(c, app, cand));
	return rc;
}

int
cmd_app_command(struct wctx *c, const char *app_id, const struct app_op *op, json_t **data)
{
	json_t *app = NULL, *cand = NULL;
	struct engine_out out;
	struct engine_ctx e;
	struct app_pos was;
	int rc;

	engine_out_init(&out);
	rc = cmd_load(c, DB_APPS, "application", app_id, &app);
	if (rc == 0)
		rc = app_configured(c, app);
	if (rc == 0)
		rc = cmd_load(c, DB_PEOPLE, "person", str(app, "candidate"), &cand);
	if (rc != 0)
		goto done;
	cmd_engine_ctx(c, cand, &e);
	cmd_engine_app(c, app, &e);
	cmd_app_pos(app, &was);
	rc = op->fn(c, &e, app, op, &out);
	if (rc == 0)
		rc = cmd_app_finish(c, app, &was, cand, &out, data);
done:
	engine_out_clear(&out);
	json_decref(app);
	json_decref(cand);
	return rc;
}

int
cmd_app_run(struct wctx *c, const json_t *args, json_t **data,
	    int (*fn)(struct wctx *c, const struct engine_ctx *e, json_t *app,
		      const struct app_op *op, struct engine_out *out))
{
	struct app_op op = {args, NULL, fn};

	return cmd_app_command(c, cmd_arg(args, "app"), &op, data);
}

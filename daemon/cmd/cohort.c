/*
 * cohort.c: cohorts, attendance and offers of places. A cohort's definition
 * comes from the configuration, its state (places taken, the waiting list,
 * the places held for offers, counts per stage) from the store; its report
 * reads both and the overdue index. A session's register records attendance
 * for many applications at once, each as application.record_attendance
 * would, and only from the session's start. The answer to an offer of a
 * place (accept, decline) runs through the engine like any command on one
 * application.
 */
#include "cmd/cohort.h"

#include <string.h>

#include "cmd/base.h"
#include "engine_calendar.h"
#include "engine_panel.h"
#include "util.h"

static json_t *
cohort_summary(const struct cohort *co)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", co->id, "programme", co->programme->id,
			 "name", co->name, "places", co->places, "starts", co->starts);
}

int
run_cohort_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *arr = json_array();

	(void)args;
	for (size_t i = 0; i < c->cfg->ncohorts; i++)
		json_array_append_new(arr, cohort_summary(&c->cfg->cohorts[i]));
	*data = json_pack("{s:o}", "cohorts", arr);
	return 0;
}

int
run_cohort_get(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	json_t *v, *ss, *st;
	int rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co);

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
		if (s->seats > 0) /* bookable: session.book */
			json_object_set_new(json_array_get(ss, json_array_size(ss) - 1), "seats",
					    json_integer(s->seats));
		if (s->tracks != 0) { /* a session for some tracks only */
			json_t *tr = json_array();

			for (size_t k = 0; k < co->programme->ntracks; k++)
				if (s->tracks & (1u << k))
					json_array_append_new(
					    tr, json_string(co->programme->tracks[k].id));
			json_object_set_new(json_array_get(ss, json_array_size(ss) - 1), "tracks",
					    tr);
		}
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

/*
 * Applications per track: "tracks": {track: n} (every status) and
 * "track_status": {track: {status: n}}, from the per-track counters
 * (cmd_app_save) as "status" is from the cohort's.
 */
static void
report_tracks(const struct cohort *co, const json_t *s, json_t *rep)
{
	static const char *const statuses[] = {"waitlisted", "rejected", "withdrawn", NULL};
	const struct programme *p = co->programme;
	json_t *tracks = json_object(), *by = json_object();

	for (size_t t = 0; t < p->ntracks; t++) {
		const json_t *counts =
		    json_object_get(json_object_get(s, "tracks"), p->tracks[t].id);
		json_int_t active = 0, total = 0, graduated;
		json_t *st = json_object();

		for (size_t i = 0; i + 1 < p->nstages; i++)
			active += json_integer_value(json_object_get(counts, p->stages[i].id));
		graduated = json_integer_value(json_object_get(counts, "graduated"));
		json_object_set_new(st, "active", json_integer(active));
		for (int i = 0; statuses[i] != NULL; i++) {
			json_int_t n = json_integer_value(json_object_get(counts, statuses[i]));

			json_object_set_new(st, statuses[i], json_integer(n));
			total += n;
		}
		json_object_set_new(st, "graduated", json_integer(graduated));
		json_object_set_new(tracks, p->tracks[t].id,
				    json_integer(total + active + graduated));
		json_object_set_new(by, p->tracks[t].id, st);
	}
	json_object_set_new(rep, "tracks", tracks);
	json_object_set_new(rep, "track_status", by);
}

struct trained {
	struct wctx *c;
	const struct cohort *co;
	const struct requirement *req; /* the programme's coach_trained, or NULL */
	int coaches, trained;
};

/* A coach is trained for the cohort when they meet its coach_trained (else: attended any). */
static int
trained_visit(const char *id, void *ud)
{
	struct trained *t = ud;
	const json_t *tr, *mark;
	json_t *p = NULL;
	const char *sid;
	int have = 0;

	if (store_rec_get(t->c->store, t->c->txn, DB_PEOPLE, id, &p) != 0)
		return 0;
	tr = json_object_get(json_object_get(p, "training"), t->co->id);
	json_object_foreach((json_t *)tr, sid, mark)
	{
		int listed = t->req == NULL;

		for (size_t i = 0; t->req != NULL && i < t->req->nsessions; i++)
			listed |= streq(t->req->sessions[i], sid);
		if (listed && json_is_true(json_object_get(mark, "present")))
			have++;
	}
	t->coaches += tr != NULL;
	if (t->req != NULL ? have >= (t->req->min ? t->req->min : (int)t->req->nsessions)
			   : have > 0)
		t->trained++;
	json_decref(p);
	return 0;
}

/* "coaches": {"recorded": coaches with any training recorded in the cohort, "trained"}. */
static void
report_coaches(struct wctx *c, const struct cohort *co, json_t *rep)
{
	struct trained t = {c, co, NULL, 0, 0};

	for (size_t i = 0; i < co->programme->nstages && t.req == NULL; i++)
		for (size_t j = 0; j < co->programme->stages[i].nreqs; j++)
			if (co->programme->stages[i].reqs[j].kind == REQ_COACH_TRAINED) {
				t.req = &co->programme->stages[i].reqs[j];
				break;
			}
	store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, "coach", NULL, NULL, NULL, trained_visit,
			 &t);
	json_object_set_new(rep, "coaches",
			    json_pack("{s:i, s:i}", "recorded", t.coaches, "trained", t.trained));
}

int
run_cohort_report(struct wctx *c, const json_t *args, json_t **data)
{
	static const char *const statuses[] = {"active",    "waitlisted", "rejected",
					       "withdrawn", "graduated",  NULL};
	const struct cohort *co;
	json_t *s, *counts, *stages, *status;
	json_int_t taken, held, active = 0;
	int overdue = 0, rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co);

	if (rc != 0)
		return rc;
	s = cmd_cstate(c, co->id);
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
	held = taken + (json_int_t)json_array_size(json_object_get(s, "offered"));
	store_index_scan(c->store, c->txn, DB_OVERDUE, co->id, NULL, NULL, NULL, count_visit,
			 &overdue);
	*data = json_pack(
	    "{s:s, s:s, s:i, s:I, s:I, s:I, s:O, s:o, s:o, s:o, s:O, s:i}", "cohort", co->id,
	    "programme", co->programme->id, "places", co->places, "taken", taken, "offered",
	    held - taken, "left", held < co->places ? (json_int_t)co->places - held : 0, "waiting",
	    json_object_get(s, "waiting"), "offers",
	    json_is_array(json_object_get(s, "offered")) ? json_copy(json_object_get(s, "offered"))
							 : json_array(),
	    "stages", stages, "status", status, "total", json_object_get(s, "total"), "overdue",
	    overdue);
	if (co->programme->ntracks > 0)
		report_tracks(co, s, *data);
	if (co->ngroups > 0) /* each track's group: its size against min and max */
		json_object_set_new(*data, "groups", engine_groups_report(co, s));
	if (co->programme->uses_coach)
		report_coaches(c, co, *data);
	return 0;
}

/* attendance */

int
cohort_op_attend(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
		 struct engine_out *out)
{
	return engine_attend(e, app, cmd_arg(op->args, "session"),
			     json_is_true(json_object_get(op->args, "present")), out, c->st);
}

int
run_attendance_record(struct wctx *c, const json_t *args, json_t **data)
{
	const struct cohort *co;
	const char *lists[] = {"present", "absent"};
	json_t *apps = json_array();
	int rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co), n = 0;

	if (rc == 0 && config_session(co, cmd_arg(args, "session")) == NULL)
		rc = pw_fail(c->st, PW_ENOTFOUND, "cohort %s has no session '%s'", co->id,
			     cmd_arg(args, "session"));
	if (rc == 0) { /* the whole register, even an empty one, from the session's start */
		struct engine_ctx e;

		cmd_engine_ctx(c, NULL, &e);
		rc = engine_session_started(&e, co, config_session(co, cmd_arg(args, "session")),
					    c->st);
	}
	for (int l = 0; l < 2 && rc == 0; l++) {
		size_t i;
		json_t *id;

		json_array_foreach(json_object_get(args, lists[l]), i, id)
		{
			json_t *one = json_pack("{s:O, s:s, s:b}", "app", id, "session",
						cmd_arg(args, "session"), "present", l == 0);
			struct app_op op = {one, NULL, cohort_op_attend};
			json_t *d = NULL, *app = NULL;

			rc = cmd_load(c, DB_APPS, "application", json_string_value(id), &app);
			if (rc == 0 && !streq(str(app, "cohort"), co->id))
				rc = pw_fail(c->st, PW_EINVALID, "application %s is not in %s",
					     json_string_value(id), co->id);
			json_decref(app);
			if (rc == 0)
				rc = cmd_app_command(c, json_string_value(id), &op, &d);
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

/* offers of a place */

static int
op_offer_accept(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
		struct engine_out *out)
{
	(void)op;
	return engine_offer_accept(e, app, cmd_cstate(c, str(app, "cohort")), out, c->st);
}

static int
op_offer_decline(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
		 struct engine_out *out)
{
	(void)op;
	return engine_offer_decline(e, app, cmd_cstate(c, str(app, "cohort")), out, c->st);
}

int
run_offer_accept(struct wctx *c, const json_t *args, json_t **data)
{
	return cmd_app_run(c, args, data, op_offer_accept);
}

int
run_offer_decline(struct wctx *c, const json_t *args, json_t **data)
{
	return cmd_app_run(c, args, data, op_offer_decline);
}

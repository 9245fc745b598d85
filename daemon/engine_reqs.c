/*
 * engine_reqs.c: the programme as an application sees it. The record names
 * its cohort and stage by id; this file finds them in the configuration
 * (struct cohort, struct stage) and evaluates the stage's requirements as
 * predicates over the record, one function per requirement kind in a table
 * indexed by enum req_kind. Each predicate also says how much of the
 * requirement is there (have) and how much it needs (need). Nothing here
 * changes a record: the commands in engine.c do that.
 */
#include "engine_reqs.h"

#include <string.h>

#include "engine_panel.h"

#include "util.h"

const struct cohort *
engine_app_cohort(const struct engine_ctx *ctx, const json_t *app)
{
	const struct cohort *c = config_cohort(ctx->cfg, str(app, "cohort"));

	if (c == NULL)
		fatal("application %s names cohort %s, which is not configured", str(app, "id"),
		      str(app, "cohort"));
	return c;
}

const struct stage *
engine_app_stage(const struct engine_ctx *ctx, const json_t *app, int *index)
{
	const struct programme *p = engine_app_cohort(ctx, app)->programme;
	int i = config_stage_index(p, str(app, "stage"));

	if (i < 0)
		fatal("application %s is at stage %s, unknown to %s", str(app, "id"),
		      str(app, "stage"), p->id);
	if (index != NULL)
		*index = i;
	return &p->stages[i];
}

int
engine_req_applies(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q)
{
	int k;

	if (q->tracks == 0)
		return 1;
	k = config_track_index(engine_app_cohort(ctx, app)->programme, str(app, "track"));
	return k >= 0 && (q->tracks & (1u << k)) != 0;
}

/* The first requirement of kind in the current stage (and, for submissions, of doc). */
const struct requirement *
engine_stage_req(const struct engine_ctx *ctx, const json_t *app, enum req_kind kind,
		 const char *doc)
{
	const struct stage *s = engine_app_stage(ctx, app, NULL);

	for (size_t i = 0; i < s->nreqs; i++)
		if (s->reqs[i].kind == kind && (doc == NULL || streq(s->reqs[i].doc, doc)) &&
		    engine_req_applies(ctx, app, &s->reqs[i]))
			return &s->reqs[i];
	return NULL;
}

/* Requirement predicates: each fills have/need when they apply. */

static int
met_submission(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
	       int *have, int *need)
{
	(void)ctx;
	*need = 1;
	*have = json_object_get(json_object_get(app, "docs"), q->doc) != NULL;
	return *have;
}

static int
met_signoff(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q, int *have,
	    int *need)
{
	(void)ctx;
	(void)q;
	*need = 1;
	*have = json_object_get(json_object_get(app, "signoffs"), str(app, "stage")) != NULL;
	return *have;
}

static int
met_decision(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
	     int *have, int *need)
{
	const json_t *d = json_object_get(json_object_get(app, "decisions"), str(app, "stage"));

	(void)ctx;
	*need = 1;
	*have = streq(str(d, "outcome"), "accept") &&
		(!q->capacity || json_is_true(json_object_get(app, "place")));
	return *have;
}

static int
met_responses(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
	      int *have, int *need)
{
	const struct programme *p = engine_app_cohort(ctx, app)->programme;
	int met = 1;

	*have = engine_responses(app, NULL);
	*need = q->min;
	for (size_t k = 0; q->category_min != NULL && k < p->feedback.ncategories; k++)
		if (engine_responses(app, p->feedback.categories[k].id) < q->category_min[k])
			met = 0;
	return met && *have >= *need;
}

int
engine_responses(const json_t *app, const char *category)
{
	const char *key;
	json_t *r;
	int n = 0;

	json_object_foreach(json_object_get(app, "raters"), key, r)
	{
		const char *cat = str(r, "category") ? str(r, "category") : "others";

		if (json_object_get(r, "responded") != NULL &&
		    (category == NULL || streq(cat, category)))
			n++;
	}
	return n;
}

static int
met_attendance(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
	       int *have, int *need)
{
	const json_t *att = json_object_get(app, "attendance");
	const struct cohort *co = engine_app_cohort(ctx, app);
	int listed = 0; /* the sessions listed that are for the application's track */

	*have = 0;
	for (size_t i = 0; i < q->nsessions; i++) {
		const struct session *s = config_session(co, q->sessions[i]);

		if (s != NULL && !config_session_for(co, s, str(app, "track")))
			continue;
		listed++;
		if (json_is_true(json_object_get(att, q->sessions[i])))
			(*have)++;
	}
	*need = q->min > 0 && q->min < listed ? q->min : listed;
	return *have >= *need;
}

static int
met_internship(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
	       int *have, int *need)
{
	const json_t *in = json_object_get(app, "internship");

	(void)ctx;
	*need = q->min;
	*have = (int)json_integer_value(json_object_get(in, "days_completed"));
	return json_object_get(in, "confirmed") != NULL && *have >= *need;
}

static int
rule_holds(const struct requirement *q, const json_t *v)
{
	double x;
	int c;

	if (v == NULL)
		return 0;
	if (q->n_one_of > 0) {
		for (size_t i = 0; json_is_string(v) && i < q->n_one_of; i++)
			if (strcmp(json_string_value(v), q->one_of[i]) == 0)
				return 1;
		return 0;
	}
	if (q->vtype == VAL_STR) {
		if (!json_is_string(v))
			return 0;
		c = strcmp(json_string_value(v), q->value_str) == 0;
		return q->op == OP_EQ ? c : !c;
	}
	if (q->vtype == VAL_BOOL) {
		if (!json_is_boolean(v))
			return 0;
		c = json_is_true(v) == (q->value_num != 0);
		return q->op == OP_EQ ? c : !c;
	}
	if (!json_is_number(v))
		return 0;
	x = json_number_value(v);
	switch (q->op) {
	case OP_GE:
		return x >= q->value_num;
	case OP_GT:
		return x > q->value_num;
	case OP_LE:
		return x <= q->value_num;
	case OP_LT:
		return x < q->value_num;
	case OP_EQ:
		return x == q->value_num;
	case OP_NE:
		return x != q->value_num;
	}
	return 0;
}

/* What an eligibility rule reads: the candidate's fact, or an attribute of their school. */
static const json_t *
rule_value(const struct engine_ctx *ctx, const struct requirement *q)
{
	if (q->school != NULL)
		return json_object_get(ctx->school, q->school);
	return json_object_get(json_object_get(ctx->candidate, "facts"), q->fact);
}

static int
met_eligibility(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
		int *have, int *need)
{
	(void)app;
	*need = 1;
	*have = rule_holds(q, rule_value(ctx, q));
	return *have;
}

/* The coach's training in the application's cohort: sessions attended among those listed. */
static int
met_coach_trained(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
		  int *have, int *need)
{
	const json_t *tr =
	    json_object_get(json_object_get(ctx->coach, "training"), str(app, "cohort"));

	*have = 0;
	*need = q->min > 0 ? q->min : (int)q->nsessions;
	if (ctx->coach == NULL || !streq(str(ctx->coach, "id"), str(app, "coach")))
		return 0;
	for (size_t i = 0; i < q->nsessions; i++)
		if (json_is_true(json_object_get(json_object_get(tr, q->sessions[i]), "present")))
			(*have)++;
	return *have >= *need;
}

/* A panel's decision and the reviews each term (engine_panel_rules.c). */
static int
met_panel(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q, int *have,
	  int *need)
{
	return engine_panel_met(engine_app_cohort(ctx, app), app, q, have, need);
}

static int
met_review(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q, int *have,
	   int *need)
{
	return engine_review_met(engine_app_cohort(ctx, app), app, q, have, need);
}

typedef int (*met_fn)(const struct engine_ctx *, const json_t *, const struct requirement *, int *,
		      int *);
static const met_fn met_fns[REQ_KIND_COUNT] = {
    [REQ_SUBMISSION] = met_submission,
    [REQ_SIGNOFF] = met_signoff,
    [REQ_DECISION] = met_decision,
    [REQ_RESPONSES] = met_responses,
    [REQ_ATTENDANCE] = met_attendance,
    [REQ_INTERNSHIP] = met_internship,
    [REQ_ELIGIBILITY] = met_eligibility,
    [REQ_COACH_TRAINED] = met_coach_trained,
    [REQ_PANEL] = met_panel,
    [REQ_REVIEW] = met_review,
};

int
engine_req_met(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
	       int *have, int *need)
{
	return met_fns[q->kind](ctx, app, q, have, need);
}

int
engine_stage_has(const struct stage *s, enum req_kind kind)
{
	for (size_t i = 0; i < s->nreqs; i++)
		if (s->reqs[i].kind == kind)
			return 1;
	return 0;
}

int
engine_stage_met(const struct engine_ctx *ctx, const json_t *app, const struct stage *s)
{
	int have, need;

	/* A stage with no requirement for the application's track is passed through. */
	for (size_t i = 0; i < s->nreqs; i++)
		if (engine_req_applies(ctx, app, &s->reqs[i]) &&
		    !engine_req_met(ctx, app, &s->reqs[i], &have, &need))
			return 0;
	return 1;
}
/* A responses requirement per 360 category: {"peers": {"have", "need"}, ...}. */
static json_t *
categories_json(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q)
{
	const struct feedback_conf *f = &engine_app_cohort(ctx, app)->programme->feedback;
	json_t *o = json_object();

	for (size_t k = 0; k < f->ncategories; k++)
		json_object_set_new(o, f->categories[k].id,
				    json_pack("{s:i, s:i}", "have",
					      engine_responses(app, f->categories[k].id), "need",
					      q->category_min ? q->category_min[k] : 0));
	return o;
}

json_t *
engine_requirements(const struct engine_ctx *ctx, const json_t *app)
{
	json_t *arr = json_array();
	const struct stage *s;

	if (!streq(str(app, "status"), "active") && !streq(str(app, "status"), "waitlisted"))
		return arr;
	s = engine_app_stage(ctx, app, NULL);
	for (size_t i = 0; i < s->nreqs; i++) {
		const struct requirement *q = &s->reqs[i];
		int have = 0, need = 0, met;
		json_t *r;

		if (!engine_req_applies(ctx, app, q))
			continue;
		met = engine_req_met(ctx, app, q, &have, &need);
		r = json_pack("{s:s, s:b, s:i, s:i}", "kind", req_kind_names[q->kind], "met", met,
			      "have", have, "need", need);

		if (q->role >= 0)
			json_object_set_new(r, "role", json_string(proto_roles[q->role]));
		if (q->doc != NULL)
			json_object_set_new(r, "doc", json_string(q->doc));
		if (q->form != NULL)
			json_object_set_new(r, "form", json_string(q->form->id));
		if (q->kind == REQ_RESPONSES)
			json_object_set_new(r, "categories", categories_json(ctx, app, q));
		if (q->kind == REQ_REVIEW) /* the next term, from when, due today; the LA asked */
			engine_review_json(engine_app_cohort(ctx, app), app, ctx->now, r);
		if (q->kind == REQ_PANEL) /* closed by the chair */
			engine_panel_json(app, r);
		if (q->fact != NULL)
			json_object_set_new(r, "fact", json_string(q->fact));
		if (q->school != NULL)
			json_object_set_new(r, "school", json_string(q->school));
		if (q->nsessions > 0) {
			json_t *ss = json_array();

			for (size_t k = 0; k < q->nsessions; k++) {
				const struct cohort *co = engine_app_cohort(ctx, app);
				const struct session *s = config_session(co, q->sessions[k]);

				/* Attendance counts only the sessions for the application's track.
				 */
				if (q->kind != REQ_ATTENDANCE || s == NULL ||
				    config_session_for(co, s, str(app, "track")))
					json_array_append_new(ss, json_string(q->sessions[k]));
			}
			json_object_set_new(r, "sessions", ss);
		}
		json_array_append_new(arr, r);
	}
	return arr;
}

/* The rule in words, for a refusal: "school phase one of primary, special", "fact npqh == true". */
static void
rule_text(const struct requirement *q, char *buf, size_t size)
{
	static const char *const ops[] = {">=", ">", "<=", "<", "==", "!="};
	size_t n = (size_t)snprintf(buf, size, "%s %s", q->school ? "school" : "fact",
				    q->school ? q->school : q->fact);

	if (q->n_one_of > 0)
		for (size_t i = 0; i < q->n_one_of && n < size; i++)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : " one of ",
					      q->one_of[i]);
	else if (q->vtype == VAL_STR)
		snprintf(buf + n, size - n, " %s %s", ops[q->op], q->value_str);
	else if (q->vtype == VAL_BOOL)
		snprintf(buf + n, size - n, " %s %s", ops[q->op], q->value_num ? "true" : "false");
	else
		snprintf(buf + n, size - n, " %s %g", ops[q->op], q->value_num);
}

int
engine_candidate_eligible(const struct engine_ctx *ctx, const struct programme *p, int track,
			  struct pw_status *st)
{
	for (size_t i = 0; i < p->nstages; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++) {
			const struct requirement *q = &p->stages[i].reqs[j];
			char rule[256];

			if (q->kind != REQ_ELIGIBILITY ||
			    (q->tracks != 0 && (track < 0 || !(q->tracks & (1u << track)))) ||
			    rule_holds(q, rule_value(ctx, q)))
				continue;
			rule_text(q, rule, sizeof rule);
			if (q->school != NULL)
				return pw_fail(
				    st, PW_ENOTELIGIBLE,
				    "%s does not meet the rule %s of %s: their school %s "
				    "has %s",
				    str(ctx->candidate, "id"), rule, p->id,
				    str(ctx->candidate, "school"),
				    json_object_get(ctx->school, q->school) ? "another value"
									    : "no value recorded");
			return pw_fail(st, PW_ENOTELIGIBLE, "%s does not meet the rule %s of %s",
				       str(ctx->candidate, "id"), rule, p->id);
		}
	return 0;
}
int
engine_capacity_stage(const struct programme *p)
{
	for (size_t i = 0; i < p->nstages; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].capacity)
				return (int)i + 1;
	return 0;
}

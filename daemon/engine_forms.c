/*
 * engine_forms.c: the engine's rules for forms and the 360: who may fill in
 * and who may read a form, sending a submitted form back for changes (and
 * the application back to its stage), and the candidate's self-assessment.
 * Like the rest of the engine, pure: the caller loads and stores.
 */
#include "engine.h"

#include <stdlib.h>

#include "engine_base.h"
#include "engine_panel.h"
#include "engine_reqs.h"
#include "util.h"

int
engine_self_assess(const struct engine_ctx *ctx, json_t *app, struct engine_out *out,
		   struct pw_status *st)
{
	const struct programme *p = engine_app_cohort(ctx, app)->programme;
	int rc;

	if (!streq(ctx->actor_id, str(app, "candidate")))
		return engine_forbid(ctx, app, "self-assess on", st);
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (engine_stage_req(ctx, app, REQ_RESPONSES, NULL) == NULL || !p->feedback.self_assessment)
		return pw_fail(st, PW_ETRANSITION,
			       "stage %s of application %s takes no self-assessment",
			       str(app, "stage"), str(app, "id"));
	if (json_object_get(app, "self_assessment") != NULL)
		return pw_fail(st, PW_ETRANSITION, "the self-assessment is already recorded");
	json_object_set_new(app, "self_assessment", engine_stamp(ctx));
	engine_emit(out, app, "application.self_assessed", NULL);
	return 0;
}

int
engine_may_fill(const struct engine_ctx *ctx, const json_t *app, const struct form *fm,
		struct pw_status *st)
{
	char *what;
	int rc;

	if (!engine_related(ctx, app, 1 << fm->filled_by))
		return engine_forbid(ctx, app, "fill in forms for", st);
	if ((1 << fm->filled_by) == ROLE_CANDIDATE)
		return 0;
	what = xasprintf("fill in the %s's '%s' for", proto_roles[fm->filled_by], fm->id);
	rc = engine_not_own(ctx, app, what, st);
	free(what);
	return rc;
}

int
engine_may_read_form(const struct engine_ctx *ctx, const json_t *app, const struct form *fm,
		     struct pw_status *st)
{
	/* A cohort's panel members read what the panel decides on. */
	if (engine_related(ctx, app, (1 << fm->filled_by) | fm->readers) ||
	    engine_panel_member(ctx, app))
		return 0;
	return pw_fail(st, PW_EFORBIDDEN, "%s may not read form '%s' of application %s",
		       ctx->actor_id, fm->id, str(app, "id"));
}

/*
 * Going back from stage 'to' to the stage at index 'from' re-enters only
 * stages of documents and sign-offs: a decision, a 360, attendance or an
 * internship is never undone by returning a form.
 */
static int
may_go_back(const struct programme *p, int from, int to)
{
	for (int i = from; i < to; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].kind != REQ_SUBMISSION &&
			    p->stages[i].reqs[j].kind != REQ_SIGNOFF &&
			    p->stages[i].reqs[j].kind != REQ_ELIGIBILITY)
				return 0;
	return 1;
}

int
engine_return_form(const struct engine_ctx *ctx, json_t *app, const struct form *fm,
		   const char *note, struct engine_out *out, struct pw_status *st)
{
	const struct programme *p = engine_app_cohort(ctx, app)->programme;
	const struct requirement *so = engine_stage_req(ctx, app, REQ_SIGNOFF, NULL);
	const struct stage *cur;
	int rc, at, fi = -1;
	json_t *ret;

	if (!(engine_roles(ctx->actor) & ROLE_LA_ADVISER) &&
	    (so == NULL || !engine_related(ctx, app, 1 << so->role)))
		return engine_forbid(ctx, app, "return forms of", st);
	rc = engine_not_own(ctx, app, "return forms of", st);
	if (rc == 0)
		rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	cur = engine_app_stage(ctx, app, &at);
	for (int i = 0; i <= at && fi < 0; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].form == fm)
				fi = i;
	if (fi < 0)
		return pw_fail(st, PW_ETRANSITION, "application %s has not reached form '%s'",
			       str(app, "id"), fm->id);
	if (json_object_get(json_object_get(app, "docs"), fm->id) == NULL)
		return pw_fail(st, PW_ETRANSITION, "form '%s' of application %s is not submitted",
			       fm->id, str(app, "id"));
	if (json_object_get(json_object_get(app, "signoffs"), cur->id) != NULL ||
	    !may_go_back(p, fi, at))
		return pw_fail(st, PW_ETRANSITION,
			       "application %s has moved on since form '%s' was submitted",
			       str(app, "id"), fm->id);
	json_object_del(json_object_get(app, "docs"), fm->id);
	for (int i = fi; i < at; i++)
		json_object_del(json_object_get(app, "signoffs"), p->stages[i].id);
	ret = engine_stamp(ctx);
	json_object_set_new(ret, "note", json_string(note));
	json_object_set_new(engine_sub(app, "returned"), fm->id, ret);
	if (fi < at) {
		json_object_set_new(app, "stage", json_string(p->stages[fi].id));
		engine_set_time(ctx, app, "stage_entered");
		engine_emit(out, app, "application.stage_changed",
			    json_pack("{s:s, s:s}", "from", cur->id, "to", p->stages[fi].id));
	}
	/* The note stays in the record, for the form's filler, its readers and the LA. */
	engine_emit(out, app, "application.returned", json_pack("{s:s}", "form", fm->id));
	return 0;
}

void
engine_feedback_ready(const struct engine_ctx *ctx, json_t *app, struct engine_out *out)
{
	if (json_object_get(app, "feedback_ready") != NULL)
		return;
	engine_set_time(ctx, app, "feedback_ready");
	engine_emit(out, app, "application.feedback_ready", NULL);
}

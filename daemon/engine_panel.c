/*
 * engine_panel.c: the commands of a panel's decision and of the reviews
 * each term. Panel members recommend (with a reason kept in the record,
 * never on the event stream), the chair may close the panel early, and the
 * chair decides through engine_decide. The role a review requirement names
 * records each term's review, met or not met; so many "not met" since the
 * last continuation ask the LA, who continues the application or withdraws
 * it, with a reason. The record's layout is in engine_panel.h.
 */
#include "engine_panel.h"

#include <string.h>

#include "config_panel.h"
#include "engine_base.h"
#include "engine_reqs.h"
#include "schedule.h"
#include "util.h"

/* The panel entry of the application's current stage (created when absent; borrowed). */
static json_t *
panel_of(json_t *app)
{
	return engine_sub(engine_sub(app, "panel"), str(app, "stage"));
}

/*
 * Who may see app, then a panel stage still open to recommendations: active,
 * the requirement there, not decided.
 */
static int
panel_open(const struct engine_ctx *ctx, const json_t *app, struct pw_status *st)
{
	int rc = engine_may_view(ctx, app, st);

	if (rc == 0)
		rc = engine_require_status(app, 0, st);

	if (rc != 0)
		return rc;
	if (engine_stage_req(ctx, app, REQ_PANEL, NULL) == NULL)
		return pw_fail(st, PW_ETRANSITION,
			       "stage %s of application %s takes no panel decision",
			       str(app, "stage"), str(app, "id"));
	if (json_object_get(json_object_get(app, "decisions"), str(app, "stage")) != NULL)
		return pw_fail(st, PW_ETRANSITION, "the panel has decided on application %s",
			       str(app, "id"));
	return 0;
}

int
engine_recommend(const struct engine_ctx *ctx, json_t *app, const char *outcome, const char *reason,
		 struct engine_out *out, struct pw_status *st)
{
	const struct cohort *co = engine_app_cohort(ctx, app);
	json_t *pn, *recs, *r;
	int rc, have, need;

	/* Who may see it, then where it is, then who may recommend on it. */
	rc = panel_open(ctx, app, st);
	if (rc != 0)
		return rc;
	if (!config_panel_member(co, ctx->actor_id))
		return pw_fail(st, PW_EFORBIDDEN, "%s is not on the panel of %s", ctx->actor_id,
			       co->id);
	rc = engine_not_own(ctx, app, "recommend on", st);
	if (rc != 0)
		return rc;
	if (reason == NULL || reason[0] == '\0')
		return pw_fail(st, PW_EINVALID, "a recommendation needs a reason");
	pn = panel_of(app);
	if (json_object_get(pn, "closed") != NULL)
		return pw_fail(st, PW_ETRANSITION, "the panel on application %s was closed",
			       str(app, "id"));
	recs = engine_sub(pn, "recommendations");
	if (json_object_get(recs, ctx->actor_id) != NULL)
		return pw_fail(st, PW_EEXISTS, "%s has already recommended on application %s",
			       ctx->actor_id, str(app, "id"));
	r = json_pack("{s:s, s:s}", "outcome", outcome, "reason", reason);
	engine_set_time(ctx, r, "at");
	json_object_set_new(recs, ctx->actor_id, r);
	/* Who recommended, never what: the event stream reaches more people than the panel. */
	engine_panel_count(co, app, &have, &need);
	engine_emit(out, app, "application.recommended",
		    json_pack("{s:s, s:i, s:i}", "member", ctx->actor_id, "recommended", have,
			      "members", need));
	if (have == need) {
		engine_set_time(ctx, pn, "ready");
		engine_emit(out, app, "application.panel_ready",
			    json_pack("{s:i, s:i}", "recommended", have, "members", need));
	}
	return 0;
}

int
engine_close_panel(const struct engine_ctx *ctx, json_t *app, struct engine_out *out,
		   struct pw_status *st)
{
	const struct cohort *co = engine_app_cohort(ctx, app);
	json_t *pn;
	int rc, have, need;

	/* Who may see it, then where it is (a stage without a panel), then the chair alone. */
	rc = panel_open(ctx, app, st);
	if (rc != 0)
		return rc;
	if (co->panel_chair == NULL || !streq(co->panel_chair, ctx->actor_id))
		return pw_fail(st, PW_EFORBIDDEN, "%s may not close the panel: %s chairs it",
			       ctx->actor_id, co->panel_chair ?: "nobody");
	pn = panel_of(app);
	engine_panel_count(co, app, &have, &need);
	if (json_object_get(pn, "closed") != NULL || have >= need)
		return pw_fail(st, PW_ETRANSITION, "the panel on application %s is already %s",
			       str(app, "id"),
			       json_object_get(pn, "closed") ? "closed" : "complete");
	json_object_set_new(pn, "closed", engine_stamp(ctx));
	engine_emit(out, app, "application.panel_closed",
		    json_pack("{s:i, s:i}", "recommended", have, "members", need));
	return 0;
}

/* Days since 1970 of today, in the cohort's zone. */
static int64_t
local_today(const struct engine_ctx *ctx, const struct cohort *co)
{
	int weekday, minutes;

	return schedule_local_date(co->timezone, ctx->now, &weekday, &minutes);
}

int
engine_review(const struct engine_ctx *ctx, json_t *app, const char *term, const char *outcome,
	      const char *note, struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q = engine_stage_req(ctx, app, REQ_REVIEW, NULL);
	const struct cohort *co = engine_app_cohort(ctx, app);
	int k = config_term_index(co, term), rc, not_met;
	json_t *reviews = json_object_get(app, "reviews"), *r;

	if (!engine_related(ctx, app, q ? 1 << q->role : ROLE_HEADTEACHER))
		return engine_forbid(ctx, app, "review", st);
	rc = engine_not_own(ctx, app, "review", st);
	if (rc == 0)
		rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s takes no reviews",
			       str(app, "stage"), str(app, "id"));
	if (k < 0)
		return pw_fail(st, PW_EINVALID, "'%s' is not a term of %s", term, co->id);
	if (json_object_get(reviews, term) != NULL)
		return pw_fail(st, PW_EEXISTS, "the %s review of application %s is recorded",
			       co->terms[k].name, str(app, "id"));
	if (json_object_get(app, "review_attention") != NULL)
		return pw_fail(st, PW_ETRANSITION,
			       "application %s waits for the LA to continue or withdraw it",
			       str(app, "id"));
	if (k > 0 && json_object_get(reviews, co->terms[k - 1].id) == NULL)
		return pw_fail(st, PW_ETRANSITION, "the %s review of application %s comes first",
			       co->terms[k - 1].name, str(app, "id"));
	/* From the term's review_from, or else from the day after the previous term ends. */
	if (local_today(ctx, co) < engine_review_opens(co, (size_t)k)) {
		if (co->terms[k].review_from != NULL)
			return pw_fail(st, PW_ETOO_EARLY, "the %s review may be recorded from %s",
				       co->terms[k].name, co->terms[k].review_from);
		return pw_fail(st, PW_ETOO_EARLY,
			       "the %s review may be recorded from the day after %s",
			       co->terms[k].name, co->terms[k - 1].ends);
	}
	r = engine_stamp(ctx);
	json_object_set_new(r, "outcome", json_string(outcome));
	if (note != NULL && note[0] != '\0')
		json_object_set_new(r, "note", json_string(note));
	json_object_set_new(engine_sub(app, "reviews"), term, r);
	/* The term alone: what the review found is appraisal data (engine_panel_redact). */
	engine_emit(out, app, "application.reviewed", json_pack("{s:s}", "term", term));
	if (streq(outcome, "not_met")) {
		not_met = (int)json_integer_value(json_object_get(app, "reviews_not_met")) + 1;
		json_object_set_new(app, "reviews_not_met", json_integer(not_met));
		if (not_met >= q->min) {
			json_t *a = json_pack("{s:s, s:i}", "term", term, "not_met", not_met);

			engine_set_time(ctx, a, "since");
			json_object_set_new(app, "review_attention", a);
			engine_emit(out, app, "application.review_escalated",
				    json_pack("{s:s, s:i}", "term", term, "not_met", not_met));
		}
	}
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_continue(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *decision,
		const char *reason, struct engine_out *out, struct pw_status *st)
{
	const json_t *att = json_object_get(app, "review_attention");
	json_t *c, *list;
	int rc;

	if (!(engine_roles(ctx->actor) & ROLE_LA_ADVISER))
		return engine_forbid(ctx, app, "continue or withdraw", st);
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (att == NULL)
		return pw_fail(st, PW_ETRANSITION,
			       "application %s does not wait for a decision on its reviews",
			       str(app, "id"));
	if (reason == NULL || reason[0] == '\0')
		return pw_fail(st, PW_EINVALID, "the decision needs a reason");
	c = engine_stamp(ctx);
	json_object_set_new(c, "decision", json_string(decision));
	json_object_set_new(c, "reason", json_string(reason));
	json_object_set_new(c, "term", json_string(str(att, "term")));
	list = json_object_get(app, "continuations");
	if (list == NULL) {
		list = json_array();
		json_object_set_new(app, "continuations", list);
	}
	json_array_append_new(list, c);
	json_object_del(app, "review_attention");
	json_object_set_new(app, "reviews_not_met", json_integer(0));
	if (streq(decision, "withdraw"))
		return engine_withdraw(ctx, app, cstate, reason, out, st);
	engine_emit(out, app, "application.continued", json_pack("{s:s}", "decision", decision));
	engine_advance(ctx, app, out);
	return 0;
}

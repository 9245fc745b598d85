/*
 * engine.c: the programme's state machine. An application record holds its
 * position (cohort, stage, status) and everything gathered on the way
 * (documents, sign-offs, decisions, raters, attendance, internship, coach,
 * career), each under its own key. A command checks permission, then state,
 * then changes the record, says what happened as events in struct
 * engine_out, and lets the application advance while its stage is met.
 * Whether a stage is met is engine_reqs.c's to say; a cohort's places and
 * waiting list are engine_places.c's; offers of a freed place
 * engine_offers.c's; forms and the 360's rules engine_forms.c's; the
 * helpers every command shares engine_base.c's. The calendar rules of a cohort (its application
 * window, no attendance before a session, no internship confirmed before
 * it starts) are checked here, in the cohort's zone.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine_base.h"
#include "engine_places.h"
#include "engine_reqs.h"
#include "engine_calendar.h"
#include "engine_panel.h"
#include "util.h"

/* Move the application on through every stage whose requirements are met. */
void
engine_advance(const struct engine_ctx *ctx, json_t *app, struct engine_out *out)
{
	const struct programme *p = engine_app_cohort(ctx, app)->programme;
	int i;

	while (streq(str(app, "status"), "active")) {
		const struct stage *s = engine_app_stage(ctx, app, &i);

		if (s->terminal || !engine_stage_met(ctx, app, s))
			return;
		json_object_set_new(app, "stage", json_string(p->stages[i + 1].id));
		engine_set_time(ctx, app, "stage_entered");
		engine_emit(out, app, "application.stage_changed",
			    json_pack("{s:s, s:s}", "from", s->id, "to", p->stages[i + 1].id));
		if (engine_stage_has(s, REQ_RESPONSES))
			engine_feedback_ready(ctx, app, out);
		if (p->stages[i + 1].terminal) {
			char d[PW_TIME_LEN];

			pw_time_format(ctx->now, d);
			d[10] = '\0';
			json_object_set_new(app, "status", json_string("graduated"));
			json_object_set_new(app, "graduated", json_string(d));
			engine_emit(out, app, "application.graduated", NULL);
		}
	}
}

void
engine_reconsider(const struct engine_ctx *ctx, json_t *app, struct engine_out *out)
{
	if (streq(str(app, "status"), "active"))
		engine_advance(ctx, app, out);
}

/* The track an application is made on: one of the programme's, when it declares any. */
static int
create_track(const struct programme *p, const char *track, int *index, struct pw_status *st)
{
	*index = track ? config_track_index(p, track) : -1;
	if (p->ntracks == 0 && track != NULL)
		return pw_fail(st, PW_EINVALID, "programme %s has no tracks: 'track' is not taken",
			       p->id);
	if (p->ntracks > 0 && track == NULL)
		return pw_fail(st, PW_EINVALID, "programme %s needs a 'track' (%s%s)", p->id,
			       p->tracks[0].id, p->ntracks > 1 ? ", ..." : "");
	if (p->ntracks > 0 && *index < 0)
		return pw_fail(st, PW_EINVALID, "'%s' is not a track of programme %s", track,
			       p->id);
	return 0;
}

int
engine_app_create(const struct engine_ctx *ctx, const struct cohort *cohort, const char *id,
		  const char *route, const char *track, json_t **app, struct engine_out *out,
		  struct pw_status *st)
{
	const char *cand = str(ctx->candidate, "id");
	int roles = engine_roles(ctx->actor);
	char t[PW_TIME_LEN];
	int rc, overridden, ti;

	*app = NULL;
	if (ctx->override && !(roles & ROLE_LA_ADVISER))
		return pw_fail(st, PW_EFORBIDDEN,
			       "%s may not override the application window: only an LA adviser may",
			       ctx->actor_id);
	if (!(roles & ROLE_LA_ADVISER)) {
		int self = (roles & ROLE_CANDIDATE) && streq(cand, ctx->actor_id) &&
			   streq(route, "interest");
		int nominator = (roles & ROLE_HEADTEACHER) && streq(route, "nomination") &&
				streq(str(ctx->actor, "school"), str(ctx->candidate, "school"));

		if (!self && !nominator)
			return pw_fail(st, PW_EFORBIDDEN, "%s may not open a %s application for %s",
				       ctx->actor_id, route, cand);
	}
	if (!(engine_roles(ctx->candidate) & ROLE_CANDIDATE))
		return pw_fail(st, PW_EINVALID, "%s does not have the candidate role", cand);
	if (str(ctx->candidate, "school") == NULL)
		return pw_fail(st, PW_EINVALID, "%s has no school", cand);
	if (track == NULL) /* the group of the school's phase (engine_panel_rules.c), if any */
		track = engine_group_track(cohort, ctx->school);
	rc = create_track(cohort->programme, track, &ti, st);
	if (rc != 0)
		return rc;
	rc = engine_window_check(ctx, cohort, &overridden, st);
	if (rc != 0)
		return rc;
	rc = engine_candidate_eligible(ctx, cohort->programme, ti, st);
	if (rc != 0)
		return rc;
	pw_time_format(ctx->now, t);
	*app = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "v", 1,
			 "id", id, "cohort", cohort->id, "programme", cohort->programme->id,
			 "candidate", cand, "school", str(ctx->candidate, "school"), "route", route,
			 "status", "active", "stage", cohort->programme->stages[0].id,
			 "stage_entered", t, "created", t, "place", 0);
	if (track != NULL)
		json_object_set_new(*app, "track", json_string(track));
	if (overridden) {
		json_t *o = engine_stamp(ctx);

		json_object_set_new(o, "window", json_true());
		json_object_set_new(*app, "override", o);
	}
	engine_emit(
	    out, *app, "application.created",
	    json_pack("{s:s, s:s, s:s*}", "candidate", cand, "route", route, "track", track));
	if (overridden)
		json_object_set_new(json_object_get(json_array_get(out->events, 0), "data"),
				    "override", json_true());
	engine_advance(ctx, *app, out);
	return 0;
}

int
engine_may_view(const struct engine_ctx *ctx, const json_t *app, struct pw_status *st)
{
	if (engine_related(ctx, app, -1) || engine_panel_member(ctx, app))
		return 0;
	return engine_forbid(ctx, app, "see", st);
}

int
engine_submit(const struct engine_ctx *ctx, json_t *app, const char *doc, const char *ref,
	      struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q;
	json_t *s;
	int rc;

	q = engine_stage_req(ctx, app, REQ_SUBMISSION, doc);
	if (!engine_related(ctx, app, q ? 1 << q->role : ROLE_CANDIDATE))
		return engine_forbid(ctx, app, "submit documents for", st);
	if (q != NULL && (1 << q->role) != ROLE_CANDIDATE) {
		char *what = xasprintf("submit the %s's '%s' for", proto_roles[q->role], doc);

		rc = engine_not_own(ctx, app, what, st);
		free(what);
		if (rc != 0)
			return rc;
	}
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s takes no '%s'",
			       str(app, "stage"), str(app, "id"), doc);
	s = engine_stamp(ctx);
	if (ref != NULL)
		json_object_set_new(s, "ref", json_string(ref));
	json_object_set_new(engine_sub(app, "docs"), doc, s);
	engine_emit(out, app, "application.submitted", json_pack("{s:s}", "doc", doc));
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_signoff(const struct engine_ctx *ctx, json_t *app, struct engine_out *out,
	       struct pw_status *st)
{
	const struct requirement *q = engine_stage_req(ctx, app, REQ_SIGNOFF, NULL);
	const struct stage *s;
	int rc, have, need;

	if (!engine_related(ctx, app, q ? 1 << q->role : ROLE_HEADTEACHER))
		return engine_forbid(ctx, app, "sign off", st);
	rc = engine_not_own(ctx, app, "sign off", st);
	if (rc != 0)
		return rc;
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s needs no sign-off",
			       str(app, "stage"), str(app, "id"));
	s = engine_app_stage(ctx, app, NULL);
	for (size_t i = 0; i < s->nreqs; i++)
		if (s->reqs[i].kind == REQ_SUBMISSION &&
		    engine_req_applies(ctx, app, &s->reqs[i]) &&
		    !engine_req_met(ctx, app, &s->reqs[i], &have, &need))
			return pw_fail(st, PW_ETRANSITION,
				       "'%s' must be submitted before the sign-off",
				       s->reqs[i].doc);
	if (json_object_get(json_object_get(app, "signoffs"), s->id) != NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s is already signed off", s->id);
	json_object_set_new(engine_sub(app, "signoffs"), s->id, engine_stamp(ctx));
	engine_emit(out, app, "application.signed_off",
		    json_pack("{s:s}", "by_role", proto_roles[q->role]));
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_decide(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *outcome,
	      const char *note, struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q = engine_stage_req(ctx, app, REQ_DECISION, NULL);
	json_t *d, *data;
	int rc, position = 0;

	/* A panel's decision is its chair's (engine_panel_rules.c). */
	if (q == NULL && (q = engine_stage_req(ctx, app, REQ_PANEL, NULL)) != NULL) {
		rc = engine_panel_may_decide(ctx, app, cstate, outcome, st);
		if (rc != 0)
			return rc;
	} else if (!engine_related(ctx, app, q ? 1 << q->role : ROLE_LA_ADVISER))
		return engine_forbid(ctx, app, "decide on", st);
	rc = engine_not_own(ctx, app, "decide on", st);
	if (rc != 0)
		return rc;
	rc = engine_require_status(app, 1, st);
	if (rc != 0)
		return rc;
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s takes no decision",
			       str(app, "stage"), str(app, "id"));
	if (streq(outcome, "waitlist") && streq(str(app, "status"), "waitlisted"))
		return pw_fail(st, PW_ETRANSITION, "application %s is already on the waiting list",
			       str(app, "id"));
	/* A place is given up by withdrawing, never by deciding again. */
	if (json_is_true(json_object_get(app, "place")))
		return pw_fail(st, PW_ETRANSITION,
			       "application %s already holds a place; it was accepted at stage %s",
			       str(app, "id"), str(app, "stage"));
	/* A group takes at most its max, at a panel or a plain decision; its last places may be
	 * held for offers made from the waiting list. */
	if (streq(outcome, "accept") && q->capacity &&
	    !engine_group_room(engine_app_cohort(ctx, app), cstate, app, 1))
		return pw_fail(st, PW_EFULL,
			       "the %s group of %s is full (its places left may be offered to "
			       "applications on the waiting list)",
			       str(app, "track"), str(app, "cohort"));
	if (streq(outcome, "accept")) {
		rc = engine_place_take(ctx, app, cstate, q, st);
		if (rc != 0)
			return rc;
		json_object_set_new(app, "status", json_string("active"));
	} else if (streq(outcome, "waitlist")) {
		position = engine_waiting_add(cstate, str(app, "id"));
		json_object_set_new(app, "status", json_string("waitlisted"));
	} else {
		engine_place_release(ctx, app, cstate, out); /* its turn, or an open offer */
		json_object_set_new(app, "status", json_string("rejected"));
	}
	d = engine_stamp(ctx);
	json_object_set_new(d, "outcome", json_string(outcome));
	if (note != NULL)
		json_object_set_new(d, "note", json_string(note));
	json_object_set_new(engine_sub(app, "decisions"), str(app, "stage"), d);
	data = json_pack("{s:s}", "outcome", outcome);
	if (position > 0)
		json_object_set_new(data, "position", json_integer(position));
	engine_emit(out, app, "application.decided", data);
	if (streq(outcome, "reject"))
		engine_emit(out, app, "application.rejected", NULL);
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_invite_rater(const struct engine_ctx *ctx, json_t *app, const json_t *rater,
		    const char *category, struct engine_out *out, struct pw_status *st)
{
	const char *rid = str(rater, "id");
	json_t *r;
	int rc;

	if (!engine_related(ctx, app, ROLE_CANDIDATE))
		return engine_forbid(ctx, app, "invite raters for", st);
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (engine_stage_req(ctx, app, REQ_RESPONSES, NULL) == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s takes no raters",
			       str(app, "stage"), str(app, "id"));
	if (streq(rid, str(app, "candidate")))
		return pw_fail(st, PW_EINVALID, "a candidate cannot rate themself");
	if (!(engine_roles(rater) & ROLE_RATER))
		return pw_fail(st, PW_EINVALID,
			       "%s does not have the rater role (an LA adviser can add it with "
			       "person.update), so could not record a response",
			       rid);
	if (json_object_get(json_object_get(app, "raters"), rid) != NULL)
		return pw_fail(st, PW_EEXISTS, "%s is already invited", rid);
	if (category == NULL)
		category = "others";
	if (config_feedback_category(engine_app_cohort(ctx, app)->programme, category) < 0)
		return pw_fail(st, PW_EINVALID, "'%s' is not a 360 category of this programme",
			       category);
	r = json_pack("{s:s}", "category", category);
	engine_set_time(ctx, r, "invited");
	json_object_set_new(engine_sub(app, "raters"), rid, r);
	engine_emit(out, app, "application.rater_invited",
		    json_pack("{s:s, s:s}", "rater", rid, "category", category));
	return 0;
}

int
engine_record_response(const struct engine_ctx *ctx, json_t *app, const char *rater,
		       struct engine_out *out, struct pw_status *st)
{
	const struct requirement *q = engine_stage_req(ctx, app, REQ_RESPONSES, NULL);
	json_t *r = json_object_get(json_object_get(app, "raters"), rater);
	int rc, have, need;

	/* A rater records only their own response, and only when invited (PROTOCOL.md). */
	if (!engine_related(ctx, app, ROLE_RATER) ||
	    (!(engine_roles(ctx->actor) & ROLE_LA_ADVISER) && !streq(ctx->actor_id, rater)))
		return engine_forbid(ctx, app, "record another rater's response on", st);
	rc = engine_not_own(ctx, app, "record a 360 response on", st);
	if (rc != 0)
		return rc;
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s takes no responses",
			       str(app, "stage"), str(app, "id"));
	if (r == NULL)
		return pw_fail(st, PW_ENOTFOUND, "%s was not invited to rate application %s", rater,
			       str(app, "id"));
	if (json_object_get(r, "responded") != NULL)
		return pw_fail(st, PW_ETRANSITION, "%s has already responded", rater);
	engine_set_time(ctx, r, "responded");
	engine_req_met(ctx, app, q, &have, &need);
	/* Who responded is for LA advisers (the record): the event names nobody. */
	engine_emit(out, app, "application.response_recorded",
		    json_pack("{s:i, s:i}", "have", have, "need", need));
	json_object_set_new(json_array_get(out->events, json_array_size(out->events) - 1), "actor",
			    json_null());
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_attend(const struct engine_ctx *ctx, json_t *app, const char *session, int present,
	      struct engine_out *out, struct pw_status *st)
{
	const struct cohort *c = engine_app_cohort(ctx, app);
	int rc;

	if (!engine_related(ctx, app, ROLE_COACH))
		return engine_forbid(ctx, app, "record attendance for", st);
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (config_session(c, session) == NULL)
		return pw_fail(st, PW_ENOTFOUND, "cohort %s has no session %s", c->id, session);
	if (engine_capacity_stage(c->programme) && !json_is_true(json_object_get(app, "place")))
		return pw_fail(st, PW_ETRANSITION, "application %s does not hold a place in %s yet",
			       str(app, "id"), c->id);
	if (!config_session_for(c, config_session(c, session), str(app, "track")))
		return pw_fail(st, PW_EINVALID,
			       "session %s is not for the %s track of application %s", session,
			       str(app, "track") ?: "(no)", str(app, "id"));
	rc = engine_session_started(ctx, c, config_session(c, session), st);
	if (rc != 0)
		return rc;
	json_object_set_new(engine_sub(app, "attendance"), session, json_boolean(present));
	engine_emit(out, app, "application.attendance_recorded",
		    json_pack("{s:s, s:b}", "session", session, "present", present));
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_place_internship(const struct engine_ctx *ctx, json_t *app, const json_t *host_school,
			const char *start, const char *end, struct engine_out *out,
			struct pw_status *st)
{
	const struct requirement *q = engine_stage_req(ctx, app, REQ_INTERNSHIP, NULL);
	const char *host = str(host_school, "id");
	json_t *in;
	int rc;

	if (!engine_related(ctx, app, ROLE_COACH))
		return engine_forbid(ctx, app, "place the internship of", st);
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (q == NULL)
		return pw_fail(st, PW_ETRANSITION, "stage %s of application %s has no internship",
			       str(app, "stage"), str(app, "id"));
	if (strcmp(start, end) > 0)
		return pw_fail(st, PW_EINVALID, "the internship ends (%s) before it starts (%s)",
			       end, start);
	if (streq(host, str(app, "school")))
		return pw_fail(st, PW_EINVALID, "the host school is the candidate's own school");
	if (q->host_lss && !json_is_true(json_object_get(host_school, "lss")))
		return pw_fail(st, PW_EINVALID, "%s is not a Lead Succession School", host);
	if (json_object_get(json_object_get(app, "internship"), "confirmed") != NULL)
		return pw_fail(st, PW_ETRANSITION, "the internship is already confirmed");
	in = json_pack("{s:s, s:s, s:s, s:i}", "host_school", host, "start", start, "end", end,
		       "days_completed", 0);
	json_object_set_new(app, "internship", in);
	engine_emit(out, app, "application.internship_placed",
		    json_pack("{s:s, s:s, s:s}", "host_school", host, "start", start, "end", end));
	return 0;
}

int
engine_confirm_internship(const struct engine_ctx *ctx, json_t *app, int days,
			  struct engine_out *out, struct pw_status *st)
{
	json_t *in = json_object_get(app, "internship");
	int rc;

	if (!engine_related(ctx, app, ROLE_HOST))
		return engine_forbid(ctx, app, "confirm the internship of", st);
	rc = engine_not_own(ctx, app, "confirm the internship of", st);
	if (rc != 0)
		return rc;
	rc = engine_require_status(app, 0, st);
	if (rc != 0)
		return rc;
	if (in == NULL || engine_stage_req(ctx, app, REQ_INTERNSHIP, NULL) == NULL)
		return pw_fail(st, PW_ETRANSITION, "application %s has no internship to confirm",
			       str(app, "id"));
	if (days > 365)
		return pw_fail(st, PW_EINVALID, "'days' must be at most 365");
	rc = engine_internship_started(ctx, app, in, st);
	if (rc != 0)
		return rc;
	json_object_set_new(in, "days_completed", json_integer(days));
	engine_set_time(ctx, in, "confirmed");
	json_object_set_new(in, "confirmed_by", json_string(ctx->actor_id));
	engine_emit(out, app, "application.internship_confirmed", json_pack("{s:i}", "days", days));
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_assign_coach(const struct engine_ctx *ctx, json_t *app, const json_t *coach,
		    struct engine_out *out, struct pw_status *st)
{
	int rc;

	if (!(engine_roles(ctx->actor) & ROLE_LA_ADVISER))
		return engine_forbid(ctx, app, "assign a coach to", st);
	rc = engine_require_status(app, 1, st);
	if (rc != 0)
		return rc;
	if (!(engine_roles(coach) & ROLE_COACH))
		return pw_fail(st, PW_EINVALID, "%s does not have the coach role",
			       str(coach, "id"));
	json_object_set_new(app, "coach", json_string(str(coach, "id")));
	engine_emit(out, app, "application.coach_assigned",
		    json_pack("{s:s}", "coach", str(coach, "id")));
	engine_advance(ctx, app, out); /* a trained coach meets coach_trained */
	return 0;
}

int
engine_withdraw(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *reason,
		struct engine_out *out, struct pw_status *st)
{
	json_t *w;
	int rc;

	if (!engine_related(ctx, app, ROLE_CANDIDATE | ROLE_HEADTEACHER))
		return engine_forbid(ctx, app, "withdraw", st);
	rc = engine_require_status(app, 1, st);
	if (rc != 0)
		return rc;
	engine_place_release(ctx, app, cstate, out);
	json_object_set_new(app, "status", json_string("withdrawn"));
	/* The reason stays in the record, for LA advisers: it may be private (health). */
	w = engine_stamp(ctx);
	if (reason != NULL)
		json_object_set_new(w, "reason", json_string(reason));
	json_object_set_new(app, "withdrawal", w);
	engine_emit(out, app, "application.withdrawn", NULL);
	return 0;
}

int
engine_defer(const struct engine_ctx *ctx, json_t *app, json_t *from_state, const struct cohort *to,
	     struct engine_out *out, struct pw_status *st)
{
	const struct cohort *from = engine_app_cohort(ctx, app);
	int rc, cap = engine_capacity_stage(from->programme), at;

	if (!(engine_roles(ctx->actor) & ROLE_LA_ADVISER))
		return engine_forbid(ctx, app, "defer", st);
	rc = engine_require_status(app, 1, st);
	if (rc != 0)
		return rc;
	if (to->programme != from->programme || strcmp(to->starts, from->starts) <= 0)
		return pw_fail(st, PW_EINVALID, "%s is not a later cohort of programme %s than %s",
			       to->id, from->programme->id, from->id);
	engine_place_release(ctx, app, from_state, out);
	engine_app_stage(ctx, app, &at);
	json_object_set_new(app, "cohort", json_string(to->id));
	if (cap > 0 && at >= cap - 1) {
		/* Places belong to a cohort: the deferred candidate is selected again. */
		const char *sel = from->programme->stages[cap - 1].id;

		json_object_del(json_object_get(app, "decisions"), sel);
		if (at != cap - 1) {
			json_t *data =
			    json_pack("{s:s, s:s}", "from", str(app, "stage"), "to", sel);

			/* The event carries the stage entered, like every stage_changed. */
			json_object_set_new(app, "stage", json_string(sel));
			engine_set_time(ctx, app, "stage_entered");
			engine_emit(out, app, "application.stage_changed", data);
		}
	}
	/* It enters its stage afresh in the new cohort: that cohort's deadlines, from now. */
	engine_set_time(ctx, app, "stage_entered");
	json_object_set_new(app, "status", json_string("active"));
	json_object_del(app, "attendance");
	engine_emit(out, app, "application.deferred",
		    json_pack("{s:s, s:s}", "from_cohort", from->id, "to_cohort", to->id));
	engine_advance(ctx, app, out);
	return 0;
}

int
engine_record_progression(const struct engine_ctx *ctx, json_t *app, const char *role,
			  const char *school, const char *date, const char *note,
			  struct engine_out *out, struct pw_status *st)
{
	json_t *step;

	if (!engine_related(ctx, app, ROLE_CANDIDATE | ROLE_HEADTEACHER | ROLE_COACH))
		return engine_forbid(ctx, app, "record the career of", st);
	if (!streq(str(app, "status"), "graduated"))
		return pw_fail(st, PW_ETRANSITION,
			       "application %s has not graduated: career progression is for alumni",
			       str(app, "id"));
	step = engine_stamp(ctx);
	json_object_set_new(step, "role", json_string(role));
	json_object_set_new(step, "date", json_string(date));
	if (school != NULL)
		json_object_set_new(step, "school", json_string(school));
	if (note != NULL)
		json_object_set_new(step, "note", json_string(note));
	if (json_object_get(app, "career") == NULL)
		json_object_set_new(app, "career", json_array());
	json_array_append_new(json_object_get(app, "career"), step);
	engine_emit(out, app, "application.progression_recorded",
		    json_pack("{s:s, s:s}", "role", role, "date", date));
	return 0;
}

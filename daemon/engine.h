/*
 * engine.h: the programme engine. A pure function of (application record,
 * command, programme, now): it checks the actor's permission and whether the
 * application's state allows the command, changes the record, and says what
 * happened as events. It does no I/O and reads no clock: the caller loads the
 * records the command refers to, passes the time in, and stores the result.
 *
 * Records are jansson objects in the shape PROTOCOL.md gives ("The
 * application object"). The cohort state is {"taken": n, "waiting": [ids],
 * "offered": [ids]} plus counters the caller keeps; the engine changes only
 * taken, waiting and offered (engine_places.h).
 */
#ifndef PW_ENGINE_H
#define PW_ENGINE_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "proto.h"

struct engine_ctx {
	const struct pw_config *cfg;
	int64_t now;
	const char *actor_id;
	const json_t *actor;	 /* the actor's person record */
	const json_t *candidate; /* the application's candidate (eligibility rules) */
	int override;		 /* application.create: an LA adviser overrides the window */
	const json_t *school;	 /* the candidate's school (eligibility rules on the school) */
	const json_t *coach;	 /* the application's coach (coach_trained), or NULL */
};

/*
 * What a command did besides changing the record: events (objects with
 * "type", "app", "cohort", "school", "stage", "data"; the caller adds seq,
 * at and actor) and applications that were offered a place from the
 * waiting list (the caller loads each and calls engine_offer_place).
 */
struct engine_out {
	json_t *events;
	json_t *offers;
};
void engine_out_init(struct engine_out *out);
void engine_out_clear(struct engine_out *out);

/* Bitmask of the actor's roles (1 << proto_role_bit(name)). */
int engine_roles(const json_t *person);

/* Where an application is listed: its stage when active, else its status. */
const char *engine_position(const json_t *app);

/*
 * Create an application for candidate in cohort with the given id, route
 * ("interest" or "nomination") and track (one of the programme's tracks,
 * required when it declares any, else NULL: PW_EINVALID otherwise). Checks
 * the actor may create it and the candidate meets every eligibility rule of
 * the programme for that track, on their facts and on their school
 * (ctx->school). *app is a new record on success; events go to out.
 */
int engine_app_create(const struct engine_ctx *ctx, const struct cohort *cohort, const char *id,
		      const char *route, const char *track, json_t **app, struct engine_out *out,
		      struct pw_status *st);

/*
 * A record an active application's requirements read changed outside it
 * (its coach's training, ctx->coach): let it advance through every stage
 * now met. Events go to out; nothing happens to an application that is not
 * active.
 */
void engine_reconsider(const struct engine_ctx *ctx, json_t *app, struct engine_out *out);

/*
 * Record whether coach (their person record, changed in place) attended
 * session of cohort, a coach training: "training": {cohort: {session:
 * {"present", "at", "by"}}}. Only LA advisers (PW_EFORBIDDEN); coach must
 * hold the coach role and the session be one for coaches (audience
 * "coaches" or "all"; PW_EINVALID), not before its start (PW_ETOO_EARLY).
 * Appends coach.training_recorded to out.
 */
int engine_record_training(const struct engine_ctx *ctx, const struct cohort *cohort, json_t *coach,
			   const char *session, int present, struct engine_out *out,
			   struct pw_status *st);

/* May the actor see this application (application.get / history)? 0 or PW_EFORBIDDEN. */
int engine_may_view(const struct engine_ctx *ctx, const json_t *app, struct pw_status *st);

/*
 * The state-changing commands. Each returns 0 with app changed and events
 * in out, or an error (PW_EFORBIDDEN, PW_ETRANSITION, PW_EINVALID,
 * PW_EEXISTS, PW_EFULL) with app unchanged and st filled. After a change the
 * application advances through every stage whose requirements are met.
 * Its candidate may not sign off, decide on, submit another role's document
 * for, record a response on or confirm the internship of their own
 * application (PW_EFORBIDDEN), whatever roles they hold. Events carry no
 * free text: a decision's note and a withdrawal's reason ("withdrawal") are
 * kept in the record, and a response_recorded event names no rater and has
 * "actor": null (wctx_emit then leaves the actor out).
 */
int engine_submit(const struct engine_ctx *ctx, json_t *app, const char *doc, const char *ref,
		  struct engine_out *out, struct pw_status *st);
int engine_signoff(const struct engine_ctx *ctx, json_t *app, struct engine_out *out,
		   struct pw_status *st);
int engine_decide(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *outcome,
		  const char *note, struct engine_out *out, struct pw_status *st);
/* Invite rater in a 360 category of the programme (NULL: "others"). */
int engine_invite_rater(const struct engine_ctx *ctx, json_t *app, const json_t *rater,
			const char *category, struct engine_out *out, struct pw_status *st);
/*
 * The candidate's own 360 self-assessment was recorded (its answers are kept
 * apart, like a rater's): only the candidate, at a 360 stage of a programme
 * with self_assessment. Sets "self_assessment": {"at", "by"}.
 */
int engine_self_assess(const struct engine_ctx *ctx, json_t *app, struct engine_out *out,
		       struct pw_status *st);
/*
 * Forms. May the actor fill in form fm of app (the filler's role in its
 * relation; never another role's form on their own application)? May they
 * read it (the filler's role or a reader's, in their relation; LA advisers)?
 * 0 or PW_EFORBIDDEN.
 */
int engine_may_fill(const struct engine_ctx *ctx, const json_t *app, const struct form *fm,
		    struct pw_status *st);
int engine_may_read_form(const struct engine_ctx *ctx, const json_t *app, const struct form *fm,
			 struct pw_status *st);
/*
 * Send form fm back for changes (the role that signs off the current stage,
 * or an LA adviser), with a note kept in "returned": {form: {at, by, note}}.
 * The form is no longer submitted; when it belongs to an earlier stage the
 * application goes back to that stage, its later sign-offs cleared, as long
 * as only document and sign-off stages lie between (else PW_ETRANSITION,
 * also once the current stage is signed off).
 */
/*
 * The 360's report is ready for the candidate and coach: once, when the
 * application leaves the stage of its responses (engine_advance), or when
 * that stage's deadline passes with report = "deadline" (the timer).
 * Sets "feedback_ready" (the time) and appends application.feedback_ready.
 */
void engine_feedback_ready(const struct engine_ctx *ctx, json_t *app, struct engine_out *out);
int engine_return_form(const struct engine_ctx *ctx, json_t *app, const struct form *fm,
		       const char *note, struct engine_out *out, struct pw_status *st);
int engine_record_response(const struct engine_ctx *ctx, json_t *app, const char *rater,
			   struct engine_out *out, struct pw_status *st);
int engine_attend(const struct engine_ctx *ctx, json_t *app, const char *session, int present,
		  struct engine_out *out, struct pw_status *st);
int engine_place_internship(const struct engine_ctx *ctx, json_t *app, const json_t *host_school,
			    const char *start, const char *end, struct engine_out *out,
			    struct pw_status *st);
int engine_confirm_internship(const struct engine_ctx *ctx, json_t *app, int days,
			      struct engine_out *out, struct pw_status *st);
int engine_assign_coach(const struct engine_ctx *ctx, json_t *app, const json_t *coach,
			struct engine_out *out, struct pw_status *st);
int engine_withdraw(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *reason,
		    struct engine_out *out, struct pw_status *st);
int engine_defer(const struct engine_ctx *ctx, json_t *app, json_t *from_state,
		 const struct cohort *to, struct engine_out *out, struct pw_status *st);

/*
 * Offers of a freed place (engine_offers.c). engine_offer_place offers one
 * to a waiting application the engine named in out->offers: it stays
 * waitlisted with "offer": {"made", "expires"} and the place is held for it
 * (PW_ETRANSITION when it is not waiting or offers have stopped, PW_EFULL
 * when no place is free or its group, counting the places offered to it, is
 * at its max). Its candidate or an LA adviser accepts (a place, status
 * active, a decision, and it advances; PW_EFULL while its group is at its
 * max, the offer still open) or declines (it is
 * withdrawn) before it expires; engine_offer_expire, at the expiry, closes
 * it and leaves the application waitlisted, off the list. A declined or
 * expired offer passes the place on to the next application waiting.
 */
int engine_offer_place(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		       struct engine_out *out, struct pw_status *st);
int engine_offer_accept(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
			struct engine_out *out, struct pw_status *st);
int engine_offer_decline(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
			 struct engine_out *out, struct pw_status *st);
int engine_offer_expire(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
			struct engine_out *out, struct pw_status *st);

/*
 * Record a step of a graduate's career (e.g. "deputy headteacher" at a
 * school, from a date). Only for graduated applications; the candidate,
 * their headteacher or coach, or an LA adviser.
 */
int engine_record_progression(const struct engine_ctx *ctx, json_t *app, const char *role,
			      const char *school, const char *date, const char *note,
			      struct engine_out *out, struct pw_status *st);

/* The current stage's requirements and whether each is met, as a new array. */
json_t *engine_requirements(const struct engine_ctx *ctx, const json_t *app);

#endif

/*
 * engine.h: the programme engine. A pure function of (application record,
 * command, programme, now): it checks the actor's permission and whether the
 * application's state allows the command, changes the record, and says what
 * happened as events. It does no I/O and reads no clock: the caller loads the
 * records the command refers to, passes the time in, and stores the result.
 *
 * Records are jansson objects in the shape PROTOCOL.md gives ("The
 * application object"). The cohort state is {"taken": n, "waiting": [ids]}
 * plus counters the caller keeps; the engine changes only taken and waiting.
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
 * Create an application for candidate in cohort with the given id and route
 * ("interest" or "nomination"). Checks the actor may create it and the
 * candidate meets every eligibility rule of the programme. *app is a new
 * record on success; events go to out.
 */
int engine_app_create(const struct engine_ctx *ctx, const struct cohort *cohort, const char *id,
		      const char *route, json_t **app, struct engine_out *out,
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
int engine_invite_rater(const struct engine_ctx *ctx, json_t *app, const json_t *rater,
			struct engine_out *out, struct pw_status *st);
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
/* Accept the first application of a waiting list into a freed place. */
int engine_offer_place(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
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

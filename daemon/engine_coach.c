/*
 * engine_coach.c: coach training, recorded for the coach rather than on any
 * candidate's application. A coach's person record keeps "training":
 * {cohort: {session: {"present", "at", "by"}}}, one entry per training
 * session of a cohort (a session for coaches: audience "coaches" or "all");
 * a coach_trained requirement (engine_reqs.c) counts the sessions present.
 * Pure, like the rest of the engine: the caller loads and stores the record.
 */
#include "engine.h"

#include <string.h>

#include "engine_base.h"
#include "engine_calendar.h"
#include "util.h"

int
engine_record_training(const struct engine_ctx *ctx, const struct cohort *cohort, json_t *coach,
		       const char *session, int present, struct engine_out *out,
		       struct pw_status *st)
{
	const struct session *s = config_session(cohort, session);
	json_t *tr, *mark;
	int rc;

	if (!(engine_roles(ctx->actor) & ROLE_LA_ADVISER))
		return pw_fail(st, PW_EFORBIDDEN,
			       "%s may not record coach training: only an LA adviser may",
			       ctx->actor_id);
	if (s == NULL)
		return pw_fail(st, PW_ENOTFOUND, "cohort %s has no session %s", cohort->id,
			       session);
	if (!(engine_roles(coach) & ROLE_COACH))
		return pw_fail(st, PW_EINVALID, "%s does not have the coach role",
			       str(coach, "id"));
	if (strcmp(s->audience, "participants") == 0)
		return pw_fail(st, PW_EINVALID,
			       "session %s of %s is for participants, not a coach training (its "
			       "audience is not coaches or all)",
			       session, cohort->id);
	rc = engine_session_started(ctx, cohort, s, st);
	if (rc != 0)
		return rc;
	tr = engine_sub(engine_sub(coach, "training"), cohort->id);
	mark = engine_stamp(ctx);
	json_object_set_new(mark, "present", json_boolean(present));
	json_object_set_new(tr, session, mark);
	json_array_append_new(out->events, json_pack("{s:s, s:s, s:{s:s, s:s, s:b}}", "type",
						     "coach.training_recorded", "cohort",
						     cohort->id, "data", "coach", str(coach, "id"),
						     "session", session, "present", present));
	return 0;
}

/*
 * base.h: the helpers the command files share (cmd/base.c). Each runs in
 * the command's write context and reports failure through c->st.
 */
#ifndef PW_CMD_BASE_H
#define PW_CMD_BASE_H

#include <jansson.h>

#include "engine.h"
#include "engine_panel.h"
#include "util.h"
#include "wctx.h"

/* Roles that read everything: LA advisers and viewers. */
#define READERS (ROLE_LA_ADVISER | ROLE_VIEWER)

/* The string argument args[key], or NULL. */
static inline const char *
cmd_arg(const json_t *args, const char *key)
{
	return str(args, key);
}

/*
 * Load record id of db into *out (a new reference). PW_ENOTFOUND names
 * 'what' is missing; PW_ESTORE when the store fails.
 */
int cmd_load(struct wctx *c, enum store_db db, const char *what, const char *id, json_t **out);

/*
 * Load application id and its candidate (new references, NULL on failure)
 * and fill e, the engine's context for them. 0, PW_ENOTFOUND or PW_ESTORE.
 */
int cmd_app_load(struct wctx *c, const char *id, json_t **app, json_t **cand, struct engine_ctx *e);

/* The configured cohort id in *out, or PW_ENOTFOUND. */
int cmd_cohort(struct wctx *c, const char *id, const struct cohort **out);

/*
 * The state of cohort (places taken, waiting list, counts), loaded once per
 * command into c->cstates; borrowed. cmd_cstates_save writes every state
 * loaded back (PW_ESTORE on failure).
 */
json_t *cmd_cstate(struct wctx *c, const char *cohort);
int cmd_cstates_save(struct wctx *c);

/* Where an application was before a command: to move its index entry after. */
struct app_pos {
	char cohort[PW_ID_MAX + 1];
	char pos[PW_ID_MAX + 1];
};

/* Record where app is now (cohort and position). */
void cmd_app_pos(const json_t *app, struct app_pos *p);

/*
 * Store app. If it moved from was (NULL for a new application) it also
 * moves its stage index entry and cohort counters, clears its overdue mark,
 * cancels the old stage's timers and arms the new stage's.
 */
int cmd_app_save(struct wctx *c, json_t *app, const struct app_pos *was);

/*
 * Index app under key in DB_BY_PERSON (a coach's or rater's id, or
 * "school:" + a host school), for application.mine. 0 or PW_ESTORE.
 */
int cmd_index_person(struct wctx *c, const char *key, const json_t *app);

/* Emit every event in out->events and empty it. */
int cmd_emit_all(struct wctx *c, struct engine_out *out);

/* Fill the engine's context for the actor of c and the candidate given. */
void cmd_engine_ctx(struct wctx *c, const json_t *candidate, struct engine_ctx *e);

/*
 * Record id of db as the engine reads it (a school, a coach), loaded once per
 * command and kept until it ends (borrowed); NULL when id is NULL or there
 * is no such record.
 */
const json_t *cmd_loaded(struct wctx *c, enum store_db db, const char *id);

/*
 * Add to e the records app's requirements read besides its candidate, when
 * its programme has such requirements: the school (an eligibility rule on
 * the school) and the coach (coach_trained).
 */
void cmd_engine_app(struct wctx *c, const json_t *app, struct engine_ctx *e);

/*
 * Whether the actor may see who was invited to rate app: LA advisers and
 * viewers, and its candidate, headteacher and coach unless invited
 * themselves (an invited rater sees only their own entry).
 */
int cmd_sees_raters(const struct wctx *c, const json_t *app);

/*
 * Remove from application v (a copy, changed in place) what the actor may
 * not see: other raters or whether they responded, and free text (decision
 * notes, the withdrawal's reason) unless an LA adviser or its author.
 */
void cmd_app_redact(const struct wctx *c, json_t *v);

/*
 * An application as a reply shows it (new reference): the record as the
 * actor may see it, the candidate's name (candidate_name), the current
 * stage's deadline and requirements.
 */
json_t *cmd_app_view(struct wctx *c, const json_t *app, const json_t *candidate);

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
 * What every command that changed application app (at was before it; NULL
 * for a new one) does last: save it with its indexes, counters and timers,
 * emit the engine's events, offer the places it freed, save the cohorts'
 * states, and make *data { "application": view }.
 */
int cmd_app_finish(struct wctx *c, json_t *app, const struct app_pos *was, const json_t *cand,
		   struct engine_out *out, json_t **data);

/*
 * Run op on application app_id: load it and its candidate, let op change it
 * through the engine, save it, offer freed places, emit the events, save
 * the cohorts' states. *data is { "application": view } on success.
 */
int cmd_app_command(struct wctx *c, const char *app_id, const struct app_op *op, json_t **data);

/* cmd_app_command of fn, with no record, on the application args name ("app"). */
int cmd_app_run(struct wctx *c, const json_t *args, json_t **data,
		int (*fn)(struct wctx *c, const struct engine_ctx *e, json_t *app,
			  const struct app_op *op, struct engine_out *out));

#endif

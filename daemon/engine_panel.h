/*
 * engine_panel.h: a panel's decision, reviews each term and groups, as the
 * engine sees them. The rules that read a record (engine_panel_rules.c)
 * are used by the requirement predicates, engine_decide and the views; the
 * commands that change one (engine_panel.c) sit above engine.c.
 *
 * In the record: "panel": {stage: {"recommendations": {member: {"outcome",
 * "reason", "at"}}, "ready": time, "closed": {"at", "by"}}}; "reviews":
 * {term: {"outcome": "met" | "not_met", "note", "at", "by"}};
 * "reviews_not_met": n (since the last continuation); "review_attention":
 * {"since", "term", "not_met"} while the LA is asked; "continuations":
 * [{"decision", "reason", "term", "at", "by"}].
 */
#ifndef PW_ENGINE_PANEL_H
#define PW_ENGINE_PANEL_H

#include "engine.h"

/* Requirement predicates (engine_reqs.c's table): met or not, with have and need. */
int engine_panel_met(const struct cohort *co, const json_t *app, const struct requirement *q,
		     int *have, int *need);
int engine_review_met(const struct cohort *co, const json_t *app, const struct requirement *q,
		      int *have, int *need);

/*
 * The first requirement of kind at stage (an id of co's programme) that
 * applies to app's track (engine_req_applies), or NULL; for the workers
 * that ask of a stage the application enters or holds.
 */
const struct requirement *engine_req_at(const struct cohort *co, const json_t *app,
					const char *stage, enum req_kind kind);

/*
 * The panel of app's current stage as configured now: *need, the members of
 * co's panel other than the candidate; *have, how many of them recommended.
 * A recommendation of a member since taken off the panel does not count.
 */
void engine_panel_count(const struct cohort *co, const json_t *app, int *have, int *need);

/*
 * The first local day (days since 1970) on which the review of co's term k
 * may be recorded: its review_from, else the day after the previous term
 * ends; INT64_MIN when it may be recorded at any time.
 */
int64_t engine_review_opens(const struct cohort *co, size_t k);

/*
 * A review requirement as requirements show it (r, changed): "term", the
 * next term to review, and "from", its review_from date; "due": whether that
 * review may be recorded now (the cohort's local date) and waits on its role,
 * false before its date, while the LA is asked and once every term is
 * reviewed; "attention": true while the LA is asked.
 */
void engine_review_json(const struct cohort *co, const json_t *app, int64_t now, json_t *r);

/* A panel requirement as requirements show it (r, changed): "closed": true once closed. */
void engine_panel_json(const json_t *app, json_t *r);

/*
 * Whether the actor sits on the panel of the application's cohort and the
 * application has reached a stage with a panel requirement on its track (1
 * or 0).
 */
int engine_panel_member(const struct engine_ctx *ctx, const json_t *app);

/*
 * Whether the actor may take the panel decision on app now: its cohort's
 * chair (PW_EFORBIDDEN otherwise, LA advisers too), once the panel is
 * complete (engine_panel_count: have reaches need) or the chair closed it
 * (PW_ETRANSITION); an accept into a full group is PW_EFULL. 0 when it may.
 */
int engine_panel_may_decide(const struct engine_ctx *ctx, const json_t *app, const json_t *cstate,
			    const char *outcome, struct pw_status *st);

/*
 * Remove from application view v what the reader may not see of its panel
 * and reviews: a recommendation's outcome and reason are for LA advisers
 * and the cohort's panel members, others see only who recommended and when;
 * what the reviews found (each review's outcome, reviews_not_met,
 * review_attention, continuations) is appraisal data, only for those who
 * see_reviews (the candidate, their headteacher and coach, LA advisers and
 * viewers); a review's note and a continuation's reason are for LA
 * advisers and their author.
 */
void engine_panel_redact(const struct pw_config *cfg, const char *actor_id, int actor_roles,
			 int see_reviews, json_t *v);

/*
 * An erasure (person.erase, a retention purge): the free text of app's
 * panel and reviews that person wrote (a recommendation's reason, a
 * review's note, a continuation's reason), or all of it when all is set
 * (their own application). Returns how many were removed.
 */
int engine_panel_erase(json_t *app, const char *person, int all);

/*
 * Applications in the group of track (an index of the programme's tracks)
 * holding a place: past the stage that takes places, or graduated, from the
 * cohort state's per-track counters.
 */
int engine_group_size(const struct cohort *co, const json_t *cstate, int track);

/* The track of co's group that takes the phase of school, or NULL. */
const char *engine_group_track(const struct cohort *co, const json_t *school);

/* The groups of a cohort for cohort.report: {track: {"size", "min", "max", "below_min"}}. */
json_t *engine_groups_report(const struct cohort *co, const json_t *cstate);

/*
 * The commands (engine_panel.c). Recommend: a panel member, once, at a
 * panel stage before the decision (accept, waitlist or reject, with a
 * reason). Close the panel: its chair, before everyone has recommended.
 * Review: the role of the stage's review requirement in its relation (or an
 * LA adviser), each term in order, from the day after the previous term
 * ended. Continue: an LA adviser, while the reviews ask for them, decides
 * "continue" or "withdraw" with a reason.
 */
int engine_recommend(const struct engine_ctx *ctx, json_t *app, const char *outcome,
		     const char *reason, struct engine_out *out, struct pw_status *st);
int engine_close_panel(const struct engine_ctx *ctx, json_t *app, struct engine_out *out,
		       struct pw_status *st);
int engine_review(const struct engine_ctx *ctx, json_t *app, const char *term, const char *outcome,
		  const char *note, struct engine_out *out, struct pw_status *st);
int engine_continue(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *decision,
		    const char *reason, struct engine_out *out, struct pw_status *st);

#endif

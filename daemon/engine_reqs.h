/*
 * engine_reqs.h: inside the engine, shared by engine.c and engine_places.c
 * (not for other callers, who use engine.h). Where an application stands in
 * its programme and whether the requirements there are met; none of these
 * change the record.
 */
#ifndef PW_ENGINE_REQS_H
#define PW_ENGINE_REQS_H

#include "engine.h"

/* The cohort the application names; fatal() if it is not configured. */
const struct cohort *engine_app_cohort(const struct engine_ctx *ctx, const json_t *app);

/*
 * The stage the application is at, and its index in the programme when index
 * is not NULL; fatal() if the programme has no such stage.
 */
const struct stage *engine_app_stage(const struct engine_ctx *ctx, const json_t *app, int *index);

/*
 * The first requirement of kind in the application's current stage (for
 * submissions, the one for document doc when doc is not NULL), or NULL.
 */
const struct requirement *engine_stage_req(const struct engine_ctx *ctx, const json_t *app,
					   enum req_kind kind, const char *doc);

/*
 * Whether requirement q holds for the application: 1 or 0. Fills *have and
 * *need with how much of it is there and how much it takes.
 */
int engine_req_met(const struct engine_ctx *ctx, const json_t *app, const struct requirement *q,
		   int *have, int *need);

/*
 * How many invited raters of app have responded: in 360 category category
 * (a rater invited without one is in "others"), or in all when it is NULL.
 */
int engine_responses(const json_t *app, const char *category);

/* Whether stage s has a requirement of kind. */
int engine_stage_has(const struct stage *s, enum req_kind kind);

/* Whether every requirement of stage s holds for the application: 1 or 0. */
int engine_stage_met(const struct engine_ctx *ctx, const json_t *app, const struct stage *s);

/*
 * Whether ctx->candidate (and their school, ctx->school) meets every
 * eligibility rule in programme p for track (an index of p's tracks, -1 for
 * none): 0, or PW_ENOTELIGIBLE with st naming the first rule it fails.
 */
int engine_candidate_eligible(const struct engine_ctx *ctx, const struct programme *p, int track,
			      struct pw_status *st);

/*
 * Whether requirement q applies to the application: 1 when q names no
 * tracks or the application's track is among them, else 0.
 */
int engine_req_applies(const struct engine_ctx *ctx, const json_t *app,
		       const struct requirement *q);

/* 1 + the index of the first stage of p whose decision takes a place, or 0 if none does. */
int engine_capacity_stage(const struct programme *p);

#endif

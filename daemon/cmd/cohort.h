/*
 * cohort.h: the commands on cohorts, attendance and the answers to an offer
 * of a cohort's place (cmd/cohort.c).
 */
#ifndef PW_CMD_COHORT_H
#define PW_CMD_COHORT_H

#include <jansson.h>

#include "cmd/base.h"

int run_cohort_list(struct wctx *c, const json_t *args, json_t **data);
int run_cohort_get(struct wctx *c, const json_t *args, json_t **data);
int run_cohort_report(struct wctx *c, const json_t *args, json_t **data);
int run_attendance_record(struct wctx *c, const json_t *args, json_t **data);
/* application.accept_offer and application.decline_offer: a place offered from the waiting list. */
int run_offer_accept(struct wctx *c, const json_t *args, json_t **data);
int run_offer_decline(struct wctx *c, const json_t *args, json_t **data);

/* The engine step of application.record_attendance, for one application. */
int cohort_op_attend(struct wctx *c, const struct engine_ctx *e, json_t *app,
		     const struct app_op *op, struct engine_out *out);

#endif

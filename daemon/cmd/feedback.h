/*
 * feedback.h: the 360's commands (cmd/feedback.c).
 */
#ifndef PW_CMD_FEEDBACK_H
#define PW_CMD_FEEDBACK_H

#include <jansson.h>

#include "cmd/base.h"

int run_feedback_invite(struct wctx *c, const json_t *args, json_t **data);
int run_feedback_respond(struct wctx *c, const json_t *args, json_t **data);
int run_feedback_report(struct wctx *c, const json_t *args, json_t **data);
int run_feedback_questionnaire(struct wctx *c, const json_t *args, json_t **data);

#endif

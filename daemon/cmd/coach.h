/*
 * coach.h: coach training (cmd/coach.c).
 */
#ifndef PW_CMD_COACH_H
#define PW_CMD_COACH_H

#include <jansson.h>

#include "wctx.h"

int run_coach_record_training(struct wctx *c, const json_t *args, json_t **data);

#endif

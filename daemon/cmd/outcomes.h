/*
 * outcomes.h: cohort.outcomes, a cohort's outcome figures (cmd/outcomes.c).
 */
#ifndef PW_CMD_OUTCOMES_H
#define PW_CMD_OUTCOMES_H

#include <jansson.h>

#include "wctx.h"

int run_cohort_outcomes(struct wctx *c, const json_t *args, json_t **data);

#endif

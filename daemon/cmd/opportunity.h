/*
 * opportunity.h: reading opportunities (cmd/opportunity.c).
 */
#ifndef PW_CMD_OPPORTUNITY_H
#define PW_CMD_OPPORTUNITY_H

#include <jansson.h>

#include "wctx.h"

int run_opportunity_get(struct wctx *c, const json_t *args, json_t **data);
int run_opportunity_list(struct wctx *c, const json_t *args, json_t **data);

#endif

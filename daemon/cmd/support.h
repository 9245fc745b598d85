/*
 * support.h: the commands of partner-school support (cmd/support.c).
 */
#ifndef PW_CMD_SUPPORT_H
#define PW_CMD_SUPPORT_H

#include <jansson.h>

#include "wctx.h"

int run_support_request(struct wctx *c, const json_t *args, json_t **data);
int run_support_pair(struct wctx *c, const json_t *args, json_t **data);
int run_support_review(struct wctx *c, const json_t *args, json_t **data);
int run_support_end(struct wctx *c, const json_t *args, json_t **data);
int run_support_get(struct wctx *c, const json_t *args, json_t **data);
int run_support_list(struct wctx *c, const json_t *args, json_t **data);

#endif

/*
 * panel.h: a panel's decision and the reviews each term (cmd/panel.c).
 */
#ifndef PW_CMD_PANEL_H
#define PW_CMD_PANEL_H

#include <jansson.h>

#include "wctx.h"

int run_app_recommend(struct wctx *c, const json_t *args, json_t **data);
int run_app_close_panel(struct wctx *c, const json_t *args, json_t **data);
int run_app_review(struct wctx *c, const json_t *args, json_t **data);
int run_app_continue(struct wctx *c, const json_t *args, json_t **data);

#endif

/*
 * mine.h: application.mine (cmd/mine.c).
 */
#ifndef PW_CMD_MINE_H
#define PW_CMD_MINE_H

#include <jansson.h>

#include "wctx.h"

int run_app_mine(struct wctx *c, const json_t *args, json_t **data);

#endif

/*
 * key.h: the key registry's commands (cmd/key.c).
 */
#ifndef PW_CMD_KEY_H
#define PW_CMD_KEY_H

#include <jansson.h>

#include "wctx.h"

int run_key_add(struct wctx *c, const json_t *args, json_t **data);
int run_key_list(struct wctx *c, const json_t *args, json_t **data);
int run_key_revoke(struct wctx *c, const json_t *args, json_t **data);

#endif

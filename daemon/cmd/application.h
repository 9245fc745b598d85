/*
 * application.h: the commands on applications (cmd/application.c).
 */
#ifndef PW_CMD_APPLICATION_H
#define PW_CMD_APPLICATION_H

#include <jansson.h>

#include "wctx.h"

int run_app_create(struct wctx *c, const json_t *args, json_t **data);
int run_app_get(struct wctx *c, const json_t *args, json_t **data);
int run_app_history(struct wctx *c, const json_t *args, json_t **data);
int run_app_list(struct wctx *c, const json_t *args, json_t **data);
int run_app_op(struct wctx *c, const json_t *args, json_t **data);

/*
 * Choose which application command run_app_op runs next (by wire name):
 * the table calls it before running any command.
 */
void application_op_select(const char *name);

#endif

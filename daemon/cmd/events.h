/*
 * events.h: the event log and the outbox as commands (cmd/events.c).
 */
#ifndef PW_CMD_EVENTS_H
#define PW_CMD_EVENTS_H

#include <jansson.h>

#include "wctx.h"

int run_events_since(struct wctx *c, const json_t *args, json_t **data);
int run_outbox_list(struct wctx *c, const json_t *args, json_t **data);
int run_outbox_retry(struct wctx *c, const json_t *args, json_t **data);

#endif

/*
 * system.h: system.ping, system.backup and the manual clock (cmd/system.c).
 */
#ifndef PW_CMD_SYSTEM_H
#define PW_CMD_SYSTEM_H

#include <jansson.h>

#include "wctx.h"

int run_ping(struct wctx *c, const json_t *args, json_t **data);
int run_clock_set(struct wctx *c, const json_t *args, json_t **data);
int run_clock_advance(struct wctx *c, const json_t *args, json_t **data);

/*
 * system.backup: a consistent copy of the store into directory args.path
 * (compacted unless args.compact is false), made outside any transaction.
 * *data is { path, bytes }.
 */
int run_backup(struct store *s, const json_t *args, json_t **data, struct pw_status *st);

#endif

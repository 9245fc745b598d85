/*
 * system.h: system.ping, system.stats, system.backup and the manual clock
 * (cmd/system.c).
 */
#ifndef PW_CMD_SYSTEM_H
#define PW_CMD_SYSTEM_H

#include <jansson.h>

#include "wctx.h"

int run_ping(struct wctx *c, const json_t *args, json_t **data);
/* system.stats: the group commit's figures since the daemon started (group_stats). */
int run_stats(struct wctx *c, const json_t *args, json_t **data);
int run_clock_set(struct wctx *c, const json_t *args, json_t **data);
int run_clock_advance(struct wctx *c, const json_t *args, json_t **data);

/*
 * system.backup: a consistent copy of the store (compacted unless
 * args.compact is false), made outside any transaction, into
 * backup_dir/args.path: args.path is a name (a relative path of ids, no
 * ".."), the directories are made 0700 and data.mdb 0600. *data is
 * { path (absolute), bytes }. PW_EINVALID for a bad name, PW_EEXISTS when
 * it already holds a store, PW_ESTORE when the copy fails.
 */
int run_backup(struct store *s, const char *backup_dir, const json_t *args, json_t **data,
	       struct pw_status *st);

#endif

/*
 * retention.h: how long an ended application's personal data is kept
 * (retention.c): the purge when an application's "retention"
 * timer falls due, and retention.list. Arming the timers is timers.h
 * (retention_due, retention_arm, retention_sync).
 */
#ifndef PW_RETENTION_H
#define PW_RETENTION_H

#include <jansson.h>

#include "wctx.h"

/* A retention timer t fell due: purge its application (and maybe its candidate). */
int retention_purge(struct wctx *c, const json_t *t);

/* retention.list {limit?}: the purges armed, earliest first (posts' too, post_retention.h). */
int run_retention_list(struct wctx *c, const json_t *args, json_t **data);

#endif

/*
 * timers_sync.h: keeping armed timers in step with the configuration.
 */
#ifndef PW_TIMERS_SYNC_H
#define PW_TIMERS_SYNC_H

#include <jansson.h>

#include "wctx.h"

/*
 * Bring every cohort's timers in line with its configuration: arm the
 * reminder of each new session; for a session whose date, times or venue
 * changed, raise its SEQUENCE, re-arm its reminder and send members the
 * updated invitation; for a stage whose timing changed (deadline, reminders,
 * escalations, sending window, time zone), re-arm its applications' timers
 * from now, leaving out the moments already passed; index the applications
 * at a panel stage under each current member of its panel (panel_sync.c);
 * and move every ended application's retention timer (retention_sync) and
 * every ended post's (post_retention_sync).
 * Run at start-up and after each reload.
 */
int timers_sessions_sync(struct wctx *c);

/*
 * Arm the daily digest's timer at its next moment, or move it when the
 * configuration changed its time. Run at start-up and after each reload.
 */
int timers_digest_sync(struct wctx *c);

/*
 * Bring every application's retention timer in line with the configuration
 * (retention_years changed, a new daemon over an old store). Start-up and
 * reload, from timers_sessions_sync.
 */
int retention_sync(struct wctx *c);

#endif

/*
 * app_summary.h: an application in brief, for listings that draw many at
 * once (application.list with summary; cmd/app_summary.c).
 */
#ifndef PW_CMD_APP_SUMMARY_H
#define PW_CMD_APP_SUMMARY_H

#include <jansson.h>

#include "wctx.h"

/*
 * app as application.list's summary shows it to the actor (new reference):
 * id, cohort, programme, candidate, candidate_name, school, route, track,
 * status, stage, stage_entered, place, coach, overdue, offer, internship,
 * raters (as the actor may see them, without names) and, while active or
 * waiting, requirements; the rest of the record (documents, sign-offs,
 * decisions, attendance, career, free text) and the deadline are left out.
 * An LA adviser's or viewer's summary shares the record's values instead of
 * copying them: app must not change while the summary lives.
 */
json_t *cmd_app_summary(struct wctx *c, const json_t *app, const json_t *candidate);

#endif

/*
 * groups_check.h: a cohort's groups checked against their minimum size on a
 * date (groups_check.c).
 */
#ifndef PW_GROUPS_CHECK_H
#define PW_GROUPS_CHECK_H

#include <jansson.h>

#include "wctx.h"

/*
 * After start-up or a reload: each cohort with groups_check has its timer
 * ("G-" + cohort id, kind "group_check") at 09:00 local that day (or the
 * sending window's next opening), unless the check for that date was done;
 * a timer whose date changed moves, one no longer configured goes.
 */
int groups_check_sync(struct wctx *c);

/*
 * The timer fell due: every group of the cohort below its min gets event
 * group.below_min {"track", "size", "min"} and each LA adviser an
 * email (the programme's group_alert). The date is marked done in the
 * cohort's state ("groups_checked").
 */
int groups_check_fire(struct wctx *c, const json_t *t);

#endif

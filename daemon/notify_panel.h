/*
 * notify_panel.h: the emails of a panel's decision (notify_panel.c).
 */
#ifndef PW_NOTIFY_PANEL_H
#define PW_NOTIFY_PANEL_H

#include <jansson.h>

#include "wctx.h"

/*
 * After ev was logged: an application entering a stage that takes a panel
 * decision invites each member of its cohort's panel (the programme's
 * panel.invitation); application.panel_ready tells the chair (panel.ready).
 * 0 or the store's error.
 */
int notify_panel(struct wctx *c, const json_t *ev);

#endif

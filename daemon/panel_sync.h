/*
 * panel_sync.h: the panel members' index (DB_BY_PERSON) brought in line
 * with the configuration at start-up and after each reload.
 */
#ifndef PW_PANEL_SYNC_H
#define PW_PANEL_SYNC_H

#include "wctx.h"

/*
 * Index every application at a panel stage of a cohort (active there: the
 * stage index) under each member of that cohort's panel as configured now.
 * Entries of members no longer on a panel stay and give no access.
 * Returns 0 or PW_ESTORE.
 */
int panel_index_sync(struct wctx *c);

#endif

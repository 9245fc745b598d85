/*
 * app.h: showing the replies about applications; the data stays the
 * caller's.
 */
#ifndef PW_CTL_APP_H
#define PW_CTL_APP_H

#include <jansson.h>

/*
 * apply, get and every command on one application: its fields as
 * label-value lines, then its current requirements as a table.
 */
void app_show(const json_t *d);

/* list: applications as a table, with the next page's cursor. */
void app_list_show(const json_t *d);

/* register: how many were recorded, then the applications as a table. */
void app_register_show(const json_t *d);

#endif

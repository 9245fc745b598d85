/*
 * panel.h: showing an application's panel, reviews and continuations
 * (ctl/panel.c).
 */
#ifndef PW_CTL_PANEL_H
#define PW_CTL_PANEL_H

#include <jansson.h>

/*
 * Label-value lines for application a's panel recommendations (what the
 * daemon let the caller see of them), its term reviews, whether the LA is
 * asked about them, and the LA's continuations; nothing when it has none.
 */
void panel_show(const json_t *a);

#endif

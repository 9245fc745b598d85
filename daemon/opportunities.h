/*
 * opportunities.h: early notification of opportunities (training, regional
 * events, secondment posts advertised internally first). An LA adviser
 * publishes one with an audience of pool members and an early window: those
 * members are told at once, and when the window ends (a timer) it is
 * released to everyone else in the release roles.
 */
#ifndef PW_OPPORTUNITIES_H
#define PW_OPPORTUNITIES_H

#include <jansson.h>

#include "wctx.h"

/* opportunity.publish: store it, tell the matching pool members, arm the release. */
int opportunity_publish(struct wctx *c, const json_t *args, json_t **data);
/* The early window of opportunity id has ended: tell everyone else. */
int opportunity_release(struct wctx *c, const char *id);

#endif

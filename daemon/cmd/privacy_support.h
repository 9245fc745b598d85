/*
 * privacy_support.h: support requests and session bookings in a person's
 * erasure (cmd/privacy_support.c).
 */
#ifndef PW_CMD_PRIVACY_SUPPORT_H
#define PW_CMD_PRIVACY_SUPPORT_H

#include <jansson.h>

#include "wctx.h"

/*
 * The free text person id wrote on the support requests reqs (id -> S,
 * changed in place and stored): the need they raised, their review and end
 * notes. counts gets "support_requests". 0 or PW_ESTORE.
 */
int privacy_erase_support(struct wctx *c, const char *id, json_t *reqs, json_t *counts);

/*
 * Person id's bookings in the bookings records books ("cohort/session" ->
 * record, changed in place and stored): a seat of a session not yet started
 * cancelled (session.booking_cancelled, the seat going to the first waiting
 * as session.cancel_booking does), a place on a waiting list removed; a
 * started session's booking stays. counts gets "bookings". 0 or an error.
 */
int privacy_erase_bookings(struct wctx *c, const char *id, json_t *books, json_t *counts);

#endif

/*
 * offers.h: an offer of a freed place in the store (the engine decides,
 * engine_offers.c): the durable timer at which it expires, and what its
 * expiry does. Armed in the transaction that made the offer.
 */
#ifndef PW_OFFERS_H
#define PW_OFFERS_H

#include <jansson.h>

#include "wctx.h"

/*
 * Arm the expiry timer of app's open offer (kind "offer", under the
 * application, so leaving waitlisted cancels it). An app without an open
 * offer arms nothing. Returns 0 or PW_ESTORE.
 */
int offers_arm(struct wctx *c, const json_t *app);

/*
 * The offer-expiry timer t fell due: if its application still holds that
 * offer, it expires (application.offer_expired, actor pathwayd), and the
 * place is offered to the next application waiting, whose own timer is
 * armed (application.place_offered). A timer whose offer was answered does
 * nothing. Returns 0 or PW_ESTORE.
 */
int offers_expire(struct wctx *c, const json_t *t);

#endif

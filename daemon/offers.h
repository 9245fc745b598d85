/*
 * offers.h: an offer of a freed place in the store (the engine decides,
 * engine_offers.c): the durable timer at which it expires, and what its
 * expiry does. Armed in the transaction that made the offer.
 */
#ifndef PW_OFFERS_H
#define PW_OFFERS_H

#include <jansson.h>

#include "engine.h"
#include "wctx.h"

/*
 * Arm the expiry timer of app's open offer (kind "offer", under the
 * application, so leaving waitlisted cancels it). An app without an open
 * offer arms nothing. Returns 0 or PW_ESTORE.
 */
int offers_arm(struct wctx *c, const json_t *app);

/*
 * Offer the place freed for id (the engine took it off the waiting list,
 * engine_place_pass) to it, or, when its group has no room, to the first
 * application after it on the waiting list whose group has; one that
 * cannot take it keeps its turn. Any other refusal (the cohort's places
 * all held, offers closed) holds for every one after it: none is tried.
 * Returns the application offered the place
 * (the caller stores it, arms its timer and emits out's events), or NULL
 * when none could take it (the place stays free, for the LA).
 */
json_t *offers_pick(struct wctx *c, const struct engine_ctx *e, json_t *cstate, const char *id,
		    struct engine_out *out);

/*
 * The offer-expiry timer t fell due: if its application still holds that
 * offer, it expires (application.offer_expired, actor pathwayd), and the
 * place is offered to the next application waiting, whose own timer is
 * armed (application.place_offered). A timer whose offer was answered does
 * nothing. Returns 0 or PW_ESTORE.
 */
int offers_expire(struct wctx *c, const json_t *t);

#endif

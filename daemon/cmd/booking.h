/*
 * booking.h: the commands of bookable sessions (cmd/booking.c).
 */
#ifndef PW_CMD_BOOKING_H
#define PW_CMD_BOOKING_H

#include <jansson.h>

#include "wctx.h"

int run_session_book(struct wctx *c, const json_t *args, json_t **data);
int run_session_cancel_booking(struct wctx *c, const json_t *args, json_t **data);
int run_session_bookings(struct wctx *c, const json_t *args, json_t **data);

#endif

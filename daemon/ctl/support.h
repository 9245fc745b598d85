/*
 * support.h: how pathwayctl shows partner-school support requests and
 * session bookings (ctl/support.c).
 */
#ifndef PW_CTL_SUPPORT_H
#define PW_CTL_SUPPORT_H

#include <jansson.h>

/* support request, pair, review, end, get: one request as label-value lines. */
void support_show(const json_t *d);

/* support list: the requests as a table. */
void support_list_show(const json_t *d);

/* book, cancel-booking, bookings: a booking, and the lists when the reply has them. */
void booking_show(const json_t *d);

#endif

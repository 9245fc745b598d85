/*
 * page_booking.h: bookable sessions on a person's own page (page_booking.c),
 * for page_home.c, which draws the section, and nothing else.
 */
#ifndef PW_PAGE_BOOKING_H
#define PW_PAGE_BOOKING_H

#include <jansson.h>

#include "web.h"

/*
 * Called once with the sessions the signed-in person may book that have not
 * started, each {"cohort_id", "cohort", "timezone", "session", "booking"?}
 * (borrowed; the booking is session.bookings' for the person), or with NULL
 * when they could not be read.
 */
typedef void (*booking_fn)(json_t *rows, void *ud);

/* Ask pathwayd, with r's session, for the sessions to book; done runs later. */
void booking_load(struct req *r, booking_fn done, void *ud);
/* The section "Sessions you can book": each with seats left, the person's booking or place
 * on the waiting list, and a button (a POST form to /book) to book, join the waiting list,
 * cancel or leave it. rows NULL: a sentence saying they cannot be listed now. */
void booking_draw(struct pw_buf *b, struct req *r, const json_t *rows);

#endif

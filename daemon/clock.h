/*
 * clock.h: the daemon's one clock. Normally the system clock; configured as
 * "manual" (tests, rehearsals) it stands still until the API sets or
 * advances it, and its reading is kept in the store so a restart resumes
 * from where it was. Everything that needs the time asks this clock.
 */
#ifndef PW_CLOCK_H
#define PW_CLOCK_H

#include <stdint.h>

struct pw_clock {
	int manual;
	int64_t now; /* manual only: seconds since the epoch, UTC */
};

/* The current time in seconds since the epoch, UTC. */
int64_t clock_now(const struct pw_clock *c);

#endif

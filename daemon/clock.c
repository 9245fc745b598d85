/*
 * clock.c: the daemon's clock: the system's, or a manual one that only moves
 * when told (see clock.h).
 */
#include "clock.h"

#include "util.h"

int64_t
clock_now(const struct pw_clock *c)
{
	return c->manual ? c->now : pw_clock_now();
}

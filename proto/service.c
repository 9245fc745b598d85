/*
 * service.c: the programs' side of systemd's notification protocol through
 * libsystemd: READY=1 once serving, STOPPING=1 on the way out, and WATCHDOG=1
 * at most every half of WatchdogSec (WATCHDOG_USEC), read once on first use.
 * Without NOTIFY_SOCKET sd_notify does nothing, so running by hand, under a
 * test or another supervisor costs nothing.
 */
#include "service.h"

#include <stdint.h>
#include <systemd/sd-daemon.h>
#include <time.h>

static int watchdog_read;
static uint64_t watchdog_every; /* microseconds between keep-alives; 0: off */
static uint64_t watchdog_last;

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
service_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status != NULL ? status : "serving");
}

void
service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void
service_watchdog(void)
{
	uint64_t now;

	if (!watchdog_read) {
		uint64_t usec = 0;

		watchdog_read = 1;
		if (sd_watchdog_enabled(0, &usec) > 0)
			watchdog_every = usec / 2;
	}
	if (watchdog_every == 0)
		return;
	now = now_usec();
	if (watchdog_last != 0 && now - watchdog_last < watchdog_every)
		return;
	watchdog_last = now;
	sd_notify(0, "WATCHDOG=1");
}

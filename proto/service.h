/*
 * service.h: telling the service manager (systemd, sd_notify) how a program
 * is doing. Every call does nothing when the program was not started by it.
 */
#ifndef PW_SERVICE_H
#define PW_SERVICE_H

/* READY=1 with STATUS=status: the program serves. */
void service_ready(const char *status);
/* STOPPING=1: the program is on its way out. */
void service_stopping(void);
/* WATCHDOG=1 when the watchdog is on and half its interval has passed since
 * the last one: call it on every turn of the program's loop. */
void service_watchdog(void);

#endif

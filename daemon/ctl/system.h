/*
 * system.h: the subcommands about the daemon itself: ping, the clock,
 * backup, the outbox of notification jobs and the audit of the event log.
 * The show functions print a reply's data (it stays the caller's) for
 * people.
 */
#ifndef PW_CTL_SYSTEM_H
#define PW_CTL_SYSTEM_H

#include <jansson.h>

#include "ctl.h"

/* ping: the daemon's version, protocol, time and event head on one line. */
void system_ping_show(const json_t *d);

/* stats: the group commit's figures as label-value lines. */
void system_stats_show(const json_t *d);

/* clock, clock set, clock advance: the daemon's time. */
void system_clock_show(const json_t *d);

/* backup: how many bytes went where. */
void system_backup_show(const json_t *d);

/* outbox: the notification jobs as a table, with the next page's cursor. */
void system_jobs_show(const json_t *d);

/* outbox retry: one job as label-value lines. */
void system_job_show(const json_t *d);

/* audit verify: one request; exit status 1 when the chain is broken. */
int system_audit_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

/* audit verify: what was checked and the head's hash, or where the chain breaks and why. */
void system_audit_show(const json_t *d);

#endif

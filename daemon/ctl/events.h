/*
 * events.h: showing events: one event as a line, and the event log and an
 * application's history as tables. The data stays the caller's.
 */
#ifndef PW_CTL_EVENTS_H
#define PW_CTL_EVENTS_H

#include <jansson.h>

/* Event e as one line (seq, time, type, cohort, application, actor, data); the caller frees it. */
char *events_line(const json_t *e);

/* events: the log as a table, with where to go on while the head is further. */
void events_log_show(const json_t *d);

/* history: an application's events as a table, with the next page's cursor. */
void events_history_show(const json_t *d);

#endif

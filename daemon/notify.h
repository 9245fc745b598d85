/*
 * notify.h: turning events into notification jobs. The programme's rules
 * say which event notifies which roles with which template; this module
 * finds the people in those roles for the application, fills the template
 * variables, and writes one outbox job per recipient in the transaction of
 * the change that caused it (DESIGN.md guarantee 2).
 */
#ifndef PW_NOTIFY_H
#define PW_NOTIFY_H

#include <jansson.h>

#include "wctx.h"

/*
 * Write the jobs that event ev (already in the log, with its seq) causes
 * under the rules of its application's programme. Returns 0 or PW_ESTORE.
 */
int notify_event(struct wctx *c, const json_t *ev);

/*
 * Write jobs with template t to everyone in roles 'to' related to app, for
 * event ev (a reminder or escalation; raters are those yet to respond).
 */
int notify_nudge(struct wctx *c, const json_t *ev, const json_t *app, int to,
		 const struct template *t);

/*
 * Write a session notice (reminder or update, template of n) for app about
 * session s of cohort co, with that session's calendar attached when with_ics.
 * A coaches' session goes only to the coach roles of n. People in seen (when
 * not NULL) are skipped, and everyone written to is added to it, so a coach
 * of several candidates hears once.
 */
int notify_session(struct wctx *c, const json_t *ev, const json_t *app, const struct cohort *co,
		   const struct session *s, const struct nudge *n, int with_ics, json_t *seen);

/* The requirements of the application's current stage, met or not (engine_requirements). */
json_t *notify_requirements(const struct wctx *c, const json_t *app);

/* What requirements (notify_requirements) still ask for, in words (a new JSON string). */
json_t *notify_todo(const json_t *reqs);

/*
 * The template variables of event ev on app of cohort co (a new object);
 * records it names are kept alive in keep until the caller frees it.
 */
json_t *notify_event_vars(struct wctx *c, const json_t *ev, const json_t *app,
			  const struct cohort *co, json_t *keep);

/* Write one job with template t to one person (recipient variables added here). */
int notify_person(struct wctx *c, const json_t *ev, const char *person, const char *role,
		  const struct template *t, const json_t *vars);
/* As notify_person, with attachments (an array of { filename, type, content }). */
int notify_person_att(struct wctx *c, const json_t *ev, const char *person, const char *role,
		      const struct template *t, const json_t *vars, const json_t *attachments);

/*
 * Write the alert to every LA adviser that job (now dead) was not
 * delivered. Nothing is written for a job that was itself such an alert.
 */
int notify_dead(struct wctx *c, const json_t *job);

/*
 * The attachments array holding cohort co's calendar (its .ics) for
 * track's participants, or only session only of it (with track NULL,
 * whatever that session's tracks), with the SEQUENCE its cohort state keeps.
 */
json_t *notify_calendar(struct wctx *c, const struct cohort *co, const char *only,
			const char *track);

#endif

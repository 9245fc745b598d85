/*
 * notify_words.h: the words of a notification that depend on the state of
 * the application or on who reads it, as template variables (see
 * notify_words.c and the catalogue in variables.c).
 */
#ifndef PW_NOTIFY_WORDS_H
#define PW_NOTIFY_WORDS_H

#include <jansson.h>

#include "wctx.h"

/*
 * Add to v the variables an event ev on app (of cohort co) provides in
 * words: the route's word, who withdrew or nominated, whether the cohort is
 * over-subscribed, when the step is due (or how long overdue), what a 360
 * still needs (reqs: the stage's requirements), and the forms that turn
 * into "you" for one reader, kept under the hidden key ".you" until
 * notify_words_reader. Names read from the store are copied into v.
 */
void notify_words_event(struct wctx *c, const json_t *ev, const json_t *app,
			const struct cohort *co, const json_t *reqs, json_t *v);

/*
 * Make v (one recipient's copy) speak to person: each variable whose
 * person it is becomes "you" (or "your"); the hidden key goes.
 */
void notify_words_reader(json_t *v, const char *person);

/*
 * The variables of the alert that job (dead) was not delivered: the job,
 * the recipient, the email's subject, the reason in plain words and the
 * error as reported. Returns a new object.
 */
json_t *notify_words_failed(struct wctx *c, const json_t *job);

/* "1 day", "2 days" (a new JSON string). */
json_t *notify_words_days(long long n);

#endif

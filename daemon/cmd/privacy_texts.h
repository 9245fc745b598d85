/*
 * privacy_texts.h: the free text an erased person wrote, taken out of the
 * emails still to go to others (cmd/privacy_texts.c).
 */
#ifndef PW_CMD_PRIVACY_TEXTS_H
#define PW_CMD_PRIVACY_TEXTS_H

#include <jansson.h>

#include "wctx.h"

/* What stands in an email for a text its writer's erasure removed. */
#define PRIVACY_TEXT_REMOVED "(removed: personal data erased)"

/*
 * texts (an object, filled by the functions below; NULL: nothing is kept)
 * maps "app/ID" and "support/ID" to [[VAR, TEXT]...]: the texts erased from
 * that application or support request, each with the template variable
 * that carries it ("reason", "note", "need", "career"); a career step's
 * has a third element, the start of its line in "career" ("  DATE: ROLE, ").
 */

/* Add one text (NULL or "" ignored) erased from KIND/ID ("app" or "support"), carried by var. */
void privacy_texts_add(json_t *texts, const char *kind, const char *id, const char *var,
		       const char *text);

/*
 * The texts the erasure removed from application app: its record before
 * and after (the withdrawal reason, the forms' return notes, the schools
 * of career steps).
 */
void privacy_texts_app(json_t *texts, const char *app, const json_t *before, const json_t *after);

/* The same for support requests: id -> S before and after (the need, the end's note). */
void privacy_texts_support(json_t *texts, const json_t *before, const json_t *after);

/*
 * Replace in vars (a job's template variables) the texts of list
 * ([[VAR, TEXT]...]) by PRIVACY_TEXT_REMOVED: a whole "reason", "note" or
 * "need" equal to one of VAR's texts (only when whole is set), a career
 * step's school in "career" (whole set too), and the other texts as whole
 * words (3 characters or more) in "failed_subject" and "notices", which
 * quote other emails' subjects. Returns how many variables changed.
 */
int privacy_texts_redact(json_t *vars, const json_t *list, int whole);

/* s (a subject) with list's texts but schools as whole words replaced, or NULL if none was. */
char *privacy_texts_line(const char *s, const json_t *list);

/*
 * In every outbox job (any state) and held digest notice not addressed to
 * person, replace the texts the erasure removed: those of the job's
 * application ("app") or support request ("request_id" in its variables),
 * or, in one about neither, any of them in the subjects it quotes.
 * counts gets "jobs_redacted" (jobs changed) and "jobs_redacted_in_flight"
 * (those of them leased to a worker now). 0 or PW_ESTORE.
 */
int privacy_texts_scrub(struct wctx *c, const json_t *texts, const char *person, json_t *counts);

#endif

/*
 * privacy_find.h: what the store holds about one person, found through the
 * indexes (cmd/privacy_find.c), for person.export, person.erase and the
 * retention purge: the cost is what the person has, not what the store
 * holds.
 */
#ifndef PW_CMD_PRIVACY_FIND_H
#define PW_CMD_PRIVACY_FIND_H

#include <jansson.h>

#include "wctx.h"

struct holdings {
	json_t *events;	  /* [E...]: the events naming them (DB_PERSON_EVENTS), by seq */
	json_t *apps;	  /* app id -> A: every application they stand in, own or another's */
	json_t *own;	  /* app id -> A: those where they are the candidate (also in apps) */
	json_t *support;  /* request id -> S: support requests they raised, wrote on or serve */
	json_t *bookings; /* "cohort/session" -> that session's bookings, theirs among them */
};

/*
 * Fill h for person p: the events naming them; the applications those
 * events are on, those DB_BY_PERSON lists under their id (coach, rater) and
 * under "school:" their school when a host, those of their school
 * (DB_BY_SCHOOL) when a headteacher; their own among them (the candidate's
 * application.created names them); the support requests and session
 * bookings events name (support.* "request"; session.* "cohort" and
 * "session") with them in it. 0 or PW_ESTORE (st filled). Clear h after.
 */
int privacy_holdings(struct wctx *c, const json_t *p, struct holdings *h);
void privacy_holdings_clear(struct holdings *h);

/* Add the support requests events evs name (support.* "request") to h->support. */
int privacy_support_from(struct wctx *c, const json_t *evs, struct holdings *h);

/* The events of application app, loaded, in seq order, as a new array (NULL: a store error). */
json_t *privacy_app_events(struct wctx *c, const char *app);

/* Visit the forms of application app (DB_FORMS "APP/FORM") in key order. 0 or PW_ESTORE. */
int privacy_forms(struct wctx *c, const char *app, store_rec_fn fn, void *ud);

/* Visit the forms person id filled in or returned (DB_PERSON_FORMS). 0 or PW_ESTORE. */
int privacy_forms_by(struct wctx *c, const char *id, store_rec_fn fn, void *ud);

/* The 360 self-assessment of an application (its "self" response), as {"id", "rec"}, or NULL. */
json_t *privacy_self_find(struct wctx *c, const char *app);

/*
 * The records of db (id -> record, as a new object in *out) whose stored
 * JSON holds id as a whole string, or name or email (3 characters or more)
 * inside a string: the others are skipped unparsed. 0 or PW_ESTORE.
 */
int privacy_grep(struct wctx *c, enum store_db db, const char *id, const char *name,
		 const char *email, json_t **out);
/*
 * The records of db (id -> record, a new object in *out) whose stored JSON
 * holds one of the n texts inside a string (NULL entries are skipped).
 * 0 or PW_ESTORE.
 */
int privacy_grep_texts(struct wctx *c, enum store_db db, const char *const *texts, size_t n,
		       json_t **out);

/* The keys of o in key (strcmp) order: a new array of n, borrowed from o; free it. */
const char **privacy_sorted_keys(const json_t *o, size_t *n);

/* Whether o's "by" is id. */
int privacy_by(const json_t *o, const char *id);

#endif

/*
 * store.h: the LMDB environment and its named databases (DESIGN.md, "The
 * store"). Records are versioned JSON objects; numeric keys are big-endian so
 * they sort by number. The store stores: it never decides. All functions run
 * inside a transaction the caller owns; nested transactions let one command
 * of a batch fail without touching the others.
 */
#ifndef PW_STORE_H
#define PW_STORE_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "proto.h"

#define STORE_SCHEMA_VERSION 7

enum store_db {
	DB_APPS,	    /* app id -> application record */
	DB_PEOPLE,	    /* person id -> person record */
	DB_SCHOOLS,	    /* school id -> school record */
	DB_COHORTS,	    /* cohort id -> cohort state: places taken, waiting list, counts */
	DB_BY_STAGE,	    /* cohort \0 position \0 app id -> "" (position: stage or status) */
	DB_BY_SCHOOL,	    /* school \0 app id -> "" */
	DB_EVENTS,	    /* seq (u64 BE) -> event */
	DB_APP_EVENTS,	    /* app id \0 seq (u64 BE) -> "" */
	DB_REQUESTS,	    /* actor \0 request id -> {"at", "reply"} */
	DB_META,	    /* name -> value: "schema", counters, the manual clock */
	DB_PEOPLE_ROLE,	    /* role \0 school (or "") \0 person id -> "" */
	DB_OUTBOX,	    /* job id -> notification job */
	DB_OUTBOX_DUE,	    /* next attempt (u64 BE) job id -> "": pending jobs by due time */
	DB_TIMERS,	    /* due time (u64 BE) timer id -> "": armed timers by due time */
	DB_TIMER_RECS,	    /* timer id -> timer (application, stage, kind, what) */
	DB_APP_TIMERS,	    /* app id \0 timer id -> "": to cancel an application's timers */
	DB_OVERDUE,	    /* cohort \0 app id -> "": applications past their stage's deadline */
	DB_OPPORTUNITIES,   /* opportunity id -> opportunity (audience, window, who was told) */
	DB_DIGESTS,	    /* person id -> notices held for their next daily digest */
	DB_OUTBOX_INFLIGHT, /* 0 (u64 BE) job id -> "": jobs leased to a worker */
	DB_REQUESTS_DUE,    /* time (u64 BE) actor \0 request id -> "": requests by age */
	DB_KEYS,	    /* key id -> CURVE key: public half, principal, created, revoked */
	DB_KEYS_BY_PUBLIC,  /* public key (Z85) \0 key id -> "": ZAP's look-up */
	DB_TOKENS,	    /* "secret"/"used"/"session"/"rate" : id -> token state (token.h) */
	DB_FORMS,	 /* app id "/" form id -> a form's content: draft or submitted, returns */
	DB_FEEDBACK,	 /* response id (random) -> a 360 response: category, ratings, comments */
	DB_APP_FEEDBACK, /* app id \0 response id -> "": an application's 360 responses */
	DB_BY_PERSON, /* person id (or "school:" host school) \0 app id -> "": coach, rater, host */
	DB_SUPPORT,   /* request id -> a school's support request and its pairing (partners.c) */
	DB_BOOKINGS,  /* cohort "/" session -> a session's booked and waiting (bookings.c) */
	DB_POSTS,     /* post id -> a secondment post: its text, criteria, panel, state (posts.c) */
	DB_POST_APPS, /* post id "/" round "/" person -> an application to a post, its scores */
	DB_PERSON_EVENTS, /* person id \0 seq (u64 BE) -> "": the events naming them */
	DB_PERSON_FORMS,  /* person id \0 app id "/" form id -> "": forms they filled or returned */
	DB_COUNT
};

struct store;

/*
 * Open (creating if needed) the environment in directory path with the
 * given map size. Refuses a store whose schema version is not
 * STORE_SCHEMA_VERSION, except versions 1 to 5, which it upgrades (the
 * indexes of version 2 built from the records; version 3 scopes stored
 * replies by principal; version 4 adds the forms and 360 databases; version
 * 5 indexes applications by coach, rater and host school; version 6 chains
 * the events by hash; version 7 indexes the events by the people they name
 * and the forms by who filled them in).
 * On success *out owns the store.
 */
int store_open(const char *path, size_t map_size, struct store **out, struct pw_status *st);
void store_close(struct store **s);

/* Begin a transaction: read-only when rdonly; a child of parent when parent is non-NULL. */
int store_txn_begin(struct store *s, MDB_txn *parent, int rdonly, MDB_txn **txn,
		    struct pw_status *st);
/* Commit and null *txn. Returns PW_ESTORE with st filled on failure (the txn is gone either way).
 */
int store_txn_commit(MDB_txn **txn, struct pw_status *st);
void store_txn_abort(MDB_txn **txn);

/* Get a record: *out is a new reference, or PW_ENOTFOUND. */
int store_rec_get(struct store *s, MDB_txn *txn, enum store_db db, const char *id, json_t **out);
/* Put a record (replacing). Returns 0 or PW_ESTORE. */
int store_rec_put(struct store *s, MDB_txn *txn, enum store_db db, const char *id,
		  const json_t *rec, struct pw_status *st);
/* Delete a record; 0 (also when it was not there) or PW_ESTORE. */
int store_rec_del(struct store *s, MDB_txn *txn, enum store_db db, const char *id);
int store_rec_exists(struct store *s, MDB_txn *txn, enum store_db db, const char *id);

/* Index keys are parts joined by NUL bytes. */
int store_index_put(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		    const char *c, struct pw_status *st);
int store_index_del(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		    const char *c);

/*
 * Visit the keys of index db that start with the parts a (and b when not
 * NULL), in key order. With after1 (and after2), start after the key
 * prefix + after1 [+ after2] + last part. fn receives the last key part (the
 * app id); it returns 0 to go on, 1 to stop. Returns 0 or PW_ESTORE.
 */
typedef int (*store_visit_fn)(const char *last, void *ud);
/* A store_visit_fn that appends each id it is given to the JSON array ud; 0. */
int store_collect_id(const char *last, void *ud);
int store_index_scan(struct store *s, MDB_txn *txn, enum store_db db, const char *a, const char *b,
		     const char *after1, const char *after2, store_visit_fn fn, void *ud);

/* Visit every record of db in key order; fn returns 0 to go on, 1 to stop. */
typedef int (*store_rec_fn)(const char *id, json_t *rec, void *ud);
int store_rec_scan(struct store *s, MDB_txn *txn, enum store_db db, const char *after,
		   store_rec_fn fn, void *ud);
/* A store_rec_fn that appends each record it is given to the JSON array ud; 0. */
int store_collect_rec(const char *id, json_t *rec, void *ud);
/* Visit the records of db whose keys begin with prefix, in key order, as store_rec_scan. */
int store_rec_prefix_scan(struct store *s, MDB_txn *txn, enum store_db db, const char *prefix,
			  store_rec_fn fn, void *ud);
/* The records of db whose keys begin with prefix: *out, a new object key -> record. */
int store_rec_prefix(struct store *s, MDB_txn *txn, enum store_db db, const char *prefix,
		     json_t **out);

/*
 * Append an event: give it the next sequence number (last in the log + 1, so
 * an aborted child transaction leaves no gap) and store it, and index it
 * under its "app" when it has one. Sets "seq" in ev. When text is not NULL,
 * *text gets the bytes stored, the event's canonical form (the caller frees
 * it), so that publishing it need not encode it again.
 */
int store_event_append(struct store *s, MDB_txn *txn, json_t *ev, uint64_t *seq, char **text,
		       struct pw_status *st);
/*
 * The events by person (store_person.c): the entries of DB_PERSON_EVENTS for
 * event ev (seq): the people among its "actor" and the strings inside its
 * "data" (store_event_append calls it). An LMDB error code or 0.
 */
int store_person_index_event(struct store *s, MDB_txn *txn, const json_t *ev, uint64_t seq);
/*
 * The entries of DB_PERSON_FORMS for form record rec stored under key
 * ("APP/FORM"): its "by" and the "by" of each of its "returns" (cmd/form.c
 * calls it wherever it stores a form). 0 or PW_ESTORE with st filled.
 */
int store_person_index_form(struct store *s, MDB_txn *txn, const char *key, const json_t *rec,
			    struct pw_status *st);
/* Visit the seqs, in order, of the events naming person id (DB_PERSON_EVENTS) or of app. */
typedef int (*store_seq_fn)(uint64_t seq, void *ud);
int store_person_events(struct store *s, MDB_txn *txn, const char *id, store_seq_fn fn, void *ud);
int store_app_event_seqs(struct store *s, MDB_txn *txn, const char *app, store_seq_fn fn, void *ud);
/* One event by its seq: *out a new reference, or PW_ENOTFOUND. */
int store_event_get(struct store *s, MDB_txn *txn, uint64_t seq, json_t **out);
/*
 * Visit, in key order, only the records of db whose stored JSON holds one of
 * the n needles (NULL or "" skipped) as bytes: the others are not parsed.
 */
int store_rec_grep(struct store *s, MDB_txn *txn, enum store_db db, const char *const *needles,
		   size_t n, store_rec_fn fn, void *ud);
/* The last sequence number in the log (0 when empty). */
int store_event_head(struct store *s, MDB_txn *txn, uint64_t *seq);
/* Events with seq > after, at most limit, as a new array. */
int store_events_since(struct store *s, MDB_txn *txn, uint64_t after, int limit, json_t **out);
/*
 * The events of one application with seq > after, in order, at most limit, as
 * a new array; *next is the seq to pass as 'after' for the rest, or 0 when
 * there is no more.
 */
int store_app_events(struct store *s, MDB_txn *txn, const char *app, uint64_t after, int limit,
		     json_t **out, uint64_t *next);

/*
 * The hash chain of the log (store_chain.c; PROTOCOL.md, "The hash chain"):
 * every event's "prev" is the hash of the event before it (64 zeros for the
 * first), an event's hash being BLAKE2b-256 of its canonical form (its JSON,
 * keys sorted, no whitespace) as 64 lowercase hex digits.
 */
#define STORE_HASH_HEX 65
/* The hash of event ev into hex. */
void store_event_hash(const json_t *ev, char hex[STORE_HASH_HEX]);
/* The hash of the last event of the log (64 zeros when it is empty). 0 or PW_ESTORE. */
int store_head_hash(struct store *s, MDB_txn *txn, char hex[STORE_HASH_HEX]);

struct store_audit {
	int ok;
	uint64_t checked; /* events checked */
	uint64_t head;
	char head_hash[STORE_HASH_HEX];
	uint64_t broken_at; /* when !ok: the first event that breaks the chain */
	char reason[200];
};
/*
 * Check the chain from event from (1 at least) to the head, or over at most
 * limit events when limit > 0: each event's seq, and its prev against the
 * hash of the event before it (event from - 1 included), and the head hash
 * when the head is reached. Streams through the log with a cursor. Returns
 * 0 with *a filled (broken or not), or PW_ESTORE.
 */
int store_audit_verify(struct store *s, MDB_txn *txn, uint64_t from, uint64_t limit,
		       struct store_audit *a);

/*
 * Idempotency: the stored reply for (scope, reqid), or PW_ENOTFOUND. The
 * scope names who sent it ("PRINCIPAL/ACTOR"); sum fingerprints the command
 * and its arguments: a stored reply whose sum differs is PW_EINVALID (the
 * id was reused for another request). NULL sums match anything.
 */
int store_request_get(struct store *s, MDB_txn *txn, const char *scope, const json_t *reqid,
		      const char *sum, json_t **reply);
int store_request_put(struct store *s, MDB_txn *txn, const char *scope, const json_t *reqid,
		      const char *sum, const json_t *reply, int64_t now, struct pw_status *st);
/* The same with the reply already encoded (proto_encode): stored as it is, not encoded again. */
int store_request_put_text(struct store *s, MDB_txn *txn, const char *scope, const json_t *reqid,
			   const char *sum, const char *reply, int64_t now, struct pw_status *st);
/* Delete stored replies recorded before 'before'; *n gets how many. */
int store_requests_prune(struct store *s, MDB_txn *txn, int64_t before, size_t *n);

/* Increment and return the named counter in meta (first value 1). */
int store_counter_next(struct store *s, MDB_txn *txn, const char *name, uint64_t *out,
		       struct pw_status *st);

/*
 * Due-time indexes (DB_OUTBOX_DUE): keys are an 8-byte big-endian time then
 * an id, so a cursor walks them in due order and stops at the first one not
 * yet due: the cost is proportional to what is due, not to what is queued.
 */
int store_due_put(struct store *s, MDB_txn *txn, enum store_db db, int64_t at, const char *id,
		  struct pw_status *st);
int store_due_del(struct store *s, MDB_txn *txn, enum store_db db, int64_t at, const char *id);
/* Visit entries due at or before upto, in due order; fn returns 0 to go on, 1 to stop. */
typedef int (*store_due_fn)(int64_t at, const char *id, void *ud);
int store_due_scan(struct store *s, MDB_txn *txn, enum store_db db, int64_t upto, store_due_fn fn,
		   void *ud);
/* The earliest due time in db, or PW_ENOTFOUND when it is empty. */
int store_due_first(struct store *s, MDB_txn *txn, enum store_db db, int64_t *at);

/* Hot backup into directory path (must exist, must not hold data.mdb); compacts when asked. */
int store_backup(struct store *s, const char *path, int compact, struct pw_status *st);

/* Number of entries in db (from LMDB's statistics, no scan). */
int store_count(struct store *s, MDB_txn *txn, enum store_db db, uint64_t *n);

#endif

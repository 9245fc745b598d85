/*
 * store_internal.h: inside the store, shared by its files (other callers use
 * store.h). The handle is the LMDB environment and one database handle per
 * enum store_db. The files are layered, each calling only those below it:
 * store.c (the environment, transactions, the schema and its upgrades) over
 * store_events.c (the event log and request ids) over store_person.c (the
 * events by person) over store_chain.c (the
 * log's hash chain) over store_index.c (index and due-time keys) over
 * store_records.c (records, counters, and the encodings everything shares).
 */
#ifndef PW_STORE_INTERNAL_H
#define PW_STORE_INTERNAL_H

#include "store.h"

struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
};

/* Numbers in keys are 8 bytes, big-endian, so that keys sort by number. */
static inline void
store_be64_put(unsigned char *b, uint64_t x)
{
	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(x & 0xff);
		x >>= 8;
	}
}

static inline uint64_t
store_be64_get(const unsigned char *b)
{
	uint64_t x = 0;

	for (int i = 0; i < 8; i++)
		x = (x << 8) | b[i];
	return x;
}

/* store_records.c */

/* The LMDB name of each database, indexed by enum store_db. */
extern const char *const store_db_names[DB_COUNT];

/* Decode record v under key k of db and hand it to fn (store_rec_scan's); fn's answer. */
int store_rec_visit(enum store_db db, const MDB_val *k, const MDB_val *v, store_rec_fn fn,
		    void *ud);

/* Fill st with LMDB's error rc while doing what; returns PW_ESTORE. */
int store_lmdb_fail(struct pw_status *st, int rc, const char *what);

/*
 * Store rec, encoded as compact JSON, under key k of db with LMDB put flags.
 * Returns 0, or PW_ESTORE with st filled (a full map says which setting to
 * raise).
 */
int store_json_put(struct store *s, MDB_txn *txn, enum store_db db, MDB_val *k, const json_t *rec,
		   unsigned flags, struct pw_status *st);

/* store_person.c */

/*
 * The upgrade to schema version 7: DB_PERSON_EVENTS emptied and built from
 * the whole log, DB_PERSON_FORMS from the forms. *n gets how many events
 * were read. 0, or PW_ESTORE with st.
 */
int store_person_index_rebuild(struct store *s, MDB_txn *txn, size_t *n, struct pw_status *st);

/* store_chain.c */

/* The canonical form of event ev (keys sorted, compact), as a new string. */
char *store_event_canonical(const json_t *ev);

/*
 * Store event ev (with its "seq" and "prev") in its canonical form under key
 * k of DB_EVENTS with LMDB put flags, and record its hash as the head hash.
 * When text is not NULL and the event was stored, *text gets the canonical
 * form (the caller frees it). Returns 0, or PW_ESTORE with st filled.
 */
int store_chain_put(struct store *s, MDB_txn *txn, MDB_val *k, const json_t *ev, unsigned flags,
		    char **text, struct pw_status *st);

/*
 * The upgrade to schema version 6: give every event in the log its "prev",
 * in seq order from 64 zeros, rewriting each in its canonical form, and set
 * the head hash. *n gets how many. Returns 0, or PW_ESTORE with st filled.
 */
int store_chain_rebuild(struct store *s, MDB_txn *txn, size_t *n, struct pw_status *st);

/* store_index.c */

/* Join the parts a, b, c (up to the first NULL) with NUL bytes into buf; returns the length. */
size_t store_index_key(char *buf, size_t cap, const char *a, const char *b, const char *c);

/* The due-time key of id at time at (before 0 counts as 0) into buf; returns the length. */
size_t store_due_key(char *buf, size_t cap, int64_t at, const char *id);

/* store_events.c */

/*
 * Index the request record keyed k by its time at (DB_REQUESTS_DUE: the time,
 * then k). Returns 0 or an LMDB error code.
 */
int store_request_age_put(struct store *s, MDB_txn *txn, const MDB_val *k, int64_t at);

#endif

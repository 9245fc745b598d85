/*
 * bench_create.h: the records one person.create makes durable, put straight
 * into the daemon's databases, for the benchmarks that bound the command
 * (pw-bench-api lmdb-create, pw-bench-bound). Include after store_internal.h.
 *
 * What one person.create writes (a daemon's store after a closed-loop run,
 * read back): the person record (152 bytes under its id) in people, its entry
 * in people_role (role, school, id), the event (217 bytes, appended under its
 * seq) in events, the chain's head hash in meta, the event's entry in
 * person_events (id, seq), the idempotency record (271 bytes under principal
 * and request id) in requests and its entry in requests_due (time, then that
 * key). The ids are those of the closed loop: client c, sequence i.
 */
#ifndef PW_BENCH_CREATE_H
#define PW_BENCH_CREATE_H

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The seven records of person.create number i of client c, in txn; an LMDB error or 0. */
static inline int
create_put(struct store *s, MDB_txn *txn, const char *tag, int c, long i, uint64_t seq)
{
	static char val[300];
	char id[64], key[128], rk[96];
	MDB_val k, v = {0, val}, none = {0, (void *)""};
	size_t idn = (size_t)snprintf(id, sizeof id, "b%s-%d-%ld", tag, c, i), rkn;
	int rc;

	if (val[0] == '\0')
		memset(val, 'x', sizeof val);
	k = (MDB_val){idn, id}, v.mv_size = 152;
	rc = mdb_put(txn, s->dbi[DB_PEOPLE], &k, &v, 0);
	k.mv_size = (size_t)snprintf(key, sizeof key, "candidate%c%c%s", 0, 0, id);
	k.mv_data = key;
	rc = rc ? rc : mdb_put(txn, s->dbi[DB_PEOPLE_ROLE], &k, &none, 0);
	store_be64_put((unsigned char *)key, seq);
	k.mv_size = 8, v.mv_size = 217;
	rc = rc ? rc : mdb_put(txn, s->dbi[DB_EVENTS], &k, &v, MDB_APPEND);
	k = (MDB_val){9, "head_hash"}, v.mv_size = 64;
	rc = rc ? rc : mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
	memcpy(key, id, idn + 1);
	store_be64_put((unsigned char *)key + idn + 1, seq);
	k = (MDB_val){idn + 9, key};
	rc = rc ? rc : mdb_put(txn, s->dbi[DB_PERSON_EVENTS], &k, &none, 0);
	/* The request's key (principal, request id), then its age entry: time, key. */
	rkn = (size_t)snprintf(rk, sizeof rk, "operator/operator%c\"%s-%d-%ld\"", 0, tag, c, i);
	k = (MDB_val){rkn, rk}, v.mv_size = 271;
	rc = rc ? rc : mdb_put(txn, s->dbi[DB_REQUESTS], &k, &v, 0);
	store_be64_put((unsigned char *)key, (uint64_t)time(NULL));
	memcpy(key + 8, rk, rkn);
	k = (MDB_val){8 + rkn, key};
	return rc ? rc : mdb_put(txn, s->dbi[DB_REQUESTS_DUE], &k, &none, 0);
}

#endif

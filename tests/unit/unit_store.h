/*
 * unit_store.h: the store fixture shared by the cmocka tests of the store
 * (include it after unit.h): a fresh store in a temporary directory for each
 * test group or test (unit_store_setup / unit_store_teardown), and write or
 * read transactions that fail the test with the store's message.
 * Everything here is static: each test program includes it once.
 */
#ifndef PW_UNIT_STORE_H
#define PW_UNIT_STORE_H

#include <lmdb.h>

#include "store.h"

#define UNIT_STORE_MAP (64u << 20)

static char *tmp;	/* the temporary directory; the store is tmp/db */
static char *dbdir;	/* tmp/db */
static struct store *s; /* the open store */
static struct pw_status st;

static inline int
unit_store_setup(void **state)
{
	(void)state;
	tmp = unit_tmpdir();
	dbdir = xasprintf("%s/db", tmp);
	if (store_open(dbdir, UNIT_STORE_MAP, &s, &st) != 0) {
		fprintf(stderr, "%s\n", st.msg);
		return -1;
	}
	return 0;
}

static inline int
unit_store_teardown(void **state)
{
	(void)state;
	store_close(&s);
	free(dbdir);
	dbdir = NULL;
	unit_rmtree(tmp);
	tmp = NULL;
	return 0;
}

/* A top-level transaction, read-only when rdonly. */
static inline MDB_txn *
unit_store_begin(int rdonly)
{
	MDB_txn *txn = NULL;

	if (store_txn_begin(s, NULL, rdonly, &txn, &st) != 0)
		fail_msg("%s", st.msg);
	return txn;
}

static inline void
unit_store_commit(MDB_txn **txn)
{
	if (store_txn_commit(txn, &st) != 0)
		fail_msg("%s", st.msg);
	assert_null(*txn);
}

#endif

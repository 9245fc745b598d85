/*
 * store_forget.h: stored replies that name an erased person forgotten
 * before their time (store_forget.c).
 */
#ifndef PW_STORE_FORGET_H
#define PW_STORE_FORGET_H

#include <stddef.h>

#include "store.h"

/*
 * Delete every stored reply (DB_REQUESTS, with its DB_REQUESTS_DUE entry)
 * whose JSON holds one of the n words (NULL or "" skipped) as a whole
 * string; *forgotten says how many. Returns 0 or PW_ESTORE. It reads every
 * stored reply: idempotency_hours of them.
 */
int store_requests_forget(struct store *s, MDB_txn *txn, const char *const *words, size_t n,
			  size_t *forgotten);

#endif

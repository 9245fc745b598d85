/*
 * audit.c: audit.verify, for LA advisers and the operator: whether the
 * event log still is what pathwayd wrote. The store walks the hash chain
 * with one cursor (store_chain.c), so the reply stays small whatever the
 * length of the log.
 */
#include "cmd/audit.h"

#include "cmd/base.h"
#include "util.h"

int
run_audit_verify(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *from = json_object_get(args, "from"), *limit = json_object_get(args, "limit");
	struct store_audit a;

	if (from != NULL && json_integer_value(from) < 1)
		return pw_fail(c->st, PW_EINVALID, "'from' must be a seq, 1 or more");
	if (limit != NULL && json_integer_value(limit) < 1)
		return pw_fail(c->st, PW_EINVALID, "'limit' must be 1 or more");
	if (store_audit_verify(c->store, c->txn, from ? (uint64_t)json_integer_value(from) : 1,
			       limit ? (uint64_t)json_integer_value(limit) : 0, &a) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading the event log");
	if (a.ok)
		*data = json_pack("{s:b, s:I, s:I, s:s}", "ok", 1, "checked", (json_int_t)a.checked,
				  "head", (json_int_t)a.head, "head_hash", a.head_hash);
	else
		*data = json_pack("{s:b, s:I, s:s, s:I, s:s}", "ok", 0, "broken_at",
				  (json_int_t)a.broken_at, "reason", a.reason, "head",
				  (json_int_t)a.head, "head_hash", a.head_hash);
	return 0;
}

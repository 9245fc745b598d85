/*
 * key.c: the key registry as commands, for the operator only (CMD_OPERATOR):
 * key.add registers a public key a client made for a person or a service,
 * key.list shows them all, key.revoke refuses a key from its next message.
 * The records and the checks are access.c's.
 */
#include "cmd/key.h"

#include "access.h"
#include "cmd/base.h"
#include "util.h"

int
run_key_add(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *rec = NULL;
	int rc = access_key_add(c, cmd_arg(args, "public"), cmd_arg(args, "person"),
				cmd_arg(args, "service"), cmd_arg(args, "note"), &rec);

	if (rc == 0) {
		json_object_del(rec, "v");
		*data = json_pack("{s:o}", "key", rec);
		rec = NULL;
	}
	json_decref(rec);
	return rc;
}

int
run_key_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *keys = NULL;
	int rc;

	(void)args;
	rc = access_key_list(c, &keys);
	if (rc == 0)
		*data = json_pack("{s:o}", "keys", keys);
	return rc;
}

int
run_key_revoke(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *rec = NULL;
	int rc = access_key_revoke(c, cmd_arg(args, "key"), &rec);

	if (rc == 0) {
		json_object_del(rec, "v");
		*data = json_pack("{s:O}", "key", rec);
	}
	json_decref(rec);
	return rc;
}

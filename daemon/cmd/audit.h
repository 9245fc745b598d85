/*
 * audit.h: audit.verify, the check of the event log's hash chain
 * (cmd/audit.c).
 */
#ifndef PW_CMD_AUDIT_H
#define PW_CMD_AUDIT_H

#include <jansson.h>

#include "wctx.h"

/*
 * audit.verify {from (seq, default 1), limit?}: walk the chain from event
 * from to the head (or over limit events). *data is {ok: true, checked,
 * head, head_hash} or {ok: false, broken_at, reason, head, head_hash}; a
 * broken chain is a successful reply, not an error.
 */
int run_audit_verify(struct wctx *c, const json_t *args, json_t **data);

#endif

/*
 * wctx.c: emitting an event in a write context. The event log, the
 * notifications an event causes and the command's own list of events to
 * publish are written here and nowhere else, in the context's transaction.
 */
#include "wctx.h"

#include "notify.h"
#include "notify_panel.h"
#include "util.h"

int
wctx_emit(struct wctx *c, json_t *ev)
{
	char t[PW_TIME_LEN], *text;
	const char *cohort;
	uint64_t seq;
	int rc;

	json_object_set_new(ev, "at", json_string(pw_time_format(c->now, t)));
	/* "actor": null withholds who acted (a 360 response): the event has none. */
	if (json_is_null(json_object_get(ev, "actor")))
		json_object_del(ev, "actor");
	else
		json_object_set_new(ev, "actor", json_string(c->actor_id));
	if (c->via != NULL)
		json_object_set_new(ev, "via", json_string(c->via));
	rc = store_event_append(c->store, c->txn, ev, &seq, &text, c->st);
	if (rc == 0)
		rc = notify_event(c, ev);
	if (rc == 0)
		rc = notify_panel(c, ev);
	if (rc == 0) {
		/* What the stream sends: the topic, and the very bytes the log holds. */
		cohort = json_string_value(json_object_get(ev, "cohort"));
		json_array_append_new(
		    c->events, json_pack("[s++, s]", cohort ? cohort : "-", "/",
					 json_string_value(json_object_get(ev, "type")), text));
	}
	free(text);
	return rc;
}

int
wctx_emit_simple(struct wctx *c, const char *type, const char *key, const char *id)
{
	json_t *ev = json_pack("{s:s, s:{s:s}}", "type", type, "data", key, id);
	int rc = wctx_emit(c, ev);

	json_decref(ev);
	return rc;
}

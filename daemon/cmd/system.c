/*
 * system.c: the commands about the daemon itself: system.ping, the
 * system.backup that runs outside any transaction, and the manual clock
 * (clock.set, clock.advance), which moves forward only and is kept in the
 * store's meta across restarts.
 */
#include "cmd/system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "util.h"

int
run_ping(struct wctx *c, const json_t *args, json_t **data)
{
	char t[PW_TIME_LEN];
	uint64_t head;

	(void)args;
	store_event_head(c->store, c->txn, &head);
	*data = json_pack("{s:s, s:i, s:s, s:I}", "version", PW_VERSION, "protocol",
			  PW_PROTOCOL_VERSION, "now", pw_time_format(c->now, t), "head",
			  (json_int_t)head);
	return 0;
}

int
run_backup(struct store *s, const json_t *args, json_t **data, struct pw_status *st)
{
	const json_t *compact = json_object_get(args, "compact");
	const char *path = str(args, "path");
	char *file;
	FILE *f;
	long bytes = 0;
	int rc;

	rc = store_backup(s, path, compact == NULL || json_is_true(compact), st);
	if (rc != 0)
		return rc;
	file = xasprintf("%s/data.mdb", path);
	f = fopen(file, "rb");
	if (f != NULL && fseek(f, 0, SEEK_END) == 0)
		bytes = ftell(f);
	if (f != NULL)
		fclose(f);
	free(file);
	*data = json_pack("{s:s, s:I}", "path", path, "bytes", (json_int_t)bytes);
	return 0;
}

/* The manual clock: moves forward only, and is kept in meta across restarts. */
static int
clock_move(struct wctx *c, int64_t to, json_t **data)
{
	char t[PW_TIME_LEN];
	json_t *v;
	int rc;

	if (to < c->clock->now)
		return pw_fail(c->st, PW_EINVALID, "the clock only moves forward (it is %s)",
			       pw_time_format(c->clock->now, t));
	v = json_pack("{s:I}", "now", (json_int_t)to);
	rc = store_rec_put(c->store, c->txn, DB_META, "clock", v, c->st);
	json_decref(v);
	if (rc != 0)
		return rc;
	c->clock->now = c->now = to;
	*data = json_pack("{s:s}", "now", pw_time_format(to, t));
	return 0;
}

int
run_clock_set(struct wctx *c, const json_t *args, json_t **data)
{
	int64_t to;

	if (pw_time_parse(cmd_arg(args, "now"), &to) != 0)
		return pw_fail(c->st, PW_EINVALID, "'now' must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
	return clock_move(c, to, data);
}

int
run_clock_advance(struct wctx *c, const json_t *args, json_t **data)
{
	return clock_move(c, c->clock->now + json_integer_value(json_object_get(args, "seconds")),
			  data);
}

/*
 * system.c: the commands about the daemon itself: system.ping,
 * system.stats (the group commit's figures, group.c), the
 * system.backup that runs outside any transaction (into a directory it
 * makes under daemon.backup_dir, 0700), and the manual clock
 * (clock.set, clock.advance), which moves forward only and is kept in the
 * store's meta across restarts.
 */
#include "cmd/system.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "group.h"
#include "util.h"

int
run_ping(struct wctx *c, const json_t *args, json_t **data)
{
	char t[PW_TIME_LEN], hash[STORE_HASH_HEX];
	uint64_t head;

	(void)args;
	if (store_event_head(c->store, c->txn, &head) != 0 ||
	    store_head_hash(c->store, c->txn, hash) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading the event head");
	*data = json_pack("{s:s, s:i, s:s, s:I, s:s}", "version", PW_VERSION, "protocol",
			  PW_PROTOCOL_VERSION, "now", pw_time_format(c->now, t), "head",
			  (json_int_t)head, "head_hash", hash);
	return 0;
}

int
run_stats(struct wctx *c, const json_t *args, json_t **data)
{
	(void)args;
	*data = group_stats(c->cfg->daemon.max_batch, c->cfg->daemon.commit_wait_us);
	return 0;
}

/*
 * A backup's name: a relative path under daemon.backup_dir whose parts are
 * ids ([A-Za-z0-9._-]), none of them "." or "..".
 */
static int
backup_name_valid(const char *name)
{
	char *copy = xstrdup(name), *save = NULL, *part;
	int ok = *name != '/' && *name != '\0' && name[strlen(name) - 1] != '/' &&
		 strstr(name, "//") == NULL;

	for (part = strtok_r(copy, "/", &save); ok && part != NULL;
	     part = strtok_r(NULL, "/", &save))
		ok = pw_id_valid(part) && strcmp(part, ".") != 0 && strcmp(part, "..") != 0;
	free(copy);
	return ok;
}

int
run_backup(struct store *s, const char *backup_dir, const json_t *args, json_t **data,
	   struct pw_status *st)
{
	const json_t *compact = json_object_get(args, "compact");
	const char *name = str(args, "path");
	char *dir = NULL, *file = NULL, *abs = NULL;
	FILE *f;
	long bytes = 0;
	int rc;

	if (!backup_name_valid(name))
		return pw_fail(
		    st, PW_EINVALID,
		    "'path' must be a name under the backup directory (daemon.backup_dir): "
		    "a relative path of letters, digits, '.', '_' and '-', without '..'");
	/* The backup directory and everything made in it: the daemon's user only. */
	dir = xasprintf("%s/%s", backup_dir, name);
	if (pw_mkdirs(dir, 0700) != 0) {
		rc = pw_fail(st, PW_ESTORE, "backup: cannot make %s: %s", dir, strerror(errno));
		goto done;
	}
	rc = store_backup(s, dir, compact == NULL || json_is_true(compact), st);
	if (rc != 0)
		goto done;
	file = xasprintf("%s/data.mdb", dir);
	f = fopen(file, "rb");
	if (f != NULL && fseek(f, 0, SEEK_END) == 0)
		bytes = ftell(f);
	if (f != NULL)
		fclose(f);
	abs = realpath(dir, NULL);
	*data = json_pack("{s:s, s:I}", "path", abs ? abs : dir, "bytes", (json_int_t)bytes);
done:
	free(abs);
	free(file);
	free(dir);
	return rc;
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

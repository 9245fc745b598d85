/*
 * rehearse.c: a rehearsal (rehearse.h). The directory DIR holds the copy
 * (DIR/data.mdb, from a backup); the daemon opens it with its sockets in
 * DIR/run, backups in DIR/backup and a manual clock, and pathway-mailer
 * --rehearse DIR writes the mail into DIR/mail (PROTOCOL.md, "Worker
 * protocol"). The copy is marked in DB_META under "rehearsal" ({"dir",
 * "since": when it was first rehearsed, "from"}) at its first open; a live
 * daemon refuses a marked store, and notes where it serves its store (meta
 * "live": "dir", and its data.mdb's "dev" and "ino"). A rehearsal refuses
 * the directory that holds the configured store (the same directory, or the
 * same data.mdb file by device and inode, so a symlink or a hard link is no
 * way round it), a store whose "live" note names its directory or file
 * (whatever -c says), a data.mdb with other names (a symlink, hard links),
 * and any directory under the live backups (a backup is copied, not
 * rehearsed).
 */
#include "rehearse.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static char *dir;	   /* absolute; NULL: live */
static int64_t from;	   /* --from, or 0 */
static int refused;	   /* the last failure refused the store */
static int64_t live_clock; /* the live daemon's clock as configured: manual's start, or 0 */

const char *
rehearse_dir(void)
{
	return dir;
}

int
rehearse_refused(void)
{
	return refused;
}

int
rehearse_init(const char *path, int64_t start, struct pw_status *st)
{
	char *data;
	struct stat sb;
	int rc = 0;

	free(dir);
	dir = realpath(path, NULL);
	if (dir == NULL)
		return pw_fail(st, PW_ECONFIG, "--rehearse %s: %s", path, strerror(errno));
	from = start;
	data = xasprintf("%s/data.mdb", dir);
	if (stat(data, &sb) != 0 || !S_ISREG(sb.st_mode))
		rc = pw_fail(st, PW_ECONFIG,
			     "--rehearse %s: it holds no store (%s): copy a backup's data.mdb "
			     "into it first (README, \"Rehearsing the year\")",
			     path, data);
	/* The longest socket path must fit a sockaddr_un (108 bytes with its NUL). */
	else if (strlen(dir) + sizeof "/run/workers.sock" > 108)
		rc = pw_fail(st, PW_ECONFIG,
			     "--rehearse %s: its path is too long for the sockets under it "
			     "(at most %zu characters)",
			     path, 108 - sizeof "/run/workers.sock");
	free(data);
	return rc;
}

/* Whether the rehearsal directory is inside the directory at path (the live backups). */
static int
is_under(const char *path)
{
	char *real = realpath(path, NULL);
	size_t n = real != NULL ? strlen(real) : 0;
	int under = n > 0 && strncmp(dir, real, n) == 0 && (dir[n] == '/' || dir[n] == '\0');

	free(real);
	return under;
}

/* Whether the rehearsal directory holds the store at db: the same directory or data.mdb. */
static int
is_live(const char *db)
{
	char *live = realpath(db, NULL), *a = xasprintf("%s/data.mdb", dir),
	     *b = xasprintf("%s/data.mdb", db);
	struct stat sa, sb;
	int same = live != NULL && strcmp(live, dir) == 0;

	if (!same && stat(a, &sa) == 0 && stat(b, &sb) == 0)
		same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(live);
	free(a);
	free(b);
	return same;
}

/*
 * Why DIR/data.mdb is not a file of its own, or NULL when it is: a symlink,
 * or a hard link (a second name for a file elsewhere, a backup's say), is a
 * file the rehearsal would change.
 */
static const char *
not_own_file(void)
{
	char *data = xasprintf("%s/data.mdb", dir);
	struct stat sb;
	const char *why = NULL;

	if (lstat(data, &sb) != 0 || S_ISLNK(sb.st_mode) || !S_ISREG(sb.st_mode))
		why = "a symlink, or not a regular file";
	else if (sb.st_nlink != 1)
		why = "a hard link: the file has other names";
	free(data);
	return why;
}

static void
set(char **field, char *value)
{
	free(*field);
	*field = value;
}

int
rehearse_config(struct pw_config *cfg, struct pw_status *st)
{
	struct daemon_conf *d = &cfg->daemon;
	const char *why;

	refused = 0;
	if (dir == NULL)
		return 0;
	live_clock = d->clock_manual ? d->clock_start : 0;
	if (is_live(d->db)) {
		refused = 1;
		return pw_fail(st, PW_ECONFIG,
			       "--rehearse %s: this is the live store (daemon.db in %s): a "
			       "rehearsal runs on a copy; copy a backup's data.mdb into a "
			       "directory of its own",
			       dir, cfg->file);
	}
	if (is_under(d->backup_dir)) {
		refused = 1;
		return pw_fail(st, PW_ECONFIG,
			       "--rehearse %s: this is under the live backups (daemon.backup_dir "
			       "%s): a rehearsal changes its store; copy the backup's data.mdb "
			       "into a directory of its own",
			       dir, d->backup_dir);
	}
	if ((why = not_own_file()) != NULL) {
		refused = 1;
		return pw_fail(st, PW_ECONFIG,
			       "--rehearse %s: its data.mdb is not a file of its own (%s): a "
			       "rehearsal changes it; copy a backup's data.mdb into the directory",
			       dir, why);
	}
	set(&d->db, xstrdup(dir));
	set(&d->api, xasprintf("ipc://%s/run/api.sock", dir));
	set(&d->events, xasprintf("ipc://%s/run/events.sock", dir));
	set(&d->workers, xasprintf("ipc://%s/run/workers.sock", dir));
	set(&d->backup_dir, xasprintf("%s/backup", dir));
	d->clock_manual = 1;
	d->curve = 0; /* local mode: the sockets are files only their owner reaches */
	set(&cfg->web.base_url, NULL); /* no link in a rehearsal's mail leads to the real site */
	return 0;
}

/*
 * Where a store is served live, as the live daemon notes it (meta "live"):
 * its directory, and its data.mdb's device and inode. A new object, or NULL
 * when the directory cannot be resolved.
 */
static json_t *
where(const char *db)
{
	char *real = realpath(db, NULL), *data;
	struct stat sb;
	json_t *w;

	if (real == NULL)
		return NULL;
	data = xasprintf("%s/data.mdb", real);
	w = stat(data, &sb) == 0 ? json_pack("{s:s, s:I, s:I}", "dir", real, "dev",
					     (json_int_t)sb.st_dev, "ino", (json_int_t)sb.st_ino)
				 : NULL;
	free(data);
	free(real);
	return w;
}

/*
 * A live daemon: refuse a store a rehearsal has marked; note where the
 * store is served (meta "live", when it changed), so a rehearsal refuses
 * this directory whatever configuration it is given.
 */
static int
live_store(struct store *s, MDB_txn *txn, const struct pw_config *cfg, struct pw_status *st)
{
	json_t *mark = NULL, *here;
	int rc = 0;

	if (store_rec_get(s, txn, DB_META, "rehearsal", &mark) == 0) {
		/* A mark without them (written by hand) still refuses the store. */
		const char *dir = str(mark, "dir"), *since = str(mark, "since");

		refused = 1;
		rc = pw_fail(st, PW_ECONFIG,
			     "%s is a rehearsal's store (rehearsed in %s since %s): a live "
			     "pathwayd does not serve it; restore a backup of the live store, or "
			     "rehearse it with pathwayd --rehearse DIR",
			     cfg->daemon.db, dir != NULL ? dir : "a directory not recorded",
			     since != NULL ? since : "a time not recorded");
		json_decref(mark);
		return rc;
	}
	here = where(cfg->daemon.db);
	if (here != NULL &&
	    (store_rec_get(s, txn, DB_META, "live", &mark) != 0 || !json_equal(mark, here)))
		rc = store_rec_put(s, txn, DB_META, "live", here, st);
	json_decref(mark);
	json_decref(here);
	return rc;
}

/* Rehearsing: refuse the store a live daemon serves from this directory (its "live" note). */
static int
served_live(struct store *s, MDB_txn *txn, struct pw_status *st)
{
	json_t *mark = NULL, *here = where(dir);
	int live = 0;

	if (here != NULL && store_rec_get(s, txn, DB_META, "live", &mark) == 0)
		live = json_equal(json_object_get(mark, "dir"), json_object_get(here, "dir")) ||
		       (json_equal(json_object_get(mark, "dev"), json_object_get(here, "dev")) &&
			json_equal(json_object_get(mark, "ino"), json_object_get(here, "ino")));
	json_decref(mark);
	json_decref(here);
	if (!live)
		return 0;
	refused = 1;
	return pw_fail(st, PW_ECONFIG,
		       "--rehearse %s: this is the live store (a live pathwayd serves it from "
		       "here, whatever -c says): a rehearsal runs on a copy; copy a backup's "
		       "data.mdb into a directory of its own",
		       dir);
}

/*
 * Rehearsing: mark the copy at its first open, and say where its clock
 * starts: --from, else where the live clock stood (a live manual clock:
 * where it would resume; the system clock: now); later, where the
 * rehearsal's clock stands.
 */
static int
rehearsal_store(struct store *s, MDB_txn *txn, struct pw_config *cfg, struct pw_status *st)
{
	json_t *mark = NULL, *saved = NULL, *v;
	char t[PW_TIME_LEN], t2[PW_TIME_LEN];
	int64_t at = 0, start;
	int rc = 0, first = store_rec_get(s, txn, DB_META, "rehearsal", &mark) != 0;

	if (first && served_live(s, txn, st) != 0) {
		json_decref(mark);
		return PW_ECONFIG;
	}
	if (store_rec_get(s, txn, DB_META, "clock", &saved) == 0)
		at = json_integer_value(json_object_get(saved, "now"));
	json_decref(saved);
	if (first) {
		/* The live clock: the system's (now), or a manual one's start; never before
		 * a clock the store has kept (it only moves forward). */
		int64_t live = live_clock != 0 ? live_clock : pw_clock_now();

		at = at > live ? at : live;
	}
	if (from != 0 && from < at) {
		json_decref(mark);
		return pw_fail(
		    st, PW_ECONFIG,
		    "--from %s: the %s clock is already at %s, and it only moves forward",
		    pw_time_format(from, t), first ? "store's" : "rehearsal's",
		    pw_time_format(at, t2));
	}
	start = from != 0 ? from : at;
	if (first) {
		mark =
		    json_pack("{s:s, s:s, s:s}", "dir", dir, "since",
			      pw_time_format(pw_clock_now(), t), "from", pw_time_format(start, t2));
		rc = store_rec_put(s, txn, DB_META, "rehearsal", mark, st);
		log_info("rehearsal: marked the copy in %s as a rehearsal's store", dir);
	}
	json_decref(mark);
	v = json_pack("{s:I}", "now", (json_int_t)start);
	if (rc == 0)
		rc = store_rec_put(s, txn, DB_META, "clock", v, st);
	json_decref(v);
	cfg->daemon.clock_start = start;
	if (rc == 0)
		log_info("rehearsal in %s from %s: sockets in %s/run, mail only into %s/mail", dir,
			 pw_time_format(start, t), dir, dir);
	return rc;
}

int
rehearse_store(struct store *s, struct pw_config *cfg, struct pw_status *st)
{
	MDB_txn *txn = NULL;
	int rc;

	refused = 0;
	rc = store_txn_begin(s, NULL, 0, &txn, st);
	if (rc != 0)
		return rc;
	rc = dir == NULL ? live_store(s, txn, cfg, st) : rehearsal_store(s, txn, cfg, st);
	if (rc != 0) {
		store_txn_abort(&txn);
		return rc;
	}
	return store_txn_commit(&txn, st);
}

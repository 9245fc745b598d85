/*
 * rehearse.h: a rehearsal (pathwayd --rehearse DIR): a copy of the real
 * store played forward on a manual clock, its sockets, backups and mail
 * kept under DIR. The rehearsal directory is set once by the program's main
 * before the server opens; everything else asks rehearse_dir().
 */
#ifndef PW_REHEARSE_H
#define PW_REHEARSE_H

#include <stdint.h>

#include "config.h"
#include "proto.h"
#include "store.h"

/* pathwayd's exit status when the store is refused for the mode it runs in. */
#define REHEARSE_EXIT_REFUSED 3

/*
 * Rehearse the store in dir (its data.mdb must exist), from the UTC time
 * from (0: where the copy's clock stands, else the real time now). Returns
 * 0 or PW_ECONFIG with st filled.
 */
int rehearse_init(const char *dir, int64_t from, struct pw_status *st);

/* The rehearsal directory (absolute), or NULL when the daemon is live. */
const char *rehearse_dir(void);

/*
 * A configuration just loaded becomes the rehearsal's: the store in the
 * directory, the sockets under DIR/run (local mode), backups under
 * DIR/backup, the manual clock, no web links. Refuses (PW_ECONFIG) when the
 * directory holds the configured live store. Live: does nothing.
 */
int rehearse_config(struct pw_config *cfg, struct pw_status *st);

/*
 * The store just opened: live, a store marked as a rehearsal's is refused,
 * and where it is served is noted (meta "live"); rehearsing, a store a live
 * daemon noted it serves from this directory is refused, the store is
 * marked at its first open and the manual clock's start set
 * (cfg->daemon.clock_start, kept in meta "clock").
 */
int rehearse_store(struct store *s, struct pw_config *cfg, struct pw_status *st);

/* Whether the last failure was a store refused for this mode (rehearsal or live). */
int rehearse_refused(void);

#endif

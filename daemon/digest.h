/*
 * digest.h: the daily digest. A headteacher or LA adviser who chose it
 * (person "digest": true) gets one email a day instead of separate ones: what
 * waits for them, each item with its deadline, and the notices held for them
 * since the last digest (notify.c holds them in DB_DIGESTS). One timer,
 * re-armed after each firing, sends every digest of the day.
 */
#ifndef PW_DIGEST_H
#define PW_DIGEST_H

#include <stdint.h>

#include "wctx.h"

/*
 * The first digest moment strictly after 'after' (seconds since the epoch, UTC),
 * from the configuration's digest.at, days and timezone.
 */
int64_t digest_next(const struct pw_config *cfg, int64_t after);

/*
 * Send today's digest to everyone who chose it and has something pending or
 * held, and clear what was held. Returns 0 or PW_ESTORE.
 */
int digest_send_all(struct wctx *c);

/*
 * p (a person record, as just stored) no longer takes the digest: send what
 * was held for them now, in one last digest, rather than never. Returns 0 or
 * PW_ESTORE.
 */
int digest_flush(struct wctx *c, const json_t *p);

#endif

/*
 * watch.h: the watch subcommand: following the event stream.
 */
#ifndef PW_CTL_WATCH_H
#define PW_CTL_WATCH_H

#include <jansson.h>

#include "ctl.h"

/*
 * watch [--cohort C]... [--type T]... [--since SEQ] [--count N]: print each
 * wanted event once, in order, from the log and then the stream, until N
 * were shown (or forever). args is stolen. Returns the exit status: 0 when
 * the count is reached, 2 for an unusable events endpoint, 1 or 3 when a
 * request for the log fails.
 */
int watch_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

#endif

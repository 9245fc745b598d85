/*
 * group.h: the group commit's policy and figures (group.c): how long a
 * loop turn may wait for more requests before it begins, and what
 * system.stats shows of the commits so far.
 */
#ifndef PW_GROUP_H
#define PW_GROUP_H

#include <jansson.h>
#include <stdint.h>

/* Forget every figure; now (the daemon's clock) is the reply's "since". */
void group_start(int64_t now);
/* How many requests recent turns carried (the most of the last few), at most max_batch. */
int group_want(int max_batch);
/*
 * How long (seconds) a turn that has read `have` requests may wait for more
 * before it begins: 0 when it has none, when recent turns carried one
 * request each (a lone client), when it already has as many as they did, or
 * when max_wait_us is 0; else half the recent commit time, at most
 * max_wait_us.
 */
double group_budget(int have, int max_batch, int max_wait_us);
/*
 * A turn waited secs, `gathered` of the `have` requests it now holds arrived
 * meanwhile; timed_out: not as many as it waited for. A wait that timed out
 * with nothing gathered forgets the larger batches (their clients are gone).
 */
void group_waited(double secs, int have, int gathered, int timed_out);
/* A turn's write transaction carrying `requests` requests committed in commit_secs. */
void group_committed(int requests, double commit_secs);
/*
 * The figures as system.stats replies them (PROTOCOL.md): since, commits,
 * requests, requests_per_commit, largest_batch, commit_ms {p50, p99, max,
 * average}, wait {turns, timeouts, gathered, ms_total, ms_mean, ms_max},
 * limits {max_batch, commit_wait_us: max_wait_us}.
 */
json_t *group_stats(int max_batch, int max_wait_us);

#endif

/*
 * group.c: the group commit's policy and its figures. A loop turn that has
 * read fewer requests than recent turns carried may wait for the rest (the
 * followers of a commit), for at most a fraction of what a commit has been
 * taking, and never when recent turns carried one request each: a lone
 * client is never delayed; a wait in which no request came ends the
 * waiting for the clients of those larger batches. The figures (commits, requests per commit,
 * commit times, waits) are what system.stats shows. The daemon has one
 * thread: this state is its own.
 */
#include "group.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define RECENT 8	     /* turns whose batch sizes set how many to wait for */
#define WAIT_FRACTION 0.5    /* of the commit time (its moving average) */
#define EWMA_WEIGHT 0.125    /* of the newest commit in that average */
#define BUCKETS_PER_OCTAVE 8 /* commit-time histogram: about 9 % per bucket */
#define OCTAVES 28	     /* from 1 us to about 4.5 minutes */
#define NBUCKETS (BUCKETS_PER_OCTAVE * OCTAVES)

static struct {
	int recent[RECENT]; /* the batch sizes of the last turns with requests */
	int next;
	double commit_avg; /* seconds, moving average */
	uint64_t commits, requests, largest;
	uint64_t waits, timeouts, gathered;
	double wait_total, wait_max;
	uint64_t hist[NBUCKETS];
	double commit_max;
	int64_t since;
} g;

void
group_start(int64_t now)
{
	memset(&g, 0, sizeof g);
	g.since = now;
}

int
group_want(int max_batch)
{
	int want = 0;

	for (int i = 0; i < RECENT; i++)
		if (g.recent[i] > want)
			want = g.recent[i];
	return want < max_batch ? want : max_batch;
}

double
group_budget(int have, int max_batch, int max_wait_us)
{
	int want = group_want(max_batch);

	if (have == 0 || max_wait_us <= 0 || want <= 1 || have >= want)
		return 0;
	return fmin(WAIT_FRACTION * g.commit_avg, max_wait_us / 1e6);
}

void
group_waited(double secs, int have, int gathered, int timed_out)
{
	/* Nobody came: the clients of those larger batches are gone; wait for them no more. */
	if (timed_out && gathered == 0)
		for (int i = 0; i < RECENT; i++)
			if (g.recent[i] > have)
				g.recent[i] = have;
	g.waits++;
	g.gathered += (uint64_t)gathered;
	g.timeouts += timed_out != 0;
	g.wait_total += secs;
	if (secs > g.wait_max)
		g.wait_max = secs;
}

static int
bucket_of(double secs)
{
	double us = secs * 1e6;
	int b;

	if (us <= 1)
		return 0;
	b = (int)ceil(log2(us) * BUCKETS_PER_OCTAVE);
	return b < NBUCKETS ? b : NBUCKETS - 1;
}

void
group_committed(int requests, double commit_secs)
{
	g.recent[g.next] = requests;
	g.next = (g.next + 1) % RECENT;
	g.commit_avg = g.commits == 0 ? commit_secs
				      : g.commit_avg + EWMA_WEIGHT * (commit_secs - g.commit_avg);
	g.commits++;
	g.requests += (uint64_t)requests;
	if ((uint64_t)requests > g.largest)
		g.largest = (uint64_t)requests;
	g.hist[bucket_of(commit_secs)]++;
	if (commit_secs > g.commit_max)
		g.commit_max = commit_secs;
}

/* The commit time below which a fraction p of commits took: a bucket's upper bound, in ms. */
static double
percentile_ms(double p)
{
	uint64_t rank = (uint64_t)ceil(p * (double)g.commits), seen = 0;

	if (g.commits == 0)
		return 0;
	if (rank == 0)
		rank = 1;
	for (int b = 0; b < NBUCKETS; b++) {
		seen += g.hist[b];
		if (seen >= rank)
			return fmin(exp2((double)b / BUCKETS_PER_OCTAVE) / 1e3, g.commit_max * 1e3);
	}
	return g.commit_max * 1e3;
}

static double
round3(double x)
{
	return round(x * 1000) / 1000;
}

json_t *
group_stats(int max_batch, int max_wait_us)
{
	char t[PW_TIME_LEN];

	return json_pack(
	    "{s:s, s:I, s:I, s:f, s:I, s:{s:f, s:f, s:f, s:f}, s:{s:I, s:I, s:I, s:f, s:f, s:f}, "
	    "s:{s:i, s:i}}",
	    "since", pw_time_format(g.since, t), "commits", (json_int_t)g.commits, "requests",
	    (json_int_t)g.requests, "requests_per_commit",
	    g.commits ? round3((double)g.requests / (double)g.commits) : 0.0, "largest_batch",
	    (json_int_t)g.largest, "commit_ms", "p50", round3(percentile_ms(0.50)), "p99",
	    round3(percentile_ms(0.99)), "max", round3(g.commit_max * 1e3), "average",
	    round3(g.commit_avg * 1e3), "wait", "turns", (json_int_t)g.waits, "timeouts",
	    (json_int_t)g.timeouts, "gathered", (json_int_t)g.gathered, "ms_total",
	    round3(g.wait_total * 1e3), "ms_mean",
	    g.waits ? round3(g.wait_total * 1e3 / (double)g.waits) : 0.0, "ms_max",
	    round3(g.wait_max * 1e3), "limits", "max_batch", max_batch, "commit_wait_us",
	    max_wait_us);
}

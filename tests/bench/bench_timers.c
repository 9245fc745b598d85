/*
 * pw-bench-timers: durable timers at scale, through the daemon's own timers
 * and store code (daemon/timers.h, timers_fire.h, store.h), in a store of its own.
 *
 *   pw-bench-timers -c CONF -d DIR [-n ARMED] [-s SINGLE] [-b PER_TXN]
 *                   [-a APPS] [-k K1,K2,...] [-m MAP_MB]
 *
 * Run from the directory CONF's relative paths are relative to (the top of
 * the checkout for conf/pathway.conf); the store is DIR (not CONF's).
 *
 *  1. arm ARMED - SINGLE timers (timers_arm_opportunity), PER_TXN per
 *     transaction, at due times scattered over ARMED seconds (a
 *     permutation, so the due index is filled out of order);
 *  2. arm SINGLE more, one transaction (one durable commit) each;
 *  3. with ARMED armed: APPS applications enter a stage with a deadline,
 *     reminders and escalations (timers_stage_entered, one transaction), then
 *     leave it (timers_cancel, one transaction), and a few in a transaction each;
 *  4. RSS and store size;
 *  5. for each K: move the clock so exactly K timers are due and fire them as
 *     the daemon's loop does (timers_fire, at most 1000 per turn, one commit
 *     per turn), with ARMED - (already fired) still armed.
 *
 * Output: key=value lines (times in seconds unless the key says otherwise).
 * The timers fired are opportunity releases of opportunities that do not
 * exist, so firing costs the timer machinery (find in the due index, load,
 * delete from three databases) plus one lookup, and no notifications.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config.h"
#include "store.h"
#include "timers.h"
#include "timers_fire.h"
#include "util.h"

#define TURN_MAX 1000 /* timers fired per loop turn (daemon/server.c, timers_turn) */

static struct pw_status st = {0, ""};
static struct store *store;
static struct pw_config *cfg;
static struct pw_clock clk;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "pw-bench-timers: %s: %s\n", what, st.msg);
	exit(1);
}

static struct wctx
ctx_begin(int64_t now)
{
	struct wctx c;

	memset(&c, 0, sizeof c);
	if (store_txn_begin(store, NULL, 0, &c.txn, &st) != 0)
		die("begin");
	c.store = store;
	c.cfg = cfg;
	c.now = now;
	clk.now = now;
	c.clock = &clk;
	c.actor_id = "pathwayd";
	c.events = json_array();
	c.st = &st;
	return c;
}

static void
ctx_commit(struct wctx *c)
{
	if (store_txn_commit(&c->txn, &st) != 0)
		die("commit");
	json_decref(c->events);
	c->events = NULL;
}

static uint64_t
count(enum store_db db)
{
	MDB_txn *txn = NULL;
	uint64_t n = 0;

	if (store_txn_begin(store, NULL, 1, &txn, &st) != 0)
		die("begin");
	store_count(store, txn, db, &n);
	store_txn_abort(&txn);
	return n;
}

static void
memory(const char *when, const char *dir)
{
	char path[4096], line[256];
	struct rusage ru;
	struct stat sb;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		long kb;
		char key[64];

		if (sscanf(line, "%63[^:]: %ld kB", key, &kb) == 2 &&
		    (strcmp(key, "VmRSS") == 0 || strcmp(key, "RssAnon") == 0 ||
		     strcmp(key, "RssFile") == 0 || strcmp(key, "VmHWM") == 0))
			printf("%s_%s_mb=%.1f\n", when, key, kb / 1024.0);
	}
	if (f != NULL)
		fclose(f);
	getrusage(RUSAGE_SELF, &ru);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	if (stat(path, &sb) == 0)
		printf("%s_store_file_mb=%.1f\n%s_store_disk_mb=%.1f\n", when,
		       sb.st_size / 1048576.0, when, sb.st_blocks * 512 / 1048576.0);
	printf("%s_timers_armed=%llu\n", when, (unsigned long long)count(DB_TIMERS));
}

/* A stage with a day-count deadline and reminders or escalations, and its cohort. */
static int
pick_stage(const struct cohort **co, const struct stage **s)
{
	for (size_t i = 0; i < cfg->ncohorts; i++) {
		const struct programme *p = cfg->cohorts[i].programme;

		for (size_t j = 0; j < p->nstages; j++) {
			const struct stage *x = &p->stages[j];

			if (x->deadline_days > 0 && x->nreminders + x->nescalations > 0) {
				*co = &cfg->cohorts[i];
				*s = x;
				return 0;
			}
		}
	}
	return -1;
}

static json_t *
app_json(long i, const struct cohort *co, const struct stage *s, int64_t entered)
{
	char id[32], t[PW_TIME_LEN];

	snprintf(id, sizeof id, "A%07ld", i + 1);
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "v", 1, "id", id, "cohort",
			 co->id, "programme", co->programme->id, "candidate", "p-bench", "status",
			 "active", "stage", s->id, "stage_entered", pw_time_format(entered, t));
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *dir = NULL, *ks = "10,1000,100000";
	long armed = 1000000, single = 1000, per_txn = 10000, apps = 1000, map_mb = 8192;
	int64_t base;
	long p, fired_total = 0;
	const struct cohort *co;
	const struct stage *stg;
	double t0, dt, k10_us = 0;
	char *kcopy, *tok, *save = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "c:d:n:s:b:a:k:m:")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 'd')
			dir = optarg;
		else if (opt == 'n')
			armed = atol(optarg);
		else if (opt == 's')
			single = atol(optarg);
		else if (opt == 'b')
			per_txn = atol(optarg);
		else if (opt == 'a')
			apps = atol(optarg);
		else if (opt == 'k')
			ks = optarg;
		else if (opt == 'm')
			map_mb = atol(optarg);
		else
			goto usage;
	}
	if (conf == NULL || dir == NULL || armed < 1 || single < 0 || single > armed ||
	    per_txn < 1 || apps < 0)
		goto usage;
	log_set_level(LOG_WARN);
	if (config_load(conf, &cfg, &st) != 0)
		die("configuration");
	if (pick_stage(&co, &stg) != 0) {
		fprintf(stderr, "pw-bench-timers: no stage with a deadline and reminders\n");
		return 1;
	}
	if (store_open(dir, (size_t)map_mb << 20, &store, &st) != 0)
		die("store");
	if (count(DB_TIMERS) != 0) {
		fprintf(stderr, "pw-bench-timers: %s already holds timers; give a new directory\n",
			dir);
		return 1;
	}
	/* Due times base + perm(i) with perm(i) = i * p mod armed, p coprime to armed. */
	for (p = 7919;; p += 2) {
		long a = p, b = armed;

		while (b != 0) {
			long r = a % b;

			a = b;
			b = r;
		}
		if (a == 1)
			break;
	}
	base = 1893456000; /* 2030-01-01T00:00:00Z: after anything a cohort arms */
	printf("armed_target=%ld\nper_txn=%ld\nsingle=%ld\nstage=%s/%s\n", armed, per_txn, single,
	       co->id, stg->id);

	/* 1. Big transactions. */
	t0 = mono();
	for (long i = 0; i < armed - single;) {
		struct wctx c = ctx_begin(pw_clock_now());

		for (long j = 0; j < per_txn && i < armed - single; j++, i++) {
			char opp[32];

			snprintf(opp, sizeof opp, "O%07ld", i);
			if (timers_arm_opportunity(&c, opp, base + (int64_t)((i * p) % armed)) != 0)
				die("arm");
		}
		ctx_commit(&c);
	}
	dt = mono() - t0;
	printf("arm_batch_timers=%ld\narm_batch_seconds=%.3f\narm_batch_us_per_timer=%.2f\n",
	       armed - single, dt, 1e6 * dt / (double)(armed - single > 0 ? armed - single : 1));

	/* 2. One commit per timer. */
	t0 = mono();
	for (long i = armed - single; i < armed; i++) {
		struct wctx c = ctx_begin(pw_clock_now());
		char opp[32];

		snprintf(opp, sizeof opp, "O%07ld", i);
		if (timers_arm_opportunity(&c, opp, base + (int64_t)((i * p) % armed)) != 0)
			die("arm");
		ctx_commit(&c);
	}
	dt = mono() - t0;
	if (single > 0)
		printf("arm_single_timers=%ld\narm_single_seconds=%.3f\narm_single_us_per_timer=%."
		       "1f\n",
		       single, dt, 1e6 * dt / (double)single);
	memory("armed", dir);

	/* 3. Stage timers of applications: arm and cancel with ARMED armed. */
	if (apps > 0) {
		int64_t entered = base + 2 * armed; /* all due after the timers above */
		uint64_t before = count(DB_TIMERS), after;
		struct wctx c = ctx_begin(pw_clock_now());
		long few = apps < 100 ? apps : 100;

		t0 = mono();
		for (long i = 0; i < apps; i++) {
			json_t *app = app_json(i, co, stg, entered);

			if (timers_stage_entered(&c, app) != 0)
				die("stage timers");
			json_decref(app);
		}
		ctx_commit(&c);
		dt = mono() - t0;
		after = count(DB_TIMERS);
		printf(
		    "stage_apps=%ld\nstage_timers=%llu\nstage_arm_seconds=%.3f\nstage_arm_us_per_"
		    "timer=%.2f\n",
		    apps, (unsigned long long)(after - before), dt,
		    1e6 * dt / (double)(after - before ? after - before : 1));
		c = ctx_begin(pw_clock_now());
		t0 = mono();
		for (long i = few; i < apps; i++) {
			char id[32];

			snprintf(id, sizeof id, "A%07ld", i + 1);
			if (timers_cancel(&c, id) != 0)
				die("cancel");
		}
		ctx_commit(&c);
		dt = mono() - t0;
		printf(
		    "cancel_batch_apps=%ld\ncancel_batch_seconds=%.3f\ncancel_batch_us_per_timer=%"
		    ".2f\n",
		    apps - few, dt,
		    1e6 * dt / (apps > few ? (double)(after - before) * (apps - few) / apps : 1.0));
		t0 = mono();
		for (long i = 0; i < few; i++) {
			char id[32];

			c = ctx_begin(pw_clock_now());
			snprintf(id, sizeof id, "A%07ld", i + 1);
			if (timers_cancel(&c, id) != 0)
				die("cancel");
			ctx_commit(&c);
		}
		dt = mono() - t0;
		printf("cancel_single_apps=%ld\ncancel_single_ms_per_app=%.3f\n", few,
		       1e3 * dt / (double)few);
		if (count(DB_TIMERS) != before) {
			fprintf(stderr, "pw-bench-timers: cancel left %llu timers\n",
				(unsigned long long)(count(DB_TIMERS) - before));
			return 1;
		}
	}

	/* 4. The idle check the loop makes each turn: when is the next timer? */
	{
		MDB_txn *txn = NULL;
		int64_t at;
		int reps = 100000;

		if (store_txn_begin(store, NULL, 1, &txn, &st) != 0)
			die("begin");
		t0 = mono();
		for (int i = 0; i < reps; i++)
			timers_next(store, txn, &at);
		dt = mono() - t0;
		store_txn_abort(&txn);
		printf("next_us=%.3f\n", 1e6 * dt / reps);
	}

	/* 5. Fire K due with the rest armed. */
	kcopy = xstrdup(ks);
	for (tok = strtok_r(kcopy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		long k = atol(tok), fired = 0, turns = 0;
		int64_t now = base + fired_total + k - 1;
		double in_txn = 0, us;
		uint64_t left_before = count(DB_TIMERS);

		if (k <= 0 || fired_total + k > armed)
			continue;
		t0 = mono();
		for (;;) {
			struct wctx c = ctx_begin(now);
			double t1 = mono();
			int f = 0;

			if (timers_fire(&c, TURN_MAX, &f) != 0)
				die("fire");
			in_txn += mono() - t1;
			ctx_commit(&c);
			fired += f;
			turns++;
			if (f < TURN_MAX)
				break;
		}
		dt = mono() - t0;
		fired_total += fired;
		us = 1e6 * dt / (double)k;
		if (k10_us == 0)
			k10_us = us;
		printf(
		    "fire_%ld_armed=%llu\nfire_%ld_fired=%ld\nfire_%ld_turns=%ld\nfire_%ld_seconds="
		    "%"
		    ".4f\nfire_%ld_work_seconds=%.4f\nfire_%ld_us_per_timer=%.2f\nfire_%ld_work_us_"
		    "per_timer=%.2f\n",
		    k, (unsigned long long)left_before, k, fired, k, turns, k, dt, k, in_txn, k, us,
		    k, 1e6 * in_txn / (double)k);
		if (fired != k) {
			fprintf(stderr, "pw-bench-timers: K=%ld: fired %ld\n", k, fired);
			return 1;
		}
	}
	free(kcopy);
	memory("end", dir);
	store_close(&store);
	config_free(&cfg);
	return 0;
usage:
	fprintf(stderr, "usage: pw-bench-timers -c CONF -d DIR [-n ARMED] [-s SINGLE] [-b PER_TXN] "
			"[-a APPS] [-k K1,K2,...] [-m MAP_MB]\n");
	return 2;
}

/*
 * pw-bench-notifyfill: fill a store's outbox with N notification jobs before
 * the daemon starts (tests/bench/notify.sh). It uses the daemon's own code:
 * the configuration loader, the store, and notify_person, which writes a
 * job exactly as a rule firing in a command's transaction would. Each job
 * goes to its own person (created here with an email address) with the
 * template given, for an application of the first cohort.
 *
 *   pw-bench-notifyfill -c CONF -n N [-t TEMPLATE] [-b PER_TXN]
 *
 * Run it from the directory the daemon will run in (relative paths in CONF).
 * The store is CONF's daemon.db. Prints one line: jobs, seconds, jobs/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config.h"
#include "notify.h"
#include "store.h"
#include "util.h"

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct template *
template_find(const struct pw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntemplates; i++)
		if (strcmp(cfg->templates[i]->name, name) == 0)
			return cfg->templates[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *tname = "signoff-needed";
	long n = 0, per_txn = 10000;
	struct pw_status st = {0, ""};
	struct pw_config *cfg = NULL;
	struct store *store = NULL;
	const struct template *t;
	const struct cohort *co;
	double t0;
	int opt;

	while ((opt = getopt(argc, argv, "c:n:t:b:")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 'n')
			n = atol(optarg);
		else if (opt == 't')
			tname = optarg;
		else if (opt == 'b')
			per_txn = atol(optarg);
		else
			goto usage;
	}
	if (conf == NULL || n <= 0 || per_txn <= 0)
		goto usage;
	if (config_load(conf, &cfg, &st) != 0) {
		fprintf(stderr, "pw-bench-notifyfill: %s\n", st.msg);
		return 1;
	}
	t = template_find(cfg, tname);
	if (t == NULL || cfg->ncohorts == 0) {
		fprintf(stderr, "pw-bench-notifyfill: no template %s (or no cohort)\n", tname);
		return 1;
	}
	co = &cfg->cohorts[0];
	if (store_open(cfg->daemon.db, cfg->daemon.map_size, &store, &st) != 0) {
		fprintf(stderr, "pw-bench-notifyfill: %s\n", st.msg);
		return 1;
	}
	t0 = mono();
	for (long done = 0; done < n;) {
		struct wctx c;
		MDB_txn *txn = NULL;
		int rc = store_txn_begin(store, NULL, 0, &txn, &st);

		memset(&c, 0, sizeof c);
		c.store = store;
		c.txn = txn;
		c.cfg = cfg;
		c.now = pw_clock_now();
		c.actor_id = "pathwayd";
		c.st = &st;
		for (long i = 0; i < per_txn && done < n && rc == 0; i++, done++) {
			char pid[32], app[32], email[64], name[64];
			json_t *person, *ev, *vars;

			snprintf(pid, sizeof pid, "p-bench-%07ld", done);
			snprintf(app, sizeof app, "A%07ld", done + 1);
			snprintf(email, sizeof email, "bench%07ld@school.example.net", done);
			snprintf(name, sizeof name, "Bench Person %ld", done);
			person = json_pack("{s:i, s:s, s:s, s:s, s:[s]}", "v", 1, "id", pid, "name",
					   name, "email", email, "roles", "headteacher");
			rc = store_rec_put(store, txn, DB_PEOPLE, pid, person, &st);
			json_decref(person);
			ev = json_pack("{s:s, s:I, s:s, s:s, s:s, s:{s:s, s:s}}", "type",
				       "application.stage_changed", "seq", (json_int_t)done + 1,
				       "app", app, "cohort", co->id, "stage", "signoff", "data",
				       "from", "interest", "to", "signoff");
			vars =
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "candidate_name",
				      "Alex Example", "school_name", "Oak Primary School",
				      "cohort_name", co->name, "programme_name",
				      co->programme->name, "stage_name", "Headteacher nomination",
				      "app_id", app, "todo", "the evidence form; the sign-off",
				      "from_stage_name", "Expression of interest");
			if (rc == 0)
				rc = notify_person(&c, ev, pid, "headteacher", t, vars);
			json_decref(ev);
			json_decref(vars);
		}
		if (rc == 0)
			rc = store_txn_commit(&txn, &st);
		else
			store_txn_abort(&txn);
		if (rc != 0) {
			fprintf(stderr, "pw-bench-notifyfill: %s\n", st.msg);
			return 1;
		}
	}
	{
		double dt = mono() - t0;

		printf("filled %ld jobs in %.3f s (%.0f jobs/s)\n", n, dt, n / dt);
	}
	store_close(&store);
	config_free(&cfg);
	return 0;
usage:
	fprintf(stderr, "usage: pw-bench-notifyfill -c CONF -n N [-t TEMPLATE] [-b PER_TXN]\n");
	return 2;
}

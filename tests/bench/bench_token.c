/*
 * bench_token: how long token_verify takes (DESIGN: under 10 us), for an
 * action and a session token, against a real LMDB store in a temporary
 * directory; and how long minting takes. Prints one line per measure.
 * Usage: pw-bench-token [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "store.h"
#include "token.h"
#include "wctx.h"

/* CPU seconds: the loops are single-threaded and do no I/O worth waiting for. */
static double
cpu(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

static void
check(int rc, const struct pw_status *st, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "pw-bench-token: %s: %s\n", what, st->msg);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	char dir[] = "/tmp/pw-bench-token-XXXXXX", act[TOKEN_MAX], ses[TOKEN_MAX], cmd[300];
	struct pw_config cfg;
	struct store *s;
	struct pw_status st;
	struct wctx c;
	struct token_claims t = {.purpose = TOKEN_ACTION,
				 .cmd = "application.signoff",
				 .stage = "signoff"},
			    out;
	MDB_txn *txn;
	json_t *rec;
	int64_t exp;
	double t0, el;

	if (mkdtemp(dir) == NULL)
		return 1;
	memset(&cfg, 0, sizeof cfg);
	cfg.daemon.token_grace = 7 * 86400;
	cfg.daemon.session_hours = 12;
	check(store_open(dir, 64 << 20, &s, &st), &st, "store");
	check(store_txn_begin(s, NULL, 0, &txn, &st), &st, "txn");
	memset(&c, 0, sizeof c);
	c.store = s;
	c.txn = txn;
	c.cfg = &cfg;
	c.now = 1788249600;
	c.st = &st;
	rec = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:b}", "id", "head-oak", "name",
			"Headteacher of Oak Primary", "email", "head@oak.example", "roles",
			"headteacher", "school", "s-oak", "digest", 0);
	check(store_rec_put(s, txn, DB_PEOPLE, "head-oak", rec, &st), &st, "person");
	json_decref(rec);
	snprintf(t.person, sizeof t.person, "head-oak");
	snprintf(t.app, sizeof t.app, "A000001");
	t0 = cpu();
	for (long i = 0; i < n; i++)
		check(token_mint(&c, &t, act, sizeof act), &st, "mint");
	el = cpu() - t0;
	printf("mint (action)            %8.2f us  (%zu characters)\n", el / n * 1e6, strlen(act));
	check(token_session_start(&c, "head-oak", ses, sizeof ses, &exp), &st, "session");
	check(store_txn_commit(&txn, &st), &st, "commit");
	check(store_txn_begin(s, NULL, 1, &txn, &st), &st, "read txn");
	t0 = cpu();
	for (long i = 0; i < n; i++)
		check(token_verify(s, txn, &cfg, c.now, act, &out, &st), &st, "verify");
	el = cpu() - t0;
	printf("verify (action)          %8.2f us\n", el / n * 1e6);
	t0 = cpu();
	for (long i = 0; i < n; i++)
		check(token_verify(s, txn, &cfg, c.now, ses, &out, &st), &st, "verify");
	el = cpu() - t0;
	printf("verify (session)         %8.2f us  (%zu characters)\n", el / n * 1e6, strlen(ses));
	store_txn_abort(&txn);
	store_close(&s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}

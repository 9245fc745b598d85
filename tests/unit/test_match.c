/*
 * test_match.c: internship brokering's deferred acceptance (daemon/match.c):
 * a worked example, capacity, hosts that rank, ties broken by candidate
 * order, the constraints (own school, Lead Succession School, phase, no
 * places), the reason an unplaced candidate gets, and, over many random
 * instances, that the result is stable (no candidate and host would both
 * rather have each other), within capacity, each unplaced host marked
 * "full" where a blocking pair could have been, and the same on every run.
 */
#include "unit.h"

#include "match.h"

#define MAXP 8

struct inst {
	struct match_host h[MAXP];
	struct match_cand c[MAXP * 2];
	int prefs[MAXP * 2][MAXP];
	int ranks[MAXP][MAXP * 2];
	enum match_why why[MAXP * 2][MAXP];
	size_t nh, nc;
};

static void
host(struct inst *in, const char *id, const char *phase, int lss, int places)
{
	struct match_host *h = &in->h[in->nh++];

	memset(h, 0, sizeof *h);
	h->id = id;
	h->phase = phase;
	h->lss = lss;
	h->offered = 1;
	h->places = places;
}

/* A candidate at school with phase, ranking the hosts given by index (-1 ends). */
static void
cand(struct inst *in, const char *id, const char *school, const char *phase, ...)
{
	size_t i = in->nc++;
	struct match_cand *c = &in->c[i];
	va_list ap;
	int h;

	memset(c, 0, sizeof *c);
	c->id = id;
	c->school = school;
	c->phase = phase;
	c->prefs = in->prefs[i];
	c->why = in->why[i];
	va_start(ap, phase);
	while ((h = va_arg(ap, int)) >= 0)
		in->prefs[i][c->nprefs++] = h;
	va_end(ap);
}

static void
ranks(struct inst *in, size_t h, size_t n, const int *who)
{
	memcpy(in->ranks[h], who, n * sizeof *who);
	in->h[h].ranking = in->ranks[h];
	in->h[h].nranking = n;
}

static void
run(struct inst *in, int lss, int phase)
{
	for (size_t c = 0; c < in->nc; c++) {
		in->c[c].need_lss = lss;
		in->c[c].same_phase = phase;
	}
	assert_int_equal(match_run(in->h, in->nh, in->c, in->nc), 0);
}

static void
test_worked_example(void **state)
{
	struct inst in = {0};

	(void)state;
	host(&in, "elm", "primary", 1, 1);
	host(&in, "oak", "primary", 1, 2);
	/* Everyone wants elm first; elm accepts all (candidate order), oak takes two. */
	cand(&in, "A1", "s1", "primary", 0, 1, -1);
	cand(&in, "A2", "s2", "primary", 0, 1, -1);
	cand(&in, "A3", "s3", "primary", 0, 1, -1);
	cand(&in, "A4", "s4", "primary", 0, -1);
	run(&in, 0, 0);
	assert_int_equal(in.c[0].host, 0);
	assert_int_equal(in.c[0].choice, 1);
	assert_int_equal(in.c[1].host, 1);
	assert_int_equal(in.c[1].choice, 2);
	assert_int_equal(in.c[2].host, 1);
	/* A4 ranked only elm, which prefers A1 (the earlier application). */
	assert_int_equal(in.c[3].host, -1);
	assert_int_equal(in.c[3].reason, MATCH_HOSTS_FULL);
	assert_int_equal(in.c[3].why[0], MATCH_FULL);
	assert_string_equal(match_reason_name(in.c[3].reason), "hosts_full");
	assert_string_equal(match_why_name(in.c[3].why[0]), "full");
	assert_int_equal(in.c[1].why[0], MATCH_FULL);
	assert_int_equal(in.c[1].reason, MATCH_PLACED);
}

static void
test_host_ranking_and_displacement(void **state)
{
	struct inst in = {0};
	static const int elm_ranks[] = {2, 0}; /* elm: A3 first, then A1; A2 not at all */

	(void)state;
	host(&in, "elm", "secondary", 0, 1);
	host(&in, "oak", "secondary", 0, 1);
	cand(&in, "A1", "s1", "secondary", 0, 1, -1);
	cand(&in, "A2", "s2", "secondary", 0, -1);
	cand(&in, "A3", "s3", "secondary", 0, 1, -1);
	ranks(&in, 0, 2, elm_ranks);
	run(&in, 0, 0);
	/* A1 is held at elm until A3 proposes and displaces them; A1 goes to oak. */
	assert_int_equal(in.c[2].host, 0);
	assert_int_equal(in.c[0].host, 1);
	assert_int_equal(in.c[0].choice, 2);
	assert_int_equal(in.c[0].why[0], MATCH_FULL);
	assert_int_equal(in.c[1].host, -1);
	assert_int_equal(in.c[1].why[0], MATCH_NOT_RANKED);
	assert_int_equal(in.c[1].reason, MATCH_NO_ELIGIBLE_HOST);
}

static void
test_constraints(void **state)
{
	struct inst in = {0};

	(void)state;
	host(&in, "s1", "primary", 1, 3);	/* A1's own school */
	host(&in, "sec", "secondary", 1, 3);	/* another phase */
	host(&in, "nolss", "primary", 0, 3);	/* not a Lead Succession School */
	host(&in, "shut", "primary", 1, 3);	/* offers no places */
	host(&in, "thru", "all-through", 1, 1); /* any phase */
	in.h[3].offered = 0;
	cand(&in, "A1", "s1", "primary", 0, 1, 2, 3, -1);
	cand(&in, "A2", "s2", "primary", 1, 4, -1);
	cand(&in, "A3", "s3", NULL, 0, -1); /* no phase recorded */
	cand(&in, "A4", "s4", "primary", -1);
	run(&in, 1, 1);
	assert_int_equal(in.c[0].host, -1);
	assert_int_equal(in.c[0].reason, MATCH_NO_ELIGIBLE_HOST);
	assert_int_equal(in.c[0].why[0], MATCH_OWN_SCHOOL);
	assert_int_equal(in.c[0].why[1], MATCH_PHASE);
	assert_int_equal(in.c[0].why[2], MATCH_NOT_LSS);
	assert_int_equal(in.c[0].why[3], MATCH_NO_PLACES);
	assert_string_equal(match_why_name(MATCH_NO_PLACES), "no_places");
	assert_int_equal(in.c[1].host, 4);
	assert_int_equal(in.c[1].choice, 2);
	assert_int_equal(in.c[1].why[0], MATCH_PHASE);
	assert_int_equal(in.c[2].why[0], MATCH_PHASE);
	assert_int_equal(in.c[3].reason, MATCH_NO_RANKING);
	assert_string_equal(match_reason_name(MATCH_NO_RANKING), "no_ranking");
	/* Without the rules, the other phase and the school that is not an LSS take them. */
	run(&in, 0, 0);
	assert_int_equal(in.c[0].host, 1);
	assert_int_equal(in.c[0].why[0], MATCH_OWN_SCHOOL);
	assert_int_equal(in.c[1].host, 1);
	assert_int_equal(in.c[2].host, 0);
}

static void
test_no_places_left(void **state)
{
	struct inst in = {0};

	(void)state;
	host(&in, "elm", "primary", 0, 0); /* offered, but its places went by hand */
	cand(&in, "A1", "s1", "primary", 0, -1);
	run(&in, 0, 0);
	assert_int_equal(in.c[0].host, -1);
	assert_int_equal(in.c[0].why[0], MATCH_FULL);
	assert_int_equal(in.c[0].reason, MATCH_HOSTS_FULL);
}

/* unit_rnd's state: the same sequence every run, so failures repeat. */
static unsigned long long rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	return unit_rnd(&rng, n);
}

static void
random_inst(struct inst *in)
{
	static const char *const ids[] = {"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"};
	static const char *const cids[] = {"c0", "c1", "c2",  "c3",  "c4",  "c5",  "c6",  "c7",
					   "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15"};
	static const char *const phases[] = {"primary", "secondary"};

	size_t nh;

	memset(in, 0, sizeof *in);
	nh = 1 + rnd(MAXP);
	in->nc = 1 + rnd(MAXP * 2);
	for (size_t h = 0; h < nh; h++) {
		host(in, ids[h], phases[rnd(2)], (int)rnd(2), (int)rnd(3));
		if (rnd(2)) { /* a host that ranks a random subset in random order */
			int used[MAXP * 2] = {0}, n = 0;

			for (size_t k = 0; k < in->nc; k++) {
				int c = (int)rnd((unsigned)in->nc);

				if (!used[c] && rnd(4) != 0) {
					used[c] = 1;
					in->ranks[h][n++] = c;
				}
			}
			in->h[h].ranking = in->ranks[h];
			in->h[h].nranking = (size_t)n;
		}
	}
	for (size_t c = 0; c < in->nc; c++) {
		int used[MAXP] = {0};
		struct match_cand *mc = &in->c[c];

		mc->id = cids[c];
		mc->school = rnd(4) == 0 ? ids[rnd((unsigned)in->nh)] : "own";
		mc->phase = phases[rnd(2)];
		mc->prefs = in->prefs[c];
		mc->why = in->why[c];
		for (size_t k = 0, n = rnd((unsigned)in->nh + 1); k < n; k++) {
			int h = (int)rnd((unsigned)in->nh);

			if (!used[h]) {
				used[h] = 1;
				in->prefs[c][mc->nprefs++] = h;
			}
		}
	}
}

static long
host_rank(const struct match_host *h, size_t c)
{
	if (h->ranking == NULL)
		return (long)c;
	for (size_t i = 0; i < h->nranking; i++)
		if (h->ranking[i] == (int)c)
			return (long)i;
	return -1;
}

/* No candidate c and host h both prefer each other to what they have. */
static void
assert_stable(const struct inst *in, int lss, int phase)
{
	for (size_t h = 0; h < in->nh; h++) {
		size_t n = 0;

		for (size_t c = 0; c < in->nc; c++)
			n += in->c[c].host == (int)h;
		assert_true((long)n <= (in->h[h].places > 0 ? in->h[h].places : 0));
	}
	for (size_t c = 0; c < in->nc; c++) {
		const struct match_cand *mc = &in->c[c];
		size_t upto = mc->host >= 0 ? (size_t)mc->choice - 1 : mc->nprefs;

		if (mc->host >= 0)
			assert_int_equal(mc->prefs[mc->choice - 1], mc->host);
		for (size_t k = 0; k < upto; k++) {
			const struct match_host *h = &in->h[mc->prefs[k]];
			size_t held = 0, worse = 0;
			int excluded = (lss && !h->lss) || !h->offered ||
				       strcmp(h->id, mc->school) == 0 ||
				       (phase && strcmp(h->phase, mc->phase) != 0);

			if (excluded || host_rank(h, c) < 0)
				continue;
			/* c prefers h: h must be full of candidates it prefers to c. */
			for (size_t o = 0; o < in->nc; o++)
				if (in->c[o].host == mc->prefs[k]) {
					held++;
					worse += host_rank(h, o) > host_rank(h, c);
				}
			assert_true((long)held >= h->places);
			assert_int_equal(worse, 0);
			assert_int_equal(mc->why[k], MATCH_FULL);
		}
	}
}

static void
test_random_stable_and_deterministic(void **state)
{
	(void)state;
	for (int round = 0; round < 3000; round++) {
		struct inst in, again;
		int lss = round % 3 == 0, phase = round % 2 == 0;

		random_inst(&in);
		run(&in, lss, phase);
		assert_stable(&in, lss, phase);
		/* The same input again: the same result. */
		memcpy(&again, &in, sizeof in);
		for (size_t c = 0; c < again.nc; c++) {
			again.c[c].prefs = again.prefs[c];
			again.c[c].why = again.why[c];
		}
		for (size_t h = 0; h < again.nh; h++)
			if (again.h[h].ranking != NULL)
				again.h[h].ranking = again.ranks[h];
		run(&again, lss, phase);
		for (size_t c = 0; c < in.nc; c++) {
			assert_int_equal(in.c[c].host, again.c[c].host);
			assert_int_equal(in.c[c].reason, again.c[c].reason);
			assert_memory_equal(in.why[c], again.why[c],
					    in.c[c].nprefs * sizeof in.why[c][0]);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_example),
	    cmocka_unit_test(test_host_ranking_and_displacement),
	    cmocka_unit_test(test_constraints),
	    cmocka_unit_test(test_no_places_left),
	    cmocka_unit_test(test_random_stable_and_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

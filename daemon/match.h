/*
 * match.h: internship brokering's matching (match.c), a pure function of the
 * candidates' rankings of host schools and the hosts' places and rankings:
 * candidate-proposing deferred acceptance (Gale-Shapley, the algorithm of the
 * NRMP's residency match). No I/O, no records: the caller turns its records
 * into these arrays and the results back into records.
 *
 * Candidates are numbered 0..n-1 in the caller's order, which is the order a
 * host that accepts all prefers them in (the caller passes applications in
 * id order: the earliest application first). A host that ranks candidates
 * accepts only those it ranked, in its order. The result is the
 * candidate-optimal stable matching, the same whatever the order candidates
 * propose in: the same input always gives the same placements.
 */
#ifndef PW_MATCH_H
#define PW_MATCH_H

#include <stddef.h>

/* Why a ranked host did not take a candidate (or MATCH_OK). */
enum match_why {
	MATCH_OK,	  /* eligible; the candidate is placed there or never got to it */
	MATCH_OWN_SCHOOL, /* the host is the candidate's own school */
	MATCH_NOT_LSS,	  /* the programme needs a Lead Succession School; this is not one */
	MATCH_PHASE,	  /* the programme needs a host of the candidate's school's phase */
	MATCH_NO_PLACES,  /* the host offers no internship places in this cohort */
	MATCH_NOT_RANKED, /* the host ranks candidates and did not rank this one */
	MATCH_FULL,	  /* its places went to candidates it prefers, or earlier placements */
	MATCH_WHY_COUNT
};

/* Where a candidate ended up. */
enum match_reason {
	MATCH_PLACED,
	MATCH_NO_RANKING,	/* the candidate ranked no host */
	MATCH_NO_ELIGIBLE_HOST, /* every host ranked was excluded (own school, LSS, phase, ...) */
	MATCH_HOSTS_FULL,	/* some host ranked could have taken them, but filled up first */
	MATCH_REASON_COUNT
};

struct match_host {
	const char *id;
	const char *phase;  /* the school's phase, or NULL when none is recorded */
	int lss;	    /* a Lead Succession School */
	int offered;	    /* the host offers places in this cohort */
	int places;	    /* places left to fill (its places less internships placed already) */
	const int *ranking; /* candidate indices, most preferred first; NULL: accepts all */
	size_t nranking;
};

struct match_cand {
	const char *id;
	const char *school; /* the candidate's own school */
	const char *phase;  /* its phase, or NULL */
	const int *prefs;   /* host indices, most preferred first, distinct */
	size_t nprefs;
	int need_lss;	/* hosts must be Lead Succession Schools (the candidate's requirement) */
	int same_phase; /* a host's phase must be the candidate's school's (all-through: any) */
	/* Results, filled by match_run: */
	int host;   /* the host index placed at, or -1 */
	int choice; /* 1 + the position of that host in prefs (0 when unplaced) */
	enum match_reason reason;
	enum match_why *why; /* caller-allocated, nprefs entries: why each host did not take them */
};

/*
 * Run the match. Fills each candidate's host, choice, reason and why. Returns
 * 0, or -1 when memory runs out (nothing meaningful in the results then).
 */
int match_run(struct match_host *hosts, size_t nhosts, struct match_cand *cands, size_t ncands);

/* The wire names: "own_school", "not_lss", "phase", "no_places", "not_ranked", "full". */
const char *match_why_name(enum match_why w);
/* "placed", "no_ranking", "no_eligible_host", "hosts_full". */
const char *match_reason_name(enum match_reason r);

#endif

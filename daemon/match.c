/*
 * match.c: candidate-proposing deferred acceptance for internship
 * brokering (match.h). Each candidate's ranked hosts are first checked
 * against the programme's constraints (own school, Lead Succession School,
 * phase) and whether the host offers places at all; then free candidates
 * propose, in index order, to their next eligible host. A host holds the
 * best candidates that have proposed, up to its places, by its ranking (or,
 * accepting all, by candidate index) and rejects the rest; a rejected
 * candidate proposes to their next host. It stops when every candidate is
 * held or has run out of hosts. Candidates' proposals only go down their
 * lists and hosts' holdings only improve, so at most (candidates x hosts)
 * proposals are made and the result is the candidate-optimal stable
 * matching, independent of the order of proposals.
 */
#include "match.h"

#include <stdlib.h>
#include <string.h>

static const char *const why_names[MATCH_WHY_COUNT] = {
    "ok", "own_school", "not_lss", "phase", "no_places", "not_ranked", "full",
};
static const char *const reason_names[MATCH_REASON_COUNT] = {
    "placed",
    "no_ranking",
    "no_eligible_host",
    "hosts_full",
};

const char *
match_why_name(enum match_why w)
{
	return (unsigned)w < MATCH_WHY_COUNT ? why_names[w] : "?";
}

const char *
match_reason_name(enum match_reason r)
{
	return (unsigned)r < MATCH_REASON_COUNT ? reason_names[r] : "?";
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The constraints on candidate c at host h, before anyone proposes. */
static enum match_why
excluded(const struct match_host *h, const struct match_cand *c)
{
	if (same(h->id, c->school))
		return MATCH_OWN_SCHOOL;
	if (c->need_lss && !h->lss)
		return MATCH_NOT_LSS;
	if (c->same_phase && !same(h->phase, "all-through") && !same(h->phase, c->phase))
		return MATCH_PHASE;
	if (!h->offered)
		return MATCH_NO_PLACES;
	return MATCH_OK;
}

/* Host h's rank of candidate c: lower is preferred; -1 when h does not accept c. */
static long
rank_of(const struct match_host *h, size_t c)
{
	if (h->ranking == NULL)
		return (long)c;
	for (size_t i = 0; i < h->nranking; i++)
		if (h->ranking[i] == (int)c)
			return (long)i;
	return -1;
}

int
match_run(struct match_host *hosts, size_t nhosts, struct match_cand *cands, size_t ncands)
{
	size_t *next = calloc(ncands + 1, sizeof *next);
	size_t *queue = calloc(ncands + 1, sizeof *queue);
	size_t *held_n = calloc(nhosts + 1, sizeof *held_n);
	size_t **held = calloc(nhosts + 1, sizeof *held);
	size_t qhead = 0, qtail = 0;
	int rc = -1;

	if (next == NULL || queue == NULL || held_n == NULL || held == NULL)
		goto done;
	for (size_t h = 0; h < nhosts; h++) {
		size_t cap = hosts[h].places > 0 ? (size_t)hosts[h].places : 0;

		held[h] = calloc(cap + 1, sizeof **held);
		if (held[h] == NULL)
			goto done;
	}
	for (size_t c = 0; c < ncands; c++) {
		cands[c].host = -1;
		cands[c].choice = 0;
		for (size_t k = 0; k < cands[c].nprefs; k++)
			cands[c].why[k] = excluded(&hosts[cands[c].prefs[k]], &cands[c]);
		queue[qtail++] = c; /* each candidate is in the queue at most once */
	}
	while (qhead != qtail) {
		size_t c = queue[qhead];

		qhead = (qhead + 1) % (ncands + 1);
		while (next[c] < cands[c].nprefs) {
			size_t k = next[c]++, h = (size_t)cands[c].prefs[k];
			struct match_host *ho = &hosts[h];
			size_t cap = ho->places > 0 ? (size_t)ho->places : 0, worst = 0;
			long r;

			if (cands[c].why[k] != MATCH_OK)
				continue;
			r = rank_of(ho, c);
			if (r < 0) {
				cands[c].why[k] = MATCH_NOT_RANKED;
				continue;
			}
			if (held_n[h] < cap) {
				held[h][held_n[h]++] = c;
				cands[c].host = (int)h;
				break;
			}
			for (size_t i = 1; i < held_n[h]; i++)
				if (rank_of(ho, held[h][i]) > rank_of(ho, held[h][worst]))
					worst = i;
			if (held_n[h] == 0 || rank_of(ho, held[h][worst]) < r) {
				cands[c].why[k] = MATCH_FULL;
				continue;
			}
			/* c displaces the held candidate the host likes least. */
			{
				size_t w = held[h][worst];

				held[h][worst] = c;
				cands[c].host = (int)h;
				cands[w].host = -1;
				cands[w].why[next[w] - 1] = MATCH_FULL;
				queue[qtail] = w;
				qtail = (qtail + 1) % (ncands + 1);
			}
			break;
		}
	}
	for (size_t c = 0; c < ncands; c++) {
		struct match_cand *mc = &cands[c];
		int full = 0;

		if (mc->host >= 0) {
			for (size_t k = 0; k < mc->nprefs; k++)
				if (mc->prefs[k] == mc->host)
					mc->choice = (int)k + 1;
			mc->reason = MATCH_PLACED;
			continue;
		}
		for (size_t k = 0; k < mc->nprefs; k++)
			full |= mc->why[k] == MATCH_FULL;
		mc->reason = mc->nprefs == 0 ? MATCH_NO_RANKING
			     : full	     ? MATCH_HOSTS_FULL
					     : MATCH_NO_ELIGIBLE_HOST;
	}
	rc = 0;
done:
	for (size_t h = 0; held != NULL && h < nhosts; h++)
		free(held[h]);
	free(held);
	free(held_n);
	free(queue);
	free(next);
	return rc;
}

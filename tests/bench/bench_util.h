/*
 * bench_util.h: what the benchmark programs share beyond the api client of
 * bench_zmq.h (include it after that): a latency recorder printed as one
 * "BENCH name=..." line (pw-bench-feedback, pw-bench-webpage), the newest
 * link a worker kept for an email (pw-bench-web, pw-bench-webpage), and the
 * Norfolk self-evaluation's answers (pw-bench-feedback, pw-bench-web).
 */
#ifndef PW_BENCH_UTIL_H
#define PW_BENCH_UTIL_H

struct lat {
	double *v;
	size_t n, cap;
	double bytes;
	long errors;
};

static inline void
lat_add(struct lat *l, double ms)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (l->v == NULL)
			die("%s", "out of memory");
	}
	l->v[l->n++] = ms;
}

static inline int
lat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline double
lat_pct(const struct lat *l, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)l->n);

	if (l->n == 0)
		return 0;
	return l->v[i >= l->n ? l->n - 1 : i];
}

/* Sorts l and prints its line: count, errors, bytes per reply, mean, p50/p90/p99, max. */
static inline void
lat_print(const char *name, struct lat *l)
{
	double sum = 0;

	for (size_t i = 0; i < l->n; i++)
		sum += l->v[i];
	qsort(l->v, l->n, sizeof *l->v, lat_cmp);
	printf("BENCH name=%s n=%zu errors=%ld reply_bytes=%.0f ms_mean=%.3f ms_p50=%.3f "
	       "ms_p90=%.3f ms_p99=%.3f ms_max=%.3f\n",
	       name, l->n, l->errors, l->n ? l->bytes / (double)l->n : 0.0,
	       l->n ? sum / (double)l->n : 0.0, lat_pct(l, 50), lat_pct(l, 90), lat_pct(l, 99),
	       l->n ? l->v[l->n - 1] : 0.0);
}

/* The newest link in file whose template is tmpl and email/app match (NULL: any). */
static inline char *
find_link(const char *file, const char *tmpl, const char *email, const char *app)
{
	FILE *f = fopen(file, "r");
	char line[1024], t[128], e[256], a[64], u[600], *found = NULL;

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%127s %255s %63s %599s", t, e, a, u) != 4)
			continue;
		if (strcmp(t, tmpl) == 0 && (email == NULL || strcmp(e, email) == 0) &&
		    (app == NULL || strcmp(a, app) == 0)) {
			free(found);
			found = strdup(u);
		}
	}
	fclose(f);
	return found;
}

/* A complete answer to the Norfolk self-evaluation form (its fields, valid). */
static inline json_t *
self_eval_fields(void)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:s}",
			 "current_role", "Deputy headteacher", "phase", "Primary", "aspiration",
			 "Headship", "discussed_with_headteacher", 1, "shaping_the_future", 3,
			 "leading_learning", 4, "working_with_others", 3,
			 "managing_the_organisation", 2, "securing_accountability", 3,
			 "strengthening_community", 2, "leading_learning_evidence",
			 "Led the school's reading improvement plan; KS2 reading outcomes "
			 "rose two years running.",
			 "development_areas", "Finance and working with governors.");
}

#endif

/*
 * origin.c: whether a browser says a POST came from another site:
 * Sec-Fetch-Site other than same-origin (or none: typed, bookmarked), or an
 * Origin that is not base_url's (scheme://host[:port]; an Origin of "null",
 * which our own pages' POSTs carry under Referrer-Policy: no-referrer, says
 * nothing). http.c refuses such
 * a POST before its CSRF field is even compared, so a page of another site
 * cannot sign a person in as someone else with that someone's own login
 * link (login CSRF). Clients that send neither header (scripts, tests) are
 * judged by the CSRF field alone.
 */
#include <string.h>

#include "core.h"

int
origin_cross_site(const char *site, const char *origin, const char *base)
{
	const char *end;
	size_t n;

	if (site != NULL && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return 1;
	/* "null": what a browser sends under Referrer-Policy: no-referrer, ours included. */
	if (origin == NULL || base == NULL || strcmp(origin, "null") == 0)
		return 0;
	end = strstr(base, "://");
	end = end != NULL ? strchr(end + 3, '/') : NULL;
	n = end != NULL ? (size_t)(end - base) : strlen(base);
	return strlen(origin) != n || strncmp(origin, base, n) != 0;
}

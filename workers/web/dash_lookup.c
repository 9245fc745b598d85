/*
 * dash_lookup.c: what the dashboard's pages and lists look up in the replies
 * one page gathered: people's, schools' and stages' names, an application's
 * candidate; and times as people read them, in the cohort's zone: a UTC time
 * from pathwayd in words (html_time), and the cohort's wall clock now (to
 * choose the coming sessions and name the CSV files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dashboard.h"

/* ---- lookups within one page's replies -------------------------------------- */

const char *
dash_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const char *
dash_person(struct dash *d, const char *id)
{
	const char *name;

	if (id == NULL)
		return "";
	if (strcmp(id, "pathwayd") == 0)
		return "Pathway";
	name = dash_str(json_object_get(d->people, id), "name");
	return name != NULL ? name : id;
}

const char *
dash_school(struct dash *d, const char *id)
{
	const char *name;

	if (id == NULL)
		return "";
	name = dash_str(json_object_get(d->schools, id), "name");
	return name != NULL ? name : id;
}

const char *
dash_stage(struct dash *d, const char *id)
{
	size_t i;
	json_t *s;

	if (id == NULL)
		return "";
	json_array_foreach(json_object_get(d->cohort, "stages"), i, s)
	{
		if (strcmp(id, dash_str(s, "id") ?: "") == 0 && dash_str(s, "name") != NULL)
			return dash_str(s, "name");
	}
	return id;
}

const char *
dash_candidate(struct dash *d, const char *app)
{
	json_t *a = app != NULL ? json_object_get(d->by_app, app) : NULL;

	if (a == NULL)
		return app != NULL ? app : "";
	return dash_person(d, dash_str(a, "candidate"));
}

/* Times are written by html_time, the one place that sets TZ, as every page writes them. */
const char *
dash_local(struct dash *d, const char *utc, char *buf)
{
	struct pw_buf t = {0};
	int64_t s;

	if (utc == NULL)
		return "";
	if (pw_time_parse(utc, &s) != 0)
		return utc;
	html_time(&t, utc, d->tz);
	snprintf(buf, 64, "%s", t.p != NULL ? t.p : "");
	free(t.p);
	return buf;
}

/* The cohort's wall clock; TZ is put back after, so html_time's idea of it stays true. */
void
dash_local_now(struct dash *d, char *buf)
{
	html_wall_clock(d->now, d->tz, buf, 64);
}

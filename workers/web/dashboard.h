/*
 * dashboard.h: what the LA dashboard's files share, and nothing else
 * includes. page_dashboard.c gathers the replies one page needs from
 * pathwayd (struct dash, built afresh for every request: nothing is cached
 * across requests) and answers the routes; page_csv.c turns those replies
 * into the dashboard's lists, rows of plain-text cells with names and local
 * times, which page_dashboard_draw.c draws as HTML and /dashboard/<list>.csv
 * downloads.
 */
#ifndef PW_DASHBOARD_H
#define PW_DASHBOARD_H

#include <jansson.h>
#include <stdint.h>

#include "web.h"

/* The replies one dashboard is drawn from, and the indexes made of them. */
struct dash {
	struct req *r;
	const char *token; /* the session's, borrowed from the request */
	char *cohort_id;
	int is_adviser;		     /* may retry notifications */
	void (*done)(struct dash *); /* draws the reply once everything is in */
	const char *list;	     /* the CSV asked for (a dash_lists name), or NULL */

	int pending; /* requests in flight */
	int phase;
	int cohort_sent; /* the cohort's requests went with round 1 */
	int status;	 /* 0, or the HTTP status of a failure */
	const char *error;

	int64_t now;	 /* pathwayd's clock (a manual clock in rehearsals) */
	int64_t head;	 /* the last event's seq */
	json_t *cohorts; /* cohort.list */
	json_t *cohort;	 /* cohort.get's cohort: stages, sessions, timezone */
	json_t *report;	 /* cohort.report */
	json_t *apps;	 /* every application of the cohort, in id order */
	json_t *events;	 /* the recent events, oldest first */
	json_t *jobs;	 /* the outbox: pending, in flight, dead */
	int jobs_more;	 /* more jobs than were read */
	int pages;	 /* pages of the outbox read */
	json_t *people;	 /* person id -> person */
	json_t *schools; /* school id -> school */
	json_t *by_app;	 /* application id -> application */
	json_t *heads;	 /* school id -> [headteachers' ids] */
	json_t *hosts;	 /* school id -> [hosts' ids] */
	const char *tz;	 /* the cohort's zone */
};

/* A list of the dashboard: its CSV name, heading, columns and rows. */
struct dash_list {
	const char *name;
	const char *title;
	const char *const *cols;
	void (*rows)(struct dash *d, json_t *rows); /* appends arrays of strings */
};

extern const struct dash_list dash_lists[]; /* ends with a NULL name */
const struct dash_list *dash_list_find(const char *name);
/* The rows of list l (a new array of arrays of strings). */
json_t *dash_rows(struct dash *d, const struct dash_list *l);
/* l's rows as CSV: a header line, CRLF line ends, cells quoted and guarded. */
void dash_csv(struct pw_buf *b, const struct dash_list *l, json_t *rows);

/* The element id="live" with every section (page_dashboard_draw.c). */
void dash_draw_live(struct dash *d, struct pw_buf *b);

/* Lookups within one page's replies; each falls back to the id. */
const char *dash_str(const json_t *o, const char *key); /* a string member, or NULL */
const char *dash_person(struct dash *d, const char *id);
const char *dash_school(struct dash *d, const char *id);
const char *dash_stage(struct dash *d, const char *id);
const char *dash_candidate(struct dash *d, const char *app); /* an application's candidate */
/* A UTC time as the cohort's local time ("Tue 03 Nov 2026, 17:00") in buf (64 bytes). */
const char *dash_local(struct dash *d, const char *utc, char *buf);
/* now in the cohort's zone as "YYYY-MM-DD HH:MM", to compare with sessions. */
void dash_local_now(struct dash *d, char *buf);

#endif

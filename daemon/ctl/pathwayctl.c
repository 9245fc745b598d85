/*
 * pathwayctl.c: the command-line client of pathwayd. The subcommands are one
 * table (ctl_cmds): each entry names the wire command it sends, its
 * positional arguments and flags (each with the args field it fills and how
 * its text becomes JSON), the roles the daemon lets run it, and how to show
 * the reply to a person. A generic parser turns argv into the request's
 * args from that table; a few entries (import, watch, backup) have their own
 * run function for what is more than one request. Requests go over a DEALER
 * socket with a receive timeout, each with a unique id, resent with the same
 * id while waiting so a resend is never applied twice.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libconfig.h>
#include <zmq.h>

#include "proto.h"
#include "util.h"

enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_REFUSED = 1, /* the daemon refused, or the input was unusable */
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_NOANSWER = 3,
};

#define CTL_DEFAULT_CONF "conf/pathway.conf"
#define CTL_DEFAULT_API "ipc://var/run/api.sock"
#define CTL_DEFAULT_EVENTS "ipc://var/run/events.sock"
#define CTL_DEFAULT_ACTOR "operator"
#define CTL_DEFAULT_TIMEOUT 10000
#define CTL_MAX_ARGS 12
#define CTL_PAGE 1000

/* The client's settings and its connection. */
struct ctl {
	const char *conf_flag; /* -c */
	const char *api_flag;  /* -e */
	const char *events_flag;
	const char *actor_flag; /* -a */
	long timeout_flag;	/* -t, or -1 */
	char *api;
	char *events;
	char *actor;
	long timeout_ms;
	int json;
	void *zctx;
	void *sock;
	long long tag; /* makes request ids unique across runs */
	unsigned long nreq;
};

/* How the text of an argument becomes a JSON value in args. */
enum ctl_type {
	A_STR,	  /* a string */
	A_INT,	  /* an integer >= 0 */
	A_FLAG,	  /* a flag without a value: true */
	A_NOFLAG, /* a flag without a value: false */
	A_YESNO,  /* yes|no (true|false) */
	A_ENUM,	  /* one of meta's words ("a|b|c") */
	A_WORDS,  /* meta "x|y": x is true, y is false */
	A_LIST,	  /* an array; repeat the flag or separate with , ; | */
	A_FACT,	  /* KEY=VALUE into an object; numbers become numbers */
};

struct ctl_arg {
	const char *flag; /* "note" for --note; NULL for a positional */
	const char *key;  /* the args field it fills */
	enum ctl_type type;
	const char *meta; /* the placeholder in usage ("APP"); A_ENUM/A_WORDS: the words */
	int required;	  /* flags only: positionals are always required */
	const char *def;  /* the value when not given */
	const char *help;
};

struct ctl_cmd;
typedef int (*ctl_run_fn)(struct ctl *c, const struct ctl_cmd *e, json_t *args);
typedef void (*ctl_show_fn)(const json_t *data);

struct ctl_cmd {
	const char *name; /* one word, or two ("clock set") */
	const char *cmd;  /* the wire command */
	const char *roles;
	const char *summary;
	struct ctl_arg args[CTL_MAX_ARGS];
	ctl_run_fn run;	  /* NULL: send one request with the parsed args */
	ctl_show_fn show; /* NULL: print the data as JSON */
};

static const char *const ctl_roles_note =
    "la_adviser may always; the configured operator is an la_adviser";

/* Small helpers on JSON values. */

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Any scalar as text for a table cell; the caller frees it. */
static char *
jtext(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("yes");
	if (json_is_false(v))
		return xstrdup("no");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	return proto_encode(v);
}

/* The fields of an object as "k=v k=v", for event details. */
static char *
jpairs(const json_t *o)
{
	const char *k;
	json_t *v;
	char *out = xstrdup(""), *t, *next;

	json_object_foreach((json_t *)o, k, v)
	{
		t = jtext(v);
		next = xasprintf("%s%s%s=%s", out, *out ? " " : "", k, t);
		free(t);
		free(out);
		out = next;
	}
	return out;
}

/* Aligned tables. */

struct table {
	size_t ncols;
	size_t nrows;
	char **cells; /* nrows * ncols, row 0 the header */
};

static void
table_add(struct table *t, char **row)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = row[i];
	t->nrows++;
}

static void
table_init(struct table *t, size_t ncols, const char *const *head)
{
	char *row[16];

	if (ncols > 16)
		fatal("a table of %zu columns", ncols);
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	for (size_t i = 0; i < ncols; i++)
		row[i] = xstrdup(head[i]);
	table_add(t, row);
}

/* Columns on screen: UTF-8 continuation bytes take none. */
static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
table_print(struct table *t)
{
	size_t width[16] = {0};

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t w = text_width(t->cells[r * t->ncols + i]);

			if (w > width[i])
				width[i] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		size_t last = t->ncols;

		/* Empty cells at the end of a row leave no trailing blanks. */
		while (last > 1 && *t->cells[r * t->ncols + last - 1] == '\0')
			last--;
		for (size_t i = 0; i < last; i++) {
			const char *s = t->cells[r * t->ncols + i];

			if (i + 1 == last)
				printf("%s", s);
			else
				printf("%s%*s  ", s, (int)(width[i] - text_width(s)), "");
		}
		putchar('\n');
	}
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

static void kv(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
kv(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("%-12s ", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
kv_str(const json_t *o, const char *key, const char *label)
{
	const json_t *v = json_object_get(o, key);
	char *t;

	if (v == NULL || json_is_null(v))
		return;
	t = jtext(v);
	kv(label != NULL ? label : key, "%s", t);
	free(t);
}

/* Showing replies to people. */

static void
show_ping(const json_t *d)
{
	printf("pathwayd %s, protocol %lld, now %s, head %lld\n", jstr(d, "version"),
	       (long long)json_integer_value(json_object_get(d, "protocol")), jstr(d, "now"),
	       (long long)json_integer_value(json_object_get(d, "head")));
}

static void
show_clock(const json_t *d)
{
	printf("%s\n", jstr(d, "now"));
}

static void
show_backup(const json_t *d)
{
	printf("backed up %lld bytes to %s/data.mdb\n",
	       (long long)json_integer_value(json_object_get(d, "bytes")), jstr(d, "path"));
}

static char *
roles_text(const json_t *p)
{
	const json_t *roles = json_object_get(p, "roles");
	char *out = xstrdup(""), *next;
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r)
	{
		next = xasprintf("%s%s%s", out, i ? "," : "", json_string_value(r));
		free(out);
		out = next;
	}
	return out;
}

static void
show_person(const json_t *d)
{
	const json_t *p = json_object_get(d, "person");
	char *t = roles_text(p);

	kv_str(p, "id", "person");
	kv_str(p, "name", NULL);
	kv_str(p, "email", NULL);
	kv("roles", "%s", t);
	kv_str(p, "school", NULL);
	kv_str(p, "digest", NULL);
	free(t);
	if (json_object_size(json_object_get(p, "facts")) > 0) {
		t = jpairs(json_object_get(p, "facts"));
		kv("facts", "%s", t);
		free(t);
	}
}

static void
show_people(const json_t *d)
{
	static const char *const head[] = {"ID", "NAME", "EMAIL", "ROLES", "SCHOOL"};
	struct table t;
	size_t i;
	json_t *p;

	table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "people"), i, p)
	{
		char *row[] = {xstrdup(jstr(p, "id")), xstrdup(jstr(p, "name")),
			       xstrdup(jstr(p, "email")), roles_text(p),
			       xstrdup(jstr(p, "school"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_school(const json_t *d)
{
	const json_t *s = json_object_get(d, "school");

	kv_str(s, "id", "school");
	kv_str(s, "name", NULL);
	kv_str(s, "phase", NULL);
	kv("lss", "%s", json_is_true(json_object_get(s, "lss")) ? "yes" : "no");
	kv_str(s, "email", NULL);
}

static void
show_schools(const json_t *d)
{
	static const char *const head[] = {"ID", "NAME", "PHASE", "LSS", "EMAIL"};
	struct table t;
	size_t i;
	json_t *s;

	table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "schools"), i, s)
	{
		char *row[] = {xstrdup(jstr(s, "id")), xstrdup(jstr(s, "name")),
			       xstrdup(jstr(s, "phase")),
			       xstrdup(json_is_true(json_object_get(s, "lss")) ? "yes" : "no"),
			       xstrdup(jstr(s, "email"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_cohorts(const json_t *d)
{
	static const char *const head[] = {"ID", "PROGRAMME", "PLACES", "STARTS", "NAME"};
	struct table t;
	size_t i;
	json_t *co;

	table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "cohorts"), i, co)
	{
		char *row[] = {xstrdup(jstr(co, "id")), xstrdup(jstr(co, "programme")),
			       jtext(json_object_get(co, "places")), xstrdup(jstr(co, "starts")),
			       xstrdup(jstr(co, "name"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_cohort(const json_t *d)
{
	static const char *const shead[] = {"SESSION", "DATE", "TIME", "TITLE", "VENUE"};
	const json_t *co = json_object_get(d, "cohort");
	struct table t;
	size_t i;
	json_t *s;

	kv_str(co, "id", "cohort");
	kv_str(co, "name", NULL);
	kv_str(co, "programme", NULL);
	kv_str(co, "places", NULL);
	kv_str(co, "starts", NULL);
	kv_str(co, "timezone", NULL);
	{
		char *st = xstrdup(""), *next;

		json_array_foreach(json_object_get(co, "stages"), i, s)
		{
			next = xasprintf("%s%s%s", st, i ? " > " : "", jstr(s, "id"));
			free(st);
			st = next;
		}
		kv("stages", "%s", st);
		free(st);
	}
	putchar('\n');
	table_init(&t, 5, shead);
	json_array_foreach(json_object_get(co, "sessions"), i, s)
	{
		const char *aud = jstr(s, "audience");
		char *row[] = {xstrdup(jstr(s, "id")), xstrdup(jstr(s, "date")),
			       xasprintf("%s-%s", jstr(s, "start"), jstr(s, "end")),
			       *aud && strcmp(aud, "participants") != 0
				   ? xasprintf("%s (%s)", jstr(s, "title"), aud)
				   : xstrdup(jstr(s, "title")),
			       xstrdup(jstr(s, "venue"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_counts(const char *what, const json_t *counts)
{
	const char *const head[] = {what, "COUNT"};
	struct table t;
	const char *k;
	json_t *v;

	table_init(&t, 2, head);
	json_object_foreach((json_t *)counts, k, v)
	{
		char *row[] = {xstrdup(k), jtext(v)};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_report(const json_t *d)
{
	const json_t *waiting = json_object_get(d, "waiting");
	char *w = xstrdup(""), *next;
	size_t i;
	json_t *a;

	json_array_foreach(waiting, i, a)
	{
		next = xasprintf("%s%s%s", w, i ? " " : "", json_string_value(a));
		free(w);
		w = next;
	}
	kv("cohort", "%s (%s)", jstr(d, "cohort"), jstr(d, "programme"));
	kv("places", "%lld", (long long)json_integer_value(json_object_get(d, "places")));
	kv("taken", "%lld", (long long)json_integer_value(json_object_get(d, "taken")));
	kv("left", "%lld", (long long)json_integer_value(json_object_get(d, "left")));
	kv("waiting", "%zu%s%s", json_array_size(waiting), *w ? ": " : "", w);
	kv("total", "%lld", (long long)json_integer_value(json_object_get(d, "total")));
	kv("overdue", "%lld", (long long)json_integer_value(json_object_get(d, "overdue")));
	free(w);
	putchar('\n');
	show_counts("STAGE", json_object_get(d, "stages"));
	putchar('\n');
	show_counts("STATUS", json_object_get(d, "status"));
}

/* What a requirement is about: its document, sessions, fact or role. */
static char *
requirement_what(const json_t *q)
{
	const json_t *ss = json_object_get(q, "sessions");
	char *out, *next;
	size_t i;
	json_t *s;

	if (*jstr(q, "doc"))
		return xstrdup(jstr(q, "doc"));
	if (json_array_size(ss) > 0) {
		out = xstrdup("");
		json_array_foreach(ss, i, s)
		{
			next = xasprintf("%s%s%s", out, i ? "," : "", json_string_value(s));
			free(out);
			out = next;
		}
		return out;
	}
	return xstrdup(*jstr(q, "fact") ? jstr(q, "fact") : jstr(q, "role"));
}

static void
show_app(const json_t *d)
{
	static const char *const rhead[] = {"REQUIREMENT", "WHAT", "MET", "HAVE"};
	const json_t *a = json_object_get(d, "application");
	const json_t *o = json_object_get(a, "overdue"), *in = json_object_get(a, "internship");
	const json_t *raters = json_object_get(a, "raters");
	const char *k, *first;
	struct table t;
	size_t i, responded = 0;
	json_t *v;

	kv_str(a, "id", "application");
	kv_str(a, "candidate", NULL);
	kv("cohort", "%s (%s)", jstr(a, "cohort"), jstr(a, "programme"));
	kv_str(a, "school", NULL);
	kv_str(a, "route", NULL);
	kv_str(a, "status", NULL);
	kv("stage", "%s (since %s)", jstr(a, "stage"), jstr(a, "stage_entered"));
	kv("place", "%s", json_is_true(json_object_get(a, "place")) ? "yes" : "no");
	if (o != NULL)
		kv("overdue", "yes: %s since %s", jstr(o, "stage"), jstr(o, "since"));
	else
		kv("overdue", "no");
	kv_str(a, "coach", NULL);
	kv_str(a, "created", NULL);
	first = "documents";
	json_object_foreach(json_object_get(a, "docs"), k, v)
	{
		kv(first, "%s %s by %s%s%s", k, jstr(v, "at"), jstr(v, "by"),
		   *jstr(v, "ref") ? "  " : "", jstr(v, "ref"));
		first = "";
	}
	first = "signoffs";
	json_object_foreach(json_object_get(a, "signoffs"), k, v)
	{
		kv(first, "%s %s by %s", k, jstr(v, "at"), jstr(v, "by"));
		first = "";
	}
	first = "decisions";
	json_object_foreach(json_object_get(a, "decisions"), k, v)
	{
		kv(first, "%s: %s %s by %s%s%s", k, jstr(v, "outcome"), jstr(v, "at"),
		   jstr(v, "by"), *jstr(v, "note") ? "  " : "", jstr(v, "note"));
		first = "";
	}
	if (json_object_size(raters) > 0) {
		json_object_foreach((json_t *)raters, k, v)
		{
			if (json_object_get(v, "responded") != NULL)
				responded++;
		}
		if (responded > 0)
			kv("raters", "%zu invited, %zu responded", json_object_size(raters),
			   responded);
		else
			kv("raters", "%zu invited", json_object_size(raters));
	}
	if (json_object_size(json_object_get(a, "attendance")) > 0) {
		char *s = xstrdup(""), *next;

		json_object_foreach(json_object_get(a, "attendance"), k, v)
		{
			next = xasprintf("%s%s%s %s", s, *s ? ", " : "", k,
					 json_is_true(v) ? "present" : "absent");
			free(s);
			s = next;
		}
		kv("attendance", "%s", s);
		free(s);
	}
	if (in != NULL) {
		kv("internship", "%s %s to %s", jstr(in, "host_school"), jstr(in, "start"),
		   jstr(in, "end"));
		if (json_object_get(in, "confirmed") != NULL)
			kv("", "%lld days confirmed by %s at %s",
			   (long long)json_integer_value(json_object_get(in, "days_completed")),
			   jstr(in, "confirmed_by"), jstr(in, "confirmed"));
	}
	kv_str(a, "graduated", NULL);
	first = "career";
	json_array_foreach(json_object_get(a, "career"), i, v)
	{
		kv(first, "%s %s%s%s", jstr(v, "date"), jstr(v, "role"),
		   *jstr(v, "school") ? ", " : "", jstr(v, "school"));
		first = "";
	}
	if (json_array_size(json_object_get(a, "requirements")) == 0)
		return;
	putchar('\n');
	table_init(&t, 4, rhead);
	json_array_foreach(json_object_get(a, "requirements"), i, v)
	{
		char *row[] = {
		    xstrdup(jstr(v, "kind")), requirement_what(v),
		    xstrdup(json_is_true(json_object_get(v, "met")) ? "yes" : "no"),
		    xasprintf("%lld/%lld",
			      (long long)json_integer_value(json_object_get(v, "have")),
			      (long long)json_integer_value(json_object_get(v, "need")))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
apps_table(const json_t *apps)
{
	static const char *const head[] = {"ID",    "CANDIDATE", "SCHOOL", "COHORT",
					   "STAGE", "STATUS",	 "PLACE",  "OVERDUE"};
	struct table t;
	size_t i;
	json_t *a;

	table_init(&t, 8, head);
	json_array_foreach(apps, i, a)
	{
		const json_t *o = json_object_get(a, "overdue");
		char *row[] = {xstrdup(jstr(a, "id")),
			       xstrdup(jstr(a, "candidate")),
			       xstrdup(jstr(a, "school")),
			       xstrdup(jstr(a, "cohort")),
			       xstrdup(jstr(a, "stage")),
			       xstrdup(jstr(a, "status")),
			       xstrdup(json_is_true(json_object_get(a, "place")) ? "yes" : "no"),
			       o != NULL ? xasprintf("since %s", jstr(o, "since")) : xstrdup("no")};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_apps(const json_t *d)
{
	apps_table(json_object_get(d, "applications"));
	if (json_is_string(json_object_get(d, "next")))
		printf("(more: --after %s)\n", jstr(d, "next"));
}

static void
show_register(const json_t *d)
{
	printf("recorded %lld\n", (long long)json_integer_value(json_object_get(d, "recorded")));
	apps_table(json_object_get(d, "applications"));
}

/* One event as a line, for events, history and watch. */
static char *
event_line(const json_t *e)
{
	char *pairs = jpairs(json_object_get(e, "data"));
	char *line =
	    xasprintf("%6lld  %s  %-34s %-12s %-8s %-10s %s",
		      (long long)json_integer_value(json_object_get(e, "seq")), jstr(e, "at"),
		      jstr(e, "type"), *jstr(e, "cohort") ? jstr(e, "cohort") : "-",
		      *jstr(e, "app") ? jstr(e, "app") : "-", jstr(e, "actor"), pairs);

	free(pairs);
	return line;
}

static void
events_table(const json_t *events)
{
	static const char *const head[] = {"SEQ", "AT", "TYPE", "COHORT", "APP", "ACTOR", "DETAIL"};
	struct table t;
	size_t i;
	json_t *e;

	table_init(&t, 7, head);
	json_array_foreach(events, i, e)
	{
		char *row[] = {jtext(json_object_get(e, "seq")),
			       xstrdup(jstr(e, "at")),
			       xstrdup(jstr(e, "type")),
			       xstrdup(*jstr(e, "cohort") ? jstr(e, "cohort") : "-"),
			       xstrdup(*jstr(e, "app") ? jstr(e, "app") : "-"),
			       xstrdup(jstr(e, "actor")),
			       jpairs(json_object_get(e, "data"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

static void
show_history(const json_t *d)
{
	events_table(json_object_get(d, "events"));
	if (json_is_integer(json_object_get(d, "next")))
		printf("(more: --after %lld)\n",
		       (long long)json_integer_value(json_object_get(d, "next")));
}

static void
show_events(const json_t *d)
{
	const json_t *evs = json_object_get(d, "events");
	json_int_t head = json_integer_value(json_object_get(d, "head"));

	events_table(evs);
	if (json_array_size(evs) > 0 &&
	    json_integer_value(
		json_object_get(json_array_get(evs, json_array_size(evs) - 1), "seq")) < head)
		printf("(head %lld; more: --after %lld)\n", (long long)head,
		       (long long)json_integer_value(
			   json_object_get(json_array_get(evs, json_array_size(evs) - 1), "seq")));
}

static void
show_jobs(const json_t *d)
{
	static const char *const head[] = {"JOB", "STATE",    "TEMPLATE", "TO",
					   "APP", "ATTEMPTS", "NEXT",	  "ERROR"};
	struct table t;
	size_t i;
	json_t *j;

	table_init(&t, 8, head);
	json_array_foreach(json_object_get(d, "jobs"), i, j)
	{
		const json_t *to = json_object_get(j, "to");
		char *row[] = {xstrdup(jstr(j, "id")),
			       xstrdup(jstr(j, "state")),
			       xstrdup(jstr(j, "template")),
			       xasprintf("%s <%s>", jstr(to, "person"), jstr(to, "email")),
			       xstrdup(*jstr(j, "app") ? jstr(j, "app") : "-"),
			       jtext(json_object_get(j, "attempts")),
			       xstrdup(jstr(j, "next_attempt")),
			       xstrdup(jstr(j, "last_error"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
	if (json_is_string(json_object_get(d, "next")))
		printf("(more: --after %s)\n", jstr(d, "next"));
}

static void
show_job(const json_t *d)
{
	const json_t *j = json_object_get(d, "job"), *to = json_object_get(j, "to");

	kv_str(j, "id", "job");
	kv_str(j, "state", NULL);
	kv_str(j, "template", NULL);
	kv("to", "%s <%s> (%s)", jstr(to, "person"), jstr(to, "email"), jstr(to, "role"));
	kv_str(j, "app", NULL);
	kv_str(j, "attempts", NULL);
	kv_str(j, "next_attempt", NULL);
	kv_str(j, "last_error", NULL);
}

/* "told" is a count in replies (an object of people in older daemons). */
static size_t
told_count(const json_t *v)
{
	return json_is_integer(v) ? (size_t)json_integer_value(v) : json_object_size(v);
}

static void
show_opportunity(const json_t *d)
{
	const json_t *o = json_object_get(d, "opportunity");
	char *aud = jpairs(json_object_get(o, "audience"));

	kv_str(o, "id", "opportunity");
	kv_str(o, "title", NULL);
	kv_str(o, "description", NULL);
	kv_str(o, "link", NULL);
	kv("audience", "%s", *aud ? aud : "(the whole pool)");
	kv_str(o, "early_days", "early days");
	kv_str(o, "published", NULL);
	kv("closes", "%s (%s)", jstr(o, "closes"), jstr(o, "closes_local"));
	kv("released", "%s", json_is_true(json_object_get(o, "released")) ? "yes" : "no");
	kv("told", "%zu",
	   told_count(json_object_get(d, "told") ? json_object_get(d, "told")
						 : json_object_get(o, "told")));
	free(aud);
}

static void
show_opportunities(const json_t *d)
{
	static const char *const head[] = {"ID", "CLOSES", "RELEASED", "TOLD", "TITLE"};
	struct table t;
	size_t i;
	json_t *o;

	table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "opportunities"), i, o)
	{
		char *row[] = {xstrdup(jstr(o, "id")), xstrdup(jstr(o, "closes")),
			       xstrdup(json_is_true(json_object_get(o, "released")) ? "yes" : "no"),
			       xasprintf("%zu", told_count(json_object_get(o, "told"))),
			       xstrdup(jstr(o, "title"))};

		table_add(&t, row);
	}
	table_print(&t);
	table_free(&t);
}

/* Runners for the subcommands that are more than one request. */
static int run_backup(struct ctl *c, const struct ctl_cmd *e, json_t *args);
static int run_import(struct ctl *c, const struct ctl_cmd *e, json_t *args);
static int run_watch(struct ctl *c, const struct ctl_cmd *e, json_t *args);

#define POS(key, type, meta, help)                                                                 \
	{                                                                                          \
		NULL, key, type, meta, 1, NULL, help                                               \
	}
#define OPT(flag, key, type, meta, help)                                                           \
	{                                                                                          \
		flag, key, type, meta, 0, NULL, help                                               \
	}
#define APP POS("app", A_STR, "APP", "application id (A000001)")
#define STATUSES "active|waitlisted|rejected|withdrawn|graduated"
#define ROLES "candidate|headteacher|coach|rater|host|la_adviser|viewer"
#define PHASES "primary|secondary|special|all-through"
#define APPLICATION_ROLES "every related role, la_adviser, viewer"

static const struct ctl_cmd ctl_cmds[] = {
    {"ping",
     "system.ping",
     "any",
     "check the daemon answers: version, time, last event seq",
     {{0}},
     NULL,
     show_ping},
    {"clock", "system.ping", "any", "print the daemon's time", {{0}}, NULL, show_clock},
    {"clock set",
     "clock.set",
     "la_adviser (manual clock only)",
     "move the manual clock forward to TIME",
     {POS("now", A_STR, "TIME", "UTC time, e.g. 2026-11-22T15:37:50Z")},
     NULL,
     show_clock},
    {"clock advance",
     "clock.advance",
     "la_adviser (manual clock only)",
     "move the manual clock forward by SECONDS",
     {POS("seconds", A_INT, "SECONDS", "seconds to move on (>= 0)")},
     NULL,
     show_clock},
    {"backup",
     "system.backup",
     "la_adviser",
     "copy the store, consistently, to PATH/data.mdb while serving",
     {POS("path", A_STR, "PATH", "a directory holding no data.mdb (created if missing)"),
      OPT("no-compact", "compact", A_NOFLAG, NULL, "copy the pages as they are")},
     run_backup,
     show_backup},

    {"person-create",
     "person.create",
     "la_adviser",
     "create a person",
     {POS("id", A_STR, "ID", "person id ([A-Za-z0-9._-], 1..64)"),
      POS("name", A_STR, "NAME", "full name"), POS("email", A_STR, "EMAIL", "email address"),
      POS("roles", A_LIST, "ROLES", "roles separated by , ; or | (" ROLES ")"),
      OPT("school", "school", A_STR, "SCHOOL", "the person's school id"),
      OPT("fact", "facts", A_FACT, "KEY=VALUE", "a fact for eligibility rules; repeatable"),
      OPT("digest", "digest", A_YESNO, "yes|no", "notices as one daily digest")},
     NULL,
     show_person},
    {"person-update",
     "person.update",
     "la_adviser",
     "change a person (--fact replaces every fact)",
     {POS("id", A_STR, "ID", "person id"), OPT("name", "name", A_STR, "NAME", "full name"),
      OPT("email", "email", A_STR, "EMAIL", "email address"),
      OPT("roles", "roles", A_LIST, "ROLES", "roles separated by , ; or |"),
      OPT("school", "school", A_STR, "SCHOOL", "school id"),
      OPT("fact", "facts", A_FACT, "KEY=VALUE", "a fact; repeatable"),
      OPT("digest", "digest", A_YESNO, "yes|no", "notices as one daily digest")},
     NULL,
     show_person},
    {"person-get",
     "person.get",
     "la_adviser, viewer, the person themself",
     "show a person",
     {POS("id", A_STR, "ID", "person id")},
     NULL,
     show_person},
    {"digest",
     "person.digest",
     "the person themself, la_adviser",
     "choose (on) or stop (off) the daily digest of notices (headteachers, LA advisers)",
     {POS("id", A_STR, "PERSON", "person id"),
      POS("digest", A_WORDS, "on|off", "on: one email a day; off: each notice at once")},
     NULL,
     show_person},
    {"person-list",
     "person.list",
     "la_adviser, viewer",
     "list people",
     {OPT("role", "role", A_ENUM, ROLES, "only people with this role"),
      OPT("school", "school", A_STR, "SCHOOL", "only people of this school")},
     NULL,
     show_people},
    {"school-create",
     "school.create",
     "la_adviser",
     "create a school",
     {POS("id", A_STR, "ID", "school id"), POS("name", A_STR, "NAME", "school name"),
      OPT("phase", "phase", A_ENUM, PHASES, "phase"),
      OPT("lss", "lss", A_YESNO, "yes|no", "a Lead Succession School"),
      OPT("email", "email", A_STR, "EMAIL", "the school office's address")},
     NULL,
     show_school},
    {"school-update",
     "school.update",
     "la_adviser",
     "change a school",
     {POS("id", A_STR, "ID", "school id"), OPT("name", "name", A_STR, "NAME", "school name"),
      OPT("phase", "phase", A_ENUM, PHASES, "phase"),
      OPT("lss", "lss", A_YESNO, "yes|no", "a Lead Succession School"),
      OPT("email", "email", A_STR, "EMAIL", "the school office's address")},
     NULL,
     show_school},
    {"school-get",
     "school.get",
     "any",
     "show a school",
     {POS("id", A_STR, "ID", "school id")},
     NULL,
     show_school},
    {"school-list", "school.list", "any", "list schools", {{0}}, NULL, show_schools},
    {"import people",
     "person.create",
     "la_adviser",
     "create people from a CSV file: id,name,email,roles,school,<facts...>",
     {POS("file", A_STR, "FILE.csv",
	  "header id,name,email,roles[,school][,digest][,fact columns]; roles separated by ; "
	  "or |; digest yes or no; numbers in fact columns become numbers"),
      OPT("update", "update", A_FLAG, NULL, "update people that already exist")},
     run_import,
     NULL},
    {"import schools",
     "school.create",
     "la_adviser",
     "create schools from a CSV file: id,name,phase,lss,email",
     {POS("file", A_STR, "FILE.csv", "header id,name[,phase][,lss][,email]; lss yes or no"),
      OPT("update", "update", A_FLAG, NULL, "update schools that already exist")},
     run_import,
     NULL},

    {"cohorts", "cohort.list", "any", "list cohorts", {{0}}, NULL, show_cohorts},
    {"cohort",
     "cohort.get",
     "any",
     "show a cohort: places, stages, session calendar",
     {POS("cohort", A_STR, "COHORT", "cohort id")},
     NULL,
     show_cohort},
    {"report",
     "cohort.report",
     "la_adviser, viewer",
     "a cohort's places, waiting list and applications per stage and status",
     {POS("cohort", A_STR, "COHORT", "cohort id")},
     NULL,
     show_report},

    {"apply",
     "application.create",
     "candidate (self, interest), headteacher (own school, nomination), la_adviser",
     "open an application for CANDIDATE to COHORT",
     {POS("cohort", A_STR, "COHORT", "cohort id"),
      POS("candidate", A_STR, "CANDIDATE", "the candidate's person id"),
      OPT("route", "route", A_ENUM, "interest|nomination",
	  "expression of interest (default) or headteacher nomination")},
     NULL,
     show_app},
    {"get", "application.get", APPLICATION_ROLES, "show an application", {APP}, NULL, show_app},
    {"history",
     "application.history",
     APPLICATION_ROLES,
     "an application's events",
     {APP, OPT("after", "after", A_INT, "SEQ", "events after this seq"),
      OPT("limit", "limit", A_INT, "N", "at most N (1..1000, default 1000)")},
     NULL,
     show_history},
    {"list",
     "application.list",
     "la_adviser, viewer; headteacher (their school only)",
     "list applications",
     {OPT("cohort", "cohort", A_STR, "COHORT", "only this cohort"),
      OPT("stage", "stage", A_STR, "STAGE", "only this stage"),
      OPT("school", "school", A_STR, "SCHOOL", "only this school"),
      OPT("status", "status", A_ENUM, STATUSES, "only this status"),
      OPT("overdue", "overdue", A_FLAG, NULL, "only applications past their stage's deadline"),
      OPT("limit", "limit", A_INT, "N", "at most N (1..1000, default 100)"),
      OPT("after", "after", A_STR, "APP", "the page after this application")},
     NULL,
     show_apps},
    {"submit",
     "application.submit",
     "candidate, la_adviser (or the role the requirement names)",
     "submit a document the current stage requires",
     {APP, POS("doc", A_STR, "DOC", "document name, e.g. self_evaluation"),
      OPT("ref", "ref", A_STR, "TEXT", "a link or a note")},
     NULL,
     show_app},
    {"signoff",
     "application.signoff",
     "the role the stage's sign-off names (headteacher), la_adviser",
     "sign off the current stage",
     {APP},
     NULL,
     show_app},
    {"decide",
     "application.decide",
     "the role the decision requirement names (la_adviser)",
     "record the selection decision",
     {APP, POS("outcome", A_ENUM, "accept|waitlist|reject", "the decision"),
      OPT("note", "note", A_STR, "TEXT", "a note kept with the decision")},
     NULL,
     show_app},
    {"invite-rater",
     "application.invite_rater",
     "candidate, la_adviser",
     "invite a colleague to give 360 feedback",
     {APP, POS("rater", A_STR, "RATER", "the rater's person id (not the candidate)")},
     NULL,
     show_app},
    {"respond",
     "application.record_response",
     "the invited rater, la_adviser",
     "record a rater's 360 response",
     {APP, POS("rater", A_STR, "RATER", "the rater's person id")},
     NULL,
     show_app},
    {"attend",
     "application.record_attendance",
     "coach, la_adviser",
     "record one candidate's attendance at a session",
     {APP, POS("session", A_STR, "SESSION", "session id, e.g. TP1"),
      POS("present", A_WORDS, "present|absent", "whether they attended")},
     NULL,
     show_app},
    {"register",
     "attendance.record",
     "la_adviser",
     "record a session's register for a cohort, all or nothing",
     {POS("cohort", A_STR, "COHORT", "cohort id"), POS("session", A_STR, "SESSION", "session id"),
      OPT("present", "present", A_LIST, "APP", "present; repeat or separate with commas"),
      OPT("absent", "absent", A_LIST, "APP", "absent; repeat or separate with commas")},
     NULL,
     show_register},
    {"place",
     "application.place_internship",
     "coach, la_adviser",
     "place the internship at a host school",
     {APP, POS("host_school", A_STR, "HOST_SCHOOL", "school id"),
      POS("start", A_STR, "START", "first day, YYYY-MM-DD"),
      POS("end", A_STR, "END", "last day, YYYY-MM-DD")},
     NULL,
     show_app},
    {"confirm",
     "application.confirm_internship",
     "host, la_adviser",
     "confirm the internship days completed",
     {APP, POS("days", A_INT, "DAYS", "days completed")},
     NULL,
     show_app},
    {"assign-coach",
     "application.assign_coach",
     "la_adviser",
     "assign a coach",
     {APP, POS("coach", A_STR, "COACH", "a person with the coach role")},
     NULL,
     show_app},
    {"withdraw",
     "application.withdraw",
     "candidate, headteacher, la_adviser",
     "withdraw an application (its place goes to the waiting list)",
     {APP, OPT("reason", "reason", A_STR, "TEXT", "why")},
     NULL,
     show_app},
    {"defer",
     "application.defer",
     "la_adviser",
     "move an application to a later cohort of the same programme",
     {APP, POS("cohort", A_STR, "COHORT", "the later cohort")},
     NULL,
     show_app},
    {"progress",
     "application.record_progression",
     "candidate, headteacher, coach, la_adviser",
     "record a graduate's next role",
     {APP, POS("role", A_STR, "ROLE", "e.g. \"deputy headteacher\""),
      POS("date", A_STR, "DATE", "YYYY-MM-DD"), OPT("school", "school", A_STR, "TEXT", "where"),
      OPT("note", "note", A_STR, "TEXT", "a note")},
     NULL,
     show_app},

    {"events",
     "events.since",
     "la_adviser, viewer",
     "the event log",
     {{"after", "after", A_INT, "SEQ", 0, "0", "events after this seq (default 0)"},
      OPT("limit", "limit", A_INT, "N", "at most N (1..1000, default 500)")},
     NULL,
     show_events},
    {"watch",
     "events.since",
     "la_adviser, viewer",
     "follow the event stream",
     {OPT("cohort", "cohort", A_LIST, "COHORT", "only this cohort; repeatable"),
      OPT("type", "type", A_LIST, "TYPE", "only types starting with TYPE; repeatable"),
      OPT("since", "since", A_INT, "SEQ", "first replay the events after SEQ"),
      OPT("count", "count", A_INT, "N", "exit after N events")},
     run_watch,
     NULL},
    {"outbox",
     "outbox.list",
     "la_adviser, viewer",
     "notification jobs: pending, in flight and dead",
     {OPT("state", "state", A_ENUM, "pending|inflight|dead", "only this state"),
      OPT("limit", "limit", A_INT, "N", "at most N (1..1000, default 100)"),
      OPT("after", "after", A_STR, "JOB", "the page after this job")},
     NULL,
     show_jobs},
    {"outbox retry",
     "outbox.retry",
     "la_adviser",
     "send a dead notification job again",
     {POS("job", A_STR, "JOB", "job id")},
     NULL,
     show_job},
    {"opportunity publish",
     "opportunity.publish",
     "la_adviser",
     "publish an opportunity: the pool first, everyone after EARLY_DAYS",
     {POS("id", A_STR, "ID", "opportunity id"),
      POS("title", A_STR, "TITLE", "title"),
      POS("description", A_STR, "DESCRIPTION", "description"),
      {"early-days", "early_days", A_INT, "N", 1, NULL, "days the pool hears of it first"},
      OPT("link", "link", A_STR, "URL", "a link"),
      OPT("audience", "audience", A_FACT, "KEY=VALUE",
	  "programme, cohort, stage, phase or status; repeatable")},
     NULL,
     show_opportunity},
    {"opportunity get",
     "opportunity.get",
     "any",
     "show an opportunity",
     {POS("id", A_STR, "ID", "opportunity id")},
     NULL,
     show_opportunity},
    {"opportunity list",
     "opportunity.list",
     "any",
     "list opportunities",
     {{0}},
     NULL,
     show_opportunities},
};

#define NCMDS (sizeof ctl_cmds / sizeof ctl_cmds[0])

static const struct ctl_cmd *
ctl_cmd_find(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* Usage and help. */

static char *
ctl_usage_line(const struct ctl_cmd *e)
{
	char *u = xasprintf("pathwayctl [options] %s", e->name), *next;

	for (const struct ctl_arg *a = e->args; a->key != NULL; a++) {
		if (a->flag == NULL)
			next = xasprintf("%s %s", u, a->meta);
		else if (a->type == A_FLAG || a->type == A_NOFLAG)
			next = xasprintf("%s [--%s]", u, a->flag);
		else
			next =
			    xasprintf("%s %s--%s %s%s%s", u, a->required ? "" : "[", a->flag,
				      a->meta, a->type == A_LIST || a->type == A_FACT ? "..." : "",
				      a->required ? "" : "]");
		free(u);
		u = next;
	}
	return u;
}

static void
ctl_help_one(const struct ctl_cmd *e)
{
	char *u = ctl_usage_line(e);

	printf("usage: %s\n\n%c%s (%s).\n\n", u, toupper((unsigned char)e->summary[0]),
	       e->summary + 1, e->cmd);
	free(u);
	for (const struct ctl_arg *a = e->args; a->key != NULL; a++) {
		char *name = a->flag == NULL   ? xstrdup(a->meta)
			     : a->meta == NULL ? xasprintf("--%s", a->flag)
					       : xasprintf("--%s %s", a->flag, a->meta);

		printf("  %-26s %s%s%s%s\n", name, a->help, a->def ? " [default " : "",
		       a->def ? a->def : "", a->def ? "]" : "");
		free(name);
	}
	printf("\nroles: %s\n", e->roles);
}

static void
ctl_help_all(FILE *out)
{
	fprintf(out, "usage: pathwayctl [options] SUBCOMMAND [ARGS...]\n"
		     "       pathwayctl help [SUBCOMMAND]\n\n"
		     "options (anywhere on the line):\n"
		     "  -e, --endpoint URL   the daemon's api socket (PATHWAY_API, daemon.api)\n"
		     "  -a, --actor ID       act as this person (PATHWAY_ACTOR, ctl.actor)\n"
		     "  -c, --config FILE    configuration (PATHWAY_CONF, " CTL_DEFAULT_CONF ")\n"
		     "  -t, --timeout MS     wait at most MS for an answer (ctl.timeout_ms)\n"
		     "      --events URL     the event stream, for watch (daemon.events)\n"
		     "      --json           print the reply's data as JSON\n\n"
		     "subcommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-20s %s\n", ctl_cmds[i].name, ctl_cmds[i].summary);
	fprintf(out,
		"\nexit status: 0 done, 1 refused (pathwayctl: CODE: MESSAGE), 2 bad usage,\n"
		"3 no answer from the daemon. %s.\n",
		ctl_roles_note);
}

/* Print a usage error for e (or the general one) and return the usage exit status. */
static int ctl_usage(const struct ctl_cmd *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
ctl_usage(const struct ctl_cmd *e, const char *fmt, ...)
{
	va_list ap;
	char *u;

	fputs("pathwayctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (e != NULL) {
		u = ctl_usage_line(e);
		fprintf(stderr, "usage: %s\n", u);
		free(u);
	} else {
		fputs("usage: pathwayctl [options] SUBCOMMAND [ARGS...] (pathwayctl help lists "
		      "them)\n",
		      stderr);
	}
	return CTL_EXIT_USAGE;
}

/* Turning argument text into JSON. */

static int
word_in(const char *word, const char *words)
{
	size_t n = strlen(word);

	for (const char *p = words; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return 0;
}

static int
parse_count(const char *s, json_int_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* A fact's value: integers and decimals become numbers, true/false booleans. */
static json_t *
fact_value(const char *s)
{
	char *end;
	long long i;
	double d;

	if (strcmp(s, "true") == 0)
		return json_true();
	if (strcmp(s, "false") == 0)
		return json_false();
	if (*s != '\0' && strchr("-+0123456789.", *s) != NULL) {
		errno = 0;
		i = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0')
			return json_integer(i);
		errno = 0;
		d = strtod(s, &end);
		/* Plain finite decimals only: "0x1f", "nan" or "1e999" stay text. */
		if (errno == 0 && *end == '\0' && isfinite(d) && strpbrk(s, "xX") == NULL)
			return json_real(d);
	}
	return json_string(s);
}

/* Append the items of a , ; | separated list to arr. */
static void
list_add(json_t *arr, const char *s)
{
	char *copy = xstrdup(s), *save = NULL;

	for (char *tok = strtok_r(copy, ",;|", &save); tok != NULL;
	     tok = strtok_r(NULL, ",;|", &save)) {
		while (*tok == ' ')
			tok++;
		for (char *end = tok + strlen(tok); end > tok && end[-1] == ' ';)
			*--end = '\0';
		if (*tok)
			json_array_append_new(arr, json_string(tok));
	}
	free(copy);
}

static const char *
arg_name(const struct ctl_arg *a, char *buf, size_t len)
{
	if (a->flag != NULL)
		snprintf(buf, len, "--%s", a->flag);
	else
		snprintf(buf, len, "%s", a->meta);
	return buf;
}

/* Set a's field in args from text s; on error fill why and return -1. */
static int
arg_set(const struct ctl_arg *a, const char *s, json_t *args, char **why)
{
	json_t *cur = json_object_get(args, a->key), *v = NULL;
	char name[80];
	json_int_t n;
	const char *eq;

	arg_name(a, name, sizeof name);
	switch (a->type) {
	case A_STR:
		v = json_string(s);
		if (v == NULL) {
			*why = xasprintf("%s: not valid UTF-8", name);
			return -1;
		}
		break;
	case A_INT:
		if (parse_count(s, &n) != 0) {
			*why = xasprintf("%s: '%s' is not a whole number >= 0", name, s);
			return -1;
		}
		v = json_integer(n);
		break;
	case A_FLAG:
		v = json_true();
		break;
	case A_NOFLAG:
		v = json_false();
		break;
	case A_YESNO:
		if (word_in(s, "yes|true|y|1"))
			v = json_true();
		else if (word_in(s, "no|false|n|0"))
			v = json_false();
		else {
			*why = xasprintf("%s: '%s' is not yes or no", name, s);
			return -1;
		}
		break;
	case A_ENUM:
		if (!word_in(s, a->meta)) {
			*why = xasprintf("%s: '%s' is not one of %s", name, s, a->meta);
			return -1;
		}
		v = json_string(s);
		break;
	case A_WORDS:
		if (!word_in(s, a->meta)) {
			*why = xasprintf("%s: '%s' is not one of %s", name, s, a->meta);
			return -1;
		}
		v = json_boolean(strncmp(s, a->meta, strlen(s)) == 0 && a->meta[strlen(s)] == '|');
		break;
	case A_LIST:
		if (cur == NULL) {
			cur = json_array();
			json_object_set_new(args, a->key, cur);
		}
		list_add(cur, s);
		return 0;
	case A_FACT:
		eq = strchr(s, '=');
		if (eq == NULL || eq == s) {
			*why = xasprintf("%s: '%s' is not KEY=VALUE", name, s);
			return -1;
		}
		if (cur == NULL) {
			cur = json_object();
			json_object_set_new(args, a->key, cur);
		}
		{
			char *key = xstrdup(s);

			key[eq - s] = '\0';
			json_object_set_new(cur, key, fact_value(eq + 1));
			free(key);
		}
		return 0;
	}
	if (cur != NULL) {
		json_decref(v);
		*why = xasprintf("%s given twice", name);
		return -1;
	}
	json_object_set_new(args, a->key, v);
	return 0;
}

static const struct ctl_arg *
flag_find(const struct ctl_cmd *e, const char *name, size_t len)
{
	for (const struct ctl_arg *a = e->args; a->key != NULL; a++)
		if (a->flag != NULL && strlen(a->flag) == len && strncmp(a->flag, name, len) == 0)
			return a;
	return NULL;
}

/*
 * Parse the subcommand's own words (global options already taken out) into
 * args. Returns 0, or the usage exit status with the message printed.
 */
static int
ctl_parse(const struct ctl_cmd *e, int argc, char **argv, json_t **out)
{
	json_t *args = json_object();
	const struct ctl_arg *pos = e->args;
	char *why = NULL, name[80];
	int rc, only_positional = 0;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *val = NULL, *eq;
		const struct ctl_arg *a;

		if (!only_positional && strcmp(w, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (!only_positional && w[0] == '-' && w[1] != '\0' &&
		    !(w[1] >= '0' && w[1] <= '9')) {
			const char *fname = w + (w[1] == '-' ? 2 : 1);

			eq = strchr(fname, '=');
			a = flag_find(e, fname, eq ? (size_t)(eq - fname) : strlen(fname));
			if (a == NULL) {
				why = xasprintf("%s: unknown option for %s", w, e->name);
				goto fail;
			}
			if (a->type == A_FLAG || a->type == A_NOFLAG) {
				if (eq != NULL) {
					why = xasprintf("--%s takes no value", a->flag);
					goto fail;
				}
			} else if (eq != NULL) {
				val = eq + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				why = xasprintf("--%s needs a value (%s)", a->flag, a->meta);
				goto fail;
			}
			if (arg_set(a, val, args, &why) != 0)
				goto fail;
			continue;
		}
		while (pos->key != NULL && pos->flag != NULL)
			pos++;
		if (pos->key == NULL) {
			why = xasprintf("unexpected argument '%s'", w);
			goto fail;
		}
		if (arg_set(pos, w, args, &why) != 0)
			goto fail;
		pos++;
	}
	for (const struct ctl_arg *a = e->args; a->key != NULL; a++) {
		if (json_object_get(args, a->key) != NULL)
			continue;
		if (a->def != NULL) {
			if (arg_set(a, a->def, args, &why) != 0)
				fatal("bad default for %s %s", e->name, a->key);
		} else if (a->flag == NULL || a->required) {
			why = xasprintf("missing %s", arg_name(a, name, sizeof name));
			goto fail;
		}
	}
	*out = args;
	return 0;
fail:
	rc = ctl_usage(e, "%s", why);
	free(why);
	json_decref(args);
	return rc;
}

/* Settings and connection. */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Resolve the endpoint, events endpoint, actor and timeout: flags, then the
 * environment, then the configuration file. Returns 0 or the usage status.
 */
static int
ctl_settings(struct ctl *c)
{
	const char *conf = c->conf_flag, *s;
	int explicit = conf != NULL, ival;
	config_t cfg;

	if (conf == NULL) {
		conf = getenv("PATHWAY_CONF");
		explicit = conf != NULL && *conf;
	}
	if (conf == NULL || !*conf)
		conf = CTL_DEFAULT_CONF;
	config_init(&cfg);
	if (explicit || access(conf, F_OK) == 0) {
		if (config_read_file(&cfg, conf) != CONFIG_TRUE) {
			if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
				fprintf(stderr, "pathwayctl: %s: %s\n", conf, strerror(errno));
			else
				fprintf(stderr, "pathwayctl: %s:%d: %s\n",
					config_error_file(&cfg) ? config_error_file(&cfg) : conf,
					config_error_line(&cfg), config_error_text(&cfg));
			config_destroy(&cfg);
			return CTL_EXIT_USAGE;
		}
	}
	s = c->api_flag ? c->api_flag : getenv("PATHWAY_API");
	if ((s == NULL || !*s) && config_lookup_string(&cfg, "daemon.api", &s) != CONFIG_TRUE)
		s = CTL_DEFAULT_API;
	c->api = xstrdup(s);
	s = c->events_flag ? c->events_flag : getenv("PATHWAY_EVENTS");
	if ((s == NULL || !*s) && config_lookup_string(&cfg, "daemon.events", &s) != CONFIG_TRUE)
		s = CTL_DEFAULT_EVENTS;
	c->events = xstrdup(s);
	s = c->actor_flag ? c->actor_flag : getenv("PATHWAY_ACTOR");
	if ((s == NULL || !*s) && config_lookup_string(&cfg, "ctl.actor", &s) != CONFIG_TRUE)
		s = CTL_DEFAULT_ACTOR;
	c->actor = xstrdup(s);
	c->timeout_ms = c->timeout_flag;
	if (c->timeout_ms < 0) {
		if (config_lookup_int(&cfg, "ctl.timeout_ms", &ival) == CONFIG_TRUE && ival > 0)
			c->timeout_ms = ival;
		else
			c->timeout_ms = CTL_DEFAULT_TIMEOUT;
	}
	config_destroy(&cfg);
	return 0;
}

/* Connect the api socket once; 0, or the usage status for an endpoint ZeroMQ rejects. */
static int
ctl_connect(struct ctl *c)
{
	int linger = 0, hwm = 0;

	if (c->sock != NULL)
		return 0;
	if (c->zctx == NULL)
		c->zctx = zmq_ctx_new();
	if (c->zctx == NULL)
		fatal("zmq_ctx_new: %s", zmq_strerror(errno));
	c->sock = zmq_socket(c->zctx, ZMQ_DEALER);
	if (c->sock == NULL)
		fatal("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(c->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
	if (zmq_connect(c->sock, c->api) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", c->api, zmq_strerror(errno));
		return CTL_EXIT_USAGE;
	}
	return 0;
}

static void
ctl_close(struct ctl *c)
{
	if (c->sock != NULL)
		zmq_close(c->sock);
	c->sock = NULL;
	if (c->zctx != NULL)
		zmq_ctx_term(c->zctx);
	c->zctx = NULL;
}

static int
ctl_send(struct ctl *c, const char *body)
{
	if (zmq_send(c->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -1;
	return zmq_send(c->sock, body, strlen(body), ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

/* Receive one message and return its last frame as JSON (NULL if not JSON). */
static json_t *
ctl_recv(void *sock)
{
	zmq_msg_t msg;
	json_t *v = NULL;
	int more = 1;

	while (more) {
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, 0) < 0) {
			zmq_msg_close(&msg);
			break;
		}
		more = zmq_msg_more(&msg);
		if (!more)
			v = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, NULL);
		zmq_msg_close(&msg);
	}
	return v;
}

/*
 * Send cmd with args (stolen) and wait up to the timeout for the reply with
 * this request's id, resending the same request (same id: idempotent) a few
 * times meanwhile. Returns 0 with *reply (new reference) or
 * CTL_EXIT_NOANSWER with the message printed.
 */
static int
ctl_request(struct ctl *c, const char *cmd, json_t *args, json_t **reply)
{
	int resend = strcmp(cmd, "system.backup") != 0;
	int64_t start = now_ms(), deadline = start + c->timeout_ms, next_send = start;
	int64_t every = c->timeout_ms / 3 > 1000 ? c->timeout_ms / 3 : 1000;
	json_t *id, *req;
	char *body, *sid;
	int rc = CTL_EXIT_NOANSWER, sent = 0;

	*reply = NULL;
	if (ctl_connect(c) != 0)
		return CTL_EXIT_USAGE;
	sid = xasprintf("ctl-%lld-%lu", c->tag, ++c->nreq);
	id = json_string(sid);
	req = proto_request_new(id, cmd, c->actor, args);
	if (req == NULL)
		fatal("cannot build a request for %s", cmd);
	body = proto_encode(req);
	for (;;) {
		int64_t now = now_ms(), wait;
		zmq_pollitem_t item = {c->sock, 0, ZMQ_POLLIN, 0};
		json_t *r;

		if (now >= deadline)
			break;
		if (now >= next_send && (resend || !sent)) {
			if (ctl_send(c, body) == 0)
				sent = 1;
			next_send = now + every;
		}
		wait = (resend || !sent) && next_send < deadline ? next_send - now : deadline - now;
		if (zmq_poll(&item, 1, (long)(wait > 0 ? wait : 0)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(item.revents & ZMQ_POLLIN))
			continue;
		r = ctl_recv(c->sock);
		if (r != NULL && json_equal(json_object_get(r, "id"), id)) {
			*reply = r;
			rc = 0;
			break;
		}
		json_decref(r); /* an answer to an earlier request of ours, or to a resend */
	}
	if (rc != 0)
		fprintf(stderr, "pathwayctl: no answer from %s within %ld ms\n", c->api,
			c->timeout_ms);
	free(body);
	free(sid);
	json_decref(id);
	json_decref(req);
	return rc;
}

/* Print a refusal as "pathwayctl: <code>: <where: ><message>". */
static void
ctl_refused(const json_t *reply, const char *where)
{
	const json_t *err = json_object_get(reply, "error");

	fprintf(stderr, "pathwayctl: %s: %s%s%s\n",
		*jstr(err, "code") ? jstr(err, "code") : "internal_error", where ? where : "",
		where ? ": " : "", jstr(err, "message"));
}

/*
 * One command: 0 with *data (new reference) on success; 1 with the refusal
 * printed; 3 when the daemon does not answer. args is stolen.
 */
static int
ctl_call(struct ctl *c, const char *cmd, json_t *args, json_t **data)
{
	json_t *reply;
	int rc = ctl_request(c, cmd, args, &reply);

	*data = NULL;
	if (rc != 0)
		return rc;
	if (!json_is_true(json_object_get(reply, "ok"))) {
		ctl_refused(reply, NULL);
		json_decref(reply);
		return CTL_EXIT_REFUSED;
	}
	*data = json_incref(json_object_get(reply, "data"));
	if (*data == NULL)
		*data = json_object();
	json_decref(reply);
	return 0;
}

static void
ctl_print(const struct ctl *c, const struct ctl_cmd *e, const json_t *data)
{
	char *s;

	if (c->json || e->show == NULL) {
		s = json_dumps(data, JSON_INDENT(2));
		if (s == NULL)
			fatal("cannot encode the reply");
		printf("%s\n", s);
		free(s);
		return;
	}
	e->show(data);
}

/* The default runner: one request, show its data. */
static int
run_request(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	json_t *data;
	int rc = ctl_call(c, e->cmd, args, &data);

	if (rc == 0)
		ctl_print(c, e, data);
	json_decref(data);
	return rc;
}

/* backup: a relative path means the same directory to the daemon on this machine. */
static int
run_backup(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	const char *path = jstr(args, "path");
	char *abs;

	if (strncmp(c->api, "ipc://", 6) == 0) {
		if (access(path, F_OK) != 0 && pw_mkdirs(path, 0750) != 0) {
			fprintf(stderr, "pathwayctl: %s: %s\n", path, strerror(errno));
			json_decref(args);
			return CTL_EXIT_REFUSED;
		}
		abs = realpath(path, NULL);
		if (abs != NULL) {
			json_object_set_new(args, "path", json_string(abs));
			free(abs);
		}
	}
	return run_request(c, e, args);
}

/* import: CSV files of people and schools. */

struct csv_row {
	int line;
	size_t n;
	char **f;
};

static void
csv_rows_free(struct csv_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < rows[i].n; j++)
			free(rows[i].f[j]);
		free(rows[i].f);
	}
	free(rows);
}

/*
 * Parse RFC 4180 CSV (quoted fields with "" for a quote, CRLF or LF, a BOM
 * ignored, blank lines skipped). Returns 0 with the rows, or -1 with *why.
 */
static int
csv_parse(const char *text, size_t len, struct csv_row **out, size_t *nout, char **why)
{
	struct csv_row *rows = NULL, row = {0};
	size_t nrows = 0, i = 0, flen = 0, fcap = 64;
	char *field = xmalloc(fcap);
	int line = 1, quoted = 0, in_quotes = 0, blank = 1;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	row.line = 1;
	for (;; i++) {
		int end = i >= len;
		char ch = end ? '\n' : text[i];

		if (in_quotes) {
			if (end) {
				*why = xasprintf("line %d: a quoted field is not closed", row.line);
				goto fail;
			}
			if (ch == '"' && i + 1 < len && text[i + 1] == '"') {
				i++;
			} else if (ch == '"') {
				in_quotes = 0;
				continue;
			}
			if (ch == '\n')
				line++;
		} else if (ch == '"' && flen == 0 && !quoted) {
			in_quotes = quoted = 1;
			blank = 0;
			continue;
		} else if (ch == ',' || ch == '\n' ||
			   (ch == '\r' && i + 1 < len && text[i + 1] == '\n')) {
			if (ch == '\r')
				continue;
			field[flen] = '\0';
			if (!(ch == '\n' && blank)) {
				row.f = xrealloc(row.f, (row.n + 1) * sizeof *row.f);
				row.f[row.n++] = xstrdup(field);
			}
			flen = 0;
			quoted = 0;
			if (ch == ',') {
				blank = 0;
				continue;
			}
			if (row.n > 0) {
				rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
				rows[nrows++] = row;
			}
			row = (struct csv_row){0};
			line++;
			row.line = line;
			blank = 1;
			if (end)
				break;
			continue;
		} else if (quoted) {
			*why = xasprintf("line %d: text after a closing quote", row.line);
			goto fail;
		}
		blank = 0;
		if (flen + 2 > fcap) {
			fcap *= 2;
			field = xrealloc(field, fcap);
		}
		field[flen++] = ch;
	}
	free(field);
	*out = rows;
	*nout = nrows;
	return 0;
fail:
	for (size_t j = 0; j < row.n; j++)
		free(row.f[j]);
	free(row.f);
	csv_rows_free(rows, nrows);
	free(field);
	return -1;
}

static int
read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, got;
	char *buf;

	if (f == NULL)
		return -1;
	buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return 0;
}

static int
column_of(const struct csv_row *head, const char *name)
{
	for (size_t i = 0; i < head->n; i++)
		if (strcmp(head->f[i], name) == 0)
			return (int)i;
	return -1;
}

/* A CSV row as args for person.create: returns 0, or -1 with *why. */
static int
import_person(const struct csv_row *head, const struct csv_row *r, json_t **out, char **why)
{
	json_t *a = json_object(), *roles = json_array(), *facts = json_object();
	size_t i;
	json_t *role;

	for (i = 0; i < head->n; i++) {
		const char *col = head->f[i], *v = r->f[i];

		if (strcmp(col, "roles") == 0) {
			list_add(roles, v);
			continue;
		}
		if (*v == '\0')
			continue;
		if (strcmp(col, "id") == 0 || strcmp(col, "name") == 0 ||
		    strcmp(col, "email") == 0 || strcmp(col, "school") == 0) {
			json_object_set_new(a, col, json_string(v));
		} else if (strcmp(col, "digest") == 0) {
			if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
				*why = xasprintf("digest: '%s' is not yes or no", v);
				goto fail;
			}
			json_object_set_new(a, col, json_boolean(strcmp(v, "yes") == 0));
		} else {
			json_object_set_new(facts, col, fact_value(v));
		}
	}
	json_array_foreach(roles, i, role)
	{
		if (proto_role_bit(json_string_value(role)) < 0) {
			*why = xasprintf("roles: unknown role '%s' (%s)", json_string_value(role),
					 ROLES);
			goto fail;
		}
	}
	json_object_set_new(a, "roles", roles);
	roles = NULL;
	if (json_object_size(facts) > 0)
		json_object_set(a, "facts", facts);
	json_decref(facts);
	*out = a;
	return 0;
fail:
	json_decref(roles);
	json_decref(facts);
	json_decref(a);
	return -1;
}

/* A CSV row as args for school.create: returns 0, or -1 with *why. */
static int
import_school(const struct csv_row *head, const struct csv_row *r, json_t **out, char **why)
{
	json_t *a = json_object();

	for (size_t i = 0; i < head->n; i++) {
		const char *col = head->f[i], *v = r->f[i];

		if (*v == '\0')
			continue;
		if (strcmp(col, "lss") == 0) {
			if (word_in(v, "yes|true|y|1"))
				json_object_set_new(a, col, json_true());
			else if (word_in(v, "no|false|n|0"))
				json_object_set_new(a, col, json_false());
			else {
				*why = xasprintf("lss: '%s' is not yes or no", v);
				json_decref(a);
				return -1;
			}
		} else if (strcmp(col, "phase") == 0 && !word_in(v, PHASES)) {
			*why = xasprintf("phase: '%s' is not one of %s", v, PHASES);
			json_decref(a);
			return -1;
		} else {
			json_object_set_new(a, col, json_string(v));
		}
	}
	*out = a;
	return 0;
}

/* Check a row's required fields and ids; returns 0 or -1 with *why. */
static int
import_check(const json_t *a, const char *const *required, char **why)
{
	const char *id = jstr(a, "id");

	for (int i = 0; required[i] != NULL; i++)
		if (json_object_get(a, required[i]) == NULL ||
		    (json_is_array(json_object_get(a, required[i])) &&
		     json_array_size(json_object_get(a, required[i])) == 0)) {
			*why = xasprintf("%s: missing", required[i]);
			return -1;
		}
	if (!pw_id_valid(id)) {
		*why = xasprintf("id: '%s' is not an id (1..64 of A-Z a-z 0-9 . _ -)", id);
		return -1;
	}
	if (json_object_get(a, "school") != NULL && !pw_id_valid(jstr(a, "school"))) {
		*why = xasprintf("school: '%s' is not an id", jstr(a, "school"));
		return -1;
	}
	return 0;
}

/*
 * import people|schools FILE: check every row first (nothing is sent if a
 * row is bad), then create one by one; stop at the first refusal.
 */
static int
run_import(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	static const char *const person_req[] = {"id", "name", "email", "roles", NULL};
	static const char *const school_req[] = {"id", "name", NULL};
	static const char *const school_cols[] = {"id", "name", "phase", "lss", "email", NULL};
	int people = strcmp(e->cmd, "person.create") == 0,
	    update = json_is_true(json_object_get(args, "update"));
	const char *const *required = people ? person_req : school_req;
	const char *file = jstr(args, "file"), *what = people ? "people" : "schools";
	json_t **rowargs = NULL, *created = json_array(), *updated = json_array();
	struct csv_row *rows = NULL;
	size_t nrows = 0, len, i;
	char *text = NULL, *why = NULL, *where;
	int rc = CTL_EXIT_REFUSED, bad = 0;

	if (read_file(file, &text, &len) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", file, strerror(errno));
		goto done;
	}
	if (csv_parse(text, len, &rows, &nrows, &why) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", file, why);
		goto done;
	}
	if (nrows == 0) {
		fprintf(stderr, "pathwayctl: %s: empty (the first line is the header)\n", file);
		goto done;
	}
	for (i = 0; required[i] != NULL; i++)
		if (column_of(&rows[0], required[i]) < 0) {
			fprintf(stderr, "pathwayctl: %s:%d: the header has no column '%s'\n", file,
				rows[0].line, required[i]);
			goto done;
		}
	for (i = 0; i < rows[0].n; i++) {
		const char *col = rows[0].f[i];
		int known = 0;

		for (int k = 0; school_cols[k] != NULL; k++)
			known |= strcmp(col, school_cols[k]) == 0;
		if (*col == '\0' || (!people && !known) || column_of(&rows[0], col) != (int)i) {
			fprintf(stderr, "pathwayctl: %s:%d: column '%s': %s\n", file, rows[0].line,
				col,
				*col == '\0' ? "a column needs a name"
				: column_of(&rows[0], col) != (int)i
				    ? "named twice"
				    : "not a school column (id,name,phase,lss,email)");
			goto done;
		}
	}
	rowargs = xcalloc(nrows, sizeof *rowargs);
	for (i = 1; i < nrows; i++) {
		int ok;

		if (rows[i].n != rows[0].n) {
			fprintf(stderr, "pathwayctl: %s:%d: %zu fields, the header has %zu\n", file,
				rows[i].line, rows[i].n, rows[0].n);
			bad++;
			continue;
		}
		ok = people ? import_person(&rows[0], &rows[i], &rowargs[i], &why)
			    : import_school(&rows[0], &rows[i], &rowargs[i], &why);
		if (ok == 0 && import_check(rowargs[i], required, &why) != 0) {
			json_decref(rowargs[i]);
			rowargs[i] = NULL;
			ok = -1;
		}
		if (ok != 0) {
			fprintf(stderr, "pathwayctl: %s:%d: %s\n", file, rows[i].line, why);
			free(why);
			why = NULL;
			bad++;
		}
	}
	if (bad > 0) {
		fprintf(stderr, "pathwayctl: %s: %d bad row%s; nothing imported\n", file, bad,
			bad == 1 ? "" : "s");
		goto done;
	}
	for (i = 1; i < nrows; i++) {
		const char *id = jstr(rowargs[i], "id");
		json_t *reply;
		int rr = ctl_request(c, e->cmd, json_incref(rowargs[i]), &reply);

		if (rr != 0) {
			rc = rr;
			goto done;
		}
		if (update && !json_is_true(json_object_get(reply, "ok")) &&
		    strcmp(jstr(json_object_get(reply, "error"), "code"), "already_exists") == 0) {
			json_decref(reply);
			rr = ctl_request(c, people ? "person.update" : "school.update",
					 json_incref(rowargs[i]), &reply);
			if (rr != 0) {
				rc = rr;
				goto done;
			}
			if (json_is_true(json_object_get(reply, "ok")))
				json_array_append_new(updated, json_string(id));
		} else if (json_is_true(json_object_get(reply, "ok"))) {
			json_array_append_new(created, json_string(id));
		}
		if (!json_is_true(json_object_get(reply, "ok"))) {
			where = xasprintf("%s:%d", file, rows[i].line);
			ctl_refused(reply, where);
			free(where);
			fprintf(stderr, "pathwayctl: %s: stopped after %zu of %zu %s\n", file,
				json_array_size(created) + json_array_size(updated), nrows - 1,
				what);
			json_decref(reply);
			goto done;
		}
		json_decref(reply);
	}
	if (c->json) {
		json_t *out = json_pack("{s:O, s:O}", "created", created, "updated", updated);
		char *s = json_dumps(out, JSON_INDENT(2));

		printf("%s\n", s);
		free(s);
		json_decref(out);
	} else {
		printf("imported %zu %s from %s: %zu created, %zu updated\n", nrows - 1, what, file,
		       json_array_size(created), json_array_size(updated));
	}
	rc = 0;
done:
	for (i = 0; rowargs != NULL && i < nrows; i++)
		json_decref(rowargs[i]);
	free(rowargs);
	csv_rows_free(rows, nrows);
	free(text);
	free(why);
	json_decref(created);
	json_decref(updated);
	json_decref(args);
	return rc;
}

/* watch: the event stream, with catch-up from the log. */

struct watch {
	struct ctl *c;
	json_t *prefixes; /* topics subscribed to, as strings */
	json_int_t last;  /* the last seq handled */
	json_int_t count; /* exit after this many events; 0: never */
	json_int_t shown;
};

static int
watch_matches(const struct watch *w, const json_t *e)
{
	const char *cohort = jstr(e, "cohort");
	char *topic = xasprintf("%s/%s", *cohort ? cohort : "-", jstr(e, "type"));
	size_t i;
	json_t *p;
	int yes = 0;

	json_array_foreach(w->prefixes, i, p)
	{
		if (strncmp(topic, json_string_value(p), json_string_length(p)) == 0)
			yes = 1;
	}
	free(topic);
	return yes;
}

/* Show e if it is new and wanted; returns 1 once the count is reached. */
static int
watch_event(struct watch *w, const json_t *e)
{
	json_int_t seq = json_integer_value(json_object_get(e, "seq"));
	char *s;

	if (seq <= w->last)
		return 0;
	w->last = seq;
	if (!watch_matches(w, e))
		return 0;
	s = w->c->json ? proto_encode(e) : event_line(e);
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	w->shown++;
	return w->count > 0 && w->shown >= w->count;
}

/*
 * Replay the log after w->last until its head: 0, 1 when the count is
 * reached, or the exit status of a failed request (negated).
 */
static int
watch_catch_up(struct watch *w)
{
	for (;;) {
		json_t *data, *evs, *e;
		json_int_t head;
		size_t i;
		int rc =
		    ctl_call(w->c, "events.since",
			     json_pack("{s:I, s:i}", "after", w->last, "limit", CTL_PAGE), &data);

		if (rc != 0)
			return -rc;
		evs = json_object_get(data, "events");
		head = json_integer_value(json_object_get(data, "head"));
		json_array_foreach(evs, i, e)
		{
			if (watch_event(w, e)) {
				json_decref(data);
				return 1;
			}
		}
		json_decref(data);
		if (json_array_size(evs) == 0 || w->last >= head)
			return 0;
	}
}

/* The topic prefixes for the filters: cohort/ , cohort/type, or -/type for each cohort. */
static int
watch_prefixes(struct watch *w, const json_t *cohorts, const json_t *types)
{
	json_t *all = NULL, *list;
	size_t i, j;
	json_t *co, *t;
	int rc;

	w->prefixes = json_array();
	if (json_array_size(types) == 0) {
		if (json_array_size(cohorts) == 0)
			json_array_append_new(w->prefixes, json_string(""));
		json_array_foreach(cohorts, i, co)
		    json_array_append_new(w->prefixes, json_sprintf("%s/", json_string_value(co)));
		return 0;
	}
	list = (json_t *)cohorts;
	if (json_array_size(cohorts) == 0) {
		json_t *data;

		/* One type across cohorts: subscribe once per cohort, and "-". */
		rc = ctl_call(w->c, "cohort.list", NULL, &data);
		if (rc != 0)
			return rc;
		all = json_array();
		json_array_append_new(all, json_string("-"));
		json_array_foreach(json_object_get(data, "cohorts"), i, co)
		    json_array_append(all, json_object_get(co, "id"));
		json_decref(data);
		list = all;
	}
	json_array_foreach(list, i, co) json_array_foreach(types, j, t) json_array_append_new(
	    w->prefixes, json_sprintf("%s/%s", json_string_value(co), json_string_value(t)));
	json_decref(all);
	return 0;
}

/*
 * Subscribe first, then catch up from the log (from --since, or from the
 * head when watch started), then follow the stream. A seq past the one
 * expected means events were missed (or filtered out): the log fills the
 * gap; events already handled are dropped. After every (re)connection the
 * log is read again, so nothing that happened meanwhile is lost.
 */
static int
run_watch(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	struct watch w = {.c = c};
	void *sub = NULL, *mon = NULL;
	json_t *since = json_object_get(args, "since"), *data;
	int rc, linger = 0;
	int64_t catch_up_at = -1;
	char mon_addr[64];
	size_t i;
	json_t *p;

	(void)e;
	w.count = json_integer_value(json_object_get(args, "count"));
	rc = watch_prefixes(&w, json_object_get(args, "cohort"), json_object_get(args, "type"));
	if (rc != 0)
		goto done;
	if (since != NULL) {
		w.last = json_integer_value(since);
	} else {
		rc = ctl_call(c, "system.ping", NULL, &data);
		if (rc != 0)
			goto done;
		w.last = json_integer_value(json_object_get(data, "head"));
		json_decref(data);
	}
	sub = zmq_socket(c->zctx, ZMQ_SUB);
	if (sub == NULL)
		fatal("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
	json_array_foreach(w.prefixes, i, p)
	    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, json_string_value(p), json_string_length(p));
	snprintf(mon_addr, sizeof mon_addr, "inproc://pathwayctl-monitor-%p", (void *)sub);
	if (zmq_socket_monitor(sub, mon_addr, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
		fatal("zmq_socket_monitor: %s", zmq_strerror(errno));
	mon = zmq_socket(c->zctx, ZMQ_PAIR);
	if (mon == NULL || zmq_connect(mon, mon_addr) != 0)
		fatal("monitor: %s", zmq_strerror(errno));
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_connect(sub, c->events) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", c->events, zmq_strerror(errno));
		rc = CTL_EXIT_USAGE;
		goto done;
	}
	/* Catch up now for --since; and again once the stream is connected. */
	if (since != NULL) {
		rc = watch_catch_up(&w);
		if (rc != 0)
			goto caught;
	}
	for (;;) {
		zmq_pollitem_t items[] = {{sub, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
		long wait = -1;
		json_t *ev;

		if (catch_up_at >= 0)
			wait = (long)(catch_up_at > now_ms() ? catch_up_at - now_ms() : 0);
		if (zmq_poll(items, 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "pathwayctl: zmq_poll: %s\n", zmq_strerror(errno));
			rc = CTL_EXIT_NOANSWER;
			goto done;
		}
		if (items[1].revents & ZMQ_POLLIN) {
			json_decref(ctl_recv(mon)); /* a (re)connection: read the log shortly */
			catch_up_at = now_ms() + 100;
		}
		if (catch_up_at >= 0 && now_ms() >= catch_up_at) {
			catch_up_at = -1;
			rc = watch_catch_up(&w);
			if (rc != 0)
				goto caught;
		}
		if (!(items[0].revents & ZMQ_POLLIN))
			continue;
		ev = ctl_recv(sub);
		if (ev == NULL)
			continue;
		if (json_integer_value(json_object_get(ev, "seq")) > w.last + 1) {
			rc = watch_catch_up(&w);
		} else {
			rc = watch_event(&w, ev);
		}
		json_decref(ev);
		if (rc != 0)
			goto caught;
	}
caught:
	rc = rc > 0 ? 0 : -rc;
done:
	if (mon != NULL)
		zmq_close(mon);
	if (sub != NULL) {
		zmq_socket_monitor(sub, NULL, 0);
		zmq_close(sub);
	}
	json_decref(w.prefixes);
	json_decref(args);
	return rc;
}

/* The command line. */

/* Take the global options out of argv (they may come anywhere); 0 or the usage status. */
static int
ctl_globals(struct ctl *c, int argc, char **argv, int *nrest, char **rest, int *help)
{
	static const struct {
		const char *s, *l;
		int off;
	} opts[] = {
	    {"-e", "--endpoint", offsetof(struct ctl, api_flag)},
	    {"-a", "--actor", offsetof(struct ctl, actor_flag)},
	    {"-c", "--config", offsetof(struct ctl, conf_flag)},
	    {NULL, "--events", offsetof(struct ctl, events_flag)},
	    {"-t", "--timeout", -1},
	};
	int n = 0, positional = 0;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *val = NULL;
		size_t k, nopts = sizeof opts / sizeof opts[0];

		if (positional) {
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(w, "--") == 0) {
			positional = 1;
			rest[n++] = argv[i];
			continue;
		}
		if (strcmp(w, "--json") == 0) {
			c->json = 1;
			continue;
		}
		if (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0) {
			*help = 1;
			continue;
		}
		for (k = 0; k < nopts; k++) {
			size_t ll = strlen(opts[k].l);

			if ((opts[k].s && strcmp(w, opts[k].s) == 0) || strcmp(w, opts[k].l) == 0) {
				if (i + 1 >= argc)
					return ctl_usage(NULL, "%s needs a value", w);
				val = argv[++i];
				break;
			}
			if (strncmp(w, opts[k].l, ll) == 0 && w[ll] == '=') {
				val = w + ll + 1;
				break;
			}
		}
		if (k == nopts) {
			rest[n++] = argv[i];
			continue;
		}
		if (opts[k].off >= 0) {
			*(const char **)((char *)c + opts[k].off) = val;
		} else {
			json_int_t ms;

			if (parse_count(val, &ms) != 0 || ms < 1 || ms > INT_MAX)
				return ctl_usage(NULL, "--timeout: '%s' is not a number of ms",
						 val);
			c->timeout_flag = (long)ms;
		}
	}
	*nrest = n;
	return 0;
}

/* help [WORD [WORD]]: everything, one subcommand, or a family ("clock": clock, clock set...). */
static int
ctl_help(int n, char **words)
{
	const struct ctl_cmd *e = NULL;
	size_t len;
	int found = 0;

	if (n == 0) {
		ctl_help_all(stdout);
		return 0;
	}
	if (n >= 2) {
		char *name = xasprintf("%s %s", words[0], words[1]);

		e = ctl_cmd_find(name);
		free(name);
	}
	if (e != NULL) {
		ctl_help_one(e);
		return 0;
	}
	len = strlen(words[0]);
	for (size_t i = 0; i < NCMDS; i++) {
		const char *name = ctl_cmds[i].name;

		if (strncmp(name, words[0], len) == 0 && (name[len] == ' ' || name[len] == '\0')) {
			if (found++)
				putchar('\n');
			ctl_help_one(&ctl_cmds[i]);
		}
	}
	if (found)
		return 0;
	return ctl_usage(NULL, "help: no subcommand '%s'", words[0]);
}

int
main(int argc, char **argv)
{
	struct ctl c = {.timeout_flag = -1};
	char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
	const struct ctl_cmd *e = NULL;
	int nrest = 0, help = 0, skip = 1, rc;
	json_t *args = NULL;
	struct timespec ts;

	rc = ctl_globals(&c, argc, argv, &nrest, rest, &help);
	if (rc != 0)
		goto done;
	if (nrest > 0 && strcmp(rest[0], "help") == 0) {
		rc = ctl_help(nrest - 1, rest + 1);
		goto done;
	}
	if (nrest == 0) {
		if (help) {
			ctl_help_all(stdout);
			rc = 0;
		} else {
			rc = ctl_usage(NULL, "no subcommand");
		}
		goto done;
	}
	if (nrest >= 2) {
		char *two = xasprintf("%s %s", rest[0], rest[1]);

		e = ctl_cmd_find(two);
		free(two);
		skip = 2;
	}
	if (e == NULL) {
		e = ctl_cmd_find(rest[0]);
		skip = 1;
	}
	if (e == NULL) {
		int family = 0;

		for (size_t i = 0; i < NCMDS; i++)
			if (strncmp(ctl_cmds[i].name, rest[0], strlen(rest[0])) == 0 &&
			    ctl_cmds[i].name[strlen(rest[0])] == ' ')
				family = 1;
		rc = family
			 ? ctl_usage(NULL, "%s: which one? (pathwayctl help %s)", rest[0], rest[0])
			 : ctl_usage(NULL, "unknown subcommand '%s'", rest[0]);
		goto done;
	}
	if (help) {
		ctl_help_one(e);
		rc = 0;
		goto done;
	}
	rc = ctl_parse(e, nrest - skip, rest + skip, &args);
	if (rc != 0)
		goto done;
	rc = ctl_settings(&c);
	if (rc != 0) {
		json_decref(args);
		goto done;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c.tag = (long long)getpid() * 1000000000LL + (long long)(ts.tv_sec % 1000000) * 1000 +
		ts.tv_nsec / 1000000;
	rc = ctl_connect(&c);
	if (rc != 0) {
		json_decref(args);
		goto done;
	}
	rc = e->run != NULL ? e->run(&c, e, args) : run_request(&c, e, args);
done:
	ctl_close(&c);
	free(c.api);
	free(c.events);
	free(c.actor);
	free(rest);
	return rc;
}

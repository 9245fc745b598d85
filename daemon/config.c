/*
 * config.c: loads the daemon's configuration from libconfig files into a
 * pw_config: the daemon group of pathway.conf, then every programme and
 * cohort file it lists. Every setting is checked when loaded: unknown
 * settings, wrong types, duplicate ids, unknown requirement kinds or roles,
 * cohorts naming unknown programmes and programmes needing sessions a cohort
 * does not hold are errors that name the file, the line and the setting.
 */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"
#include "variables.h"

const char *const req_kind_names[REQ_KIND_COUNT] = {
    "submission", "signoff", "decision", "responses", "attendance", "internship", "eligibility",
};

static const char *const op_names[] = {">=", ">", "<=", "<", "==", "!="};

/* Report an error at setting s (or at the file when s is NULL). */
static int bad(struct pw_status *st, const char *file, const config_setting_t *s, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

static int
bad(struct pw_status *st, const char *file, const config_setting_t *s, const char *fmt, ...)
{
	char what[PW_MSG_LEN];
	va_list ap;
	const char *sfile = s ? config_setting_source_file(s) : NULL;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (s != NULL)
		return pw_fail(st, PW_ECONFIG, "%s:%u: %s: %s", sfile ? sfile : file,
			       config_setting_source_line(s),
			       config_setting_name(s) ? config_setting_name(s) : "(element)", what);
	return pw_fail(st, PW_ECONFIG, "%s: %s", file, what);
}

/* A compiled zone file: a regular file that starts with the TZif magic. */
static int
zone_file(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	int ok = f != NULL && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;

	if (f != NULL)
		fclose(f);
	return ok;
}

/*
 * A time zone name the C library can load: a file of the zone database
 * (TZDIR, or /usr/share/zoneinfo). A name it cannot find would silently
 * become UTC, and every local time would be off by the zone's offset.
 */
static int
zone_check(struct pw_status *st, const char *file, const config_setting_t *g, const char *tz)
{
	const char *dir = getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo";
	char *path;
	int ok;

	if (tz == NULL)
		return 0;
	path = xasprintf("%s/%s", dir, tz);
	ok = *tz != '\0' && *tz != '/' && strstr(tz, "..") == NULL && zone_file(path);
	free(path);
	if (ok)
		return 0;
	return bad(st, file, g ? config_setting_get_member(g, "timezone") : NULL,
		   "unknown time zone '%s' (not in %s; is tzdata installed?)", tz, dir);
}

/* Every member of group g must be named in allowed (NULL-terminated). */
static int
only_known(struct pw_status *st, const char *file, const config_setting_t *g,
	   const char *const *allowed)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		int ok = 0;

		for (const char *const *a = allowed; *a != NULL; a++)
			if (name != NULL && strcmp(name, *a) == 0)
				ok = 1;
		if (!ok)
			return bad(st, file, m, "unknown setting");
	}
	return 0;
}

static int
get_string(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	   int required, char **out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	*out = NULL;
	if (s == NULL) {
		if (required)
			return bad(st, file, g, "missing setting '%s'", name);
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return bad(st, file, s, "must be a string");
	*out = xstrdup(config_setting_get_string(s));
	return 0;
}

static int
get_int(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	int min, int max, int *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long v;

	if (s == NULL)
		return 0; /* keep the default */
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return bad(st, file, s, "must be an integer");
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return bad(st, file, s, "must be between %d and %d", min, max);
	*out = (int)v;
	return 0;
}

static int
get_bool(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	 int *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return bad(st, file, s, "must be true or false");
	*out = config_setting_get_bool(s);
	return 0;
}

static int
get_id(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
       char **out)
{
	if (get_string(st, file, g, name, 1, out) != 0)
		return PW_ECONFIG;
	if (!pw_id_valid(*out))
		return bad(st, file, config_setting_get_member(g, name),
			   "'%s' is not an id (1 to 64 of A-Z a-z 0-9 . _ -)", *out);
	return 0;
}

static int
open_file(config_t *c, const char *path, struct pw_status *st)
{
	config_init(c);
	if (config_read_file(c, path) == CONFIG_TRUE)
		return 0;
	if (config_error_type(c) == CONFIG_ERR_FILE_IO)
		pw_fail(st, PW_ECONFIG, "%s: cannot read the file", path);
	else
		pw_fail(st, PW_ECONFIG, "%s:%d: %s",
			config_error_file(c) ? config_error_file(c) : path, config_error_line(c),
			config_error_text(c));
	config_destroy(c);
	return PW_ECONFIG;
}

static void
requirement_clear(struct requirement *r)
{
	free(r->doc);
	for (size_t i = 0; i < r->nsessions; i++)
		free(r->sessions[i]);
	free(r->sessions);
	free(r->fact);
	free(r->value_str);
}

static int
role_of(struct pw_status *st, const char *file, const config_setting_t *r, int *role)
{
	const config_setting_t *s = config_setting_get_member(r, "role");

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    proto_role_bit(config_setting_get_string(s)) < 0)
		return bad(
		    st, file, s,
		    "not a role (candidate, headteacher, coach, rater, host, la_adviser, viewer)");
	*role = proto_role_bit(config_setting_get_string(s));
	return 0;
}

static int
requirement_sessions(struct pw_status *st, const char *file, const config_setting_t *r,
		     struct requirement *q)
{
	const config_setting_t *s = config_setting_get_member(r, "sessions");
	int n;

	if (s == NULL)
		return bad(st, file, r, "attendance needs 'sessions'");
	n = config_setting_length(s);
	if ((config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(s) != CONFIG_TYPE_LIST) ||
	    n == 0)
		return bad(st, file, s, "must be a non-empty array of session ids");
	q->sessions = xcalloc((size_t)n, sizeof *q->sessions);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    !pw_id_valid(config_setting_get_string(e)))
			return bad(st, file, s, "element %d is not a session id", i);
		q->sessions[q->nsessions++] = xstrdup(config_setting_get_string(e));
	}
	if (q->min > n)
		return bad(st, file, r, "min %d exceeds the %d sessions listed", q->min, n);
	return 0;
}

static int
requirement_rule(struct pw_status *st, const char *file, const config_setting_t *r,
		 struct requirement *q)
{
	const config_setting_t *v = config_setting_get_member(r, "value");
	char *op = NULL;
	int found = 0;

	if (get_id(st, file, r, "fact", &q->fact) != 0 || get_string(st, file, r, "op", 1, &op))
		goto fail;
	for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (strcmp(op, op_names[i]) == 0) {
			q->op = (enum rule_op)i;
			found = 1;
		}
	if (!found) {
		bad(st, file, config_setting_get_member(r, "op"),
		    "op must be >=, >, <=, <, == or !=");
		goto fail;
	}
	free(op);
	op = NULL;
	if (v == NULL)
		return bad(st, file, r, "eligibility needs 'value'");
	switch (config_setting_type(v)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		q->value_num = (double)config_setting_get_int64(v);
		return 0;
	case CONFIG_TYPE_FLOAT:
		q->value_num = config_setting_get_float(v);
		return 0;
	case CONFIG_TYPE_BOOL:
		q->vtype = VAL_BOOL;
		q->value_num = config_setting_get_bool(v);
		if (q->op != OP_EQ && q->op != OP_NE)
			return bad(st, file, v, "a boolean can only be compared with == or !=");
		return 0;
	case CONFIG_TYPE_STRING:
		q->vtype = VAL_STR;
		q->value_str = xstrdup(config_setting_get_string(v));
		if (q->op != OP_EQ && q->op != OP_NE)
			return bad(st, file, v, "a text value can only be compared with == or !=");
		return 0;
	default:
		return bad(st, file, v, "must be a number, a string or a boolean");
	}
fail:
	free(op);
	return PW_ECONFIG;
}

static const char *const req_keys[REQ_KIND_COUNT][6] = {
    [REQ_SUBMISSION] = {"kind", "doc", "role", NULL},
    [REQ_SIGNOFF] = {"kind", "role", NULL},
    [REQ_DECISION] = {"kind", "role", "capacity", NULL},
    [REQ_RESPONSES] = {"kind", "role", "min", NULL},
    [REQ_ATTENDANCE] = {"kind", "sessions", "min", NULL},
    [REQ_INTERNSHIP] = {"kind", "days", "host_lss", NULL},
    [REQ_ELIGIBILITY] = {"kind", "fact", "op", "value", NULL},
};

static int
requirement_load(struct pw_status *st, const char *file, const config_setting_t *r,
		 struct requirement *q)
{
	char *kind = NULL;
	int k;

	memset(q, 0, sizeof *q);
	q->role = -1;
	if (config_setting_type(r) != CONFIG_TYPE_GROUP)
		return bad(st, file, r, "a requirement must be a group { kind = ...; }");
	if (get_string(st, file, r, "kind", 1, &kind) != 0)
		return PW_ECONFIG;
	for (k = 0; k < REQ_KIND_COUNT; k++)
		if (strcmp(kind, req_kind_names[k]) == 0)
			break;
	free(kind);
	if (k == REQ_KIND_COUNT)
		return bad(st, file, config_setting_get_member(r, "kind"),
			   "unknown requirement kind (submission, signoff, decision, responses, "
			   "attendance, internship, eligibility)");
	q->kind = (enum req_kind)k;
	if (only_known(st, file, r, req_keys[k]) != 0 || role_of(st, file, r, &q->role) != 0)
		return PW_ECONFIG;
	switch (q->kind) {
	case REQ_SUBMISSION:
		if (q->role < 0)
			q->role = proto_role_bit("candidate");
		return get_id(st, file, r, "doc", &q->doc);
	case REQ_SIGNOFF:
		if (q->role < 0)
			q->role = proto_role_bit("headteacher");
		return 0;
	case REQ_DECISION:
		if (q->role < 0)
			q->role = proto_role_bit("la_adviser");
		return get_bool(st, file, r, "capacity", &q->capacity);
	case REQ_RESPONSES:
		q->role = proto_role_bit("rater");
		q->min = 1;
		return get_int(st, file, r, "min", 1, 100, &q->min);
	case REQ_ATTENDANCE:
		if (get_int(st, file, r, "min", 1, 1000, &q->min) != 0)
			return PW_ECONFIG;
		return requirement_sessions(st, file, r, q);
	case REQ_INTERNSHIP:
		q->min = 1;
		if (get_int(st, file, r, "days", 1, 365, &q->min) != 0)
			return PW_ECONFIG;
		return get_bool(st, file, r, "host_lss", &q->host_lss);
	case REQ_ELIGIBILITY:
		return requirement_rule(st, file, r, q);
	case REQ_KIND_COUNT:
		break;
	}
	fatal("requirement kind %d", q->kind);
}

static int
stage_load(struct pw_status *st, const char *file, const config_setting_t *g, struct stage *s)
{
	static const char *const keys[] = {"id",       "name",	    "terminal",	   "requires",
					   "deadline", "reminders", "escalations", NULL};
	const config_setting_t *reqs;
	int n;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return bad(st, file, g, "a stage must be a group { id = ...; }");
	if (only_known(st, file, g, keys) != 0 || get_id(st, file, g, "id", &s->id) != 0 ||
	    get_string(st, file, g, "name", 0, &s->name) != 0 ||
	    get_bool(st, file, g, "terminal", &s->terminal) != 0)
		return PW_ECONFIG;
	if (s->name == NULL)
		s->name = xstrdup(s->id);
	reqs = config_setting_get_member(g, "requires");
	if (reqs == NULL) {
		if (!s->terminal)
			return bad(st, file, g, "stage '%s' has no 'requires' and is not terminal",
				   s->id);
		return 0;
	}
	if (s->terminal)
		return bad(st, file, reqs, "a terminal stage has no requirements");
	if (config_setting_type(reqs) != CONFIG_TYPE_LIST || config_setting_length(reqs) == 0)
		return bad(st, file, reqs, "must be a non-empty list ( {...}, {...} )");
	n = config_setting_length(reqs);
	s->reqs = xcalloc((size_t)n, sizeof *s->reqs);
	for (int i = 0; i < n; i++) {
		s->nreqs++;
		if (requirement_load(st, file, config_setting_get_elem(reqs, (unsigned)i),
				     &s->reqs[i]) != 0)
			return PW_ECONFIG;
	}
	return 0;
}

static void
stage_clear(struct stage *s)
{
	free(s->deadline_session);
	free(s->reminders);
	free(s->escalations);
	for (size_t i = 0; i < s->nreqs; i++)
		requirement_clear(&s->reqs[i]);
	free(s->reqs);
	free(s->id);
	free(s->name);
}

static char *
file_read(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max, f);
	buf[n] = '\0';
	if (!feof(f) || ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->subject);
	free(t->text);
	free(t->html);
	free(t);
}

/* Parse "Subject: ...\n\n body" from the file's text. */
static int
template_parse(struct template *t, char *raw, const char *path, struct pw_status *st)
{
	char *nl = strchr(raw, '\n');

	if (strncmp(raw, "Subject:", 8) != 0 || nl == NULL || nl[1] != '\n')
		return pw_fail(st, PW_ECONFIG,
			       "%s:1: a template starts with 'Subject: ...' and a blank line",
			       path);
	*nl = '\0';
	t->subject = xstrdup(raw[8] == ' ' ? raw + 9 : raw + 8);
	if (t->subject[0] == '\0')
		return pw_fail(st, PW_ECONFIG, "%s:1: the subject is empty", path);
	t->text = xstrdup(nl + 2);
	return 0;
}

struct var_check {
	const char *const *allowed;
	const char *bad;
};

static int
var_allowed(const char *name, void *ud)
{
	struct var_check *v = ud;

	for (const char *const *a = v->allowed; *a != NULL; a++)
		if (strcmp(*a, name) == 0)
			return 0;
	v->bad = xstrdup(name);
	return 1;
}

static int
line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && text[i] != '\0'; i++)
		line += text[i] == '\n';
	return line;
}

/* Check that every placeholder of one part of t is a variable of event type 'on'. */
static int
template_check_part(const char *file, const char *part, int first_line, const char *on,
		    struct pw_status *st)
{
	struct var_check v = {variables_of(on), NULL};
	size_t bad = 0;
	int rc = tmpl_vars(part, var_allowed, &v, &bad);

	if (rc < 0)
		return pw_fail(st, PW_ECONFIG, "%s:%d: unclosed or invalid {{placeholder}}", file,
			       first_line + line_of(part, bad) - 1);
	if (rc > 0) {
		const char *at = strstr(part, v.bad);

		pw_fail(st, PW_ECONFIG, "%s:%d: {{%s}}: unknown variable for a notification on %s",
			file, first_line + line_of(part, at ? (size_t)(at - part) : 0) - 1, v.bad,
			on);
		free((char *)v.bad);
		return PW_ECONFIG;
	}
	return 0;
}

static int
template_check(const struct template *t, const char *dir, const char *on, struct pw_status *st)
{
	char *txt = xasprintf("%s/%s.txt", dir, t->name),
	     *html = xasprintf("%s/%s.html", dir, t->name);
	int rc = template_check_part(txt, t->subject, 1, on, st);

	if (rc == 0)
		rc = template_check_part(txt, t->text, 3, on, st);
	if (rc == 0 && t->html != NULL)
		rc = template_check_part(html, t->html, 1, on, st);
	free(txt);
	free(html);
	return rc;
}

/* The template called name, loading it from the templates directory the first time. */
static int
template_get(struct pw_config *cfg, const char *name, const struct template **out,
	     struct pw_status *st)
{
	struct template *t;
	char *path, *raw;
	int rc;

	for (size_t i = 0; i < cfg->ntemplates; i++)
		if (strcmp(cfg->templates[i]->name, name) == 0) {
			*out = cfg->templates[i];
			return 0;
		}
	path = xasprintf("%s/%s.txt", cfg->daemon.templates, name);
	errno = 0;
	raw = file_read(path, 256 * 1024);
	if (raw == NULL) {
		rc = pw_fail(st, PW_ECONFIG, "%s: cannot read the template: %s", path,
			     errno ? strerror(errno) : "larger than 256 KiB");
		free(path);
		return rc;
	}
	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	rc = template_parse(t, raw, path, st);
	free(raw);
	free(path);
	if (rc != 0) {
		template_free(t);
		return rc;
	}
	path = xasprintf("%s/%s.html", cfg->daemon.templates, name);
	t->html = file_read(path, 256 * 1024);
	free(path);
	cfg->templates = xrealloc(cfg->templates, (cfg->ntemplates + 1) * sizeof *cfg->templates);
	cfg->templates[cfg->ntemplates++] = t;
	*out = t;
	return 0;
}

static int
rule_load(struct pw_config *cfg, struct pw_status *st, const char *file, const config_setting_t *g,
	  struct notify_rule *r)
{
	static const char *const keys[] = {"on", "stage", "outcome", "to", "template", NULL};
	const config_setting_t *to;
	char *tname = NULL;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return bad(st, file, g, "a notification rule must be a group { on = ...; }");
	if (only_known(st, file, g, keys) != 0 || get_string(st, file, g, "on", 1, &r->on) != 0 ||
	    get_string(st, file, g, "stage", 0, &r->stage) != 0 ||
	    get_string(st, file, g, "outcome", 0, &r->outcome) != 0 ||
	    get_id(st, file, g, "template", &tname) != 0)
		goto fail;
	if (variables_of(r->on) == NULL || strncmp(r->on, "application.", 12) != 0) {
		bad(st, file, config_setting_get_member(g, "on"),
		    "'%s' is not an event that can be notified", r->on);
		goto fail;
	}
	to = config_setting_get_member(g, "to");
	if (to == NULL || config_setting_type(to) != CONFIG_TYPE_ARRAY ||
	    config_setting_length(to) == 0) {
		bad(st, file, to ? to : g, "'to' must be a non-empty array of roles");
		goto fail;
	}
	for (int i = 0; i < config_setting_length(to); i++) {
		const char *role = config_setting_get_string_elem(to, i);

		if (role == NULL || proto_role_bit(role) < 0) {
			bad(st, file, to, "element %d is not a role", i);
			goto fail;
		}
		r->to |= 1 << proto_role_bit(role);
	}
	if (template_get(cfg, tname, &r->tmpl, st) != 0 ||
	    template_check(r->tmpl, cfg->daemon.templates, r->on, st) != 0)
		goto fail;
	free(tname);
	return 0;
fail:
	free(tname);
	return PW_ECONFIG;
}

static int
programme_rules(struct pw_config *cfg, struct pw_status *st, const char *file,
		const config_setting_t *list, struct programme *p)
{
	int n;

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return bad(st, file, list, "must be a list ( {...}, {...} )");
	n = config_setting_length(list);
	p->rules = xcalloc((size_t)n + 1, sizeof *p->rules);
	for (int i = 0; i < n; i++) {
		struct notify_rule *r = &p->rules[p->nrules++];

		if (rule_load(cfg, st, file, config_setting_get_elem(list, (unsigned)i), r) != 0)
			return PW_ECONFIG;
		if (r->stage != NULL && config_stage_index(p, r->stage) < 0)
			return bad(st, file, config_setting_get_elem(list, (unsigned)i),
				   "stage '%s' is not a stage of %s", r->stage, p->id);
	}
	return 0;
}

static int
get_hhmm(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
	 int *out)
{
	char *v = NULL;
	int rc = get_string(st, file, g, name, 0, &v);

	if (rc == 0 && v != NULL && pw_hhmm_parse(v, out) != 0)
		rc = bad(st, file, config_setting_get_member(g, name), "must be HH:MM");
	free(v);
	return rc;
}

static int
roles_of_member(struct pw_status *st, const char *file, const config_setting_t *g, const char *name,
		int *to)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	*to = 0;
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_ARRAY ||
	    config_setting_length(s) == 0)
		return bad(st, file, s ? s : g, "'%s' must be a non-empty array of roles", name);
	for (int i = 0; i < config_setting_length(s); i++) {
		const char *role = config_setting_get_string_elem(s, i);

		if (role == NULL || proto_role_bit(role) < 0)
			return bad(st, file, s, "element %d is not a role", i);
		*to |= 1 << proto_role_bit(role);
	}
	return 0;
}

static int
roles_of(struct pw_status *st, const char *file, const config_setting_t *g, int *to)
{
	return roles_of_member(st, file, g, "to", to);
}

/* One reminder or escalation; 'on' is the event its template is checked against. */
static int
nudge_load(struct pw_config *cfg, struct pw_status *st, const char *file, const config_setting_t *g,
	   const char *on, struct nudge *n)
{
	static const char *const keys[] = {"days",     "every",	 "at",	 "to",
					   "template", "urgent", "late", NULL};
	char *tname = NULL;
	int rc;

	n->at = 9 * 60;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return bad(st, file, g,
			   "must be a group { days = ...; to = [...]; template = ...; }");
	if (only_known(st, file, g, keys) != 0 ||
	    get_int(st, file, g, "days", -365, 365, &n->days) != 0 ||
	    get_int(st, file, g, "every", 1, 365, &n->every) != 0 ||
	    get_hhmm(st, file, g, "at", &n->at) != 0 || roles_of(st, file, g, &n->to) != 0 ||
	    get_bool(st, file, g, "urgent", &n->urgent) != 0 ||
	    get_bool(st, file, g, "late", &n->late) != 0 ||
	    get_id(st, file, g, "template", &tname) != 0)
		goto fail;
	if (config_setting_get_member(g, "days") == NULL && n->every == 0 &&
	    strncmp(on, "session.", 8) != 0 && strcmp(on, "application.alumni") != 0) {
		bad(st, file, g, "needs 'days' (from the deadline) or 'every' (days, repeating)");
		goto fail;
	}
	rc = template_get(cfg, tname, &n->tmpl, st);
	if (rc == 0)
		rc = template_check(n->tmpl, cfg->daemon.templates, on, st);
	free(tname);
	return rc;
fail:
	free(tname);
	return PW_ECONFIG;
}

static int
nudges_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	    const config_setting_t *list, const char *on, struct nudge **out, size_t *n)
{
	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return bad(st, file, list, "must be a list ( {...}, {...} )");
	*out = xcalloc((size_t)config_setting_length(list) + 1, sizeof **out);
	for (int i = 0; i < config_setting_length(list); i++) {
		(*n)++;
		if (nudge_load(cfg, st, file, config_setting_get_elem(list, (unsigned)i), on,
			       &(*out)[i]) != 0)
			return PW_ECONFIG;
	}
	return 0;
}

/* Deadlines, reminders and escalations of each stage (needs templates, so after the stages). */
static int
programme_schedules(struct pw_config *cfg, struct pw_status *st, const char *file,
		    const config_setting_t *stages, struct programme *p)
{
	static const char *const dl_keys[] = {"days", "session", NULL};

	for (size_t i = 0; i < p->nstages; i++) {
		const config_setting_t *g = config_setting_get_elem(stages, (unsigned)i);
		const config_setting_t *dl = config_setting_get_member(g, "deadline");
		struct stage *s = &p->stages[i];

		if (dl != NULL && config_setting_type(dl) != CONFIG_TYPE_GROUP)
			return bad(st, file, dl, "must be { days = N; } or { session = \"ID\"; }");
		if (dl != NULL &&
		    (only_known(st, file, dl, dl_keys) != 0 ||
		     get_int(st, file, dl, "days", 1, 3650, &s->deadline_days) != 0 ||
		     get_string(st, file, dl, "session", 0, &s->deadline_session) != 0))
			return PW_ECONFIG;
		if (dl != NULL && (s->deadline_days > 0) == (s->deadline_session != NULL))
			return bad(st, file, dl, "give one of 'days' or 'session'");
		if (s->deadline_session != NULL) {
			p->sessions_used =
			    xrealloc(p->sessions_used, (p->nsessions_used + 1) * sizeof(char *));
			p->sessions_used[p->nsessions_used++] = s->deadline_session;
		}
		if (nudges_load(cfg, st, file, config_setting_get_member(g, "reminders"),
				"application.reminded", &s->reminders, &s->nreminders) != 0 ||
		    nudges_load(cfg, st, file, config_setting_get_member(g, "escalations"),
				"application.escalated", &s->escalations, &s->nescalations) != 0)
			return PW_ECONFIG;
		for (size_t k = 0; k < s->nescalations; k++)
			if (s->escalations[k].every != 0 || s->escalations[k].days < 0)
				return bad(st, file, config_setting_get_member(g, "escalations"),
					   "an escalation is 'days' (>= 0) after the deadline");
	}
	return 0;
}

/* alumni = { to = [ "candidate" ]; template = "alumni-update"; }: yearly, on the anniversary. */
static int
programme_alumni(struct pw_config *cfg, struct pw_status *st, const char *file,
		 const config_setting_t *g, struct programme *p)
{
	if (g == NULL)
		return 0;
	if (nudge_load(cfg, st, file, g, "application.alumni", &p->alumni) != 0)
		return PW_ECONFIG;
	if (p->alumni.every != 0 || config_setting_get_member(g, "days") != NULL)
		return bad(st, file, g,
			   "the alumni follow-up is yearly: give only to, template, at");
	return 0;
}

/* The sessions group: calendar, reminder, absent, updated; each { to; template; ... }. */
static int
programme_sessions(struct pw_config *cfg, struct pw_status *st, const char *file,
		   const config_setting_t *g, struct programme *p)
{
	static const char *const keys[] = {"calendar", "reminder", "absent", "updated", NULL};
	struct nudge *slot[] = {&p->session_calendar, &p->session_reminder, &p->session_absent,
				&p->session_updated};
	static const char *const on[] = {"session.calendar", "session.reminder", "session.absent",
					 "session.updated"};

	if (g == NULL)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP || only_known(st, file, g, keys) != 0)
		return config_setting_type(g) != CONFIG_TYPE_GROUP
			   ? bad(st, file, g, "must be a group { calendar = {...}; ... }")
			   : PW_ECONFIG;
	for (int i = 0; i < 4; i++) {
		const config_setting_t *e = config_setting_get_member(g, keys[i]);

		if (e == NULL)
			continue;
		if (nudge_load(cfg, st, file, e, on[i], slot[i]) != 0)
			return PW_ECONFIG;
		if (i == 1 && config_setting_get_member(e, "days") == NULL)
			return bad(st, file, e,
				   "a session reminder needs 'days' before the session");
	}
	return 0;
}

void
config_programme_clear(struct programme *p)
{
	for (size_t i = 0; i < p->nstages; i++)
		stage_clear(&p->stages[i]);
	free(p->stages);
	free(p->sessions_used);
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].on);
		free(p->rules[i].stage);
		free(p->rules[i].outcome);
	}
	free(p->rules);
	free(p->id);
	free(p->name);
	free(p->file);
	memset(p, 0, sizeof *p);
}

/* Record each session an attendance requirement names, once (borrowed strings). */
static void
programme_index_sessions(struct programme *p)
{
	for (size_t i = 0; i < p->nstages; i++)
		for (size_t j = 0; j < p->stages[i].nreqs; j++) {
			const struct requirement *q = &p->stages[i].reqs[j];

			for (size_t k = 0; k < q->nsessions; k++) {
				size_t m;

				for (m = 0; m < p->nsessions_used; m++)
					if (strcmp(p->sessions_used[m], q->sessions[k]) == 0)
						break;
				if (m < p->nsessions_used)
					continue;
				p->sessions_used = xrealloc(
				    p->sessions_used, (p->nsessions_used + 1) * sizeof(char *));
				p->sessions_used[p->nsessions_used++] = q->sessions[k];
			}
		}
}

static int
programme_check(struct pw_status *st, const char *file, const config_setting_t *stages,
		struct programme *p)
{
	int capacity = 0;

	for (size_t i = 0; i < p->nstages; i++) {
		const config_setting_t *g = config_setting_get_elem(stages, (unsigned)i);

		for (size_t j = 0; j < i; j++)
			if (strcmp(p->stages[i].id, p->stages[j].id) == 0)
				return bad(st, file, config_setting_get_member(g, "id"),
					   "duplicate stage id '%s'", p->stages[i].id);
		if (p->stages[i].terminal && i + 1 != p->nstages)
			return bad(st, file, g, "only the last stage may be terminal");
		for (size_t j = 0; j < p->stages[i].nreqs; j++)
			if (p->stages[i].reqs[j].capacity && capacity++)
				return bad(st, file, g, "only one decision may take a place");
	}
	if (!p->stages[p->nstages - 1].terminal)
		return bad(st, file, stages, "the last stage must be terminal (e.g. graduated)");
	return 0;
}

int
config_programme_load(struct pw_config *cfg, const char *path, struct programme *p,
		      struct pw_status *st)
{
	static const char *const top[] = {"programme", NULL};
	static const char *const keys[] = {"id",       "name",	 "stages", "notifications",
					   "sessions", "alumni", NULL};
	config_t c;
	const config_setting_t *g, *stages;
	int n, rc = PW_ECONFIG;

	memset(p, 0, sizeof *p);
	if (open_file(&c, path, st) != 0)
		return PW_ECONFIG;
	p->file = xstrdup(path);
	if (only_known(st, path, config_root_setting(&c), top) != 0)
		goto done;
	g = config_lookup(&c, "programme");
	if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP) {
		bad(st, path, g, "missing group 'programme = { ... };'");
		goto done;
	}
	if (only_known(st, path, g, keys) != 0 || get_id(st, path, g, "id", &p->id) != 0 ||
	    get_string(st, path, g, "name", 0, &p->name) != 0)
		goto done;
	if (p->name == NULL)
		p->name = xstrdup(p->id);
	stages = config_setting_get_member(g, "stages");
	if (stages == NULL || config_setting_type(stages) != CONFIG_TYPE_LIST ||
	    config_setting_length(stages) == 0) {
		bad(st, path, stages ? stages : g, "'stages' must be a non-empty list");
		goto done;
	}
	n = config_setting_length(stages);
	p->stages = xcalloc((size_t)n, sizeof *p->stages);
	for (int i = 0; i < n; i++) {
		p->nstages++;
		if (stage_load(st, path, config_setting_get_elem(stages, (unsigned)i),
			       &p->stages[i]) != 0)
			goto done;
	}
	if (programme_check(st, path, stages, p) != 0 ||
	    programme_rules(cfg, st, path, config_setting_get_member(g, "notifications"), p) != 0)
		goto done;
	programme_index_sessions(p);
	if (programme_schedules(cfg, st, path, stages, p) != 0 ||
	    programme_sessions(cfg, st, path, config_setting_get_member(g, "sessions"), p) != 0 ||
	    programme_alumni(cfg, st, path, config_setting_get_member(g, "alumni"), p) != 0)
		goto done;
	rc = 0;
done:
	config_destroy(&c);
	if (rc != 0)
		config_programme_clear(p);
	return rc;
}

static void
session_clear(struct session *s)
{
	free(s->id);
	free(s->title);
	free(s->date);
	free(s->start);
	free(s->end);
	free(s->venue);
	free(s->audience);
}

static int
session_load(struct pw_status *st, const char *file, const config_setting_t *g, struct session *s)
{
	static const char *const keys[] = {"id",  "title", "date",     "start",
					   "end", "venue", "audience", NULL};
	int64_t days;
	int a, b;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return bad(st, file, g, "a session must be a group { id = ...; }");
	if (only_known(st, file, g, keys) != 0 || get_id(st, file, g, "id", &s->id) != 0 ||
	    get_string(st, file, g, "title", 1, &s->title) != 0 ||
	    get_string(st, file, g, "date", 1, &s->date) != 0 ||
	    get_string(st, file, g, "start", 1, &s->start) != 0 ||
	    get_string(st, file, g, "end", 1, &s->end) != 0 ||
	    get_string(st, file, g, "venue", 1, &s->venue) != 0 ||
	    get_string(st, file, g, "audience", 0, &s->audience) != 0)
		return PW_ECONFIG;
	if (pw_date_parse(s->date, &days) != 0)
		return bad(st, file, config_setting_get_member(g, "date"), "must be YYYY-MM-DD");
	if (pw_hhmm_parse(s->start, &a) != 0 || pw_hhmm_parse(s->end, &b) != 0 || b <= a)
		return bad(st, file, config_setting_get_member(g, "end"),
			   "start and end must be HH:MM with end after start");
	if (s->audience == NULL)
		s->audience = xstrdup("participants");
	if (strcmp(s->audience, "participants") && strcmp(s->audience, "coaches") &&
	    strcmp(s->audience, "all"))
		return bad(st, file, config_setting_get_member(g, "audience"),
			   "must be participants, coaches or all");
	return 0;
}

static void
cohort_clear(struct cohort *c)
{
	for (size_t i = 0; i < c->nsessions; i++)
		session_clear(&c->sessions[i]);
	free(c->sessions);
	free(c->id);
	free(c->name);
	free(c->file);
	free(c->timezone);
	free(c->starts);
	for (size_t i = 0; i < c->ndeadlines; i++)
		free(c->deadlines[i].date);
	free(c->deadlines);
	memset(c, 0, sizeof *c);
}

static int
cohort_check(struct pw_status *st, const char *file, const config_setting_t *g,
	     const struct cohort *c)
{
	const struct programme *p = c->programme;

	for (size_t i = 0; i < c->nsessions; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->sessions[i].id, c->sessions[j].id) == 0)
				return bad(st, file, config_setting_get_member(g, "sessions"),
					   "duplicate session id '%s'", c->sessions[i].id);
	for (size_t i = 0; i < p->nsessions_used; i++)
		if (config_session(c, p->sessions_used[i]) == NULL)
			/* no sessions list at all: name the cohort's line, not just the file */
			return bad(st, file,
				   config_setting_get_member(g, "sessions")
				       ? config_setting_get_member(g, "sessions")
				       : g,
				   "programme '%s' (%s) requires session '%s', which this cohort "
				   "does not define",
				   p->id, p->file, p->sessions_used[i]);
	return 0;
}

/* "mon-fri", "mon,wed,fri", "sat-sun" (ranges may wrap) -> weekday bits (0 = Sunday). */
static int
weekdays_parse(const char *s, int *bits)
{
	static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
	char *copy = xstrdup(s), *save = NULL;
	int rc = 0;

	*bits = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		int a = -1, b = -1;

		for (int i = 0; i < 7; i++) {
			if (strncmp(tok, names[i], 3) == 0)
				a = i;
			if (strlen(tok) == 7 && tok[3] == '-' && strcmp(tok + 4, names[i]) == 0)
				b = i;
		}
		if (a < 0 || (strlen(tok) != 3 && b < 0)) {
			rc = -1;
			break;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*bits |= 1 << d;
			if (b < 0 || d == b)
				break;
		}
	}
	free(copy);
	return rc == 0 && *bits != 0 ? 0 : -1;
}

/* Absolute deadlines per stage, the deadline time of day, and the sending window. */
static int
cohort_schedule(struct pw_status *st, const char *file, const config_setting_t *g, struct cohort *c)
{
	static const char *const wkeys[] = {"days", "from", "to", NULL};
	const config_setting_t *dl = config_setting_get_member(g, "deadlines");
	const config_setting_t *w = config_setting_get_member(g, "window");
	char *days = NULL;
	int64_t d;

	c->deadline_time = 17 * 60;
	c->window_days = 0x7f;
	c->window_from = 0;
	c->window_to = 24 * 60;
	if (get_hhmm(st, file, g, "deadline_time", &c->deadline_time) != 0)
		return PW_ECONFIG;
	if (dl != NULL && config_setting_type(dl) != CONFIG_TYPE_GROUP)
		return bad(st, file, dl, "must be a group { stage = \"YYYY-MM-DD\"; }");
	c->deadlines =
	    xcalloc((size_t)(dl ? config_setting_length(dl) : 0) + 1, sizeof *c->deadlines);
	for (int i = 0; dl != NULL && i < config_setting_length(dl); i++) {
		const config_setting_t *e = config_setting_get_elem(dl, (unsigned)i);
		int k = config_stage_index(c->programme, config_setting_name(e));

		if (k < 0)
			return bad(st, file, e, "not a stage of programme %s", c->programme->id);
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    pw_date_parse(config_setting_get_string(e), &d) != 0)
			return bad(st, file, e, "must be a date YYYY-MM-DD");
		c->deadlines[c->ndeadlines].stage = &c->programme->stages[k];
		c->deadlines[c->ndeadlines++].date = xstrdup(config_setting_get_string(e));
	}
	if (w == NULL)
		return 0;
	if (config_setting_type(w) != CONFIG_TYPE_GROUP || only_known(st, file, w, wkeys) != 0 ||
	    get_string(st, file, w, "days", 0, &days) != 0 ||
	    get_hhmm(st, file, w, "from", &c->window_from) != 0 ||
	    get_hhmm(st, file, w, "to", &c->window_to) != 0) {
		free(days);
		return config_setting_type(w) != CONFIG_TYPE_GROUP
			   ? bad(st, file, w,
				 "must be { days = \"mon-fri\"; from = \"07:30\"; to = \"18:30\"; "
				 "}")
			   : PW_ECONFIG;
	}
	if (days != NULL && weekdays_parse(days, &c->window_days) != 0) {
		free(days);
		return bad(st, file, config_setting_get_member(w, "days"),
			   "must be days like \"mon-fri\" or \"mon,wed,fri\"");
	}
	free(days);
	if (c->window_to <= c->window_from)
		return bad(st, file, w, "'to' must be after 'from'");
	return 0;
}

static int
cohort_load(const struct pw_config *cfg, const char *path, struct cohort *c, struct pw_status *st)
{
	static const char *const top[] = {"cohort", NULL};
	static const char *const keys[] = {
	    "id",	"programme", "name",	      "places", "timezone", "starts",
	    "sessions", "deadlines", "deadline_time", "window", NULL};
	config_t cf;
	const config_setting_t *g, *ss;
	char *prog = NULL;
	int64_t days;
	int rc = PW_ECONFIG;

	memset(c, 0, sizeof *c);
	if (open_file(&cf, path, st) != 0)
		return PW_ECONFIG;
	c->file = xstrdup(path);
	if (only_known(st, path, config_root_setting(&cf), top) != 0)
		goto done;
	g = config_lookup(&cf, "cohort");
	if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP) {
		bad(st, path, g, "missing group 'cohort = { ... };'");
		goto done;
	}
	if (only_known(st, path, g, keys) != 0 || get_id(st, path, g, "id", &c->id) != 0 ||
	    get_string(st, path, g, "programme", 1, &prog) != 0 ||
	    get_string(st, path, g, "name", 0, &c->name) != 0 ||
	    get_int(st, path, g, "places", 0, 100000, &c->places) != 0 ||
	    get_string(st, path, g, "timezone", 0, &c->timezone) != 0 ||
	    get_string(st, path, g, "starts", 1, &c->starts) != 0)
		goto done;
	if (config_setting_get_member(g, "places") == NULL) {
		bad(st, path, g, "missing setting 'places'");
		goto done;
	}
	if (pw_date_parse(c->starts, &days) != 0) {
		bad(st, path, config_setting_get_member(g, "starts"), "must be YYYY-MM-DD");
		goto done;
	}
	c->programme = config_programme(cfg, prog);
	if (c->programme == NULL) {
		bad(st, path, config_setting_get_member(g, "programme"), "unknown programme '%s'",
		    prog);
		goto done;
	}
	if (c->name == NULL)
		c->name = xstrdup(c->id);
	if (c->timezone == NULL)
		c->timezone = xstrdup("Europe/London");
	if (zone_check(st, path, g, c->timezone) != 0)
		goto done;
	ss = config_setting_get_member(g, "sessions");
	if (ss != NULL) {
		if (config_setting_type(ss) != CONFIG_TYPE_LIST) {
			bad(st, path, ss, "must be a list ( {...}, {...} )");
			goto done;
		}
		c->sessions = xcalloc((size_t)config_setting_length(ss) + 1, sizeof *c->sessions);
		for (int i = 0; i < config_setting_length(ss); i++) {
			c->nsessions++;
			if (session_load(st, path, config_setting_get_elem(ss, (unsigned)i),
					 &c->sessions[i]) != 0)
				goto done;
		}
	}
	if (cohort_check(st, path, g, c) != 0 || cohort_schedule(st, path, g, c) != 0)
		goto done;
	rc = 0;
done:
	free(prog);
	config_destroy(&cf);
	if (rc != 0)
		cohort_clear(c);
	return rc;
}

static int
daemon_load(struct pw_status *st, const char *file, const config_setting_t *g,
	    struct daemon_conf *d)
{
	static const char *const keys[] = {
	    "api",	   "events",	"db",	       "workers",   "templates",
	    "map_size_mb", "log_level", "max_message", "max_batch", "idempotency_hours",
	    "operator",	   "clock",	"clock_start", NULL};
	int map_mb = 1024, maxmsg = 65536;
	char *level = NULL, *clock = NULL, *start = NULL;

	d->max_batch = 256;
	d->idempotency_hours = 48;
	d->log_level = LOG_INFO;
	if (g == NULL)
		return bad(st, file, NULL, "missing group 'daemon = { ... };'");
	if (only_known(st, file, g, keys) != 0 || get_string(st, file, g, "api", 0, &d->api) ||
	    get_string(st, file, g, "workers", 0, &d->workers) ||
	    get_string(st, file, g, "templates", 0, &d->templates) ||
	    get_string(st, file, g, "events", 0, &d->events) ||
	    get_string(st, file, g, "db", 0, &d->db) ||
	    get_int(st, file, g, "map_size_mb", 1, 1 << 20, &map_mb) ||
	    get_int(st, file, g, "max_message", 256, 16 << 20, &maxmsg) ||
	    get_int(st, file, g, "max_batch", 1, 100000, &d->max_batch) ||
	    get_int(st, file, g, "idempotency_hours", 1, 24 * 365, &d->idempotency_hours) ||
	    get_string(st, file, g, "operator", 0, &d->operator_id) ||
	    get_string(st, file, g, "log_level", 0, &level) ||
	    get_string(st, file, g, "clock", 0, &clock) ||
	    get_string(st, file, g, "clock_start", 0, &start))
		goto fail;
	if (clock != NULL && strcmp(clock, "system") != 0 && strcmp(clock, "manual") != 0) {
		bad(st, file, config_setting_get_member(g, "clock"), "must be system or manual");
		goto fail;
	}
	d->clock_manual = clock != NULL && strcmp(clock, "manual") == 0;
	d->clock_start = pw_clock_now();
	if (start != NULL && pw_time_parse(start, &d->clock_start) != 0) {
		bad(st, file, config_setting_get_member(g, "clock_start"),
		    "must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
		goto fail;
	}
	free(clock);
	free(start);
	clock = start = NULL;
	if (level != NULL && log_level_parse(level) < 0) {
		bad(st, file, config_setting_get_member(g, "log_level"),
		    "must be error, warn, info or debug");
		goto fail;
	}
	if (level != NULL)
		d->log_level = log_level_parse(level);
	free(level);
	d->map_size = (size_t)map_mb << 20;
	d->max_message = (size_t)maxmsg;
	if (d->api == NULL)
		d->api = xstrdup("ipc://var/run/api.sock");
	if (d->events == NULL)
		d->events = xstrdup("ipc://var/run/events.sock");
	if (d->db == NULL)
		d->db = xstrdup("var/db");
	if (d->workers == NULL)
		d->workers = xstrdup("ipc://var/run/workers.sock");
	if (d->templates == NULL)
		d->templates = xstrdup("conf/templates");
	if (d->operator_id == NULL)
		d->operator_id = xstrdup("operator");
	if (!pw_id_valid(d->operator_id))
		return bad(st, file, config_setting_get_member(g, "operator"), "not an id");
	return 0;
fail:
	free(level);
	free(clock);
	free(start);
	return PW_ECONFIG;
}

static int
outbox_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	    const config_setting_t *g)
{
	static const char *const keys[] = {"retry_min", "retry_max",	  "lifetime_hours",
					   "lease",	"worker_timeout", "failed_template",
					   NULL};
	struct outbox_conf *o = &cfg->outbox;
	char *failed = NULL;
	int hours = 120, rc;

	o->retry_min = 300;
	o->retry_max = 4000;
	o->lease = 120;
	o->worker_timeout = 15;
	if (g != NULL &&
	    (only_known(st, file, g, keys) != 0 ||
	     get_int(st, file, g, "retry_min", 1, 86400, &o->retry_min) != 0 ||
	     get_int(st, file, g, "retry_max", 1, 7 * 86400, &o->retry_max) != 0 ||
	     get_int(st, file, g, "lifetime_hours", 1, 24 * 365, &hours) != 0 ||
	     get_int(st, file, g, "lease", 1, 86400, &o->lease) != 0 ||
	     get_int(st, file, g, "worker_timeout", 1, 3600, &o->worker_timeout) != 0 ||
	     get_string(st, file, g, "failed_template", 0, &failed) != 0))
		return PW_ECONFIG;
	o->lifetime = hours * 3600;
	if (o->retry_max < o->retry_min)
		return bad(st, file, g, "retry_max must not be less than retry_min");
	rc = template_get(cfg, failed ? failed : "notification-failed", &o->failed, st);
	if (rc == 0)
		rc = template_check(o->failed, cfg->daemon.templates, "notification.dead", st);
	free(failed);
	return rc;
}

static int
opportunities_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		   const config_setting_t *g)
{
	static const char *const keys[] = {"early_template", "released_template", "release_to",
					   NULL};
	struct opportunity_conf *o = &cfg->opportunities;
	char *early = NULL, *released = NULL;
	int rc = PW_ECONFIG;

	o->release_to = ROLE_HEADTEACHER;
	if (g != NULL && (only_known(st, file, g, keys) != 0 ||
			  get_string(st, file, g, "early_template", 0, &early) != 0 ||
			  get_string(st, file, g, "released_template", 0, &released) != 0 ||
			  (config_setting_get_member(g, "release_to") != NULL &&
			   roles_of_member(st, file, g, "release_to", &o->release_to) != 0)))
		goto done;
	if (template_get(cfg, early ? early : "opportunity-early", &o->early, st) != 0 ||
	    template_check(o->early, cfg->daemon.templates, "opportunity.published", st) != 0 ||
	    template_get(cfg, released ? released : "opportunity-released", &o->released, st) !=
		0 ||
	    template_check(o->released, cfg->daemon.templates, "opportunity.published", st) != 0)
		goto done;
	rc = 0;
done:
	free(early);
	free(released);
	return rc;
}

static int weekdays_parse(const char *s, int *bits);

static int
digest_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	    const config_setting_t *g)
{
	static const char *const keys[] = {"at", "days", "timezone", "template", NULL};
	struct digest_conf *d = &cfg->digest;
	char *days = NULL, *tmpl = NULL, *tz = NULL;
	int rc = PW_ECONFIG;

	d->at = 7 * 60;
	d->days = 0x3e; /* mon-fri */
	if (g != NULL &&
	    (only_known(st, file, g, keys) != 0 || get_hhmm(st, file, g, "at", &d->at) != 0 ||
	     get_string(st, file, g, "days", 0, &days) != 0 ||
	     get_string(st, file, g, "timezone", 0, &tz) != 0 ||
	     get_string(st, file, g, "template", 0, &tmpl) != 0))
		goto done;
	if (days != NULL && weekdays_parse(days, &d->days) != 0) {
		bad(st, file, config_setting_get_member(g, "days"),
		    "must be days like \"mon-fri\" or \"mon,wed,fri\"");
		goto done;
	}
	d->timezone = tz != NULL ? tz : xstrdup("Europe/London");
	tz = NULL;
	if (zone_check(st, file, g, d->timezone) != 0)
		goto done;
	if (template_get(cfg, tmpl ? tmpl : "digest", &d->tmpl, st) != 0 ||
	    template_check(d->tmpl, cfg->daemon.templates, "digest", st) != 0)
		goto done;
	rc = 0;
done:
	free(days);
	free(tmpl);
	free(tz);
	return rc;
}

/* The list of paths in setting name of the root; *n gets the count. */
static int
path_list(struct pw_status *st, const char *file, config_t *c, const char *name,
	  const config_setting_t **out, int *n)
{
	const config_setting_t *s = config_lookup(c, name);

	*out = s;
	*n = 0;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return bad(st, file, s, "must be a list of file paths");
	*n = config_setting_length(s);
	for (int i = 0; i < *n; i++)
		if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) !=
		    CONFIG_TYPE_STRING)
			return bad(st, file, s, "element %d is not a path", i);
	return 0;
}

int
config_load(const char *path, struct pw_config **out, struct pw_status *st)
{
	static const char *const top[] = {"daemon",	"ctl",		 "mailer",
					  "outbox",	"opportunities", "digest",
					  "programmes", "cohorts",	 NULL};
	struct pw_config *cfg = xcalloc(1, sizeof *cfg);
	const config_setting_t *ps, *cs;
	config_t c;
	int np, nc, rc = PW_ECONFIG;

	*out = NULL;
	cfg->file = xstrdup(path);
	if (open_file(&c, path, st) != 0) {
		config_free(&cfg);
		return PW_ECONFIG;
	}
	if (only_known(st, path, config_root_setting(&c), top) != 0 ||
	    daemon_load(st, path, config_lookup(&c, "daemon"), &cfg->daemon) != 0 ||
	    outbox_load(cfg, st, path, config_lookup(&c, "outbox")) != 0 ||
	    opportunities_load(cfg, st, path, config_lookup(&c, "opportunities")) != 0 ||
	    digest_load(cfg, st, path, config_lookup(&c, "digest")) != 0 ||
	    path_list(st, path, &c, "programmes", &ps, &np) != 0 ||
	    path_list(st, path, &c, "cohorts", &cs, &nc) != 0)
		goto done;
	cfg->programmes = xcalloc((size_t)np + 1, sizeof *cfg->programmes);
	for (int i = 0; i < np; i++) {
		const char *f = config_setting_get_string(config_setting_get_elem(ps, (unsigned)i));

		if (config_programme_load(cfg, f, &cfg->programmes[i], st) != 0)
			goto done;
		cfg->nprogrammes++;
		if (config_programme(cfg, cfg->programmes[i].id) != &cfg->programmes[i]) {
			bad(st, f, NULL, "programme id '%s' is already defined",
			    cfg->programmes[i].id);
			goto done;
		}
	}
	cfg->cohorts = xcalloc((size_t)nc + 1, sizeof *cfg->cohorts);
	for (int i = 0; i < nc; i++) {
		const char *f = config_setting_get_string(config_setting_get_elem(cs, (unsigned)i));

		if (cohort_load(cfg, f, &cfg->cohorts[i], st) != 0)
			goto done;
		cfg->ncohorts++;
		if (config_cohort(cfg, cfg->cohorts[i].id) != &cfg->cohorts[i]) {
			bad(st, f, NULL, "cohort id '%s' is already defined", cfg->cohorts[i].id);
			goto done;
		}
	}
	rc = 0;
	*out = cfg;
done:
	config_destroy(&c);
	if (rc != 0)
		config_free(&cfg);
	return rc;
}

void
config_free(struct pw_config **pcfg)
{
	struct pw_config *cfg = *pcfg;

	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nprogrammes; i++)
		config_programme_clear(&cfg->programmes[i]);
	for (size_t i = 0; i < cfg->ncohorts; i++)
		cohort_clear(&cfg->cohorts[i]);
	free(cfg->programmes);
	free(cfg->cohorts);
	free(cfg->daemon.api);
	free(cfg->daemon.events);
	free(cfg->daemon.db);
	free(cfg->daemon.workers);
	free(cfg->daemon.templates);
	free(cfg->daemon.operator_id);
	free(cfg->digest.timezone);
	for (size_t i = 0; i < cfg->ntemplates; i++)
		template_free(cfg->templates[i]);
	free(cfg->templates);
	free(cfg->file);
	free(cfg);
	*pcfg = NULL;
}

const struct programme *
config_programme(const struct pw_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->nprogrammes; i++)
		if (strcmp(cfg->programmes[i].id, id) == 0)
			return &cfg->programmes[i];
	return NULL;
}

const struct cohort *
config_cohort(const struct pw_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->ncohorts; i++)
		if (strcmp(cfg->cohorts[i].id, id) == 0)
			return &cfg->cohorts[i];
	return NULL;
}

const struct session *
config_session(const struct cohort *c, const char *id)
{
	for (size_t i = 0; i < c->nsessions; i++)
		if (strcmp(c->sessions[i].id, id) == 0)
			return &c->sessions[i];
	return NULL;
}

int
config_stage_index(const struct programme *p, const char *id)
{
	for (size_t i = 0; i < p->nstages; i++)
		if (strcmp(p->stages[i].id, id) == 0)
			return (int)i;
	return -1;
}

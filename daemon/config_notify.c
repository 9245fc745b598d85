/*
 * config_notify.c: what the configuration says to send. Templates are
 * conf/templates/NAME.txt ("Subject: ...", a blank line, the text) and an
 * optional NAME.html, loaded once into the pw_config's list (cfg->templates,
 * each allocated on its own so rules and nudges can point at it) and checked
 * against the catalogue of template variables (variables_of()) of each event
 * type that sends them. Notification rules and nudges (reminders,
 * escalations, session notices, the alumni follow-up) are read here into the
 * structures the programme loader (config_programme.c) places.
 */
#include "config_notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_read.h"
#include "template.h"
#include "util.h"
#include "variables.h"

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

void
config_notify_templates_free(struct pw_config *cfg)
{
	for (size_t i = 0; i < cfg->ntemplates; i++)
		template_free(cfg->templates[i]);
	free(cfg->templates);
	cfg->templates = NULL;
	cfg->ntemplates = 0;
}

static int
line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && text[i] != '\0'; i++)
		line += text[i] == '\n';
	return line;
}

/* A template file's text must be UTF-8: it goes into JSON jobs and emails as it is. */
static int
template_utf8(const char *text, const char *path, struct pw_status *st)
{
	size_t bad;

	if (conf_utf8_valid(text, &bad))
		return 0;
	return pw_fail(st, PW_ECONFIG,
		       "%s:%d: not valid UTF-8 (byte 0x%02X); save the template as UTF-8", path,
		       line_of(text, bad), (unsigned char)text[bad]);
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

/* Read dir/name.txt (and name.html) into a new template. */
static int
template_read(const char *file, const config_setting_t *s, const char *dir, const char *name,
	      struct template **out, struct pw_status *st)
{
	struct template *t = xcalloc(1, sizeof *t);
	char *path = xasprintf("%s/%s.txt", dir, name), *raw;
	int rc;

	*out = NULL;
	t->name = xstrdup(name);
	errno = 0;
	raw = file_read(path, 256 * 1024);
	if (raw == NULL) {
		const char *why = errno ? strerror(errno) : "larger than 256 KiB";

		rc = s != NULL
			 ? conf_bad(st, file, s, "cannot read the template %s: %s", path, why)
			 : pw_fail(st, PW_ECONFIG, "%s: cannot read the template: %s", path, why);
		goto done;
	}
	rc = template_utf8(raw, path, st);
	if (rc == 0)
		rc = template_parse(t, raw, path, st);
	free(raw);
	free(path);
	path = xasprintf("%s/%s.html", dir, name);
	if (rc == 0)
		t->html = file_read(path, 256 * 1024);
	if (rc == 0 && t->html != NULL)
		rc = template_utf8(t->html, path, st);
done:
	free(path);
	if (rc != 0)
		template_free(t);
	else
		*out = t;
	return rc;
}

int
config_notify_template(struct pw_config *cfg, struct pw_status *st, const char *file,
		       const config_setting_t *s, const char *name, const char *on,
		       const struct template **out)
{
	struct template *t = NULL;
	size_t i;

	for (i = 0; i < cfg->ntemplates; i++)
		if (strcmp(cfg->templates[i]->name, name) == 0)
			break;
	if (i == cfg->ntemplates) {
		if (template_read(file, s, cfg->daemon.templates, name, &t, st) != 0)
			return PW_ECONFIG;
		cfg->templates =
		    xrealloc(cfg->templates, (cfg->ntemplates + 1) * sizeof *cfg->templates);
		cfg->templates[cfg->ntemplates++] = t;
	}
	*out = cfg->templates[i];
	return template_check(*out, cfg->daemon.templates, on, st);
}

int
config_notify_rule_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			const config_setting_t *g, struct notify_rule *r)
{
	static const char *const keys[] = {"on", "stage",    "outcome", "route",
					   "to", "template", NULL};
	char *tname = NULL;
	int rc = PW_ECONFIG;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "a notification rule must be a group { on = ...; }");
	if (conf_known(st, file, g, keys) != 0 || conf_string(st, file, g, "on", 1, &r->on) != 0 ||
	    conf_string(st, file, g, "stage", 0, &r->stage) != 0 ||
	    conf_string(st, file, g, "outcome", 0, &r->outcome) != 0 ||
	    conf_string(st, file, g, "route", 0, &r->route) != 0 ||
	    conf_id(st, file, g, "template", 1, &tname) != 0)
		goto done;
	if (r->route != NULL && !streq(r->route, "interest") && !streq(r->route, "nomination")) {
		conf_bad(st, file, config_setting_get_member(g, "route"),
			 "'%s' is not a route (interest or nomination)", r->route);
		goto done;
	}
	if (variables_of(r->on) == NULL || strncmp(r->on, "application.", 12) != 0) {
		conf_bad(st, file, config_setting_get_member(g, "on"),
			 "'%s' is not an event that can be notified", r->on);
		goto done;
	}
	if (conf_roles(st, file, g, "to", &r->to) != 0)
		goto done;
	rc = config_notify_template(cfg, st, file, config_setting_get_member(g, "template"), tname,
				    r->on, &r->tmpl);
done:
	free(tname);
	return rc;
}

void
config_notify_rule_clear(struct notify_rule *r)
{
	free(r->on);
	free(r->stage);
	free(r->outcome);
	free(r->route);
}

int
config_notify_nudge_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			 const config_setting_t *g, const char *on, struct nudge *n)
{
	static const char *const keys[] = {"days",     "every",	 "at",	 "to",
					   "template", "urgent", "late", NULL};
	char *tname = NULL;
	int rc = PW_ECONFIG;

	n->at = 9 * 60;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g,
				"must be a group { days = ...; to = [...]; template = ...; }");
	if (conf_known(st, file, g, keys) != 0 ||
	    conf_int(st, file, g, "days", -365, 365, &n->days) != 0 ||
	    conf_int(st, file, g, "every", 1, 365, &n->every) != 0 ||
	    conf_hhmm(st, file, g, "at", &n->at) != 0 ||
	    conf_roles(st, file, g, "to", &n->to) != 0 ||
	    conf_bool(st, file, g, "urgent", &n->urgent) != 0 ||
	    conf_bool(st, file, g, "late", &n->late) != 0 ||
	    conf_id(st, file, g, "template", 1, &tname) != 0)
		goto done;
	if (config_setting_get_member(g, "days") == NULL && n->every == 0 &&
	    strncmp(on, "session.", 8) != 0 && strcmp(on, "application.alumni") != 0) {
		conf_bad(st, file, g,
			 "needs 'days' (from the deadline) or 'every' (days, repeating)");
		goto done;
	}
	rc = config_notify_template(cfg, st, file, config_setting_get_member(g, "template"), tname,
				    on, &n->tmpl);
done:
	free(tname);
	return rc;
}

int
config_notify_nudges_load(struct pw_config *cfg, struct pw_status *st, const char *file,
			  const config_setting_t *list, const char *on, struct nudge **out,
			  size_t *n)
{
	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return conf_bad(st, file, list, "must be a list ( {...}, {...} )");
	*out = xcalloc((size_t)config_setting_length(list) + 1, sizeof **out);
	for (int i = 0; i < config_setting_length(list); i++) {
		(*n)++;
		if (config_notify_nudge_load(cfg, st, file,
					     config_setting_get_elem(list, (unsigned)i), on,
					     &(*out)[i]) != 0)
			return PW_ECONFIG;
	}
	return 0;
}

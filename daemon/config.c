/*
 * config.c: the daemon's settings and the entry point that loads a whole
 * pw_config: the groups of pathway.conf (daemon, outbox, opportunities,
 * digest; the mailer and ctl groups are their programs'), then every
 * programme file (config_programme.c) and cohort file (config_cohort.c) it
 * lists, in order, with duplicate ids refused. Templates the settings name
 * are loaded by config_notify.c; settings are read through config_read.c.
 * Every error names the file, the line and the setting.
 */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config_cohort.h"
#include "config_notify.h"
#include "config_posts.h"
#include "config_read.h"
#include "util.h"

/*
 * Why zmq_bind would refuse endpoint e at start, or NULL. The daemon binds
 * ipc://PATH, tcp://HOST:PORT (HOST: *, an IPv4 address or an interface of
 * this machine; IPv6 is not enabled on its sockets) or inproc://NAME.
 */
static const char *
endpoint_fault(const char *e, char *why, size_t n)
{
	const char *host, *colon = strrchr(e, ':');
	struct in_addr a;
	char *name;

	if (strncmp(e, "inproc://", 9) == 0)
		return e[9] == '\0' ? "inproc:// needs a name" : NULL;
	if (strncmp(e, "ipc://", 6) == 0 && e[6] == '\0')
		return "ipc:// needs a path";
	if (strncmp(e, "ipc://", 6) == 0)
		return strlen(e + 6) < sizeof((struct sockaddr_un *)0)->sun_path
			   ? NULL
			   : "the ipc:// path is too long for a socket (at most 107 bytes)";
	if (strncmp(e, "tcp://", 6) != 0)
		return "must be ipc://PATH, tcp://HOST:PORT or inproc://NAME";
	host = e + 6;
	if (colon < host)
		return "tcp:// needs HOST:PORT";
	if (colon[1] == '\0' || colon[1 + strspn(colon + 1, "0123456789")] != '\0' ||
	    strtol(colon + 1, NULL, 10) < 1 || strtol(colon + 1, NULL, 10) > 65535)
		return "the port must be a number from 1 to 65535";
	if (colon == host)
		return "tcp:// needs a host before the port (* for every interface)";
	if (*host == '[')
		return "IPv6 is not enabled on the daemon's sockets: use an IPv4 address, * or an "
		       "interface";
	name = xasprintf("%.*s", (int)(colon - host), host);
	why[0] = '\0';
	if (strcmp(name, "*") != 0 && inet_pton(AF_INET, name, &a) != 1 &&
	    if_nametoindex(name) == 0)
		snprintf(why, n, "'%s' is not *, an IPv4 address or a network interface here",
			 name);
	free(name);
	return why[0] != '\0' ? why : NULL;
}

/*
 * daemon.security: "local" (the default: ipc sockets only the daemon's user
 * may open, every peer the operator) or "curve" (every socket a CURVE
 * server; only registered keys get in). curve_key is the daemon's own key
 * file, operator_key the operator's, both made at the first start in curve
 * mode when missing.
 */
static int
security_load(struct pw_status *st, const char *file, const config_setting_t *g,
	      struct daemon_conf *d)
{
	char *mode = NULL;

	if (conf_string(st, file, g, "security", 0, &mode) ||
	    conf_string(st, file, g, "curve_key", 0, &d->curve_key) ||
	    conf_string(st, file, g, "operator_key", 0, &d->operator_key))
		goto fail;
	if (mode != NULL && strcmp(mode, "local") != 0 && strcmp(mode, "curve") != 0) {
		conf_bad(st, file, config_setting_get_member(g, "security"),
			 "must be local or curve");
		goto fail;
	}
	d->curve = mode != NULL && strcmp(mode, "curve") == 0;
	free(mode);
	if (d->curve_key == NULL)
		d->curve_key = xstrdup("var/keys/pathwayd.key");
	if (d->operator_key == NULL)
		d->operator_key = xstrdup("var/keys/operator.key");
	return 0;
fail:
	free(mode);
	return PW_ECONFIG;
}

/*
 * In local mode the sockets' only protection is the file system: a tcp
 * endpoint, or an abstract ipc one (ipc://@name, which has no file), would
 * let anyone in as the operator.
 */
static const char *
endpoint_local_fault(const char *e)
{
	if (strncmp(e, "tcp://", 6) == 0)
		return "a tcp endpoint needs daemon.security = \"curve\" (in local mode anyone who "
		       "reached it would be the operator)";
	if (strncmp(e, "ipc://@", 7) == 0)
		return "an abstract ipc endpoint (ipc://@...) has no file to protect: use a path, "
		       "or "
		       "daemon.security = \"curve\"";
	return NULL;
}

/*
 * Person tokens (token.c): how long a rotated secret is still honoured
 * (token_grace, seconds, default 7 days), a session's lifetime
 * (session_hours, default 12) and how many login links one address may be
 * sent in an hour (login_links_per_hour, default 5).
 */
static int
tokens_load(struct pw_status *st, const char *file, const config_setting_t *g,
	    struct daemon_conf *d)
{
	d->token_grace = 7 * 86400;
	d->session_hours = 12;
	d->login_links_per_hour = 5;
	return conf_int(st, file, g, "token_grace", 0, 365 * 86400, &d->token_grace) ||
		       conf_int(st, file, g, "session_hours", 1, 24 * 90, &d->session_hours) ||
		       conf_int(st, file, g, "login_links_per_hour", 1, 1000,
				&d->login_links_per_hour)
		   ? PW_ECONFIG
		   : 0;
}

/* The three endpoints are bound at start: each must be one zmq_bind accepts, and distinct. */
static int
endpoints_check(struct pw_status *st, const char *file, const config_setting_t *g,
		const struct daemon_conf *d)
{
	static const char *const names[] = {"api", "events", "workers"};
	const char *const eps[] = {d->api, d->events, d->workers};

	for (int i = 0; i < 3; i++) {
		char why[128];
		const char *fault = endpoint_fault(eps[i], why, sizeof why);

		if (fault == NULL && !d->curve)
			fault = endpoint_local_fault(eps[i]);

		if (fault != NULL)
			return conf_bad(st, file, config_setting_get_member(g, names[i]), "%s",
					fault);
		for (int j = 0; j < i; j++)
			if (strcmp(eps[i], eps[j]) == 0)
				return conf_bad(st, file, config_setting_get_member(g, names[i]),
						"the same endpoint as daemon.%s", names[j]);
	}
	return 0;
}

static int
daemon_load(struct pw_status *st, const char *file, const config_setting_t *g,
	    struct daemon_conf *d)
{
	static const char *const keys[] = {"api",
					   "events",
					   "db",
					   "workers",
					   "templates",
					   "map_size_mb",
					   "log_level",
					   "max_message",
					   "max_batch",
					   "commit_wait_us",
					   "idempotency_hours",
					   "operator",
					   "clock",
					   "clock_start",
					   "security",
					   "curve_key",
					   "operator_key",
					   "token_grace",
					   "session_hours",
					   "login_links_per_hour",
					   "backup_dir",
					   NULL};
	int map_mb = 1024, maxmsg = 65536;
	char *level = NULL, *clock = NULL, *start = NULL;

	d->max_batch = 256;
	d->commit_wait_us = 2000;
	d->idempotency_hours = 48;
	d->log_level = LOG_INFO;
	if (g == NULL)
		return conf_bad(st, file, NULL, "missing group 'daemon = { ... };'");
	if (conf_known(st, file, g, keys) != 0 || conf_string(st, file, g, "api", 0, &d->api) ||
	    conf_string(st, file, g, "workers", 0, &d->workers) ||
	    conf_string(st, file, g, "templates", 0, &d->templates) ||
	    conf_string(st, file, g, "events", 0, &d->events) ||
	    conf_string(st, file, g, "db", 0, &d->db) ||
	    conf_string(st, file, g, "backup_dir", 0, &d->backup_dir) ||
	    conf_int(st, file, g, "map_size_mb", 1, 1 << 20, &map_mb) ||
	    conf_int(st, file, g, "max_message", 256, 16 << 20, &maxmsg) ||
	    conf_int(st, file, g, "max_batch", 1, 100000, &d->max_batch) ||
	    conf_int(st, file, g, "commit_wait_us", 0, 100000, &d->commit_wait_us) ||
	    conf_int(st, file, g, "idempotency_hours", 1, 24 * 365, &d->idempotency_hours) ||
	    conf_string(st, file, g, "operator", 0, &d->operator_id) ||
	    conf_string(st, file, g, "log_level", 0, &level) ||
	    conf_string(st, file, g, "clock", 0, &clock) ||
	    conf_string(st, file, g, "clock_start", 0, &start) || security_load(st, file, g, d) ||
	    tokens_load(st, file, g, d))
		goto fail;
	if (clock != NULL && strcmp(clock, "system") != 0 && strcmp(clock, "manual") != 0) {
		conf_bad(st, file, config_setting_get_member(g, "clock"),
			 "must be system or manual");
		goto fail;
	}
	d->clock_manual = clock != NULL && strcmp(clock, "manual") == 0;
	d->clock_start = pw_clock_now();
	if (start != NULL && pw_time_parse(start, &d->clock_start) != 0) {
		conf_bad(st, file, config_setting_get_member(g, "clock_start"),
			 "must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
		goto fail;
	}
	free(clock);
	free(start);
	clock = start = NULL;
	if (level != NULL && log_level_parse(level) < 0) {
		conf_bad(st, file, config_setting_get_member(g, "log_level"),
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
	if (d->backup_dir == NULL)
		d->backup_dir = xstrdup("var/backup");
	if (d->workers == NULL)
		d->workers = xstrdup("ipc://var/run/workers.sock");
	if (d->templates == NULL)
		d->templates = xstrdup("conf/templates");
	if (d->operator_id == NULL)
		d->operator_id = xstrdup("operator");
	if (!pw_id_valid(d->operator_id))
		return conf_bad(st, file, config_setting_get_member(g, "operator"), "not an id");
	return endpoints_check(st, file, g, d);
fail:
	free(level);
	free(clock);
	free(start);
	return PW_ECONFIG;
}

/* A template setting of group g (may be NULL): an id, or def when it is absent. */
static int
template_setting(struct pw_config *cfg, struct pw_status *st, const char *file,
		 const config_setting_t *g, const char *name, const char *def, const char *on,
		 const struct template **out)
{
	char *id = NULL;
	int rc = g != NULL ? conf_id(st, file, g, name, 0, &id) : 0;

	if (rc == 0)
		rc = config_notify_template(cfg, st, file,
					    id != NULL ? config_setting_get_member(g, name) : NULL,
					    id != NULL ? id : def, on, out);
	free(id);
	return rc;
}

static int
outbox_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	    const config_setting_t *g)
{
	static const char *const keys[] = {
	    "retry_min",      "retry_max",	 "lifetime_hours", "lease",
	    "worker_timeout", "failed_template", "dead_days",	   NULL};
	struct outbox_conf *o = &cfg->outbox;
	int hours = 120;

	o->retry_min = 300;
	o->retry_max = 4000;
	o->lease = 120;
	o->worker_timeout = 15;
	o->dead_days = 30;
	if (g != NULL &&
	    (conf_known(st, file, g, keys) != 0 ||
	     conf_int(st, file, g, "retry_min", 1, 86400, &o->retry_min) != 0 ||
	     conf_int(st, file, g, "retry_max", 1, 7 * 86400, &o->retry_max) != 0 ||
	     conf_int(st, file, g, "lifetime_hours", 1, 24 * 365, &hours) != 0 ||
	     conf_int(st, file, g, "lease", 1, 86400, &o->lease) != 0 ||
	     conf_int(st, file, g, "worker_timeout", 1, 3600, &o->worker_timeout) != 0 ||
	     conf_int(st, file, g, "dead_days", 1, 3650, &o->dead_days) != 0))
		return PW_ECONFIG;
	o->lifetime = hours * 3600;
	if (o->retry_max < o->retry_min)
		return conf_bad(st, file, g, "retry_max must not be less than retry_min");
	return template_setting(cfg, st, file, g, "failed_template", "notification-failed",
				"notification.dead", &o->failed);
}

static int
opportunities_load(struct pw_config *cfg, struct pw_status *st, const char *file,
		   const config_setting_t *g)
{
	static const char *const keys[] = {"early_template", "released_template", "release_to",
					   NULL};
	struct opportunity_conf *o = &cfg->opportunities;

	o->release_to = ROLE_HEADTEACHER;
	if (g != NULL && (conf_known(st, file, g, keys) != 0 ||
			  (config_setting_get_member(g, "release_to") != NULL &&
			   conf_roles(st, file, g, "release_to", &o->release_to) != 0)))
		return PW_ECONFIG;
	if (template_setting(cfg, st, file, g, "early_template", "opportunity-early",
			     "opportunity.published", &o->early) != 0 ||
	    template_setting(cfg, st, file, g, "released_template", "opportunity-released",
			     "opportunity.published", &o->released) != 0)
		return PW_ECONFIG;
	return 0;
}

static int
digest_load(struct pw_config *cfg, struct pw_status *st, const char *file,
	    const config_setting_t *g)
{
	static const char *const keys[] = {"at", "days", "timezone", "template", NULL};
	struct digest_conf *d = &cfg->digest;

	d->at = 7 * 60;
	d->days = 0x3e; /* mon-fri */
	if (g != NULL &&
	    (conf_known(st, file, g, keys) != 0 || conf_hhmm(st, file, g, "at", &d->at) != 0 ||
	     conf_weekdays(st, file, g, "days", &d->days) != 0 ||
	     conf_string(st, file, g, "timezone", 0, &d->timezone) != 0))
		return PW_ECONFIG;
	if (d->timezone == NULL)
		d->timezone = xstrdup("Europe/London");
	if (conf_zone(st, file, g, d->timezone) != 0)
		return PW_ECONFIG;
	return template_setting(cfg, st, file, g, "template", "digest", "digest", &d->tmpl);
}

/*
 * web { base_url; login_template; }: where pathway-web answers (the links in
 * emails: base_url/login/TOKEN, base_url/a/TOKEN) and the login link's
 * template. Without the group or base_url, emails say how else to act. The
 * group's other settings are pathway-web's own (it checks them: pathway-web -t).
 */
static int
web_load(struct pw_config *cfg, struct pw_status *st, const char *file, const config_setting_t *g)
{
	static const char *const keys[] = {"base_url",	 "login_template", "listen",
					   "key",	 "viewer_key",	   "server_key",
					   "tls_cert",	 "tls_key",	   "login_per_minute",
					   "timeout_ms", "trust_proxy",	   NULL};
	char *u = NULL;
	size_t n;

	if (g != NULL && (conf_known(st, file, g, keys) != 0 ||
			  conf_string(st, file, g, "base_url", 0, &cfg->web.base_url) != 0))
		return PW_ECONFIG;
	u = cfg->web.base_url;
	n = u != NULL ? strlen(u) : 0;
	while (n > 0 && u[n - 1] == '/')
		u[--n] = '\0';
	if (u != NULL && ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
			  n > 512 || u[strcspn(u, " \t\r\n\"<>")] != '\0'))
		return conf_bad(st, file, config_setting_get_member(g, "base_url"),
				"must be an http:// or https:// URL of at most 512 bytes, without "
				"spaces, quotes or angle brackets");
	return template_setting(cfg, st, file, g, "login_template", "login-link", "auth.link",
				&cfg->web.login);
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
		return conf_bad(st, file, s, "must be a list of file paths");
	*n = config_setting_length(s);
	for (int i = 0; i < *n; i++)
		if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) !=
		    CONFIG_TYPE_STRING)
			return conf_bad(st, file, s, "element %d is not a path", i);
	return 0;
}

int
config_load(const char *path, struct pw_config **out, struct pw_status *st)
{
	static const char *const top[] = {"daemon",	   "ctl",    "mailer",	   "outbox",
					  "opportunities", "digest", "programmes", "cohorts",
					  "web",	   "posts",  NULL};
	struct pw_config *cfg = xcalloc(1, sizeof *cfg);
	const config_setting_t *ps, *cs;
	config_t c;
	int np, nc, rc = PW_ECONFIG;

	*out = NULL;
	cfg->file = xstrdup(path);
	if (conf_open(&c, path, st) != 0) {
		config_free(&cfg);
		return PW_ECONFIG;
	}
	if (conf_known(st, path, config_root_setting(&c), top) != 0 ||
	    daemon_load(st, path, config_lookup(&c, "daemon"), &cfg->daemon) != 0 ||
	    outbox_load(cfg, st, path, config_lookup(&c, "outbox")) != 0 ||
	    opportunities_load(cfg, st, path, config_lookup(&c, "opportunities")) != 0 ||
	    digest_load(cfg, st, path, config_lookup(&c, "digest")) != 0 ||
	    web_load(cfg, st, path, config_lookup(&c, "web")) != 0 ||
	    config_posts_load(cfg, st, path, config_lookup(&c, "posts")) != 0 ||
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
			conf_bad(st, f, NULL, "programme id '%s' is already defined",
				 cfg->programmes[i].id);
			goto done;
		}
	}
	cfg->cohorts = xcalloc((size_t)nc + 1, sizeof *cfg->cohorts);
	for (int i = 0; i < nc; i++) {
		const char *f = config_setting_get_string(config_setting_get_elem(cs, (unsigned)i));

		if (config_cohort_load(cfg, f, &cfg->cohorts[i], st) != 0)
			goto done;
		cfg->ncohorts++;
		if (config_cohort(cfg, cfg->cohorts[i].id) != &cfg->cohorts[i]) {
			conf_bad(st, f, NULL, "cohort id '%s' is already defined",
				 cfg->cohorts[i].id);
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
		config_cohort_clear(&cfg->cohorts[i]);
	free(cfg->programmes);
	free(cfg->cohorts);
	free(cfg->daemon.api);
	free(cfg->daemon.events);
	free(cfg->daemon.db);
	free(cfg->daemon.workers);
	free(cfg->daemon.templates);
	free(cfg->daemon.operator_id);
	free(cfg->daemon.backup_dir);
	free(cfg->daemon.curve_key);
	free(cfg->daemon.operator_key);
	free(cfg->digest.timezone);
	free(cfg->web.base_url);
	config_notify_templates_free(cfg);
	free(cfg->file);
	free(cfg);
	*pcfg = NULL;
}

/*
 * config_mailer.c: checks the mailer group of pathway.conf for `pathwayd
 * -t`, with the rules pathway-mailer (workers/mailer/mailer.c) applies when
 * it starts, so a configuration the mailer would refuse is refused here
 * first, with the file, the line and the setting. It keeps nothing: the
 * daemon does not use these settings. What depends on the mailer's own
 * environment is left to the mailer: whether password_env is set there,
 * and files its user may read but this one may not.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config_read.h"

struct mailer_settings {
	char *smtp_url, *starttls, *user, *password_file, *password_env, *ca_file, *from,
	    *signature;
	int timeout_ms, credit, heartbeat_ms, reuse;
};

static void
settings_clear(struct mailer_settings *m)
{
	free(m->smtp_url);
	free(m->starttls);
	free(m->user);
	free(m->password_file);
	free(m->password_env);
	free(m->ca_file);
	free(m->from);
	free(m->signature);
}

/* Why the mailer could not read path, as far as this process can tell, or NULL. */
static const char *
file_fault(const char *path, struct stat *sb)
{
	if (stat(path, sb) != 0)
		return errno == EACCES ? NULL : strerror(errno);
	if (S_ISDIR(sb->st_mode))
		return "a directory";
	return NULL;
}

/* The password comes from exactly one of password_file and password_env, with user. */
static int
password_check(struct pw_status *st, const char *file, const config_setting_t *g,
	       const struct mailer_settings *m)
{
	const char *fault;
	struct stat sb;

	if (m->password_file != NULL && m->password_env != NULL)
		return conf_bad(st, file, config_setting_get_member(g, "password_env"),
				"set password_file or password_env, not both");
	if (m->password_env != NULL && m->password_env[0] == '\0')
		return conf_bad(st, file, config_setting_get_member(g, "password_env"),
				"must name an environment variable");
	if (m->password_file != NULL) {
		fault = file_fault(m->password_file, &sb);
		if (fault == NULL && S_ISREG(sb.st_mode) && sb.st_size == 0)
			fault = "empty";
		if (fault != NULL)
			return conf_bad(st, file, config_setting_get_member(g, "password_file"),
					"%s: cannot read it (%s)", m->password_file, fault);
	}
	if (m->user != NULL && m->password_file == NULL && m->password_env == NULL)
		return conf_bad(st, file, config_setting_get_member(g, "user"),
				"AUTH needs a password: set password_file or password_env");
	return 0;
}

/* A PEM bundle of CAs: it must exist and hold a certificate. */
static int
ca_file_check(struct pw_status *st, const char *file, const config_setting_t *g, const char *path)
{
	const config_setting_t *s = config_setting_get_member(g, "ca_file");
	struct stat sb;
	const char *fault = file_fault(path, &sb);
	char line[256];
	int pem = 0;
	FILE *f;

	if (fault != NULL)
		return conf_bad(st, file, s, "%s: cannot read it (%s)", path, fault);
	f = fopen(path, "r");
	if (f == NULL)
		return 0; /* not ours to read: the mailer's user may */
	while (!pem && fgets(line, sizeof line, f) != NULL)
		pem = strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0;
	fclose(f);
	if (!pem)
		return conf_bad(st, file, s,
				"%s: no PEM certificate in it (-----BEGIN CERTIFICATE-----)", path);
	return 0;
}

static int
rules_check(struct pw_status *st, const char *file, const config_setting_t *g,
	    const struct mailer_settings *m)
{
	static const char *const tls[] = {"none", "optional", "required"};
	const char *url = m->smtp_url != NULL ? m->smtp_url : "smtp://127.0.0.1:25";
	int starttls = m->starttls == NULL ? 1 : -1;

	for (int i = 0; i < 3 && m->starttls != NULL; i++)
		if (strcmp(m->starttls, tls[i]) == 0)
			starttls = i;
	if (starttls < 0)
		return conf_bad(st, file, config_setting_get_member(g, "starttls"),
				"must be none, optional or required");
	if (strncasecmp(url, "smtp://", 7) != 0 && strncasecmp(url, "smtps://", 8) != 0)
		return conf_bad(st, file, config_setting_get_member(g, "smtp_url"),
				"must be smtp://HOST:PORT or smtps://HOST:PORT");
	if (strchr(url, '@') != NULL)
		return conf_bad(st, file, config_setting_get_member(g, "smtp_url"),
				"put no user or password in it (user, password_file)");
	if (password_check(st, file, g, m) != 0)
		return PW_ECONFIG;
	if (m->user != NULL && starttls != 2 && strncasecmp(url, "smtps://", 8) != 0)
		return conf_bad(st, file, config_setting_get_member(g, "user"),
				"the password would cross the network in clear unless the "
				"connection is encrypted (starttls = \"required\", or an smtps:// "
				"smtp_url)");
	if (m->ca_file != NULL)
		return ca_file_check(st, file, g, m->ca_file);
	return 0;
}

int
config_mailer_check(const char *path, struct pw_status *st)
{
	static const char *const keys[] = {
	    "smtp_url",		"starttls",	"user",	     "password_file", "password_env",
	    "ca_file",		"from",		"signature", "timeout_ms",    "credit",
	    "reuse_connection", "heartbeat_ms", "key",	     "server_key",    NULL};
	struct mailer_settings m = {0};
	const config_setting_t *g;
	config_t c;
	int rc = PW_ECONFIG;

	if (conf_open(&c, path, st) != 0)
		return PW_ECONFIG;
	g = config_lookup(&c, "mailer");
	if (g == NULL) {
		rc = 0;
		goto done;
	}
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_bad(st, path, g, "must be a group { smtp_url = ...; }");
		goto done;
	}
	if (conf_known(st, path, g, keys) != 0 ||
	    conf_string(st, path, g, "smtp_url", 0, &m.smtp_url) != 0 ||
	    conf_string(st, path, g, "starttls", 0, &m.starttls) != 0 ||
	    conf_string(st, path, g, "user", 0, &m.user) != 0 ||
	    conf_string(st, path, g, "password_file", 0, &m.password_file) != 0 ||
	    conf_string(st, path, g, "password_env", 0, &m.password_env) != 0 ||
	    conf_string(st, path, g, "ca_file", 0, &m.ca_file) != 0 ||
	    conf_string(st, path, g, "from", 0, &m.from) != 0 ||
	    conf_string(st, path, g, "signature", 0, &m.signature) != 0 ||
	    conf_int(st, path, g, "timeout_ms", INT_MIN, INT_MAX, &m.timeout_ms) != 0 ||
	    conf_int(st, path, g, "credit", 1, INT_MAX, &m.credit) != 0 ||
	    conf_int(st, path, g, "heartbeat_ms", 10, INT_MAX, &m.heartbeat_ms) != 0 ||
	    conf_bool(st, path, g, "reuse_connection", &m.reuse) != 0 ||
	    rules_check(st, path, g, &m) != 0)
		goto done;
	rc = 0;
done:
	settings_clear(&m);
	config_destroy(&c);
	return rc;
}

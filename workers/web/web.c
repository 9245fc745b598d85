/*
 * web.c: pathway-web's main. It reads pathway.conf (the daemon's endpoints
 * and security mode, and the `web` group: where to listen, its keys, TLS,
 * the login limit, how long to wait for pathwayd), checks it (-t stops
 * there), registers every page's routes, and runs the loop until SIGTERM or
 * SIGINT. It owns struct web_conf; nothing else reads the file.
 */
#include <errno.h>
#include <getopt.h>
#include <libconfig.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core.h"
#include "keys.h"
#include "proto.h"

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: pathway-web [-c CONF] [-C DIR] [-t]\n"
		"\n"
		"Serve Pathway's web pages (login by emailed link, the links in emails, each\n"
		"person's page, the LA's live dashboard) as a stateless front of pathwayd.\n"
		"\n"
		"  -c CONF  configuration (default conf/pathway.conf): daemon.api, daemon.events,\n"
		"           daemon.security, and the web group (listen, key, viewer_key,\n"
		"           server_key, tls_cert, tls_key, login_per_minute, timeout_ms,\n"
		"           trust_proxy, base_url)\n"
		"  -C DIR   change to DIR first (relative paths in CONF are relative to it)\n"
		"  -t       check the configuration and the files it names, then exit\n"
		"  -h, --help\n"
		"\n"
		"SIGTERM or SIGINT: answer the requests in hand and stop.\n");
}

/* A string setting: absent gives def; present and not a string is an error. */
static int
get_str(config_t *c, const char *file, const char *path, const char *def, char **out)
{
	const config_setting_t *s = config_lookup(c, path);

	*out = NULL;
	if (s == NULL) {
		*out = def != NULL ? xstrdup(def) : NULL;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING || config_setting_get_string(s)[0] == 0) {
		fprintf(stderr, "pathway-web: %s:%d: %s must be a non-empty string\n", file,
			config_setting_source_line(s), path);
		return -1;
	}
	*out = xstrdup(config_setting_get_string(s));
	return 0;
}

/* An integer setting within [min, max]; absent gives def. */
static int
get_int(config_t *c, const char *file, const char *path, int def, int min, int max, int *out)
{
	const config_setting_t *s = config_lookup(c, path);

	*out = def;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT || config_setting_get_int(s) < min ||
	    config_setting_get_int(s) > max) {
		fprintf(stderr, "pathway-web: %s:%d: %s must be a whole number from %d to %d\n",
			file, config_setting_source_line(s), path, min, max);
		return -1;
	}
	*out = config_setting_get_int(s);
	return 0;
}

static int
get_bool(config_t *c, const char *file, const char *path, int *out)
{
	const config_setting_t *s = config_lookup(c, path);

	*out = 0;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		fprintf(stderr, "pathway-web: %s:%d: %s must be true or false\n", file,
			config_setting_source_line(s), path);
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

static void
conf_clear(struct web_conf *w)
{
	free(w->listen_addr);
	free(w->base_url);
	free(w->api);
	free(w->events);
	free(w->key);
	free(w->viewer_key);
	free(w->server_key);
	free(w->tls_cert);
	free(w->tls_key);
	memset(w, 0, sizeof *w);
}

/* "HOST:PORT": the port, or -1. */
static int
listen_port(const char *a)
{
	const char *colon = strrchr(a, ':');
	char *end;
	long p;

	if (colon == NULL || colon == a || colon[1] == '\0')
		return -1;
	p = strtol(colon + 1, &end, 10);
	return *end == '\0' && p >= 1 && p <= 65535 ? (int)p : -1;
}

/* A PEM file readable and holding what it should ("CERTIFICATE", "PRIVATE KEY"). */
static int
pem_check(const char *file, const char *setting, const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int found = 0;

	if (f == NULL) {
		fprintf(stderr, "pathway-web: %s: %s %s: %s\n", file, setting, path,
			strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof line, f) != NULL)
		found = strncmp(line, "-----BEGIN ", 11) == 0 && strstr(line, what) != NULL;
	fclose(f);
	if (!found)
		fprintf(stderr, "pathway-web: %s: %s %s: no PEM %s in it\n", file, setting, path,
			what);
	return found ? 0 : -1;
}

static int
conf_load(const char *file, struct web_conf *w)
{
	config_t c;
	char *mode = NULL, *level = NULL, *daemon_key = NULL, *def_server = NULL;
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85];
	struct pw_status st = {0, ""};
	int rc = -1, lvl;

	config_init(&c);
	if (config_read_file(&c, file) != CONFIG_TRUE) {
		fprintf(stderr, "pathway-web: %s:%d: %s\n",
			config_error_file(&c) ? config_error_file(&c) : file, config_error_line(&c),
			config_error_text(&c));
		goto cleanup;
	}
	if (get_str(&c, file, "daemon.api", "ipc://var/run/api.sock", &w->api) != 0 ||
	    get_str(&c, file, "daemon.events", "ipc://var/run/events.sock", &w->events) != 0 ||
	    get_str(&c, file, "daemon.security", "local", &mode) != 0 ||
	    get_str(&c, file, "daemon.log_level", "info", &level) != 0 ||
	    get_str(&c, file, "daemon.curve_key", "var/keys/pathwayd.key", &daemon_key) != 0 ||
	    get_str(&c, file, "web.listen", "127.0.0.1:8080", &w->listen_addr) != 0 ||
	    get_str(&c, file, "web.base_url", NULL, &w->base_url) != 0 ||
	    get_str(&c, file, "web.key", "var/keys/web.key", &w->key) != 0 ||
	    get_str(&c, file, "web.viewer_key", "var/keys/viewer.key", &w->viewer_key) != 0 ||
	    get_str(&c, file, "web.tls_cert", NULL, &w->tls_cert) != 0 ||
	    get_str(&c, file, "web.tls_key", NULL, &w->tls_key) != 0 ||
	    get_int(&c, file, "web.login_per_minute", 5, 1, 10000, &w->login_per_minute) != 0 ||
	    get_int(&c, file, "web.timeout_ms", 5000, 100, 600000, &w->timeout_ms) != 0 ||
	    get_bool(&c, file, "web.trust_proxy", &w->trust_proxy) != 0)
		goto cleanup;
	def_server = pw_keyfile_public_path(daemon_key);
	if (get_str(&c, file, "web.server_key", def_server, &w->server_key) != 0)
		goto cleanup;
	lvl = log_level_parse(level);
	if (lvl >= 0)
		log_set_level((enum log_level)lvl);
	if (strcmp(mode, "local") != 0 && strcmp(mode, "curve") != 0) {
		fprintf(stderr, "pathway-web: %s: daemon.security must be local or curve\n", file);
		goto cleanup;
	}
	w->curve = strcmp(mode, "curve") == 0;
	w->listen_port = listen_port(w->listen_addr);
	if (w->listen_port < 0) {
		fprintf(stderr,
			"pathway-web: %s: web.listen %s: must be HOST:PORT, e.g. "
			"127.0.0.1:8080\n",
			file, w->listen_addr);
		goto cleanup;
	}
	if (w->base_url != NULL) {
		size_t n = strlen(w->base_url);

		while (n > 0 && w->base_url[n - 1] == '/')
			w->base_url[--n] = '\0';
	}
	if ((w->tls_cert == NULL) != (w->tls_key == NULL)) {
		fprintf(stderr, "pathway-web: %s: web.tls_cert and web.tls_key go together\n",
			file);
		goto cleanup;
	}
	if (w->tls_cert != NULL &&
	    (pem_check(file, "web.tls_cert", w->tls_cert, "CERTIFICATE") != 0 ||
	     pem_check(file, "web.tls_key", w->tls_key, "PRIVATE KEY") != 0))
		goto cleanup;
	w->https = w->tls_cert != NULL ||
		   (w->base_url != NULL && strncmp(w->base_url, "https://", 8) == 0);
	if (w->curve && (pw_keyfile_read(w->key, pub, sec, &st) != 0 ||
			 pw_keyfile_read(w->viewer_key, pub, sec, &st) != 0 ||
			 pw_keyfile_read(w->server_key, pub, NULL, &st) != 0)) {
		fprintf(stderr, "pathway-web: %s: daemon.security is curve: %s\n", file, st.msg);
		goto cleanup;
	}
	rc = 0;
cleanup:
	sodium_memzero(sec, sizeof sec);
	config_destroy(&c);
	free(mode);
	free(level);
	free(daemon_key);
	free(def_server);
	return rc;
}

/* Room for many connections (each live dashboard holds one): the soft limit up to the hard. */
static void
files_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	const char *conf = "conf/pathway.conf", *dir = NULL;
	struct web_conf w;
	struct sigaction sa;
	int opt, check = 0, rc;

	memset(&w, 0, sizeof w);
	while ((opt = getopt_long(argc, argv, "c:C:th", longopts, NULL)) != -1) {
		if (opt == 'c') {
			conf = optarg;
		} else if (opt == 'C') {
			dir = optarg;
		} else if (opt == 't') {
			check = 1;
		} else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (dir != NULL && chdir(dir) != 0) {
		fprintf(stderr, "pathway-web: -C %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "pathway-web: libsodium would not start\n");
		return 1;
	}
	if (conf_load(conf, &w) != 0) {
		conf_clear(&w);
		return 1;
	}
	if (check) {
		printf("%s: pathway-web's settings are good (listen %s, %s mode%s)\n", conf,
		       w.listen_addr, w.curve ? "curve" : "local", w.tls_cert ? ", HTTPS" : "");
		conf_clear(&w);
		return 0;
	}
	files_raise();
	page_login_routes();
	page_home_routes();
	page_action_routes();
	page_dashboard_routes();
	page_outcomes_routes();
	page_booking_routes();
	page_ping_routes();
	sse_routes();
	rc = loop_run(&w, &stopping);
	conf_clear(&w);
	return rc;
}

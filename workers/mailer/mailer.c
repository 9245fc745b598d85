/*
 * pathway-mailer: a stateless notification worker. It connects a DEALER to
 * the daemon's workers socket, says how many jobs it can hold, and for each
 * job renders the template (the text re-wrapped to 78 columns, the
 * configured signature after it), composes the email, dated by the daemon's
 * clock, and sends it over SMTP, reporting done, retry (temporary failure)
 * or fail (permanent). It owns a queue of jobs received and not yet sent,
 * and one SMTP handle. With --rehearse DIR it joins only a rehearsing
 * daemon (the one serving DIR) and writes each message under DIR/mail
 * (spool.c) instead: it never opens a connection to a relay.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <libconfig.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "keys.h"
#include "message.h"
#include "proto.h"
#include "service.h"
#include "smtp.h"
#include "spool.h"
#include "template.h"
#include "util.h"

static volatile sig_atomic_t stopping;
static int refused; /* the daemon is not in our mode (rehearsal or live): exit 3 */

struct mailer_conf {
	char *endpoint;
	char *from;
	char *signature; /* after every email's text; "" for none */
	char *user, *password;
	char *ca_file;
	struct smtp_conf smtp;
	int credit;
	int heartbeat_ms;
	/* CURVE (daemon.security = "curve"): this mailer's key pair and the daemon's public key */
	int curve;
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85], server[PW_KEY_Z85];
	char *rehearse; /* --rehearse: the rehearsal's directory (absolute); NULL: live */
};

struct mailer {
	struct mailer_conf conf;
	char name[128];
	void *zctx, *sock;
	struct smtp *smtp;
	json_t *queue;	   /* jobs received, in order */
	double last_heard; /* from the daemon (monotonic seconds) */
	double last_sent;
	int daemon_timeout; /* seconds, from the daemon's welcome */
	int warned_lease;
	int joining; /* a ready sent, its welcome not yet received */
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(struct mailer *m, json_t *msg);

/* While a message is being sent: keep telling the daemon we are alive. */
static void
sending_tick(void *ud)
{
	struct mailer *m = ud;

	service_watchdog(); /* a slow send is no hang */
	if (mono() - m->last_sent >= m->conf.heartbeat_ms / 1000.0)
		say(m, json_pack("{s:s}", "type", "heartbeat"));
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static char *
conf_str(config_t *c, const char *path, const char *def)
{
	const char *v = NULL;

	if (config_lookup_string(c, path, &v) != CONFIG_TRUE)
		v = def;
	return v ? xstrdup(v) : NULL;
}

static int
conf_int(config_t *c, const char *path, int def)
{
	int v;

	return config_lookup_int(c, path, &v) == CONFIG_TRUE ? v : def;
}

/*
 * The SMTP AUTH password: the first line of mailer.password_file, or the
 * variable named by mailer.password_env. With mailer.user set, a password that
 * cannot be had is a start-up error (every send would fail to log in); it is
 * never printed.
 */
static int
password_load(config_t *c, const char *file, const char *user, char **out)
{
	char *path = conf_str(c, "mailer.password_file", NULL),
	     *env = conf_str(c, "mailer.password_env", NULL);
	char buf[1024] = "";
	FILE *f = NULL;
	int rc = -1;

	*out = NULL;
	if (path != NULL && env != NULL) {
		fprintf(stderr,
			"pathway-mailer: %s: mailer: set password_file or password_env, "
			"not both\n",
			file);
	} else if (env != NULL) {
		const char *v = getenv(env);

		if (v == NULL || *v == '\0')
			fprintf(stderr, "pathway-mailer: %s: mailer.password_env %s: not set\n",
				file, env);
		else
			*out = xstrdup(v), rc = 0;
	} else if (path != NULL) {
		f = fopen(path, "r");
		if (f == NULL || fgets(buf, sizeof buf, f) == NULL)
			fprintf(stderr,
				"pathway-mailer: %s: mailer.password_file %s: cannot read it%s%s\n",
				file, path, f == NULL || ferror(f) ? ": " : " (empty)",
				f == NULL || ferror(f) ? strerror(errno) : "");
		else
			buf[strcspn(buf, "\r\n")] = '\0', *out = xstrdup(buf), rc = 0;
		if (f != NULL)
			fclose(f);
		explicit_bzero(buf, sizeof buf);
	} else if (user != NULL) {
		fprintf(stderr,
			"pathway-mailer: %s: mailer.user is set: set mailer.password_file or "
			"mailer.password_env\n",
			file);
	} else {
		rc = 0; /* no AUTH */
	}
	free(path);
	free(env);
	return rc;
}

/*
 * mailer.ca_file: a PEM bundle of the CAs the relay's certificate may chain
 * to (an internal relay with an internal CA). Checked here, so a wrong path is
 * a clear start-up error rather than every job failing certificate checks.
 */
static int
ca_file_check(const char *file, const char *path)
{
	char line[256];
	int pem = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "pathway-mailer: %s: mailer.ca_file %s: cannot read it: %s\n", file,
			path, strerror(errno));
		return -1;
	}
	while (!pem && fgets(line, sizeof line, f) != NULL)
		pem = strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0;
	if (ferror(f)) {
		fprintf(stderr, "pathway-mailer: %s: mailer.ca_file %s: cannot read it: %s\n", file,
			path, strerror(errno));
		pem = -1;
	} else if (!pem) {
		fprintf(stderr,
			"pathway-mailer: %s: mailer.ca_file %s: no PEM certificate in it "
			"(-----BEGIN CERTIFICATE-----)\n",
			file, path);
	}
	fclose(f);
	return pem == 1 ? 0 : -1;
}

/*
 * In curve mode the mailer speaks with a mailer key (mailer.key, default
 * var/keys/mailer.key, made with `pathwayctl key add --service mailer`) to
 * the daemon's public key (mailer.server_key, default the .pub beside
 * daemon.curve_key). A key that cannot be read stops the start.
 */
static int
curve_load(const char *file, struct mailer_conf *m)
{
	config_t c;
	char *mode, *key, *server, *daemon_key;
	struct pw_status st = {0, ""};
	int rc = 0;

	config_init(&c);
	if (config_read_file(&c, file) != CONFIG_TRUE) {
		config_destroy(&c);
		return -1;
	}
	mode = conf_str(&c, "daemon.security", "local");
	m->curve = strcmp(mode, "curve") == 0;
	key = conf_str(&c, "mailer.key", "var/keys/mailer.key");
	daemon_key = conf_str(&c, "daemon.curve_key", "var/keys/pathwayd.key");
	server = conf_str(&c, "mailer.server_key", NULL);
	if (server == NULL)
		server = pw_keyfile_public_path(daemon_key);
	config_destroy(&c);
	if (m->curve && (pw_keyfile_read(key, m->pub, m->sec, &st) != 0 ||
			 pw_keyfile_read(server, m->server, NULL, &st) != 0)) {
		fprintf(stderr, "pathway-mailer: %s: daemon.security is curve: %s\n", file, st.msg);
		rc = -1;
	}
	free(mode);
	free(key);
	free(server);
	free(daemon_key);
	return rc;
}

/* The display name of a From header ("Team <a@b>" -> "Team"), or "" when it has none. */
static char *
signature_default(const char *from)
{
	const char *lt = strchr(from, '<');
	size_t n = lt ? (size_t)(lt - from) : 0;
	char *s;

	while (n > 0 && from[n - 1] == ' ')
		n--;
	if (n >= 2 && from[0] == '"' && from[n - 1] == '"')
		from++, n -= 2;
	s = xmalloc(n + 1);
	memcpy(s, from, n);
	s[n] = '\0';
	return s;
}

static int
conf_load(const char *file, struct mailer_conf *m)
{
	static const char *const tls[] = {"none", "optional", "required"};
	config_t c;
	char *starttls;
	int reuse = 1;

	config_init(&c);
	if (config_read_file(&c, file) != CONFIG_TRUE) {
		fprintf(stderr, "pathway-mailer: %s:%d: %s\n",
			config_error_file(&c) ? config_error_file(&c) : file, config_error_line(&c),
			config_error_text(&c));
		config_destroy(&c);
		return -1;
	}
	m->endpoint = conf_str(&c, "daemon.workers", "ipc://var/run/workers.sock");
	m->from = conf_str(&c, "mailer.from", "pathway@localhost.localdomain");
	m->signature = conf_str(&c, "mailer.signature", NULL);
	if (m->signature == NULL)
		m->signature = signature_default(m->from);
	m->smtp.url = conf_str(&c, "mailer.smtp_url", "smtp://127.0.0.1:25");
	m->user = conf_str(&c, "mailer.user", NULL);
	if (password_load(&c, file, m->user, &m->password) != 0) {
		config_destroy(&c);
		return -1;
	}
	m->smtp.user = m->user;
	m->smtp.password = m->password;
	m->ca_file = conf_str(&c, "mailer.ca_file", NULL);
	m->smtp.ca_file = m->ca_file;
	m->smtp.timeout_ms = conf_int(&c, "mailer.timeout_ms", 10000);
	m->credit = conf_int(&c, "mailer.credit", 16);
	m->heartbeat_ms = conf_int(&c, "mailer.heartbeat_ms", 1000);
	config_lookup_bool(&c, "mailer.reuse_connection", &reuse);
	m->smtp.reuse = reuse;
	starttls = conf_str(&c, "mailer.starttls", "optional");
	m->smtp.starttls = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(starttls, tls[i]) == 0)
			m->smtp.starttls = i;
	free(starttls);
	config_destroy(&c);
	if (m->smtp.starttls < 0 || m->credit < 1 || m->heartbeat_ms < 10) {
		fprintf(stderr,
			"pathway-mailer: %s: mailer: starttls must be none, optional or "
			"required; credit >= 1; heartbeat_ms >= 10\n",
			file);
		return -1;
	}
	if (m->ca_file != NULL && ca_file_check(file, m->ca_file) != 0)
		return -1;
	if (curve_load(file, m) != 0)
		return -1;
	if (m->user != NULL && m->smtp.starttls != 2 &&
	    strncasecmp(m->smtp.url, "smtps://", 8) != 0) {
		fprintf(stderr,
			"pathway-mailer: %s: mailer.user is set: the password would cross the "
			"network in clear unless the connection is encrypted (starttls = "
			"\"required\", or an smtps:// smtp_url)\n",
			file);
		return -1;
	}
	if (strchr(m->smtp.url, '@') != NULL) {
		fprintf(stderr,
			"pathway-mailer: %s: mailer.smtp_url: put no user or password in it "
			"(mailer.user, mailer.password_file)\n",
			file);
		return -1;
	}
	return 0;
}

static void
conf_clear(struct mailer_conf *m)
{
	free(m->endpoint);
	free(m->from);
	free(m->signature);
	free((char *)m->smtp.url);
	free(m->user);
	if (m->password != NULL)
		explicit_bzero(m->password, strlen(m->password));
	free(m->password);
	free(m->ca_file);
	free(m->rehearse);
	explicit_bzero(m->sec, sizeof m->sec);
}

/* --rehearse DIR: the rehearsal's workers socket, plainly (a rehearsal runs in local mode). */
static int
rehearse_setup(struct mailer_conf *m, const char *dir)
{
	if (dir == NULL)
		return 0;
	m->rehearse = realpath(dir, NULL);
	if (m->rehearse == NULL) {
		fprintf(stderr, "pathway-mailer: --rehearse %s: %s\n", dir, strerror(errno));
		return -1;
	}
	free(m->endpoint);
	m->endpoint = xasprintf("ipc://%s/run/workers.sock", m->rehearse);
	m->curve = 0;
	return 0;
}

static void
say(struct mailer *m, json_t *msg)
{
	char *s = proto_encode(msg);

	zmq_send(m->sock, s, strlen(s), 0);
	m->last_sent = mono();
	free(s);
	json_decref(msg);
}

/* Join: how many jobs we hold, and, rehearsing, that the mail stays here. */
static void
say_ready(struct mailer *m)
{
	json_t *msg = json_pack("{s:s, s:s, s:i, s:i}", "type", "ready", "name", m->name, "credit",
				m->conf.credit, "protocol", PW_PROTOCOL_VERSION);

	if (m->conf.rehearse != NULL)
		json_object_set_new(msg, "rehearsal", json_true());
	m->joining = 1;
	say(m, msg);
}

static void
connect_daemon(struct mailer *m)
{
	int linger = 2000;

	if (m->sock != NULL)
		zmq_close(m->sock);
	json_array_clear(m->queue); /* the daemon re-offers what we held */
	m->sock = zmq_socket(m->zctx, ZMQ_DEALER);
	zmq_setsockopt(m->sock, ZMQ_LINGER, &linger, sizeof linger);
	if (m->conf.curve) {
		zmq_setsockopt(m->sock, ZMQ_CURVE_SERVERKEY, m->conf.server, PW_KEY_Z85);
		zmq_setsockopt(m->sock, ZMQ_CURVE_PUBLICKEY, m->conf.pub, PW_KEY_Z85);
		zmq_setsockopt(m->sock, ZMQ_CURVE_SECRETKEY, m->conf.sec, PW_KEY_Z85);
	}
	zmq_connect(m->sock, m->conf.endpoint);
	say_ready(m);
	m->last_heard = mono();
}

/*
 * The text part: the template rendered and re-wrapped to 78 columns, then
 * the signature as configured, line for line, after a blank line.
 */
static char *
text_part(const struct mailer *m, const char *tmpl, const json_t *vars)
{
	char *raw = tmpl_render(tmpl, vars, 0), *text = tmpl_wrap(raw, 78);
	struct pw_buf b = {NULL, 0, 0};
	size_t n = strlen(text);

	while (n > 0 && text[n - 1] == '\n')
		n--;
	pw_buf_add(&b, text, n);
	if (m->conf.signature[0] != '\0')
		pw_buf_addf(&b, "%s%s", n > 0 ? "\n\n" : "", m->conf.signature);
	pw_buf_adds(&b, "\n");
	free(raw);
	free(text);
	return b.p;
}

/* The HTML part: the template rendered, then the signature as its own paragraph. */
static char *
html_part(const struct mailer *m, const char *tmpl, const json_t *vars)
{
	char *html = tmpl_render(tmpl, vars, 1), *sig;
	json_t *v;
	struct pw_buf b = {NULL, 0, 0};

	pw_buf_adds(&b, html);
	if (m->conf.signature[0] != '\0') {
		v = json_pack("{s:s}", "s", m->conf.signature);
		sig = tmpl_render("{{s}}", v, 1); /* escaped like every value */
		pw_buf_adds(&b, "<p>");
		for (const char *s = sig; *s != '\0'; s++)
			if (*s == '\n')
				pw_buf_adds(&b, "<br>");
			else
				pw_buf_add(&b, s, 1);
		pw_buf_adds(&b, "</p>\n");
		free(sig);
		json_decref(v);
	}
	free(html);
	return b.p;
}

/* The Date: the daemon's clock when it offered the job (a manual one too), else ours. */
static int64_t
job_date(const json_t *job)
{
	int64_t t;

	if (str(job, "date") != NULL && pw_time_parse(str(job, "date"), &t) == 0)
		return t;
	return pw_clock_now();
}

/* Render, compose and send one job; report the outcome to the daemon. */
static void
job_run(struct mailer *m, const json_t *job)
{
	const json_t *t = json_object_get(job, "template"), *vars = json_object_get(job, "vars");
	const json_t *to = json_object_get(job, "to");
	char *subject = tmpl_render(str(t, "subject"), vars, 0);
	char *text = text_part(m, str(t, "text"), vars);
	char *html = str(t, "html") ? html_part(m, str(t, "html"), vars) : NULL;
	const json_t *atts = json_object_get(job, "attachments");
	struct attachment att[8];
	struct message msg = {m->conf.from, str(to, "name"), str(to, "email"), subject, text,
			      html,	    str(job, "id"),  job_date(job),    att,	0};
	const char *why = NULL, *type = "done";
	char from[320], detail[512];
	char *raw;

	for (size_t i = 0; i < json_array_size(atts) && msg.natt < 8; i++) {
		const json_t *a = json_array_get(atts, i);

		if (str(a, "filename") && str(a, "type") && str(a, "content")) {
			att[msg.natt].filename = str(a, "filename");
			att[msg.natt].type = str(a, "type");
			att[msg.natt++].content = str(a, "content");
		}
	}
	raw = message_compose(&msg, &why);

	if (raw == NULL) {
		type = "fail";
		snprintf(detail, sizeof detail, "%s", why);
	} else if (m->conf.rehearse != NULL) {
		int rc = spool_write(m->conf.rehearse, str(job, "id"), str(to, "email"), raw,
				     detail, sizeof detail);

		type = rc == 0 ? "done" : rc == SPOOL_BAD_JOB ? "fail" : "retry";
	} else {
		enum smtp_outcome o =
		    smtp_send(m->smtp, message_addr(m->conf.from, from, sizeof from),
			      str(to, "email"), raw, detail, sizeof detail);

		type = o == SMTP_OK ? "done" : o == SMTP_TEMPORARY ? "retry" : "fail";
	}
	log_info("job %s to %s: %s (%s)", str(job, "id"), str(to, "email"), type, detail);
	if (strcmp(type, "done") == 0)
		say(m, json_pack("{s:s, s:s}", "type", type, "job", str(job, "id")));
	else
		say(m, json_pack("{s:s, s:s, s:s}", "type", type, "job", str(job, "id"), "error",
				 detail));
	free(raw);
	free(subject);
	free(text);
	free(html);
}

/*
 * The daemon's welcome names its rehearsal's directory, if it rehearses:
 * ours, or we leave (its jobs go back at once with our bye).
 */
static void
welcome_check(struct mailer *m, const char *rehearsal)
{
	const char *ours = m->conf.rehearse;

	if (ours == NULL && rehearsal == NULL)
		return;
	if (ours != NULL && rehearsal != NULL && strcmp(ours, rehearsal) == 0)
		return;
	log_error("%s", ours == NULL ? "the daemon is rehearsing: a live mailer sends none of a "
				       "rehearsal's mail (pathway-mailer --rehearse DIR)"
			: rehearsal == NULL ? "the daemon is not rehearsing: a rehearsal's mailer "
					      "takes no live jobs"
					    : "the daemon rehearses another directory");
	json_array_clear(m->queue);
	refused = stopping = 1;
}

/*
 * Between our ready and its welcome comes what the daemon sent before it
 * read the ready. A job in it is offered again after the welcome: kept, it
 * would be sent twice. An error answers a message sent before the ready:
 * joining again for it would start another round, and each round gives
 * back and offers again every job we were given. So only the welcome, or
 * the ready's refusal, is heard then; silence until it comes ends in a new
 * socket (serve).
 */
static int
before_welcome(const struct mailer *m, const char *type, const json_t *msg)
{
	if (!m->joining || type == NULL || streq(type, "welcome"))
		return 0;
	return !(streq(type, "error") && json_object_get(msg, "job") == NULL &&
		 streq(str(msg, "code"), "invalid_request"));
}

/* Act on one message from the daemon. */
static void
daemon_message(struct mailer *m, const char *buf, size_t len)
{
	json_t *msg = json_loadb(buf, len, 0, NULL);
	const char *type = str(msg, "type");

	if (before_welcome(m, type, msg)) {
		if (streq(type, "job"))
			log_info("job %s: offered before the daemon read our ready; it comes again",
				 str(json_object_get(msg, "job"), "id"));
		json_decref(msg);
		return;
	}
	m->last_heard = mono();
	if (type == NULL) {
		log_warn("unreadable message from the daemon");
	} else if (strcmp(type, "job") == 0 && json_is_object(json_object_get(msg, "job"))) {
		json_t *job = json_object_get(msg, "job");
		json_int_t lease = json_integer_value(json_object_get(job, "lease"));

		/* When the lease runs out, by our clock (no lease given: never). */
		json_object_set_new(job, "_expires",
				    json_real(lease > 0 ? m->last_heard + (double)lease : 1e300));
		json_array_append(m->queue, job);
	} else if (strcmp(type, "welcome") == 0) {
		m->daemon_timeout = (int)json_integer_value(json_object_get(msg, "heartbeat"));
		m->joining = 0;
		welcome_check(m, str(msg, "rehearsal"));
	} else if (strcmp(type, "error") == 0) {
		log_warn("daemon: %s: %s", str(msg, "code"), str(msg, "message"));
		if (json_object_get(msg, "job") == NULL && str(msg, "code") != NULL &&
		    strcmp(str(msg, "code"), "invalid_transition") == 0) {
			/* The daemon does not know us (it restarted): join again. It offers
			 * every unfinished job again, so drop the ones we were given. */
			json_array_clear(m->queue);
			say_ready(m);
		} else if (m->joining && json_object_get(msg, "job") == NULL &&
			   str(msg, "code") != NULL &&
			   strcmp(str(msg, "code"), "invalid_request") == 0) {
			/* Our ready refused (the answer to it, before any welcome): a
			 * rehearsal and a live daemon do not mix. */
			log_error("the daemon refused us: %s", str(msg, "message"));
			refused = stopping = 1;
		}
	}
	json_decref(msg);
}

/* Read everything the daemon has sent, waiting at most timeout_ms for the first. */
static void
drain(struct mailer *m, long timeout_ms)
{
	zmq_pollitem_t it = {m->sock, 0, ZMQ_POLLIN, 0};

	while (zmq_poll(&it, 1, timeout_ms) > 0 && (it.revents & ZMQ_POLLIN)) {
		zmq_msg_t f;

		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, m->sock, ZMQ_DONTWAIT) >= 0)
			daemon_message(m, zmq_msg_data(&f), zmq_msg_size(&f));
		zmq_msg_close(&f);
		timeout_ms = 0;
	}
}

static void
usage(FILE *f)
{
	fprintf(
	    f, "usage: pathway-mailer [-c CONF] [-n NAME] [--rehearse DIR]\n"
	       "\n"
	       "Send Pathway notification jobs as email over SMTP (libcurl).\n"
	       "\n"
	       "  -c CONF  configuration (default conf/pathway.conf): daemon.workers, mailer.*\n"
	       "  -n NAME  worker name in the daemon's logs (default mailer@HOST:PID)\n"
	       "  --rehearse DIR  serve pathwayd --rehearse DIR (its socket DIR/run/workers.sock)\n"
	       "           and write each message to DIR/mail/JOB.eml: no relay is ever used\n"
	       "\n"
	       "SIGTERM: finish the message being sent, report it, give back the rest, exit.\n"
	       "Exit status: 0 stopped, 1 bad configuration, 2 bad usage, 3 the daemon is not\n"
	       "in our mode (rehearsing when we are not, or the other way round).\n");
}

static void
serve(struct mailer *m)
{
	double hb = m->conf.heartbeat_ms / 1000.0;

	while (!stopping) {
		service_watchdog();
		drain(m, json_array_size(m->queue) > 0 ? 0 : m->conf.heartbeat_ms);
		if (json_array_size(m->queue) > 0 && !stopping) {
			json_t *job = json_incref(json_array_get(m->queue, 0));
			double expires = json_real_value(json_object_get(job, "_expires"));
			double margin = 2 * m->conf.smtp.timeout_ms / 1000.0;
			json_int_t lease = json_integer_value(json_object_get(job, "lease"));
			int hopeless = lease > 0 && lease <= margin;

			json_array_remove(m->queue, 0);
			if (hopeless && !m->warned_lease) {
				log_warn("outbox.lease (%lld s) is not more than twice "
					 "mailer.timeout_ms: "
					 "a slow send may outlast its lease",
					 (long long)lease);
				m->warned_lease = 1;
			}
			/*
			 * A send takes at most timeout_ms. One that could outlast
			 * the lease, with as much again to spare for the report,
			 * goes back to the daemon unsent, which offers it again
			 * with a new lease: sending it now could deliver it twice,
			 * once here and once by whoever gets it next. Unless no
			 * lease is long enough: giving back would go on for ever.
			 */
			if (mono() + margin < expires || hopeless) {
				job_run(m, job);
			} else {
				log_info("job %s: released, its lease would run out mid-send",
					 str(job, "id"));
				say(m, json_pack("{s:s, s:s}", "type", "release", "job",
						 str(job, "id")));
			}
			json_decref(job);
			drain(m, 0); /* what came while sending, heartbeats included */
		}
		if (mono() - m->last_sent >= hb)
			say(m, json_pack("{s:s}", "type", "heartbeat"));
		if (mono() - m->last_heard >
		    3 * hb + (m->daemon_timeout > 0 ? m->daemon_timeout : 5)) {
			log_warn("the daemon is silent; connecting again");
			connect_daemon(m);
		}
	}
}

/* Give back the jobs not started, say goodbye, and let the messages go out. */
static void
leave(struct mailer *m)
{
	size_t i;
	json_t *job;

	drain(m, 0);
	json_array_foreach(m->queue, i, job)
	{
		say(m, json_pack("{s:s, s:s}", "type", "release", "job", str(job, "id")));
	}
	say(m, json_pack("{s:s}", "type", "bye"));
}

int
main(int argc, char **argv)
{
	struct mailer m;
	const char *conf = "conf/pathway.conf", *name = NULL, *rehearse = NULL;
	char host[64] = "host";
	struct sigaction sa;
	int opt;
	static const struct option longopts[] = {{"rehearse", required_argument, NULL, 'R'},
						 {"help", no_argument, NULL, 'h'},
						 {0, 0, 0, 0}};

	memset(&m, 0, sizeof m);
	while ((opt = getopt_long(argc, argv, "c:n:h", longopts, NULL)) != -1) {
		if (opt == 'c') {
			conf = optarg;
		} else if (opt == 'n') {
			name = optarg;
		} else if (opt == 'R') {
			rehearse = optarg;
		} else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	/* First of all, so a SIGTERM during start-up is a clean stop too. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (conf_load(conf, &m.conf) != 0 || rehearse_setup(&m.conf, rehearse) != 0) {
		conf_clear(&m.conf);
		return 1;
	}
	gethostname(host, sizeof host - 1);
	snprintf(m.name, sizeof m.name, "%s", name ? name : "");
	if (name == NULL)
		snprintf(m.name, sizeof m.name, "mailer@%s:%d", host, (int)getpid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m.conf.smtp.tick = sending_tick;
	m.conf.smtp.tick_ud = &m;
	if (m.conf.rehearse == NULL)
		m.smtp = smtp_new(&m.conf.smtp);
	m.queue = json_array();
	m.zctx = zmq_ctx_new();
	connect_daemon(&m);
	if (m.conf.rehearse != NULL)
		log_info("%s: rehearsing for %s: mail into %s/mail, none sent", m.name,
			 m.conf.endpoint, m.conf.rehearse);
	else
		log_info("%s: sending for %s through %s", m.name, m.conf.endpoint, m.conf.smtp.url);
	service_ready("sending");
	serve(&m);
	service_stopping();
	leave(&m);
	zmq_close(m.sock);
	zmq_ctx_term(m.zctx);
	json_decref(m.queue);
	smtp_free(&m.smtp);
	curl_global_cleanup();
	conf_clear(&m.conf);
	log_info("stopped");
	return refused ? 3 : 0;
}

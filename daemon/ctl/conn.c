/*
 * conn.c: the connection to pathwayd. The settings come from flags, the
 * environment and the configuration file; requests go over one DEALER
 * socket with a receive timeout, each with a unique id (the run's tag and a
 * counter), resent with the same id while waiting so a resend is never
 * applied twice.
 */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libconfig.h>
#include <zmq.h>

#include "keys.h"
#include "confpath.h"
#include "output.h"
#include "probe.h"
#include "proto.h"
#include "util.h"
#include "value.h"

int64_t
conn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * CURVE: the key file (PATHWAY_KEY, ctl.key) and the daemon's public key
 * file (PATHWAY_SERVER_KEY, ctl.server_key). With daemon.security = "curve"
 * in the configuration, they default to the operator's key and the daemon's
 * public half that pathwayd made, so the operator on the daemon's host needs
 * no setting at all.
 */
static void
conn_curve_settings(struct ctl *c, config_t *cfg)
{
	const char *key = getenv("PATHWAY_KEY"), *server = getenv("PATHWAY_SERVER_KEY"), *s;
	const char *opkey = "var/keys/operator.key";
	int curve = config_lookup_string(cfg, "daemon.security", &s) == CONFIG_TRUE &&
		    strcmp(s, "curve") == 0;

	config_lookup_string(cfg, "daemon.operator_key", &opkey);
	if ((key == NULL || !*key) && config_lookup_string(cfg, "ctl.key", &key) != CONFIG_TRUE)
		key = curve ? opkey : NULL;
	if (key == NULL || !*key)
		return;
	c->key_file = xstrdup(key);
	c->own_key = strcmp(key, opkey) != 0;
	if ((server == NULL || !*server) &&
	    config_lookup_string(cfg, "ctl.server_key", &server) != CONFIG_TRUE) {
		if (config_lookup_string(cfg, "daemon.curve_key", &s) != CONFIG_TRUE)
			s = "var/keys/pathwayd.key";
		c->server_key_file = pw_keyfile_public_path(s);
	} else {
		c->server_key_file = xstrdup(server);
	}
}

int
conn_curve(const struct ctl *c, void *sock)
{
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85], server[PW_KEY_Z85];
	struct pw_status st = {0, ""};

	if (c->key_file == NULL)
		return 0;
	if (pw_keyfile_read(c->key_file, pub, sec, &st) != 0 ||
	    pw_keyfile_read(c->server_key_file, server, NULL, &st) != 0) {
		fprintf(stderr, "pathwayctl: %s\n", st.msg);
		return CTL_EXIT_USAGE;
	}
	zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server, PW_KEY_Z85);
	zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, PW_KEY_Z85);
	zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, PW_KEY_Z85);
	memset(sec, 0, sizeof sec);
	return 0;
}

/*
 * Resolve the endpoint, events endpoint, actor and timeout: flags, then the
 * environment, then the configuration file (-c, PATHWAY_CONF, else the
 * first of confpath_find's that exists). --rehearse DIR names the
 * rehearsal's sockets, DIR/run/api.sock and events.sock, unless -e or
 * --events name others. Returns 0 or the usage status.
 */
int
conn_settings(struct ctl *c)
{
	const char *conf = c->conf_flag, *s;
	int explicit = conf != NULL, ival;
	char *api = NULL, *events = NULL;
	config_t cfg;

	if (conf == NULL) {
		conf = getenv("PATHWAY_CONF");
		explicit = conf != NULL && *conf;
	}
	if (!explicit) {
		c->conf = confpath_find();
		conf = c->conf;
	} else {
		c->conf = xstrdup(conf);
	}
	if (c->rehearse_flag != NULL) {
		api = xasprintf("ipc://%s/run/api.sock", c->rehearse_flag);
		events = xasprintf("ipc://%s/run/events.sock", c->rehearse_flag);
	}
	config_init(&cfg);
	if (conf != NULL) {
		if (config_read_file(&cfg, conf) != CONFIG_TRUE) {
			if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
				fprintf(stderr, "pathwayctl: %s: %s\n", conf, strerror(errno));
			else
				fprintf(stderr, "pathwayctl: %s:%d: %s\n",
					config_error_file(&cfg) ? config_error_file(&cfg) : conf,
					config_error_line(&cfg), config_error_text(&cfg));
			config_destroy(&cfg);
			free(api);
			free(events);
			return CTL_EXIT_USAGE;
		}
	}
	s = c->api_flag ? c->api_flag : api ? api : getenv("PATHWAY_API");
	if ((s == NULL || !*s) && config_lookup_string(&cfg, "daemon.api", &s) != CONFIG_TRUE)
		s = CTL_DEFAULT_API;
	c->api = xstrdup(s);
	s = c->events_flag ? c->events_flag : events ? events : getenv("PATHWAY_EVENTS");
	if ((s == NULL || !*s) && config_lookup_string(&cfg, "daemon.events", &s) != CONFIG_TRUE)
		s = CTL_DEFAULT_EVENTS;
	c->events = xstrdup(s);
	if (c->rehearse_flag == NULL) /* a rehearsal runs in local mode */
		conn_curve_settings(c, &cfg);
	s = c->actor_flag ? c->actor_flag : getenv("PATHWAY_ACTOR");
	if ((s == NULL || !*s) && config_lookup_string(&cfg, "ctl.actor", &s) != CONFIG_TRUE)
		s = c->own_key ? NULL : CTL_DEFAULT_ACTOR; /* a person's key implies its person */
	c->actor = s ? xstrdup(s) : NULL;
	s = c->token_flag ? c->token_flag : getenv("PATHWAY_TOKEN");
	c->token = s != NULL && *s ? xstrdup(s) : NULL;
	c->timeout_ms = c->timeout_flag;
	if (c->timeout_ms < 0) {
		if (config_lookup_int(&cfg, "ctl.timeout_ms", &ival) == CONFIG_TRUE && ival > 0)
			c->timeout_ms = ival;
		else
			c->timeout_ms = CTL_DEFAULT_TIMEOUT;
	}
	config_destroy(&cfg);
	free(api);
	free(events);
	return 0;
}

/*
 * Connect the api socket once and wait for its handshake (probe.c): 0, the
 * usage status for an endpoint ZeroMQ rejects, or why no daemon answers.
 */
int
conn_open(struct ctl *c)
{
	int linger = 0, hwm = 0;
	struct probe *p;

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
	if (conn_curve(c, c->sock) != 0)
		return CTL_EXIT_USAGE;
	/* No socket file: no daemon there. Say so now, not after the timeout. */
	if (strncmp(c->api, "ipc://", 6) == 0 && c->api[6] != '@' &&
	    access(c->api + 6, F_OK) != 0) {
		fprintf(stderr,
			"pathwayctl: no daemon at %s: the socket does not exist (is pathwayd "
			"running, and is this its configuration? -c FILE or PATHWAY_CONF) "
			"(configuration: %s)\n",
			c->api, c->conf ? c->conf : "none found");
		return CTL_EXIT_NOANSWER;
	}
	p = probe_start(c->zctx, c->sock);
	if (zmq_connect(c->sock, c->api) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", c->api, zmq_strerror(errno));
		probe_free(p);
		return CTL_EXIT_USAGE;
	}
	/* Curve mode: the daemon's loop answers ZAP between commands, so a daemon busy
	 * with one long command is told silent too, within a second (probe.c). */
	return probe_wait(p, c->api, c->conf, c->timeout_ms < PROBE_MS ? c->timeout_ms : PROBE_MS,
			  c->key_file != NULL);
}

void
conn_close(struct ctl *c)
{
	if (c->sock != NULL)
		zmq_close(c->sock);
	c->sock = NULL;
	if (c->zctx != NULL)
		zmq_ctx_term(c->zctx);
	c->zctx = NULL;
}

static int
conn_send(struct ctl *c, const char *body)
{
	if (zmq_send(c->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -1;
	return zmq_send(c->sock, body, strlen(body), ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

/* Receive one message and return its last frame as JSON (NULL if not JSON). */
json_t *
conn_recv(void *sock)
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

int
conn_request(struct ctl *c, const char *cmd, json_t *args, json_t **reply)
{
	int resend = strcmp(cmd, "system.backup") != 0;
	int64_t start = conn_now_ms(), deadline = start + c->timeout_ms, next_send = start;
	int64_t every = c->timeout_ms / 3 > 1000 ? c->timeout_ms / 3 : 1000;
	json_t *id, *req;
	char *body, *sid;
	int rc = CTL_EXIT_SILENT, sent = 0;

	*reply = NULL;
	rc = conn_open(c);
	if (rc != 0)
		return rc;
	rc = CTL_EXIT_SILENT;
	sid = xasprintf("ctl-%lld-%lu", c->tag, ++c->nreq);
	id = json_string(sid);
	/* With a token the token names who acts, unless -a says it too. */
	req = proto_request_new(id, cmd,
				c->token != NULL && c->actor_flag == NULL ? NULL : c->actor, args);
	if (req == NULL)
		fatal("cannot build a request for %s", cmd);
	if (c->token != NULL)
		json_object_set_new(req, "token", json_string(c->token));
	body = proto_encode(req);
	for (;;) {
		int64_t now = conn_now_ms(), wait;
		zmq_pollitem_t item = {c->sock, 0, ZMQ_POLLIN, 0};
		json_t *r;

		if (now >= deadline)
			break;
		if (now >= next_send && (resend || !sent)) {
			if (conn_send(c, body) == 0)
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
		r = conn_recv(c->sock);
		if (r != NULL && json_equal(json_object_get(r, "id"), id)) {
			*reply = r;
			rc = 0;
			break;
		}
		json_decref(r); /* an answer to an earlier request of ours, or to a resend */
	}
	if (rc != 0)
		fprintf(stderr,
			"pathwayctl: no answer from %s within %ld ms: the daemon took the "
			"connection but is silent (busy with a long command, or hung?) "
			"(configuration: %s)\n",
			c->api, c->timeout_ms, c->conf ? c->conf : "none found");
	free(body);
	free(sid);
	json_decref(id);
	json_decref(req);
	return rc;
}

/* Print a refusal as "pathwayctl: <code>: <where: ><message>". */
void
conn_refused(const json_t *reply, const char *where)
{
	const json_t *err = json_object_get(reply, "error");

	fprintf(stderr, "pathwayctl: %s: %s%s%s\n",
		*value_str(err, "code") ? value_str(err, "code") : "internal_error",
		where ? where : "", where ? ": " : "", value_str(err, "message"));
}

int
conn_call(struct ctl *c, const char *cmd, json_t *args, json_t **data)
{
	json_t *reply;
	int rc = conn_request(c, cmd, args, &reply);

	*data = NULL;
	if (rc != 0)
		return rc;
	if (!json_is_true(json_object_get(reply, "ok"))) {
		conn_refused(reply, NULL);
		json_decref(reply);
		return CTL_EXIT_REFUSED;
	}
	*data = json_incref(json_object_get(reply, "data"));
	if (*data == NULL)
		*data = json_object();
	json_decref(reply);
	return 0;
}

/* The default runner: one request, show its data. */
int
conn_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	json_t *data;
	int rc = conn_call(c, e->cmd, args, &data);

	if (rc == 0)
		output_reply(c, e, data);
	json_decref(data);
	return rc;
}

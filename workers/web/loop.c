/*
 * loop.c: pathway-web's one thread. libmicrohttpd runs with no thread of
 * its own (MHD_USE_EPOLL, external polling): its epoll descriptor is one
 * item of the same zmq_poll as the api DEALER (api.c) and the events SUB.
 * A turn: wait until one of them is ready, or until the earliest of MHD's
 * timeout, the api's next deadline and the next keepalive; read the api's
 * replies (their callbacks reply to pages, resuming connections) and the
 * events (into sse.c); fail requests past their deadline; then MHD_run,
 * which accepts, reads, calls the pages, and writes. It owns the MHD daemon,
 * the ZeroMQ context and the events socket.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zmq.h>

#include "core.h"
#include "keys.h"
#include "proto.h"
#include "service.h"

#define TURN_MAX_MS 1000 /* a stop is noticed within this */

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof buf, fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_warn("http: %s", buf);
}

/* A whole (PEM) file as a string, or NULL with err. */
static char *
file_read(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct pw_buf b = {NULL, 0, 0};
	char chunk[4096];
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		pw_buf_add(&b, chunk, n);
	fclose(f);
	if (b.p == NULL)
		pw_buf_adds(&b, "");
	return b.p;
}

/* web.listen "HOST:PORT" ("[::1]:8080" for IPv6) as a socket address. */
static int
listen_addr(const struct web_conf *conf, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char host[256], port[16];
	const char *a = conf->listen_addr, *colon = strrchr(a, ':');
	size_t hl;
	int rc;

	if (colon == NULL)
		goto bad;
	hl = (size_t)(colon - a);
	if (hl >= 2 && a[0] == '[' && a[hl - 1] == ']')
		a++, hl -= 2;
	if (hl == 0 || hl >= sizeof host)
		goto bad;
	memcpy(host, a, hl);
	host[hl] = '\0';
	snprintf(port, sizeof port, "%d", conf->listen_port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "web.listen %s: %s", conf->listen_addr, gai_strerror(rc));
		return -1;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errlen, "web.listen %s: not HOST:PORT", conf->listen_addr);
	return -1;
}

static struct MHD_Daemon *
mhd_start(const struct web_conf *conf, char **cert, char **key, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct MHD_OptionItem opts[12];
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	int n = 0;
	struct MHD_Daemon *d;

	if (listen_addr(conf, &ss, err, errlen) != 0)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
	if (conf->tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "web.tls_cert: this libmicrohttpd has no TLS");
			return NULL;
		}
		*cert = file_read(conf->tls_cert, err, errlen);
		*key = *cert != NULL ? file_read(conf->tls_key, err, errlen) : NULL;
		if (*key == NULL)
			return NULL;
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, *cert};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, *key};
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
	opts[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_completed, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 20000, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	d = MHD_start_daemon(flags, (uint16_t)conf->listen_port, NULL, NULL, http_access, NULL,
			     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (d == NULL)
		snprintf(err, errlen,
			 "web.listen %s: cannot listen there (in use, or no such "
			 "address)",
			 conf->listen_addr);
	return d;
}

/* The SUB on daemon.events: every topic; the viewer key in curve mode. */
static void *
events_open(void *zctx, const struct web_conf *conf, char *err, size_t errlen)
{
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85], server[PW_KEY_Z85];
	struct pw_status st = {0, ""};
	void *s = zmq_socket(zctx, ZMQ_SUB);
	int linger = 0, hwm = 100000;

	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (conf->curve) {
		if (pw_keyfile_read(conf->viewer_key, pub, sec, &st) != 0 ||
		    pw_keyfile_read(conf->server_key, server, NULL, &st) != 0) {
			snprintf(err, errlen, "%s", st.msg);
			zmq_close(s);
			return NULL;
		}
		zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, PW_KEY_Z85);
		zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, PW_KEY_Z85);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, PW_KEY_Z85);
		explicit_bzero(sec, sizeof sec);
	}
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	if (zmq_connect(s, conf->events) != 0) {
		snprintf(err, errlen, "daemon.events %s: %s", conf->events, zmq_strerror(errno));
		zmq_close(s);
		return NULL;
	}
	return s;
}

/* Every event waiting: [topic, body] each. */
static void
events_read(void *sub)
{
	zmq_msg_t f;
	int more;
	size_t sz = sizeof more;
	json_t *ev;

	for (;;) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sub, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f);
			return;
		}
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
		while (more) { /* the body is the last frame */
			zmq_msg_close(&f);
			zmq_msg_init(&f);
			if (zmq_msg_recv(&f, sub, 0) < 0)
				break;
			zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
		}
		ev = json_loadb(zmq_msg_data(&f), zmq_msg_size(&f), 0, NULL);
		zmq_msg_close(&f);
		if (json_is_object(ev))
			sse_event(ev);
		else
			log_warn("events: an unreadable event ignored");
		json_decref(ev);
	}
}

/* The poll's timeout: the earliest of MHD's, the api's and the keepalive's, at most a second. */
static long
turn_timeout(struct MHD_Daemon *d, int64_t now)
{
	MHD_UNSIGNED_LONG_LONG mt;
	long t = TURN_MAX_MS, a = api_timeout_ms(now), s = sse_timeout_ms(now);

	if (MHD_get_timeout(d, &mt) == MHD_YES && mt < (MHD_UNSIGNED_LONG_LONG)t)
		t = (long)mt;
	if (a >= 0 && a < t)
		t = a;
	if (s >= 0 && s < t)
		t = s;
	return t;
}

int
loop_run(const struct web_conf *conf, volatile sig_atomic_t *stop)
{
	void *zctx = zmq_ctx_new(), *sub = NULL;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	char err[512] = "", *cert = NULL, *key = NULL;
	int rc = 1, api_up = 0;
	zmq_pollitem_t items[3];

	http_init(conf);
	if (api_open(zctx, conf, err, sizeof err) != 0)
		goto cleanup;
	api_up = 1;
	sub = events_open(zctx, conf, err, sizeof err);
	if (sub == NULL)
		goto cleanup;
	d = mhd_start(conf, &cert, &key, err, sizeof err);
	if (d == NULL)
		goto cleanup;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, sizeof err, "libmicrohttpd gave no epoll descriptor");
		goto cleanup;
	}
	items[0] = (zmq_pollitem_t){api_socket(), 0, ZMQ_POLLIN, 0};
	items[1] = (zmq_pollitem_t){sub, 0, ZMQ_POLLIN, 0};
	items[2] = (zmq_pollitem_t){NULL, info->epoll_fd, ZMQ_POLLIN, 0};
	log_info("pathway-web: serving %s://%s for pathwayd at %s",
		 conf->tls_cert ? "https" : "http", conf->listen_addr, conf->api);
	service_ready("serving");
	while (!*stop) {
		int n;

		service_watchdog();
		n = zmq_poll(items, 3, turn_timeout(d, web_now_ms()));

		if (n < 0 && errno != EINTR) {
			snprintf(err, sizeof err, "poll: %s", zmq_strerror(errno));
			goto cleanup;
		}
		if (n > 0 && (items[0].revents & ZMQ_POLLIN))
			api_read();
		if (n > 0 && (items[1].revents & ZMQ_POLLIN))
			events_read(sub);
		api_expire(web_now_ms());
		sse_tick(web_now_ms());
		MHD_run(d);
	}
	rc = 0;
cleanup:
	service_stopping();
	if (rc != 0)
		log_error("pathway-web: %s", err);
	/* Nothing may stay suspended when MHD stops: every waiting page gets its answer. */
	if (api_up)
		api_close();
	sse_stop();
	http_stop();
	if (d != NULL) {
		MHD_run(d);
		MHD_stop_daemon(d);
	}
	if (sub != NULL)
		zmq_close(sub);
	zmq_ctx_term(zctx);
	http_free();
	sse_free();
	free(cert);
	free(key);
	log_info("pathway-web: stopped");
	return rc;
}

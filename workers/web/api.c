/*
 * api.c: pathwayd's api for pathway-web, asynchronously. One DEALER socket
 * (a CURVE client with the `web` key in curve mode) and a table of the
 * requests in flight. Each request gets an id no other process or run of
 * pathway-web uses: "w" and 16 random hex digits drawn at start, "-", and a
 * counter. The table is a hash of the counter, for replies, and a list in
 * order of sending, which is the order of deadlines (every request waits the
 * same timeout_ms), so expiry looks only at its head.
 *
 * A request without a person token (auth.link, auth.session: the login
 * pages) goes in curve mode as the web key's built-in `web` actor; in local
 * mode, where pathwayd takes every peer for the operator, it names that same
 * built-in actor (`"actor": "web"`, a person nobody is). A request with a
 * token never names an actor: it acts as the token's person.
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core.h"
#include "keys.h"
#include "proto.h"

#define API_BUCKETS 1024 /* a power of two */

struct pending {
	uint64_t n; /* the counter part of the request id */
	int64_t deadline;
	api_done_fn done;
	void *ud;
	struct pending *prev, *next; /* in order of sending (and of deadline) */
	struct pending *hnext;	     /* in its hash bucket */
};

static struct {
	void *sock;
	int curve;
	int timeout_ms;
	char prefix[20]; /* "w" + 16 hex digits + "-" */
	uint64_t counter;
	struct pending *head, *tail;
	struct pending *bucket[API_BUCKETS];
	size_t count;
} api;

int
api_open(void *zctx, const struct web_conf *conf, char *err, size_t errlen)
{
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85], server[PW_KEY_Z85];
	struct pw_status st = {0, ""};
	unsigned char rnd[8];
	int linger = 0, hwm = 100000;

	api.curve = conf->curve;
	api.timeout_ms = conf->timeout_ms;
	randombytes_buf(rnd, sizeof rnd);
	api.prefix[0] = 'w';
	sodium_bin2hex(api.prefix + 1, 17, rnd, sizeof rnd);
	api.prefix[17] = '-';
	api.prefix[18] = '\0';
	api.sock = zmq_socket(zctx, ZMQ_DEALER);
	zmq_setsockopt(api.sock, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(api.sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(api.sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (conf->curve) {
		if (pw_keyfile_read(conf->key, pub, sec, &st) != 0 ||
		    pw_keyfile_read(conf->server_key, server, NULL, &st) != 0) {
			snprintf(err, errlen, "%s", st.msg);
			return -1;
		}
		zmq_setsockopt(api.sock, ZMQ_CURVE_SERVERKEY, server, PW_KEY_Z85);
		zmq_setsockopt(api.sock, ZMQ_CURVE_PUBLICKEY, pub, PW_KEY_Z85);
		zmq_setsockopt(api.sock, ZMQ_CURVE_SECRETKEY, sec, PW_KEY_Z85);
		sodium_memzero(sec, sizeof sec);
	}
	if (zmq_connect(api.sock, conf->api) != 0) {
		snprintf(err, errlen, "daemon.api %s: %s", conf->api, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

void *
api_socket(void)
{
	return api.sock;
}

static void
table_add(struct pending *p)
{
	struct pending **b = &api.bucket[p->n & (API_BUCKETS - 1)];

	p->hnext = *b;
	*b = p;
	p->prev = api.tail;
	p->next = NULL;
	if (api.tail != NULL)
		api.tail->next = p;
	else
		api.head = p;
	api.tail = p;
	api.count++;
}

static void
table_remove(struct pending *p)
{
	struct pending **b = &api.bucket[p->n & (API_BUCKETS - 1)];

	while (*b != p)
		b = &(*b)->hnext;
	*b = p->hnext;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		api.head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	else
		api.tail = p->prev;
	api.count--;
}

static struct pending *
table_find(uint64_t n)
{
	struct pending *p = api.bucket[n & (API_BUCKETS - 1)];

	while (p != NULL && p->n != n)
		p = p->hnext;
	return p;
}

void
api_send(const char *cmd, const char *token, json_t *args, api_done_fn done, void *ud)
{
	struct pending *p = xcalloc(1, sizeof *p);
	char id[48];
	json_t *req;
	char *s;

	p->n = ++api.counter;
	p->done = done;
	p->ud = ud;
	p->deadline = web_now_ms() + api.timeout_ms;
	snprintf(id, sizeof id, "%s%" PRIu64, api.prefix, p->n);
	req = json_pack("{s:s, s:s, s:o}", "id", id, "cmd", cmd, "args",
			args != NULL ? args : json_object());
	if (token != NULL)
		json_object_set_new(req, "token", json_string(token));
	else if (!api.curve)
		json_object_set_new(req, "actor", json_string("web"));
	s = proto_encode(req);
	json_decref(req);
	if (api.sock == NULL || zmq_send(api.sock, s, strlen(s), ZMQ_DONTWAIT) < 0) {
		/* Not sent (queue full, or closing): it fails on the loop's next turn. */
		log_warn("api: %s not sent: %s", cmd, zmq_strerror(errno));
		p->deadline = 0;
	}
	log_debug("api: -> %s %s", id, cmd);
	free(s);
	table_add(p);
}

/* One reply: find its request by id and run the callback. */
static void
reply(const char *buf, size_t len)
{
	json_t *msg = json_loadb(buf, len, 0, NULL);
	const char *id = str(msg, "id");
	size_t plen = strlen(api.prefix);
	struct pending *p = NULL;
	char *end;
	uint64_t n;

	if (id != NULL && strncmp(id, api.prefix, plen) == 0) {
		errno = 0;
		n = strtoull(id + plen, &end, 10);
		if (errno == 0 && *end == '\0')
			p = table_find(n);
	}
	if (p == NULL) {
		log_warn("api: a reply to no request of ours (%s)", id ? id : "no id");
		json_decref(msg);
		return;
	}
	table_remove(p);
	log_debug("api: <- %s %s", id, json_is_true(json_object_get(msg, "ok")) ? "ok" : "error");
	p->done(msg, p->ud);
	free(p);
	json_decref(msg);
}

void
api_read(void)
{
	zmq_msg_t f;
	int more;
	size_t sz = sizeof more;

	for (;;) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, api.sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f);
			return;
		}
		/* [reply] or ["", reply]: the last frame is the reply. */
		zmq_getsockopt(api.sock, ZMQ_RCVMORE, &more, &sz);
		while (more) {
			zmq_msg_close(&f);
			zmq_msg_init(&f);
			if (zmq_msg_recv(&f, api.sock, 0) < 0)
				break;
			zmq_getsockopt(api.sock, ZMQ_RCVMORE, &more, &sz);
		}
		reply(zmq_msg_data(&f), zmq_msg_size(&f));
		zmq_msg_close(&f);
	}
}

void
api_expire(int64_t now_ms)
{
	struct pending *p;

	/* A callback may send again: those go to the tail, with later deadlines. */
	while ((p = api.head) != NULL && p->deadline <= now_ms) {
		table_remove(p);
		log_warn("api: request %s%" PRIu64 ": pathwayd did not answer in time", api.prefix,
			 p->n);
		p->done(NULL, p->ud);
		free(p);
	}
}

long
api_timeout_ms(int64_t now_ms)
{
	if (api.head == NULL)
		return -1;
	return api.head->deadline <= now_ms ? 0 : (long)(api.head->deadline - now_ms);
}

void
api_close(void)
{
	struct pending *p;
	int rounds = 0;

	/* Every callback gets its NULL; one that sends again is failed too, a few times over. */
	while (api.head != NULL && rounds++ < 100) {
		for (struct pending *q = api.head; q != NULL; q = q->next)
			q->deadline = 0;
		api_expire(1);
	}
	while ((p = api.head) != NULL) {
		table_remove(p);
		free(p);
	}
	if (api.sock != NULL)
		zmq_close(api.sock);
	api.sock = NULL;
}

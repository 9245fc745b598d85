/*
 * probe.c: is a daemon there (probe.h)? zmq_socket_monitor reports the api
 * socket's connection on an inproc PAIR: connected, retried (refused),
 * handshake succeeded or failed. pathwayd's I/O thread completes the
 * handshake even while its loop is busy with a long command, so in local
 * mode a daemon that does not complete it within PROBE_MS is stopped or
 * hung. In curve mode ZAP is answered by the loop, between commands, so a
 * daemon busy with one command of over a second is told silent too (and
 * the message says so): pathwayctl answers within a second either way.
 */
#include "probe.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "ctl.h"
#include "util.h"

struct probe {
	void *sock; /* watched */
	void *pair; /* receives the events */
};

struct probe *
probe_start(void *zctx, void *sock)
{
	static unsigned n;
	char addr[64];
	struct probe *p;

	snprintf(addr, sizeof addr, "inproc://pathwayctl-probe-%u", n++);
	if (zmq_socket_monitor(
		sock, addr,
		ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
		    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
		    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->sock = sock;
	p->pair = zmq_socket(zctx, ZMQ_PAIR);
	if (p->pair == NULL || zmq_connect(p->pair, addr) != 0) {
		if (p->pair != NULL)
			zmq_close(p->pair);
		zmq_socket_monitor(sock, NULL, 0);
		free(p);
		return NULL;
	}
	return p;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next event (its number), waiting at most ms; 0 when none came. */
static uint16_t
next_event(void *pair, long ms)
{
	zmq_pollitem_t it = {pair, 0, ZMQ_POLLIN, 0};
	uint16_t ev = 0;
	zmq_msg_t m;

	if (zmq_poll(&it, 1, ms) <= 0 || !(it.revents & ZMQ_POLLIN))
		return 0;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, pair, 0) >= 6)
		memcpy(&ev, zmq_msg_data(&m), sizeof ev);
	while (zmq_msg_more(&m)) { /* the endpoint's frame */
		zmq_msg_close(&m);
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, pair, 0) < 0)
			break;
	}
	zmq_msg_close(&m);
	return ev;
}

static const char *
hint(const char *conf)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "configuration: %s", conf ? conf : "none found");
	return buf;
}

int
probe_wait(struct probe *p, const char *endpoint, const char *conf, long ms, int curve)
{
	int64_t start, deadline;
	int connected = 0, rc = -1;

	if (p == NULL)
		return 0;
	start = now_ms();
	deadline = start + ms;
	while (rc < 0) {
		int64_t left = deadline - now_ms();
		uint16_t ev = left > 0 ? next_event(p->pair, (long)left) : 0;

		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			rc = 0;
		} else if (ev == ZMQ_EVENT_CONNECTED) {
			connected = 1;
		} else if (ev == ZMQ_EVENT_CONNECT_RETRIED && !connected) {
			fprintf(stderr,
				"pathwayctl: no daemon at %s: nothing listens there (connection "
				"refused: a socket left by a daemon that stopped?) (%s)\n",
				endpoint, hint(conf));
			rc = CTL_EXIT_NOANSWER;
		} else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
			   ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
			   ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
			fprintf(stderr,
				"pathwayctl: the daemon at %s refused the connection: %s (%s)\n",
				endpoint,
				ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
				    ? "it does not admit this key"
				    : "its security mode is not ours (local or curve: ctl.key, "
				      "daemon.security)",
				hint(conf));
			rc = CTL_EXIT_REFUSED;
		} else if (ev == 0 && now_ms() >= deadline) {
			fprintf(
			    stderr,
			    "pathwayctl: the daemon at %s is silent: %s within %ld ms (stopped "
			    "or hung?%s) (%s)\n",
			    endpoint,
			    connected ? "it took the connection but did not answer"
				      : "no connection was made",
			    (long)(deadline - start),
			    curve ? " In curve mode the daemon's loop answers the handshake "
				    "between commands: busy with a long one? Or is ctl.server_key "
				    "not its public key?"
				  : "",
			    hint(conf));
			rc = CTL_EXIT_SILENT;
		}
	}
	probe_free(p);
	return rc;
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	zmq_socket_monitor(p->sock, NULL, 0);
	zmq_close(p->pair);
	free(p);
}

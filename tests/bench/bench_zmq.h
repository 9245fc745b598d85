/*
 * bench_zmq.h: what the benchmark programs that drive pathwayd over its api
 * share (pw-bench-feedback, pw-bench-web, pw-bench-webpage): a monotonic
 * clock, dying with a message, a DEALER with large queues, receiving one
 * message's last frame, sending a JSON object. Include it once, after
 * defining BENCH_PROG (the program's name for its messages).
 */
#ifndef PW_BENCH_ZMQ_H
#define PW_BENCH_ZMQ_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static void *zctx;

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void __attribute__((noreturn)) die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", BENCH_PROG);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static inline void *
dealer(const char *endpoint)
{
	void *s = zmq_socket(zctx, ZMQ_DEALER);
	int linger = 0, hwm = 100000;

	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (zmq_connect(s, endpoint) != 0)
		die("cannot connect to %s", endpoint);
	return s;
}

/* One message (its last frame) into a malloc'd, NUL-terminated buffer; length, or -1. */
static inline long
recv_msg(void *s, char **buf, int timeout_ms)
{
	zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
	zmq_msg_t m;
	long n;
	int more = 1;

	if (zmq_poll(&it, 1, timeout_ms) <= 0)
		return -1;
	zmq_msg_init(&m);
	while (more) {
		if (zmq_msg_recv(&m, s, 0) < 0) {
			zmq_msg_close(&m);
			return -1;
		}
		more = zmq_msg_more(&m);
	}
	n = (long)zmq_msg_size(&m);
	*buf = malloc((size_t)n + 1);
	if (*buf == NULL)
		die("%s", "out of memory");
	memcpy(*buf, zmq_msg_data(&m), (size_t)n);
	(*buf)[n] = '\0';
	zmq_msg_close(&m);
	return n;
}

static inline void
send_json(void *s, json_t *q)
{
	char *body = json_dumps(q, JSON_COMPACT);

	if (zmq_send(s, body, strlen(body), 0) < 0)
		die("send failed: %s", zmq_strerror(zmq_errno()));
	free(body);
}

#endif

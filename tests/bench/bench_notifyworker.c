/*
 * pw-bench-notifyworker: a fake notification worker that is as fast as a
 * worker can be (tests/bench/notify.sh). It speaks the worker protocol
 * (PROTOCOL.md, "Worker protocol") on a DEALER socket and reports every job
 * `done` the moment it arrives, so what is measured is the daemon's
 * dispatch: job frames sent per second.
 *
 *   pw-bench-notifyworker -e ENDPOINT -n JOBS [-k K] [-c CREDIT] [-w WINDOW]
 *
 * Phase 1 (when K > 0): credit 1, so each job costs one daemon loop turn
 * (report applied, next job leased, commit, send): K jobs give the turn
 * latency. Phase 2: `ready` again with CREDIT (default 1000) until JOBS jobs
 * have arrived: the throughput. Then `bye`, which gives back any job sent
 * after the last one wanted. Prints key=value lines;
 * rate_window_I is jobs/s over the I-th block of WINDOW jobs of phase 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
say(void *sock, const char *s)
{
	zmq_send(sock, s, strlen(s), 0);
}

static void
ready(void *sock, int credit)
{
	char m[128];

	snprintf(m, sizeof m,
		 "{\"type\":\"ready\",\"name\":\"bench-worker\",\"credit\":%d,\"protocol\":1}",
		 credit);
	say(sock, m);
}

/* The job id of a job message (the first "id" in it), or 0 when it is not a job. */
static int
job_id(const char *buf, size_t len, char *id, size_t cap)
{
	const char *p, *q;

	if (len < 20 || memmem(buf, len < 40 ? len : 40, "\"job\"", 5) == NULL ||
	    memmem(buf, len < 40 ? len : 40, "\"type\":\"job\"", 12) == NULL)
		return 0;
	p = memmem(buf, len, "\"id\":\"", 6);
	if (p == NULL)
		return 0;
	p += 6;
	q = memchr(p, '"', len - (size_t)(p - buf));
	if (q == NULL || (size_t)(q - p) >= cap)
		return 0;
	memcpy(id, p, (size_t)(q - p));
	id[q - p] = '\0';
	return 1;
}

int
main(int argc, char **argv)
{
	const char *endpoint = NULL;
	long total = 0, k = 0, window = 10000, got = 0, errors = 0;
	int credit = 1000, opt, phase = 1, linger = 2000, hb_ms = 1000;
	double t0 = 0, t1 = 0, t2 = 0, tw, last_hb;
	void *ctx, *sock;
	char buf[1 << 16];

	while ((opt = getopt(argc, argv, "e:n:k:c:w:")) != -1) {
		if (opt == 'e')
			endpoint = optarg;
		else if (opt == 'n')
			total = atol(optarg);
		else if (opt == 'k')
			k = atol(optarg);
		else if (opt == 'c')
			credit = atoi(optarg);
		else if (opt == 'w')
			window = atol(optarg);
		else
			goto usage;
	}
	if (endpoint == NULL || total <= 0 || k < 0 || k > total || credit < 1 || window < 1)
		goto usage;
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_connect(sock, endpoint) != 0) {
		fprintf(stderr, "pw-bench-notifyworker: %s: %s\n", endpoint,
			zmq_strerror(zmq_errno()));
		return 1;
	}
	if (k == 0)
		phase = 2;
	t0 = mono();
	ready(sock, phase == 1 ? 1 : credit);
	if (phase == 2)
		t1 = t0;
	tw = t0;
	last_hb = t0;
	while (got < total) {
		zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
		char id[64], done[128];
		int n;

		if (mono() - last_hb > hb_ms / 1000.0) {
			say(sock, "{\"type\":\"heartbeat\"}");
			last_hb = mono();
		}
		if (zmq_poll(&it, 1, 200) <= 0)
			continue;
		n = zmq_recv(sock, buf, sizeof buf - 1, ZMQ_DONTWAIT);
		if (n < 0)
			continue;
		if (n > (int)sizeof buf - 1)
			n = (int)sizeof buf - 1; /* truncated: the id comes first anyway */
		buf[n] = '\0';
		if (!job_id(buf, (size_t)n, id, sizeof id)) {
			if (strstr(buf, "\"type\":\"error\"") != NULL && errors++ < 5)
				fprintf(stderr, "pw-bench-notifyworker: %s\n", buf);
			continue;
		}
		got++;
		snprintf(done, sizeof done, "{\"type\":\"done\",\"job\":\"%s\"}", id);
		say(sock, done);
		last_hb = mono();
		if (phase == 1 && got == k && got < total) {
			t1 = mono();
			tw = t1;
			phase = 2;
			ready(sock, credit);
		} else if (phase == 2 && (got - k) % window == 0) {
			double now = mono();

			printf("rate_window_%ld=%.0f\n", (got - k) / window, window / (now - tw));
			tw = now;
		}
		if (got == total)
			t2 = mono();
	}
	say(sock, "{\"type\":\"bye\"}");
	if (k > 0) {
		if (t1 == 0)
			t1 = t2;
		printf("turn_jobs=%ld\nturn_seconds=%.3f\nturn_ms=%.3f\n", k, t1 - t0,
		       1000.0 * (t1 - t0) / k);
	}
	printf("jobs=%ld\ncredit=%d\nthroughput_seconds=%.3f\njobs_per_s=%.0f\nerrors=%ld\n",
	       total - k, credit, t2 - t1, (total - k) / (t2 - t1 > 0 ? t2 - t1 : 1e-9), errors);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
usage:
	fprintf(
	    stderr,
	    "usage: pw-bench-notifyworker -e ENDPOINT -n JOBS [-k K] [-c CREDIT] [-w WINDOW]\n");
	return 2;
}

/*
 * bench_redis.c: pw-bench-redis, the peer that tests/bench/api.sh measures
 * pathwayd's durable writes against: a Redis server run with
 * appendonly yes, appendfsync always (every write fsync'd before its reply,
 * one fsync per event-loop turn), driven exactly as pw-bench-api closed
 * drives pathwayd: one thread, CLIENTS connections, each with one request
 * outstanding, for SECONDS.
 *
 *   pw-bench-redis closed HOST PORT CLIENTS SECONDS
 *	SET of a unique key to a 100-byte value (RESP, over TCP with
 *	TCP_NODELAY); a reply other than +OK is an error.
 *
 * The result is one line on stdout: "BENCH name=redis.closed clients=N
 * n=... errors=... secs=... ops_per_s=... p50_us=... p90_us=... p99_us=...
 * max_us=...".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 30000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn)) die(const char *msg)
{
	fprintf(stderr, "pw-bench-redis: %s\n", msg);
	exit(1);
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct conn {
	int fd;
	long seq;
	double sent;
	char in[256];
	size_t have;
};

static char value[101];

static void
send_set(struct conn *c, int idx, int tag)
{
	char key[64], buf[512];
	int klen = snprintf(key, sizeof key, "bench:%x:%d:%ld", tag, idx, c->seq++);
	int n = snprintf(buf, sizeof buf, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n", klen,
			 key, value);

	c->sent = now_s();
	if (write(c->fd, buf, (size_t)n) != n)
		die("write failed");
}

/* Read what is there; 1 when a whole reply line has arrived (ok says whether it was +OK). */
static int
read_reply(struct conn *c, int *ok)
{
	ssize_t n = read(c->fd, c->in + c->have, sizeof c->in - c->have - 1);
	char *eol;

	if (n <= 0)
		die("connection closed");
	c->have += (size_t)n;
	c->in[c->have] = '\0';
	eol = strstr(c->in, "\r\n");
	if (eol == NULL)
		return 0;
	*ok = strncmp(c->in, "+OK", 3) == 0;
	if (!*ok)
		fprintf(stderr, "pw-bench-redis: %.*s\n", (int)(eol - c->in), c->in);
	c->have -= (size_t)(eol + 2 - c->in);
	memmove(c->in, eol + 2, c->have);
	return 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	struct conn *cs;
	struct pollfd *pfd;
	double *lat, t0, t1, end;
	long n = 0, cap = 1 << 16, errors = 0;
	int nc, outstanding, tag = (int)getpid(), one = 1;

	if (argc != 6 || strcmp(argv[1], "closed") != 0) {
		fprintf(stderr, "usage: pw-bench-redis closed HOST PORT CLIENTS SECONDS\n");
		return 2;
	}
	nc = atoi(argv[4]);
	memset(value, 'x', 100);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[3]));
	if (nc < 1 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1)
		die("bad host or client count");
	cs = calloc((size_t)nc, sizeof *cs);
	pfd = calloc((size_t)nc, sizeof *pfd);
	lat = malloc((size_t)cap * sizeof *lat);
	if (cs == NULL || pfd == NULL || lat == NULL)
		die("out of memory");
	for (int i = 0; i < nc; i++) {
		int ok = 0;

		cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (cs[i].fd < 0 || connect(cs[i].fd, (struct sockaddr *)&a, sizeof a) != 0)
			die("cannot connect");
		setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		pfd[i] = (struct pollfd){cs[i].fd, POLLIN, 0};
		/* Warm up: one round trip before the clock starts. */
		send_set(&cs[i], i, tag);
		while (!read_reply(&cs[i], &ok))
			;
		if (!ok)
			die("warm-up SET failed");
	}
	t0 = now_s();
	end = t0 + atof(argv[5]);
	for (int i = 0; i < nc; i++)
		send_set(&cs[i], i, tag);
	outstanding = nc;
	while (outstanding > 0) {
		int r = poll(pfd, (nfds_t)nc, TIMEOUT_MS);

		if (r <= 0)
			die("no reply in time");
		for (int i = 0; i < nc; i++) {
			int ok;
			double t;

			if (!(pfd[i].revents & POLLIN) || !read_reply(&cs[i], &ok))
				continue;
			t = now_s();
			if (n == cap) {
				cap *= 2;
				lat = realloc(lat, (size_t)cap * sizeof *lat);
				if (lat == NULL)
					die("out of memory");
			}
			lat[n++] = (t - cs[i].sent) * 1e6;
			errors += !ok;
			if (t < end)
				send_set(&cs[i], i, tag);
			else
				outstanding--;
		}
	}
	t1 = now_s();
	qsort(lat, (size_t)n, sizeof *lat, dcmp);
	printf("BENCH name=redis.closed cmd=SET clients=%d n=%ld errors=%ld secs=%.3f "
	       "ops_per_s=%.1f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f\n",
	       nc, n, errors, t1 - t0, (double)n / (t1 - t0), lat[n / 2], lat[n * 9 / 10],
	       lat[n * 99 / 100], lat[n - 1]);
	for (int i = 0; i < nc; i++)
		close(cs[i].fd);
	free(cs);
	free(pfd);
	free(lat);
	return errors ? 1 : 0;
}

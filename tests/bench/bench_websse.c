/*
 * bench_websse.c: pw-bench-websse, pathway-web's live stream under load
 * (tests/bench/web.sh: "with 1,000 Server-Sent-Event clients
 * connected to one pathway-web: p99 from commit to delivery under 250 ms;
 * memory per connected client").
 *
 *   pw-bench-websse PORT ENDPOINT SESSION COHORT CLIENTS RATE SECONDS WEB_PID DAEMON_PID
 *                   APPS_FILE
 *
 * Opens CLIENTS plain HTTP/1.1 connections to pathway-web (non-blocking
 * sockets, one epoll thread), each GET /events?cohort=COHORT with the
 * session cookie of an LA adviser, and waits until every stream has
 * answered 200 and sent its opening comment. pathway-web's VmRSS
 * (/proc/WEB_PID/status) is read before the first connection and once all
 * are up (and settled 1 s): the difference over CLIENTS is the memory per
 * connected client. Then commits at RATE a second for SECONDS, open loop
 * (scheduled send times), on one DEALER, as the operator: commit k submits
 * again the evidence form of the k-th application of APPS_FILE in turn
 * (applications of COHORT waiting at the sign-off: each commit is an
 * application.submitted event of the cohort, and no email), and notes when
 * each reply came. The epoll thread decodes each stream (chunked transfer
 * coding, then "\n\n"-separated events) and notes when the k-th
 * application.submitted arrived on which stream (checked: its app is the
 * one commit k named).
 * Latency of one delivery: arrival minus the commit's reply (and minus its
 * send, which includes the commit); p50, p99, max over every (event,
 * stream), and the per-event time until the last stream had it. Events
 * missing or seen twice are counted. CPU seconds of pathway-web and
 * pathwayd during the commits from /proc/PID/stat.
 *
 * "BENCH name=web.sse* key=value" lines on stdout; notes on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define APP_KEY "\"app\":\""
#define ID_LEN 32
#define EV_TYPE "\nevent: application.submitted\n"
/* Commit k: the evidence form of application rot[k % nrot] submitted again (it replaces the last).
 */
#define BODY                                                                                       \
	"{\"id\":\"%ld\",\"cmd\":\"application.submit\",\"actor\":\"operator\",\"args\":{"         \
	"\"app\":\"%s\",\"doc\":\"evidence_form\",\"fields\":{\"met_candidate\":true,"             \
	"\"evidence\":\"Led the reading programme; coaches two middle leaders (%ld).\","           \
	"\"ready_for\":\"Headship\",\"succession_priorities\":[\"Support for aspiring "            \
	"headteachers\"]}}}"

struct cl {
	int fd, fdone, opened, status, chunked, ended;
	char *raw; /* bytes read but not decoded (headers, chunk framing) */
	size_t rlen, rcap;
	char *text; /* decoded body not yet parsed into events */
	size_t tlen, tcap;
	long chunk_left; /* bytes of the current chunk still to come; -1: a size line next */
	int crlf;	 /* CRLF after a chunk's data still to skip */
	long events, seen, unknown;
};

static struct cl *cls;
static int nclients, efd;
static long nevents;	    /* commits planned */
static float *arrival;	    /* [client * nevents + i]: ms since t0, 0 = not yet */
static long long *seq_of;   /* seq each event came with (from the first stream) */
static char (*rot)[ID_LEN]; /* the applications commits go to, in turn */
static long nrot;
static volatile int stop_reader;
static double t0;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn)) die(const char *fmt, const char *arg)
{
	fprintf(stderr, "pw-bench-websse: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void
grow(char **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 4096;
	*p = realloc(*p, *cap);
	if (*p == NULL)
		die("%s", "out of memory");
}

/* A line of /proc/PID/status in kB. */
static long
status_kb(long pid, const char *key)
{
	char path[64], line[256];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			v = atol(line + strlen(key) + 1);
	fclose(f);
	return v;
}

/* utime + stime of PID in seconds. */
static double
cpu_s(long pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL || fgets(buf, sizeof buf, f) == NULL) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * One whole event block of client c, arrived at ms. The k-th
 * application.submitted a stream carries is commit k (pathway-web sends a
 * stream's events in seq order, each once): checked against the
 * application commit k named.
 */
static void
on_event(struct cl *c, const char *block, size_t len, float ms)
{
	const char *m = memmem(block, len, EV_TYPE, strlen(EV_TYPE));
	const char *a = memmem(block, len, APP_KEY, strlen(APP_KEY));
	long i = c->seen;

	if (m == NULL)
		return; /* a comment (keepalive) or another event */
	c->seen++;
	if (i >= nevents || a == NULL ||
	    strncmp(a + strlen(APP_KEY), rot[i % nrot], strlen(rot[i % nrot])) != 0 ||
	    a[strlen(APP_KEY) + strlen(rot[i % nrot])] != '"') {
		c->unknown++;
		return;
	}
	arrival[(size_t)(c - cls) * (size_t)nevents + (size_t)i] = ms > 0 ? ms : 1e-6f;
	c->events++;
	if (c == cls && strncmp(block, "id: ", 4) == 0)
		seq_of[i] = atoll(block + 4);
}

static void
text_add(struct cl *c, const char *p, size_t n, float ms)
{
	size_t start = 0;

	c->opened = 1;
	grow(&c->text, &c->tcap, c->tlen + n + 1);
	memcpy(c->text + c->tlen, p, n);
	c->tlen += n;
	for (;;) {
		char *e = memmem(c->text + start, c->tlen - start, "\n\n", 2);

		if (e == NULL)
			break;
		on_event(c, c->text + start, (size_t)(e - (c->text + start)), ms);
		start = (size_t)(e - c->text) + 2;
	}
	memmove(c->text, c->text + start, c->tlen - start);
	c->tlen -= start;
}

/* Decode what c has read: the headers once, then chunks. */
static void
decode(struct cl *c, float ms)
{
	size_t i = 0;

	if (c->status == 0) {
		char *e = memmem(c->raw, c->rlen, "\r\n\r\n", 4);

		if (e == NULL)
			return;
		*e = '\0';
		c->status = c->rlen > 12 ? atoi(c->raw + 9) : -1;
		c->chunked = strcasestr(c->raw, "transfer-encoding: chunked") != NULL;
		c->chunk_left = -1;
		i = (size_t)(e - c->raw) + 4;
	}
	while (i < c->rlen) {
		if (!c->chunked) {
			text_add(c, c->raw + i, c->rlen - i, ms);
			i = c->rlen;
		} else if (c->crlf > 0) {
			i++;
			c->crlf--;
		} else if (c->chunk_left < 0) {
			char *nl = memchr(c->raw + i, '\n', c->rlen - i);

			if (nl == NULL)
				break;
			c->chunk_left = strtol(c->raw + i, NULL, 16);
			i = (size_t)(nl - c->raw) + 1;
			if (c->chunk_left == 0)
				c->ended = 1;
		} else {
			size_t n = c->rlen - i;

			if (n > (size_t)c->chunk_left)
				n = (size_t)c->chunk_left;
			text_add(c, c->raw + i, n, ms);
			i += n;
			c->chunk_left -= (long)n;
			if (c->chunk_left == 0) {
				c->chunk_left = -1;
				c->crlf = 2;
			}
		}
	}
	memmove(c->raw, c->raw + i, c->rlen - i);
	c->rlen -= i;
}

/* Read everything c has; 0 at EOF or error. */
static int
drain(struct cl *c)
{
	for (;;) {
		ssize_t n;

		grow(&c->raw, &c->rcap, c->rlen + 65536);
		n = read(c->fd, c->raw + c->rlen, c->rcap - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		c->ended = 1;
		break;
	}
	decode(c, (float)((now_s() - t0) * 1e3));
	return !c->ended;
}

static void *
reader(void *arg)
{
	struct epoll_event evs[256];

	(void)arg;
	while (!stop_reader) {
		int n = epoll_wait(efd, evs, 256, 50);

		for (int k = 0; k < n; k++) {
			struct cl *c = evs[k].data.ptr;

			if (!c->ended && !drain(c))
				epoll_ctl(efd, EPOLL_CTL_DEL, c->fd, NULL);
		}
	}
	return NULL;
}

static int
fcmp(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name, float *v, size_t n)
{
	double sum = 0;

	qsort(v, n, sizeof *v, fcmp);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
#define P(p)                                                                                       \
	(n ? v[(size_t)((p) / 100.0 * (double)n) < n ? (size_t)((p) / 100.0 * (double)n) : n - 1]  \
	   : 0)
	printf("BENCH name=%s n=%zu ms_min=%.3f ms_mean=%.3f ms_p50=%.3f ms_p90=%.3f ms_p99=%.3f "
	       "ms_max=%.3f\n",
	       name, n, n ? v[0] : 0.0, n ? sum / (double)n : 0.0, P(50), P(90), P(99),
	       n ? v[n - 1] : 0.0);
#undef P
}

int
main(int argc, char **argv)
{
	int port, rate;
	double secs, *t_send, *t_reply, tc, cpu_web0, cpu_d0, cpu_web1, cpu_d1;
	const char *endpoint, *session, *cohort;
	long web_pid, daemon_pid, rss0, rss1, rss2, anon0, anon1, got = 0, sent = 0, up = 0;
	struct sockaddr_in a = {.sin_family = AF_INET};
	char req[1024];
	int rlen, linger = 0, hwm = 100000;
	void *zctx, *s;
	pthread_t th;
	float *lr, *ls, *last;
	size_t nl = 0, nlast = 0;
	long missing = 0, wrong = 0, extra = 0, late_sends = 0;

	FILE *f;
	char line[ID_LEN];

	if (argc != 11) {
		fprintf(stderr, "usage: pw-bench-websse PORT ENDPOINT SESSION COHORT CLIENTS RATE "
				"SECONDS WEB_PID DAEMON_PID APPS_FILE\n");
		return 2;
	}
	f = fopen(argv[10], "r");
	if (f == NULL)
		die("cannot read %s", argv[10]);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		rot = realloc(rot, (size_t)(nrot + 1) * sizeof *rot);
		if (rot == NULL)
			die("%s", "out of memory");
		snprintf(rot[nrot++], ID_LEN, "%s", line);
	}
	fclose(f);
	if (nrot == 0)
		die("no applications in %s", argv[10]);
	port = atoi(argv[1]);
	endpoint = argv[2];
	session = argv[3];
	cohort = argv[4];
	nclients = atoi(argv[5]);
	rate = atoi(argv[6]);
	secs = atof(argv[7]);
	web_pid = atol(argv[8]);
	daemon_pid = atol(argv[9]);
	nevents = (long)(rate * secs);
	if (nclients <= 0 || nevents <= 0)
		die("%s", "CLIENTS and RATE x SECONDS must be positive");
	cls = calloc((size_t)nclients, sizeof *cls);
	arrival = calloc((size_t)nclients * (size_t)nevents, sizeof *arrival);
	seq_of = calloc((size_t)nevents, sizeof *seq_of);
	t_send = calloc((size_t)nevents, sizeof *t_send);
	t_reply = calloc((size_t)nevents, sizeof *t_reply);
	if (!cls || !arrival || !seq_of || !t_send || !t_reply)
		die("%s", "out of memory");
	t0 = now_s();

	/* Connect every stream: blocking connects and sends, then non-blocking reads. */
	rss0 = status_kb(web_pid, "VmRSS");
	anon0 = status_kb(web_pid, "RssAnon");
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rlen = snprintf(req, sizeof req,
			"GET /events?cohort=%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
			"Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
			"Cookie: pw_session=%s\r\n\r\n",
			cohort, port, session);
	efd = epoll_create1(0);
	tc = now_s();
	for (int i = 0; i < nclients; i++) {
		struct cl *c = &cls[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

		c->fd = socket(AF_INET, SOCK_STREAM, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0)
			die("connect: %s", strerror(errno));
		if (write(c->fd, req, (size_t)rlen) != rlen)
			die("%s", "cannot send a request");
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		epoll_ctl(efd, EPOLL_CTL_ADD, c->fd, &ev);
	}
	/* Every stream answered and open (its opening comment read). */
	while (up < nclients && now_s() - tc < 60) {
		struct epoll_event evs[256];
		int n = epoll_wait(efd, evs, 256, 100);

		for (int k = 0; k < n; k++) {
			struct cl *c = evs[k].data.ptr;

			if (!drain(c)) {
				epoll_ctl(efd, EPOLL_CTL_DEL, c->fd, NULL);
				die("a stream ended while connecting (status %s)",
				    c->status ? "non-200" : "none");
			}
			if (c->status != 0 && c->status != 200)
				die("%s", "a stream was refused (not 200): is the session valid?");
			if (c->status == 200 && c->opened && !c->fdone) {
				c->fdone = 1; /* the opening comment was parsed */
				up++;
			}
		}
	}
	tc = now_s() - tc;
	if (up < nclients)
		die("%s", "not every stream opened within 60 s");
	usleep(1000000);
	rss1 = status_kb(web_pid, "VmRSS");
	anon1 = status_kb(web_pid, "RssAnon");
	printf("BENCH name=web.sse_connect clients=%d secs=%.3f rss_before_kb=%ld rss_after_kb=%ld "
	       "anon_before_kb=%ld anon_after_kb=%ld kb_per_client=%.1f anon_kb_per_client=%.1f\n",
	       nclients, tc, rss0, rss1, anon0, anon1, (double)(rss1 - rss0) / nclients,
	       (double)(anon1 - anon0) / nclients);
	fflush(stdout);

	/* Commit at RATE a second, open loop, while the reader thread takes the streams. */
	zctx = zmq_ctx_new();
	s = zmq_socket(zctx, ZMQ_DEALER);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (zmq_connect(s, endpoint) != 0)
		die("cannot connect to %s", endpoint);
	pthread_create(&th, NULL, reader, NULL);
	cpu_web0 = cpu_s(web_pid);
	cpu_d0 = cpu_s(daemon_pid);
	tc = now_s();
	while (got < nevents) {
		double due = sent < nevents ? tc + (double)sent / rate : tc + secs + 30;
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
		long wait_ms = (long)((due - now_s()) * 1e3);

		if (due < now_s() - 60 && sent >= nevents)
			die("%s", "no reply to a person.create within 30 s");
		if (sent < nevents && wait_ms <= 0) {
			char body[1024];
			int n = snprintf(body, sizeof body, BODY, sent, rot[sent % nrot], sent);

			t_send[sent] = now_s();
			if (t_send[sent] - due > 0.001)
				late_sends++;
			zmq_send(s, body, (size_t)n, 0);
			sent++;
			continue;
		}
		if (zmq_poll(&it, 1, wait_ms < 0 ? 0 : wait_ms > 1000 ? 1000 : wait_ms) > 0) {
			zmq_msg_t m;
			json_t *r;
			long i;

			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, s, 0) < 0)
				continue;
			r = json_loadb(zmq_msg_data(&m), zmq_msg_size(&m), 0, NULL);
			i = r ? atol(json_string_value(json_object_get(r, "id")) ?: "-1") : -1;
			if (r == NULL || !json_is_true(json_object_get(r, "ok")) || i < 0 ||
			    i >= nevents)
				die("person.create refused: %.300s", zmq_msg_data(&m));
			t_reply[i] = now_s();
			got++;
			json_decref(r);
			zmq_msg_close(&m);
		}
	}
	/* Wait for the last deliveries (at most 10 s). */
	for (double end = now_s() + 10; now_s() < end; usleep(20000)) {
		long have = 0;

		for (int c = 0; c < nclients; c++)
			have += cls[c].events;
		if (have >= (long)nclients * nevents)
			break;
	}
	cpu_web1 = cpu_s(web_pid);
	cpu_d1 = cpu_s(daemon_pid);
	rss2 = status_kb(web_pid, "VmRSS");
	stop_reader = 1;
	pthread_join(th, NULL);

	/* Latencies, relative to t0 in ms. */
	lr = malloc((size_t)nclients * (size_t)nevents * sizeof *lr);
	ls = malloc((size_t)nclients * (size_t)nevents * sizeof *ls);
	last = malloc((size_t)nevents * sizeof *last);
	if (!lr || !ls || !last)
		die("%s", "out of memory");
	for (long i = 0; i < nevents; i++) {
		float rep = (float)((t_reply[i] - t0) * 1e3), snd = (float)((t_send[i] - t0) * 1e3);
		float worst = -1e9f;
		int all = 1;

		for (int c = 0; c < nclients; c++) {
			float v = arrival[(size_t)c * (size_t)nevents + (size_t)i];

			if (v == 0) {
				missing++;
				all = 0;
				continue;
			}
			lr[nl] = v - rep;
			ls[nl++] = v - snd;
			if (v - rep > worst)
				worst = v - rep;
		}
		if (all)
			last[nlast++] = worst;
	}
	if (getenv("PW_BENCH_DEBUG") != NULL)
		fprintf(stderr, "stream 0: status %d, seen %ld, wrong %ld, text left: %.*s\n",
			cls[0].status, cls[0].seen, cls[0].unknown, (int)cls[0].tlen, cls[0].text);
	for (int c = 0; c < nclients; c++) {
		wrong += cls[c].unknown;
		extra += cls[c].seen > nevents ? cls[c].seen - nevents : 0;
	}
	printf("BENCH name=web.sse_run clients=%d rate=%d secs=%.1f commits=%ld deliveries=%zu "
	       "missing=%ld wrong=%ld extra=%ld late_sends=%ld first_seq=%lld last_seq=%lld "
	       "web_cpu_s=%.2f daemon_cpu_s=%.2f web_cpu_ms_per_event=%.3f rss_end_kb=%ld\n",
	       nclients, rate, secs, nevents, nl, missing, wrong, extra, late_sends, seq_of[0],
	       seq_of[nevents - 1], cpu_web1 - cpu_web0, cpu_d1 - cpu_d0,
	       (cpu_web1 - cpu_web0) * 1e3 / (double)nevents, rss2);
	report("web.sse_from_reply", lr, nl);
	report("web.sse_from_send", ls, nl);
	report("web.sse_last_client", last, nlast);
	for (int c = 0; c < nclients; c++)
		close(cls[c].fd);
	zmq_close(s);
	zmq_ctx_term(zctx);
	return missing || wrong || extra ? 1 : 0;
}

/*
 * pw-bench-smtpsink: a minimal, fast SMTP sink for the notification
 * benchmark (tests/bench/notify.sh). One thread, epoll, non-blocking
 * sockets: it speaks just enough SMTP for libcurl (220, EHLO/HELO, MAIL,
 * RCPT, DATA ... ".", RSET, NOOP, QUIT), counts the messages and throws
 * them away. It never touches the disk while counting, so it stays far
 * cheaper per message than the mailers that feed it.
 *
 *   pw-bench-smtpsink -P PORTFILE -S STATUSFILE -n N [-p PORT]
 *
 * Binds 127.0.0.1:PORT (0: any free port) and writes the port to PORTFILE.
 * When the N-th message has been accepted, and on SIGTERM/SIGINT/SIGUSR1, it
 * writes STATUSFILE (atomically) with key=value pairs: messages, connections,
 * first (wall time of the first message, seconds), nth (wall time of the
 * N-th), cpu (its own user+system CPU seconds).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536

struct conn {
	int fd;
	int data; /* inside DATA */
	size_t len;
	char buf[BUF];
};

static volatile sig_atomic_t stop_flag, dump_flag;
static unsigned long long messages, connections, expect;
static double t_first, t_nth;
static const char *status_path;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_flag = 1;
	else
		stop_flag = 1;
}

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
status_write(void)
{
	struct rusage ru;
	char tmp[4096];
	FILE *f;

	getrusage(RUSAGE_SELF, &ru);
	snprintf(tmp, sizeof tmp, "%s.tmp", status_path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "messages=%llu\nconnections=%llu\nfirst=%.6f\nnth=%.6f\ncpu=%.3f\n", messages,
		connections, t_first, t_nth,
		ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		    ru.ru_stime.tv_usec / 1e6);
	fclose(f);
	rename(tmp, status_path);
}

static int
say(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	return send(c->fd, s, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static int
is_cmd(const char *line, const char *cmd)
{
	return strncasecmp(line, cmd, strlen(cmd)) == 0;
}

/* Handle one line (without its CRLF); returns -1 to close the connection. */
static int
line(struct conn *c, char *l, size_t n)
{
	if (c->data) {
		if (n == 1 && l[0] == '.') {
			c->data = 0;
			if (messages == 0)
				t_first = wall();
			if (++messages == expect) {
				t_nth = wall();
				status_write();
			}
			return say(c, "250 2.0.0 OK queued\r\n");
		}
		return 0;
	}
	l[n] = '\0';
	if (is_cmd(l, "EHLO"))
		return say(c, "250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
	if (is_cmd(l, "DATA")) {
		c->data = 1;
		return say(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
	}
	if (is_cmd(l, "QUIT")) {
		say(c, "221 2.0.0 Bye\r\n");
		return -1;
	}
	if (is_cmd(l, "HELO") || is_cmd(l, "MAIL") || is_cmd(l, "RCPT") || is_cmd(l, "RSET") ||
	    is_cmd(l, "NOOP"))
		return say(c, "250 2.0.0 OK\r\n");
	return say(c, "502 5.5.2 Command not recognized\r\n");
}

/* Read what is there; returns -1 when the connection is finished. */
static int
readable(struct conn *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->buf + c->len, BUF - c->len - 1, 0);
		size_t start = 0;

		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->len += (size_t)r;
		for (;;) {
			char *nl = memchr(c->buf + start, '\n', c->len - start);
			size_t n;

			if (nl == NULL)
				break;
			n = (size_t)(nl - (c->buf + start));
			if (n > 0 && c->buf[start + n - 1] == '\r')
				n--;
			if (line(c, c->buf + start, n) != 0)
				return -1;
			start = (size_t)(nl - c->buf) + 1;
		}
		memmove(c->buf, c->buf + start, c->len - start);
		c->len -= start;
		if (c->len >= BUF - 1)
			c->len = 0; /* an over-long line: not ".", not a command we need */
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: pw-bench-smtpsink -P PORTFILE -S STATUSFILE -n N [-p PORT]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *port_path = NULL;
	struct sockaddr_in sa;
	socklen_t slen = sizeof sa;
	struct epoll_event ev, evs[64];
	struct sigaction sig;
	int lfd, ep, opt, one = 1, port = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "P:S:n:p:")) != -1) {
		if (opt == 'P')
			port_path = optarg;
		else if (opt == 'S')
			status_path = optarg;
		else if (opt == 'n')
			expect = strtoull(optarg, NULL, 10);
		else if (opt == 'p')
			port = atoi(optarg);
		else
			usage();
	}
	if (port_path == NULL || status_path == NULL || expect == 0)
		usage();
	memset(&sig, 0, sizeof sig);
	sig.sa_handler = on_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGUSR1, &sig, NULL);
	sig.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sig, NULL);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(lfd, 1024) != 0 || getsockname(lfd, (struct sockaddr *)&sa, &slen) != 0) {
		perror("pw-bench-smtpsink: listen");
		return 1;
	}
	f = fopen(port_path, "w");
	if (f == NULL) {
		perror(port_path);
		return 1;
	}
	fprintf(f, "%d\n", ntohs(sa.sin_port));
	fclose(f);

	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL; /* the listener */
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!stop_flag) {
		int n = epoll_wait(ep, evs, 64, 500);

		if (dump_flag) {
			dump_flag = 0;
			status_write();
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof *c);
					if (c == NULL) {
						close(fd);
						continue;
					}
					c->fd = fd;
					connections++;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
					if (say(c, "220 sink ESMTP\r\n") != 0) {
						close(fd);
						free(c);
					}
				}
				continue;
			}
			if (readable(c) != 0) {
				close(c->fd); /* also leaves the epoll set */
				free(c);
			}
		}
	}
	status_write();
	return 0;
}

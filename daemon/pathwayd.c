/*
 * pathwayd: the Pathway daemon. Parses the command line, installs signal
 * handlers (SIGTERM/SIGINT stop, SIGHUP reloads) and runs the server loop,
 * live or as a rehearsal (--rehearse DIR: rehearse.c).
 */
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "proto.h"
#include "rehearse.h"
#include "server.h"
#include "service.h"
#include "util.h"

static volatile sig_atomic_t stop_flag, reload_flag;

static void
on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	reload_flag = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: pathwayd [-t] [-c CONF] [-C DIR] [--rehearse DIR [--from TIME]]\n"
		"\n"
		"Run the Pathway daemon: leadership-development programmes as durable state\n"
		"machines, served over ZeroMQ and stored in LMDB.\n"
		"\n"
		"  -c CONF  configuration file (default: conf/pathway.conf)\n"
		"  -C DIR   change to DIR first; relative paths are relative to it\n"
		"  -t       check the configuration, the mailer's settings too, and exit\n"
		"           (0 if valid)\n"
		"  --rehearse DIR  rehearse: serve the copy of the store in DIR (DIR/data.mdb,\n"
		"           from a backup) on a manual clock, sockets in DIR/run, backups in\n"
		"           DIR/backup, mail only into DIR/mail (pathway-mailer --rehearse DIR);\n"
		"           refuses the live store, marks the copy as a rehearsal's\n"
		"  --from TIME  rehearsing: the clock at TIME (YYYY-MM-DDTHH:MM:SSZ), never back;\n"
		"           default: where the live clock stood (now, for the system clock) at\n"
		"           the first open, then where the rehearsal's clock stands\n"
		"  -V, --version  print the version and exit\n"
		"  -h, --help     this help\n"
		"\n"
		"Signals: SIGTERM or SIGINT stop after the current batch; SIGHUP reloads\n"
		"programmes and cohorts, keeping the old ones if the new ones have errors.\n"
		"Logs go to standard error. Exit status: 0 stopped, 1 could not start, 2 bad\n"
		"usage, 3 the store refused for the mode (a rehearsal's store without\n"
		"--rehearse, or the live store with it).\n");
}

static void
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: zmq_poll returns EINTR at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int
main(int argc, char **argv)
{
	const char *conf = "conf/pathway.conf", *dir = NULL, *rehearse = NULL;
	int64_t from = 0;
	struct pw_status st = {0, ""};
	struct server *srv = NULL;
	int opt, check = 0;

	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {"version", no_argument, NULL, 'V'},
						 {"rehearse", required_argument, NULL, 'R'},
						 {"from", required_argument, NULL, 'F'},
						 {0, 0, 0, 0}};

	while ((opt = getopt_long(argc, argv, "c:C:thV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'R':
			rehearse = optarg;
			break;
		case 'F':
			if (pw_time_parse(optarg, &from) != 0 || from <= 0) {
				fprintf(stderr,
					"pathwayd: --from %s: not a UTC time "
					"YYYY-MM-DDTHH:MM:SSZ\n",
					optarg);
				return 2;
			}
			break;
		case 'V':
			printf("pathwayd %s (protocol %d)\n", PW_VERSION, PW_PROTOCOL_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (from != 0 && rehearse == NULL)) {
		usage(stderr);
		return 2;
	}
	if (dir != NULL && chdir(dir) != 0) {
		fprintf(stderr, "pathwayd: cannot change to %s\n", dir);
		return 1;
	}
	if (check) {
		struct pw_config *cfg = NULL;

		if (config_load(conf, &cfg, &st) != 0 || config_mailer_check(conf, &st) != 0) {
			fprintf(stderr, "pathwayd: %s\n", st.msg);
			config_free(&cfg);
			return 1;
		}
		printf("pathwayd: %s: %zu programmes, %zu cohorts: ok\n", conf, cfg->nprogrammes,
		       cfg->ncohorts);
		config_free(&cfg);
		return 0;
	}
	if (rehearse != NULL && rehearse_init(rehearse, from, &st) != 0) {
		fprintf(stderr, "pathwayd: %s\n", st.msg);
		return 1;
	}
	signals_install();
	if (server_open(conf, &srv, &st) != 0) {
		fprintf(stderr, "pathwayd: %s\n", st.msg);
		return rehearse_refused() ? REHEARSE_EXIT_REFUSED : 1;
	}
	server_run(srv, &stop_flag, &reload_flag);
	service_stopping();
	server_close(&srv);
	log_info("stopped");
	return 0;
}

/*
 * ctl.h: what every file of pathwayctl shares: the exit statuses, the
 * defaults, the client's settings and connection (struct ctl), and the shape
 * of a subcommand's table entry (struct ctl_cmd with its struct ctl_arg
 * arguments). The entries themselves are in cmds.c.
 */
#ifndef PW_CTL_H
#define PW_CTL_H

#include <jansson.h>

enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_REFUSED = 1, /* the daemon refused, or the input was unusable */
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_NOANSWER = 3, /* no daemon: no socket, or nothing listens on it */
	CTL_EXIT_SILENT = 4,   /* a daemon that does not answer (stopped or hung) */
};

#define CTL_DEFAULT_CONF "conf/pathway.conf"
#define CTL_DEFAULT_API "ipc://var/run/api.sock"
#define CTL_DEFAULT_EVENTS "ipc://var/run/events.sock"
#define CTL_DEFAULT_ACTOR "operator"
#define CTL_DEFAULT_TIMEOUT 10000
#define CTL_MAX_ARGS 14 /* a subcommand's arguments end with an empty entry */
#define CTL_PAGE 1000

/* The words of the roles and of the school phases, as usage and errors name them. */
#define CTL_ROLES "candidate|headteacher|coach|rater|host|la_adviser|viewer"
#define CTL_PHASES "primary|secondary|special|all-through"

/* The client's settings and its connection. */
struct ctl {
	const char *conf_flag; /* -c */
	const char *api_flag;  /* -e */
	const char *events_flag;
	const char *actor_flag;	   /* -a */
	const char *token_flag;	   /* --token: a person token every request carries */
	const char *rehearse_flag; /* --rehearse DIR: the rehearsal's sockets under DIR/run */
	char *conf;		   /* the configuration file read; NULL: none */
	long timeout_flag;	   /* -t, or -1 */
	char *api;
	char *events;
	char *actor;
	char *token;	       /* --token or PATHWAY_TOKEN; NULL: none */
	char *key_file;	       /* CURVE: this client's key file; NULL: no CURVE */
	char *server_key_file; /* CURVE: the daemon's public key file */
	int own_key;	       /* the key is not the operator's: no default actor */
	long timeout_ms;
	int json;
	void *zctx;
	void *sock;
	long long tag; /* makes request ids unique across runs */
	unsigned long nreq;
};

/* How the text of an argument becomes a JSON value in args. */
enum ctl_type {
	A_STR,	  /* a string */
	A_INT,	  /* an integer >= 0 */
	A_FLAG,	  /* a flag without a value: true */
	A_NOFLAG, /* a flag without a value: false */
	A_YESNO,  /* yes|no (true|false) */
	A_ENUM,	  /* one of meta's words ("a|b|c") */
	A_WORDS,  /* meta "x|y": x is true, y is false */
	A_LIST,	  /* an array; repeat the flag or separate with , ; | */
	A_FACT,	  /* KEY=VALUE into an object; numbers become numbers */
	/* a span of time in seconds: 3d, 1w2d, 90m (duration.c) */
	A_DURATION,
};

struct ctl_arg {
	const char *flag; /* "note" for --note; NULL for a positional */
	const char *key;  /* the args field it fills */
	enum ctl_type type;
	const char *meta; /* the placeholder in usage ("APP"); A_ENUM/A_WORDS: the words */
	int required;	  /* flags only: positionals are always required */
	const char *def;  /* the value when not given */
	const char *help;
};

struct ctl_cmd;
/* A runner takes args (it owns them) and returns an exit status. */
typedef int (*ctl_run_fn)(struct ctl *c, const struct ctl_cmd *e, json_t *args);
/* A show function prints a reply's data to a person. */
typedef void (*ctl_show_fn)(const json_t *data);

struct ctl_cmd {
	const char *name; /* one word, or two ("clock set") */
	const char *cmd;  /* the wire command */
	const char *roles;
	const char *summary;
	struct ctl_arg args[CTL_MAX_ARGS];
	ctl_run_fn run;	  /* NULL: send one request with the parsed args */
	ctl_show_fn show; /* NULL: print the data as JSON */
};

#endif

/*
 * server.h: pathwayd's event loop. One thread polls the api ROUTER; each
 * turn it reads a batch of requests, applies them in one write transaction
 * (each in its own child transaction), commits once, then replies and
 * publishes the batch's events on the PUB socket.
 */
#ifndef PW_SERVER_H
#define PW_SERVER_H

#include <signal.h>

#include "proto.h"

struct server;

/*
 * Load the configuration at conf_path, open the store it names (taking its
 * lock so only one daemon serves a store), check the store against the
 * configuration, and bind the sockets. On success *out owns everything.
 */
int server_open(const char *conf_path, struct server **out, struct pw_status *st);
void server_close(struct server **s);

/*
 * Serve until *stop becomes non-zero. When *reload becomes non-zero, reload
 * programmes and cohorts (server_reload) and clear it. Returns 0.
 */
int server_run(struct server *s, volatile sig_atomic_t *stop, volatile sig_atomic_t *reload);

/*
 * Reload the configuration file. A configuration with errors, or one that
 * drops a cohort or stage the store still holds applications in, is refused
 * and the running one kept; st says why.
 */
int server_reload(struct server *s, struct pw_status *st);

#endif

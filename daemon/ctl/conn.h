/*
 * conn.h: pathwayctl's connection to pathwayd: where to connect and as whom
 * (flags, environment, configuration), the DEALER socket, and requests with
 * unique ids, resent while waiting for the reply.
 */
#ifndef PW_CTL_CONN_H
#define PW_CTL_CONN_H

#include <stdint.h>

#include <jansson.h>

#include "ctl.h"

/* Milliseconds on the monotonic clock, for timeouts. */
int64_t conn_now_ms(void);

/*
 * Resolve c's endpoint, events endpoint, actor and timeout: flags, then the
 * environment (PATHWAY_API, PATHWAY_EVENTS, PATHWAY_ACTOR), then the
 * configuration file (-c, PATHWAY_CONF, or conf/pathway.conf if it exists),
 * then the defaults. Returns 0, or CTL_EXIT_USAGE with the file's error
 * printed. The strings set in c are freed by the caller.
 */
int conn_settings(struct ctl *c);

/*
 * Connect c's api socket once (later calls do nothing). Returns 0, or
 * CTL_EXIT_USAGE with the message printed for an endpoint ZeroMQ rejects.
 */
int conn_open(struct ctl *c);

/*
 * Make sock a CURVE client with c's key file and the daemon's public key,
 * when c has a key file; 0, or the usage status (printed) when a file
 * cannot be read.
 */
int conn_curve(const struct ctl *c, void *sock);

/* Close c's socket and end its ZeroMQ context; safe to call twice. */
void conn_close(struct ctl *c);

/*
 * Receive one message on sock and return its last frame parsed as JSON (a
 * new reference), or NULL if it is not JSON or nothing could be received.
 */
json_t *conn_recv(void *sock);

/*
 * Send cmd with args (stolen) and wait up to the timeout for the reply with
 * this request's id, resending the same request (same id: idempotent) a few
 * times meanwhile. Returns 0 with *reply (new reference) or
 * CTL_EXIT_NOANSWER with the message printed.
 */
int conn_request(struct ctl *c, const char *cmd, json_t *args, json_t **reply);

/*
 * Print the refusal in reply to stderr as "pathwayctl: CODE: WHERE: MESSAGE"
 * (without "WHERE: " when where is NULL).
 */
void conn_refused(const json_t *reply, const char *where);

/*
 * One command: 0 with *data (new reference) on success; 1 with the refusal
 * printed; 3 when the daemon does not answer. args is stolen.
 */
int conn_call(struct ctl *c, const char *cmd, json_t *args, json_t **data);

/*
 * The default runner: one request for e with args (stolen), its data shown
 * by output_reply. Returns the exit status, as conn_call.
 */
int conn_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

#endif

/*
 * probe.h: is a daemon there? The api socket's connection watched until its
 * handshake succeeds, so a missing or silent daemon is told apart from a
 * slow command at once, not after the command's timeout.
 */
#ifndef PW_CTL_PROBE_H
#define PW_CTL_PROBE_H

/* How long a daemon has to take the connection (complete the ZMTP handshake), in ms. */
#define PROBE_MS 1000

struct probe;

/* Watch sock's connections; call before zmq_connect. NULL if it cannot be watched. */
struct probe *probe_start(void *zctx, void *sock);

/*
 * Wait at most ms for the handshake on endpoint (curve: the connection is
 * a CURVE client, whose handshake the daemon's loop answers between
 * commands; only the message differs). 0 when it succeeded;
 * CTL_EXIT_NOANSWER when nothing listens there (connection refused);
 * CTL_EXIT_SILENT when something took the connection but did not complete
 * the handshake, or nothing happened at all; CTL_EXIT_REFUSED when the
 * daemon refused the handshake (CURVE: a key it does not admit). Prints why
 * on stderr. Frees p (NULL: returns 0).
 */
int probe_wait(struct probe *p, const char *endpoint, const char *conf, long ms, int curve);

/* Stop watching without waiting; frees p (may be NULL). */
void probe_free(struct probe *p);

#endif

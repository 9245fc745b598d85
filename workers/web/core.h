/*
 * core.h: what the core of pathway-web (web.c, loop.c, api.c, http.c,
 * sse.c) says to itself and pages never need: opening and closing the
 * sockets, the loop's turn, the MHD callbacks, streamed responses. The
 * contract with the pages is web.h.
 */
#ifndef PW_WEB_CORE_H
#define PW_WEB_CORE_H

#include <microhttpd.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "web.h"

/* Milliseconds of a monotonic clock (deadlines, keepalives). */
static inline int64_t
web_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- api.c ------------------------------------------------------------------- */

/*
 * Connect the DEALER to conf->api (a CURVE client with conf's keys in curve
 * mode). Returns 0, or -1 with a message in err (errlen bytes).
 */
int api_open(void *zctx, const struct web_conf *conf, char *err, size_t errlen);
/* The socket, for the loop's poll. */
void *api_socket(void);
/* Read every reply waiting and run its request's callback. */
void api_read(void);
/* Run with NULL the callbacks of requests past their deadline. */
void api_expire(int64_t now_ms);
/* Milliseconds until the next deadline (0 if one passed), -1 when nothing is pending. */
long api_timeout_ms(int64_t now_ms);
/* Fail every pending request (its callback gets NULL), then close the socket. */
void api_close(void);

/* ---- http.c ------------------------------------------------------------------ */

/* Remember the settings; draw the per-process CSRF key (sodium_init first). */
void http_init(const struct web_conf *conf);
/* MHD's access handler and request-completed callback (loop.c hands them to MHD). */
enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
			    const char *method, const char *version, const char *upload,
			    size_t *upload_size, void **con_cls);
void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		    enum MHD_RequestTerminationCode toe);
/* Before MHD stops: answer (503) every request still waiting, so none is suspended. */
void http_stop(void);
/* Free the route table (after MHD stopped). */
void http_free(void);

/*
 * Finish r with a streamed body: MHD calls reader for bytes (see sse.c) and
 * free_cb when the connection is done with it. The security headers are
 * added as for every reply.
 */
void req_reply_stream(struct req *r, const char *type, MHD_ContentReaderCallback reader, void *cls,
		      MHD_ContentReaderFreeCallback free_cb);
/* The MHD connection of r (to suspend and resume a stream). */
struct MHD_Connection *req_connection(const struct req *r);

/* ---- sse.c ------------------------------------------------------------------- */

/* Register GET /events. */
void sse_routes(void);
/* Milliseconds until the next keepalive is due, -1 with no stream open. */
long sse_timeout_ms(int64_t now_ms);
/* Keepalives when due. */
void sse_tick(int64_t now_ms);
/* End every stream (before MHD stops), so no connection stays suspended. */
void sse_stop(void);
/* Free the ring of recent events (after MHD stopped). */
void sse_free(void);

/* ---- loop.c ------------------------------------------------------------------ */

/* Serve until *stop becomes non-zero (a signal). Returns 0, or 1 when it could not start. */
int loop_run(const struct web_conf *conf, volatile sig_atomic_t *stop);

/* origin.c: whether Sec-Fetch-Site or Origin (either may be NULL) says another site sent it. */
int origin_cross_site(const char *site, const char *origin, const char *base_url);

#endif

/*
 * access.h: who is speaking (DESIGN.md, "Who is speaking"; guarantee 8).
 *
 * Every message pathwayd reads is tied to a principal by its transport:
 * - security "local": the sockets are ipc files only the daemon's user may
 *   open (directory 0700, files 0600); every peer is the operator.
 * - security "curve": every socket is a CURVE server and pathwayd answers
 *   ZAP (inproc://zeromq.zap.01). Only public keys in the key registry get
 *   in, each bound to one principal; ZAP names the key as the connection's
 *   User-Id, and every message is checked against the registry again, so a
 *   revoked key is refused from its next message.
 */
#ifndef PW_ACCESS_H
#define PW_ACCESS_H

#include <jansson.h>
#include <lmdb.h>
#include <zmq.h>

#include "config.h"
#include "keys.h"
#include "store.h"
#include "util.h"
#include "wctx.h"

/* What a principal may do (one each). */
enum {
	GRANT_OPERATOR = 1, /* a local peer, or an operator key: any command, for any person */
	GRANT_PERSON = 2,   /* a person's key: acts as that person only */
	GRANT_MAILER = 4,   /* the workers socket only */
	GRANT_WEB = 8,	    /* the api, and only with a person's token */
	GRANT_VIEWER = 16,  /* the event stream and read commands */
};

struct principal {
	int grant;
	char name[PW_ID_MAX + 8];   /* "operator", "person:ID", "mailer", "web", "viewer" */
	char person[PW_ID_MAX + 1]; /* the person a person key belongs to */
	char key[PW_ID_MAX + 1];    /* the key id; "" for a local peer */
};

struct access;

/*
 * Set up authentication for cfg's security mode. In curve mode: read the
 * daemon's key file (creating it, with its public half beside it as
 * NAME.pub, at the first start), create the operator's key file and register
 * it when missing, and bind the ZAP handler in zctx. Returns 0 or
 * PW_ECONFIG/PW_ESTORE with st; *out is freed with access_close.
 */
int access_open(void *zctx, struct store *s, const struct pw_config *cfg, struct access **out,
		struct pw_status *st);
void access_close(struct access **a);

/* The configuration after a reload (the security settings themselves take effect at start). */
void access_reload(struct access *a, const struct pw_config *cfg);

/*
 * Make sock (not yet bound) a server of domain ("api", "events", "workers")
 * in curve mode: CURVE with the daemon's secret key, ZAP in that domain.
 * Nothing in local mode.
 */
void access_serve(struct access *a, void *sock, const char *domain);

/*
 * Bind sock to endpoint. In local mode an ipc socket's directory must be
 * the daemon's own: it is made 0700 before the bind and the socket file
 * 0600 after it; a shared directory or another user's is refused. Returns 0
 * or PW_ECONFIG with st saying why.
 */
int access_bind(struct access *a, void *sock, const char *endpoint, struct pw_status *st);

/* The ZAP socket to poll, or NULL in local mode. */
void *access_zap_socket(struct access *a);

/*
 * Answer one ZAP request waiting on the ZAP socket. A refused key is
 * audited (audit.refused naming the key and its principal) in a
 * transaction of its own; the events committed are appended to events for
 * the caller to publish.
 */
void access_zap_answer(struct access *a, json_t *events);

/*
 * Parse a ZAP request of n frames f (RFC 27: version "1.0", request id,
 * domain, address, identity, mechanism "CURVE", one 32-byte public key):
 * the domain into domain and the key, Z85-encoded, into pub. 0 or
 * PW_EMALFORMED (anything else: other mechanisms, extra frames).
 */
int access_zap_parse(zmq_msg_t *f, int n, char domain[64], char pub[PW_KEY_Z85]);

/*
 * Whether key id is registered and not revoked, read in txn: 0, or
 * PW_EUNAUTHENTICATED (or PW_ESTORE) with st saying why. The workers
 * socket asks it of every message, as access_principal does for the api.
 */
int access_key_live(struct store *s, MDB_txn *txn, const char *id, struct pw_status *st);

/*
 * The principal of a message read from a socket (any frame of it). Local
 * mode: the operator. Curve mode: the key the message's User-Id names, read
 * in txn; PW_EUNAUTHENTICATED when it is unknown or revoked.
 */
int access_principal(struct access *a, MDB_txn *txn, zmq_msg_t *msg, struct principal *p,
		     struct pw_status *st);

/*
 * The key registry. access_key_add registers public key pub (Z85) for a
 * person or a service ("operator", "mailer", "web", "viewer"), emitting
 * key.added; *rec is the new record. access_key_revoke marks key id revoked
 * from now, emitting key.revoked. access_key_list returns every key (no secret
 * is ever stored). Errors: PW_EINVALID, PW_ENOTFOUND, PW_EEXISTS,
 * PW_ETRANSITION (already revoked), PW_ESTORE.
 */
int access_key_add(struct wctx *c, const char *pub, const char *person, const char *service,
		   const char *note, json_t **rec);
int access_key_revoke(struct wctx *c, const char *id, json_t **rec);
int access_key_list(struct wctx *c, json_t **keys);

#endif

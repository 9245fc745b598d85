/*
 * access.c: who is speaking (access.h). Owns the daemon's CURVE key pair, the
 * ZAP handler and the key registry. A key record (DB_KEYS, under its id
 * "K000001") holds the public key (Z85), the principal it is bound to
 * ("person" or "service"), when it was created and, once revoked, when;
 * DB_KEYS_BY_PUBLIC (public \0 id) is ZAP's look-up. No secret key is ever
 * stored: a client's secret lives only in its own key file.
 */
#include "access.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "keys.h"
#include "util.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FRAMES 8
#define AUDIT_MEMORY 64 /* refused public keys remembered, so a flood writes little */
#define AUDIT_QUIET 60	/* seconds before the same key's refusal is audited again */

struct refusal {
	char pub[PW_KEY_Z85];
	int64_t at;
};

struct access {
	const struct pw_config *cfg;
	struct store *store;
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85];
	void *zap;
	struct refusal recent[AUDIT_MEMORY];
	size_t next_recent;
};

static const char *const services[] = {"operator", "mailer", "web", "viewer", NULL};
static const int service_grants[] = {GRANT_OPERATOR, GRANT_MAILER, GRANT_WEB, GRANT_VIEWER};

/* Fill p from key record rec. */
static void
principal_of(const json_t *rec, struct principal *p)
{
	const char *person = str(rec, "person"), *service = str(rec, "service");

	memset(p, 0, sizeof *p);
	snprintf(p->key, sizeof p->key, "%s", str(rec, "id"));
	if (person != NULL) {
		p->grant = GRANT_PERSON;
		snprintf(p->person, sizeof p->person, "%s", person);
		snprintf(p->name, sizeof p->name, "person:%s", person);
		return;
	}
	for (int i = 0; services[i] != NULL; i++)
		if (streq(service, services[i]))
			p->grant = service_grants[i];
	snprintf(p->name, sizeof p->name, "%s", service ? service : "");
}

static int
first_id(const char *id, void *ud)
{
	snprintf(ud, PW_ID_MAX + 1, "%s", id);
	return 1;
}

/* The record of the key whose public half is pub, or PW_ENOTFOUND. */
static int
key_by_public(struct store *s, MDB_txn *txn, const char *pub, json_t **rec)
{
	char id[PW_ID_MAX + 1] = "";

	*rec = NULL;
	if (store_index_scan(s, txn, DB_KEYS_BY_PUBLIC, pub, NULL, NULL, NULL, first_id, id) != 0)
		return PW_ESTORE;
	if (id[0] == '\0')
		return PW_ENOTFOUND;
	return store_rec_get(s, txn, DB_KEYS, id, rec);
}

int
access_key_add(struct wctx *c, const char *pub, const char *person, const char *service,
	       const char *note, json_t **rec)
{
	char id[32], t[PW_TIME_LEN];
	json_t *old = NULL, *ev;
	uint64_t n;
	int known = 0, rc;

	*rec = NULL;
	if (!pw_key_valid(pub))
		return pw_fail(c->st, PW_EINVALID, "'public': not a Z85 CURVE public key");
	if ((person == NULL) == (service == NULL))
		return pw_fail(c->st, PW_EINVALID, "a key belongs to a 'person' or a 'service'");
	for (int i = 0; service != NULL && services[i] != NULL; i++)
		known |= streq(service, services[i]);
	if (service != NULL && !known)
		return pw_fail(c->st, PW_EINVALID,
			       "'service': must be operator, mailer, web or viewer");
	if (person != NULL && !store_rec_exists(c->store, c->txn, DB_PEOPLE, person))
		return pw_fail(c->st, PW_ENOTFOUND, "no person '%s'", person);
	rc = key_by_public(c->store, c->txn, pub, &old);
	json_decref(old);
	if (rc == 0)
		return pw_fail(c->st, PW_EEXISTS, "that public key is already registered");
	if (rc != PW_ENOTFOUND || store_counter_next(c->store, c->txn, "next_key", &n, c->st) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: registering a key");
	snprintf(id, sizeof id, "K%06llu", (unsigned long long)n);
	*rec = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "id", id, "public", pub, "created",
			 pw_time_format(c->now, t));
	json_object_set_new(*rec, person ? "person" : "service",
			    json_string(person ? person : service));
	if (note != NULL)
		json_object_set_new(*rec, "note", json_string(note));
	rc = store_rec_put(c->store, c->txn, DB_KEYS, id, *rec, c->st);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_KEYS_BY_PUBLIC, pub, id, NULL, c->st);
	ev = json_pack("{s:s, s:{s:s, s:s}}", "type", "key.added", "data", "key", id, "principal",
		       person ? "person" : service);
	if (person != NULL)
		json_object_set_new(json_object_get(ev, "data"), "person", json_string(person));
	if (rc == 0)
		rc = wctx_emit(c, ev);
	json_decref(ev);
	return rc;
}

int
access_key_revoke(struct wctx *c, const char *id, json_t **rec)
{
	char t[PW_TIME_LEN];
	json_t *ev;
	int rc = store_rec_get(c->store, c->txn, DB_KEYS, id, rec);

	if (rc == PW_ENOTFOUND)
		return pw_fail(c->st, PW_ENOTFOUND, "no key '%s'", id);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading key %s", id);
	if (str(*rec, "revoked") != NULL)
		return pw_fail(c->st, PW_ETRANSITION, "key %s was revoked at %s", id,
			       str(*rec, "revoked"));
	json_object_set_new(*rec, "revoked", json_string(pw_time_format(c->now, t)));
	rc = store_rec_put(c->store, c->txn, DB_KEYS, id, *rec, c->st);
	ev = json_pack("{s:s, s:{s:s}}", "type", "key.revoked", "data", "key", id);
	if (rc == 0)
		rc = wctx_emit(c, ev);
	json_decref(ev);
	return rc;
}

static int
key_visit(const char *id, json_t *rec, void *ud)
{
	(void)id;
	json_object_del(rec, "v");
	json_array_append(ud, rec);
	return 0;
}

int
access_key_list(struct wctx *c, json_t **keys)
{
	*keys = json_array();
	if (store_rec_scan(c->store, c->txn, DB_KEYS, NULL, key_visit, *keys) != 0) {
		json_decref(*keys);
		*keys = NULL;
		return pw_fail(c->st, PW_ESTORE, "store: listing keys");
	}
	return 0;
}

/* A write context of the daemon's own, for the key registry at start and for audits. */
static int
own_txn(struct access *a, MDB_txn **txn, struct wctx *c, struct pw_status *st)
{
	memset(c, 0, sizeof *c);
	if (store_txn_begin(a->store, NULL, 0, txn, st) != 0)
		return PW_ESTORE;
	c->store = a->store;
	c->txn = *txn;
	c->cfg = a->cfg;
	c->now = pw_clock_now();
	c->actor_id = "pathwayd";
	c->events = json_array();
	c->st = st;
	return 0;
}

/* The daemon's own key pair: read, or made at the first start. */
static int
server_key(struct access *a, struct pw_status *st)
{
	const char *path = a->cfg->daemon.curve_key;
	char *pubpath;
	int rc;

	if (access(path, F_OK) == 0)
		return pw_keyfile_read(path, a->pub, a->sec, st);
	if (zmq_curve_keypair(a->pub, a->sec) != 0)
		return pw_fail(st, PW_ECONFIG, "this libzmq has no CURVE support");
	rc = pw_keyfile_write(path, "pathwayd's key: keep it secret", a->pub, a->sec, st);
	pubpath = pw_keyfile_public_path(path);
	if (rc == 0)
		rc = pw_keyfile_write(pubpath, "pathwayd's public key: give it to clients", a->pub,
				      NULL, st);
	if (rc == 0)
		log_info("access: made the daemon's key %s and its public half %s", path, pubpath);
	free(pubpath);
	return rc;
}

/*
 * The operator's key: made and registered at the first start, so whoever
 * may read it (the daemon's Unix user) can run pathwayctl. A file that
 * exists is never registered again: its key may have been revoked on purpose.
 */
static int
operator_key(struct access *a, struct pw_status *st)
{
	const char *path = a->cfg->daemon.operator_key;
	char pub[PW_KEY_Z85], sec[PW_KEY_Z85];
	MDB_txn *txn = NULL;
	json_t *rec = NULL;
	struct wctx c;
	int rc;

	if (access(path, F_OK) == 0)
		return 0;
	if (zmq_curve_keypair(pub, sec) != 0)
		return pw_fail(st, PW_ECONFIG, "this libzmq has no CURVE support");
	rc = own_txn(a, &txn, &c, st);
	if (rc == 0)
		rc = access_key_add(&c, pub, NULL, "operator", "made at the first start", &rec);
	if (rc == 0)
		rc = pw_keyfile_write(path, "an operator's key for pathwayctl: keep it secret", pub,
				      sec, st);
	if (rc == 0)
		rc = store_txn_commit(&txn, st);
	if (rc == 0)
		log_info("access: made the operator's key %s (%s)", path, str(rec, "id"));
	else
		unlink(path);
	store_txn_abort(&txn);
	json_decref(rec);
	json_decref(c.events);
	return rc;
}

int
access_open(void *zctx, struct store *s, const struct pw_config *cfg, struct access **out,
	    struct pw_status *st)
{
	struct access *a = xcalloc(1, sizeof *a);
	int linger = 0;

	*out = a;
	a->cfg = cfg;
	a->store = s;
	if (!cfg->daemon.curve)
		return 0;
	if (!zmq_has("curve"))
		return pw_fail(st, PW_ECONFIG, "%s: daemon.security: this libzmq has no CURVE",
			       cfg->file);
	if (server_key(a, st) != 0 || operator_key(a, st) != 0)
		return PW_ECONFIG;
	a->zap = zmq_socket(zctx, ZMQ_REP);
	zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_bind(a->zap, ZAP_ENDPOINT) != 0)
		return pw_fail(st, PW_ECONFIG, "access: cannot bind %s: %s", ZAP_ENDPOINT,
			       zmq_strerror(zmq_errno()));
	return 0;
}

void
access_close(struct access **pa)
{
	struct access *a = *pa;

	if (a == NULL)
		return;
	if (a->zap != NULL)
		zmq_close(a->zap);
	sodium_memzero(a->sec, sizeof a->sec);
	free(a);
	*pa = NULL;
}

void
access_reload(struct access *a, const struct pw_config *cfg)
{
	a->cfg = cfg;
}

void
access_serve(struct access *a, void *sock, const char *domain)
{
	int one = 1;

	if (!a->cfg->daemon.curve)
		return;
	zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one);
	zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->sec, PW_KEY_Z85);
	zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain));
}

/*
 * Local mode: the socket's directory is the daemon's own, 0700, so no other
 * user can reach the file even for the moment before it is made 0600. A
 * directory others share (world-writable, or another user's) is refused:
 * the daemon will not change its mode.
 */
static int
local_dir(const char *endpoint, const char *dir, struct pw_status *st)
{
	struct stat sb;

	if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
		return pw_fail(st, PW_ECONFIG,
			       "%s: in local mode the sockets need a directory of their own (e.g. "
			       "ipc://var/run/api.sock), which the daemon makes 0700",
			       endpoint);
	if (stat(dir, &sb) != 0)
		return pw_fail(st, PW_ECONFIG, "%s: cannot read its directory %s: %s", endpoint,
			       dir, strerror(errno));
	if (sb.st_uid != geteuid())
		return pw_fail(st, PW_ECONFIG,
			       "%s: its directory %s belongs to another user; in local mode the "
			       "sockets need a directory of the daemon's own",
			       endpoint, dir);
	if (sb.st_mode & (S_ISVTX | S_IWOTH))
		return pw_fail(st, PW_ECONFIG,
			       "%s: its directory %s is shared (world-writable); in local mode the "
			       "sockets need a directory of the daemon's own",
			       endpoint, dir);
	if ((sb.st_mode & 07777) != 0700 && chmod(dir, 0700) != 0)
		return pw_fail(st, PW_ECONFIG, "%s: cannot make %s 0700: %s", endpoint, dir,
			       strerror(errno));
	return 0;
}

int
access_bind(struct access *a, void *sock, const char *endpoint, struct pw_status *st)
{
	const char *path = strncmp(endpoint, "ipc://", 6) == 0 ? endpoint + 6 : NULL;
	const char *slash = path ? strrchr(path, '/') : NULL;
	char *dir = NULL;
	int rc = 0;

	if (pw_endpoint_prepare(endpoint) != 0)
		return pw_fail(st, PW_ECONFIG, "cannot create the directory of %s: %s", endpoint,
			       strerror(errno));
	if (!a->cfg->daemon.curve && path != NULL) {
		dir = slash ? xasprintf("%.*s", slash == path ? 1 : (int)(slash - path), path)
			    : xstrdup(".");
		rc = local_dir(endpoint, dir, st);
	}
	if (rc == 0 && zmq_bind(sock, endpoint) != 0)
		rc = pw_fail(st, PW_ECONFIG, "cannot bind %s: %s", endpoint,
			     zmq_strerror(zmq_errno()));
	if (rc == 0 && dir != NULL && chmod(path, 0600) != 0)
		rc = pw_fail(st, PW_ECONFIG, "%s: cannot make the socket 0600: %s", endpoint,
			     strerror(errno));
	free(dir);
	return rc;
}

void *
access_zap_socket(struct access *a)
{
	return a->zap;
}

/* Whether a refusal of pub is worth an audit event now (one a minute per key). */
static int
audit_due(struct access *a, const char *pub, int64_t now)
{
	for (size_t i = 0; i < AUDIT_MEMORY; i++)
		if (strcmp(a->recent[i].pub, pub) == 0) {
			if (now - a->recent[i].at < AUDIT_QUIET)
				return 0;
			a->recent[i].at = now;
			return 1;
		}
	snprintf(a->recent[a->next_recent].pub, PW_KEY_Z85, "%s", pub);
	a->recent[a->next_recent].at = now;
	a->next_recent = (a->next_recent + 1) % AUDIT_MEMORY;
	return 1;
}

/* audit.refused for a handshake, committed on its own; the event goes to events. */
static void
audit_handshake(struct access *a, const char *domain, const char *pub, const json_t *key,
		const char *why, json_t *events)
{
	struct pw_status st;
	MDB_txn *txn = NULL;
	struct wctx c;
	json_t *ev;

	if (!audit_due(a, pub, pw_clock_now()) || own_txn(a, &txn, &c, &st) != 0)
		return;
	ev = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "type", "audit.refused", "data", "socket",
		       domain, "code", pw_errcode(key ? PW_EFORBIDDEN : PW_EUNAUTHENTICATED),
		       "reason", why, "public", pub);
	if (key != NULL) {
		struct principal p;

		principal_of(key, &p);
		json_object_set_new(json_object_get(ev, "data"), "key", json_string(p.key));
		json_object_set_new(json_object_get(ev, "data"), "principal", json_string(p.name));
	}
	if (wctx_emit(&c, ev) == 0 && store_txn_commit(&txn, &st) == 0)
		json_array_extend(events, c.events);
	store_txn_abort(&txn);
	json_decref(c.events);
	json_decref(ev);
}

/* Why principal p may not connect to domain, or NULL. */
static const char *
domain_refuses(struct access *a, MDB_txn *txn, const char *domain, const struct principal *p)
{
	json_t *person = NULL;
	int la;

	if (p->grant == GRANT_OPERATOR)
		return NULL;
	if (streq(domain, "workers"))
		return p->grant == GRANT_MAILER ? NULL
						: "only mailer keys serve the workers socket";
	if (p->grant == GRANT_MAILER)
		return "a mailer key serves the workers socket only";
	if (streq(domain, "api"))
		return NULL;
	/* events: viewers, LA advisers and the operator */
	if (p->grant == GRANT_VIEWER)
		return NULL;
	if (p->grant != GRANT_PERSON)
		return "the event stream is for viewer keys, LA advisers and the operator";
	store_rec_get(a->store, txn, DB_PEOPLE, p->person, &person);
	la = engine_roles(person) & ROLE_LA_ADVISER;
	json_decref(person);
	return la ? NULL : "the event stream is for viewer keys, LA advisers and the operator";
}

/* Decide one ZAP request: 0 and the key id in uid, or the reason. */
static const char *
zap_decide(struct access *a, const char *domain, const char *pub, char *uid, json_t **key)
{
	struct pw_status st;
	MDB_txn *txn = NULL;
	struct principal p;
	const char *why = NULL;
	int rc;

	*key = NULL;
	if (store_txn_begin(a->store, NULL, 1, &txn, &st) != 0)
		return "the store cannot be read";
	rc = key_by_public(a->store, txn, pub, key);
	if (rc == PW_ENOTFOUND)
		why = "no such key";
	else if (rc != 0)
		why = "the store cannot be read";
	else if (str(*key, "revoked") != NULL)
		why = "the key was revoked";
	if (why == NULL) {
		principal_of(*key, &p);
		why = domain_refuses(a, txn, domain, &p);
		snprintf(uid, PW_ID_MAX + 1, "%s", p.key);
	}
	store_txn_abort(&txn);
	return why;
}

int
access_zap_parse(zmq_msg_t *f, int n, char domain[64], char pub[PW_KEY_Z85])
{
	domain[0] = pub[0] = '\0';
	/* version, request id, domain, address, identity, mechanism, credentials */
	if (n != 7 || zmq_msg_size(&f[0]) != 3 || memcmp(zmq_msg_data(&f[0]), "1.0", 3) != 0 ||
	    zmq_msg_size(&f[2]) >= 64 || zmq_msg_size(&f[5]) != 5 ||
	    memcmp(zmq_msg_data(&f[5]), "CURVE", 5) != 0 || zmq_msg_size(&f[6]) != 32)
		return PW_EMALFORMED;
	memcpy(domain, zmq_msg_data(&f[2]), zmq_msg_size(&f[2]));
	domain[zmq_msg_size(&f[2])] = '\0';
	if (strlen(domain) != zmq_msg_size(&f[2]))
		return PW_EMALFORMED; /* a NUL inside */
	zmq_z85_encode(pub, zmq_msg_data(&f[6]), 32);
	return 0;
}

void
access_zap_answer(struct access *a, json_t *events)
{
	zmq_msg_t f[ZAP_FRAMES];
	char domain[64] = "", pub[PW_KEY_Z85] = "", uid[PW_ID_MAX + 1] = "";
	const char *why = "malformed ZAP request";
	json_t *key = NULL;
	int n = 0, more = 1;

	while (more) {
		size_t len = sizeof more;
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, a->zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&m);
			if (n == 0)
				return;
			break;
		}
		zmq_getsockopt(a->zap, ZMQ_RCVMORE, &more, &len);
		if (n < ZAP_FRAMES)
			f[n++] = m;
		else
			zmq_msg_close(&m);
	}
	if (access_zap_parse(f, n, domain, pub) == 0)
		why = zap_decide(a, domain, pub, uid, &key);
	/* Reply: version, request id, status code and text, user id, metadata. */
	zmq_send(a->zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(a->zap, n > 1 ? zmq_msg_data(&f[1]) : "", n > 1 ? zmq_msg_size(&f[1]) : 0,
		 ZMQ_SNDMORE);
	zmq_send(a->zap, why ? "400" : "200", 3, ZMQ_SNDMORE);
	zmq_send(a->zap, why ? why : "OK", strlen(why ? why : "OK"), ZMQ_SNDMORE);
	zmq_send(a->zap, uid, why ? 0 : strlen(uid), ZMQ_SNDMORE);
	zmq_send(a->zap, "", 0, 0);
	if (why != NULL && pub[0] != '\0') {
		log_info("access: refused %s key %.8s... on %s: %s",
			 key ? str(key, "id") : "unknown", pub, domain, why);
		audit_handshake(a, domain, pub, key, why, events);
	}
	json_decref(key);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
}

int
access_key_live(struct store *s, MDB_txn *txn, const char *id, struct pw_status *st)
{
	json_t *key = NULL;
	int rc = store_rec_get(s, txn, DB_KEYS, id, &key);

	if (rc == 0 && str(key, "revoked") != NULL)
		rc = pw_fail(st, PW_EUNAUTHENTICATED, "key %s was revoked", id);
	else if (rc == PW_ENOTFOUND)
		rc = pw_fail(st, PW_EUNAUTHENTICATED, "key %s is not registered", id);
	else if (rc != 0)
		rc = pw_fail(st, PW_ESTORE, "store: reading key %s", id);
	json_decref(key);
	return rc;
}

int
access_principal(struct access *a, MDB_txn *txn, zmq_msg_t *msg, struct principal *p,
		 struct pw_status *st)
{
	const char *uid;
	json_t *key = NULL;
	int rc;

	memset(p, 0, sizeof *p);
	if (!a->cfg->daemon.curve) {
		p->grant = GRANT_OPERATOR;
		snprintf(p->name, sizeof p->name, "operator");
		return 0;
	}
	uid = zmq_msg_gets(msg, "User-Id");
	if (uid == NULL || uid[0] == '\0')
		return pw_fail(st, PW_EUNAUTHENTICATED, "the connection has no key");
	/* One read of the key: named even when refused, for the audit. */
	rc = store_rec_get(a->store, txn, DB_KEYS, uid, &key);
	if (rc == 0) {
		principal_of(key, p);
		if (str(key, "revoked") != NULL)
			rc = pw_fail(st, PW_EUNAUTHENTICATED, "key %s was revoked", uid);
	} else if (rc == PW_ENOTFOUND) {
		rc = pw_fail(st, PW_EUNAUTHENTICATED, "key %s is not registered", uid);
	} else {
		rc = pw_fail(st, PW_ESTORE, "store: reading key %s", uid);
	}
	json_decref(key);
	return rc;
}

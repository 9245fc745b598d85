/*
 * keys.h: CURVE key files, shared by pathwayd, pathwayctl and
 * pathway-mailer. A key file is text in libconfig's syntax:
 *
 *   # pathway key K000003: person p-head-1
 *   public = "Z85 public key (40 characters)";
 *   secret = "Z85 secret key (40 characters)";
 *
 * A public file (the daemon's pathwayd.pub, for clients) has no secret.
 * Files with a secret are created 0600 and never rewritten.
 */
#ifndef PW_KEYS_H
#define PW_KEYS_H

#include "proto.h"

#define PW_KEY_Z85 41 /* 40 characters and the NUL */

/*
 * Read key file path: its public key into pub and, when sec is not NULL,
 * its secret key into sec (PW_ECONFIG if it has none). Returns 0 or
 * PW_ECONFIG with st naming the file and what is wrong.
 */
int pw_keyfile_read(const char *path, char pub[PW_KEY_Z85], char sec[PW_KEY_Z85],
		    struct pw_status *st);

/*
 * Create key file path (0600, its directory 0700 if missing) holding pub
 * and, when not NULL, sec, under a comment line. Refuses to replace an
 * existing file. Returns 0 or PW_ECONFIG with st.
 */
int pw_keyfile_write(const char *path, const char *comment, const char *pub, const char *sec,
		     struct pw_status *st);

/*
 * Where the public half of key file path is written: NAME.key -> NAME.pub,
 * any other name with .pub added. The caller frees it.
 */
char *pw_keyfile_public_path(const char *path);

/* Whether s is a Z85-encoded 32-byte key (40 characters of the Z85 alphabet). */
int pw_key_valid(const char *s);

#endif

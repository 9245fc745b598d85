/*
 * keys.c: reading and writing CURVE key files (keys.h). The parser takes
 * the two settings it knows, one per line, and refuses anything else, so a
 * key file cannot be mistaken for another kind of file.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/"
			  "*?&<>()[]{}@%$#";

int
pw_key_valid(const char *s)
{
	if (s == NULL || strlen(s) != PW_KEY_Z85 - 1)
		return 0;
	for (; *s != '\0'; s++)
		if (strchr(z85, *s) == NULL)
			return 0;
	return 1;
}

/* One 'name = "value";' line: 1 and its parts, or 0. */
static int
setting(char *line, char **name, char **value)
{
	char *eq = strchr(line, '='), *q1, *q2;

	if (eq == NULL)
		return 0;
	*eq = '\0';
	*name = line + strspn(line, " \t");
	(*name)[strcspn(*name, " \t")] = '\0';
	q1 = strchr(eq + 1, '"');
	q2 = q1 ? strchr(q1 + 1, '"') : NULL;
	if (q2 == NULL || strspn(q2 + 1, " \t;\r\n") != strlen(q2 + 1))
		return 0;
	*q2 = '\0';
	*value = q1 + 1;
	return 1;
}

int
pw_keyfile_read(const char *path, char pub[PW_KEY_Z85], char sec[PW_KEY_Z85], struct pw_status *st)
{
	FILE *f = fopen(path, "r");
	char line[256], *name, *value;
	int n = 0, rc = 0;

	pub[0] = '\0';
	if (sec != NULL)
		sec[0] = '\0';
	if (f == NULL)
		return pw_fail(st, PW_ECONFIG, "%s: cannot read the key file: %s", path,
			       strerror(errno));
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		n++;
		if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		if (!setting(line, &name, &value))
			rc = pw_fail(st, PW_ECONFIG, "%s:%d: not a key file line", path, n);
		else if (!pw_key_valid(value))
			rc = pw_fail(st, PW_ECONFIG, "%s:%d: %s: not a Z85 key of 40 characters",
				     path, n, name);
		else if (strcmp(name, "public") == 0)
			snprintf(pub, PW_KEY_Z85, "%s", value);
		else if (strcmp(name, "secret") == 0 && sec != NULL)
			snprintf(sec, PW_KEY_Z85, "%s", value);
		else if (strcmp(name, "secret") != 0)
			rc = pw_fail(st, PW_ECONFIG, "%s:%d: %s: unknown setting (public, secret)",
				     path, n, name);
	}
	fclose(f);
	if (rc == 0 && pub[0] == '\0')
		rc = pw_fail(st, PW_ECONFIG, "%s: no public key", path);
	if (rc == 0 && sec != NULL && sec[0] == '\0')
		rc = pw_fail(st, PW_ECONFIG, "%s: no secret key (a public key file?)", path);
	return rc;
}

int
pw_keyfile_write(const char *path, const char *comment, const char *pub, const char *sec,
		 struct pw_status *st)
{
	const char *slash = strrchr(path, '/');
	char *text;
	int fd, rc = 0;
	ssize_t len;

	if (slash != NULL && slash != path) {
		char *dir = xasprintf("%.*s", (int)(slash - path), path);

		rc = pw_mkdirs(dir, 0700);
		free(dir);
		if (rc != 0)
			return pw_fail(st, PW_ECONFIG, "%s: cannot create its directory: %s", path,
				       strerror(errno));
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, sec != NULL ? 0600 : 0644);
	if (fd < 0)
		return pw_fail(st, PW_ECONFIG, "%s: cannot create the key file: %s", path,
			       strerror(errno));
	/* The mode asked for, whatever the umask. */
	if (fchmod(fd, sec != NULL ? 0600 : 0644) != 0)
		rc = pw_fail(st, PW_ECONFIG, "%s: %s", path, strerror(errno));
	text = xasprintf("# %s\npublic = \"%s\";\n%s%s%s", comment, pub, sec ? "secret = \"" : "",
			 sec ? sec : "", sec ? "\";\n" : "");
	len = (ssize_t)strlen(text);
	if (rc == 0 && (write(fd, text, (size_t)len) != len || fsync(fd) != 0))
		rc = pw_fail(st, PW_ECONFIG, "%s: cannot write the key file: %s", path,
			     strerror(errno));
	free(text);
	close(fd);
	if (rc != 0)
		unlink(path);
	return rc;
}

char *
pw_keyfile_public_path(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && strcmp(path + n - 4, ".key") == 0)
		return xasprintf("%.*s.pub", (int)(n - 4), path);
	return xasprintf("%s.pub", path);
}

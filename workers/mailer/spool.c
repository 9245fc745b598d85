/*
 * spool.c: a rehearsal's mail as files (spool.h). DIR/mail/JOB.eml holds one
 * message as it would have gone to the relay, after an "X-Pathway-Rehearsal-To"
 * line naming the envelope recipient.
 */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
spool_write(const char *dir, const char *job, const char *to_addr, const char *msg, char *why,
	    size_t whylen)
{
	char *mail, *path, *tmp, *head;
	int fd = -1, rc = -1;

	/* The job id names the file: one name inside DIR/mail, nothing else. */
	if (job == NULL || *job == '\0' || *job == '.' || strchr(job, '/') != NULL ||
	    to_addr == NULL || *to_addr == '\0' || strpbrk(to_addr, "\r\n") != NULL) {
		snprintf(why, whylen, "a job without a usable id or recipient address");
		return SPOOL_BAD_JOB;
	}
	mail = xasprintf("%s/mail", dir);
	path = xasprintf("%s/%s.eml", mail, job);
	tmp = xasprintf("%s/.%s.eml.tmp", mail, job);
	head = xasprintf("X-Pathway-Rehearsal-To: %s\r\n", to_addr);
	if (mkdir(mail, 0700) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", mail, strerror(errno));
		goto done;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, head, strlen(head)) != 0 ||
	    write_all(fd, msg, strlen(msg)) != 0 || fsync(fd) != 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		fd = -1;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto done;
	}
	/* The rename itself on disk before the job is reported done (and deleted). */
	fd = open(mail, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		snprintf(why, whylen, "%s: %s", mail, strerror(errno));
		goto done;
	}
	snprintf(why, whylen, "kept in %s", path);
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(mail);
	free(path);
	free(tmp);
	free(head);
	return rc;
}

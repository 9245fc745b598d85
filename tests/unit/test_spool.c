/*
 * test_spool.c: a rehearsal's mail spool (workers/mailer/spool.c): a message
 * is kept whole in DIR/mail/JOB.eml; a job no attempt could write (no usable
 * id or recipient address) is told apart (SPOOL_BAD_JOB: the mailer reports
 * it failed for good) from a file that could not be written (-1: the mailer
 * reports it for another attempt).
 */
#include "unit.h"

#include <sys/stat.h>

#include "spool.h"

static void
test_spool_kept_bad_job_and_io_error(void **state)
{
	char *dir = unit_tmpdir(), *path, *mail, why[256];
	FILE *f;
	char line[128];

	(void)state;
	assert_int_equal(spool_write(dir, "J000000001", "jo@school.example",
				     "Subject: x\r\n\r\nhi\r\n", why, sizeof why),
			 0);
	path = xasprintf("%s/mail/J000000001.eml", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	assert_string_equal(line, "X-Pathway-Rehearsal-To: jo@school.example\r\n");
	fclose(f);

	/* Permanent: no id, a path for an id, no address, an empty one, a header in it. */
	assert_int_equal(spool_write(dir, NULL, "jo@school.example", "x", why, sizeof why),
			 SPOOL_BAD_JOB);
	assert_int_equal(spool_write(dir, "../J1", "jo@school.example", "x", why, sizeof why),
			 SPOOL_BAD_JOB);
	assert_int_equal(spool_write(dir, "J000000002", NULL, "x", why, sizeof why), SPOOL_BAD_JOB);
	assert_int_equal(spool_write(dir, "J000000002", "", "x", why, sizeof why), SPOOL_BAD_JOB);
	assert_int_equal(
	    spool_write(dir, "J000000002", "a@b.c\r\nBcc: x@y.z", "x", why, sizeof why),
	    SPOOL_BAD_JOB);
	assert_string_equal(why, "a job without a usable id or recipient address");

	/* An I/O failure: the rehearsal's directory is a file, so DIR/mail cannot be made. */
	mail = xasprintf("%s/file", dir);
	f = fopen(mail, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(spool_write(mail, "J000000003", "jo@school.example", "x", why, sizeof why),
			 -1);
	assert_non_null(strstr(why, "file/mail"));
	free(mail);
	free(path);
	unit_rmtree(dir); /* frees dir */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spool_kept_bad_job_and_io_error),
	};

	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

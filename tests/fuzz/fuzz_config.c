/*
 * fuzz_config: libFuzzer target for the programme loader: any file must load
 * or be refused with a message, never crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/pw-fuzz-XXXXXX";
	struct pw_config cfg = {0};
	struct programme p;
	struct pw_status st;
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return 0;
	f = fdopen(fd, "wb");
	fwrite(data, 1, size, f);
	fclose(f);
	cfg.daemon.templates = (char *)"conf/templates";
	if (config_programme_load(&cfg, path, &p, &st) == 0)
		config_programme_clear(&p);
	for (size_t i = 0; i < cfg.ntemplates; i++) {
		free(cfg.templates[i]->name);
		free(cfg.templates[i]->subject);
		free(cfg.templates[i]->text);
		free(cfg.templates[i]->html);
		free(cfg.templates[i]);
	}
	free(cfg.templates);
	unlink(path);
	return 0;
}

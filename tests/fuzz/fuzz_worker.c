/*
 * fuzz_worker: libFuzzer target for the worker protocol as the daemon reads
 * it (outbox_workers.c). The input is cut at each 0xFF byte into messages,
 * sent in turn by two workers to an outbox on a real store (from the source
 * dir: conf/pathway.conf): whatever a peer sends is applied or refused with
 * an error reply, never a crash or a leak. Each input's transaction is
 * aborted, so the store stays as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "outbox_internal.h"
#include "store.h"
#include "util.h"

static struct pw_config *cfg;
static struct store *store;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/pw-fuzz-worker-XXXXXX";
	struct pw_status st;

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	if (config_load("conf/pathway.conf", &cfg, &st) != 0 || mkdtemp(dir) == NULL ||
	    store_open(dir, 64 << 20, &store, &st) != 0)
		fatal("fuzz_worker: run from the source directory: %s", st.msg);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outbox *ob = outbox_new();
	struct pw_status st;
	MDB_txn *txn = NULL;
	struct wctx c = {0};
	size_t start = 0;
	int n = 0;

	if (store_txn_begin(store, NULL, 0, &txn, &st) != 0)
		fatal("fuzz_worker: %s", st.msg);
	c = (struct wctx){.store = store,
			  .txn = txn,
			  .cfg = cfg,
			  .now = 1788249600,
			  .actor_id = "pathwayd",
			  .events = json_array(),
			  .st = &st};
	for (size_t i = 0; i <= size && n < 64; i++) {
		struct wire w = {.ident_len = 2, .delimited = n % 3 == 0};

		if (i < size && data[i] != 0xff)
			continue;
		memcpy(w.ident, n % 2 ? "w2" : "w1", 2);
		w.len = i - start;
		w.body = xmalloc(w.len + 1);
		memcpy(w.body, data + start, w.len);
		w.body[w.len] = '\0';
		outbox_message_apply(ob, &c, &w, 1000.0 + n);
		free(w.body);
		start = i + 1;
		n++;
	}
	store_txn_abort(&txn);
	json_decref(c.events);
	outbox_free(&ob);
	return 0;
}

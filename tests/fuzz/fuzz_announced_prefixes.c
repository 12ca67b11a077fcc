/* fuzz_announced_prefixes.c - libFuzzer target for
 * upm_parse_announced_prefixes.  Each prefix handed out is also run through
 * upm_prefix_check, as the looking-glass plan does before a prefix reaches
 * a URL. */
#include "fuzz.h"

struct prefix_ctx {
	size_t seen;
	int stop;
};

static int
prefix_sink(void *ctx, const char *prefix)
{
	struct prefix_ctx *c = ctx;
	upm_error err;

	FUZZ_REQUIRE(prefix != NULL);
	memset(&err, 0, sizeof(err));
	fuzz_check_status(upm_prefix_check(prefix, &err), &err);
	c->seen++;
	return c->stop;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flag_sets[] = { 0, UPM_PARSE_DATA_ONLY };
	struct prefix_ctx c;
	upm_meta meta;
	upm_error err;
	upm_status st;
	size_t i;

	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		memset(&err, 0, sizeof(err));
		c.seen = 0;
		c.stop = fuzz_stop_early(size);
		st = upm_parse_announced_prefixes((const char *)data, size,
		    flag_sets[i], prefix_sink, &c, &meta, &err);
		fuzz_check_status(st, &err);
		if (c.stop && c.seen > 0)
			FUZZ_REQUIRE(st == UPM_ERR_ABORTED && c.seen == 1);
		if (st == UPM_OK)
			fuzz_check_meta(&meta, c.seen);
	}
	return 0;
}

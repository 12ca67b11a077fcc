/* fuzz_asn_neighbours.c - libFuzzer target for upm_parse_asn_neighbours. */
#include "fuzz.h"

struct neigh_ctx {
	size_t seen;
	int stop;
};

static int
neigh_sink(void *ctx, const upm_neighbour *n)
{
	struct neigh_ctx *c = ctx;

	FUZZ_REQUIRE(n != NULL);
	FUZZ_REQUIRE(n->type == UPM_NEIGH_LEFT || n->type == UPM_NEIGH_RIGHT ||
	    n->type == UPM_NEIGH_UNCERTAIN);
	c->seen++;
	return c->stop;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flag_sets[] = { 0, UPM_PARSE_DATA_ONLY };
	struct neigh_ctx c;
	upm_meta meta;
	upm_error err;
	upm_status st;
	size_t i;

	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		memset(&err, 0, sizeof(err));
		c.seen = 0;
		c.stop = fuzz_stop_early(size);
		st = upm_parse_asn_neighbours((const char *)data, size,
		    flag_sets[i], neigh_sink, &c, &meta, &err);
		fuzz_check_status(st, &err);
		if (c.stop && c.seen > 0)
			FUZZ_REQUIRE(st == UPM_ERR_ABORTED && c.seen == 1);
		if (st == UPM_OK)
			fuzz_check_meta(&meta, c.seen);
	}
	return 0;
}

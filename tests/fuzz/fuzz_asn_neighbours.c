/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_asn_neighbours.c - libFuzzer target for upm_parse_asn_neighbours. */
#include "fuzz.h"

static int
neigh_sink(void *ctx, const upm_neighbour *n)
{
	struct fuzz_count *c = ctx;

	FUZZ_REQUIRE(n != NULL);
	FUZZ_REQUIRE(n->type == UPM_NEIGH_LEFT || n->type == UPM_NEIGH_RIGHT ||
	    n->type == UPM_NEIGH_UNCERTAIN);
	c->seen++;
	return c->stop;
}

static upm_status
parse_once(const uint8_t *data, size_t size, int flags, struct fuzz_count *c,
    upm_meta *meta, upm_error *err)
{
	return upm_parse_asn_neighbours((const char *)data, size, flags,
	    neigh_sink, c, meta, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_both_forms(parse_once, data, size);
	return 0;
}

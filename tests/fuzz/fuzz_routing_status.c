/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_routing_status.c - libFuzzer target for upm_parse_routing_status. */
#include "fuzz.h"

/* routing-status hands out no records, only the figures: the count is
 * whatever the parser reports, and the sink-abort path does not apply. */
static upm_status
parse_once(const uint8_t *data, size_t size, int flags, struct fuzz_count *c,
    upm_meta *meta, upm_error *err)
{
	upm_visibility vis;
	upm_status st;

	c->stop = 0;
	st = upm_parse_routing_status((const char *)data, size, flags, &vis,
	    meta, err);
	if (st == UPM_OK)
		c->seen = meta->records;
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_both_forms(parse_once, data, size);
	return 0;
}

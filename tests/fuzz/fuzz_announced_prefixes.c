/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_announced_prefixes.c - libFuzzer target for
 * upm_parse_announced_prefixes.  Each prefix handed out is also run through
 * upm_prefix_check, as the looking-glass plan does before a prefix reaches
 * a URL. */
#include "fuzz.h"

static int
prefix_sink(void *ctx, const char *prefix)
{
	struct fuzz_count *c = ctx;
	upm_error err;

	FUZZ_REQUIRE(prefix != NULL);
	memset(&err, 0, sizeof(err));
	fuzz_check_status(upm_prefix_check(prefix, &err), &err);
	c->seen++;
	return c->stop;
}

static upm_status
parse_once(const uint8_t *data, size_t size, int flags, struct fuzz_count *c,
    upm_meta *meta, upm_error *err)
{
	return upm_parse_announced_prefixes((const char *)data, size, flags,
	    prefix_sink, c, meta, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_both_forms(parse_once, data, size);
	return 0;
}

/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_bgp_state.c - libFuzzer target for upm_parse_bgp_state. */
#include "fuzz.h"

static upm_status
parse_once(const uint8_t *data, size_t size, int flags, struct fuzz_count *c,
    upm_meta *meta, upm_error *err)
{
	return upm_parse_bgp_state((const char *)data, size, flags, fuzz_obs_sink,
	    c, meta, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_both_forms(parse_once, data, size);
	return 0;
}

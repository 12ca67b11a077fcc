/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_ris_live.c - libFuzzer target for the RIS Live line parser: the
 * input as a stream cut in two at a place the input chooses, a small line
 * cap so that over-long lines are met.  Contracts: every event has a
 * session; an announcement or withdrawal a valid prefix; a usable path is
 * not empty and within the hop cap; the counters never exceed the lines. */
#include "fuzz.h"

static int
check_event(void *ctx, const upm_event *ev)
{
	size_t *n = ctx;

	fuzz_check_event(ev);
	(*n)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t events = 0, cut = size > 0 ? data[0] % (size + 1) : 0;
	upm_sink sink = { check_event, NULL, &events };
	upm_ris_live_parser *p = upm_ris_live_parser_new(&sink, 512, NULL);
	const upm_ris_live_stats *st;
	upm_status a, b;

	if (p == NULL)
		return 0;
	a = upm_ris_live_parser_feed(p, (const char *)data, cut, NULL);
	b = upm_ris_live_parser_feed(p, (const char *)data + cut, size - cut,
	    NULL);
	FUZZ_REQUIRE((a == UPM_OK || a == UPM_ERR_NOMEM) &&
	    (b == UPM_OK || b == UPM_ERR_NOMEM));
	st = upm_ris_live_parser_stats(p);
	FUZZ_REQUIRE(st->messages <= st->lines && st->garbage <= st->lines);
	FUZZ_REQUIRE(st->updates + st->peer_states <= st->messages &&
	    st->other <= st->lines && st->errors <= st->lines);
	upm_ris_live_parser_free(p);
	return 0;
}

/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_stream.c - libFuzzer target for the push parser: one input fed to
 * upm_parser_feed in pieces (sizes taken from the input's first byte, so
 * records and tokens straddle piece boundaries) must give what
 * upm_parse_bgp_state gives on the whole buffer: both succeed with the same
 * observations, or both fail.  This exercises the fast path for plain
 * bgp_state elements and its fallback to jansson. */
#include "fuzz.h"

/* Everything an observation says, folded into one number. */
struct digest {
	size_t n;
	uint64_t sum;
};

static uint64_t
fold_string(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int
digest_sink(void *ctx, const upm_observation *obs)
{
	struct digest *d = ctx;
	uint64_t h = 14695981039346656037u;
	size_t i;

	fuzz_check_observation(obs);
	h = fold_string(h, obs->prefix);
	h = fold_string(h, obs->session);
	for (i = 0; i < obs->path_len; i++)
		h = (h ^ obs->path[i]) * 1099511628211u;
	h ^= (uint64_t)obs->unusable << 63;
	d->sum += h;
	d->n++;
	return 0;
}

static upm_status
parse_in_pieces(const char *buf, size_t len, size_t piece, struct digest *d,
    upm_error *err)
{
	upm_sinks sinks = { .obs = digest_sink, .ctx = d };
	upm_parser *p;
	upm_status st = UPM_OK;
	size_t off;

	if ((p = upm_parser_new(UPM_CALL_BGP_STATE, 0, &sinks, err)) == NULL)
		return err->code;
	for (off = 0; off < len && st == UPM_OK; off += piece)
		st = upm_parser_feed(p, buf + off,
		    len - off < piece ? len - off : piece, err);
	if (st == UPM_OK)
		st = upm_parser_finish(p, NULL, err);
	upm_parser_free(p);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = { 0, 0 }, pieces = { 0, 0 };
	upm_error e1, e2;
	upm_status s1, s2;
	size_t piece;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 64 + 1;
	data++, size--;
	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	s1 = upm_parse_bgp_state((const char *)data, size, 0, digest_sink,
	    &whole, NULL, &e1);
	s2 = parse_in_pieces((const char *)data, size, piece, &pieces, &e2);
	fuzz_check_status(s1, &e1);
	fuzz_check_status(s2, &e2);
	FUZZ_REQUIRE((s1 == UPM_OK) == (s2 == UPM_OK));
	if (s1 == UPM_OK)
		FUZZ_REQUIRE(whole.n == pieces.n && whole.sum == pieces.sum);
	return 0;
}

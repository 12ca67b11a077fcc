/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_range.c - libFuzzer target for upm_range_parse and upm_range_alert.
 *
 * The input is used as the range text (cut at its first NUL, as a C string
 * from the command line would be).  A range that parses is then judged
 * against values at and around its ends and compared with the Monitoring
 * Plugins rule: alert outside start..end (inclusive), or inside it with '@'. */
#include <math.h>

#include "fuzz.h"

#define MAX_TEXT 256

static int
expected_alert(const upm_range *r, double v)
{
	int in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);

	return r->inside ? in : !in;
}

static void
check_value(const upm_range *r, double v)
{
	int got = upm_range_alert(r, v);

	FUZZ_REQUIRE(got == 0 || got == 1);
	if (!isnan(v))
		FUZZ_REQUIRE(got == expected_alert(r, v));
}

static void
check_range(const upm_range *r, const char *text)
{
	const double probes[] = { 0.0, -1.0, 1.0, 1e308, -1e308, INFINITY,
	    -INFINITY, NAN };
	size_t i;

	FUZZ_REQUIRE(fuzz_terminated(r->text, sizeof(r->text)));
	/* Kept as given, for perfdata. */
	FUZZ_REQUIRE(strcmp(r->text, text) == 0);
	FUZZ_REQUIRE(r->inside == (text[0] == '@'));
	if (!r->start_inf) {
		FUZZ_REQUIRE(isfinite(r->start));
		check_value(r, r->start);
		check_value(r, nextafter(r->start, -INFINITY));
	}
	if (!r->end_inf) {
		FUZZ_REQUIRE(isfinite(r->end));
		check_value(r, r->end);
		check_value(r, nextafter(r->end, INFINITY));
	}
	if (!r->start_inf && !r->end_inf) {
		FUZZ_REQUIRE(r->start <= r->end);
		check_value(r, r->start / 2 + r->end / 2);
	}
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		check_value(r, probes[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_TEXT + 1];
	upm_range r;
	upm_error err;
	upm_status st;

	if (size > MAX_TEXT)
		size = MAX_TEXT;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0, sizeof(err));
	st = upm_range_parse(text, &r, &err);
	fuzz_check_status(st, &err);
	if (st == UPM_OK)
		check_range(&r, text);
	return 0;
}

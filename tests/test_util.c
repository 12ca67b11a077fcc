/*
 * test_util - the time parser and formatter (the C library's calendar
 * under a round-trip check) and the URL escaping (libcurl's) of the
 * RIPEstat and looking-glass URL builders.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "upm_private.h"
#include "tap.h"

static void
parses(const char *s, long long want, const char *what)
{
	upm_error err = { UPM_OK, "" };
	int64_t t = -1;
	upm_status st = upm_time_parse(s, &t, &err);

	OK(st == UPM_OK && t == want, "%s: '%s' is %lld", what, s, want);
	if (st != UPM_OK || t != want)
		printf("#   status %d, got %lld, error '%s'\n", st, (long long)t,
		    err.text);
}

static void
refused(const char *s, const char *what)
{
	upm_error err = { UPM_OK, "" };
	int64_t t = 12345;
	upm_status st = upm_time_parse(s, &t, &err);

	OK(st == UPM_ERR_ARG && t == 12345 &&
	    strstr(err.text, " time") != NULL, "%s: '%s' refused", what, s);
	if (st != UPM_ERR_ARG)
		printf("#   status %d, got %lld\n", st, (long long)t);
}

static void
formats(long long t, const char *want)
{
	char buf[32];

	OK(upm_time_format(t, buf, sizeof(buf)) == UPM_OK, "format %lld", t);
	IS_STR(buf, want, "format gives the UTC time");
}

static void
test_time(void)
{
	char small[19];

	parses("1970-01-01T00:00:00", 0, "the epoch");
	parses("2017-10-01T09:07:51", 1506848871LL, "the demo's change");
	parses("2017-10-01 09:07:51Z", 1506848871LL, "space and Z");
	parses("2017-10-01T09:07", 1506848820LL, "no seconds");
	parses("2016-02-29T00:00:00", 1456704000LL, "29 February of a leap year");
	parses("2000-02-29T12:00:00", 951825600LL, "2000 is a leap year");
	parses("2016-12-31T23:59:60", 1483228800LL, "a leap second counts as the next");
	parses("1506848871", 1506848871LL, "Unix seconds");
	refused("2017-02-30T00:00:00", "30 February");
	refused("2017-02-29T00:00:00", "29 February of a common year");
	refused("1900-02-29T00:00:00", "1900 is not a leap year (and before 1970)");
	refused("2017-04-31T00:00:00", "31 April");
	refused("2017-1-1T1:2:3", "single digits");
	refused("2017-13-01T00:00:00", "month 13");
	refused("2017-00-10T00:00:00", "month 0");
	refused("2017-01-00T00:00:00", "day 0");
	refused("2017-01-01T24:00:00", "hour 24");
	refused("2017-01-01T23:60:00", "minute 60");
	refused("2017-01-01T23:59:61", "second 61");
	refused("1969-12-31T23:59:59", "before 1970");
	refused("2017-01-01T00:00:00+02:00", "an offset");
	refused("2017-01-01", "no time of day");
	refused("-5", "negative seconds");
	refused("", "empty");
	parses("9999-12-31T23:59:59", 253402300799LL, "the last four-digit year");
	parses("253402300799", 253402300799LL, "its Unix seconds");
	refused("253402300800", "Unix seconds past year 9999 (not printable)");
	refused("99999999999999", "Unix seconds far past year 9999");
	formats(253402300799LL, "9999-12-31T23:59:59");
	IS_INT(upm_time_format(253402300800LL, small, sizeof(small)),
	    UPM_ERR_ARG, "a five-digit year is not formatted");
	formats(0, "1970-01-01T00:00:00");
	formats(1506848871LL, "2017-10-01T09:07:51");
	formats(951825600LL, "2000-02-29T12:00:00");
	formats(4102444799LL, "2099-12-31T23:59:59");
	IS_INT(upm_time_format(0, small, sizeof(small)), UPM_ERR_ARG,
	    "a buffer one byte short is refused");
}

static void
test_escape(void)
{
	upm_error err = { UPM_OK, "" };
	char *u = NULL;

	IS_INT(upm_ripestat_url("https://stat.ripe.net", "bgp-state",
	    "AS131279", "my app/1.0&x=~y", NULL, &u, &err), UPM_OK, "URL built");
	IS_STR(u, "https://stat.ripe.net/data/bgp-state/data.json?"
	    "resource=AS131279&sourceapp=my%20app%2F1.0%26x%3D~y",
	    "sourceapp escaped, unreserved characters kept");
	free(u);
	u = NULL;
	IS_INT(upm_lg_url("https://lg.ring.nlnog.net/", "/api/prefix",
	    "2001:db8::/32", &u, &err), UPM_OK, "LG URL built");
	IS_STR(u, "https://lg.ring.nlnog.net/api/prefix?q=2001%3Adb8%3A%3A%2F32",
	    "prefix colons and slash escaped");
	free(u);
	u = NULL;
	IS_INT(upm_lg_url("https://lg.example.net", "/api/v1/lookup/prefix",
	    "175.45.176.0/22", &u, &err), UPM_OK, "LG URL built (IPv4)");
	IS_STR(u, "https://lg.example.net/api/v1/lookup/prefix?q=175.45.176.0%2F22",
	    "dots kept, slash escaped");
	free(u);
}

int
main(void)
{
	test_time();
	test_escape();
	return tap_done();
}

/*
 * test_country.c - country targets: the country code, the
 * country-resource-list parser (own fixtures and the recorded public
 * answers), "PREFIX=ASN,..." expectations, domestic transit and per-prefix
 * upstreams in the computation.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "testutil.h"
#include "upm_private.h"

static upm_status
parse_file(const char *path, int flags, upm_asn_list *l, upm_meta *meta,
    upm_error *err)
{
	size_t len = 0;
	char *buf = slurp_fixture(path, &len, meta, err);
	upm_status st;

	if (buf == NULL)
		return UPM_ERR_IO;
	st = upm_parse_country_asns(buf, len, flags, l, meta, err);
	free(buf);
	return st;
}

static void
country_code(void)
{
	char cc[3];
	upm_error err;

	IS_INT(upm_country_check("kp", cc, &err), UPM_OK, "kp accepted");
	IS_STR(cc, "KP", "upper-cased");
	IS_INT(upm_country_check("KPR", cc, &err), UPM_ERR_ARG, "three letters refused");
	IS_INT(upm_country_check("K1", cc, &err), UPM_ERR_ARG, "a digit refused");
	IS_INT(upm_country_check("", cc, &err), UPM_ERR_ARG, "empty refused");
	IS_INT(upm_country_check("\xc3\x84X", cc, &err), UPM_ERR_ARG, "non-ASCII refused");
}

static void
country_list(void)
{
	upm_asn_list l;
	upm_meta meta;
	upm_error err;

	upm_asn_list_init(&l);
	IS_INT(parse_file("tests/fixtures/country/kp.json", 0, &l, &meta, &err),
	    UPM_OK, "own country list parses");
	IS_INT(l.n, 3, "strings, AS-prefixed strings and integers");
	OK(upm_asn_list_has(&l, 131279) && upm_asn_list_has(&l, 64510) &&
	    upm_asn_list_has(&l, 64511), "the three ASNs");
	IS_STR(meta.data_time, "2017-10-01T00:00:00", "query_time as data time");
	upm_asn_list_free(&l);

	IS_INT(parse_file("tests/fixtures/public/andrelia-hacks__ripestat__country_resource_list.json",
	    0, &l, &meta, &err), UPM_OK, "recorded 2025 answer (AT) parses");
	IS_INT(l.n, 681, "AT: 681 ASNs");
	OK(upm_asn_list_has(&l, 1205) && upm_asn_list_has(&l, 1853),
	    "AT: holds AS1205 and AS1853");
	IS_INT(l.v[0], 679, "AT: lowest is AS679");
	upm_asn_list_free(&l);

	IS_INT(parse_file("tests/fixtures/public/JoshGlazebrook__ripestat__countryResourceList.json",
	    UPM_PARSE_DATA_ONLY, &l, &meta, &err), UPM_OK,
	    "recorded 2017 data object parses");
	IS_INT(l.n, 584, "2017: 584 ASNs");
	IS_INT(parse_file("tests/fixtures/public/JoshGlazebrook__ripestat__countryResourceList.json",
	    0, &l, &meta, &err), UPM_ERR_SHAPE,
	    "without DATA_ONLY the bare data object has no envelope");
	IS_INT(l.n, 584, "a failed parse leaves the list alone");
	upm_asn_list_free(&l);

	IS_INT(parse_file("tests/fixtures/country/empty.json", 0, &l, &meta, &err),
	    UPM_OK, "empty ASN list is a good answer");
	IS_INT(l.n, 0, "empty: no ASNs");
	IS_INT(parse_file("tests/fixtures/country/asn_not_array.json", 0, &l,
	    &meta, &err), UPM_ERR_SHAPE, "asn as a string: wrong type");
	OK(strstr(err.text, "data.resources.asn") != NULL, "names the field");
	IS_INT(parse_file("tests/fixtures/country/asn_bad_entry.json", 0, &l,
	    &meta, &err), UPM_ERR_SHAPE, "a range string refused");
	OK(strstr(err.text, "asn[1]") != NULL, "names the entry");
	IS_INT(l.n, 0, "nothing kept from a bad list");
	IS_INT(parse_file("tests/fixtures/country/asn_wrong_type.json", 0, &l,
	    &meta, &err), UPM_ERR_SHAPE, "an array entry refused");
	IS_INT(parse_file("tests/fixtures/country/maintenance.json", 0, &l,
	    &meta, &err), UPM_ERR_MAINTENANCE, "empty data is maintenance");
	IS_INT(parse_file("tests/fixtures/country/resources_missing.json", 0, &l,
	    &meta, &err), UPM_ERR_SHAPE, "no resources: wrong shape");
	IS_INT(parse_file("tests/fixtures/public/andrelia-hacks__ripestat__ris_first_last_seen.json",
	    0, &l, &meta, &err), UPM_ERR_MAINTENANCE,
	    "recorded maintenance envelope refused");
	IS_INT(upm_parse_country_asns("{\"status\":\"error\",\"data\":{}}", 28,
	    0, &l, NULL, &err), UPM_ERR_STATUS, "status error refused");
	IS_INT(upm_parse_country_asns("nope", 4, 0, &l, NULL, &err), UPM_ERR_JSON,
	    "not JSON refused");
	upm_asn_list_free(&l);
}

static void
prefix_expect(void)
{
	char prefix[64];
	upm_asn_list l;
	upm_error err;

	upm_asn_list_init(&l);
	IS_INT(upm_prefix_expect_parse("175.45.176.0/24=4837,AS20485", prefix,
	    sizeof(prefix), &l, &err), UPM_OK, "PREFIX=ASN,ASN parses");
	IS_STR(prefix, "175.45.176.0/24", "the prefix");
	OK(l.n == 2 && l.v[0] == 4837 && l.v[1] == 20485, "the ASNs");
	upm_asn_list_free(&l);
	IS_INT(upm_prefix_expect_parse("175.45.176.0/24", prefix, sizeof(prefix),
	    &l, &err), UPM_ERR_ARG, "no '=' refused");
	IS_INT(upm_prefix_expect_parse("175.45.176.0/24=", prefix, sizeof(prefix),
	    &l, &err), UPM_ERR_ARG, "no ASN refused");
	IS_INT(upm_prefix_expect_parse("175.45.176.0=4837", prefix, sizeof(prefix),
	    &l, &err), UPM_ERR_ARG, "prefix without length refused");
	IS_INT(upm_prefix_expect_parse("175.45.176.0/24=x", prefix, sizeof(prefix),
	    &l, &err), UPM_ERR_ARG, "junk ASN refused");
	IS_INT(l.n, 0, "nothing added on failure");
	upm_asn_list_free(&l);
}

static int
add(upm_compute *c, const char *prefix, const char *peer, const uint32_t *p,
    size_t n)
{
	upm_observation o;

	memset(&o, 0, sizeof(o));
	o.prefix = prefix;
	o.session = peer;
	o.path = p;
	o.path_len = n;
	/* Each session its own vantage AS (their paths leave it out). */
	o.peer_asn = 10000u + (unsigned char)peer[0];
	return upm_compute_add(c, &o);
}

static void
domestic_and_prefixes(void)
{
	static const uint32_t via_dom[] = { 64496, 4837, 64510, 64510, 131279 };
	static const uint32_t via_dom2[] = { 64497, 20485, 64510, 131279, 131279 };
	static const uint32_t dom_own[] = { 64498, 4837, 64510 };
	static const uint32_t dom_peer[] = { 64510, 131279 };
	upm_asn_list origins, exp;
	upm_compute *c;
	upm_result *r = NULL;
	upm_params p;
	upm_error err;

	upm_asn_list_init(&origins);
	upm_asn_list_add(&origins, 131279);
	upm_asn_list_add(&origins, 64510);
	c = upm_compute_new(&origins, &err);
	OK(c != NULL, "compute for a two-AS country");
	IS_INT(upm_compute_track_prefix(c, "175.45.176.0/24", &err), UPM_OK,
	    "track a prefix");
	IS_INT(upm_compute_track_prefix(c, "175.45.177.0/24", &err), UPM_OK,
	    "track another");
	add(c, "175.45.176.0/24", "a", via_dom, 5);
	add(c, "175.45.176.0/24", "b", via_dom, 5);
	add(c, "175.45.177.0/24", "a", via_dom2, 5);
	add(c, "175.45.177.0/24", "b", via_dom2, 5);
	add(c, "175.45.177.0/24", "c", via_dom, 5);
	add(c, "175.45.179.0/24", "a", dom_own, 3);
	add(c, "175.45.176.0/24", "d", dom_peer, 2);
	IS_INT(upm_compute_track_prefix(c, "175.45.178.0/24", &err), UPM_ERR_ARG,
	    "tracking after observations is refused");
	upm_params_init(&p);
	IS_INT(upm_compute_result(c, &p, &r, &err), UPM_OK, "result");
	IS_INT(r->n_origins, 2, "origin set of two");
	IS_INT(r->n_upstreams, 2, "the domestic AS is never an upstream");
	IS_INT(r->upstreams[0].asn, 4837, "AS4837 first");
	IS_INT(r->with_upstream, 6, "six observations with an upstream");
	IS_INT(r->direct, 1, "domestic AS peering with a collector: direct");
	IS_INT(r->n_domestic, 1, "one domestic transit AS");
	IS_INT(r->domestic[0].asn, 64510, "AS64510 in transit");
	IS_INT(r->domestic[0].observations, 6,
	    "counted once per path (prepending), direct one included, own prefix not");
	IS_INT(r->n_prefix_results, 2, "two tracked prefixes");
	IS_STR(r->prefix_results[0].prefix, "175.45.176.0/24", "first tracked");
	IS_INT(r->prefix_results[0].n_upstreams, 1, "176: one upstream");
	IS_INT(r->prefix_results[1].n_upstreams, 2, "177: two upstreams");
	IS_INT(r->prefix_results[1].upstreams[0].asn, 20485, "177: AS20485 first");
	upm_asn_list_init(&exp);
	upm_asn_list_add(&exp, 4837);
	IS_INT(upm_diff_prefix(r, "175.45.176.0/24", &exp, &err), UPM_OK, "diff 176");
	IS_INT(upm_diff_prefix(r, "175.45.177.0/24", &exp, &err), UPM_OK, "diff 177");
	IS_INT(upm_result_prefix_changes(r), 1, "one prefix changed");
	OK(r->prefix_results[1].appeared.n == 1 &&
	    r->prefix_results[1].appeared.v[0] == 20485, "177: AS20485 appeared");
	IS_INT(r->prefix_results[1].disappeared.n, 1,
	    "177: AS4837 one peer only: not present, disappeared");
	IS_INT(r->prefix_results[0].appeared.n + r->prefix_results[0].disappeared.n,
	    0, "176: as expected");
	IS_INT(upm_diff_prefix(r, "10.0.0.0/8", &exp, &err), UPM_ERR_ARG,
	    "untracked prefix refused");
	{
		upm_buf b;
		upm_buf_init(&b);
		upm_render_summary(r, &b);
		OK(b.data && strstr(b.data, "175.45.177.0/24: AS20485 appeared") ==
		    b.data, "summary names the prefix first");
		upm_buf_free(&b);
	}
	upm_asn_list_free(&exp);
	upm_result_free(r);
	upm_compute_free(c);
	upm_asn_list_free(&origins);
}

int
main(void)
{
	country_code();
	country_list();
	prefix_expect();
	domestic_and_prefixes();
	return tap_done();
}

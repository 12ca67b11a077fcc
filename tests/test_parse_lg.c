/*
 * test_parse_lg.c - the NLNOG RING and Alice-LG looking-glass parsers on
 * own fixtures in each API's documented shape: good answers, empty ones,
 * error answers and wrong types.
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

#define DIR "tests/fixtures/lg/"

/* What the sink saw. */
struct seen {
	size_t n, unusable;
	char peers[8][96];
	char prefixes[8][64];
	char paths[8][96];
	int stop_after;
};

static int
sink(void *ctx, const upm_observation *o)
{
	struct seen *s = ctx;
	size_t i = s->n, used = 0;

	if (i < 8) {
		(void)snprintf(s->peers[i], sizeof(s->peers[i]), "%s", o->session);
		(void)snprintf(s->prefixes[i], sizeof(s->prefixes[i]), "%s",
		    o->prefix);
		s->paths[i][0] = '\0';
		for (size_t k = 0; k < o->path_len && used < 80; k++)
			used += (size_t)snprintf(s->paths[i] + used,
			    sizeof(s->paths[i]) - used, "%s%lu", k ? " " : "",
			    (unsigned long)o->path[k]);
	}
	s->n++;
	s->unusable += o->unusable != 0;
	return s->stop_after > 0 && (int)s->n >= s->stop_after;
}

typedef upm_status (*parser)(const char *, size_t, upm_obs_sink, void *,
    upm_meta *, upm_error *);

static upm_status
run(parser p, const char *name, struct seen *s, upm_meta *meta, upm_error *err)
{
	char path[256];
	size_t len = 0;
	char *buf;
	upm_status st;

	(void)snprintf(path, sizeof(path), DIR "%s", name);
	if ((buf = slurp_fixture(path, &len, meta, err)) == NULL)
		return UPM_ERR_IO;
	st = p(buf, len, sink, s, meta, err);
	free(buf);
	return st;
}

static void
nlnog(void)
{
	struct seen s;
	upm_meta meta;
	upm_error err;

	memset(&s, 0, sizeof(s));
	IS_INT(run(upm_parse_nlnog_lg, "nlnog_good.json", &s, &meta, &err),
	    UPM_OK, "nlnog: good answer parses");
	IS_INT(s.n, 4, "nlnog: every route of every prefix to the sink");
	IS_INT(meta.records, 4, "nlnog: meta counts the records");
	IS_STR(s.paths[0], "64700 4837 131279", "nlnog: [asn, name] pairs make the path");
	IS_STR(s.peers[0], "nlnog/192.0.2.10", "nlnog: vantage point is the ring node's address");
	IS_STR(s.peers[1], "nlnog/2001:db8::11", "nlnog: IPv6 vantage point");
	IS_STR(s.paths[1], "64701 20485 131279 131279", "nlnog: prepending kept for the computation");
	IS_INT(s.unusable, 1, "nlnog: an AS_SET token makes the path unusable");
	IS_STR(s.paths[3], "64700 4837 131279", "nlnog: bare strings, integers and AS-prefixed tokens");
	IS_STR(s.prefixes[3], "175.45.176.128/25", "nlnog: the route's prefix is the routes key");
	IS_STR(meta.data_time, "2017-10-01T12:00:00", "nlnog: collected time as data time");
	IS_STR(meta.resource, "175.45.176.0/24", "nlnog: the queried prefix");
	OK(strstr(meta.messages, "more specific") != NULL, "nlnog: first warning kept");

	memset(&s, 0, sizeof(s));
	IS_INT(run(upm_parse_nlnog_lg, "nlnog_empty.json", &s, &meta, &err),
	    UPM_OK, "nlnog: no routes is a good, empty answer");
	IS_INT(s.n, 0, "nlnog: empty answer: nothing to the sink");
	IS_STR(meta.data_time, "", "nlnog: null collected: no data time");

	IS_INT(run(upm_parse_nlnog_lg, "nlnog_error.json", &s, &meta, &err),
	    UPM_ERR_STATUS, "nlnog: error answer refused");
	OK(strstr(err.text, "No prefix specified") != NULL, "nlnog: error text passed on");
	IS_INT(run(upm_parse_nlnog_lg, "nlnog_aspath_not_array.json", &s, &meta,
	    &err), UPM_ERR_SHAPE, "nlnog: aspath as a string is a wrong type");
	OK(strstr(err.text, "aspath") != NULL, "nlnog: the error names the field");
	IS_INT(run(upm_parse_nlnog_lg, "nlnog_routes_not_object.json", &s, &meta,
	    &err), UPM_ERR_SHAPE, "nlnog: routes as an array is a wrong type");
	OK(strstr(err.text, "routes") != NULL, "nlnog: names routes");
	IS_INT(run(upm_parse_nlnog_lg, "alice_good.json", &s, &meta, &err),
	    UPM_ERR_SHAPE, "nlnog: an Alice answer is not an NLNOG answer");
	IS_INT(upm_parse_nlnog_lg("[1,2]", 5, sink, &s, NULL, &err),
	    UPM_ERR_SHAPE, "nlnog: top level array refused");
	IS_INT(upm_parse_nlnog_lg("{\"routes\":", 10, sink, &s, NULL, &err),
	    UPM_ERR_JSON, "nlnog: truncated JSON refused");
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	IS_INT(run(upm_parse_nlnog_lg, "nlnog_good.json", &s, &meta, &err),
	    UPM_ERR_ABORTED, "nlnog: a sink that stops aborts the parse");
	IS_INT(s.n, 1, "nlnog: nothing after the stop");
}

static void
alice(void)
{
	struct seen s;
	upm_meta meta;
	upm_error err;

	memset(&s, 0, sizeof(s));
	IS_INT(run(upm_parse_alice_lg, "alice_good.json", &s, &meta, &err),
	    UPM_OK, "alice: good answer parses");
	IS_INT(s.n, 2, "alice: imported routes only (filtered ones refused by the RS)");
	IS_STR(s.paths[0], "64800 4837 131279", "alice: bgp.as_path integers");
	IS_STR(s.peers[0], "alice/rs1/198.51.100.1", "alice: route server and neighbour address");
	IS_STR(s.peers[1], "alice/rs2/rs2_64801", "alice: old 'neighbour' spelling, id when no address");
	IS_STR(s.prefixes[1], "175.45.176.0/24", "alice: network is the prefix");
	IS_STR(meta.data_time, "2017-10-01T11:58:00", "alice: cached_at with offset as UTC");
	OK(strstr(meta.messages, "first of 2 pages") != NULL, "alice: paging noted");

	memset(&s, 0, sizeof(s));
	IS_INT(run(upm_parse_alice_lg, "alice_empty.json", &s, &meta, &err),
	    UPM_OK, "alice: empty answer is good");
	IS_INT(s.n, 0, "alice: empty: nothing to the sink");
	IS_INT(run(upm_parse_alice_lg, "alice_error.json", &s, &meta, &err),
	    UPM_ERR_STATUS, "alice: error answer refused");
	OK(strstr(err.text, "route server unavailable") != NULL, "alice: error text passed on");
	IS_INT(run(upm_parse_alice_lg, "alice_as_path_not_array.json", &s, &meta,
	    &err), UPM_ERR_SHAPE, "alice: as_path as a string is a wrong type");
	OK(strstr(err.text, "imported.routes[0].bgp.as_path") != NULL, "alice: names the field");
	IS_INT(run(upm_parse_alice_lg, "alice_network_missing.json", &s, &meta,
	    &err), UPM_ERR_SHAPE, "alice: a route without network refused");
	OK(strstr(err.text, "network") != NULL, "alice: names network");
	IS_INT(run(upm_parse_alice_lg, "nlnog_good.json", &s, &meta, &err),
	    UPM_ERR_SHAPE, "alice: an NLNOG answer is not an Alice answer");
	IS_INT(upm_parse_alice_lg("", 0, sink, &s, NULL, &err), UPM_ERR_JSON,
	    "alice: empty body refused");
	IS_INT(upm_parse_alice_lg("{\"imported\": 3}", 15, sink, &s, NULL, &err),
	    UPM_ERR_SHAPE, "alice: imported of the wrong type refused");
}

static void
sources(void)
{
	upm_source v[UPM_MAX_SOURCES];
	upm_error err;
	size_t n = 0;

	IS_INT(upm_sources_parse("ripestat-bgp-state,nlnog-lg,alice-lg", v,
	    UPM_MAX_SOURCES, &n, &err), UPM_OK, "source list parses");
	IS_INT(n, 3, "three sources");
	IS_INT(v[1], UPM_SRC_NLNOG_LG, "nlnog-lg");
	IS_STR(upm_source_name(v[2]), "alice-lg", "alice-lg named back");
	IS_INT(upm_sources_parse("nlnog-lg,nlnog-lg", v, UPM_MAX_SOURCES, &n,
	    &err), UPM_ERR_ARG, "a source twice is refused");
	IS_INT(upm_sources_parse("ripestat-bgp-state,bogus", v, UPM_MAX_SOURCES,
	    &n, &err), UPM_ERR_ARG, "unknown source refused");
	IS_INT(upm_sources_parse(",", v, UPM_MAX_SOURCES, &n, &err), UPM_ERR_ARG,
	    "empty list refused");
	IS_INT(upm_source_parse("ripestat-asn-neighbours"),
	    UPM_SRC_ASN_NEIGHBOURS, "RIPEstat names still known");
}

int
main(void)
{
	nlnog();
	alice();
	sources();
	return tap_done();
}

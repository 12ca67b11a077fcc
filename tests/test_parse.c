/*
 * test_parse.c - the RIPEstat parsers against recorded public responses
 * (2017 and 2025 API versions) and small hand-made fixtures for every
 * error path.  Runs from the repository root.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "testutil.h"
#include "upm_private.h"

#define PUB "tests/fixtures/public/"
#define OWN "tests/fixtures/parse/"
#define KEEP 512

/* --------------------------------------------------------------- files */

/* ------------------------------------------------------------ recording */

struct kept {
	char peer[64];
	char prefix[64];
	uint32_t path[16];
	size_t path_len;
	int unusable;
	int path_null;
};

/* What the sinks saw; every parser below records into one of these. */
struct rec {
	size_t n;
	size_t abort_at;     /* stop when n reaches this (0: never) */
	uint32_t origin, via;
	size_t via_ok;       /* path ends "... via origin" */
	size_t rrc_ids;      /* peer looks like "rrcNN/<address>" */
	size_t unusable;
	size_t bad_unusable; /* unusable but path/len not cleared */
	size_t path_total;
	struct kept *kept;
	upm_neighbour neigh[16];
	char prefixes[16][64];
	upm_visibility vis;
};

static int
rrc_id(const char *peer)
{
	size_t i = 3;

	if (strncmp(peer, "rrc", 3) != 0)
		return 0;
	while (peer[i] >= '0' && peer[i] <= '9')
		i++;
	return i > 3 && peer[i] == '/' && peer[i + 1] != '\0';
}

static void
keep_obs(struct kept *k, const upm_observation *o)
{
	size_t i;

	(void)snprintf(k->peer, sizeof(k->peer), "%s", o->session);
	(void)snprintf(k->prefix, sizeof(k->prefix), "%s", o->prefix);
	k->path_len = o->path_len;
	for (i = 0; i < o->path_len && i < 16; i++)
		k->path[i] = o->path[i];
	k->unusable = o->unusable;
	k->path_null = o->path == NULL;
}

static int
obs_sink(void *ctx, const upm_observation *o)
{
	struct rec *r = ctx;
	size_t len = o->path_len;

	if (r->n < KEEP)
		keep_obs(&r->kept[r->n], o);
	r->n++;
	r->path_total += len;
	if (len >= 2 && o->path[len - 1] == r->origin && o->path[len - 2] == r->via)
		r->via_ok++;
	if (rrc_id(o->session))
		r->rrc_ids++;
	if (o->unusable) {
		r->unusable++;
		if (o->path_len != 0 || o->path != NULL)
			r->bad_unusable++;
	}
	return r->abort_at != 0 && r->n >= r->abort_at;
}

static int
neigh_sink(void *ctx, const upm_neighbour *n)
{
	struct rec *r = ctx;

	if (r->n < 16)
		r->neigh[r->n] = *n;
	r->n++;
	return r->abort_at != 0 && r->n >= r->abort_at;
}

static int
prefix_sink(void *ctx, const char *p)
{
	struct rec *r = ctx;

	if (r->n < 16)
		(void)snprintf(r->prefixes[r->n], sizeof(r->prefixes[0]), "%s", p);
	r->n++;
	return r->abort_at != 0 && r->n >= r->abort_at;
}

/* ------------------------------------------------- one call per parser */

typedef upm_status (*parse_fn)(const char *, size_t, int, struct rec *,
    upm_meta *, upm_error *);

static upm_status
p_bgp(const char *b, size_t n, int fl, struct rec *r, upm_meta *m, upm_error *e)
{
	return upm_parse_bgp_state(b, n, fl, obs_sink, r, m, e);
}

static upm_status
p_lg(const char *b, size_t n, int fl, struct rec *r, upm_meta *m, upm_error *e)
{
	return upm_parse_looking_glass(b, n, fl, obs_sink, r, m, e);
}

static upm_status
p_neigh(const char *b, size_t n, int fl, struct rec *r, upm_meta *m, upm_error *e)
{
	return upm_parse_asn_neighbours(b, n, fl, neigh_sink, r, m, e);
}

static upm_status
p_rs(const char *b, size_t n, int fl, struct rec *r, upm_meta *m, upm_error *e)
{
	return upm_parse_routing_status(b, n, fl, &r->vis, m, e);
}

static upm_status
p_ap(const char *b, size_t n, int fl, struct rec *r, upm_meta *m, upm_error *e)
{
	return upm_parse_announced_prefixes(b, n, fl, prefix_sink, r, m, e);
}

static struct kept kept_store[KEEP];

static void
rec_init(struct rec *r, uint32_t origin, uint32_t via)
{
	memset(r, 0, sizeof(*r));
	memset(kept_store, 0, sizeof(kept_store));
	r->kept = kept_store;
	r->origin = origin;
	r->via = via;
}

/* Parses a file; the status is returned, records land in r, meta in m. */
static upm_status
run_file(parse_fn fn, const char *path, int flags, struct rec *r, upm_meta *m,
    upm_error *e)
{
	size_t len;
	char *buf = slurp(path, &len);
	upm_status st;

	memset(e, 0, sizeof(*e));
	if (buf == NULL) {
		(void)snprintf(e->text, sizeof(e->text), "cannot read %s", path);
		return (upm_status)-1;
	}
	st = fn(buf, len, flags, r, m, e);
	free(buf);
	return st;
}

/* A file that must fail with status want and an error text naming field. */
static void
expect_fail(parse_fn fn, const char *file, int flags, upm_status want,
    const char *field)
{
	struct rec r;
	upm_meta m;
	upm_error e;
	upm_status st;

	rec_init(&r, 0, 0);
	st = run_file(fn, file, flags, &r, &m, &e);
	IS_INT(st, want, file);
	if (!OK(strstr(e.text, field) != NULL, "%s: error names '%s'", file, field))
		printf("#   error text: %s\n", e.text);
	IS_INT(e.code, want, "error code filled too");
}

static int
path_is(const struct kept *k, const uint32_t *want, size_t n)
{
	size_t i;

	if (k->path_len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (k->path[i] != want[i])
			return 0;
	return 1;
}

static const struct kept *
find_peer(const struct rec *r, const char *peer)
{
	size_t i;

	for (i = 0; i < r->n && i < KEEP; i++)
		if (strcmp(r->kept[i].peer, peer) == 0)
			return &r->kept[i];
	return NULL;
}

/* ------------------------------------------------------- public fixtures */

static void
test_lg_2025(void)
{
	static const uint32_t first[] = { 34854, 6939, 1853, 1853, 1205 };
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 1205, 1853);
	IS_INT(run_file(p_lg, PUB "andrelia-hacks__ripestat__looking_glass.json",
	    0, &r, &m, &e), UPM_OK, "looking-glass 2025 parses");
	IS_INT(r.n, 421, "looking-glass 2025: 421 observations");
	IS_INT(m.records, 421, "looking-glass 2025: meta.records 421");
	IS_INT(r.via_ok, 421, "looking-glass 2025: every path has 1853 before 1205");
	IS_INT(r.rrc_ids, 421, "looking-glass 2025: every peer id is rrcNN/<addr>");
	IS_INT(r.unusable, 0, "looking-glass 2025: no unusable path");
	IS_INT(r.path_total, 1972, "looking-glass 2025: 1972 ASes over all paths");
	IS_STR(r.kept[0].peer, "rrc00/2.56.11.1", "looking-glass 2025: first peer id");
	IS_STR(r.kept[0].prefix, "140.78.0.0/16", "looking-glass 2025: prefix");
	OK(path_is(&r.kept[0], first, 5), "looking-glass 2025: first path with prepending kept");
	IS_STR(r.kept[420].peer, "rrc10/217.29.67.55", "looking-glass 2025: last peer id");
	IS_STR(m.data_time, "2025-06-11T16:02:16", "looking-glass 2025: latest_time");
	IS_STR(m.resource, "140.78.0.0/16", "looking-glass 2025: resource from parameters");
	IS_STR(m.messages, "", "looking-glass 2025: no messages");
}

static void
test_lg_2017(void)
{
	static const uint32_t want[] = { 9002, 1853, 1205 };
	const struct kept *k;
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 1205, 1853);
	IS_INT(run_file(p_lg, PUB "JoshGlazebrook__ripestat__lookingGlass.json",
	    UPM_PARSE_DATA_ONLY, &r, &m, &e), UPM_OK, "looking-glass 2017 parses");
	IS_INT(r.n, 118, "looking-glass 2017: 118 observations");
	IS_INT(r.via_ok, 118, "looking-glass 2017: all via AS1853");
	IS_INT(r.rrc_ids, 118, "looking-glass 2017: peer ids rrcNN/<addr>");
	IS_INT(r.path_total, 586, "looking-glass 2017: 586 ASes over all paths");
	k = find_peer(&r, "rrc11/198.32.160.182");
	OK(k != NULL && path_is(k, want, 3), "looking-glass 2017: rrc11 peer path 9002 1853 1205");
	IS_STR(k ? k->prefix : NULL, "140.78.0.0/16", "looking-glass 2017: prefix from collector");
	IS_STR(m.data_time, "2017-07-22T23:20:00", "looking-glass 2017: query_time");
	IS_STR(m.resource, "140.78.0.0/16", "looking-glass 2017: resource");
}

static void
test_bgp_state_2017(void)
{
	static const uint32_t first[] = { 45896, 3356, 1853, 1853, 1205 };
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 1205, 1853);
	IS_INT(run_file(p_bgp, PUB "JoshGlazebrook__ripestat__bgpState.json",
	    UPM_PARSE_DATA_ONLY, &r, &m, &e), UPM_OK, "bgp-state 2017 parses (bare data)");
	IS_INT(r.n, 166, "bgp-state 2017: 166 observations");
	IS_INT(m.records, 166, "bgp-state 2017: meta.records 166");
	IS_INT(r.via_ok, 166, "bgp-state 2017: all via AS1853");
	IS_INT(r.path_total, 818, "bgp-state 2017: 818 ASes over all paths");
	IS_STR(r.kept[0].peer, "00-111.91.233.1", "bgp-state 2017: peer id is source_id");
	OK(path_is(&r.kept[0], first, 5), "bgp-state 2017: first path as given");
	IS_STR(r.kept[165].peer, "21-37.49.237.83", "bgp-state 2017: last peer");
	IS_STR(m.data_time, "2017-07-22T21:15:45", "bgp-state 2017: query_time");
	IS_STR(m.resource, "140.78.0.0/16", "bgp-state 2017: resource");
	expect_fail(p_bgp, PUB "JoshGlazebrook__ripestat__bgpState.json", 0,
	    UPM_ERR_SHAPE, "status");
}

static void
test_bgp_state_empty_and_maintenance(void)
{
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 1205, 1853);
	IS_INT(run_file(p_bgp, PUB "andrelia-hacks__ripestat__bgp_state.json", 0,
	    &r, &m, &e), UPM_OK, "bgp-state 2020 empty: OK");
	IS_INT(r.n, 0, "bgp-state 2020 empty: no observations");
	IS_INT(m.records, 0, "bgp-state 2020 empty: meta.records 0");
	IS_STR(m.data_time, "2020-12-21T12:00:00", "bgp-state 2020: timestamp");

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_bgp, PUB "andrelia-hacks__ripestat__ris_first_last_seen.json",
	    0, &r, &m, &e), UPM_ERR_MAINTENANCE, "maintenance envelope: UPM_ERR_MAINTENANCE");
	OK(strstr(e.text, "maintenance") != NULL, "maintenance error says so: %s", e.text);
	OK(strstr(m.messages, "unavailable due to maintenance") != NULL,
	    "maintenance: first message kept in meta");
	IS_INT(r.n, 0, "maintenance: nothing handed over");
	expect_fail(p_lg, PUB "andrelia-hacks__ripestat__ris_first_last_seen.json", 0,
	    UPM_ERR_MAINTENANCE, "maintenance");
	expect_fail(p_neigh, PUB "andrelia-hacks__ripestat__ris_first_last_seen.json", 0,
	    UPM_ERR_MAINTENANCE, "maintenance");
	/* "supported - based on 2.1" passes the status check, then the shape. */
	expect_fail(p_bgp, PUB "andrelia-hacks__ripestat__as_overview.json", 0,
	    UPM_ERR_SHAPE, "data.bgp_state: expected array (missing)");
	expect_fail(p_bgp, PUB "andrelia-hacks__ripestat__looking_glass.json",
	    UPM_PARSE_DATA_ONLY, UPM_ERR_SHAPE, "data.bgp_state");
}

static void
test_neighbours(void)
{
	struct rec r;
	upm_meta m;
	upm_error e;
	uint64_t left_v4 = 0;
	size_t i, left = 0, right = 0;

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_neigh, PUB "JoshGlazebrook__ripestat__asnNeighbors.json",
	    UPM_PARSE_DATA_ONLY, &r, &m, &e), UPM_OK, "asn-neighbours 2017 parses");
	IS_INT(r.n, 2, "asn-neighbours 2017: 2 neighbours");
	OK(r.neigh[0].asn == 1853 && r.neigh[0].type == UPM_NEIGH_LEFT &&
	    r.neigh[0].power == 213 && r.neigh[0].v4_peers == 498 &&
	    r.neigh[0].v6_peers == 103, "asn-neighbours 2017: AS1853 left 213/498/103");
	OK(r.neigh[1].asn == 35369 && r.neigh[1].type == UPM_NEIGH_UNCERTAIN &&
	    r.neigh[1].power == 1 && r.neigh[1].v4_peers == 0 &&
	    r.neigh[1].v6_peers == 1, "asn-neighbours 2017: AS35369 uncertain 1/0/1");
	IS_STR(m.data_time, "2017-07-22T00:00:00", "asn-neighbours 2017: query_endtime");
	IS_STR(m.resource, "1205", "asn-neighbours 2017: resource");

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_neigh, PUB "andrelia-hacks__ripestat__asn_neighbours.json",
	    0, &r, &m, &e), UPM_OK, "asn-neighbours 2025 parses");
	IS_INT(r.n, 6, "asn-neighbours 2025: 6 records");
	IS_INT(m.records, 6, "asn-neighbours 2025: meta.records 6");
	for (i = 0; i < r.n && i < 16; i++) {
		left += r.neigh[i].type == UPM_NEIGH_LEFT;
		right += r.neigh[i].type == UPM_NEIGH_RIGHT;
		if (r.neigh[i].type == UPM_NEIGH_LEFT)
			left_v4 += r.neigh[i].v4_peers;
	}
	IS_INT(left, 3, "asn-neighbours 2025: 3 left");
	IS_INT(right, 3, "asn-neighbours 2025: 3 right");
	IS_INT(left_v4, 8254, "asn-neighbours 2025: left v4_peers sum 8254");
	OK(r.neigh[0].asn == 12479 && r.neigh[0].power == 941,
	    "asn-neighbours 2025: first is AS12479 power 941");
	IS_STR(m.data_time, "2020-12-01T08:00:00", "asn-neighbours 2025: query_endtime");
	IS_STR(m.resource, "12386", "asn-neighbours 2025: resource");
}

static void
test_routing_status(void)
{
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_rs, PUB "JoshGlazebrook__ripestat__routingStatus.json",
	    UPM_PARSE_DATA_ONLY, &r, &m, &e), UPM_OK, "routing-status 2017 parses");
	OK(r.vis.have == 1 && r.vis.v4_seeing == 158 && r.vis.v4_total == 158 &&
	    r.vis.v6_seeing == 159 && r.vis.v6_total == 160,
	    "routing-status 2017: v4 158/158, v6 159/160");
	IS_STR(m.data_time, "2017-07-22T16:00:00", "routing-status 2017: query_time");
	IS_STR(m.resource, "3333", "routing-status 2017: resource");
	IS_STR(r.vis.last_seen, "2017-07-22T16:00:00",
	    "routing-status 2017: last_seen.time");
	IS_STR(r.vis.last_seen_prefix, "193.0.22.0/23",
	    "routing-status 2017: last_seen.prefix");
	IS_INT(r.vis.last_seen_origin, 3333, "routing-status 2017: last_seen.origin");

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_rs, PUB "andrelia-hacks__ripestat__routing_status.json",
	    0, &r, &m, &e), UPM_OK, "routing-status 2025 parses");
	OK(r.vis.have == 1 && r.vis.v4_seeing == 343 && r.vis.v4_total == 344 &&
	    r.vis.v6_seeing == 340 && r.vis.v6_total == 341,
	    "routing-status 2025: v4 343/344, v6 340/341");
	OK(strcmp(r.vis.last_seen, "2025-06-11T08:00:00") == 0 &&
	    strcmp(r.vis.last_seen_prefix, "193.0.20.0/23") == 0 &&
	    r.vis.last_seen_origin == 3333,
	    "routing-status 2025: last seen 2025-06-11T08:00:00, 193.0.20.0/23 "
	    "from AS3333");
	IS_STR(m.messages, "Results exclude routes with very low visibility "
	    "(less than 10 RIS full-feed peers seeing).; warning: Given query "
	    "time (2025-06-11 08:00:00 UTC) has been changed because it is "
	    "earlier than the time there is data available for!",
	    "routing-status 2025: every message, the warning's level said");
	IS_STR(m.data_time, "2025-06-11T08:00:00", "routing-status 2025: query_time");
}

static void
test_announced(void)
{
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_ap, PUB "JoshGlazebrook__ripestat__announcedPrefixes.json",
	    UPM_PARSE_DATA_ONLY, &r, &m, &e), UPM_OK, "announced-prefixes 2017 parses");
	IS_INT(r.n, 7, "announced-prefixes 2017: 7 prefixes");
	IS_STR(r.prefixes[0], "193.0.22.0/23", "announced-prefixes 2017: first");
	IS_STR(r.prefixes[6], "193.0.0.0/21", "announced-prefixes 2017: last");
	IS_STR(m.data_time, "2017-07-22T16:00:00", "announced-prefixes 2017: query_endtime");

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_ap, PUB "andrelia-hacks__ripestat__announced_prefixes.json",
	    0, &r, &m, &e), UPM_OK, "announced-prefixes 2025 parses");
	IS_INT(r.n, 7, "announced-prefixes 2025: 7 prefixes");
	IS_INT(m.records, 7, "announced-prefixes 2025: meta.records 7");
	IS_STR(r.prefixes[0], "2001:67c:2e8::/48", "announced-prefixes 2025: first");
	IS_STR(r.prefixes[6], "193.0.20.0/23", "announced-prefixes 2025: last");
	IS_STR(m.resource, "3333", "announced-prefixes 2025: resource");
}

/* ------------------------------------------------------- own fixtures */

static void
test_envelope_errors(void)
{
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_bgp, OWN "status_error.json", 0, &r, &m, &e),
	    UPM_ERR_STATUS, "status error: UPM_ERR_STATUS");
	IS_STR(e.text, "RIPEstat status 'error': Unknown resource 'ASX'",
	    "status error: names status and first message");
	rec_init(&r, 0, 0);
	IS_INT(run_file(p_bgp, OWN "status_error_ctrl.json", 0, &r, &m, &e),
	    UPM_ERR_STATUS, "status error with control characters: UPM_ERR_STATUS");
	OK(strchr(e.text, '\n') == NULL && strstr(e.text, "'error X': line1 line2") != NULL,
	    "server text in the error stays on one line: %.60s", e.text);
	IS_INT(strlen(m.messages), 612, "a long message kept whole (it fits)");
	OK((unsigned char)m.messages[611] == 0xA9 && (unsigned char)m.messages[610] == 0xC3,
	    "message ends with a whole character");
	expect_fail(p_bgp, OWN "deprecated.json", 0, UPM_ERR_STATUS, "deprecated");
	expect_fail(p_bgp, OWN "maintenance_empty.json", 0, UPM_ERR_MAINTENANCE,
	    "maintenance");
	expect_fail(p_ap, OWN "missing_data.json", 0, UPM_ERR_MAINTENANCE,
	    "maintenance");
	expect_fail(p_bgp, OWN "missing_status.json", 0, UPM_ERR_SHAPE,
	    "status: expected string (missing)");
	expect_fail(p_bgp, OWN "missing_call_status.json", 0, UPM_ERR_SHAPE,
	    "data_call_status");
	expect_fail(p_bgp, OWN "data_not_object.json", 0, UPM_ERR_SHAPE,
	    "data: expected object, got array");
	expect_fail(p_rs, OWN "top_array.json", 0, UPM_ERR_SHAPE,
	    "top level: expected object");
	expect_fail(p_bgp, OWN "top_array.json", UPM_PARSE_DATA_ONLY, UPM_ERR_SHAPE,
	    "top level");
}

static void
test_shape_errors(void)
{
	expect_fail(p_bgp, OWN "bgp_state_not_array.json", 0, UPM_ERR_SHAPE,
	    "data.bgp_state: expected array, got object");
	expect_fail(p_bgp, OWN "bgp_element_not_object.json", 0, UPM_ERR_SHAPE,
	    "data.bgp_state[2]: expected object");
	expect_fail(p_bgp, OWN "bgp_path_not_array.json", 0, UPM_ERR_SHAPE,
	    "data.bgp_state[3].path: expected array");
	expect_fail(p_bgp, OWN "bgp_source_id_not_string.json", 0, UPM_ERR_SHAPE,
	    "data.bgp_state[1].source_id: expected string, got integer 17");
	expect_fail(p_bgp, OWN "bgp_time_not_string.json", 0, UPM_ERR_SHAPE,
	    "data.timestamp");
	expect_fail(p_lg, OWN "lg_peers_not_array.json", 0, UPM_ERR_SHAPE,
	    "data.rrcs[1].peers: expected array");
	expect_fail(p_lg, OWN "lg_as_path_not_string.json", 0, UPM_ERR_SHAPE,
	    "data.rrcs[0].peers[1].as_path: expected string");
	expect_fail(p_lg, OWN "lg_rrcs_wrong.json", 0, UPM_ERR_SHAPE,
	    "data.rrcs: expected array or object");
	expect_fail(p_lg, OWN "lg2017_entries_not_array.json", UPM_PARSE_DATA_ONLY,
	    UPM_ERR_SHAPE, "data.rrcs.RRC04.entries: expected array");
	expect_fail(p_neigh, OWN "neigh_asn_string.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[1].asn");
	expect_fail(p_neigh, OWN "neigh_asn_zero.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[0].asn");
	expect_fail(p_neigh, OWN "neigh_type_bad.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[2].type");
	expect_fail(p_neigh, OWN "neigh_power_negative.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[0].power");
	expect_fail(p_neigh, OWN "neigh_v4_float.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[0].v4_peers");
	expect_fail(p_neigh, OWN "neigh_v6_missing.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[1].v6_peers: expected count 0..4294967296 (missing)");
	expect_fail(p_neigh, OWN "neigh_count_huge.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours[0].v4_peers: expected count 0..4294967296");
	expect_fail(p_rs, OWN "rs_seeing_above_total.json", 0, UPM_ERR_SHAPE,
	    "data.visibility.v4: ris_peers_seeing 400 above total_ris_peers 344");
	expect_fail(p_neigh, OWN "neigh_not_array.json", 0, UPM_ERR_SHAPE,
	    "data.neighbours: expected array");
	expect_fail(p_rs, OWN "rs_visibility_wrong.json", 0, UPM_ERR_SHAPE,
	    "data.visibility.v4.ris_peers_seeing");
	expect_fail(p_rs, OWN "rs_last_seen_time_number.json", 0, UPM_ERR_SHAPE,
	    "data.last_seen.time: expected time string, got integer 1735787045");
	expect_fail(p_rs, OWN "rs_last_seen_time_bad.json", 0, UPM_ERR_SHAPE,
	    "data.last_seen.time: expected time string, got string 'yesterday'");
	expect_fail(p_rs, OWN "rs_last_seen_not_object.json", 0, UPM_ERR_SHAPE,
	    "data.last_seen: expected object, got string");
	expect_fail(p_rs, OWN "rs_last_seen_origin_bad.json", 0, UPM_ERR_SHAPE,
	    "data.last_seen.origin: expected AS number, got array");
	expect_fail(p_rs, OWN "rs_last_seen_prefix_bad.json", 0, UPM_ERR_SHAPE,
	    "data.last_seen.prefix: expected IP prefix string");
	expect_fail(p_ap, OWN "ap_bad_prefix.json", 0, UPM_ERR_SHAPE,
	    "data.prefixes[1].prefix");
	expect_fail(p_ap, OWN "ap_prefix_not_string.json", 0, UPM_ERR_SHAPE,
	    "data.prefixes[0].prefix");
}

static int
printable_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void
test_json_errors(void)
{
	static const char raw_nul[] = "{\"status\": \"ok\", \"data_call_status\": "
	    "\"supported\", \"data\": {\"bgp_state\": [{\"source_id\": \"a\0b\", "
	    "\"path\": [1], \"target_prefix\": \"192.0.2.0/24\"}]}}";
	static const char ctl_after[] = "{\"a\": 1\001}";
	static const char nul_after[] = "{\"bgp_state\": []}\0junk";
	struct rec r;
	upm_error e;

	expect_fail(p_bgp, OWN "duplicate_keys.json", 0, UPM_ERR_JSON, "duplicate");
	expect_fail(p_bgp, OWN "duplicate_keys_inner.json", 0, UPM_ERR_JSON,
	    "duplicate");
	expect_fail(p_bgp, OWN "nul_escape.json", 0, UPM_ERR_JSON,
	    "invalid JSON at line 1 column");
	expect_fail(p_bgp, OWN "bad_utf8.json", 0, UPM_ERR_JSON, "invalid JSON at line");
	rec_init(&r, 0, 0);
	IS_INT(upm_parse_bgp_state(ctl_after, sizeof(ctl_after) - 1, 0, obs_sink,
	    &r, NULL, &e), UPM_ERR_JSON, "control byte after a value: JSON error");
	OK(printable_ascii(e.text), "JSON error text quoting it is printable ASCII: %s",
	    e.text);
	expect_fail(p_bgp, OWN "overlong_utf8.json", 0, UPM_ERR_JSON, "invalid JSON");
	expect_fail(p_bgp, OWN "big_integer.json", 0, UPM_ERR_JSON, "invalid JSON");

	rec_init(&r, 0, 0);
	IS_INT(upm_parse_bgp_state(raw_nul, sizeof(raw_nul) - 1, 0, obs_sink, &r,
	    NULL, &e), UPM_ERR_JSON, "raw NUL inside a string: JSON error");
	IS_INT(upm_parse_bgp_state(nul_after, sizeof(nul_after) - 1,
	    UPM_PARSE_DATA_ONLY, obs_sink, &r, NULL, &e), UPM_ERR_JSON,
	    "NUL and junk after the document: JSON error");
	IS_INT(upm_parse_bgp_state(nul_after, strlen(nul_after),
	    UPM_PARSE_DATA_ONLY, obs_sink, &r, NULL, &e), UPM_OK,
	    "same document without the junk: OK");
	IS_INT(upm_parse_bgp_state("", 0, 0, obs_sink, &r, NULL, &e), UPM_ERR_JSON,
	    "empty buffer: JSON error");
	OK(strstr(e.text, "invalid JSON at line") != NULL, "empty buffer text: %s", e.text);
	IS_INT(upm_parse_looking_glass(NULL, 0, 0, obs_sink, &r, NULL, &e),
	    UPM_ERR_JSON, "NULL buffer: JSON error");
	IS_INT(upm_parse_routing_status("42", 2, 0, NULL, NULL, &e), UPM_ERR_JSON,
	    "scalar top level: JSON error");
	IS_INT(upm_parse_asn_neighbours("{\"a\":", 5, 0, neigh_sink, &r, NULL, NULL),
	    UPM_ERR_JSON, "truncated, err NULL: still the status");
	IS_INT(r.n, 0, "nothing handed over on JSON errors");
}

static void
test_unusable_bgp_state(void)
{
	static const int want[] = { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	static const uint32_t bounds[] = { 4294967295u, 1 };
	static const uint32_t prep[] = { 64500, 64505, 64505, 64505, 64510 };
	struct rec r;
	upm_meta m;
	upm_error e;
	size_t i, flags_ok = 0;

	rec_init(&r, 64510, 64500);
	IS_INT(run_file(p_bgp, OWN "bgp_unusable.json", 0, &r, &m, &e), UPM_OK,
	    "bgp-state with junk paths parses");
	IS_INT(r.n, 10, "bgp-state junk: every route handed over");
	for (i = 0; i < 10; i++)
		flags_ok += r.kept[i].unusable == want[i];
	IS_INT(flags_ok, 10, "bgp-state junk: AS_SET, strings, float, AS0, 2^32, "
	    "negative, empty, null unusable; others usable");
	IS_INT(r.bad_unusable, 0, "bgp-state junk: unusable ones have no path");
	OK(r.kept[0].path_null && r.kept[0].path_len == 0, "AS_SET: path NULL, len 0");
	OK(path_is(&r.kept[8], bounds, 2), "4294967295 and 1 are valid ASNs");
	OK(path_is(&r.kept[9], prep, 5), "bgp-state: prepending kept as-is");
	IS_STR(m.data_time, "2025-01-02T03:04:05", "bgp-state: timestamp as data_time");
	IS_STR(m.resource, "64510", "bgp-state: resource");

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_bgp, OWN "bgp_resource_number.json", 0, &r, &m, &e),
	    UPM_OK, "numeric resource accepted");
	IS_STR(m.resource, "64510", "numeric resource as text");
	IS_STR(m.data_time, "2017-10-01T09:07:51", "query_time as data_time");
}

static void
test_unusable_lg(void)
{
	static const int want[] = { 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0 };
	static const uint32_t spaced[] = { 64500, 64505, 64505, 64510 };
	struct rec r;
	upm_meta m;
	upm_error e;
	size_t i, flags_ok = 0;

	rec_init(&r, 64510, 64500);
	IS_INT(run_file(p_lg, OWN "lg_unusable.json", 0, &r, &m, &e), UPM_OK,
	    "looking-glass with junk tokens parses");
	IS_INT(r.n, 11, "looking-glass junk: every route handed over");
	for (i = 0; i < 11; i++)
		flags_ok += r.kept[i].unusable == want[i];
	IS_INT(flags_ok, 11, "looking-glass junk: AS_SET, word, AS0, 2^32, empty, "
	    "blank, sign, AS prefix unusable; others usable");
	IS_INT(r.bad_unusable, 0, "looking-glass junk: unusable ones have no path");
	IS_STR(r.kept[0].peer, "rrc00/198.51.100.0", "collector name lower-cased");
	IS_STR(r.kept[6].peer, "rrc21/2001:db8::0", "IPv6 peer id");
	OK(path_is(&r.kept[6], spaced, 4), "tabs and runs of spaces split, prepending kept");
	IS_STR(m.data_time, "2025-01-02T03:00:00", "latest_time preferred");
	IS_STR(m.resource, "192.0.2.0/24", "resource from parameters");
}

static void
test_meta_and_messages(void)
{
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 0, 0);
	IS_INT(run_file(p_bgp, OWN "messages_malformed.json", 0, &r, &m, &e),
	    UPM_OK, "malformed messages do not fail the parse");
	IS_STR(m.messages, "the real one; second",
	    "every well-formed message kept, the malformed ones left out");
	rec_init(&r, 0, 0);
	IS_INT(run_file(p_bgp, OWN "messages_not_array.json", 0, &r, &m, &e),
	    UPM_OK, "messages not an array: ignored");
	IS_STR(m.messages, "", "no message then");

	rec_init(&r, 0, 0);
	r.vis.have = 7;
	IS_INT(run_file(p_rs, OWN "rs_no_visibility.json", 0, &r, &m, &e), UPM_OK,
	    "routing-status without visibility: OK");
	IS_INT(r.vis.have, 0, "no visibility: have 0");
	IS_STR(r.vis.last_seen, "", "no last_seen: empty");
	rec_init(&r, 0, 0);
	IS_INT(run_file(p_rs, OWN "rs_last_seen_null.json", 0, &r, &m, &e),
	    UPM_OK, "routing-status with last_seen null: OK");
	OK(r.vis.have == 1 && r.vis.last_seen[0] == '\0' &&
	    r.vis.last_seen_prefix[0] == '\0' && r.vis.last_seen_origin == 0,
	    "last_seen null: none, visibility still read");
	IS_STR(m.data_time, "2025-01-02T03:04:05", "routing-status query_time");
	rec_init(&r, 0, 0);
	IS_INT(run_file(p_rs, OWN "rs_visibility_v4_only.json", 0, &r, &m, &e),
	    UPM_OK, "visibility with v4 only: OK");
	OK(r.vis.have == 1 && r.vis.v4_seeing == 3 && r.vis.v4_total == 5 &&
	    r.vis.v6_seeing == 0 && r.vis.v6_total == 0, "v4 3/5, v6 zero");
}

static void
test_abort_and_null(void)
{
	size_t len;
	char *lg = slurp(PUB "andrelia-hacks__ripestat__looking_glass.json", &len);
	struct rec r;
	upm_meta m;
	upm_error e;

	rec_init(&r, 1205, 1853);
	r.abort_at = 5;
	IS_INT(upm_parse_looking_glass(lg, len, 0, obs_sink, &r, &m, &e),
	    UPM_ERR_ABORTED, "sink stop: UPM_ERR_ABORTED");
	IS_INT(r.n, 5, "sink stop: no record after the stop");
	IS_INT(m.records, 5, "sink stop: meta counts the handed records");
	IS_INT(upm_parse_looking_glass(lg, len, 0, NULL, NULL, NULL, NULL), UPM_OK,
	    "NULL sink, meta and err: OK");
	free(lg);

	rec_init(&r, 0, 0);
	r.abort_at = 1;
	IS_INT(run_file(p_neigh, PUB "andrelia-hacks__ripestat__asn_neighbours.json",
	    0, &r, &m, &e), UPM_ERR_ABORTED, "neighbour sink stop: aborted");
	IS_INT(r.n, 1, "neighbour sink stop after one");
	rec_init(&r, 0, 0);
	r.abort_at = 2;
	IS_INT(run_file(p_ap, PUB "andrelia-hacks__ripestat__announced_prefixes.json",
	    0, &r, &m, &e), UPM_ERR_ABORTED, "prefix sink stop: aborted");
	IS_INT(r.n, 2, "prefix sink stop after two");
	rec_init(&r, 1205, 1853);
	r.abort_at = 166;
	IS_INT(run_file(p_bgp, PUB "JoshGlazebrook__ripestat__bgpState.json",
	    UPM_PARSE_DATA_ONLY, &r, &m, &e), UPM_ERR_ABORTED,
	    "bgp-state stop at the last record: still aborted");
}

/* Every prefix of a document that cuts its closing brace is invalid JSON:
 * the parser must say so every time (and, under valgrind/ASan, never crash
 * or leak). */
static void
truncations(parse_fn fn, const char *path, int flags, size_t step)
{
	size_t len, cut, tried = 0, json_err = 0;
	char *buf = slurp(path, &len);
	size_t end = len;
	struct rec r;
	upm_error e;

	while (buf != NULL && end > 0 && (buf[end - 1] == ' ' ||
	    buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == '\t'))
		end--; /* trailing white space is not part of the document */
	for (cut = 0; buf != NULL && cut < end; cut += step) {
		char *copy = malloc(cut ? cut : 1); /* exact size: overreads show */

		if (copy == NULL)
			break;
		memcpy(copy, buf, cut);
		rec_init(&r, 0, 0);
		json_err += fn(copy, cut, flags, &r, NULL, &e) == UPM_ERR_JSON;
		tried++;
		free(copy);
	}
	OK(tried > 0 && json_err == tried, "%s: %zu truncations, all JSON errors",
	    path, tried);
	rec_init(&r, 0, 0);
	IS_INT(buf ? fn(buf, len, flags, &r, NULL, &e) : (upm_status)-1, UPM_OK,
	    "whole document parses");
	free(buf);
}

static void
test_truncations(void)
{
	truncations(p_bgp, PUB "andrelia-hacks__ripestat__bgp_state.json", 0, 1);
	truncations(p_neigh, PUB "andrelia-hacks__ripestat__asn_neighbours.json", 0, 1);
	truncations(p_rs, PUB "andrelia-hacks__ripestat__routing_status.json", 0, 1);
	truncations(p_ap, PUB "andrelia-hacks__ripestat__announced_prefixes.json", 0, 1);
	truncations(p_lg, OWN "lg_unusable.json", 0, 1);
	truncations(p_bgp, OWN "bgp_unusable.json", 0, 1);
	truncations(p_lg, PUB "JoshGlazebrook__ripestat__lookingGlass.json",
	    UPM_PARSE_DATA_ONLY, 601);
	truncations(p_lg, PUB "andrelia-hacks__ripestat__looking_glass.json", 0, 4999);
}

int
main(void)
{
	test_lg_2025();
	test_lg_2017();
	test_bgp_state_2017();
	test_bgp_state_empty_and_maintenance();
	test_neighbours();
	test_routing_status();
	test_announced();
	test_envelope_errors();
	test_shape_errors();
	test_json_errors();
	test_unusable_bgp_state();
	test_unusable_lg();
	test_meta_and_messages();
	test_abort_and_null();
	test_truncations();
	return tap_done();
}

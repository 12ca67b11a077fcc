/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* test_compute.c - upstreams and shares from observations, and the diff. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"
#include "tap.h"

#define TARGET 131279u

static upm_compute *
new_compute(const uint32_t *origins, size_t n)
{
	upm_asn_list l;
	upm_compute *c;
	upm_error err;
	size_t i;

	upm_asn_list_init(&l);
	for (i = 0; i < n; i++)
		upm_asn_list_add(&l, origins[i]);
	c = upm_compute_new(&l, &err);
	upm_asn_list_free(&l);
	return c;
}

static upm_compute *
new_target_compute(void)
{
	uint32_t o = TARGET;

	return new_compute(&o, 1);
}

/* Adds one observation of path (vantage side first) by peer for prefix. */
static int
add(upm_compute *c, const char *peer, const char *prefix, const uint32_t *path,
    size_t len)
{
	upm_observation obs;

	memset(&obs, 0, sizeof(obs));
	obs.session = peer;
	obs.prefix = prefix;
	obs.path = path;
	obs.path_len = len;
	return upm_compute_add(c, &obs);
}

/* Adds an observation by a session of vantage AS vp, whose path to
 * path[0] is left out (a customer of path[0], say). */
static int
add_vp(upm_compute *c, const char *peer, uint32_t vp, const char *prefix,
    const uint32_t *path, size_t len)
{
	upm_observation obs;

	memset(&obs, 0, sizeof(obs));
	obs.session = peer;
	obs.prefix = prefix;
	obs.path = path;
	obs.path_len = len;
	obs.peer_asn = vp;
	return upm_compute_add(c, &obs);
}

/* Adds path once for each of n peers (each its own vantage AS, 10000 + i) "rrcNN/peerK" from first on. */
static void
add_from_peers(upm_compute *c, int first, int n, const char *prefix,
    const uint32_t *path, size_t len)
{
	char peer[32];
	int i;

	for (i = first; i < first + n; i++) {
		snprintf(peer, sizeof(peer), "rrc00/10.0.0.%d", i);
		add_vp(c, peer, (uint32_t)(10000 + i), prefix, path, len);
	}
}

static const upm_upstream *
find(const upm_result *r, uint32_t asn)
{
	size_t i;

	for (i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].asn == asn)
			return &r->upstreams[i];
	return NULL;
}

static int
near(double got, double want)
{
	return fabs(got - want) < 1e-9;
}

static upm_result *
result_of(upm_compute *c, const upm_params *p)
{
	upm_result *r = NULL;
	upm_error err;

	memset(&err, 0, sizeof(err));
	if (upm_compute_result(c, p, &r, &err) != UPM_OK)
		printf("# result failed: %s\n", err.text);
	return r;
}

/* 6 paths through AS4837 and 4 through AS20485, from distinct peers. */
static void
test_multihoming(void)
{
	static const uint32_t via_cu[] = { 3356, 4837, TARGET };
	static const uint32_t via_ttk[] = { 1299, 20485, TARGET };
	upm_compute *c = new_target_compute();
	upm_result *r;
	upm_asn_list present;
	upm_error err;

	add_from_peers(c, 1, 3, "175.45.176.0/24", via_cu, 3);
	add_from_peers(c, 1, 3, "175.45.177.0/24", via_cu, 3);
	add_from_peers(c, 4, 2, "175.45.176.0/24", via_ttk, 3);
	add_from_peers(c, 4, 2, "175.45.178.0/24", via_ttk, 3);
	r = result_of(c, NULL);
	OK(r != NULL, "multihoming: result");
	if (r == NULL)
		goto out;
	IS_INT(r->observations, 10, "multihoming: 10 observations");
	IS_INT(r->with_upstream, 10, "multihoming: 10 with an upstream");
	IS_INT(r->n_upstreams, 2, "multihoming: 2 upstreams");
	IS_INT(r->n_present, 2, "multihoming: both present");
	IS_INT(r->upstreams[0].asn, 4837, "multihoming: AS4837 first");
	OK(near(r->upstreams[0].share, 60.0), "multihoming: AS4837 60%% (%g)",
	    r->upstreams[0].share);
	IS_INT(r->upstreams[0].observations, 6, "multihoming: AS4837 6 paths");
	IS_INT(r->upstreams[0].sessions, 3, "multihoming: AS4837 3 peers");
	IS_INT(r->upstreams[0].prefixes, 2, "multihoming: AS4837 2 prefixes");
	IS_INT(r->upstreams[1].asn, 20485, "multihoming: AS20485 second");
	OK(near(r->upstreams[1].share, 40.0), "multihoming: AS20485 40%% (%g)",
	    r->upstreams[1].share);
	IS_INT(r->upstreams[1].sessions, 2, "multihoming: AS20485 2 peers");
	IS_INT(r->upstreams[1].prefixes, 2, "multihoming: AS20485 2 prefixes");
	IS_INT(r->sessions, 5, "multihoming: 5 vantage points overall");
	IS_INT(r->prefixes, 3, "multihoming: 3 prefixes overall");
	IS_INT(r->upstreams[0].status, UPM_ST_UNBASELINED, "multihoming: unbaselined");
	IS_STR(r->warnings, "", "multihoming: no warnings");
	IS_STR(r->target, "", "multihoming: target left to the caller");

	upm_asn_list_init(&present);
	upm_asn_list_add(&present, 7); /* replaced, not appended to */
	IS_INT(upm_result_present(r, &present, &err), UPM_OK, "present: ok");
	IS_INT(present.n, 2, "present: 2 ASes");
	OK(present.n == 2 && present.v[0] == 4837 && present.v[1] == 20485,
	    "present: 4837, 20485 ascending");
	upm_asn_list_free(&present);
out:
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_prepending(void)
{
	static const uint32_t origin_prepend[] = { 174, 4837, TARGET, TARGET, TARGET };
	static const uint32_t upstream_prepend[] = { 174, 4837, 4837, 4837, TARGET };
	static const uint32_t both[] = { 4837, 4837, TARGET, TARGET };
	upm_compute *c = new_target_compute();
	upm_result *r;

	add_from_peers(c, 1, 1, "p1", origin_prepend, 5);
	add_from_peers(c, 2, 1, "p1", upstream_prepend, 5);
	add_from_peers(c, 3, 1, "p1", both, 4);
	r = result_of(c, NULL);
	OK(r != NULL && r->n_upstreams == 1, "prepending: one upstream");
	if (r != NULL && r->n_upstreams == 1) {
		IS_INT(r->upstreams[0].asn, 4837, "prepending: it is AS4837");
		IS_INT(r->upstreams[0].observations, 3, "prepending: 3 paths");
		IS_INT(r->with_upstream, 3, "prepending: all with upstream");
		IS_INT(r->direct, 0, "prepending: none direct");
	}
	upm_result_free(r);
	upm_compute_free(c);
}

/* An origin set of two ASes: the upstream is the first AS of neither. */
static void
test_origin_set(void)
{
	static const uint32_t origins[] = { 65001, 65002 };
	static const uint32_t p1[] = { 6939, 3356, 65001, 65002 };
	static const uint32_t p2[] = { 6939, 174, 65002, 65001, 65001 };
	static const uint32_t p3[] = { 65001, 65002 };          /* direct */
	static const uint32_t p4[] = { 3356, 65002, 64999 };   /* other origin */
	upm_compute *c = new_compute(origins, 2);
	upm_result *r;

	add_from_peers(c, 1, 2, "p1", p1, 4);
	add_from_peers(c, 1, 2, "p2", p2, 5);
	add_from_peers(c, 5, 1, "p3", p3, 2);
	add_from_peers(c, 6, 1, "p4", p4, 3);
	r = result_of(c, NULL);
	OK(r != NULL, "origin set: result");
	if (r == NULL)
		goto out;
	IS_INT(r->n_upstreams, 2, "origin set: 2 upstreams");
	OK(find(r, 3356) != NULL && find(r, 3356)->observations == 2,
	    "origin set: AS3356 upstream of 65001 65002");
	OK(find(r, 174) != NULL && find(r, 174)->observations == 2,
	    "origin set: AS174 upstream of 65002 65001 65001");
	OK(find(r, 65001) == NULL && find(r, 65002) == NULL,
	    "origin set: no origin counted as upstream");
	IS_INT(r->direct, 1, "origin set: path of origins only is direct");
	IS_INT(r->other_origin, 1, "origin set: foreign origin counted");
	IS_INT(r->upstreams[0].asn, 174, "origin set: 50/50 tie sorted by ASN");
	IS_INT(r->upstreams[1].asn, 3356, "origin set: then the larger ASN");
out:
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_direct_unusable_other(void)
{
	static const uint32_t direct[] = { TARGET };
	static const uint32_t direct2[] = { TARGET, TARGET };
	static const uint32_t other[] = { 4837, 9808 };
	static const uint32_t good[] = { 4837, TARGET };
	upm_compute *c = new_target_compute();
	upm_observation obs;
	upm_result *r;

	add(c, "rrc00/a", "p1", direct, 1);
	add(c, "rrc00/b", "p1", direct2, 2);
	add(c, "rrc00/c", "p2", other, 2);
	add(c, "rrc00/d", "p3", NULL, 0);          /* nothing usable */
	memset(&obs, 0, sizeof(obs));
	obs.session = "rrc00/e";
	obs.prefix = "p4";
	obs.path = good;
	obs.path_len = 2;
	obs.unusable = 1;                          /* AS_SET in the path */
	upm_compute_add(c, &obs);
	add_from_peers(c, 1, 2, "p1", good, 2);
	r = result_of(c, NULL);
	OK(r != NULL, "counts: result");
	if (r == NULL)
		goto out;
	IS_INT(r->observations, 7, "counts: 7 observations");
	IS_INT(r->direct, 2, "counts: 2 direct");
	IS_INT(r->unusable, 2, "counts: 2 unusable (empty path, AS_SET)");
	IS_INT(r->other_origin, 1, "counts: 1 other origin");
	IS_INT(r->with_upstream, 2, "counts: 2 with upstream");
	IS_INT(r->n_upstreams, 1, "counts: the unusable path gave no upstream");
	OK(near(r->upstreams[0].share, 100.0), "counts: share over paths with "
	    "an upstream only (%g)", r->upstreams[0].share);
	IS_INT(r->sessions, 7, "counts: every peer counts as vantage point");
	IS_INT(r->prefixes, 4, "counts: every prefix counts");
	IS_STR(r->warnings, "2 unusable paths; 2 direct observations; "
	    "1 path from another origin", "counts: warnings");
out:
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_singular_warning(void)
{
	static const uint32_t direct[] = { TARGET };
	upm_compute *c = new_target_compute();
	upm_result *r;

	add(c, "a", "p", direct, 1);
	add(c, "a", "p", NULL, 0);
	r = result_of(c, NULL);
	OK(r != NULL, "singular: result even without any upstream");
	if (r != NULL) {
		IS_STR(r->warnings, "1 unusable path; 1 direct observation",
		    "singular: warnings");
		IS_INT(r->n_upstreams, 0, "singular: no upstream");
		IS_INT(r->with_upstream, 0, "singular: none with upstream");
	}
	upm_result_free(r);
	upm_compute_free(c);
}

/* 100 paths: 97 via AS4837 (10 peers), 1 via AS64500 (1 peer, below
 * min-peers, 1 %), 2 via AS64501 (2 peers, exactly min-peers, 2 %). */
static void
test_noise(void)
{
	static const uint32_t main_path[] = { 4837, TARGET };
	static const uint32_t leak[] = { 64500, TARGET };
	static const uint32_t edge_peers[] = { 64501, TARGET };
	upm_compute *c = new_target_compute();
	upm_params p;
	upm_result *r;
	int i;

	/* 97 paths via 4837 from 10 peers, each its own vantage AS.  The
	 * thresholds, not the roles (test_roles): every neighbour counts. */
	for (i = 0; i < 97; i++) {
		char peer[16];
		snprintf(peer, sizeof(peer), "peer%d", i % 10);
		add_vp(c, peer, (uint32_t)(10000 + i % 10), "p", main_path, 2);
	}
	add_vp(c, "peer0", 10000, "p", leak, 2);       /* 1 peer, 1 % */
	add_vp(c, "peer0", 10000, "p", edge_peers, 2); /* 2 peers, 2 % */
	add_vp(c, "peer1", 10001, "p", edge_peers, 2);
	upm_params_init(&p);
	IS_INT(p.min_peers, 2, "params: min_peers 2 by default");
	OK(p.min_share == 1.0, "params: min_share 1.0 by default");
	p.neighbours_all = 1;
	r = result_of(c, &p);
	OK(r != NULL, "noise: result");
	if (r == NULL)
		goto out;
	OK(find(r, 64500) && !find(r, 64500)->present,
	    "noise: 1 peer < min_peers 2: not present");
	OK(find(r, 64500) && near(find(r, 64500)->share, 1.0),
	    "noise: but its share is shown (1%%)");
	OK(find(r, 64501) && find(r, 64501)->present,
	    "noise: peers == min_peers: present");
	IS_INT(r->n_present, 2, "noise: 2 present");
	upm_result_free(r);

	/* min_share boundary: AS64501 has exactly 2 %. */
	p.min_share = 2.0;
	r = result_of(c, &p);
	OK(r && find(r, 64501) && find(r, 64501)->present,
	    "noise: share == min_share: present");
	upm_result_free(r);
	p.min_share = 2.0001;
	r = result_of(c, &p);
	OK(r && find(r, 64501) && !find(r, 64501)->present,
	    "noise: share below min_share: not present");
	IS_INT(r ? r->n_present : 99, 1, "noise: only AS4837 left");
	upm_result_free(r);
	p.min_share = 1.0;
	p.min_peers = 3;
	r = result_of(c, &p);
	OK(r && find(r, 64501) && !find(r, 64501)->present,
	    "noise: 2 peers below min_peers 3: not present");
	OK(r && find(r, 4837) && find(r, 4837)->present,
	    "noise: 10 peers still present");
out:
	upm_result_free(r);
	upm_compute_free(c);
}

static upm_neighbour
neighbour(uint32_t asn, upm_neigh_type type, uint64_t v4, uint64_t v6)
{
	upm_neighbour n;

	memset(&n, 0, sizeof(n));
	n.asn = asn;
	n.type = type;
	n.power = v4 + v6;
	n.v4_peers = v4;
	n.v6_peers = v6;
	return n;
}

static void
test_neighbours(void)
{
	upm_compute *c = new_target_compute();
	upm_neighbour n;
	upm_result *r;
	const upm_upstream *u;

	n = neighbour(4837, UPM_NEIGH_LEFT, 300, 60);
	IS_INT(upm_compute_add_neighbour(c, &n), 0, "neighbours: add left");
	n = neighbour(20485, UPM_NEIGH_LEFT, 9, 0);
	upm_compute_add_neighbour(c, &n);
	n = neighbour(35369, UPM_NEIGH_UNCERTAIN, 200, 100);
	upm_compute_add_neighbour(c, &n);
	n = neighbour(64496, UPM_NEIGH_RIGHT, 500, 500);
	upm_compute_add_neighbour(c, &n);
	r = result_of(c, NULL);
	OK(r != NULL, "neighbours: result");
	if (r == NULL)
		goto out;
	IS_INT(r->n_upstreams, 3, "neighbours: right neighbour ignored");
	OK(find(r, 64496) == NULL, "neighbours: no AS64496");
	IS_INT(r->with_upstream, 369, "neighbours: with_upstream = left weights");
	IS_INT(r->observations, 669, "neighbours: observations = left + uncertain");
	u = find(r, 4837);
	OK(u && near(u->share, 97.5609756097561), "neighbours: 360/369 = 97.56%%");
	OK(u && u->observations == 360 && u->peer_routes == 360 &&
	    u->sessions == 0 && u->vantage_ases == 0 && u->prefixes == 0,
	    "neighbours: weight is observations and peer_routes, not peers");
	OK(u && u->present && !u->uncertain, "neighbours: AS4837 present");
	u = find(r, 20485);
	OK(u && near(u->share, 2.4390243902439024), "neighbours: 9/369 = 2.44%%");
	OK(u && u->present, "neighbours: AS20485 present");
	u = find(r, 35369);
	OK(u && u->uncertain, "neighbours: uncertain flagged");
	OK(u && !u->present, "neighbours: uncertain never present, even heavy");
	OK(u && u->observations == 300, "neighbours: uncertain keeps its weight");
	OK(u && near(u->share, 300.0 * 100.0 / 369.0),
	    "neighbours: uncertain share relative to the left weights");
	IS_INT(r->n_present, 2, "neighbours: 2 present");
	IS_INT(r->upstreams[0].asn, 4837, "neighbours: sorted by share");
	IS_INT(r->upstreams[1].asn, 35369, "neighbours: uncertain sorts by share too");
out:
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_only_right_neighbours(void)
{
	upm_compute *c = new_target_compute();
	upm_neighbour n = neighbour(64496, UPM_NEIGH_RIGHT, 5, 5);
	upm_result *r;

	upm_compute_add_neighbour(c, &n);
	r = result_of(c, NULL);
	OK(r != NULL && r->n_upstreams == 0 && r->observations == 0,
	    "right only: a result with nothing in it");
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_nodata(void)
{
	upm_compute *c = new_target_compute();
	upm_asn_list empty;
	upm_result *r = (upm_result *)&r;
	upm_error err;

	memset(&err, 0, sizeof(err));
	IS_INT(upm_compute_result(c, NULL, &r, &err), UPM_ERR_NODATA,
	    "nodata: nothing added");
	OK(r == NULL, "nodata: *out NULL");
	IS_INT(err.code, UPM_ERR_NODATA, "nodata: err filled");
	upm_compute_free(c);

	upm_asn_list_init(&empty);
	memset(&err, 0, sizeof(err));
	OK(upm_compute_new(&empty, &err) == NULL, "empty origin set refused");
	IS_INT(err.code, UPM_ERR_ARG, "empty origin set: UPM_ERR_ARG");
	/* No assertion: a crash here fails the program. */
	upm_compute_free(NULL);
	upm_result_free(NULL);
}

/* Result: AS4837 60 %, AS20485 30 %, AS64500 10 % but one peer only. */
static upm_result *
diff_fixture(void)
{
	static const uint32_t a[] = { 4837, TARGET };
	static const uint32_t b[] = { 20485, TARGET };
	static const uint32_t noise[] = { 64500, TARGET };
	upm_compute *c = new_target_compute();
	upm_result *r;
	upm_params p;

	add_from_peers(c, 1, 6, "p", a, 2);
	add_from_peers(c, 1, 3, "p", b, 2);
	add_from_peers(c, 1, 1, "p", noise, 2);
	upm_params_init(&p);
	p.neighbours_all = 1;   /* the diff, not the roles */
	r = result_of(c, &p);
	upm_compute_free(c);
	return r;
}

static void
test_diff(void)
{
	upm_result *r = diff_fixture();
	upm_asn_list base;
	upm_error err;
	const upm_upstream *u;
	size_t i;

	OK(r != NULL, "diff: fixture");
	if (r == NULL)
		return;
	IS_INT(upm_diff(r, NULL, &err), UPM_OK, "diff: no baseline ok");
	IS_INT(r->baselined, 0, "diff: no baseline, not baselined");
	IS_INT(r->appeared.n + r->disappeared.n, 0, "diff: no baseline, no change");
	for (i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].status != UPM_ST_UNBASELINED)
			break;
	IS_INT(i, r->n_upstreams, "diff: no baseline, all unbaselined");

	upm_asn_list_init(&base);
	upm_asn_list_add(&base, 4837);
	upm_asn_list_add(&base, 64500);
	upm_asn_list_add(&base, 3356);
	upm_asn_list_add(&base, 1299);
	IS_INT(upm_diff(r, &base, &err), UPM_OK, "diff: with baseline ok");
	IS_INT(r->baselined, 1, "diff: baselined");
	IS_INT(r->n_upstreams, 5, "diff: 3 seen + 2 missing from the baseline");
	IS_INT(find(r, 4837)->status, UPM_ST_EXPECTED, "diff: AS4837 expected");
	IS_INT(find(r, 20485)->status, UPM_ST_NEW, "diff: AS20485 new");
	u = find(r, 64500);
	IS_INT(u->status, UPM_ST_MISSING, "diff: AS64500 noise in baseline: missing");
	OK(near(u->share, 10.0), "diff: missing AS64500 keeps its real share");
	u = find(r, 3356);
	OK(u != NULL && u->status == UPM_ST_MISSING, "diff: AS3356 unseen: missing");
	OK(u != NULL && u->share == 0.0 && u->observations == 0 && u->sessions == 0 &&
	    !u->present, "diff: appended entry has share 0, nothing seen");
	IS_INT(r->appeared.n, 1, "diff: one appeared");
	OK(r->appeared.n == 1 && r->appeared.v[0] == 20485, "diff: AS20485 appeared");
	IS_INT(r->disappeared.n, 3, "diff: three disappeared");
	OK(r->disappeared.n == 3 && r->disappeared.v[0] == 1299 &&
	    r->disappeared.v[1] == 3356 && r->disappeared.v[2] == 64500,
	    "diff: AS1299, AS3356, AS64500 disappeared, ascending");
	/* Order: 4837 60, 20485 30, 64500 10, 1299 0, 3356 0 (ties by ASN). */
	OK(r->upstreams[0].asn == 4837 && r->upstreams[1].asn == 20485 &&
	    r->upstreams[2].asn == 64500 && r->upstreams[3].asn == 1299 &&
	    r->upstreams[4].asn == 3356, "diff: sorted by share then ASN");
	IS_INT(r->n_present, 2, "diff: n_present unchanged");

	IS_INT(upm_diff(r, &base, &err), UPM_OK, "diff again: ok");
	IS_INT(r->n_upstreams, 5, "diff again: no duplicated entries");
	IS_INT(r->disappeared.n, 3, "diff again: disappeared not doubled");
	IS_INT(r->appeared.n, 1, "diff again: appeared not doubled");

	upm_asn_list_free(&base);
	upm_asn_list_add(&base, 4837);
	upm_asn_list_add(&base, 20485);
	IS_INT(upm_diff(r, &base, &err), UPM_OK, "diff to matching baseline: ok");
	IS_INT(r->n_upstreams, 3, "diff to matching baseline: placeholders gone");
	IS_INT(r->appeared.n + r->disappeared.n, 0, "diff to matching: no change");
	IS_INT(find(r, 64500)->status, UPM_ST_UNBASELINED,
	    "diff to matching: noise not in baseline is unbaselined");
	IS_INT(find(r, 20485)->status, UPM_ST_EXPECTED, "diff: now expected");

	IS_INT(upm_diff(r, NULL, &err), UPM_OK, "diff back to none: ok");
	IS_INT(r->baselined, 0, "diff back to none: not baselined");
	IS_INT(find(r, 4837)->status, UPM_ST_UNBASELINED, "diff back: unbaselined");

	upm_asn_list_free(&base);
	IS_INT(upm_diff(r, &base, &err), UPM_OK, "diff to empty baseline: ok");
	IS_INT(r->appeared.n, 2, "diff to empty baseline: both present appeared");
	IS_INT(r->baselined, 1, "diff to empty baseline: baselined");
	upm_result_free(r);
}

/* Ties on share are broken by ASN, ascending, whatever the input order. */
static void
test_sort_ties(void)
{
	static const uint32_t asns[] = { 64499, 64497, 64500, 64498 };
	upm_compute *c = new_target_compute();
	upm_result *r;
	uint32_t path[2];
	size_t i;

	for (i = 0; i < 4; i++) {
		path[0] = asns[i];
		path[1] = TARGET;
		add_from_peers(c, 1, i == 2 ? 4 : 2, "p", path, 2);
	}
	r = result_of(c, NULL);
	OK(r != NULL && r->n_upstreams == 4, "ties: 4 upstreams");
	if (r != NULL && r->n_upstreams == 4)
		OK(r->upstreams[0].asn == 64500 && r->upstreams[1].asn == 64497 &&
		    r->upstreams[2].asn == 64498 && r->upstreams[3].asn == 64499,
		    "ties: 64500 (40%%), then 64497, 64498, 64499 (20%% each)");
	upm_result_free(r);
	upm_compute_free(c);
}

/* Many observations, few distinct values; then many distinct values. */
static void
test_volume(void)
{
	upm_compute *c = new_target_compute();
	upm_result *r;
	uint32_t path[3] = { 0, 0, TARGET };
	char peer[32], prefix[32];
	int i;

	for (i = 0; i < 100000; i++) {
		path[0] = 64512 + (uint32_t)(i % 7);
		path[1] = i % 4 == 0 ? 20485 : 4837;
		snprintf(peer, sizeof(peer), "rrc%02d/peer%d", i % 25, i % 50);
		snprintf(prefix, sizeof(prefix), "10.%d.0.0/16", i % 30);
		add(c, peer, prefix, path, 3);
	}
	for (i = 0; i < 3000; i++) {
		/* Seven vantage ASes behind the sessions, as above: one
		 * network's 3000 sessions would make AS3356 a lateral
		 * neighbour (one vantage AS, no evidence). */
		path[0] = 64512 + (uint32_t)(i % 7);
		path[1] = 3356;
		snprintf(peer, sizeof(peer), "distinct/%d", i);
		snprintf(prefix, sizeof(prefix), "192.0.%d.%d/32", i / 256, i % 256);
		add(c, peer, prefix, path, 3);
	}
	r = result_of(c, NULL);
	OK(r != NULL, "volume: result");
	if (r != NULL) {
		IS_INT(r->observations, 103000, "volume: all observations");
		IS_INT(r->sessions, 3050, "volume: distinct peers");
		IS_INT(r->prefixes, 3030, "volume: distinct prefixes");
		IS_INT(find(r, 4837)->observations, 75000, "volume: AS4837 paths");
		IS_INT(find(r, 4837)->sessions, 50, "volume: AS4837 peers");
		IS_INT(find(r, 20485)->sessions, 25, "volume: AS20485 peers (even ones)");
		IS_INT(find(r, 20485)->prefixes, 15, "volume: AS20485 prefixes");
		IS_INT(find(r, 3356)->sessions, 3000, "volume: AS3356 3000 peers");
		IS_INT(find(r, 3356)->prefixes, 3000, "volume: AS3356 3000 prefixes");
	}
	upm_result_free(r);
	upm_compute_free(c);
}

int
main(void)
{
	test_multihoming();
	test_prepending();
	test_origin_set();
	test_direct_unusable_other();
	test_singular_warning();
	test_noise();
	test_neighbours();
	test_only_right_neighbours();
	test_nodata();
	test_diff();
	test_sort_ties();
	test_volume();
	return tap_done();
}

/*
 * test_roles.c - neighbour roles on fixtures that look like the real
 * Internet, the path rules (poisoning, reserved and private ASNs, an
 * AS_SET of the origin), the weighting, the relationship file and the
 * migration of an old state file.
 *
 * The target AS64500 (documentation numbers for the small networks) has
 * two providers, AS64501 and AS64502, and four exchange peers, AS64503 to
 * AS64506.  The clique networks AS3356, AS1299 and AS174 reach it
 * through its providers; customers of the providers (AS65536, AS65537)
 * and of the peers (AS65538 to AS65541) feed the collectors too, and a
 * peer (AS64503) peers with a collector itself.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>

#include "tap.h"
#include "upm_private.h"

#define T 64500u
#define P1 64501u
#define P2 64502u
#define X1 64503u
#define X2 64504u
#define X3 64505u
#define X4 64506u

static void
add(upm_compute *c, const char *session, const char *prefix,
    const uint32_t *path, size_t len)
{
	upm_observation o;

	memset(&o, 0, sizeof(o));
	o.session = session;
	o.prefix = prefix;
	o.path = path;
	o.path_len = len;
	(void)upm_compute_add(c, &o);
}

#define ADD(c, s, p, ...) do { \
	static const uint32_t path_[] = { __VA_ARGS__ }; \
	add(c, s, p, path_, sizeof(path_) / sizeof(path_[0])); \
} while (0)

static upm_compute *
compute_for(uint32_t origin)
{
	upm_asn_list o;
	upm_compute *c;

	upm_asn_list_init(&o);
	upm_asn_list_add(&o, origin);
	c = upm_compute_new(&o, NULL);
	upm_asn_list_free(&o);
	return c;
}

static const upm_upstream *
find(const upm_result *r, uint32_t asn)
{
	size_t i;

	for (i = 0; r != NULL && i < r->n_upstreams; i++)
		if (r->upstreams[i].asn == asn)
			return &r->upstreams[i];
	for (i = 0; r != NULL && i < r->n_laterals; i++)
		if (r->laterals[i].asn == asn)
			return &r->laterals[i];
	return NULL;
}

static upm_result *
result(upm_compute *c, const upm_params *p)
{
	upm_result *r = NULL;
	upm_error e;

	if (upm_compute_result(c, p, &r, &e) != UPM_OK)
		printf("# %s\n", e.text);
	return r;
}

/* The multihomed target: every route of 10.0.0.0/24 (one prefix, so
 * path counts are easy to follow). */
static void
internet(upm_compute *c, int leak)
{
	const char *p = "192.0.2.0/24";

	/* Clique networks, several sessions each (one vantage AS). */
	ADD(c, "rrc00/3356a", p, 3356, P1, T);
	ADD(c, "rrc01/3356b", p, 3356, P1, T);
	ADD(c, "rrc03/3356c", p, 3356, P1, T);
	ADD(c, "rrc00/1299", p, 1299, P2, T);
	ADD(c, "rrc00/174", p, 174, P1, T);
	/* Customers of the providers and of other networks. */
	ADD(c, "rrc00/65536", p, 65536, P1, T);
	ADD(c, "rrc00/65537", p, 65537, 174, P2, T);
	/* Peers' customer cones: only through their peer. */
	ADD(c, "rrc00/65538", p, 65538, X2, T);
	ADD(c, "rrc01/65538", p, 65538, X2, T);
	ADD(c, "rrc00/65539", p, 65539, X2, T);
	ADD(c, "rrc00/65540", p, 65540, X3, T);
	ADD(c, "rrc00/65541", p, 65541, X4, T);
	/* A peer at a collector itself. */
	ADD(c, "rrc00/64503", p, X1, T);
	ADD(c, "rrc12/64503", p, X1, T);
	if (leak) {
		/* X3 leaks the target's routes to its provider, AS1299, which
		 * hands them to the world. */
		ADD(c, "rrc00/1299", "192.0.2.0/25", 1299, X3, T);
		ADD(c, "rrc00/6939", "192.0.2.0/25", 6939, 1299, X3, T);
		ADD(c, "rrc00/3356a", "192.0.2.0/25", 3356, 1299, X3, T);
	}
}

static void
test_multihomed(void)
{
	upm_compute *c = compute_for(T);
	upm_result *r;
	const upm_upstream *u;
	upm_asn_list base;
	upm_error e;

	internet(c, 0);
	r = result(c, NULL);
	OK(r != NULL, "multihomed: result");
	if (r == NULL)
		goto out;
	IS_INT(r->roles, UPM_ROLES_INFERRED, "roles inferred");
	IS_STR(upm_role_name(UPM_ROLE_COLLECTOR_PEER), "collector-peer", "role name");
	IS_STR(upm_evidence_name(UPM_EVIDENCE_VANTAGE), "vantage-ases", "evidence name");
	IS_INT(r->n_upstreams, 2, "two upstreams: the providers");
	u = find(r, P1);
	OK(u && u->role == UPM_ROLE_UPSTREAM && u->evidence == UPM_EVIDENCE_CLIQUE,
	    "AS64501 upstream on clique evidence");
	OK(u && u->vantage_ases == 3 && u->sessions == 5 && u->observations == 5,
	    "AS64501: 3 vantage ASes (AS3356 counts once), 5 sessions, 5 paths");
	OK(u && u->present, "AS64501 present");
	u = find(r, P2);
	OK(u && u->role == UPM_ROLE_UPSTREAM && u->evidence == UPM_EVIDENCE_CLIQUE &&
	    u->vantage_ases == 2, "AS64502 upstream: AS1299 and AS174 left of it");
	/* Shares over the upstreams' 7 paths only. */
	OK(find(r, P1) && find(r, P1)->share > 71.42 && find(r, P1)->share < 71.43,
	    "AS64501 5 of 7 upstream paths (%.2f)", find(r, P1) ? find(r, P1)->share : 0);
	IS_INT(r->with_upstream, 7, "with_upstream counts the upstreams' paths");
	IS_INT(r->n_laterals, 4, "four lateral neighbours");
	u = find(r, X2);
	OK(u && u->role == UPM_ROLE_LATERAL && u->evidence == UPM_EVIDENCE_NONE &&
	    u->vantage_ases == 2 && u->sessions == 3 && u->share == 0.0 &&
	    !u->present, "exchange peer AS64504: lateral, 2 vantage ASes, 3 sessions");
	u = find(r, X1);
	OK(u && u->role == UPM_ROLE_COLLECTOR_PEER && u->vantage_ases == 1 &&
	    u->sessions == 2, "AS64503 seen only as the vantage point: collector-peer");
	OK(find(r, X3) && find(r, X3)->role == UPM_ROLE_LATERAL, "AS64505 lateral");
	IS_INT(r->vantage_ases, 10, "10 vantage ASes in all");
	IS_INT(r->n_by_prefix, 1, "one prefix with upstreams");
	OK(r->n_by_prefix == 1 && r->by_prefix[0].upstreams.n == 2,
	    "its upstreams: both providers");

	upm_asn_list_init(&base);
	upm_asn_list_add(&base, P1);
	upm_asn_list_add(&base, P2);
	IS_INT(upm_diff(r, &base, &e), UPM_OK, "diff");
	IS_INT(r->appeared.n + r->disappeared.n, 0,
	    "the providers as baseline: no change (the peers are no alarm)");
	upm_result_free(r);

	/* The "many vantage ASes" rule alone: no clique networks at all. */
	upm_compute_free(c);
	c = compute_for(T);
	ADD(c, "a", "p", 65536, P1, T);
	ADD(c, "b", "p", 65537, P1, T);
	ADD(c, "c", "p", 65538, P1, T);
	ADD(c, "d", "p", 65539, 64496, P1, T);
	ADD(c, "e", "p", 65540, 64497, P1, T);
	ADD(c, "f", "p", 65541, X2, T);
	ADD(c, "g", "p", 65542, X2, T);
	r = result(c, NULL);
	u = find(r, P1);
	OK(u && u->role == UPM_ROLE_UPSTREAM && u->evidence == UPM_EVIDENCE_VANTAGE,
	    "seen behind 5 vantage ASes: upstream (vantage-ases)");
	OK(find(r, X2) && find(r, X2)->role == UPM_ROLE_LATERAL,
	    "seen behind 2: lateral");
	upm_asn_list_free(&base);
out:
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_leak(void)
{
	upm_compute *c = compute_for(T);
	upm_result *r;
	upm_asn_list base;
	upm_error e;

	internet(c, 1);
	r = result(c, NULL);
	OK(find(r, X3) && find(r, X3)->role == UPM_ROLE_UPSTREAM &&
	    find(r, X3)->evidence == UPM_EVIDENCE_CLIQUE && find(r, X3)->present,
	    "a peer leaking to its provider carries the target upwards: upstream");
	upm_asn_list_init(&base);
	upm_asn_list_add(&base, P1);
	upm_asn_list_add(&base, P2);
	IS_INT(upm_diff(r, &base, &e), UPM_OK, "diff");
	OK(r && r->appeared.n == 1 && r->appeared.v[0] == X3,
	    "the leak appears (a real event: it must alert)");
	upm_asn_list_free(&base);
	upm_result_free(r);
	upm_compute_free(c);
}

static void
test_small_and_all(void)
{
	upm_compute *c = compute_for(T);
	upm_result *r;
	upm_params p;

	/* A target too small for inference: two vantage points. */
	ADD(c, "a", "p", 65536, P1, T);
	ADD(c, "b", "p", 65537, P1, T);
	ADD(c, "b", "q", 65537, X2, T);
	r = result(c, NULL);
	IS_INT(r ? r->roles : 99, UPM_ROLES_FALLBACK, "small: roles cannot be inferred");
	IS_INT(r ? r->n_upstreams : 0, 2, "small: every neighbour an upstream, as before");
	OK(find(r, P1) && find(r, P1)->present && find(r, P1)->evidence ==
	    UPM_EVIDENCE_NONE, "small: AS64501 present, evidence none");
	OK(find(r, X2) && !find(r, X2)->present, "small: one vantage AS: not present");
	upm_result_free(r);
	upm_compute_free(c);

	c = compute_for(T);
	internet(c, 0);
	upm_params_init(&p);
	p.neighbours_all = 1;
	r = result(c, &p);
	IS_INT(r ? r->roles : 99, UPM_ROLES_ALL, "--neighbours all");
	IS_INT(r ? r->n_upstreams : 0, 6, "--neighbours all: all six neighbours");
	IS_INT(r ? r->n_laterals : 9, 0, "--neighbours all: nothing lateral");
	upm_result_free(r);

	/* --clique replaces the built-in one: without AS3356, AS64501 keeps
	 * AS174's path only: below min-peers, and not 5 vantage ASes. */
	{
		upm_asn_list cl;
		upm_compute *c2 = compute_for(T);
		upm_asn_list_init(&cl);
		upm_asn_list_add(&cl, 174);
		upm_asn_list_add(&cl, 1299);
		upm_params_init(&p);
		p.clique = &cl;
		IS_INT(upm_compute_configure(c2, &p, NULL), UPM_OK, "configure");
		internet(c2, 0);
		r = result(c2, &p);
		OK(find(r, P1) && find(r, P1)->role == UPM_ROLE_LATERAL,
		    "--clique 174,1299: AS64501 has no evidence left");
		OK(find(r, P2) && find(r, P2)->role == UPM_ROLE_UPSTREAM,
		    "--clique 174,1299: AS64502 still has");
		upm_result_free(r);
		upm_compute_free(c2);
		upm_asn_list_free(&cl);
	}
	upm_compute_free(c);
}

static void
test_weighting(void)
{
	upm_compute *c = compute_for(T);
	upm_result *r;
	upm_params p;

	upm_params_init(&p);
	p.weighting = UPM_WEIGHT_VANTAGE_AS;
	IS_INT(upm_compute_configure(c, &p, NULL), UPM_OK, "configure vantage-as");
	/* AS3356 has four sessions seeing P1; AS1299 and AS174 one each via P2. */
	ADD(c, "s1", "p", 3356, P1, T);
	ADD(c, "s2", "p", 3356, P1, T);
	ADD(c, "s3", "p", 3356, P1, T);
	ADD(c, "s4", "p", 3356, P1, T);
	ADD(c, "s5", "p", 1299, P1, T);
	ADD(c, "s6", "p", 1299, P2, T);
	ADD(c, "s7", "p", 174, P2, T);
	r = result(c, &p);
	OK(find(r, P1) && find(r, P1)->share == 50.0,
	    "vantage-as: AS64501 2 vantage ASes of 4 = 50%% (by path: 5 of 7)");
	OK(find(r, P1) && find(r, P1)->observations == 5, "observations still paths");
	upm_result_free(r);
	upm_compute_free(c);
	IS_INT(upm_weighting_parse("vantage-as", &p.weighting, NULL), UPM_OK, "parse vantage-as");
	IS_INT(upm_weighting_parse("peer", &p.weighting, NULL), UPM_ERR_ARG, "parse: peer refused");
}

static void
test_path_rules(void)
{
	upm_compute *c = compute_for(131279);
	upm_result *r;
	upm_aspath ap = { .v = NULL };
	upm_observation o;
	upm_asn_list o2;

	/* Poisoning at several places. */
	ADD(c, "a", "p", 3356, 4837, 131279, 701, 131279);
	ADD(c, "b", "p", 1299, 4837, 131279, 131279, 701, 3320, 131279);
	ADD(c, "c", "p", 174, 4837, 4837, 131279, 7018, 131279, 131279);
	/* A private AS not stripped between the origin and its provider. */
	ADD(c, "d", "p", 209, 4837, 64512, 131279);
	ADD(c, "e", "p", 2914, 4837, 4200000001u, 65000, 131279);
	/* Reserved numbers where the neighbour should be. */
	ADD(c, "f", "p", 3356, 23456, 131279);
	ADD(c, "g", "p", 3356, 65535, 131279);
	ADD(c, "h", "p", 3356, 70000, 131279);
	ADD(c, "i", "p", 3356, 4294967295u, 131279);
	ADD(c, "j", "p", 3356, 0, 131279);
	/* A documentation AS is a valid neighbour. */
	ADD(c, "k", "p", 3356, 64496, 131279);
	r = result(c, NULL);
	OK(find(r, 4837) && find(r, 4837)->observations == 5,
	    "poisoned and private-hop paths: AS4837 on all five");
	OK(!find(r, 701) && !find(r, 3320) && !find(r, 7018),
	    "poisoned ASes are never neighbours");
	IS_INT(r ? r->poisoned : 0, 3, "3 poisoned paths counted");
	IS_INT(r ? r->private_hops : 0, 3, "3 private hops walked over");
	IS_INT(r ? r->reserved : 0, 5, "AS_TRANS, 65535, 70000, 4294967295, 0: reserved");
	IS_INT(r ? r->unusable : 9, 0, "reserved is not unusable");
	OK(!find(r, 23456) && !find(r, 65535) && !find(r, 70000),
	    "reserved ASes are never neighbours");
	OK(find(r, 64496) != NULL, "documentation AS64496 stays valid");
	upm_result_free(r);
	upm_compute_free(c);

	/* An AS_SET of the origin itself (aggregation), as text and JSON. */
	upm_asn_list_init(&o2);
	upm_asn_list_add(&o2, 27738);
	c = upm_compute_new(&o2, NULL);
	upm_aspath_text(&ap, "3356 23487 27738 {27738}");
	upm_aspath_observation(&ap, "p", "a", &o);
	OK(o.unusable && o.aset_len == 1, "AS_SET kept beside an unusable path");
	upm_compute_add(c, &o);
	upm_aspath_reset(&ap);
	upm_aspath_text(&ap, "1299 23487 27738 {27738,3}");
	upm_aspath_observation(&ap, "p", "b", &o);
	upm_compute_add(c, &o);
	upm_aspath_reset(&ap);
	upm_aspath_text(&ap, "1299 23487 {27738} 27738");
	upm_aspath_observation(&ap, "p", "c", &o);
	OK(o.unusable && o.aset_len == 0, "an AS_SET not last: no set kept");
	upm_compute_add(c, &o);
	r = result(c, NULL);
	OK(find(r, 23487) && find(r, 23487)->observations == 1,
	    "{27738} of the origin hides nothing: AS23487 the upstream");
	IS_INT(r ? r->unusable : 0, 2, "other AS_SETs stay unusable");
	upm_result_free(r);
	upm_compute_free(c);
	upm_asn_list_free(&o2);
	upm_aspath_free(&ap);
}

static void
test_route_server(void)
{
	upm_compute *c = compute_for(T);
	upm_result *r;

	ADD(c, "alice/rs1/192.0.2.10", "p", X2, T);
	ADD(c, "alice/rs2/192.0.2.10", "p", X2, T);
	ADD(c, "alice/rs1/192.0.2.11", "p", 65536, P1, T);
	ADD(c, "alice/rs2/192.0.2.12", "p", 65537, P1, T);
	r = result(c, NULL);
	OK(find(r, P1) && find(r, P1)->evidence == UPM_EVIDENCE_ROUTE_SERVER &&
	    find(r, P1)->present, "route server: a member's neighbour is its provider");
	OK(find(r, X2) && find(r, X2)->role == UPM_ROLE_UPSTREAM &&
	    find(r, X2)->vantage_ases == 1 && find(r, X2)->sessions == 2 &&
	    !find(r, X2)->present,
	    "route server: one member seen by two route servers: one vantage AS");
	upm_result_free(r);
	upm_compute_free(c);
}

static const char *
tmpfile_named(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("TMPDIR");

	snprintf(buf, len, "%s/upm-roles-%ld-%s", dir ? dir : "/tmp",
	    (long)getpid(), name);
	return buf;
}

/* A gzip file of text, sync-flushed and left without its end (deflate's
 * final block and the gzip trailer), as a copy cut short would be. */
static void
write_sync_flushed(const char *path, const char *text, size_t len)
{
	unsigned char out[4096];
	z_stream z;
	FILE *f;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	z.next_in = (unsigned char *)(uintptr_t)text;
	z.avail_in = (unsigned)len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	(void)deflate(&z, Z_SYNC_FLUSH);
	if ((f = fopen(path, "wb")) != NULL) {
		fwrite(out, 1, sizeof(out) - z.avail_out, f);
		fclose(f);
	}
	deflateEnd(&z);
}

/* Keeps the first len bytes of path. */
static void
cut_file(const char *path, long len)
{
	if (truncate(path, len) != 0)
		printf("# truncate %s failed\n", path);
}

static void
test_relationships(void)
{
	static const char text[] = "# source:topology|BGP\n"
	    "# inferred clique: 174 3356\n"
	    "64501|64500|-1|bgp\n64500|64504|0|bgp\n64505|64500|0|mlp\n";
	char plain[256], gz[256], bz[256];
	upm_asrel *rel = NULL;
	upm_compute *c;
	upm_result *r;
	upm_params p;
	upm_error e;
	FILE *f;
	gzFile g;
	int bzerr;
	BZFILE *b;

	tmpfile_named(plain, sizeof(plain), "rel.txt");
	tmpfile_named(gz, sizeof(gz), "rel.txt.gz");
	tmpfile_named(bz, sizeof(bz), "rel.txt.bz2");
	f = fopen(plain, "w");
	fputs(text, f);
	fclose(f);
	g = gzopen(gz, "wb");
	gzwrite(g, text, sizeof(text) - 1);
	gzclose(g);
	f = fopen(bz, "wb");
	b = BZ2_bzWriteOpen(&bzerr, f, 9, 0, 0);
	BZ2_bzWrite(&bzerr, b, (void *)text, sizeof(text) - 1);
	BZ2_bzWriteClose(&bzerr, b, 0, NULL, NULL);
	fclose(f);

	IS_INT(upm_asrel_load(gz, &rel, &e), UPM_OK, "gzip relationship file");
	IS_INT(upm_asrel_pairs(rel), 3, "gzip: 3 pairs");
	upm_asrel_free(rel);
	IS_INT(upm_asrel_load(bz, &rel, &e), UPM_OK, "bzip2 relationship file");
	IS_INT(upm_asrel_pairs(rel), 3, "bzip2: 3 pairs");
	upm_asrel_free(rel);
	IS_INT(upm_asrel_load(plain, &rel, &e), UPM_OK, "plain relationship file");
	IS_INT(upm_asrel_lookup(rel, 64501, 64500), 1, "64501 a provider of 64500");
	IS_INT(upm_asrel_lookup(rel, 64500, 64501), -1, "and 64500 its customer");
	IS_INT(upm_asrel_lookup(rel, 64504, 64500), 0, "64504 and 64500 peers");
	IS_INT(upm_asrel_lookup(rel, 1, 2), 2, "unknown pair");
	OK(upm_asrel_clique(rel) && upm_asrel_clique(rel)->n == 2,
	    "the file's inferred clique is kept");

	/* The file overrides the inference: X3 looks like a provider by
	 * its leak, the file says peer; X2 lateral stays lateral. */
	c = compute_for(T);
	upm_params_init(&p);
	p.relationships = rel;
	upm_compute_configure(c, &p, NULL);
	internet(c, 1);
	r = result(c, &p);
	OK(find(r, P1) && find(r, P1)->evidence == UPM_EVIDENCE_RELFILE &&
	    find(r, P1)->role == UPM_ROLE_UPSTREAM, "file: AS64501 provider");
	OK(find(r, X3) && find(r, X3)->role == UPM_ROLE_LATERAL &&
	    find(r, X3)->evidence == UPM_EVIDENCE_RELFILE,
	    "file: AS64505 a peer, whatever the paths show");
	OK(find(r, P2) && find(r, P2)->role == UPM_ROLE_LATERAL,
	    "file silent on AS64502: the inference, with the file's clique "
	    "(174, 3356: one clique vantage AS left, below min-peers)");
	upm_result_free(r);
	upm_compute_free(c);
	upm_asrel_free(rel);

	f = fopen(plain, "w");
	fputs("1|2|1\n", f);
	fclose(f);
	IS_INT(upm_asrel_load(plain, &rel, &e), UPM_ERR_ARG, "bad relationship refused");
	OK(strstr(e.text, "line 1") != NULL, "names the line: %s", e.text);
	IS_INT(upm_asrel_load("/nonexistent/rel", &rel, &e), UPM_ERR_IO, "missing file");

	/* A pair given twice: the same word is fine, another is an error
	 * naming both lines; an AS related to itself likewise. */
	f = fopen(plain, "w");
	fputs("64501|64500|-1\n64500|64504|0\n64500|64501|-1\n", f);
	fclose(f);
	IS_INT(upm_asrel_load(plain, &rel, &e), UPM_ERR_ARG,
	    "a pair given again with another relationship refused");
	OK(strstr(e.text, "line 3") != NULL && strstr(e.text, "line 1") != NULL &&
	    strstr(e.text, "AS64500|AS64501") != NULL, "names the pair and lines: %s",
	    e.text);
	f = fopen(plain, "w");
	fputs("64501|64500|-1\n64500|64504|0\n64501|64500|-1|bgp\n", f);
	fclose(f);
	IS_INT(upm_asrel_load(plain, &rel, &e), UPM_OK, "the same pair twice alike: fine");
	IS_INT(upm_asrel_lookup(rel, 64501, 64500), 1, "and read");
	upm_asrel_free(rel);
	rel = NULL;
	f = fopen(plain, "w");
	fputs("64501|64500|-1\n64502|64502|0\n", f);
	fclose(f);
	IS_INT(upm_asrel_load(plain, &rel, &e), UPM_ERR_ARG, "an AS related to itself refused");
	OK(strstr(e.text, "line 2") != NULL && strstr(e.text, "itself") != NULL,
	    "names the line: %s", e.text);

	/* gzip cut at a line after a sync flush: every line whole, no
	 * trailer; bzip2 cut short. */
	write_sync_flushed(gz, text, sizeof(text) - 1);
	IS_INT(upm_asrel_load(gz, &rel, &e), UPM_ERR_IO,
	    "gzip without its end (sync flush, no trailer) refused");
	OK(strstr(e.text, "truncated or damaged compressed file") != NULL,
	    "said: %s", e.text);
	cut_file(bz, 20);
	IS_INT(upm_asrel_load(bz, &rel, &e), UPM_ERR_IO, "bzip2 cut short refused");
	OK(strstr(e.text, "truncated or damaged compressed file") != NULL,
	    "said: %s", e.text);
	OK(rel == NULL, "nothing loaded");
	unlink(plain);
	unlink(gz);
	unlink(bz);
}

static void
test_migration(void)
{
	char path[256], target[64];
	upm_compute *c = compute_for(T);
	upm_result *r;
	upm_baseline_opts b;
	upm_asn_list base;
	upm_baseline_origin how;
	upm_error e;
	int version = 0;
	FILE *f;

	tmpfile_named(path, sizeof(path), "state");
	f = fopen(path, "w");
	fputs("# old\nversion 1\ntarget AS64500\nupstreams 64501 64502 64504\n", f);
	fclose(f);
	internet(c, 0);
	r = result(c, NULL);
	snprintf(r->target, sizeof(r->target), "AS64500");
	memset(&b, 0, sizeof(b));
	b.state_file = path;
	upm_asn_list_init(&base);
	IS_INT(upm_baseline_apply(&b, r, &base, &how, &e), UPM_OK, "apply old state");
	IS_INT(how, UPM_BASELINE_MIGRATED, "migrated");
	OK(r->migrated.n == 1 && r->migrated.v[0] == X2,
	    "the now-lateral AS64504 left the baseline");
	IS_INT(r->disappeared.n, 0, "never a 'disappeared'");
	IS_INT(base.n, 2, "the providers kept");
	IS_INT(upm_state_read_version(path, &base, target, sizeof(target),
	    &version, NULL, &e), UPM_OK, "read back");
	IS_INT(version, 2, "written back as version 2");
	IS_INT(base.n, 2, "with the providers only");
	upm_asn_list_free(&base);
	upm_result_free(r);
	upm_compute_free(c);
	unlink(path);
}

int
main(void)
{
	test_multihomed();
	test_leak();
	test_small_and_all();
	test_weighting();
	test_path_rules();
	test_route_server();
	test_relationships();
	test_migration();
	return tap_done();
}

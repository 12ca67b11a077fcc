/*
 * prog_mrt_roles.c - the neighbour roles of every origin of a RIS MRT
 * file, as the library infers them (for tests/e2e_mrt_roles.sh).
 *
 *   bgpdump -m FILE | prog_mrt_roles [--clique ASN,...] [--weighting W]
 *
 * Reads bgpdump's one-line format (TABLE_DUMP/TABLE_DUMP2 "B" lines and
 * BGP4MP "A" lines; withdrawals and state changes are skipped), takes
 * every route as one observation of the session "<peer address>" whose
 * vantage AS is the peer AS, groups them by origin (the path's last
 * plain AS) and runs one computation per origin.  Prints one line per
 * neighbour, "N origin asn role evidence vantage_ases observations",
 * then the totals ("T key value").  Exit 1 when an origin with a single
 * neighbour did not keep it as its upstream.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

typedef struct {
	uint32_t origin;
	uint32_t peer_asn;
	char *session;
	char *prefix;
	char *path;    /* the AS path text, parsed again per origin */
} route;

static int
by_origin(const void *a, const void *b)
{
	const route *x = a, *y = b;

	return (x->origin > y->origin) - (x->origin < y->origin);
}

/* Field i (0-based) of a '|'-separated line, cut in place. */
static char *
field(char **f, size_t n, size_t i)
{
	return i < n ? f[i] : NULL;
}

/* The path's last plain AS number, 0 when there is none. */
static uint32_t
last_plain_asn(const char *path)
{
	const char *end = path + strlen(path), *s;
	uint32_t v = 0;

	while (end > path && (end[-1] == ' ' || end[-1] == '\n'))
		end--;
	while (end > path && end[-1] == '}') {
		/* skip a last AS_SET */
		while (end > path && end[-1] != '{')
			end--;
		if (end > path)
			end--;
		while (end > path && end[-1] == ' ')
			end--;
	}
	s = end;
	while (s > path && s[-1] >= '0' && s[-1] <= '9')
		s--;
	if (s == end || end - s > 10)
		return 0;
	for (; s < end; s++)
		v = v * 10 + (uint32_t)(*s - '0');
	return v;
}

int
main(int argc, char **argv)
{
	static char line[65536];
	route *v = NULL;
	size_t n = 0, cap = 0, i, j;
	upm_params p;
	upm_asn_list clique;
	upm_error err;
	unsigned long long origins = 0, single = 0, single_kept = 0,
	    inferred = 0, fallback = 0, n_up = 0, n_lat = 0, n_cp = 0,
	    ev[5] = { 0, 0, 0, 0, 0 }, with_lateral = 0;
	int a, bad = 0;

	upm_params_init(&p);
	upm_asn_list_init(&clique);
	memset(&err, 0, sizeof(err));
	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--clique") == 0) {
			if (upm_asn_list_parse(&clique, argv[a + 1], &err) != UPM_OK)
				return fprintf(stderr, "%s\n", err.text), 2;
			p.clique = &clique;
		} else if (strcmp(argv[a], "--weighting") == 0) {
			if (upm_weighting_parse(argv[a + 1], &p.weighting, &err))
				return fprintf(stderr, "%s\n", err.text), 2;
		} else
			return fprintf(stderr, "unknown option %s\n", argv[a]), 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *f[16], *s = line;
		size_t nf = 0;
		route *r;

		line[strcspn(line, "\n")] = '\0';
		while (nf < 16 && (f[nf++] = strsep(&s, "|")) != NULL)
			;
		if (nf < 7 || field(f, nf, 2) == NULL ||
		    (strcmp(f[2], "B") != 0 && strcmp(f[2], "A") != 0))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((v = realloc(v, cap * sizeof(*v))) == NULL)
				return 2;
		}
		r = &v[n];
		r->origin = last_plain_asn(f[6]);
		if (r->origin == 0)
			continue;
		r->peer_asn = (uint32_t)strtoul(f[4], NULL, 10);
		r->session = strdup(f[3]);
		r->prefix = strdup(f[5]);
		r->path = strdup(f[6]);
		if (!r->session || !r->prefix || !r->path)
			return 2;
		n++;
	}
	qsort(v, n, sizeof(*v), by_origin);
	for (i = 0; i < n; i = j) {
		upm_asn_list o;
		upm_compute *c;
		upm_result *res = NULL;
		upm_aspath path = { .v = NULL };
		size_t k, nn;

		for (j = i; j < n && v[j].origin == v[i].origin; j++)
			;
		upm_asn_list_init(&o);
		upm_asn_list_add(&o, v[i].origin);
		if ((c = upm_compute_new(&o, &err)) == NULL ||
		    upm_compute_configure(c, &p, &err) != UPM_OK)
			return fprintf(stderr, "%s\n", err.text), 2;
		for (k = i; k < j; k++) {
			upm_observation obs;
			upm_aspath_reset(&path);
			if (upm_aspath_text(&path, v[k].path) != UPM_OK)
				return 2;
			upm_aspath_observation(&path, v[k].prefix, v[k].session,
			    &obs);
			obs.peer_asn = v[k].peer_asn;
			if (upm_compute_add(c, &obs) != 0)
				return 2;
		}
		upm_aspath_free(&path);
		if (upm_compute_result(c, &p, &res, &err) != UPM_OK)
			return fprintf(stderr, "%s\n", err.text), 2;
		nn = res->n_upstreams + res->n_laterals;
		if (nn > 0) {
			origins++;
			inferred += res->roles == UPM_ROLES_INFERRED;
			fallback += res->roles == UPM_ROLES_FALLBACK;
			with_lateral += res->n_laterals > 0;
		}
		if (nn == 1) {
			single++;
			single_kept += res->n_upstreams == 1;
			if (res->n_upstreams != 1) {
				fprintf(stderr, "AS%lu: its one neighbour is not "
				    "its upstream\n", (unsigned long)v[i].origin);
				bad = 1;
			}
		}
		for (k = 0; k < res->n_upstreams; k++) {
			const upm_upstream *u = &res->upstreams[k];
			n_up++;
			ev[u->evidence]++;
			printf("N %lu %lu %s %s %zu %llu\n",
			    (unsigned long)v[i].origin, (unsigned long)u->asn,
			    upm_role_name(u->role), upm_evidence_name(u->evidence),
			    u->vantage_ases, (unsigned long long)u->observations);
		}
		for (k = 0; k < res->n_laterals; k++) {
			const upm_upstream *u = &res->laterals[k];
			if (u->role == UPM_ROLE_COLLECTOR_PEER)
				n_cp++;
			else
				n_lat++;
			printf("N %lu %lu %s %s %zu %llu\n",
			    (unsigned long)v[i].origin, (unsigned long)u->asn,
			    upm_role_name(u->role), upm_evidence_name(u->evidence),
			    u->vantage_ases, (unsigned long long)u->observations);
		}
		upm_result_free(res);
		upm_compute_free(c);
		upm_asn_list_free(&o);
	}
	printf("T routes %zu\n", n);
	printf("T origins %llu\n", origins);
	printf("T origins_inferred %llu\n", inferred);
	printf("T origins_not_inferred %llu\n", fallback);
	printf("T origins_with_lateral %llu\n", with_lateral);
	printf("T single_neighbour %llu\n", single);
	printf("T single_neighbour_kept %llu\n", single_kept);
	printf("T upstream %llu\n", n_up);
	printf("T upstream_clique %llu\n", ev[UPM_EVIDENCE_CLIQUE]);
	printf("T upstream_vantage_ases %llu\n", ev[UPM_EVIDENCE_VANTAGE]);
	printf("T upstream_none %llu\n", ev[UPM_EVIDENCE_NONE]);
	printf("T lateral %llu\n", n_lat);
	printf("T collector_peer %llu\n", n_cp);
	for (i = 0; i < n; i++) {
		free(v[i].session);
		free(v[i].prefix);
		free(v[i].path);
	}
	free(v);
	upm_asn_list_free(&clique);
	return bad;
}

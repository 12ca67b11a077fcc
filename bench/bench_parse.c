/*
 * bench_parse.c - our parse + compute of one bgp-state file, read in
 * 64 KiB pieces through the push parser (as the fetch streams it), then
 * "ASN observations" per upstream, sorted by ASN, for comparison with
 * jq and python3.
 *
 *   bench_parse TARGET-ASN FILE
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

static int
cmp_asn(const void *a, const void *b)
{
	const upm_upstream *x = a, *y = b;

	return x->asn < y->asn ? -1 : x->asn > y->asn;
}

int
main(int argc, char **argv)
{
	static char chunk[65536];
	upm_asn_list origins;
	upm_compute *c = NULL;
	upm_parser *p = NULL;
	upm_result *r = NULL;
	upm_sinks sinks;
	upm_params params;
	upm_error e;
	upm_status st = UPM_ERR_ARG;
	uint32_t target;
	FILE *f;
	size_t n, i;

	memset(&e, 0, sizeof(e));
	if (argc != 3 || upm_asn_parse(argv[1], &target, &e) != UPM_OK ||
	    (f = fopen(argv[2], "rb")) == NULL) {
		fprintf(stderr, "usage: bench_parse TARGET-ASN FILE\n");
		return 2;
	}
	upm_asn_list_init(&origins);
	if (upm_asn_list_add(&origins, target) == UPM_OK &&
	    (c = upm_compute_new(&origins, &e)) != NULL) {
		memset(&sinks, 0, sizeof(sinks));
		sinks.obs = upm_compute_add;
		sinks.ctx = c;
		p = upm_parser_new(UPM_CALL_BGP_STATE, 0, &sinks, &e);
	}
	st = p != NULL ? UPM_OK : UPM_ERR_NOMEM;
	while (st == UPM_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		st = upm_parser_feed(p, chunk, n, &e);
	if (st == UPM_OK)
		st = upm_parser_finish(p, NULL, &e);
	upm_params_init(&params);
	params.min_peers = 0;
	params.min_share = 0;
	if (st == UPM_OK)
		st = upm_compute_result(c, &params, &r, &e);
	if (st == UPM_OK) {
		qsort(r->upstreams, r->n_upstreams, sizeof(r->upstreams[0]), cmp_asn);
		for (i = 0; i < r->n_upstreams; i++)
			printf("%" PRIu32 " %" PRIu64 "\n", r->upstreams[i].asn,
			    r->upstreams[i].observations);
	} else
		fprintf(stderr, "bench_parse: %s\n", e.text);
	upm_result_free(r);
	upm_parser_free(p);
	upm_compute_free(c);
	upm_asn_list_free(&origins);
	fclose(f);
	return st == UPM_OK ? 0 : 1;
}

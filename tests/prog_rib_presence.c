/*
 * prog_rib_presence.c - the routing table's present set, kept from its
 * incremental counts, against the full computation over the same routes,
 * on real MRT files (for tests/e2e_rib_presence.sh).
 *
 *   prog_rib_presence [--clique ASN,...] [--min-peers N] FILE... -- ORIGIN...
 *
 * For each origin: the files through bgpdump into a table of that origin
 * (upm_mrt_read), then upm_rib_present and upm_rib_snapshot (the counts,
 * no route looked at) against upm_rib_result (every route through the
 * computation): the same present set, the same upstreams (roles) and the
 * same laterals.  Prints "origin routes present upstreams laterals same"
 * per origin; exit 1 when one differs.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt.h"

static void
list_of(const upm_upstream *v, size_t n, upm_asn_list *out)
{
	for (size_t i = 0; i < n; i++)
		(void)upm_asn_list_add(out, v[i].asn);
}

static void
print_list(const char *what, const upm_asn_list *l)
{
	printf(" %s=", what);
	for (size_t i = 0; i < l->n; i++)
		printf("%s%lu", i ? "," : "", (unsigned long)l->v[i]);
	if (l->n == 0)
		printf("-");
}

int
main(int argc, char **argv)
{
	const char *files[16];
	size_t n_files = 0;
	upm_asn_list clique;
	upm_params p;
	upm_error err;
	int i = 1, bad = 0;

	upm_asn_list_init(&clique);
	upm_params_init(&p);
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--clique") == 0 && i + 1 < argc) {
			if (upm_asn_list_parse(&clique, argv[++i], &err) != UPM_OK)
				return 2;
			p.clique = &clique;
		} else if (strcmp(argv[i], "--min-peers") == 0 && i + 1 < argc)
			p.min_peers = (size_t)strtoul(argv[++i], NULL, 10);
		else if (n_files < 16)
			files[n_files++] = argv[i];
	}
	if (i == argc || n_files == 0) {
		fprintf(stderr, "usage: prog_rib_presence [--clique L] "
		    "[--min-peers N] FILE... -- ORIGIN...\n");
		return 2;
	}
	for (i++; i < argc; i++) {
		upm_asn_list origins, inc, full, ups_i, ups_f, lat_i, lat_f;
		upm_result *snap = NULL, *res = NULL;
		upm_mrt_stats stats;
		upm_rib *rib;
		int ok;

		upm_asn_list_init(&origins);
		upm_asn_list_init(&inc);
		upm_asn_list_init(&full);
		upm_asn_list_init(&ups_i);
		upm_asn_list_init(&ups_f);
		upm_asn_list_init(&lat_i);
		upm_asn_list_init(&lat_f);
		(void)upm_asn_list_add(&origins, (uint32_t)strtoul(argv[i], NULL,
		    10));
		if ((rib = upm_rib_new(&origins, &p, 0, &err)) == NULL ||
		    upm_mrt_read(files, n_files, NULL, upm_clock_ms() + 120000,
		    rib, &stats, &err) != UPM_OK ||
		    upm_rib_finish(rib, stats.last, &err) != UPM_OK ||
		    upm_rib_present(rib, &inc, &err) != UPM_OK ||
		    upm_rib_snapshot(rib, &snap, &err) != UPM_OK ||
		    upm_rib_result(rib, &res, &err) != UPM_OK ||
		    upm_result_present(res, &full, &err) != UPM_OK) {
			printf("%s error: %s\n", argv[i], err.text);
			bad = 1;
		} else {
			list_of(snap->upstreams, snap->n_upstreams, &ups_i);
			list_of(res->upstreams, res->n_upstreams, &ups_f);
			list_of(snap->laterals, snap->n_laterals, &lat_i);
			list_of(res->laterals, res->n_laterals, &lat_f);
			ok = upm_asn_list_equal(&inc, &full) &&
			    upm_asn_list_equal(&ups_i, &ups_f) &&
			    upm_asn_list_equal(&lat_i, &lat_f) &&
			    snap->n_present == full.n;
			printf("%s routes=%zu", argv[i], upm_rib_routes(rib));
			print_list("present", &inc);
			print_list("upstreams", &ups_i);
			print_list("laterals", &lat_i);
			printf(" %s\n", ok ? "same" : "DIFFERENT");
			if (!ok) {
				printf("#  computation:");
				print_list("present", &full);
				print_list("upstreams", &ups_f);
				print_list("laterals", &lat_f);
				printf("\n");
				bad = 1;
			}
		}
		upm_result_free(snap);
		upm_result_free(res);
		upm_rib_free(rib);
		upm_asn_list_free(&origins);
		upm_asn_list_free(&inc);
		upm_asn_list_free(&full);
		upm_asn_list_free(&ups_i);
		upm_asn_list_free(&ups_f);
		upm_asn_list_free(&lat_i);
		upm_asn_list_free(&lat_f);
	}
	upm_asn_list_free(&clique);
	return bad;
}

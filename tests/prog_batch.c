/*
 * prog_batch.c - runs many targets through upm_batch (or, with
 * --sequential, one upm_query after the other) against a RIPEstat URL
 * and prints one line per target, so that the two ways can be compared.
 *
 *   prog_batch [--parallel N] [--sequential] [--cache DIR] [--now T]
 *       [--max-age S] [--source NAME] [--stats] URL (ASN... | FIRST-LAST)
 *
 * With --stats, wall time and peak RSS go to stderr.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "upstreams.h"

struct args {
	size_t parallel;
	int sequential;
	int stats;
	upm_fetch_opts fo;
	int source;
	const char *url;
	uint32_t *asns;
	size_t n;
};

static int
num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= lo && *out <= hi;
}

static int
add_asns(struct args *a, const char *s)
{
	uint32_t first, last, i;
	const char *dash = strchr(s, '-');
	char lo[16];
	upm_error e;

	if (dash != NULL && (size_t)(dash - s) < sizeof(lo)) {
		(void)snprintf(lo, sizeof(lo), "%.*s", (int)(dash - s), s);
		if (upm_asn_parse(lo, &first, &e) || upm_asn_parse(dash + 1, &last, &e) ||
		    last < first || last - first > 100000)
			return -1;
	} else if (upm_asn_parse(s, &first, &e) == UPM_OK)
		last = first;
	else
		return -1;
	for (i = first;; i++) {
		uint32_t *v = realloc(a->asns, (a->n + 1) * sizeof(*v));
		if (v == NULL)
			return -1;
		a->asns = v;
		a->asns[a->n++] = i;
		if (i == last)
			break;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	long long v;
	int i;

	memset(a, 0, sizeof(*a));
	upm_fetch_opts_init(&a->fo);
	a->fo.max_retries = 0;
	a->source = UPM_SRC_BGP_STATE;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--sequential") == 0)
			a->sequential = 1;
		else if (strcmp(o, "--stats") == 0)
			a->stats = 1;
		else if (strcmp(o, "--parallel") == 0 && val && num(val, 0, 1000, &v)) {
			a->parallel = (size_t)v;
			i++;
		} else if (strcmp(o, "--cache") == 0 && val) {
			a->fo.cache_dir = val;
			i++;
		} else if (strcmp(o, "--now") == 0 && val && num(val, 1, INT64_MAX, &v)) {
			a->fo.cache_now = v;
			i++;
		} else if (strcmp(o, "--max-age") == 0 && val && num(val, 1, 1L << 30, &v)) {
			a->fo.cache_max_age_s = (long)v;
			i++;
		} else if (strcmp(o, "--source") == 0 && val &&
		    (a->source = upm_source_parse(val)) >= 0)
			i++;
		else if (o[0] == '-')
			return -1;
		else if (a->url == NULL)
			a->url = o;
		else if (add_asns(a, o) != 0)
			return -1;
	}
	return a->url != NULL && a->n > 0 ? 0 : -1;
}

static void
print_result(uint32_t asn, upm_status st, const upm_result *r,
    const upm_error *e)
{
	size_t i;

	if (st != UPM_OK) {
		printf("AS%" PRIu32 " error %s: %s\n", asn, upm_status_name(st), e->text);
		return;
	}
	printf("AS%" PRIu32 " ok %" PRIu64 " obs:", asn, r->observations);
	for (i = 0; i < r->n_upstreams; i++)
		printf(" AS%" PRIu32 "=%.2f", r->upstreams[i].asn, r->upstreams[i].share);
	printf("\n");
}

static void
query_opts(const struct args *a, uint32_t asn, upm_query_opts *q)
{
	upm_query_opts_init(q);
	q->asn = asn;
	q->source = (upm_source)a->source;
	q->ripestat_url = a->url;
}

static int
run_sequential(const struct args *a)
{
	upm_fetcher *f;
	upm_query_opts q;
	upm_result *r;
	upm_error e;
	upm_status st;
	size_t i;

	memset(&e, 0, sizeof(e));
	if ((f = upm_fetcher_new(&a->fo, &e)) == NULL) {
		fprintf(stderr, "prog_batch: %s\n", e.text);
		return 1;
	}
	for (i = 0; i < a->n; i++) {
		query_opts(a, a->asns[i], &q);
		r = NULL;
		memset(&e, 0, sizeof(e));
		st = upm_query(f, &q, &r, &e);
		print_result(a->asns[i], st, r, &e);
		upm_result_free(r);
	}
	upm_fetcher_free(f);
	return 0;
}

static int
run_batch(const struct args *a)
{
	upm_query_opts q;
	upm_result *r;
	upm_batch *b;
	upm_error e;
	upm_status st;
	size_t i;

	memset(&e, 0, sizeof(e));
	if ((b = upm_batch_new(&a->fo, a->parallel, &e)) == NULL) {
		fprintf(stderr, "prog_batch: %s\n", e.text);
		return 2;
	}
	for (i = 0; i < a->n; i++) {
		query_opts(a, a->asns[i], &q);
		if (upm_batch_add(b, &q) != i) {
			upm_batch_free(b);
			return 1;
		}
	}
	if (upm_batch_run(b) != UPM_OK) {
		upm_batch_free(b);
		return 1;
	}
	for (i = 0; i < a->n; i++) {
		memset(&e, 0, sizeof(e));
		st = upm_batch_result(b, i, &r, &e);
		print_result(a->asns[i], st, r, &e);
		upm_result_free(r);
	}
	upm_batch_free(b);
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct timespec t0, t1;
	struct rusage ru;
	upm_error e;
	int rc;

	if (parse_args(argc, argv, &a) != 0) {
		fprintf(stderr, "usage: prog_batch [--parallel N] [--sequential] "
		    "[--cache DIR] [--now T] [--max-age S] [--source NAME] "
		    "[--stats] URL ASN...|FIRST-LAST\n");
		free(a.asns);
		return 2;
	}
	if (upm_global_init(&e) != UPM_OK) {
		free(a.asns);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = a.sequential ? run_sequential(&a) : run_batch(&a);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (a.stats && getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(stderr, "targets %zu wall_s %.3f cpu_s %.3f maxrss_kib %ld\n",
		    a.n, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		    (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6,
		    ru.ru_maxrss);
	upm_global_cleanup();
	free(a.asns);
	return rc;
}

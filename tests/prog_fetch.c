/*
 * prog_fetch - one upm_fetch from the command line, for tests/e2e_fetch.sh.
 *
 *   prog_fetch [-t ms] [-r retries] [-m max_bytes] [-b backoff_ms]
 *              [-c connect_ms] [-A user_agent] [-o body_file] [-F] URL
 *
 * Prints "status=<status name> http=<code> bytes=<n>", then the error text
 * on a second line when there is one.  Exit 0 when the fetch succeeded, 1
 * when it failed, 2 on a usage error.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "upm_private.h"

static int
usage(void)
{
	fprintf(stderr, "usage: prog_fetch [-t ms] [-r retries] [-m max_bytes] "
	    "[-b backoff_ms] [-c connect_ms] [-A agent] [-o file] [-F] URL\n");
	return 2;
}

/* Whole non-negative decimal number, or -1. */
static long long
number(const char *s)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return v;
}

static int
parse_opts(int argc, char **argv, upm_fetch_opts *o, const char **body_file)
{
	long long v;
	int c;

	while ((c = getopt(argc, argv, "t:r:m:b:c:A:o:F")) != -1) {
		if (c == 'F') {
			o->allow_file = 1;
			continue;
		}
		if (c == 'A') {
			o->user_agent = optarg;
			continue;
		}
		if (c == 'o') {
			*body_file = optarg;
			continue;
		}
		if (c == '?' || (v = number(optarg)) < 0 || v > INT_MAX)
			return -1;
		if (c == 't')
			o->timeout_ms = (long)v;
		else if (c == 'r')
			o->max_retries = (int)v;
		else if (c == 'm')
			o->max_bytes = (size_t)v;
		else if (c == 'b')
			o->retry_base_ms = (long)v;
		else if (c == 'c')
			o->connect_timeout_ms = (long)v;
	}
	return optind == argc - 1 ? optind : -1;
}

static int
write_body(const char *path, const upm_buf *b)
{
	FILE *fp = fopen(path, "wb");
	int ok;

	if (fp == NULL)
		return -1;
	ok = b->len == 0 || fwrite(b->data, 1, b->len, fp) == b->len;
	if (fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	upm_fetch_opts opts;
	upm_error err = { UPM_OK, "" };
	const char *body_file = NULL;
	upm_fetcher *f;
	upm_buf body;
	upm_status st;
	long code = -1;
	int idx;

	upm_fetch_opts_init(&opts);
	if ((idx = parse_opts(argc, argv, &opts, &body_file)) < 0)
		return usage();
	if (upm_global_init(&err) != UPM_OK) {
		printf("status=%s http=0 bytes=0\n%s\n", upm_status_name(err.code),
		    err.text);
		return 1;
	}
	upm_buf_init(&body);
	if ((f = upm_fetcher_new(&opts, &err)) == NULL) {
		st = err.code;
		code = 0;
	} else {
		st = upm_fetch(f, argv[idx], &body, &code, &err);
	}
	printf("status=%s http=%ld bytes=%zu\n", upm_status_name(st), code,
	    body.len);
	if (st != UPM_OK)
		printf("%s\n", err.text);
	if (body_file != NULL && write_body(body_file, &body) != 0)
		fprintf(stderr, "prog_fetch: cannot write %s\n", body_file);
	upm_buf_free(&body);
	upm_fetcher_free(f);
	upm_global_cleanup();
	return st == UPM_OK ? 0 : 1;
}

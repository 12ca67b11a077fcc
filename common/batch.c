/*
 * batch.c - many targets' queries with at most N HTTP requests at a time.
 *
 * A fixed pool of N worker threads (pool.c), each with its own fetcher (one
 * curl easy handle), takes the next target from a shared counter and runs
 * the whole upm_query for it.  A worker makes one request at a time, so no
 * more than N are ever in flight.  This is deliberately not libcurl multi:
 * a query is a chain of dependent requests (announced-prefixes, then one
 * looking-glass per prefix) whose bodies are parsed while they stream;
 * driving that from curl_multi would turn every source into a hand-made
 * state machine, for no gain at N <= 32.  All fetchers are made from the
 * same options, so they share the on-disk cache.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

#define DEFAULT_IN_FLIGHT 8
#define MAX_IN_FLIGHT 32

struct target {
	upm_query_opts q;
	upm_status st;
	upm_error err;
	upm_result *result;
	int done;
};

struct upm_batch {
	upm_fetch_opts opts;
	char *cache_dir;          /* our copy of opts.cache_dir */
	char *user_agent;
	char *ca_file;
	size_t workers;
	struct target *t;
	size_t n, cap;
};

upm_batch *
upm_batch_new(const upm_fetch_opts *opts, size_t max_in_flight, upm_error *err)
{
	upm_batch *b;
	int failed = 0;

	if (max_in_flight > MAX_IN_FLIGHT) {
		(void)upm_fail(err, UPM_ERR_ARG, "at most %d requests in flight, "
		    "not %zu", MAX_IN_FLIGHT, max_in_flight);
		return NULL;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (opts != NULL)
		b->opts = *opts;
	else
		upm_fetch_opts_init(&b->opts);
	b->opts.cache_dir = b->cache_dir = upm_strdup_opt(b->opts.cache_dir, &failed);
	b->opts.user_agent = b->user_agent = upm_strdup_opt(b->opts.user_agent, &failed);
	b->opts.ca_file = b->ca_file = upm_strdup_opt(b->opts.ca_file, &failed);
	b->workers = max_in_flight ? max_in_flight : DEFAULT_IN_FLIGHT;
	if (failed) {
		free(b->cache_dir);
		free(b->user_agent);
		free(b->ca_file);
		free(b);
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	return b;
}

size_t
upm_batch_add(upm_batch *b, const upm_query_opts *q)
{
	if (b == NULL || q == NULL)
		return (size_t)-1;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct target *t = realloc(b->t, cap * sizeof(*t));

		if (t == NULL)
			return (size_t)-1;
		b->t = t;
		b->cap = cap;
	}
	memset(&b->t[b->n], 0, sizeof(b->t[b->n]));
	b->t[b->n].q = *q;
	return b->n++;
}

/* One target: a job of the pool.  A target's failure is its own: the
 * job always succeeds, so the others go on. */
static upm_status
target_job(void *ctx, upm_fetcher *f, size_t i, upm_error *err)
{
	struct target *t = &((upm_batch *)ctx)->t[i];

	(void)err;
	t->st = upm_query(f, &t->q, &t->result, &t->err);
	t->done = 1;
	return UPM_OK;
}

upm_status
upm_batch_run(upm_batch *b)
{
	upm_fetcher *f;
	upm_error err;
	size_t i;

	if (b == NULL)
		return UPM_ERR_ARG;
	memset(&err, 0, sizeof(err));
	if ((f = upm_fetcher_new(&b->opts, &err)) == NULL) {
		for (i = 0; i < b->n; i++) {
			b->t[i].st = err.code != UPM_OK ? err.code : UPM_ERR_NOMEM;
			b->t[i].err = err;
			b->t[i].done = 1;
		}
		return UPM_OK;
	}
	/* Every worker its own fetcher (the pool clones f for the others). */
	(void)upm_pool_run(f, b->workers, b->n, target_job, b, &err);
	upm_fetcher_free(f);
	return UPM_OK;
}

upm_status
upm_batch_result(upm_batch *b, size_t i, upm_result **out, upm_error *err)
{
	struct target *t;

	if (out != NULL)
		*out = NULL;
	if (b == NULL || i >= b->n)
		return upm_fail(err, UPM_ERR_ARG, "no target %zu in the batch", i);
	t = &b->t[i];
	if (!t->done)
		return upm_fail(err, UPM_ERR_ARG, "target %zu has not run", i);
	if (t->st != UPM_OK) {
		if (err != NULL)
			*err = t->err;
		return t->st;
	}
	if (out != NULL) {
		*out = t->result;
		t->result = NULL;
	}
	return UPM_OK;
}

void
upm_batch_free(upm_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		upm_result_free(b->t[i].result);
	free(b->t);
	free(b->cache_dir);
	free(b->user_agent);
	free(b->ca_file);
	free(b);
}

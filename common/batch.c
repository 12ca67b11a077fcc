/*
 * batch.c - many targets' queries with at most N HTTP requests at a time.
 *
 * A fixed pool of N worker threads, each with its own fetcher (one curl
 * easy handle), takes the next target from a shared counter and runs the
 * whole upm_query for it.  A worker makes one request at a time, so no
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
#include <pthread.h>
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
	size_t next;              /* the next target to take */
	pthread_mutex_t lock;
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
	if (failed || pthread_mutex_init(&b->lock, NULL) != 0) {
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

/* The next target not yet taken, or NULL when all are. */
static struct target *
take(upm_batch *b)
{
	struct target *t = NULL;

	pthread_mutex_lock(&b->lock);
	if (b->next < b->n)
		t = &b->t[b->next++];
	pthread_mutex_unlock(&b->lock);
	return t;
}

static void *
worker(void *arg)
{
	upm_batch *b = arg;
	upm_fetcher *f;
	upm_error ferr;
	struct target *t;

	memset(&ferr, 0, sizeof(ferr));
	f = upm_fetcher_new(&b->opts, &ferr);
	while ((t = take(b)) != NULL) {
		if (f == NULL) {
			t->st = ferr.code;
			t->err = ferr;
		} else
			t->st = upm_query(f, &t->q, &t->result, &t->err);
		t->done = 1;
	}
	upm_fetcher_free(f);
	return NULL;
}

upm_status
upm_batch_run(upm_batch *b)
{
	pthread_t tid[MAX_IN_FLIGHT];
	size_t i, started = 0, want;

	if (b == NULL)
		return UPM_ERR_ARG;
	want = b->workers < b->n - b->next ? b->workers : b->n - b->next;
	for (i = 0; i < want; i++) {
		if (pthread_create(&tid[i], NULL, worker, b) != 0)
			break;
		started++;
	}
	if (started == 0 && want > 0)
		worker(b);      /* no thread at all: do the work here */
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
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
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* ---------------------------------------------------------------- pool */

/* The jobs of one query (upm_pool_run): the same pattern as the targets
 * above, a shared counter and one fetcher per thread. */
struct pool {
	upm_fetcher *first;
	size_t n, next;
	upm_pool_job job;
	void *ctx;
	upm_status st;            /* of the failed job with the lowest index */
	size_t failed_at;
	upm_error err;
	pthread_mutex_t lock;
};

static int
pool_take(struct pool *p, size_t *i)
{
	int got = 0;

	pthread_mutex_lock(&p->lock);
	if (p->st == UPM_OK && p->next < p->n) {
		*i = p->next++;
		got = 1;
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

static void
pool_failed(struct pool *p, size_t i, upm_status st, const upm_error *err)
{
	pthread_mutex_lock(&p->lock);
	if (p->st == UPM_OK || i < p->failed_at) {
		p->st = st;
		p->failed_at = i;
		p->err = *err;
	}
	pthread_mutex_unlock(&p->lock);
}

static void
pool_work(struct pool *p, upm_fetcher *f)
{
	upm_error err;
	upm_status st;
	size_t i;

	while (pool_take(p, &i)) {
		memset(&err, 0, sizeof(err));
		if ((st = p->job(p->ctx, f, i, &err)) != UPM_OK)
			pool_failed(p, i, st, &err);
	}
}

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	upm_fetcher *f;
	upm_error err;
	size_t i;

	memset(&err, 0, sizeof(err));
	if ((f = upm_fetcher_clone(p->first, &err)) == NULL) {
		/* No fetcher: fail one job so the run says why. */
		if (pool_take(p, &i))
			pool_failed(p, i, err.code != UPM_OK ? err.code :
			    UPM_ERR_NOMEM, &err);
		return NULL;
	}
	pool_work(p, f);
	upm_fetcher_free(f);
	return NULL;
}

upm_status
upm_pool_run(upm_fetcher *f, size_t workers, size_t n, upm_pool_job job,
    void *ctx, upm_error *err)
{
	pthread_t tid[UPM_POOL_MAX];
	struct pool p;
	size_t i, started = 0;

	memset(&p, 0, sizeof(p));
	p.first = f;
	p.n = n;
	p.job = job;
	p.ctx = ctx;
	if (pthread_mutex_init(&p.lock, NULL) != 0)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (workers > UPM_POOL_MAX)
		workers = UPM_POOL_MAX;
	if (workers > n)
		workers = n;
	/* The calling thread is one of the workers. */
	for (i = 1; i < workers; i++) {
		if (pthread_create(&tid[started], NULL, pool_worker, &p) != 0)
			break;
		started++;
	}
	pool_work(&p, f);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.lock);
	if (p.st != UPM_OK && err != NULL)
		*err = p.err;
	return p.st;
}

/*
 * pool.c - jobs on a small fixed pool of threads, one fetcher each: the
 * targets of a batch (batch.c) and the requests of one query that may go
 * side by side (query.c: a country's bgp-state batches).  The calling
 * thread is one of the workers; the others get clones of its fetcher, so
 * no more than `workers` requests are ever in flight.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

/* A shared counter and the first failure. */
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

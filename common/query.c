/*
 * query.c - the one query driver: from a target (an AS, a country, extra
 * ASNs and prefixes, tracked prefixes) and its sources to a result.
 *
 * The origin set first (a country's ASNs from country-resource-list), then
 * every source in turn: one request per AS of the origin set, or one per
 * prefix (given, tracked, extra, else what the origin set announces).
 * Every answer is parsed while it streams, by the source's own parser,
 * into a sink that feeds the combined computation and, with several
 * sources, the source's own.  Requests go out one after the other, except
 * the ASNs of a source that takes lists (bgp-state): they are asked
 * ASN_BATCH at a time in one request each, and with parallel > 1 those
 * requests go through a pool of at most `parallel` threads (upm_pool_run,
 * at most 8: RIPEstat's limit per address), one fetcher each.
 *
 * RIPEstat's bgp-state takes "a list of valid comma-separated resources"
 * and then "the results will be combined for all of them" (its data API
 * documentation, https://stat.ripe.net/docs/02.data-api/bgp-state.html).
 * ASN_BATCH is 50: the URL stays short (at most 50 x "AS4294967295%2C",
 * 700 bytes, well inside the 2,000 or so every proxy and server takes),
 * while one answer holds what 50 requests held; a country's ASes are
 * mostly small (a few prefixes each: 50 x 5 prefixes x 1,000 sessions x
 * 150 bytes is about 40 MB, streamed like any answer), and a request that
 * fails costs the retry of 50 ASes, not of the whole country.  1,000 ASNs
 * are 20 requests instead of 1,000.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rib.h"

#define DEFAULT_MAX_ASNS 1000
/* ASNs per bgp-state request: see the top of the file. */
#define ASN_BATCH 50
/* Requests of one query in flight at most: RIPEstat's limit per address. */
#define MAX_PARALLEL 8
#define DEFAULT_MAX_PREFIXES 64
/* Prefixes named in the warning of a country's prefixes over the cap. */
#define LEFT_OUT_SHOWN 5
/* Stands for "the target" at the end of a path of an extra prefix that
 * someone else originates; AS0 never appears in a real path. */
#define PSEUDO_ORIGIN 0

void
upm_query_opts_init(upm_query_opts *q)
{
	memset(q, 0, sizeof(*q));
	q->source = UPM_SRC_BGP_STATE;
	upm_params_init(&q->params);
}

/* Everything one query holds while it runs. */
struct run {
	upm_fetcher *f;
	const upm_query_opts *q;
	char target[64];            /* "AS131279", "KP" */
	/* More than one AS or source, or extra or tracked prefixes: a failed
	 * request is named in the error.  Every distinct message of the
	 * answers is kept. */
	int compound;
	upm_asn_list origins;       /* the target's ASes (no pseudo origin) */
	upm_asn_list set;           /* the computation's: + the pseudo origin */
	const upm_source_desc *srcs[UPM_MAX_SOURCES];
	size_t n_srcs;
	upm_compute *all;
	upm_compute *per[UPM_MAX_SOURCES]; /* NULL with one source */
	char times[UPM_MAX_SOURCES][32];
	char data_time[32];
	char notes[1024];           /* warnings of the run and the answers'
	                             * messages */
	uint64_t malformed;         /* garbled observations */
	upm_strlist tracked;        /* prefixes whose upstreams are kept */
	upm_strlist prefixes;       /* asked of the prefix-based sources */
	int have_prefixes;
	uint32_t *pathbuf;          /* extra-prefix paths with the pseudo origin */
	size_t pathcap;
	size_t records;             /* records delivered by finished requests */
	size_t call_records;        /* records the current request delivered */
	upm_request_count req[UPM_MAX_REQUEST_KINDS]; /* the load, by call */
	size_t n_req;
	/* Requests in flight side by side (batches through upm_pool_run):
	 * the readers' callbacks and what they change in the run take the
	 * lock, and a broken transfer is never started over. */
	int parallel;
	pthread_mutex_t lock;
};

static void
run_lock(struct run *run)
{
	if (run->parallel)
		pthread_mutex_lock(&run->lock);
}

static void
run_unlock(struct run *run)
{
	if (run->parallel)
		pthread_mutex_unlock(&run->lock);
}

/* ------------------------------------------------------------- helpers */

static void
note(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct run *run, const char *fmt, ...)
{
	size_t len = strlen(run->notes);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(run->notes)) {
		memcpy(run->notes + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	/* Cut short when long: the notes are advisory. */
	(void)vsnprintf(run->notes + len, sizeof(run->notes) - len, fmt, ap);
	va_end(ap);
}

/* An answer's messages: each distinct one is kept, whatever its level. */
static void
note_message(struct run *run, const char *msg)
{
	if (msg[0] == '\0')
		return;
	if (strstr(run->notes, msg) == NULL)
		note(run, "%s", msg);
}

static void
keep_time(char *dst, const char *t)
{
	if (strcmp(t, dst) > 0)
		(void)snprintf(dst, 32, "%s", t);
}

static void
trace(const struct run *run, const char *msg)
{
	if (run->q->trace != NULL)
		run->q->trace(run->q->trace_ctx, msg);
}

static int
is_extra_prefix(const upm_query_opts *q, const char *prefix)
{
	for (size_t i = 0; prefix != NULL && i < q->n_extra_prefixes; i++)
		if (strcasecmp(q->extra_prefixes[i], prefix) == 0)
			return 1;
	return 0;
}

static void
as_resource(uint32_t asn, char *buf, size_t len)
{
	(void)snprintf(buf, len, "AS%lu", (unsigned long)asn);
}

/* A failed request of a compound run is named: "bgp-state AS1: ...". */
static upm_status
request_status(const struct run *run, upm_status st, const char *what,
    const char *resource, upm_error *err)
{
	char why[UPM_ERROR_TEXT];

	if (st == UPM_OK)
		return st;
	if (st == UPM_ERR_ABORTED)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (!run->compound)
		return st;
	(void)snprintf(why, sizeof(why), "%s", err ? err->text : "");
	return upm_fail(err, st, "%s %.64s: %.400s", what, resource, why);
}

/* ---------------------------------------------------------- computation */

static void
computations_free(struct run *run)
{
	upm_compute_free(run->all);
	run->all = NULL;
	for (size_t i = 0; i < UPM_MAX_SOURCES; i++) {
		upm_compute_free(run->per[i]);
		run->per[i] = NULL;
	}
}

/* The combined computation, one per source when several, and the tracked
 * prefixes: from nothing (again, when a retried request starts over). */
static upm_status
computations_new(struct run *run, upm_error *err)
{
	const upm_query_opts *q = run->q;
	upm_status st = UPM_OK;
	size_t i;

	computations_free(run);
	if ((run->all = upm_compute_new(&run->set, err)) == NULL ||
	    upm_compute_configure(run->all, &q->params, err) != UPM_OK)
		st = err ? err->code : UPM_ERR_NOMEM;
	for (i = 0; st == UPM_OK && run->n_srcs > 1 && i < run->n_srcs; i++)
		if ((run->per[i] = upm_compute_new(&run->set, err)) == NULL ||
		    upm_compute_configure(run->per[i], &q->params, err) != UPM_OK)
			st = err ? err->code : UPM_ERR_NOMEM;
	upm_strlist_free(&run->tracked);
	for (i = 0; st == UPM_OK && i < q->n_track_prefixes; i++)
		if ((st = upm_compute_track_prefix(run->all, q->track_prefixes[i],
		    err)) == UPM_OK && upm_strlist_add(&run->tracked,
		    q->track_prefixes[i]) != 0)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	/* per_prefix: the prefixes planned for it, each once. */
	for (i = 0; st == UPM_OK && q->per_prefix && i < run->prefixes.n; i++)
		if (!upm_strlist_contains(&run->tracked, run->prefixes.v[i]) &&
		    ((st = upm_compute_track_prefix(run->all, run->prefixes.v[i],
		    err)) != UPM_OK || upm_strlist_add(&run->tracked,
		    run->prefixes.v[i]) != 0))
			st = st != UPM_OK ? st :
			    upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return st;
}

/* ---------------------------------------------------------------- sinks */

/* Where one request's records go. */
struct call {
	struct run *run;
	size_t src;                 /* index into run->srcs */
	int extra;                  /* the request was for an extra prefix */
	size_t *records;            /* the request's own count */
};

/* One observation to the combined computation and the source's. */
static int
observe(struct call *c, const upm_observation *obs)
{
	struct run *run = c->run;
	upm_observation o = *obs;

	/* An extra prefix announced by one of the target's ASes is also in
	 * that AS's answer: it counts once, from its own request. */
	if (!c->extra && is_extra_prefix(run->q, obs->prefix))
		return 0;
	run->malformed += obs->malformed != 0;

	if (c->extra && !obs->unusable && obs->path_len > 0 &&
	    !upm_asn_list_has(&run->origins, obs->path[obs->path_len - 1])) {
		/* Someone else originates it for the target: that AS is the
		 * one carrying it to the world, so it becomes the upstream. */
		if (obs->path_len + 1 > run->pathcap) {
			uint32_t *v = realloc(run->pathbuf,
			    (obs->path_len + 1) * sizeof(*v));
			if (v == NULL)
				return -1;
			run->pathbuf = v;
			run->pathcap = obs->path_len + 1;
		}
		memcpy(run->pathbuf, obs->path, obs->path_len * sizeof(*obs->path));
		run->pathbuf[obs->path_len] = PSEUDO_ORIGIN;
		o.path = run->pathbuf;
		o.path_len = obs->path_len + 1;
	}
	if (upm_compute_add(run->all, &o) != 0)
		return -1;
	if (run->per[c->src] != NULL && upm_compute_add(run->per[c->src], &o) != 0)
		return -1;
	return 0;
}

/* A snapshot source's announcements are its observations; withdrawals
 * and sessions going down only come from event sources, which need a
 * routing table first. */
static int
on_event(void *ctx, const upm_event *ev)
{
	struct call *c = ctx;
	upm_observation obs;

	c->run->call_records++;
	(*c->records)++;
	if (ev->kind != UPM_EV_ANNOUNCE)
		return 0;
	upm_event_observation(ev, &obs);
	return observe(c, &obs);
}

static int
on_neighbour(void *ctx, const upm_neighbour *n)
{
	struct call *c = ctx;

	c->run->call_records++;
	(*c->records)++;
	return upm_compute_add_neighbour(c->run->all, n);
}

/* ------------------------------------------------------------ streaming */

/* One request parsed while it downloads: the fetch feeds the parser.
 * A source's request uses the source's parser; the auxiliary data calls
 * (announced-prefixes, routing-status, country-resource-list) theirs. */
struct reader {
	struct run *run;
	const upm_source_desc *desc; /* NULL: an auxiliary call */
	upm_sink sink;
	void *parser;
	/* auxiliary calls */
	int aux_whole;               /* country-resource-list: kept whole */
	upm_call aux_call;
	upm_sinks aux_sinks;
	upm_buf body;
	upm_asn_list *asns;          /* country-resource-list's answer */
	upm_meta meta;
	int began;
	char kind[48];               /* what its requests count as */
	upm_fetcher *f;              /* NULL: the run's */
	size_t records;              /* records of this request (a source's) */
};

static void
reader_drop(struct reader *rd)
{
	if (rd->parser == NULL)
		return;
	if (rd->desc != NULL)
		rd->desc->parser_free(rd->parser);
	else
		upm_parser_free(rd->parser);
	rd->parser = NULL;
}

/* A broken transfer that already delivered records is retried only when
 * the computation can start over from nothing: the run's first request,
 * to a source asked once per AS.  A prefix's or a list's records cannot
 * be taken back from what earlier requests built. */
static upm_status
reader_begin_locked(void *ctx, upm_error *err)
{
	struct reader *rd = ctx;
	struct run *run = rd->run;
	upm_status st;

	if (rd->began && (run->parallel ? rd->records : run->call_records) > 0) {
		if (rd->desc == NULL || !(rd->desc->needs & UPM_NEEDS_ASN) ||
		    run->records > 0 || run->parallel)
			return upm_fail(err, UPM_ERR_NETWORK, "transfer broke off "
			    "after %zu records; not retried", run->parallel ?
			    rd->records : run->call_records);
		if ((st = computations_new(run, err)) != UPM_OK)
			return st;
	}
	rd->began = 1;
	run->call_records = 0;
	rd->records = 0;
	reader_drop(rd);
	upm_buf_free(&rd->body);
	if (rd->aux_whole)
		return UPM_OK;
	if (rd->desc != NULL)
		rd->parser = rd->desc->parser_new(&rd->sink, err);
	else
		rd->parser = upm_parser_new(rd->aux_call, 0, &rd->aux_sinks, err);
	return rd->parser != NULL ? UPM_OK : (err ? err->code : UPM_ERR_NOMEM);
}

static upm_status
reader_data_locked(void *ctx, const char *buf, size_t len, upm_error *err)
{
	struct reader *rd = ctx;

	if (rd->aux_whole)
		return upm_buf_append(&rd->body, buf, len) == UPM_OK ? UPM_OK :
		    upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (rd->desc != NULL)
		return rd->desc->parser_feed(rd->parser, buf, len, err);
	return upm_parser_feed(rd->parser, buf, len, err);
}

static upm_status
reader_end_locked(void *ctx, upm_error *err)
{
	struct reader *rd = ctx;

	memset(&rd->meta, 0, sizeof(rd->meta));
	if (rd->aux_whole)
		return upm_parse_country_asns(rd->body.data, rd->body.len, 0,
		    rd->asns, &rd->meta, err);
	if (rd->desc != NULL)
		return rd->desc->parser_finish(rd->parser, &rd->meta, err);
	return upm_parser_finish(rd->parser, &rd->meta, err);
}

/* Adds what the fetcher counted since before to kind's figures (the
 * last slot takes every kind beyond the table's size: "other"). */
static void
count_load(struct run *run, upm_fetcher *f, const char *kind,
    const upm_fetch_counts *before)
{
	upm_fetch_counts now;
	upm_request_count *c = NULL;
	size_t i;

	upm_fetcher_counts(f, &now);
	if (now.requests == before->requests && now.cached == before->cached)
		return;
	for (i = 0; i < run->n_req && c == NULL; i++)
		if (strcmp(run->req[i].what, kind) == 0)
			c = &run->req[i];
	if (c == NULL && run->n_req < UPM_MAX_REQUEST_KINDS) {
		c = &run->req[run->n_req++];
		(void)snprintf(c->what, sizeof(c->what), "%s",
		    run->n_req == UPM_MAX_REQUEST_KINDS ? "other" : kind);
	} else if (c == NULL)
		c = &run->req[UPM_MAX_REQUEST_KINDS - 1];
	c->requests += now.requests - before->requests;
	c->cached += now.cached - before->cached;
}

/* The callbacks as the fetcher calls them: under the run's lock when
 * requests run side by side. */
static upm_status
reader_begin(void *ctx, upm_error *err)
{
	struct reader *rd = ctx;
	upm_status st;

	run_lock(rd->run);
	st = reader_begin_locked(ctx, err);
	run_unlock(rd->run);
	return st;
}

static upm_status
reader_data(void *ctx, const char *buf, size_t len, upm_error *err)
{
	struct reader *rd = ctx;
	upm_status st;

	run_lock(rd->run);
	st = reader_data_locked(ctx, buf, len, err);
	run_unlock(rd->run);
	return st;
}

static upm_status
reader_end(void *ctx, upm_error *err)
{
	struct reader *rd = ctx;
	upm_status st;

	run_lock(rd->run);
	st = reader_end_locked(ctx, err);
	run_unlock(rd->run);
	return st;
}

/* Fetches req (a URL, or what the source's open hook takes) into rd;
 * rd->meta on UPM_OK. */
static upm_status
read_answer(struct run *run, struct reader *rd, const char *req,
    upm_error *err)
{
	upm_stream s = { reader_begin, reader_data, reader_end, rd, 0 };
	upm_fetcher *f = rd->f ? rd->f : run->f;
	upm_fetch_counts before;
	upm_status st;

	/* The auxiliary calls and the sources that parse at the end keep the
	 * answer whole: the fetcher's tight cap. */
	s.whole = rd->desc == NULL || (rd->desc->needs & UPM_READS_WHOLE) != 0;

	rd->run = run;
	run_lock(run);
	run->call_records = 0;
	trace(run, req);
	run_unlock(run);
	upm_fetcher_counts(f, &before);
	if (rd->desc != NULL && rd->desc->transport == UPM_TRANSPORT_OPEN)
		st = rd->desc->open(req, &s, err);
	else if (rd->desc != NULL)
		st = upm_fetch_stream_fresh(f, req, rd->desc->fresh_s, &s, NULL,
		    err);
	else
		st = upm_fetch_stream(f, req, &s, NULL, err);
	reader_drop(rd);
	upm_buf_free(&rd->body);
	run_lock(run);
	count_load(run, f, rd->kind[0] != '\0' ? rd->kind : rd->desc != NULL ?
	    rd->desc->name : "other", &before);
	if (st == UPM_OK)
		run->records += run->parallel ? rd->records : run->call_records;
	run_unlock(run);
	return st;
}

/* One auxiliary RIPEstat data call. */
static upm_status
ripestat_call(struct run *run, struct reader *rd, const char *call,
    const char *resource, upm_error *err)
{
	const upm_query_opts *q = run->q;
	char *url = NULL;
	upm_status st;

	st = upm_ripestat_url(q->ripestat_url ? q->ripestat_url :
	    UPM_RIPESTAT_URL, call, resource, q->sourceapp ? q->sourceapp :
	    UPM_SOURCEAPP, NULL, &url, err);
	(void)snprintf(rd->kind, sizeof(rd->kind), "ripestat-%s", call);
	if (st == UPM_OK)
		st = read_answer(run, rd, url, err);
	free(url);
	return st;
}

/* One request of source src for resource (one, or a list), fetched by f
 * (NULL: the run's); label names it in an error (NULL: resource). */
static upm_status
ask_source_by(struct run *run, upm_fetcher *f, size_t src,
    const char *resource, const char *label, int extra, upm_error *err)
{
	const upm_source_desc *d = run->srcs[src];
	struct call c = { run, src, extra, NULL };
	struct reader rd;
	char *req = NULL;
	upm_status st;

	memset(&rd, 0, sizeof(rd));
	c.records = &rd.records;
	rd.f = f;
	rd.desc = d;
	rd.sink.event = on_event;
	rd.sink.neighbour = on_neighbour;
	rd.sink.ctx = &c;
	st = d->request(run->q, resource, &req, err);
	if (st == UPM_OK)
		st = read_answer(run, &rd, req, err);
	free(req);
	if (st == UPM_OK) {
		run_lock(run);
		keep_time(run->times[src], rd.meta.data_time);
		keep_time(run->data_time, rd.meta.data_time);
		note_message(run, rd.meta.messages);
		run_unlock(run);
	}
	return request_status(run, st, d->request_name, label ? label : resource,
	    err);
}

static upm_status
ask_source(struct run *run, size_t src, const char *resource, int extra,
    upm_error *err)
{
	return ask_source_by(run, NULL, src, resource, NULL, extra, err);
}

/* ------------------------------------------------------------ countries */

/* The country's ASNs; its messages are kept like every answer's.  The
 * list changes slowly: the fetcher's cache, when it has one, keeps it a
 * day. */
static upm_status
country_asns(struct run *run, upm_error *err)
{
	struct reader rd;
	upm_status st;

	memset(&rd, 0, sizeof(rd));
	rd.aux_whole = 1;
	rd.asns = &run->origins;
	st = ripestat_call(run, &rd, "country-resource-list", run->q->country,
	    err);
	if (st == UPM_OK)
		note_message(run, rd.meta.messages);
	return request_status(run, st, "country-resource-list",
	    run->q->country, err);
}

/* The origin set: the country's ASNs, the target AS, the extra ASNs. */
static upm_status
origin_set(struct run *run, upm_error *err)
{
	const upm_query_opts *q = run->q;
	upm_status st;

	if (q->country != NULL && (st = country_asns(run, err)) != UPM_OK)
		return st;
	if (q->asn != 0 && upm_asn_list_add(&run->origins, q->asn) != UPM_OK)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < q->n_extra_asns; i++)
		if (upm_asn_list_add(&run->origins, q->extra_asns[i]) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (run->origins.n == 0 && q->n_extra_prefixes == 0)
		return upm_fail(err, UPM_ERR_NODATA, "%s has no AS (and no "
		    "--extra-asn or --extra-prefix was given)", run->target);
	/* The computation's set: the origins, plus the pseudo origin the
	 * extra prefixes' foreign paths end in. */
	if (upm_asn_list_merge(&run->set, &run->origins) != UPM_OK ||
	    (q->n_extra_prefixes > 0 &&
	    upm_asn_list_add(&run->set, PSEUDO_ORIGIN) != UPM_OK))
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* The ASNs asked, in ascending order, at most max_asns of them. */
static size_t
asns_to_ask(const struct run *run)
{
	size_t max = run->q->max_asns ? run->q->max_asns : DEFAULT_MAX_ASNS;

	return run->origins.n <= max ? run->origins.n : max;
}

/* ------------------------------------------------------------- prefixes */

/* One AS's announced prefixes, at most max of them kept. */
struct announced {
	upm_strlist list;
	size_t max;
	size_t seen;                /* all it announces */
	int overflow;
	struct run *run;
};

static int
announced_add(void *ctx, const char *prefix)
{
	struct announced *a = ctx;

	a->run->call_records++;
	a->seen++;
	if (!upm_strlist_contains(&a->list, prefix) && a->list.n == a->max) {
		a->overflow = 1;
		return 0;
	}
	return upm_strlist_add(&a->list, prefix);
}

static upm_status
announced_prefixes(struct run *run, uint32_t asn, struct announced *a,
    upm_error *err)
{
	struct reader rd;
	char res[16];
	upm_status st;

	memset(&rd, 0, sizeof(rd));
	rd.aux_call = UPM_CALL_ANNOUNCED_PREFIXES;
	rd.aux_sinks.prefix = announced_add;
	rd.aux_sinks.ctx = a;
	a->run = run;
	as_resource(asn, res, sizeof(res));
	st = ripestat_call(run, &rd, "announced-prefixes", res, err);
	return request_status(run, st, "announced-prefixes", res, err);
}

/* The first AS of the origin set that announces anything gives the
 * prefixes; more than max of them is an error. */
static upm_status
first_as_prefixes(struct run *run, size_t max, upm_error *err)
{
	struct announced a;
	char res[16];
	upm_status st = UPM_OK;

	for (size_t i = 0, n = asns_to_ask(run); st == UPM_OK &&
	    run->prefixes.n == 0 && i < n; i++) {
		memset(&a, 0, sizeof(a));
		a.max = max;
		st = announced_prefixes(run, run->origins.v[i], &a, err);
		if (st == UPM_OK && a.overflow) {
			as_resource(run->origins.v[i], res, sizeof(res));
			st = upm_fail(err, UPM_ERR_ARG, "%s announces more than "
			    "%zu prefixes: too many for the looking-glass "
			    "source; use ripestat-bgp-state or --prefix", res,
			    max);
		}
		if (st == UPM_OK) {
			upm_strlist_free(&run->prefixes);
			run->prefixes = a.list;
		} else
			upm_strlist_free(&a.list);
	}
	return st;
}

/* The next prefix round-robin: from the AS after *k that still has one
 * not taken (idx[] the position in each AS's list); NULL when none is
 * left. */
static const char *
next_in_turn(const struct announced *per, size_t n, size_t *idx, size_t *k,
    const upm_strlist *taken)
{
	for (size_t tries = 0; tries < n; tries++, *k = (*k + 1) % n) {
		const struct announced *a = &per[*k];
		while (idx[*k] < a->list.n &&
		    upm_strlist_contains(taken, a->list.v[idx[*k]]))
			idx[*k]++;
		if (idx[*k] < a->list.n) {
			const char *p = a->list.v[idx[*k]++];
			*k = (*k + 1) % n;
			return p;
		}
	}
	return NULL;
}

/* A country: the prefixes of every AS asked, taken in turn from each AS
 * in ASN order up to max; what is left out is a warning, not an error. */
static upm_status
country_prefixes(struct run *run, size_t max, upm_error *err)
{
	size_t n = asns_to_ask(run), i, k = 0, total = 0, with = 0;
	struct announced *per = calloc(n ? n : 1, sizeof(*per));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	upm_strlist left = { NULL, 0, 0 };
	upm_status st = UPM_OK;
	const char *p;
	upm_buf b;

	if (per == NULL || idx == NULL)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (i = 0; st == UPM_OK && i < n; i++) {
		/* Enough of each to fill the cap and name what is left out. */
		per[i].max = max + LEFT_OUT_SHOWN;
		st = announced_prefixes(run, run->origins.v[i], &per[i], err);
		total += per[i].seen;
		with += per[i].seen > 0;
	}
	while (st == UPM_OK && run->prefixes.n < max &&
	    (p = next_in_turn(per, n, idx, &k, &run->prefixes)) != NULL)
		if (upm_strlist_add(&run->prefixes, p) != 0)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	while (st == UPM_OK && left.n < LEFT_OUT_SHOWN &&
	    (p = next_in_turn(per, n, idx, &k, &run->prefixes)) != NULL)
		if (!upm_strlist_contains(&left, p) && upm_strlist_add(&left, p))
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st == UPM_OK && left.n > 0) {
		upm_buf_init(&b);
		for (i = 0; i < left.n; i++)
			(void)upm_buf_printf(&b, "%s%s", i ? ", " : "", left.v[i]);
		note(run, "%s announces %zu prefixes from %zu ASes: %zu asked, "
		    "in turn per AS; left out: %s%s", run->target, total, with,
		    run->prefixes.n, b.data != NULL ? b.data : "",
		    total > run->prefixes.n + left.n ? ", ..." : "");
		upm_buf_free(&b);
	}
	for (i = 0; per != NULL && i < n; i++)
		upm_strlist_free(&per[i].list);
	free(per);
	free(idx);
	upm_strlist_free(&left);
	return st;
}

/* The prefixes the prefix-based sources ask about: given (--prefix,
 * tracked), else what the target's ASes announce.  Planned once for all
 * sources. */
static upm_status
plan_prefixes(struct run *run, upm_error *err)
{
	const upm_query_opts *q = run->q;
	size_t max = q->max_prefixes ? q->max_prefixes : DEFAULT_MAX_PREFIXES;
	upm_status st = UPM_OK;
	size_t i;

	if (run->have_prefixes)
		return UPM_OK;
	run->have_prefixes = 1;
	for (i = 0; i < q->n_prefixes && st == UPM_OK; i++)
		if ((st = upm_prefix_check(q->prefixes[i], err)) == UPM_OK &&
		    upm_strlist_add(&run->prefixes, q->prefixes[i]) != 0)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (i = 0; i < q->n_track_prefixes && st == UPM_OK; i++)
		if (upm_strlist_add(&run->prefixes, q->track_prefixes[i]) != 0)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st != UPM_OK)
		return st;
	if (run->prefixes.n > max)
		return upm_fail(err, UPM_ERR_ARG, "more than %zu prefixes given",
		    max);
	if (run->prefixes.n == 0)
		st = q->country != NULL ? country_prefixes(run, max, err) :
		    first_as_prefixes(run, max, err);
	if (st == UPM_OK && run->prefixes.n == 0 && q->n_extra_prefixes == 0)
		return upm_fail(err, UPM_ERR_NODATA, "%s announces no prefixes",
		    run->target);
	return st;
}

/* -------------------------------------------------------------- sources */

/* The ASNs of a source that takes lists, ASN_BATCH per request. */
struct asn_batches {
	struct run *run;
	size_t src;
	size_t n;                   /* ASNs asked */
};

/* Request i of the batches, fetched by f (a pool job). */
static upm_status
asn_batch(void *ctx, upm_fetcher *f, size_t i, upm_error *err)
{
	struct asn_batches *b = ctx;
	const upm_asn_list *o = &b->run->origins;
	size_t from = i * ASN_BATCH, to = from + ASN_BATCH, k;
	char label[64];
	upm_status st;
	upm_buf res;

	if (to > b->n)
		to = b->n;
	upm_buf_init(&res);
	for (k = from; k < to; k++)
		if (upm_buf_printf(&res, "%sAS%lu", k > from ? "," : "",
		    (unsigned long)o->v[k]) != UPM_OK) {
			upm_buf_free(&res);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
	if (to - from == 1)
		(void)snprintf(label, sizeof(label), "AS%lu",
		    (unsigned long)o->v[from]);
	else
		(void)snprintf(label, sizeof(label), "AS%lu..AS%lu (%zu ASes)",
		    (unsigned long)o->v[from], (unsigned long)o->v[to - 1],
		    to - from);
	st = ask_source_by(b->run, f, b->src, res.data, label, 0, err);
	upm_buf_free(&res);
	return st;
}

/* Every ASN asked in batches: one after the other, or side by side. */
static upm_status
run_asn_batches(struct run *run, size_t src, upm_error *err)
{
	struct asn_batches b = { run, src, asns_to_ask(run) };
	size_t jobs = (b.n + ASN_BATCH - 1) / ASN_BATCH, par = run->q->parallel;
	upm_status st = UPM_OK;

	if (par > MAX_PARALLEL)
		par = MAX_PARALLEL;
	if (par > 1 && jobs > 1) {
		if (pthread_mutex_init(&run->lock, NULL) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		run->parallel = 1;
		st = upm_pool_run(run->f, par, jobs, asn_batch, &b, err);
		run->parallel = 0;
		pthread_mutex_destroy(&run->lock);
		return st;
	}
	for (size_t i = 0; st == UPM_OK && i < jobs; i++)
		st = asn_batch(&b, run->f, i, err);
	return st;
}

static upm_status
run_by_asn(struct run *run, size_t src, upm_error *err)
{
	const upm_query_opts *q = run->q;
	char res[16];
	upm_status st;
	size_t i;

	if ((run->srcs[src]->needs & UPM_TAKES_LISTS) && asns_to_ask(run) > 1) {
		if ((st = run_asn_batches(run, src, err)) != UPM_OK)
			return st;
	} else for (i = 0; i < asns_to_ask(run); i++) {
		as_resource(run->origins.v[i], res, sizeof(res));
		if ((st = ask_source(run, src, res, 0, err)) != UPM_OK)
			return st;
	}
	for (i = 0; i < q->n_extra_prefixes; i++)
		if ((st = ask_source(run, src, q->extra_prefixes[i], 1, err)))
			return st;
	return UPM_OK;
}

static upm_status
run_by_prefix(struct run *run, size_t src, upm_error *err)
{
	const upm_query_opts *q = run->q;
	upm_status st;
	size_t i;

	if ((st = plan_prefixes(run, err)) != UPM_OK)
		return st;
	for (i = 0; i < run->prefixes.n; i++)
		if ((st = ask_source(run, src, run->prefixes.v[i],
		    is_extra_prefix(q, run->prefixes.v[i]), err)) != UPM_OK)
			return st;
	for (i = 0; i < q->n_extra_prefixes; i++)
		if (!upm_strlist_contains_nocase(&run->prefixes,
		    q->extra_prefixes[i]) &&
		    (st = ask_source(run, src, q->extra_prefixes[i], 1, err)))
			return st;
	return UPM_OK;
}

static upm_status
run_source(struct run *run, size_t src, upm_error *err)
{
	const upm_source_desc *d = run->srcs[src];
	upm_status st;

	if (d->needs & UPM_GIVES_NEIGHBOURS && run->compound)
		return upm_fail(err, UPM_ERR_ARG, "%s gives no paths: it does "
		    "not go with a country, extra ASNs or prefixes, "
		    "--expect-prefix or other sources", d->name);
	if (d->ready != NULL && (st = d->ready(run->q, err)) != UPM_OK)
		return st;
	if (d->needs & UPM_NEEDS_PREFIXES)
		return run_by_prefix(run, src, err);
	return run_by_asn(run, src, err);
}

/* Visibility is a secondary figure: a failure is a warning, not an error. */
static void
run_visibility(struct run *run, upm_visibility *vis, char *warn, size_t len)
{
	struct reader rd;
	upm_error err;
	char res[16];

	memset(&err, 0, sizeof(err));
	memset(&rd, 0, sizeof(rd));
	rd.aux_call = UPM_CALL_ROUTING_STATUS;
	rd.aux_sinks.vis = vis;
	as_resource(run->q->asn, res, sizeof(res));
	if (ripestat_call(run, &rd, "routing-status", res, &err) != UPM_OK &&
	    warn[0] == '\0')
		(void)snprintf(warn, len, "visibility unavailable: %.200s", err.text);
}

/* ------------------------------------------------------------- results */

static upm_status
source_result(struct run *run, size_t src, upm_source_result *out,
    upm_error *err)
{
	upm_result *r = NULL;
	upm_status st;
	upm_error e2;

	(void)snprintf(out->source, sizeof(out->source), "%s",
	    run->srcs[src]->name);
	(void)snprintf(out->data_time, sizeof(out->data_time), "%s",
	    run->times[src]);
	memset(&e2, 0, sizeof(e2));
	st = upm_compute_result(run->per[src], &run->q->params, &r, &e2);
	if (st == UPM_ERR_NODATA)
		return UPM_OK;
	if (st != UPM_OK)
		return upm_fail(err, st, "%s", e2.text);
	out->observations = r->observations;
	out->with_upstream = r->with_upstream;
	out->sessions = r->sessions;
	out->upstreams = r->upstreams;
	out->n_upstreams = r->n_upstreams;
	out->n_present = r->n_present;
	r->upstreams = NULL;
	r->n_upstreams = 0;
	upm_result_free(r);
	return UPM_OK;
}

static void
present_text(const upm_source_result *s, upm_buf *b)
{
	const char *sep = " ";

	(void)upm_buf_printf(b, "%s", s->source);
	for (size_t i = 0; i < s->n_upstreams; i++)
		if (s->upstreams[i].present) {
			(void)upm_buf_printf(b, "%sAS%lu", sep,
			    (unsigned long)s->upstreams[i].asn);
			sep = ", ";
		}
	if (s->n_present == 0)
		(void)upm_buf_printf(b, " none");
}

static int
same_present(const upm_source_result *a, const upm_source_result *b)
{
	size_t i, k;

	if (a->n_present != b->n_present)
		return 0;
	for (i = 0; i < a->n_upstreams; i++) {
		int found = 0;
		if (!a->upstreams[i].present)
			continue;
		for (k = 0; k < b->n_upstreams && !found; k++)
			found = b->upstreams[k].present &&
			    b->upstreams[k].asn == a->upstreams[i].asn;
		if (!found)
			return 0;
	}
	return 1;
}

/* Sources with data whose present sets differ are named side by side;
 * a source without any usable path is a note of its own. */
static void
compare_sources(struct run *run, upm_result *r)
{
	const upm_source_result *first = NULL;
	int differ = 0;
	upm_buf b;

	for (size_t i = 0; i < r->n_sources; i++) {
		const upm_source_result *s = &r->sources[i];
		if (s->with_upstream == 0) {
			note(run, "%s: no usable observation", s->source);
			continue;
		}
		if (first == NULL)
			first = s;
		else if (!same_present(first, s))
			differ = 1;
	}
	if (!differ)
		return;
	upm_buf_init(&b);
	(void)upm_buf_printf(&b, "sources disagree: ");
	for (size_t i = 0, k = 0; i < r->n_sources; i++) {
		if (r->sources[i].with_upstream == 0)
			continue;
		if (k++ > 0)
			(void)upm_buf_printf(&b, "; ");
		present_text(&r->sources[i], &b);
	}
	if (b.data != NULL)
		upm_copy_text(r->disagree, sizeof(r->disagree), b.data);
	upm_buf_free(&b);
}

/* "ripestat-bgp-state,nlnog-lg", or "<n> sources" when that is too long. */
static void
source_label(const struct run *run, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (size_t i = 0; i < run->n_srcs; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
		    run->srcs[i]->name);
		if (n < 0 || (size_t)n >= len - used) {
			(void)snprintf(buf, len, "%zu sources", run->n_srcs);
			return;
		}
		used += (size_t)n;
	}
}

static void
append_warning(upm_result *r, const char *text)
{
	size_t len = strlen(r->warnings);

	if (text[0] == '\0')
		return;
	(void)snprintf(r->warnings + len, sizeof(r->warnings) - len, "%s%s",
	    len ? "; " : "", text);
}

/* An answer without a single usable observation says nothing about the
 * upstreams: for a time in the past RIPEstat keeps no data; for now it is
 * an outage or a wrong target.  Either way it is not "zero upstreams". */
static upm_status
check_usable(const struct run *run, const upm_result *r, upm_error *err)
{
	char label[48];

	source_label(run, label, sizeof(label));
	if (r == NULL || r->observations == 0)
		return upm_fail(err, UPM_ERR_NODATA, "no observations of %s in "
		    "%s%s", run->target, label, run->q->at ?
		    " for that time (no data kept?)" : "");
	if (r->with_upstream == 0)
		return upm_fail(err, UPM_ERR_NODATA, "none of %llu observations "
		    "of %s has an upstream (%llu direct, %llu unusable, %llu "
		    "other origin)", (unsigned long long)r->observations,
		    run->target, (unsigned long long)r->direct,
		    (unsigned long long)r->unusable,
		    (unsigned long long)r->other_origin);
	return UPM_OK;
}

/* ------------------------------------------------------------- control */

/* The sessions that announce the control prefix. */
static int
on_control(void *ctx, const upm_event *ev)
{
	upm_strlist *seen = ctx;

	if (ev->kind != UPM_EV_ANNOUNCE || ev->session == NULL ||
	    upm_strlist_contains(seen, ev->session))
		return 0;
	return upm_strlist_add(seen, ev->session);
}

/* The control prefix asked of the first source for the time of the
 * target's answer (its data time, or the --at time): the sessions that
 * see it into *n.  A source that gives no paths has no control. */
static upm_status
ask_control(struct run *run, size_t *n, upm_error *err)
{
	const upm_source_desc *d = run->srcs[0];
	upm_query_opts q = *run->q;
	upm_strlist seen = { NULL, 0, 0 };
	struct reader rd;
	char *req = NULL;
	upm_status st;

	*n = 0;
	if (d->needs & UPM_GIVES_NEIGHBOURS)
		return UPM_ERR_NODATA;
	if (q.control_prefix == NULL)
		q.control_prefix = UPM_CONTROL_PREFIX;
	if ((st = upm_prefix_check(q.control_prefix, err)) != UPM_OK)
		return st;
	if ((d->needs & UPM_TAKES_TIME) && q.at == NULL &&
	    run->data_time[0] != '\0')
		q.at = run->data_time;
	memset(&rd, 0, sizeof(rd));
	rd.desc = d;
	rd.sink.event = on_control;
	rd.sink.ctx = &seen;
	(void)snprintf(rd.kind, sizeof(rd.kind), "%s control", d->name);
	st = d->request(&q, q.control_prefix, &req, err);
	if (st == UPM_OK)
		st = read_answer(run, &rd, req, err);
	free(req);
	*n = seen.n;
	upm_strlist_free(&seen);
	if (st != UPM_OK) {
		char why[UPM_ERROR_TEXT];

		(void)snprintf(why, sizeof(why), "%s", err ? err->text : "");
		return upm_fail(err, st, "control %s: %.400s", q.control_prefix,
		    why);
	}
	return UPM_OK;
}

/* An empty result for the target: no route, all counts zero. */
static upm_result *
empty_result(void)
{
	upm_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	upm_asn_list_init(&r->appeared);
	upm_asn_list_init(&r->disappeared);
	return r;
}

/* No route to the target: a total outage when the control prefix has
 * routes at the same source and time; the source's fault (or, in the
 * past, data not kept) when it has none. */
static upm_status
outage_or_nodata(struct run *run, upm_result **out, upm_error *err)
{
	char label[48], why[UPM_ERROR_TEXT];
	upm_error cerr;
	size_t n = 0;
	upm_status st;

	*out = NULL;
	memset(&cerr, 0, sizeof(cerr));
	source_label(run, label, sizeof(label));
	st = ask_control(run, &n, &cerr);
	if (st == UPM_OK && n > 0) {
		if ((*out = empty_result()) == NULL)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		(*out)->outage = 1;
		(*out)->control_sessions = n;
		return UPM_OK;
	}
	if (st == UPM_ERR_NODATA)       /* no control for this source */
		return check_usable(run, NULL, err);
	if (st == UPM_OK)
		(void)snprintf(why, sizeof(why), "the control prefix %s has no "
		    "route either: the source is at fault%s",
		    run->q->control_prefix ? run->q->control_prefix :
		    UPM_CONTROL_PREFIX, run->q->at ? " (no data kept for that "
		    "time?)" : "");
	else
		(void)snprintf(why, sizeof(why), "%s", cerr.text);
	return upm_fail(err, UPM_ERR_NODATA, "no observations of %s in %s%s; "
	    "%.300s", run->target, label, run->q->at ? " for that time" : "",
	    why);
}

/* The age of the data of a query for now, and the limit for it. */
static void
set_age(const struct run *run, upm_result *r)
{
	const upm_query_opts *q = run->q;
	int64_t t, now = q->now ? q->now : (int64_t)time(NULL);

	r->data_age = -1;
	r->max_age = 0;
	if (q->at != NULL || r->data_time[0] == '\0' ||
	    upm_time_parse(r->data_time, &t, NULL) != UPM_OK)
		return;
	r->have_age = 1;
	r->data_age = now > t ? now - t : 0;
	if (q->max_age_s > 0)
		r->max_age = q->max_age_s;
	else if (q->max_age_s == 0)
		/* Several sources: the most lenient of their defaults. */
		for (size_t i = 0; i < run->n_srcs; i++)
			if (run->srcs[i]->max_age_s > r->max_age)
				r->max_age = run->srcs[i]->max_age_s;
}

static upm_status
build_result(struct run *run, upm_result **out, upm_error *err)
{
	upm_result *r = NULL;
	upm_status st;

	st = upm_compute_result(run->all, &run->q->params, &r, err);
	if (st == UPM_ERR_NODATA || (st == UPM_OK && r->observations == 0)) {
		upm_result_free(r);
		r = NULL;
		st = outage_or_nodata(run, &r, err);
	} else if (st == UPM_OK)
		st = check_usable(run, r, err);
	if (st == UPM_OK && run->n_srcs > 1) {
		if ((r->sources = calloc(run->n_srcs, sizeof(*r->sources))) == NULL)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		for (size_t i = 0; st == UPM_OK && i < run->n_srcs; i++) {
			r->n_sources++;
			st = source_result(run, i, &r->sources[i], err);
		}
		if (st == UPM_OK)
			compare_sources(run, r);
	}
	if (st != UPM_OK) {
		upm_result_free(r);
		return st;
	}
	r->n_origins = run->origins.n;
	(void)snprintf(r->target, sizeof(r->target), "%s", run->target);
	source_label(run, r->source, sizeof(r->source));
	(void)snprintf(r->data_time, sizeof(r->data_time), "%s", run->data_time);
	r->malformed = run->malformed;
	set_age(run, r);
	if (r->malformed > 0) {
		char m[64];
		(void)snprintf(m, sizeof(m), "%llu malformed path%s",
		    (unsigned long long)r->malformed, r->malformed == 1 ? "" : "s");
		append_warning(r, m);
	}
	append_warning(r, r->disagree);
	append_warning(r, run->notes);
	*out = r;
	return UPM_OK;
}

/* --------------------------------------------------------------- target */

static int
is_compound(const upm_query_opts *q)
{
	return q->country != NULL || q->n_extra_asns > 0 ||
	    q->n_extra_prefixes > 0 || q->n_sources > 0 ||
	    q->n_track_prefixes > 0 || (int)q->source > UPM_SRC_ASN_NEIGHBOURS;
}

/* The driver's own rules over the options of a target (an AS or a
 * country, its sources, a past time); the target's name and the sources
 * into run. */
static upm_status
query_target_rules(struct run *run, upm_error *err)
{
	const upm_query_opts *q = run->q;
	upm_status st;
	size_t i;
	char ts[64];

	/* The target's own rules are the front ends' (target.c); the driver
	 * adds what only a library caller can get wrong. */
	if ((st = upm_target_check(q, NULL, UPM_RULE_TARGET_BOTH |
	    UPM_RULE_AT_SOURCE, NULL, err)) != UPM_OK)
		return st;
	if (q->country == NULL && q->asn == 0 && q->n_extra_asns == 0)
		return upm_fail(err, UPM_ERR_ARG, "no target AS given");
	if (q->country != NULL) {
		char cc[3];
		if ((st = upm_country_check(q->country, cc, err)) != UPM_OK)
			return st;
		(void)snprintf(run->target, sizeof(run->target), "%s", cc);
	} else
		as_resource(q->asn ? q->asn : q->extra_asns[0], run->target,
		    sizeof(run->target));
	for (i = 0; i < q->n_extra_prefixes; i++)
		if ((st = upm_prefix_check(q->extra_prefixes[i], err)) != UPM_OK)
			return st;
	if (q->n_sources > UPM_MAX_SOURCES)
		return upm_fail(err, UPM_ERR_ARG, "too many sources");
	run->n_srcs = q->n_sources ? q->n_sources : 1;
	for (i = 0; i < run->n_srcs; i++) {
		run->srcs[i] = upm_source_desc_get(q->n_sources ? q->sources[i] :
		    q->source);
		if (run->srcs[i] == NULL)
			return upm_fail(err, UPM_ERR_ARG, "unknown source");
		/* Withdrawals need a routing table: history's (walk.c). */
		if (run->srcs[i]->needs & UPM_GIVES_EVENTS)
			return upm_fail(err, UPM_ERR_ARG, "%s gives events, not "
			    "a snapshot: use it for history (--from/--until)",
			    run->srcs[i]->name);
	}
	return upm_ripestat_timestamp(q->at, ts, sizeof(ts), err);
}

/* ----------------------------------------------------------------- query */

static void
run_free(struct run *run)
{
	computations_free(run);
	upm_asn_list_free(&run->origins);
	upm_asn_list_free(&run->set);
	upm_strlist_free(&run->prefixes);
	upm_strlist_free(&run->tracked);
	free(run->pathbuf);
}

static void
keep_load(const struct run *run, upm_result *r)
{
	size_t i;

	memcpy(r->requests, run->req, sizeof(r->requests));
	r->n_requests = run->n_req;
	r->requests_total = r->cached_total = 0;
	for (i = 0; i < run->n_req; i++) {
		r->requests_total += run->req[i].requests;
		r->cached_total += run->req[i].cached;
	}
}

upm_status
upm_query(upm_fetcher *f, const upm_query_opts *q, upm_result **out,
    upm_error *err)
{
	struct run run;
	upm_status st;
	size_t n;

	*out = NULL;
	memset(&run, 0, sizeof(run));
	run.f = f;
	run.q = q;
	run.compound = is_compound(q);
	upm_asn_list_init(&run.origins);
	upm_asn_list_init(&run.set);
	st = query_target_rules(&run, err);
	if (st == UPM_OK)
		st = origin_set(&run, err);
	/* per_prefix (-v) on one AS: its announced prefixes, tracked from
	 * the start.  Not to be had is no failure: the lines are extra. */
	if (st == UPM_OK && q->per_prefix && q->asn != 0 && q->country == NULL) {
		upm_error perr;
		memset(&perr, 0, sizeof(perr));
		if (plan_prefixes(&run, &perr) != UPM_OK) {
			upm_strlist_free(&run.prefixes);
			run.have_prefixes = 0;
		}
	}
	if (st == UPM_OK)
		st = computations_new(&run, err);
	if (st == UPM_OK && (n = asns_to_ask(&run)) < run.origins.n)
		note(&run, "%s has %zu ASes: only the first %zu asked "
		    "(--max-asns)", run.target, run.origins.n, n);
	for (size_t i = 0; st == UPM_OK && i < run.n_srcs; i++)
		st = run_source(&run, i, err);
	if (st == UPM_ERR_ABORTED)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st == UPM_OK)
		st = build_result(&run, out, err);
	/* routing-status is the added evidence of an outage. */
	if (st == UPM_OK && ((q->visibility && !run.compound) ||
	    ((*out)->outage && q->asn != 0)))
		run_visibility(&run, &(*out)->visibility, (*out)->warnings,
		    sizeof((*out)->warnings));
	if (st == UPM_OK)
		keep_load(&run, *out);
	run_free(&run);
	return st;
}

/* ---------------------------------------------------- history by events */

struct events_run {
	const upm_sink *sink;
	upm_events_stats *stats;
	int skip_initial;           /* a later day: updates before it dropped */
	int64_t window_start;       /* the day asked */
	int64_t window_end;
	int outside;                /* a record outside the window asked */
	int64_t outside_time;
	upm_strlist control;        /* the control's sessions */
	int is_control;
};

static int
on_window_event(void *ctx, const upm_event *ev)
{
	struct events_run *e = ctx;

	if (e->is_control) {
		e->stats->control_records++;
		if (ev->kind != UPM_EV_ANNOUNCE || ev->session == NULL ||
		    upm_strlist_contains(&e->control, ev->session))
			return 0;
		return upm_strlist_add(&e->control, ev->session);
	}
	/* A later day: an update before its start (a boundary second) was
	 * in the day before.  Its initial state is taken again: the same
	 * routes change nothing, and a day the day before lacked (RIPEstat's
	 * retention starting inside the range) fills the table from then. */
	if (e->skip_initial && !ev->initial && ev->time < e->window_start)
		return 0;
	/* An answer for another time than the one asked (a starttime the
	 * source ignored): its routes would be taken for the window's.  An
	 * initial state without a known time (0) is the window's start. */
	if (ev->time > e->window_end || (ev->time < e->window_start &&
	    !(ev->initial && ev->time == 0))) {
		e->outside = 1;
		e->outside_time = ev->time;
		return -1;
	}
	e->stats->records++;
	return e->sink->event != NULL ? e->sink->event(e->sink->ctx, ev) : 0;
}

/* One window request of an event source for resource. */
static upm_status
ask_window(struct run *run, const upm_source_desc *d, struct events_run *e,
    const char *resource, int64_t from, int64_t until, upm_error *err)
{
	upm_query_opts q = *run->q;
	struct reader rd;
	char *req = NULL;
	upm_status st;

	q.window_start = from;
	q.window_end = until;
	q.have_window = 1;
	e->window_end = until;
	e->outside = 0;
	memset(&rd, 0, sizeof(rd));
	rd.desc = d;
	rd.sink.event = on_window_event;
	rd.sink.ctx = e;
	e->stats->requests++;
	st = d->request(&q, resource, &req, err);
	if (st == UPM_OK)
		st = read_answer(run, &rd, req, err);
	free(req);
	if (st == UPM_OK)
		note_message(run, rd.meta.messages);
	if (st == UPM_ERR_ABORTED && e->outside) {
		char a[32], b[32], o[32];

		if (upm_time_format(from, a, sizeof(a)) != UPM_OK ||
		    upm_time_format(until, b, sizeof(b)) != UPM_OK ||
		    upm_time_format(e->outside_time, o, sizeof(o)) != UPM_OK)
			a[0] = b[0] = o[0] = '\0';
		return upm_fail(err, UPM_ERR_SHAPE, "%s %.64s%s from %sZ until "
		    "%sZ: the answer holds a route of %sZ, outside the time "
		    "asked; refused", d->request_name, resource,
		    strchr(resource, ',') ? ",..." : "", a, b, o);
	}
	if (st == UPM_ERR_ABORTED)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st != UPM_OK) {
		char why[UPM_ERROR_TEXT], a[32], b[32];

		(void)snprintf(why, sizeof(why), "%s", err ? err->text : "");
		if (upm_time_format(from, a, sizeof(a)) != UPM_OK ||
		    upm_time_format(until, b, sizeof(b)) != UPM_OK)
			a[0] = b[0] = '\0';
		/* The list is cut at 64 bytes: "..." only when it was. */
		return upm_fail(err, st, "%s %.64s%s from %sZ until %sZ: %.300s",
		    d->request_name, resource, strlen(resource) > 64 ? "..." :
		    "", a, b, why);
	}
	return UPM_OK;
}

/* The prefixes q->asn announced in the window, at most
 * UPM_EVENTS_MAX_PREFIXES. */
static upm_status
window_prefixes(struct run *run, int64_t from, int64_t until,
    struct announced *a, upm_events_stats *stats, upm_error *err)
{
	upm_query_opts q = *run->q;
	struct reader rd;
	char res[16], *url = NULL;
	upm_status st;

	memset(&rd, 0, sizeof(rd));
	rd.aux_call = UPM_CALL_ANNOUNCED_PREFIXES;
	rd.aux_sinks.prefix = announced_add;
	rd.aux_sinks.ctx = a;
	a->run = run;
	a->max = UPM_EVENTS_MAX_PREFIXES;
	q.window_start = from;
	q.window_end = until;
	q.have_window = 1;
	as_resource(q.asn, res, sizeof(res));
	stats->requests++;
	st = upm_ripestat_window_url(&q, "announced-prefixes", res, &url, err);
	if (st == UPM_OK)
		st = read_answer(run, &rd, url, err);
	free(url);
	if (st == UPM_OK && a->overflow)
		st = upm_fail(err, UPM_ERR_ARG, "%s announced more than %d "
		    "prefixes in that time: too many for one bgplay request; "
		    "use -s ripestat-bgp-state --step or --mrt", res,
		    UPM_EVENTS_MAX_PREFIXES);
	if (st != UPM_OK && st != UPM_ERR_ARG) {
		char why[UPM_ERROR_TEXT];

		(void)snprintf(why, sizeof(why), "%s", err ? err->text : "");
		st = upm_fail(err, st == UPM_ERR_ABORTED ? UPM_ERR_NOMEM : st,
		    "announced-prefixes %s: %.400s", res, why);
	}
	return st;
}

/* The prefixes as one resource list ("a,b,c"); malloc'd. */
static char *
join_prefixes(const upm_strlist *l)
{
	upm_buf b;

	upm_buf_init(&b);
	for (size_t i = 0; i < l->n; i++)
		if (upm_buf_printf(&b, "%s%s", i ? "," : "", l->v[i]) != UPM_OK) {
			upm_buf_free(&b);
			return NULL;
		}
	return upm_buf_steal(&b);
}

upm_status
upm_query_events(upm_fetcher *f, const upm_query_opts *q, int64_t from,
    int64_t until, const upm_sink *sink, upm_events_stats *stats,
    upm_error *err)
{
	const upm_source_desc *d = upm_source_desc_get(UPM_SRC_BGPLAY);
	const char *control = q->control_prefix ? q->control_prefix :
	    UPM_CONTROL_PREFIX;
	struct events_run e;
	struct announced a;
	struct run run;
	char *list = NULL, res[16];
	upm_status st = UPM_OK;
	int64_t t;

	memset(stats, 0, sizeof(*stats));
	memset(&run, 0, sizeof(run));
	memset(&e, 0, sizeof(e));
	memset(&a, 0, sizeof(a));
	run.f = f;
	run.q = q;
	e.sink = sink;
	e.stats = stats;
	if (q->asn == 0 || until < from)
		return upm_fail(err, UPM_ERR_ARG, "history by events needs one "
		    "AS and a window");
	if ((until - from) / UPM_EVENTS_CHUNK_S >= UPM_EVENTS_MAX_DAYS)
		return upm_fail(err, UPM_ERR_ARG, "%lld days: more than %d by "
		    "events (a request a day); use a shorter range, --mrt, or "
		    "-s ripestat-bgp-state --step", (long long)((until - from) /
		    UPM_EVENTS_CHUNK_S + 1), UPM_EVENTS_MAX_DAYS);
	as_resource(q->asn, res, sizeof(res));
	(void)snprintf(run.target, sizeof(run.target), "%s", res);
	if ((st = upm_prefix_check(control, err)) != UPM_OK)
		return st;
	/* The prefixes given, or those announced in the window. */
	for (size_t i = 0; st == UPM_OK && i < q->n_prefixes; i++)
		if ((st = upm_prefix_check(q->prefixes[i], err)) == UPM_OK &&
		    upm_strlist_add(&a.list, q->prefixes[i]) != 0)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st == UPM_OK && q->n_prefixes == 0)
		st = window_prefixes(&run, from, until, &a, stats, err);
	stats->prefixes = a.list.n;
	if (st == UPM_OK && a.list.n > 0 && (list = join_prefixes(&a.list)) ==
	    NULL)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	/* One day per request, one request at a time, in time order. */
	for (t = from; st == UPM_OK && list != NULL && t <= until;
	    t += UPM_EVENTS_CHUNK_S) {
		int64_t end = until - t > UPM_EVENTS_CHUNK_S ?
		    t + UPM_EVENTS_CHUNK_S : until;

		uint64_t before = stats->records;

		e.skip_initial = t > from;
		e.window_start = t;
		st = ask_window(&run, d, &e, list, t, end, err);
		if (st == UPM_OK && before > 0 && stats->records == before &&
		    stats->empty_days < UPM_EVENTS_MAX_DAYS)
			stats->empty_day[stats->empty_days++] = t;
		if (end == until)
			break;
	}
	if (st == UPM_OK && stats->records == 0) {
		/* Nothing of the target: kept nothing, or not announced? */
		e.is_control = 1;
		stats->control_asked = 1;
		st = ask_window(&run, d, &e, control, from, until, err);
		stats->control_sessions = e.control.n;
		if (st == UPM_OK && e.control.n == 0)
			st = upm_fail(err, UPM_ERR_NODATA, "no BGP events kept for "
			    "that time: RIPEstat has no update of %s%s nor of the "
			    "always-announced control prefix %s then; read RIS "
			    "archive files instead (--mrt with a bview and the "
			    "updates after it from data.ris.ripe.net)", res,
			    a.list.n == 0 ? " (announced-prefixes gave none)" : "",
			    control);
	}
	free(list);
	upm_strlist_free(&a.list);
	upm_strlist_free(&e.control);
	upm_strlist_free(&run.prefixes);
	return st;
}

/* ------------------------------------------------------- judgement aids */

void
upm_age_text(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		(void)snprintf(buf, len, "%lld d %lld h", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		(void)snprintf(buf, len, "%lld h %lld min", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		(void)snprintf(buf, len, "%lld min", (long long)(s / 60));
	else
		(void)snprintf(buf, len, "%lld s", (long long)s);
}

/* Had the malformed paths all been asn's, would it have been present by
 * share?  Then its disappearance may be the garbling's doing. */
static int
malformed_could_hide(const upm_result *r, uint32_t asn, double min_share)
{
	uint64_t own = 0;
	double share;

	for (size_t i = 0; i < r->n_upstreams; i++)
		if (r->upstreams[i].asn == asn)
			own = r->upstreams[i].observations;
	share = 100.0 * (double)(own + r->malformed) /
	    (double)(r->with_upstream + r->malformed);
	return share >= min_share;
}

upm_status
upm_result_check(const upm_result *r, const upm_params *p, upm_error *err)
{
	upm_params defaults;
	char age[32], max[32];

	if (p == NULL) {
		upm_params_init(&defaults);
		p = &defaults;
	}
	if (r->have_age && r->max_age > 0 && r->data_age > r->max_age) {
		upm_age_text(r->data_age, age, sizeof(age));
		upm_age_text(r->max_age, max, sizeof(max));
		return upm_fail(err, UPM_ERR_STALE, "data is %s old (data time "
		    "%s UTC, maximum age %s)", age, r->data_time, max);
	}
	/* Too few vantage ASes in the whole answer for any upstream to be
	 * present: a missing baseline upstream would be a false CRITICAL.
	 * (asn-neighbours summaries name no vantage AS: not counted.) */
	if (r->with_upstream > 0 && r->vantage_ases > 0 &&
	    r->vantage_ases < p->min_peers)
		return upm_fail(err, UPM_ERR_QUALITY, "only %zu vantage AS%s "
		    "see%s %s, fewer than --min-peers %zu: no upstream can be "
		    "present", r->vantage_ases, r->vantage_ases == 1 ? "" : "es",
		    r->vantage_ases == 1 ? "s" : "", r->target, p->min_peers);
	if (r->malformed == 0)
		return UPM_OK;
	if (r->malformed * 100 > r->observations * UPM_MALFORMED_MAX_PCT)
		return upm_fail(err, UPM_ERR_QUALITY, "%llu of "
		    "%llu paths malformed (more than %d %%)",
		    (unsigned long long)r->malformed,
		    (unsigned long long)r->observations, UPM_MALFORMED_MAX_PCT);
	for (size_t i = 0; i < r->disappeared.n; i++)
		if (malformed_could_hide(r, r->disappeared.v[i], p->min_share))
			return upm_fail(err, UPM_ERR_QUALITY,
			    "%llu of %llu paths malformed, enough to hide "
			    "AS%lu", (unsigned long long)r->malformed,
			    (unsigned long long)r->observations,
			    (unsigned long)r->disappeared.v[i]);
	return UPM_OK;
}

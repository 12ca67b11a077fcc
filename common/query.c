/*
 * query.c - one query for one target: plan the requests for the chosen
 * source, fetch them, feed the parsed records to the computation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upstreams.h"

#define DEFAULT_RIPESTAT "https://stat.ripe.net"
#define DEFAULT_SOURCEAPP "upstreams"
#define DEFAULT_MAX_PREFIXES 64

static const char *const source_names[] = {
	"ripestat-bgp-state",
	"ripestat-looking-glass",
	"ripestat-asn-neighbours",
};

int
upm_source_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (s != NULL && strcmp(s, source_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
upm_source_name(upm_source s)
{
	if ((size_t)s < sizeof(source_names) / sizeof(source_names[0]))
		return source_names[s];
	return "unknown";
}

void
upm_query_opts_init(upm_query_opts *q)
{
	memset(q, 0, sizeof(*q));
	q->source = UPM_SRC_BGP_STATE;
	upm_params_init(&q->params);
}

/* Everything one query holds while it runs. */
struct run {
	upm_fetcher *fetcher;
	const upm_query_opts *q;
	char resource[16];        /* "AS131279" */
	upm_compute *compute;
	upm_buf body;
	char data_time[32];
	char messages[256];
};

static void
trace(const struct run *run, const char *msg)
{
	if (run->q->trace != NULL)
		run->q->trace(run->q->trace_ctx, msg);
}

/* Fetches one RIPEstat data call into run->body. */
static upm_status
fetch_call(struct run *run, const char *call, const char *resource,
    const char *extra, upm_error *err)
{
	const upm_query_opts *q = run->q;
	char *url = NULL;
	upm_status st;

	st = upm_ripestat_url(q->ripestat_url ? q->ripestat_url : DEFAULT_RIPESTAT,
	    call, resource, q->sourceapp ? q->sourceapp : DEFAULT_SOURCEAPP,
	    extra, &url, err);
	if (st != UPM_OK)
		return st;
	trace(run, url);
	upm_buf_free(&run->body);
	st = upm_fetch(run->fetcher, url, &run->body, NULL, err);
	free(url);
	return st;
}

/* Keeps the newest data time and the first warning of all responses. */
static void
note_meta(struct run *run, const upm_meta *meta)
{
	if (strcmp(meta->data_time, run->data_time) > 0)
		(void)snprintf(run->data_time, sizeof(run->data_time), "%s",
		    meta->data_time);
	if (run->messages[0] == '\0' && meta->messages[0] != '\0')
		(void)snprintf(run->messages, sizeof(run->messages), "%s",
		    meta->messages);
}

/* Prefixes a bgp-state timestamp needs: "timestamp=<at>". */
static upm_status
bgp_state_extra(const char *at, char *buf, size_t len, upm_error *err)
{
	int64_t t;
	char iso[32];
	int n;

	if (at == NULL) {
		buf[0] = '\0';
		return UPM_OK;
	}
	if (upm_time_parse(at, &t, err) != UPM_OK)
		return UPM_ERR_ARG;
	if (upm_time_format(t, iso, sizeof(iso)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "time '%.40s' out of range", at);
	n = snprintf(buf, len, "timestamp=%s", iso);
	if (n < 0 || (size_t)n >= len)
		return upm_fail(err, UPM_ERR_ARG, "time '%.40s' too long", at);
	return UPM_OK;
}

static upm_status
run_bgp_state(struct run *run, upm_error *err)
{
	char extra[64];
	upm_meta meta;
	upm_status st;

	if ((st = bgp_state_extra(run->q->at, extra, sizeof(extra), err)) != UPM_OK)
		return st;
	st = fetch_call(run, "bgp-state", run->resource,
	    extra[0] ? extra : NULL, err);
	if (st != UPM_OK)
		return st;
	memset(&meta, 0, sizeof(meta));
	st = upm_parse_bgp_state(run->body.data, run->body.len, 0,
	    upm_compute_add, run->compute, &meta, err);
	if (st == UPM_OK)
		note_meta(run, &meta);
	return st;
}

static upm_status
run_asn_neighbours(struct run *run, upm_error *err)
{
	upm_meta meta;
	upm_status st;

	if ((st = fetch_call(run, "asn-neighbours", run->resource, NULL, err)))
		return st;
	memset(&meta, 0, sizeof(meta));
	st = upm_parse_asn_neighbours(run->body.data, run->body.len, 0,
	    upm_compute_add_neighbour, run->compute, &meta, err);
	if (st == UPM_OK)
		note_meta(run, &meta);
	return st;
}

/* The prefixes to ask the looking glass about, as one growable list. */
struct prefix_list {
	char **v;
	size_t n, cap, max;
	int overflow;
};

static int
prefix_list_add(void *ctx, const char *prefix)
{
	struct prefix_list *l = ctx;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], prefix) == 0)
			return 0;
	if (l->n == l->max) {
		l->overflow = 1;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(prefix)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static void
prefix_list_free(struct prefix_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static upm_status
announced_prefixes(struct run *run, struct prefix_list *l, upm_error *err)
{
	upm_meta meta;
	upm_status st;

	if ((st = fetch_call(run, "announced-prefixes", run->resource, NULL, err)))
		return st;
	memset(&meta, 0, sizeof(meta));
	st = upm_parse_announced_prefixes(run->body.data, run->body.len, 0,
	    prefix_list_add, l, &meta, err);
	if (st == UPM_ERR_ABORTED)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st != UPM_OK)
		return st;
	if (l->overflow)
		return upm_fail(err, UPM_ERR_ARG,
		    "%s announces more than %zu prefixes: too many for the "
		    "looking-glass source; use ripestat-bgp-state or --prefix",
		    run->resource, l->max);
	if (l->n == 0)
		return upm_fail(err, UPM_ERR_NODATA,
		    "%s announces no prefixes", run->resource);
	return UPM_OK;
}

static upm_status
run_looking_glass(struct run *run, upm_error *err)
{
	const upm_query_opts *q = run->q;
	struct prefix_list l = { NULL, 0, 0, 0, 0 };
	upm_meta meta;
	upm_status st = UPM_OK;
	size_t i;

	l.max = q->max_prefixes ? q->max_prefixes : DEFAULT_MAX_PREFIXES;
	if (q->n_prefixes > 0) {
		for (i = 0; i < q->n_prefixes && st == UPM_OK; i++) {
			if ((st = upm_prefix_check(q->prefixes[i], err)) != UPM_OK)
				break;
			if (prefix_list_add(&l, q->prefixes[i]) != 0)
				st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
		if (st == UPM_OK && l.overflow)
			st = upm_fail(err, UPM_ERR_ARG,
			    "more than %zu prefixes given", l.max);
	} else
		st = announced_prefixes(run, &l, err);

	for (i = 0; i < l.n && st == UPM_OK; i++) {
		if ((st = fetch_call(run, "looking-glass", l.v[i], NULL, err)))
			break;
		memset(&meta, 0, sizeof(meta));
		st = upm_parse_looking_glass(run->body.data, run->body.len, 0,
		    upm_compute_add, run->compute, &meta, err);
		if (st == UPM_OK)
			note_meta(run, &meta);
	}
	prefix_list_free(&l);
	return st;
}

/* Visibility is a secondary figure: a failure is a warning, not an error. */
static void
run_visibility(struct run *run, upm_visibility *vis, char *warn, size_t len)
{
	upm_error err;
	upm_status st;

	memset(&err, 0, sizeof(err));
	st = fetch_call(run, "routing-status", run->resource, NULL, &err);
	if (st == UPM_OK)
		st = upm_parse_routing_status(run->body.data, run->body.len, 0,
		    vis, NULL, &err);
	if (st != UPM_OK && warn[0] == '\0')
		(void)snprintf(warn, len, "visibility unavailable: %.200s", err.text);
}

static upm_status
collect(struct run *run, upm_error *err)
{
	switch (run->q->source) {
	case UPM_SRC_BGP_STATE:
		return run_bgp_state(run, err);
	case UPM_SRC_LOOKING_GLASS:
		return run_looking_glass(run, err);
	case UPM_SRC_ASN_NEIGHBOURS:
		return run_asn_neighbours(run, err);
	}
	return upm_fail(err, UPM_ERR_ARG, "unknown source");
}

/* An answer without a single usable observation says nothing about the
 * upstreams: for a time in the past RIPEstat keeps no data; for now it is
 * an outage or a wrong target.  Either way it is not "zero upstreams". */
static upm_status
check_usable(const struct run *run, const upm_result *r, upm_error *err)
{
	const char *when = run->q->at ? "for that time (no data kept?)" : "";

	if (r->observations == 0)
		return upm_fail(err, UPM_ERR_NODATA, "no observations of %s in "
		    "%s %s", run->resource, upm_source_name(run->q->source), when);
	if (r->with_upstream == 0)
		return upm_fail(err, UPM_ERR_NODATA, "none of %llu observations "
		    "of %s has an upstream (%llu direct, %llu unusable, %llu "
		    "other origin)", (unsigned long long)r->observations,
		    run->resource, (unsigned long long)r->direct,
		    (unsigned long long)r->unusable,
		    (unsigned long long)r->other_origin);
	return UPM_OK;
}

static void
fill_result(const struct run *run, upm_result *r)
{
	(void)snprintf(r->target, sizeof(r->target), "%s", run->resource);
	(void)snprintf(r->source, sizeof(r->source), "%s",
	    upm_source_name(run->q->source));
	(void)snprintf(r->data_time, sizeof(r->data_time), "%s", run->data_time);
	if (r->warnings[0] == '\0' && run->messages[0] != '\0')
		(void)snprintf(r->warnings, sizeof(r->warnings), "%s",
		    run->messages);
}

upm_status
upm_query(upm_fetcher *f, const upm_query_opts *q, upm_result **out,
    upm_error *err)
{
	struct run run;
	upm_asn_list origins;
	upm_result *r = NULL;
	upm_status st;

	*out = NULL;
	if (q->asn == 0)
		return upm_fail(err, UPM_ERR_ARG, "no target AS given");
	memset(&run, 0, sizeof(run));
	run.fetcher = f;
	run.q = q;
	upm_buf_init(&run.body);
	(void)snprintf(run.resource, sizeof(run.resource), "AS%lu",
	    (unsigned long)q->asn);

	upm_asn_list_init(&origins);
	if (upm_asn_list_add(&origins, q->asn) != UPM_OK)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	run.compute = upm_compute_new(&origins, err);
	upm_asn_list_free(&origins);
	if (run.compute == NULL)
		return err ? err->code : UPM_ERR_NOMEM;

	st = collect(&run, err);
	if (st == UPM_ERR_ABORTED)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st == UPM_OK)
		st = upm_compute_result(run.compute, &q->params, &r, err);
	if (st == UPM_ERR_NODATA) {
		/* Nothing at all was added: say so in the query's words. */
		upm_result none;
		memset(&none, 0, sizeof(none));
		st = check_usable(&run, &none, err);
	} else if (st == UPM_OK)
		st = check_usable(&run, r, err);
	if (st == UPM_OK) {
		fill_result(&run, r);
		if (q->visibility)
			run_visibility(&run, &r->visibility, r->warnings,
			    sizeof(r->warnings));
		*out = r;
		r = NULL;
	}
	upm_result_free(r);
	upm_compute_free(run.compute);
	upm_buf_free(&run.body);
	return st;
}

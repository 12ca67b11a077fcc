/*
 * query.c - one query for one target: plan the requests for the chosen
 * source, fetch them, feed the parsed records to the computation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upstreams.h"
#include "query_ext.h"

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
	upm_asn_list origins;     /* kept to start the computation over */
	upm_buf body;
	char data_time[32];
	char messages[256];
	size_t call_records;      /* records the current call delivered */
};

static void
trace(const struct run *run, const char *msg)
{
	if (run->q->trace != NULL)
		run->q->trace(run->q->trace_ctx, msg);
}

/* Builds the URL of one RIPEstat data call (caller frees *url). */
static upm_status
call_url(struct run *run, const char *call, const char *resource,
    const char *extra, char **url, upm_error *err)
{
	const upm_query_opts *q = run->q;
	upm_status st;

	st = upm_ripestat_url(q->ripestat_url ? q->ripestat_url : DEFAULT_RIPESTAT,
	    call, resource, q->sourceapp ? q->sourceapp : DEFAULT_SOURCEAPP,
	    extra, url, err);
	if (st == UPM_OK)
		trace(run, *url);
	return st;
}

/* ------------------------------------------------------------ streaming */

/* One data call parsed while it downloads: the fetch feeds the parser. */
struct call_stream {
	struct run *run;
	upm_call call;
	upm_sinks sinks;
	upm_parser *parser;
	upm_meta meta;
	int began;
};

/* The computation again from nothing, for a retried single-call source. */
static upm_status
reset_compute(struct run *run, upm_error *err)
{
	upm_compute *c = upm_compute_new(&run->origins, err);

	if (c == NULL)
		return err ? err->code : UPM_ERR_NOMEM;
	upm_compute_free(run->compute);
	run->compute = c;
	return UPM_OK;
}

/* Before each try's body: a fresh parser.  Records an earlier, broken try
 * delivered must go: bgp-state and asn-neighbours are one call each, so
 * the computation starts over; a looking-glass prefix or an announced-
 * prefixes list cannot be taken back, so such a retry is refused. */
static upm_status
stream_begin(void *ctx, upm_error *err)
{
	struct call_stream *cs = ctx;
	upm_status st;

	if (cs->began && cs->run->call_records > 0) {
		if (cs->call != UPM_CALL_BGP_STATE &&
		    cs->call != UPM_CALL_ASN_NEIGHBOURS)
			return upm_fail(err, UPM_ERR_NETWORK, "transfer broke off "
			    "after %zu records; not retried",
			    cs->run->call_records);
		if ((st = reset_compute(cs->run, err)) != UPM_OK)
			return st;
	}
	cs->began = 1;
	cs->run->call_records = 0;
	upm_parser_free(cs->parser);
	cs->parser = upm_parser_new(cs->call, 0, &cs->sinks, err);
	return cs->parser != NULL ? UPM_OK : (err ? err->code : UPM_ERR_NOMEM);
}

static upm_status
stream_data(void *ctx, const char *buf, size_t len, upm_error *err)
{
	struct call_stream *cs = ctx;

	return upm_parser_feed(cs->parser, buf, len, err);
}

static upm_status
stream_end(void *ctx, upm_error *err)
{
	struct call_stream *cs = ctx;

	return upm_parser_finish(cs->parser, &cs->meta, err);
}

/* Observations and neighbours go to whatever computation is current. */
static int
obs_to_compute(void *ctx, const upm_observation *obs)
{
	struct run *run = ctx;

	run->call_records++;
	return upm_compute_add(run->compute, obs);
}

static int
neigh_to_compute(void *ctx, const upm_neighbour *n)
{
	struct run *run = ctx;

	run->call_records++;
	return upm_compute_add_neighbour(run->compute, n);
}

/* Fetches one data call and parses it as it arrives; meta on UPM_OK. */
static upm_status
stream_call(struct run *run, upm_call call, const char *name,
    const char *resource, const char *extra, const upm_sinks *sinks,
    upm_meta *meta, upm_error *err)
{
	struct call_stream cs;
	upm_stream s = { stream_begin, stream_data, stream_end, NULL };
	char *url = NULL;
	upm_status st;

	memset(&cs, 0, sizeof(cs));
	cs.run = run;
	cs.call = call;
	cs.sinks = *sinks;
	s.ctx = &cs;
	run->call_records = 0;
	if ((st = call_url(run, name, resource, extra, &url, err)) != UPM_OK)
		return st;
	st = upm_fetch_stream(run->fetcher, url, &s, NULL, err);
	free(url);
	upm_parser_free(cs.parser);
	if (st == UPM_OK && meta != NULL)
		*meta = cs.meta;
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
	upm_sinks sinks;
	upm_meta meta;
	upm_status st;

	if ((st = bgp_state_extra(run->q->at, extra, sizeof(extra), err)) != UPM_OK)
		return st;
	memset(&sinks, 0, sizeof(sinks));
	sinks.obs = obs_to_compute;
	sinks.ctx = run;
	st = stream_call(run, UPM_CALL_BGP_STATE, "bgp-state", run->resource,
	    extra[0] ? extra : NULL, &sinks, &meta, err);
	if (st == UPM_OK)
		note_meta(run, &meta);
	return st;
}

static upm_status
run_asn_neighbours(struct run *run, upm_error *err)
{
	upm_sinks sinks;
	upm_meta meta;
	upm_status st;

	memset(&sinks, 0, sizeof(sinks));
	sinks.neigh = neigh_to_compute;
	sinks.ctx = run;
	st = stream_call(run, UPM_CALL_ASN_NEIGHBOURS, "asn-neighbours",
	    run->resource, NULL, &sinks, &meta, err);
	if (st == UPM_OK)
		note_meta(run, &meta);
	return st;
}

/* The prefixes to ask the looking glass about, at most max of them. */
struct prefix_list {
	upm_strlist list;
	size_t max;
	int overflow;
};

static int
prefix_list_add(void *ctx, const char *prefix)
{
	struct prefix_list *l = ctx;

	if (!upm_strlist_contains(&l->list, prefix) && l->list.n == l->max) {
		l->overflow = 1;
		return 0;
	}
	return upm_strlist_add(&l->list, prefix);
}

static upm_status
announced_prefixes(struct run *run, struct prefix_list *l, upm_error *err)
{
	upm_sinks sinks;
	upm_meta meta;
	upm_status st;

	memset(&sinks, 0, sizeof(sinks));
	sinks.prefix = prefix_list_add;
	sinks.ctx = l;
	st = stream_call(run, UPM_CALL_ANNOUNCED_PREFIXES, "announced-prefixes",
	    run->resource, NULL, &sinks, &meta, err);
	if (st == UPM_ERR_ABORTED)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st != UPM_OK)
		return st;
	if (l->overflow)
		return upm_fail(err, UPM_ERR_ARG,
		    "%s announces more than %zu prefixes: too many for the "
		    "looking-glass source; use ripestat-bgp-state or --prefix",
		    run->resource, l->max);
	if (l->list.n == 0)
		return upm_fail(err, UPM_ERR_NODATA,
		    "%s announces no prefixes", run->resource);
	return UPM_OK;
}

static upm_status
run_looking_glass(struct run *run, upm_error *err)
{
	const upm_query_opts *q = run->q;
	struct prefix_list l = { { NULL, 0, 0 }, 0, 0 };
	upm_sinks sinks;
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

	memset(&sinks, 0, sizeof(sinks));
	sinks.obs = obs_to_compute;
	sinks.ctx = run;
	for (i = 0; i < l.list.n && st == UPM_OK; i++) {
		st = stream_call(run, UPM_CALL_LOOKING_GLASS, "looking-glass",
		    l.list.v[i], NULL, &sinks, &meta, err);
		if (st == UPM_OK)
			note_meta(run, &meta);
	}
	upm_strlist_free(&l.list);
	return st;
}

/* Visibility is a secondary figure: a failure is a warning, not an error. */
static void
run_visibility(struct run *run, upm_visibility *vis, char *warn, size_t len)
{
	upm_error err;
	upm_status st;

	upm_sinks sinks;

	memset(&err, 0, sizeof(err));
	memset(&sinks, 0, sizeof(sinks));
	sinks.vis = vis;
	st = stream_call(run, UPM_CALL_ROUTING_STATUS, "routing-status",
	    run->resource, NULL, &sinks, NULL, &err);
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
	return upm_upstream_seen(r, run->resource, err);
}

upm_status
upm_upstream_seen(const upm_result *r, const char *resource, upm_error *err)
{
	if (r->with_upstream == 0)
		return upm_fail(err, UPM_ERR_NODATA, "none of %llu observations "
		    "of %s has an upstream (%llu direct, %llu unusable, %llu "
		    "other origin)", (unsigned long long)r->observations,
		    resource, (unsigned long long)r->direct,
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
	if (upm_query_is_ext(q))
		return upm_query_ext(f, q, out, err);
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
	run.origins = origins;    /* run owns it now */
	if (run.compute == NULL) {
		upm_asn_list_free(&run.origins);
		return err ? err->code : UPM_ERR_NOMEM;
	}

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
	upm_asn_list_free(&run.origins);
	upm_buf_free(&run.body);
	return st;
}

/*
 * test_sources - the table of sources and their descriptors, the sink's
 * events, and the one AS-path builder's limits as every parser sees them.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "tap.h"
#include "testutil.h"

/* "<source>: <what>" for a test line (one at a time). */
static const char *
msg(const upm_source_desc *d, const char *what)
{
	static char buf[128];

	(void)snprintf(buf, sizeof(buf), "%s: %s", d->name, what);
	return buf;
}

static void
test_table(void)
{
	upm_query_opts q;
	char *url;

	upm_query_opts_init(&q);
	q.alice_url = "https://lg.example.net";
	for (int i = 0; i < UPM_MAX_SOURCES; i++) {
		const upm_source_desc *d = upm_source_desc_get((upm_source)i);
		if (!OK(d != NULL, "source %d has a descriptor", i))
			continue;
		IS_INT(upm_source_parse(d->name), i, msg(d, "its name, its index"));
		IS_STR(upm_source_name((upm_source)i), d->name, msg(d, "named back"));
		OK(d->request != NULL && d->parser_new != NULL &&
		    d->parser_feed != NULL && d->parser_finish != NULL &&
		    d->parser_free != NULL && d->request_name != NULL,
		    "%s: request and streaming parser", d->name);
		OK((d->needs & (UPM_NEEDS_ASN | UPM_NEEDS_PREFIXES)) != 0,
		    "%s: asked per AS or per prefix", d->name);
		url = NULL;
		IS_INT(d->request(&q, (d->needs & UPM_NEEDS_ASN) ? "AS1" :
		    "192.0.2.0/24", &url, NULL), UPM_OK, msg(d, "a request"));
		/* The cache's own table (for calls that are not sources) must
		 * agree with the descriptors where both know the call. */
		if (url != NULL && strstr(url, "/data/") != NULL)
			IS_INT(upm_cache_freshness(url, 0), d->fresh_s,
			    msg(d, "one freshness"));
		free(url);
	}
	OK(upm_source_desc_get((upm_source)UPM_MAX_SOURCES) == NULL,
	    "no descriptor past the table");
	IS_STR(upm_source_name((upm_source)UPM_MAX_SOURCES), "unknown",
	    "past the table: unknown");
	IS_INT(upm_source_parse("ripestat-routing-status"), -1,
	    "an auxiliary data call is no source");
}

/* --------------------------------------------------- events to a sink */

struct seen {
	size_t n;
	upm_event last;
	char session[64];
	size_t path_len;
	int unusable;
};

static int
keep(void *ctx, const upm_event *ev)
{
	struct seen *s = ctx;

	s->n++;
	s->last = *ev;
	(void)snprintf(s->session, sizeof(s->session), "%s", ev->session);
	s->path_len = ev->path_len;
	s->unusable = ev->unusable;
	return 0;
}

static char *
bgp_state_doc(size_t hops)
{
	upm_buf b;

	upm_buf_init(&b);
	(void)upm_buf_printf(&b, "{\"status\": \"ok\", \"data_call_status\": "
	    "\"supported\", \"messages\": [], \"data\": {\"bgp_state\": "
	    "[{\"source_id\": \"00-192.0.2.1\", \"target_prefix\": "
	    "\"192.0.2.0/24\", \"path\": [");
	for (size_t i = 0; i < hops; i++)
		(void)upm_buf_printf(&b, "%s%zu", i ? "," : "", 64496 + i % 10);
	(void)upm_buf_printf(&b, "]}]}}");
	return upm_buf_steal(&b);
}

/* One bgp-state answer of a path of hops through the source's parser. */
static void
bgp_state_through_source(size_t hops, struct seen *s)
{
	const upm_source_desc *d = upm_source_desc_get(UPM_SRC_BGP_STATE);
	upm_sink sink = { keep, NULL, s };
	char *doc = bgp_state_doc(hops);
	upm_error err = { UPM_OK, "" };
	upm_meta meta;
	void *p;

	memset(s, 0, sizeof(*s));
	sink.ctx = s;
	p = d->parser_new(&sink, &err);
	OK(p != NULL, "bgp-state parser");
	IS_INT(d->parser_feed(p, doc, strlen(doc), &err), UPM_OK, "fed");
	IS_INT(d->parser_finish(p, &meta, &err), UPM_OK, "finished");
	d->parser_free(p);
	free(doc);
}

static void
test_events(void)
{
	struct seen s;

	bgp_state_through_source(3, &s);
	IS_INT(s.n, 1, "one announcement");
	IS_INT(s.last.kind, UPM_EV_ANNOUNCE, "a snapshot announces");
	IS_STR(s.session, "00-192.0.2.1", "stamped with its session");
	IS_INT(s.last.peer_asn, 64496, "the vantage point is the path's first AS");
	IS_INT(s.path_len, 3, "the path");

	bgp_state_through_source(UPM_PATH_MAX_HOPS, &s);
	IS_INT(s.path_len, UPM_PATH_MAX_HOPS, "4096 hops: still a path");
	bgp_state_through_source(UPM_PATH_MAX_HOPS + 1, &s);
	IS_INT(s.unusable, 1, "4097 hops: unusable, as the looking glasses' are");
	IS_INT(s.path_len, 0, "and no path");
	IS_INT(s.last.peer_asn, 0, "nor a vantage point");
}

static void
test_aspath(void)
{
	upm_aspath p = { .v = NULL };
	upm_buf b;
	char *text;

	IS_INT(upm_aspath_text(&p, " 3356\t1299  131279 "), UPM_OK, "text path");
	IS_INT(p.n, 3, "three hops");
	OK(!p.unusable, "usable");
	upm_aspath_reset(&p);
	IS_INT(upm_aspath_text(&p, "3356 {1,2} 131279"), UPM_OK, "AS_SET");
	OK(p.unusable, "an AS_SET: unusable");
	upm_aspath_reset(&p);
	upm_buf_init(&b);
	for (size_t i = 0; i <= UPM_PATH_MAX_HOPS; i++)
		(void)upm_buf_printf(&b, "%zu ", 1 + i);
	text = upm_buf_steal(&b);
	IS_INT(upm_aspath_text(&p, text), UPM_OK, "a path of 4097 hops");
	OK(p.unusable, "over the cap: unusable");
	OK(p.cap <= UPM_PATH_MAX_HOPS, "never more memory than the cap");
	free(text);
	upm_aspath_free(&p);
}

/* ------------------------------------- bgplay and bgp-updates: events */

#define PUB "tests/fixtures/public/"

struct evlog {
	size_t n, announces, withdrawals, initial;
	int64_t first_initial_time, first_event_time, last_time;
	int64_t w_time;
	char w_session[64], w_prefix[64], first_session[64];
	uint32_t w_peer, first_peer, first_path0;
	size_t first_path_len;
	int out_of_order;
};

static int
log_event(void *ctx, const upm_event *ev)
{
	struct evlog *l = ctx;

	if (l->n > 0 && ev->time < l->last_time)
		l->out_of_order = 1;
	l->n++;
	l->last_time = ev->time;
	if (ev->kind == UPM_EV_WITHDRAW) {
		l->withdrawals++;
		l->w_time = ev->time;
		l->w_peer = ev->peer_asn;
		(void)snprintf(l->w_session, sizeof(l->w_session), "%s", ev->session);
		(void)snprintf(l->w_prefix, sizeof(l->w_prefix), "%s", ev->prefix);
		return 0;
	}
	l->announces++;
	if (l->announces == 1) {
		l->first_initial_time = ev->time;
		l->first_peer = ev->peer_asn;
		l->first_path_len = ev->path_len;
		l->first_path0 = ev->path_len ? ev->path[0] : 0;
		(void)snprintf(l->first_session, sizeof(l->first_session), "%s",
		    ev->session);
	}
	return 0;
}

/* doc through source src's parser in pieces of chunk bytes. */
static upm_status
through(upm_source src, const char *doc, size_t len, size_t chunk,
    struct evlog *l, upm_meta *meta, upm_error *err)
{
	const upm_source_desc *d = upm_source_desc_get(src);
	upm_sink sink = { log_event, NULL, l };
	upm_status st = UPM_OK;
	void *p;

	memset(l, 0, sizeof(*l));
	if ((p = d->parser_new(&sink, err)) == NULL)
		return UPM_ERR_NOMEM;
	for (size_t i = 0; i < len && st == UPM_OK; i += chunk)
		st = d->parser_feed(p, doc + i, len - i < chunk ? len - i : chunk,
		    err);
	if (st == UPM_OK)
		st = d->parser_finish(p, meta, err);
	d->parser_free(p);
	return st;
}

/* The data-only recordings in RIPEstat's envelope. */
static char *
enveloped(const char *path, size_t *len)
{
	size_t n;
	char *data = slurp(path, &n);
	upm_buf b;

	upm_buf_init(&b);
	if (data != NULL)
		(void)upm_buf_printf(&b, "{\"messages\": [], \"data\": %s, "
		    "\"data_call_status\": \"supported\", \"status\": \"ok\"}",
		    data);
	free(data);
	*len = b.len;
	return upm_buf_steal(&b);
}

static void
test_bgplay(void)
{
	upm_error err = { UPM_OK, "" };
	upm_meta meta;
	struct evlog l;
	size_t len, chunks[] = { 1 << 20, 4096, 7 };
	char *doc = enveloped(PUB "JoshGlazebrook__ripestat__bgPlay.json", &len);
	int64_t t;

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		OK(through(UPM_SRC_BGPLAY, doc, len, chunks[c], &l, &meta, &err) ==
		    UPM_OK, "bgplay 2017 in pieces of %zu bytes", chunks[c]);
		IS_INT(l.n, 166 + 18, "166 initial routes and 18 events");
		IS_INT(l.announces, 166 + 17, "17 of the events announce");
		IS_INT(l.withdrawals, 1, "one withdraws");
		OK(!l.out_of_order, "in time order");
	}
	(void)upm_time_parse("2017-07-20T21:15:45", &t, NULL);
	IS_INT(l.first_initial_time, t, "initial routes at the query's start");
	IS_STR(l.first_session, "00-111.91.233.1", "session = source_id");
	IS_INT(l.first_peer, 45896, "peer AS from sources[]");
	IS_INT(l.first_path_len, 5, "the path, prepending kept");
	(void)upm_time_parse("2017-07-21T15:25:20", &t, NULL);
	IS_INT(l.w_time, t, "the withdrawal at its second");
	IS_STR(l.w_session, "15-187.16.217.27", "its session");
	IS_STR(l.w_prefix, "140.78.0.0/16", "its prefix");
	IS_INT(l.w_peer, 28329, "its peer AS from sources[] (no path)");
	(void)upm_time_parse("2017-07-22T16:42:42", &t, NULL);
	IS_INT(l.last_time, t, "the last event's second");
	IS_STR(meta.data_time, "2017-07-22T21:15:45", "data time: the window's end");
	IS_STR(meta.resource, "140.78.0.0/16", "the resource");
	free(doc);

	/* Real and empty: a 2020 window asked in 2025, out of retention. */
	doc = slurp(PUB "andrelia-hacks__ripestat__bgplay.json", &len);
	IS_INT(through(UPM_SRC_BGPLAY, doc, len, 64, &l, &meta, &err), UPM_OK,
	    "an empty answer is a good answer");
	IS_INT(l.n, 0, "without an event");
	IS_STR(meta.data_time, "2020-12-21T12:00:00", "its window's end");
	free(doc);
}

static void
test_bgp_updates(void)
{
	upm_error err = { UPM_OK, "" };
	upm_meta meta;
	struct evlog l;
	size_t len;
	char *doc = enveloped(PUB "JoshGlazebrook__ripestat__bgpUpdates.json", &len);
	int64_t t;

	IS_INT(through(UPM_SRC_BGP_UPDATES, doc, len, 333, &l, &meta, &err),
	    UPM_OK, "bgp-updates 2017");
	IS_INT(l.announces, 17, "17 announcements");
	IS_INT(l.withdrawals, 1, "one withdrawal");
	(void)upm_time_parse("2017-07-20T21:20:48", &t, NULL);
	IS_INT(l.first_initial_time, t, "the first at its second");
	IS_STR(l.first_session, "19-197.157.79.173", "session = source_id");
	IS_INT(l.first_peer, 37271, "no sources[]: the path's first AS");
	IS_INT(l.w_peer, 0, "a withdrawal without sources[]: no peer AS");
	IS_STR(l.w_session, "15-187.16.217.27", "but its session");
	free(doc);
}

/* Small answers: a peer named by sources[] whose AS is not the path's
 * first (a route server), and the errors. */
static void
test_update_shapes(void)
{
	static const char *env = "{\"status\": \"ok\", \"data_call_status\": "
	    "\"supported\", \"messages\": [], \"data\": %s}";
	static const struct {
		upm_source src;
		const char *data;
		upm_status want;
		const char *what;
	} cases[] = {
		{ UPM_SRC_BGPLAY, "{\"query_starttime\": \"2017-10-01T00:00:00\", "
		  "\"sources\": [{\"id\": \"00-192.0.2.9\", \"as_number\": 6777}], "
		  "\"initial_state\": [{\"source_id\": \"00-192.0.2.9\", "
		  "\"target_prefix\": \"175.45.176.0/24\", \"path\": [4837, 131279]}], "
		  "\"events\": []}", UPM_OK, "a route server's peer" },
		{ UPM_SRC_BGPLAY, "{\"initial_state\": [], \"events\": [{\"type\": "
		  "\"X\", \"timestamp\": \"2017-10-01T00:00:00\", \"attrs\": {}}]}",
		  UPM_ERR_SHAPE, "an event neither A nor W" },
		{ UPM_SRC_BGPLAY, "{\"initial_state\": [], \"events\": [{\"type\": "
		  "\"W\", \"timestamp\": \"yesterday\", \"attrs\": "
		  "{\"source_id\": \"00-192.0.2.9\", \"target_prefix\": "
		  "\"175.45.176.0/24\"}}]}", UPM_ERR_SHAPE, "a time that is none" },
		{ UPM_SRC_BGPLAY, "{\"initial_state\": []}", UPM_ERR_SHAPE,
		  "events missing" },
		{ UPM_SRC_BGP_UPDATES, "{\"updates\": [{\"type\": \"A\", "
		  "\"timestamp\": \"2017-10-01T00:00:00\", \"attrs\": "
		  "{\"source_id\": \"00-192.0.2.9\", \"target_prefix\": "
		  "\"175.45.176.0/24\"}}]}", UPM_ERR_SHAPE, "an A without a path" },
		{ UPM_SRC_BGP_UPDATES, "{\"nr_updates\": 0}", UPM_ERR_SHAPE,
		  "updates missing" },
	};
	upm_error err;
	upm_meta meta;
	struct evlog l;
	upm_buf b;
	int64_t t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		upm_buf_init(&b);
		(void)upm_buf_printf(&b, env, cases[i].data);
		err.code = UPM_OK;
		err.text[0] = '\0';
		OK(through(cases[i].src, b.data, b.len, 5, &l, &meta, &err) ==
		    cases[i].want, "%s (%s)", cases[i].what, err.text);
		upm_buf_free(&b);
	}
	(void)upm_time_parse("2017-10-01T00:00:00", &t, NULL);
	(void)through(UPM_SRC_BGPLAY, "{\"status\": \"ok\", \"data_call_status\": "
	    "\"supported\", \"data\": {\"query_starttime\": \"2017-10-01T00:00:00\", "
	    "\"sources\": [{\"id\": \"00-192.0.2.9\", \"as_number\": 6777}], "
	    "\"initial_state\": [{\"source_id\": \"00-192.0.2.9\", "
	    "\"target_prefix\": \"175.45.176.0/24\", \"path\": [4837, 131279]}], "
	    "\"events\": []}}", 300, 1 << 20, &l, &meta, &err);
	IS_INT(l.first_peer, 6777, "sources[] names the peer's AS");
	IS_INT(l.first_path0, 4837, "the path as given");
	IS_INT(l.first_initial_time, t, "at query_starttime");
}

static void
test_event_sources_refused_live(void)
{
	upm_query_opts q;
	upm_fetch_opts fo;
	upm_fetcher *f;
	upm_result *r = NULL;
	upm_error err = { UPM_OK, "" };

	upm_query_opts_init(&q);
	upm_fetch_opts_init(&fo);
	fo.cache_dir = NULL;
	q.asn = 131279;
	q.source = UPM_SRC_BGPLAY;
	q.ripestat_url = "http://127.0.0.1:9";
	f = upm_fetcher_new(&fo, &err);
	IS_INT(upm_query(f, &q, &r, &err), UPM_ERR_ARG,
	    "an event source in a live query: refused");
	OK(strstr(err.text, "history") != NULL, "naming history: %s", err.text);
	upm_result_free(r);
	upm_fetcher_free(f);
}

int
main(void)
{
	test_table();
	test_events();
	test_aspath();
	test_bgplay();
	test_bgp_updates();
	test_update_shapes();
	test_event_sources_refused_live();
	return tap_done();
}

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

int
main(void)
{
	test_table();
	test_events();
	test_aspath();
	return tap_done();
}

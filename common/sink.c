/*
 * sink.c - parsers' records as the sink's events, and the RIPEstat push
 * parser as a source's streaming parser.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "source.h"

int
upm_sink_observation(const upm_sink *sink, const upm_observation *obs)
{
	upm_event ev;

	if (sink->event == NULL)
		return 0;
	ev.kind = UPM_EV_ANNOUNCE;
	ev.time = 0;
	ev.session = obs->session;
	ev.peer_asn = obs->peer_asn != 0 ? obs->peer_asn :
	    obs->path_len > 0 ? obs->path[0] :
	    obs->aset_path_len > 0 ? obs->aset_path[0] : 0;
	ev.prefix = obs->prefix;
	ev.path = obs->path;
	ev.path_len = obs->path_len;
	ev.unusable = obs->unusable;
	ev.aset_path = obs->aset_path;
	ev.aset_path_len = obs->aset_path_len;
	ev.aset_len = obs->aset_len;
	ev.malformed = obs->malformed;
	return sink->event(sink->ctx, &ev);
}

void
upm_event_observation(const upm_event *ev, upm_observation *obs)
{
	obs->prefix = ev->prefix;
	obs->session = ev->session;
	obs->path = ev->path;
	obs->path_len = ev->path_len;
	obs->unusable = ev->unusable;
	obs->peer_asn = ev->peer_asn;
	obs->aset_path = ev->aset_path;
	obs->aset_path_len = ev->aset_path_len;
	obs->aset_len = ev->aset_len;
	obs->malformed = ev->malformed;
}

/* ------------------------------------------------ RIPEstat push parser */

/* Keeps the event upm_sink_observation builds (ctx an upm_event). */
static int
capture_event(void *ctx, const upm_event *ev)
{
	*(upm_event *)ctx = *ev;
	return 0;
}

struct ripestat_stream {
	upm_parser *parser;
	upm_sink sink;
};

static int
ripestat_observation(void *ctx, const upm_observation *obs)
{
	struct ripestat_stream *s = ctx;

	return upm_sink_observation(&s->sink, obs);
}

/* bgplay / bgp-updates records as events (an initial_state route is an
 * announcement at the query's start). */
static int
ripestat_update(void *ctx, const upm_update *u)
{
	struct ripestat_stream *s = ctx;
	upm_event ev;

	if (s->sink.event == NULL)
		return 0;
	if (!u->withdraw) {
		/* upm_sink_observation's mapping, and the record's time */
		struct ripestat_stream one = *s;

		one.sink.ctx = &ev;
		one.sink.event = capture_event;
		memset(&ev, 0, sizeof(ev));
		(void)upm_sink_observation(&one.sink, u->obs);
		ev.time = u->time;
		return s->sink.event(s->sink.ctx, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = UPM_EV_WITHDRAW;
	ev.time = u->time;
	ev.session = u->obs->session;
	ev.peer_asn = u->obs->peer_asn;
	ev.prefix = u->obs->prefix;
	return s->sink.event(s->sink.ctx, &ev);
}

static int
ripestat_neighbour(void *ctx, const upm_neighbour *n)
{
	struct ripestat_stream *s = ctx;

	return s->sink.neighbour != NULL ? s->sink.neighbour(s->sink.ctx, n) : 0;
}

void *
upm_ripestat_stream_new(upm_call call, const upm_sink *sink, upm_error *err)
{
	struct ripestat_stream *s = calloc(1, sizeof(*s));
	upm_sinks sinks;

	if (s == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->sink = *sink;
	memset(&sinks, 0, sizeof(sinks));
	sinks.obs = ripestat_observation;
	sinks.neigh = ripestat_neighbour;
	sinks.update = ripestat_update;
	sinks.ctx = s;
	if ((s->parser = upm_parser_new(call, 0, &sinks, err)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

upm_status
upm_ripestat_stream_feed(void *parser, const char *buf, size_t len,
    upm_error *err)
{
	struct ripestat_stream *s = parser;

	return upm_parser_feed(s->parser, buf, len, err);
}

upm_status
upm_ripestat_stream_finish(void *parser, upm_meta *meta, upm_error *err)
{
	struct ripestat_stream *s = parser;

	return upm_parser_finish(s->parser, meta, err);
}

void
upm_ripestat_stream_free(void *parser)
{
	struct ripestat_stream *s = parser;

	if (s == NULL)
		return;
	upm_parser_free(s->parser);
	free(s);
}

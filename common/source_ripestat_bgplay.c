/*
 * source_ripestat_bgplay.c - RIPEstat bgplay (ripestat-bgplay): the routes
 * of one or more resources at the start of a window (initial_state) and
 * every update after it until the end (events), as events for a routing
 * table.
 *
 * RIPEstat's documentation of the call (stat.ripe.net/docs/02.data-api/
 * bgplay.html): GET /data/bgplay/data.json with resource (a prefix, an
 * address, an AS, or a comma-separated list of them, "the results will be
 * combined"), starttime and endtime (ISO 8601 or Unix seconds; starttime
 * defaults to endtime - 8 h, endtime to the latest data), rrcs (a subset
 * of collectors).  data.initial_state has bgp-state's route shape,
 * data.events bgp-updates' update shape ("A" with attrs.path, "W"
 * without), data.sources names the sessions ("RR-peer ip") with their
 * as_number.  The documentation gives no maximum window; RIPEstat keeps
 * update data only from some point on (bgp-updates' page: "only data
 * after January 2024 is indexed"), and a window outside it answers empty
 * lists with status ok.  History (nagios-check/walk.c) asks one day per
 * request, one request at a time.
 *
 * Session = source_id; the peer's AS from sources[] when they come before
 * the routes (as RIPEstat sends them), else the path's first AS.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "source.h"

upm_status
upm_ripestat_window_url(const upm_query_opts *q, const char *call,
    const char *resource, char **url, upm_error *err)
{
	char start[32], end[32], extra[96];
	int n;

	start[0] = end[0] = '\0';
	if ((q->have_window || q->window_start > 0) &&
	    upm_time_format(q->window_start, start, sizeof(start)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "window start out of range");
	if ((q->have_window || q->window_end > 0) &&
	    upm_time_format(q->window_end, end, sizeof(end)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "window end out of range");
	n = snprintf(extra, sizeof(extra), "%s%s%s%s%s", start[0] ?
	    "starttime=" : "", start, start[0] && end[0] ? "&" : "",
	    end[0] ? "endtime=" : "", end);
	if (n < 0 || (size_t)n >= sizeof(extra))
		return upm_fail(err, UPM_ERR_ARG, "window too long to write");
	return upm_ripestat_url(q->ripestat_url ? q->ripestat_url :
	    UPM_RIPESTAT_URL, call, resource, q->sourceapp ? q->sourceapp :
	    UPM_SOURCEAPP, extra[0] ? extra : NULL, url, err);
}

static upm_status
bgplay_request(const upm_query_opts *q, const char *resource, char **url,
    upm_error *err)
{
	return upm_ripestat_window_url(q, "bgplay", resource, url, err);
}

static void *
bgplay_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_ripestat_stream_new(UPM_CALL_BGPLAY, sink, err);
}

const upm_source_desc upm_source_ripestat_bgplay = {
	.name = "ripestat-bgplay",
	.request_name = "bgplay",
	.needs = UPM_NEEDS_PREFIXES | UPM_TAKES_TIME | UPM_GIVES_EVENTS,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 5 * 60L,
	.max_age_s = 12 * 3600L,
	.request = bgplay_request,
	.parser_new = bgplay_parser_new,
	.parser_feed = upm_ripestat_stream_feed,
	.parser_finish = upm_ripestat_stream_finish,
	.parser_free = upm_ripestat_stream_free,
};

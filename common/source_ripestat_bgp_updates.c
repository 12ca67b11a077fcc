/*
 * source_ripestat_bgp_updates.c - RIPEstat bgp-updates
 * (ripestat-bgp-updates): every update of one or more resources in a
 * window, as events, without bgplay's initial state (for a table that
 * already holds the routes: a live stream's backfill).
 *
 * RIPEstat's documentation of the call (stat.ripe.net/docs/02.data-api/
 * bgp-updates.html): GET /data/bgp-updates/data.json with resource (a
 * prefix, an address, an AS or a comma-separated list), starttime and
 * endtime (ISO 8601 or Unix seconds; starttime defaults to endtime - 48 h,
 * endtime to the latest data), rrcs.  data.updates lists the updates in
 * the order they happened ("A" with attrs.path, "W" without; attrs.
 * source_id "RR-peer ip"; seq since 2024).  "Only data after January 2024
 * is indexed in this dataset" (the page, July 2025): an older window
 * answers an empty list with status ok, like a quiet one.
 *
 * The records are read by bgplay's reader (upm_ripestat_update_record):
 * the peer's AS is the path's first AS (no sources[] here).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "source.h"

static upm_status
bgp_updates_request(const upm_query_opts *q, const char *resource, char **url,
    upm_error *err)
{
	return upm_ripestat_window_url(q, "bgp-updates", resource, url, err);
}

static void *
bgp_updates_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_ripestat_stream_new(UPM_CALL_BGP_UPDATES, sink, err);
}

const upm_source_desc upm_source_ripestat_bgp_updates = {
	.name = "ripestat-bgp-updates",
	.request_name = "bgp-updates",
	.needs = UPM_NEEDS_PREFIXES | UPM_TAKES_TIME | UPM_GIVES_EVENTS,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 5 * 60L,
	.max_age_s = 12 * 3600L,
	.request = bgp_updates_request,
	.parser_new = bgp_updates_parser_new,
	.parser_feed = upm_ripestat_stream_feed,
	.parser_finish = upm_ripestat_stream_finish,
	.parser_free = upm_ripestat_stream_free,
};

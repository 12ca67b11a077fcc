/*
 * source_ripestat_looking_glass.c - RIPEstat looking-glass
 * (ripestat-looking-glass): near-real-time paths of one prefix from
 * every RRC's sessions.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "source.h"

static upm_status
looking_glass_request(const upm_query_opts *q, const char *resource, char **url,
    upm_error *err)
{
	return upm_ripestat_url(q->ripestat_url ? q->ripestat_url :
	    UPM_RIPESTAT_URL, "looking-glass", resource, q->sourceapp ? q->sourceapp :
	    UPM_SOURCEAPP, NULL, url, err);
}

static void *
looking_glass_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_ripestat_stream_new(UPM_CALL_LOOKING_GLASS, sink, err);
}

const upm_source_desc upm_source_ripestat_looking_glass = {
	.name = "ripestat-looking-glass",
	.request_name = "ripestat-looking-glass",
	.needs = UPM_NEEDS_PREFIXES,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 5 * 60L,
	.max_age_s = 60 * 60L,
	.request = looking_glass_request,
	.parser_new = looking_glass_parser_new,
	.parser_feed = upm_ripestat_stream_feed,
	.parser_finish = upm_ripestat_stream_finish,
	.parser_free = upm_ripestat_stream_free,
};

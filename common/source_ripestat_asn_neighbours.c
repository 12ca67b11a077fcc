/*
 * source_ripestat_asn_neighbours.c - RIPEstat asn-neighbours
 * (ripestat-asn-neighbours): an AS's left neighbours with their peer
 * counts, a daily summary rather than paths.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "source.h"

static upm_status
asn_neighbours_request(const upm_query_opts *q, const char *resource, char **url,
    upm_error *err)
{
	return upm_ripestat_url(q->ripestat_url ? q->ripestat_url :
	    UPM_RIPESTAT_URL, "asn-neighbours", resource, q->sourceapp ? q->sourceapp :
	    UPM_SOURCEAPP, NULL, url, err);
}

static void *
asn_neighbours_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_ripestat_stream_new(UPM_CALL_ASN_NEIGHBOURS, sink, err);
}

const upm_source_desc upm_source_ripestat_asn_neighbours = {
	.name = "ripestat-asn-neighbours",
	.request_name = "asn-neighbours",
	.needs = UPM_NEEDS_ASN | UPM_GIVES_NEIGHBOURS | UPM_READS_WHOLE,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 6 * 3600L,
	.max_age_s = 2 * 24 * 3600L,
	.request = asn_neighbours_request,
	.parser_new = asn_neighbours_parser_new,
	.parser_feed = upm_ripestat_stream_feed,
	.parser_finish = upm_ripestat_stream_finish,
	.parser_free = upm_ripestat_stream_free,
};

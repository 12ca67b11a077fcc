/*
 * source_ripestat_bgp_state.c - RIPEstat bgp-state (ripestat-bgp-state,
 * the default): every RIS session's path to every prefix of an AS, now or
 * at a past instant; read as it streams by the push parser.  RIPEstat
 * takes a comma-separated list of resources and combines their answers
 * (https://stat.ripe.net/docs/02.data-api/bgp-state.html, parameter
 * "resource"): a country's ASNs are asked in batches (query.c, ASN_BATCH).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>

#include "source.h"

static upm_status
bgp_state_request(const upm_query_opts *q, const char *resource, char **url,
    upm_error *err)
{
	char extra[64];
	upm_status st;

	if ((st = upm_ripestat_timestamp(q->at, extra, sizeof(extra), err)))
		return st;
	return upm_ripestat_url(q->ripestat_url ? q->ripestat_url :
	    UPM_RIPESTAT_URL, "bgp-state", resource, q->sourceapp ?
	    q->sourceapp : UPM_SOURCEAPP, extra[0] ? extra : NULL, url, err);
}

static void *
bgp_state_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_ripestat_stream_new(UPM_CALL_BGP_STATE, sink, err);
}

const upm_source_desc upm_source_ripestat_bgp_state = {
	.name = "ripestat-bgp-state",
	.request_name = "bgp-state",
	.needs = UPM_NEEDS_ASN | UPM_TAKES_TIME | UPM_TAKES_LISTS,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 5 * 60L,
	.max_age_s = 12 * 3600L,
	.request = bgp_state_request,
	.parser_new = bgp_state_parser_new,
	.parser_feed = upm_ripestat_stream_feed,
	.parser_finish = upm_ripestat_stream_finish,
	.parser_free = upm_ripestat_stream_free,
};

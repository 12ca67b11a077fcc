/*
 * source_nlnog_lg.c - the NLNOG RING looking glass (nlnog-lg): GET
 * <base>/api/prefix?q=<prefix>, its routes from many networks' sessions.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "source.h"

#define DEFAULT_NLNOG "https://lg.ring.nlnog.net"

/* --------------------------------------------------------------- NLNOG */

/* One hop of an NLNOG aspath: ["4837", "CHINA169 ..."] or a bare token. */
static upm_status
nlnog_hop(upm_aspath *p, const json_t *hop)
{
	if (json_is_array(hop))
		return upm_aspath_json_hop(p, json_array_get(hop, 0));
	return upm_aspath_json_hop(p, hop);
}

static upm_status
nlnog_route(const json_t *route, const char *prefix, size_t idx,
    upm_aspath *p, upm_obs_sink sink, void *ctx, upm_meta *meta,
    upm_error *err)
{
	const json_t *aspath, *ip, *hop;
	char where[160], session[96];
	size_t i;

	(void)snprintf(where, sizeof(where), "routes[\"%.64s\"][%zu]", prefix, idx);
	if (!json_is_object(route))
		return upm_json_shape(err, route, "object", where);
	aspath = json_object_get(route, "aspath");
	if (!json_is_array(aspath)) {
		(void)snprintf(where, sizeof(where), "routes[\"%.64s\"][%zu].aspath",
		    prefix, idx);
		return upm_json_shape(err, aspath, "array", where);
	}
	ip = json_object_get(route, "ip");
	if (!json_is_string(ip))
		ip = json_object_get(route, "peer");
	if (ip != NULL && !json_is_string(ip)) {
		(void)snprintf(where, sizeof(where), "routes[\"%.64s\"][%zu].ip",
		    prefix, idx);
		return upm_json_shape(err, ip, "string", where);
	}
	(void)snprintf(session, sizeof(session), "nlnog/%.80s",
	    ip != NULL ? json_string_value(ip) : "");
	upm_aspath_reset(p);
	json_array_foreach(aspath, i, hop)
		if (nlnog_hop(p, hop) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return upm_lg_emit(p, prefix, session, sink, ctx, meta, err);
}

static upm_status
nlnog_routes(const json_t *routes, upm_obs_sink sink, void *ctx,
    upm_meta *meta, upm_error *err)
{
	const char *prefix;
	const json_t *list, *route;
	upm_aspath p = { .v = NULL };
	upm_status st = UPM_OK;
	char where[96];
	size_t i;

	json_object_foreach((json_t *)routes, prefix, list) {
		if (!json_is_array(list)) {
			(void)snprintf(where, sizeof(where), "routes[\"%.64s\"]",
			    prefix);
			st = upm_json_shape(err, list, "array", where);
			break;
		}
		json_array_foreach(list, i, route) {
			st = nlnog_route(route, prefix, i, &p, sink, ctx, meta, err);
			if (st != UPM_OK)
				break;
		}
		if (st != UPM_OK)
			break;
	}
	upm_aspath_free(&p);
	return st;
}

upm_status
upm_parse_nlnog_lg(const char *buf, size_t len, upm_obs_sink sink, void *ctx,
    upm_meta *meta, upm_error *err)
{
	json_t *root;
	const json_t *routes, *v;
	upm_status st;

	if ((st = upm_json_open(buf, len, &root, err)) != UPM_OK)
		return st;
	if ((st = upm_lg_error(root, "error", "NLNOG looking glass", err)) != UPM_OK)
		goto out;
	if (meta != NULL) {
		if (json_is_string(v = json_object_get(root, "collected")))
			upm_lg_time(json_string_value(v), meta->data_time,
			    sizeof(meta->data_time));
		if (json_is_string(v = json_object_get(root, "prefix")))
			upm_copy_text(meta->resource, sizeof(meta->resource),
			    json_string_value(v));
		v = json_array_get(json_object_get(root, "warnings"), 0);
		if (json_is_string(v))
			upm_copy_text(meta->messages, sizeof(meta->messages),
			    json_string_value(v));
	}
	routes = json_object_get(root, "routes");
	if (!json_is_object(routes)) {
		st = upm_json_shape(err, routes, "object", "routes");
		goto out;
	}
	st = nlnog_routes(routes, sink, ctx, meta, err);
out:
	json_decref(root);
	return st;
}

/* ----------------------------------------------------------- the source */

static upm_status
nlnog_request(const upm_query_opts *q, const char *prefix, char **url,
    upm_error *err)
{
	return upm_lg_url(q->nlnog_url ? q->nlnog_url : DEFAULT_NLNOG,
	    "/api/prefix", prefix, url, err);
}

static void *
nlnog_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_lg_stream_new(upm_parse_nlnog_lg, "NLNOG looking glass",
	    sink, err);
}

const upm_source_desc upm_source_nlnog_lg = {
	.name = "nlnog-lg",
	.request_name = "nlnog-lg",
	.needs = UPM_NEEDS_PREFIXES | UPM_READS_WHOLE,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 5 * 60L,
	.max_age_s = 60 * 60L,
	.request = nlnog_request,
	.parser_new = nlnog_parser_new,
	.parser_feed = upm_lg_stream_feed,
	.parser_finish = upm_lg_stream_finish,
	.parser_free = upm_lg_stream_free,
};

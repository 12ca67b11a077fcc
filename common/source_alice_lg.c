/*
 * source_alice_lg.c - an Alice-LG route-server looking glass (alice-lg):
 * GET <base>/api/v1/lookup/prefix?q=<prefix>; no public default, so the
 * base URL is required.
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

static const json_t *
alice_neighbour(const json_t *route)
{
	const json_t *n = json_object_get(route, "neighbor");

	return n != NULL ? n : json_object_get(route, "neighbour");
}

/* "alice/<route server>/<neighbour address or id>". */
static upm_status
alice_session(const json_t *route, const char *where, char *session, size_t len,
    upm_error *err)
{
	const json_t *rs = json_object_get(route, "routeserver");
	const json_t *nb = alice_neighbour(route), *rsid = NULL, *nid = NULL;
	char path[200];

	if (rs != NULL && !json_is_null(rs)) {
		if (!json_is_object(rs)) {
			(void)snprintf(path, sizeof(path), "%s.routeserver", where);
			return upm_json_shape(err, rs, "object", path);
		}
		rsid = json_object_get(rs, "id");
	}
	if (nb != NULL && !json_is_null(nb)) {
		if (!json_is_object(nb)) {
			(void)snprintf(path, sizeof(path), "%s.neighbor", where);
			return upm_json_shape(err, nb, "object", path);
		}
		nid = json_object_get(nb, "address");
		if (!json_is_string(nid))
			nid = json_object_get(nb, "id");
	}
	if (nid == NULL || !json_is_string(nid))
		nid = json_object_get(route, "neighbor_id");
	if (nid == NULL || !json_is_string(nid))
		nid = json_object_get(route, "neighbour_id");
	(void)snprintf(session, len, "alice/%.40s/%.48s",
	    json_is_string(rsid) ? json_string_value(rsid) : "rs",
	    json_is_string(nid) ? json_string_value(nid) : "");
	return UPM_OK;
}

static upm_status
alice_route(const json_t *route, size_t idx, upm_aspath *p,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	const json_t *net, *bgp, *aspath, *hop;
	char where[64], path[96], session[104];
	upm_status st;
	size_t i;

	(void)snprintf(where, sizeof(where), "imported.routes[%zu]", idx);
	if (!json_is_object(route))
		return upm_json_shape(err, route, "object", where);
	net = json_object_get(route, "network");
	if (!json_is_string(net)) {
		(void)snprintf(path, sizeof(path), "%s.network", where);
		return upm_json_shape(err, net, "string", path);
	}
	bgp = json_object_get(route, "bgp");
	if (!json_is_object(bgp)) {
		(void)snprintf(path, sizeof(path), "%s.bgp", where);
		return upm_json_shape(err, bgp, "object", path);
	}
	aspath = json_object_get(bgp, "as_path");
	if (!json_is_array(aspath)) {
		(void)snprintf(path, sizeof(path), "%s.bgp.as_path", where);
		return upm_json_shape(err, aspath, "array", path);
	}
	if ((st = alice_session(route, where, session, sizeof(session), err)) != UPM_OK)
		return st;
	upm_aspath_reset(p);
	json_array_foreach(aspath, i, hop)
		if (upm_aspath_json_hop(p, hop) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return upm_lg_emit(p, json_string_value(net), session, sink, ctx, meta, err);
}

/* "imported": {"routes": [...], "pagination": {...}} (an array of routes
 * directly is taken too); null or absent: no routes. */
static upm_status
alice_imported(const json_t *imported, const json_t **routes, upm_meta *meta,
    upm_error *err)
{
	const json_t *pages;

	*routes = NULL;
	if (imported == NULL || json_is_null(imported))
		return UPM_OK;
	if (json_is_array(imported)) {
		*routes = imported;
		return UPM_OK;
	}
	if (!json_is_object(imported))
		return upm_json_shape(err, imported, "object", "imported");
	*routes = json_object_get(imported, "routes");
	if (*routes != NULL && json_is_null(*routes))
		*routes = NULL;
	if (*routes != NULL && !json_is_array(*routes))
		return upm_json_shape(err, *routes, "array", "imported.routes");
	pages = json_object_get(json_object_get(imported, "pagination"),
	    "total_pages");
	if (meta != NULL && json_is_integer(pages) && json_integer_value(pages) > 1)
		(void)snprintf(meta->messages, sizeof(meta->messages),
		    "Alice-LG: only the first of %lld pages of routes read",
		    (long long)json_integer_value(pages));
	return UPM_OK;
}

upm_status
upm_parse_alice_lg(const char *buf, size_t len, upm_obs_sink sink, void *ctx,
    upm_meta *meta, upm_error *err)
{
	json_t *root;
	const json_t *imported, *routes, *route, *v;
	upm_aspath p = { .v = NULL };
	upm_status st;
	size_t i;

	if ((st = upm_json_open(buf, len, &root, err)) != UPM_OK)
		return st;
	imported = json_object_get(root, "imported");
	/* Alice's error answer: {"message": ..., "code": ..., "tag": ...}. */
	if (imported == NULL && json_object_get(root, "code") != NULL) {
		st = upm_lg_error(root, "message", "Alice-LG", err);
		if (st == UPM_OK)
			st = upm_fail(err, UPM_ERR_STATUS, "Alice-LG error");
		goto out;
	}
	if (imported == NULL) {
		st = upm_json_shape(err, NULL, "object", "imported");
		goto out;
	}
	if (meta != NULL) {
		v = json_object_get(json_object_get(json_object_get(root, "api"),
		    "cache_status"), "cached_at");
		if (json_is_string(v))
			upm_lg_time(json_string_value(v), meta->data_time,
			    sizeof(meta->data_time));
	}
	if ((st = alice_imported(imported, &routes, meta, err)) != UPM_OK)
		goto out;
	json_array_foreach(routes, i, route)
		if ((st = alice_route(route, i, &p, sink, ctx, meta, err)) != UPM_OK)
			break;
out:
	upm_aspath_free(&p);
	json_decref(root);
	return st;
}

/* ----------------------------------------------------------- the source */

static upm_status
alice_ready(const upm_query_opts *q, upm_error *err)
{
	if (q->alice_url == NULL || q->alice_url[0] == '\0')
		return upm_fail(err, UPM_ERR_ARG,
		    "alice-lg needs the looking glass's base URL");
	return UPM_OK;
}

static upm_status
alice_request(const upm_query_opts *q, const char *prefix, char **url,
    upm_error *err)
{
	return upm_lg_url(q->alice_url, "/api/v1/lookup/prefix", prefix, url,
	    err);
}

static void *
alice_parser_new(const upm_sink *sink, upm_error *err)
{
	return upm_lg_stream_new(upm_parse_alice_lg, "Alice-LG", sink, err);
}

const upm_source_desc upm_source_alice_lg = {
	.name = "alice-lg",
	.request_name = "alice-lg",
	.needs = UPM_NEEDS_PREFIXES | UPM_READS_WHOLE,
	.transport = UPM_TRANSPORT_HTTP_GET,
	.fresh_s = 5 * 60L,
	.max_age_s = 60 * 60L,
	.ready = alice_ready,
	.request = alice_request,
	.parser_new = alice_parser_new,
	.parser_feed = upm_lg_stream_feed,
	.parser_finish = upm_lg_stream_finish,
	.parser_free = upm_lg_stream_free,
};

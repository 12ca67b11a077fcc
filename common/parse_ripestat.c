/*
 * parse_ripestat.c - RIPEstat Data API responses into records.
 *
 * Every parser checks the response envelope first (ripestat.c), then walks
 * its part of "data" and hands one record at a time to the caller's sink.
 * Observations are built in one reused AS-path builder: nothing here keeps
 * more than one record.  The push parser (json_stream.c) reads the records
 * with the same per-record functions.
 *
 * Two generations of the API are understood: the 2017 one (bgp-state with
 * query_time, looking-glass with collectors as object keys and entries[])
 * and the current one (bgp-state with timestamp, looking-glass v2 with an
 * array of collectors and peers[]).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "upm_private.h"

/* ------------------------------------------------------------ envelope */

/* Parses buf and checks the envelope.  On UPM_OK *root is the document
 * (caller json_decref()s it) and *data its "data" object (borrowed). */
static upm_status
open_response(const char *buf, size_t len, int flags, upm_meta *meta,
    json_t **root, json_t **data, upm_error *err)
{
	upm_status st;

	*data = NULL;
	if ((st = upm_json_open(buf, len, root, err)) != UPM_OK)
		return st;
	if ((st = upm_ripestat_envelope(*root, flags, meta, data, err)) != UPM_OK) {
		json_decref(*root);
		*root = *data = NULL;
	}
	return st;
}


/* ---------------------------------------------------------------- meta */

/* data_time from the first of the keys present (a NULL-terminated list). */
static upm_status
meta_time(const json_t *data, const char *const *keys, upm_meta *meta,
    upm_error *err)
{
	const json_t *v;

	for (; *keys != NULL; keys++) {
		if ((v = json_object_get(data, *keys)) == NULL)
			continue;
		if (!json_is_string(v))
			return upm_json_shapef(err, v, "string", "data.%s", *keys);
		upm_copy_text(meta->data_time, sizeof(meta->data_time),
		    json_string_value(v));
		return UPM_OK;
	}
	return UPM_OK;
}

/* The resource is echoed as a string ("1205") or a number (1205). */
static upm_status
meta_resource(const json_t *v, const char *path, upm_meta *meta,
    upm_error *err)
{
	if (v == NULL)
		return UPM_OK;
	if (json_is_string(v))
		upm_copy_text(meta->resource, sizeof(meta->resource),
		    json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(meta->resource, sizeof(meta->resource), "%lld",
		    (long long)json_integer_value(v));
	else
		return upm_json_shapef(err, v, "string or integer", "%s", path);
	return UPM_OK;
}

upm_status
upm_ripestat_read_meta(const json_t *data, const char *const *time_keys, upm_meta *meta,
    upm_error *err)
{
	upm_status st = meta_time(data, time_keys, meta, err);

	if (st == UPM_OK)
		st = meta_resource(json_object_get(data, "resource"),
		    "data.resource", meta, err);
	return st;
}

/* ------------------------------------------------------- observations */

upm_status
upm_obs_stopped(const upm_meta *meta, upm_error *err)
{
	return upm_fail(err, UPM_ERR_ABORTED,
	    "parse stopped by the receiver after %zu records", meta->records);
}

static void
obs_start(upm_obs_builder *r, const char *prefix, const char *session)
{
	r->obs.prefix = prefix;
	r->obs.session = session;
	upm_aspath_reset(&r->path);
}

/* "34549 1853 1205"; junk makes the observation unusable. */
static upm_status
path_from_text(upm_obs_builder *r, const char *s)
{
	if (upm_aspath_text(&r->path, s) != UPM_OK)
		return upm_fail(r->err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* A last nested array: an AS_SET, kept when small and well formed. */
static upm_status
path_set_from_array(upm_obs_builder *r, const json_t *set)
{
	uint32_t members[16];
	const json_t *v;
	json_int_t asn;
	size_t i;

	if (json_array_size(set) == 0 || json_array_size(set) > 16) {
		r->path.unusable = 1;
		return UPM_OK;
	}
	json_array_foreach(set, i, v) {
		asn = json_is_integer(v) ? json_integer_value(v) : 0;
		if (asn < 1 || asn > (json_int_t)UINT32_MAX) {
			r->path.unusable = 1;
			return UPM_OK;
		}
		members[i] = (uint32_t)asn;
	}
	if (upm_aspath_set(&r->path, members, json_array_size(set)) != UPM_OK)
		return upm_fail(r->err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* A bgp-state path: integers only; a nested array is an AS_SET (only a
 * last one is kept, for the computation's origin-set rule). */
static upm_status
path_from_array(upm_obs_builder *r, const json_t *arr)
{
	const json_t *v;
	json_int_t asn;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (json_is_array(v) && i + 1 == json_array_size(arr))
			return path_set_from_array(r, v);
		asn = json_is_integer(v) ? json_integer_value(v) : 0;
		if (asn < 1 || asn > (json_int_t)UINT32_MAX) {
			r->path.unusable = 1;
			/* A nested array is an AS_SET, AS0 a reserved number:
			 * unusable by rule.  A string ("4837", asdot "1.2"),
			 * a float or a number out of range is garbled. */
			r->path.malformed = !json_is_array(v) &&
			    !(json_is_integer(v) && asn == 0);
			return UPM_OK;
		}
		if (upm_obs_path_push(r, (uint32_t)asn) != UPM_OK)
			return UPM_ERR_NOMEM;
	}
	return UPM_OK;
}

void
upm_obs_builder_init(upm_obs_builder *r, upm_obs_sink sink, void *ctx, upm_meta *meta,
    upm_error *err)
{
	memset(r, 0, sizeof(*r));
	r->sink = sink;
	r->ctx = ctx;
	r->meta = meta;
	r->err = err;
}

/* ------------------------------------------------------ whole buffers */

/* What one data call reads from "data" once the envelope and the meta
 * fields are known good; arg is the call's own state. */
typedef upm_status (*body_fn)(void *arg, const json_t *data, upm_meta *meta,
    upm_error *err);

/* A whole-buffer parse: envelope, meta (data_time from the first of
 * time_keys, data.resource), then body.  meta may be NULL. */
static upm_status
parse_document(const char *buf, size_t len, int flags,
    const char *const *time_keys, upm_meta *meta, body_fn body, void *arg,
    upm_error *err)
{
	upm_meta scratch;
	json_t *root, *data;
	upm_status st;

	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	if ((st = open_response(buf, len, flags, meta, &root, &data, err)))
		return st;
	if ((st = upm_ripestat_read_meta(data, time_keys, meta, err)) == UPM_OK)
		st = body(arg, data, meta, err);
	json_decref(root);
	return st;
}

/* One element of a call's list: e is element i. */
typedef upm_status (*element_fn)(void *arg, const json_t *e, size_t i);

/* data.<key> must be an array; its elements go to fn in order, the first
 * failure ends the walk. */
static upm_status
each_element(const json_t *data, const char *key, element_fn fn, void *arg,
    upm_error *err)
{
	const json_t *list = json_object_get(data, key), *e;
	upm_status st;
	size_t i;

	if (!json_is_array(list))
		return upm_json_shapef(err, list, "array", "data.%s", key);
	json_array_foreach(list, i, e)
		if ((st = fn(arg, e, i)) != UPM_OK)
			return st;
	return UPM_OK;
}

/* A list of neighbours or prefixes: data.<key> element by element to
 * element, which hands each record to the matching sink. */
struct list_run {
	const char *key;
	element_fn element;
	upm_sinks sinks;
	upm_meta *meta;
	upm_error *err;
};

/* A body_fn on a list_run. */
static upm_status
list_body(void *arg, const json_t *data, upm_meta *meta, upm_error *err)
{
	struct list_run *l = arg;

	l->meta = meta;
	return each_element(data, l->key, l->element, l, err);
}

/* ----------------------------------------------------------- bgp-state */

const char *const upm_ripestat_bgp_state_times[] = { "query_time", "timestamp",
	NULL };

/* An element_fn on an obs_run (the push parser calls it too). */
upm_status
upm_ripestat_bgp_state_route(void *arg, const json_t *e, size_t i)
{
	upm_obs_builder *r = arg;
	const json_t *src, *path, *prefix;
	upm_status st;

	if (!json_is_object(e))
		return upm_json_shapef(r->err, e, "object", "data.bgp_state[%zu]", i);
	src = json_object_get(e, "source_id");
	path = json_object_get(e, "path");
	prefix = json_object_get(e, "target_prefix");
	if (!json_is_string(src))
		return upm_json_shapef(r->err, src, "string", "data.bgp_state[%zu].source_id", i);
	if (!json_is_array(path))
		return upm_json_shapef(r->err, path, "array", "data.bgp_state[%zu].path", i);
	if (!json_is_string(prefix))
		return upm_json_shapef(r->err, prefix, "string",
		    "data.bgp_state[%zu].target_prefix", i);
	obs_start(r, json_string_value(prefix), json_string_value(src));
	if ((st = path_from_array(r, path)) != UPM_OK)
		return st;
	return upm_obs_deliver(r);
}

static upm_status
bgp_state_body(void *arg, const json_t *data, upm_meta *meta, upm_error *err)
{
	upm_obs_builder *r = arg;

	r->meta = meta;
	return each_element(data, "bgp_state", upm_ripestat_bgp_state_route, r, err);
}

upm_status
upm_parse_bgp_state(const char *buf, size_t len, int flags, upm_obs_sink sink,
    void *ctx, upm_meta *meta, upm_error *err)
{
	upm_obs_builder r;
	upm_status st;

	upm_obs_builder_init(&r, sink, ctx, NULL, err);
	st = parse_document(buf, len, flags, upm_ripestat_bgp_state_times, meta,
	    bgp_state_body, &r, err);
	upm_aspath_free(&r.path);
	return st;
}

/* -------------------------------------------------------- looking-glass */

/* The session: "<collector in lower case>/<peer address>". */
static upm_status
lg_session(upm_obs_builder *r, const char *rrc, const char *addr,
    const char *list, size_t j)
{
	size_t i;
	int n;

	n = snprintf(r->session, sizeof(r->session), "%s/%s", rrc, addr);
	if (n < 0 || (size_t)n >= sizeof(r->session))
		return upm_fail(r->err, UPM_ERR_SHAPE,
		    "%s[%zu]: collector and peer name too long", list, j);
	for (i = 0; r->session[i] != '/'; i++)
		r->session[i] = (char)tolower((unsigned char)r->session[i]);
	return UPM_OK;
}

/* One route of one collector; list/index/key name it in error texts. */
static upm_status
lg_route(upm_obs_builder *r, const char *rrc, const char *prefix,
    const json_t *e, const char *list, size_t j, const char *peer_key)
{
	const json_t *path, *addr, *pfx;
	upm_status st;

	if (!json_is_object(e))
		return upm_json_shapef(r->err, e, "object", "%s[%zu]", list, j);
	path = json_object_get(e, "as_path");
	addr = json_object_get(e, peer_key);
	if (!json_is_string(path))
		return upm_json_shapef(r->err, path, "string", "%s[%zu].as_path", list, j);
	if (!json_is_string(addr))
		return upm_json_shapef(r->err, addr, "string", "%s[%zu].%s", list, j, peer_key);
	if (prefix == NULL) {
		pfx = json_object_get(e, "prefix");
		if (!json_is_string(pfx))
			return upm_json_shapef(r->err, pfx, "string", "%s[%zu].prefix",
			    list, j);
		prefix = json_string_value(pfx);
	}
	if ((st = lg_session(r, rrc, json_string_value(addr), list, j)))
		return st;
	obs_start(r, prefix, r->session);
	if ((st = path_from_text(r, json_string_value(path))) != UPM_OK)
		return st;
	return upm_obs_deliver(r);
}

/* Routes of one collector: prefix NULL means each route names its own. */
static upm_status
lg_routes(upm_obs_builder *r, const char *rrc, const char *prefix,
    const json_t *routes, const char *list, const char *peer_key)
{
	const json_t *e;
	upm_status st;
	size_t j;

	if (!json_is_array(routes))
		return upm_json_shapef(r->err, routes, "array", "%s", list);
	json_array_foreach(routes, j, e)
		if ((st = lg_route(r, rrc, prefix, e, list, j, peer_key)))
			return st;
	return UPM_OK;
}

/* Current API, one collector: {"rrc": "RRC00", "peers": [{as_path,
 * prefix, peer, ...}]}; i is its index in "rrcs".  An element_fn on an
 * obs_run. */
upm_status
upm_ripestat_lg_collector(void *arg, const json_t *c, size_t i)
{
	upm_obs_builder *r = arg;
	const json_t *name;
	char list[64];

	if (!json_is_object(c))
		return upm_json_shapef(r->err, c, "object", "data.rrcs[%zu]", i);
	name = json_object_get(c, "rrc");
	if (!json_is_string(name))
		return upm_json_shapef(r->err, name, "string", "data.rrcs[%zu].rrc", i);
	/* At most 37 characters: never cut. */
	(void)snprintf(list, sizeof(list), "data.rrcs[%zu].peers", i);
	return lg_routes(r, json_string_value(name), NULL,
	    json_object_get(c, "peers"), list, "peer");
}

/* 2017 API, one collector: "RRC00": {"prefix": ..., "entries": [{as_path,
 * update_from, ...}]}; the prefix is the collector's or the query's. */
upm_status
upm_ripestat_lg_collector_2017(upm_obs_builder *r, const char *name, const json_t *c,
    const json_t *data)
{
	const json_t *pfx;
	char list[96], shown[41];

	upm_copy_text(shown, sizeof(shown), name);
	if (!json_is_object(c))
		return upm_json_shapef(r->err, c, "object", "data.rrcs.%s", shown);
	pfx = json_object_get(c, "prefix");
	if (pfx == NULL)
		pfx = json_object_get(data, "resource");
	if (!json_is_string(pfx))
		return upm_json_shapef(r->err, pfx, "string", "data.rrcs.%s.prefix", shown);
	/* The shown name is at most 40 bytes: 58 in all, never cut. */
	(void)snprintf(list, sizeof(list), "data.rrcs.%s.entries", shown);
	return lg_routes(r, name, json_string_value(pfx),
	    json_object_get(c, "entries"), list, "update_from");
}

static upm_status
lg_2017(upm_obs_builder *r, json_t *rrcs, const json_t *data)
{
	const json_t *c;
	const char *name;
	upm_status st;

	json_object_foreach(rrcs, name, c)
		if ((st = upm_ripestat_lg_collector_2017(r, name, c, data)) != UPM_OK)
			return st;
	return UPM_OK;
}

const char *const upm_ripestat_lg_times[] = { "latest_time", "query_time", NULL };

/* Without data.resource, the one in data.parameters is the resource. */
upm_status
upm_ripestat_lg_resource(const json_t *data, upm_meta *meta, upm_error *err)
{
	const json_t *params = json_object_get(data, "parameters");

	if (meta->resource[0] != '\0' || !json_is_object(params))
		return UPM_OK;
	return meta_resource(json_object_get(params, "resource"),
	    "data.parameters.resource", meta, err);
}

static upm_status
lg_body(void *arg, const json_t *data, upm_meta *meta, upm_error *err)
{
	upm_obs_builder *r = arg;
	json_t *rrcs;
	upm_status st;

	r->meta = meta;
	if ((st = upm_ripestat_lg_resource(data, meta, err)) != UPM_OK)
		return st;
	rrcs = json_object_get(data, "rrcs");
	if (json_is_array(rrcs))
		return each_element(data, "rrcs", upm_ripestat_lg_collector, r, err);
	if (json_is_object(rrcs))
		return lg_2017(r, rrcs, data);
	return upm_json_shapef(err, rrcs, "array or object", "data.rrcs");
}

upm_status
upm_parse_looking_glass(const char *buf, size_t len, int flags,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	upm_obs_builder r;
	upm_status st;

	upm_obs_builder_init(&r, sink, ctx, NULL, err);
	st = parse_document(buf, len, flags, upm_ripestat_lg_times, meta, lg_body, &r, err);
	upm_aspath_free(&r.path);
	return st;
}

/* ------------------------------------------------------- asn-neighbours */

/* A count: an integer 0..2^32 (no peer count, power or AS number can be
 * more); anything else cannot be true and fails the parse. */
static int
count_value(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX + 1)
		return 0;
	*out = (uint64_t)json_integer_value(v);
	return 1;
}

static int
neigh_type(const char *s, upm_neigh_type *out)
{
	if (strcmp(s, "left") == 0)
		*out = UPM_NEIGH_LEFT;
	else if (strcmp(s, "right") == 0)
		*out = UPM_NEIGH_RIGHT;
	else if (strcmp(s, "uncertain") == 0)
		*out = UPM_NEIGH_UNCERTAIN;
	else
		return 0;
	return 1;
}

static upm_status
neighbour(const json_t *e, size_t i, upm_neighbour *n, upm_error *err)
{
	static const char *const counts[] = { "power", "v4_peers", "v6_peers" };
	uint64_t *dst[] = { &n->power, &n->v4_peers, &n->v6_peers };
	const json_t *asn, *type, *v;
	uint64_t a;
	size_t k;

	if (!json_is_object(e))
		return upm_json_shapef(err, e, "object", "data.neighbours[%zu]", i);
	asn = json_object_get(e, "asn");
	if (!count_value(asn, &a) || a < 1 || a > UINT32_MAX)
		return upm_json_shapef(err, asn, "AS number 1..4294967295",
		    "data.neighbours[%zu].asn", i);
	n->asn = (uint32_t)a;
	type = json_object_get(e, "type");
	if (!json_is_string(type) || !neigh_type(json_string_value(type), &n->type))
		return upm_json_shapef(err, type, "\"left\", \"right\" or \"uncertain\"",
		    "data.neighbours[%zu].type", i);
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		v = json_object_get(e, counts[k]);
		if (!count_value(v, dst[k]))
			return upm_json_shapef(err, v, "count 0..4294967296",
			    "data.neighbours[%zu].%s", i, counts[k]);
	}
	return UPM_OK;
}

/* An element_fn on a list_run. */
static upm_status
neighbour_element(void *arg, const json_t *e, size_t i)
{
	struct list_run *l = arg;
	upm_neighbour n;
	upm_status st;

	if ((st = neighbour(e, i, &n, l->err)) != UPM_OK)
		return st;
	l->meta->records++;
	if (l->sinks.neigh != NULL && l->sinks.neigh(l->sinks.ctx, &n) != 0)
		return upm_obs_stopped(l->meta, l->err);
	return UPM_OK;
}

upm_status
upm_parse_asn_neighbours(const char *buf, size_t len, int flags,
    upm_neigh_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_endtime", "query_time", NULL };
	struct list_run l = { .key = "neighbours", .element = neighbour_element,
		.sinks = { .neigh = sink, .ctx = ctx }, .err = err };

	return parse_document(buf, len, flags, time_keys, meta, list_body, &l,
	    err);
}

/* ------------------------------------------------------- routing-status */

/* visibility.<family>: {ris_peers_seeing, total_ris_peers}; a family that
 * is absent leaves zeros. */
static upm_status
visibility_family(const json_t *vis, const char *fam, uint64_t *seeing,
    uint64_t *total, upm_error *err)
{
	const json_t *f = json_object_get(vis, fam);
	const json_t *s, *t;

	if (f == NULL)
		return UPM_OK;
	if (!json_is_object(f))
		return upm_json_shapef(err, f, "object", "data.visibility.%s", fam);
	s = json_object_get(f, "ris_peers_seeing");
	t = json_object_get(f, "total_ris_peers");
	if (!count_value(s, seeing))
		return upm_json_shapef(err, s, "integer 0..4294967296",
		    "data.visibility.%s.ris_peers_seeing", fam);
	if (!count_value(t, total))
		return upm_json_shapef(err, t, "integer 0..4294967296",
		    "data.visibility.%s.total_ris_peers", fam);
	if (*seeing > *total)
		return upm_fail(err, UPM_ERR_SHAPE, "data.visibility.%s: "
		    "ris_peers_seeing %llu above total_ris_peers %llu", fam,
		    (unsigned long long)*seeing, (unsigned long long)*total);
	return UPM_OK;
}

/* data.last_seen: {prefix, origin, time}, when RIS last saw the resource
 * announced.  Absent or null (as a whole or a member) is not given; a
 * value of the wrong kind is a shape error naming the field.  The time is
 * kept normalized ("2025-06-11T08:00:00"): it goes into messages. */
static upm_status
last_seen(const json_t *data, upm_visibility *v, upm_error *err)
{
	const json_t *ls = json_object_get(data, "last_seen");
	const json_t *t, *p, *o;
	uint32_t asn;
	int64_t when;

	if (ls == NULL || json_is_null(ls))
		return UPM_OK;
	if (!json_is_object(ls))
		return upm_json_shapef(err, ls, "object", "data.last_seen");
	t = json_object_get(ls, "time");
	p = json_object_get(ls, "prefix");
	o = json_object_get(ls, "origin");
	if (t != NULL && !json_is_null(t) && (!json_is_string(t) ||
	    upm_time_parse(json_string_value(t), &when, NULL) != UPM_OK ||
	    upm_time_format(when, v->last_seen, sizeof(v->last_seen)) != UPM_OK))
		return upm_json_shapef(err, t, "time string",
		    "data.last_seen.time");
	if (p != NULL && !json_is_null(p)) {
		if (!json_is_string(p) ||
		    upm_prefix_check(json_string_value(p), NULL) != UPM_OK)
			return upm_json_shapef(err, p, "IP prefix string",
			    "data.last_seen.prefix");
		upm_copy_text(v->last_seen_prefix, sizeof(v->last_seen_prefix),
		    json_string_value(p));
	}
	if (o != NULL && !json_is_null(o)) {
		/* Like data.resource: "3333" or 3333. */
		if (json_is_string(o) && json_string_value(o)[0] >= '0' &&
		    json_string_value(o)[0] <= '9' &&
		    upm_asn_parse(json_string_value(o), &asn, NULL) == UPM_OK)
			v->last_seen_origin = asn;
		else if (json_is_integer(o) && json_integer_value(o) >= 1 &&
		    json_integer_value(o) <= (json_int_t)UINT32_MAX)
			v->last_seen_origin = (uint32_t)json_integer_value(o);
		else
			return upm_json_shapef(err, o, "AS number",
			    "data.last_seen.origin");
	}
	return UPM_OK;
}

/* arg is the upm_visibility to fill, zeroed by the caller. */
static upm_status
routing_status_body(void *arg, const json_t *data, upm_meta *meta,
    upm_error *err)
{
	upm_visibility *v = arg;
	const json_t *jv = json_object_get(data, "visibility");
	upm_status st;

	if ((st = last_seen(data, v, err)) != UPM_OK)
		return st;
	if (jv == NULL)
		return UPM_OK;
	if (!json_is_object(jv))
		return upm_json_shapef(err, jv, "object", "data.visibility");
	if ((st = visibility_family(jv, "v4", &v->v4_seeing, &v->v4_total, err)) ||
	    (st = visibility_family(jv, "v6", &v->v6_seeing, &v->v6_total, err)))
		return st;
	v->have = 1;
	meta->records = 1; /* the one visibility record */
	return UPM_OK;
}

upm_status
upm_parse_routing_status(const char *buf, size_t len, int flags,
    upm_visibility *vis, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_time", NULL };
	upm_visibility v;
	upm_status st;

	memset(&v, 0, sizeof(v));
	if (vis != NULL)
		*vis = v;
	st = parse_document(buf, len, flags, time_keys, meta, routing_status_body,
	    &v, err);
	if (st == UPM_OK && vis != NULL)
		*vis = v;
	return st;
}

/* --------------------------------------------------- announced-prefixes */

/* Prefixes become request parameters later, so each one is checked. */
static upm_status
announced_prefix(const json_t *e, size_t i, const char **out, upm_error *err)
{
	const json_t *p;

	if (!json_is_object(e))
		return upm_json_shapef(err, e, "object", "data.prefixes[%zu]", i);
	p = json_object_get(e, "prefix");
	if (!json_is_string(p) || upm_prefix_check(json_string_value(p), NULL))
		return upm_json_shapef(err, p, "IP prefix string", "data.prefixes[%zu].prefix",
		    i);
	*out = json_string_value(p);
	return UPM_OK;
}

/* An element_fn on a list_run. */
static upm_status
prefix_element(void *arg, const json_t *e, size_t i)
{
	struct list_run *l = arg;
	const char *prefix = NULL;
	upm_status st;

	if ((st = announced_prefix(e, i, &prefix, l->err)) != UPM_OK)
		return st;
	l->meta->records++;
	if (l->sinks.prefix != NULL && l->sinks.prefix(l->sinks.ctx, prefix) != 0)
		return upm_obs_stopped(l->meta, l->err);
	return UPM_OK;
}

upm_status
upm_parse_announced_prefixes(const char *buf, size_t len, int flags,
    upm_prefix_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_endtime", "latest_time",
		NULL };
	struct list_run l = { .key = "prefixes", .element = prefix_element,
		.sinks = { .prefix = sink, .ctx = ctx }, .err = err };

	return parse_document(buf, len, flags, time_keys, meta, list_body, &l,
	    err);
}

/* ------------------------------------------- bgplay and bgp-updates */

upm_status
upm_ripestat_bgplay_source(upm_update_run *u, const json_t *e, size_t i)
{
	const json_t *id, *asn;
	json_int_t v;

	if (!json_is_object(e))
		return upm_json_shapef(u->b.err, e, "object", "data.sources[%zu]", i);
	id = json_object_get(e, "id");
	asn = json_object_get(e, "as_number");
	if (!json_is_string(id))
		return upm_json_shapef(u->b.err, id, "string", "data.sources[%zu].id", i);
	v = json_is_integer(asn) ? json_integer_value(asn) : -1;
	if (v < 1 || v > (json_int_t)UINT32_MAX)
		return upm_json_shapef(u->b.err, asn, "AS number",
		    "data.sources[%zu].as_number", i);
	if (u->peers == NULL && (u->peers = json_object()) == NULL)
		return upm_fail(u->b.err, UPM_ERR_NOMEM, "out of memory");
	if (json_object_set_new(u->peers, json_string_value(id),
	    json_integer(v)) != 0)
		return upm_fail(u->b.err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

upm_status
upm_ripestat_update_record(upm_update_run *u, const char *list,
    const json_t *e, size_t i, int initial)
{
	upm_obs_builder *r = &u->b;
	const json_t *attrs, *src, *prefix, *path, *type, *ts, *peer;
	upm_update up;
	upm_status st;
	const char *t = NULL;

	if (!json_is_object(e))
		return upm_json_shapef(r->err, e, "object", "data.%s[%zu]", list, i);
	memset(&up, 0, sizeof(up));
	up.initial = initial;
	if (initial) {
		attrs = e;     /* bgp-state's route shape */
		up.time = u->start;
	} else {
		type = json_object_get(e, "type");
		ts = json_object_get(e, "timestamp");
		attrs = json_object_get(e, "attrs");
		t = json_is_string(type) ? json_string_value(type) : "";
		if (strcmp(t, "A") != 0 && strcmp(t, "W") != 0)
			return upm_json_shapef(r->err, type, "\"A\" or \"W\"",
			    "data.%s[%zu].type", list, i);
		if (!json_is_string(ts) ||
		    upm_time_parse(json_string_value(ts), &up.time, NULL) != UPM_OK)
			return upm_json_shapef(r->err, ts, "time",
			    "data.%s[%zu].timestamp", list, i);
		if (!json_is_object(attrs))
			return upm_json_shapef(r->err, attrs, "object",
			    "data.%s[%zu].attrs", list, i);
		up.withdraw = t[0] == 'W';
	}
	src = json_object_get(attrs, "source_id");
	prefix = json_object_get(attrs, "target_prefix");
	path = json_object_get(attrs, "path");
	if (!json_is_string(src))
		return upm_json_shapef(r->err, src, "string", "data.%s[%zu]%s.source_id",
		    list, i, initial ? "" : ".attrs");
	if (!json_is_string(prefix))
		return upm_json_shapef(r->err, prefix, "string",
		    "data.%s[%zu]%s.target_prefix", list, i, initial ? "" : ".attrs");
	if (!up.withdraw && !json_is_array(path))
		return upm_json_shapef(r->err, path, "array", "data.%s[%zu]%s.path",
		    list, i, initial ? "" : ".attrs");
	obs_start(r, json_string_value(prefix), json_string_value(src));
	if (!up.withdraw && (st = path_from_array(r, path)) != UPM_OK)
		return st;
	upm_aspath_observation(&r->path, r->obs.prefix, r->obs.session, &r->obs);
	if (up.withdraw) {
		r->obs.path_len = r->obs.aset_path_len = r->obs.aset_len = 0;
		r->obs.unusable = r->obs.malformed = 0;
	}
	peer = u->peers != NULL ? json_object_get(u->peers,
	    json_string_value(src)) : NULL;
	r->obs.peer_asn = peer != NULL ? (uint32_t)json_integer_value(peer) : 0;
	up.obs = &r->obs;
	if (r->meta != NULL)
		r->meta->records++;
	if (u->sink != NULL && u->sink(u->ctx, &up) != 0)
		return upm_obs_stopped(r->meta, r->err);
	return UPM_OK;
}

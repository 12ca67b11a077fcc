/*
 * parse_ripestat.c - RIPEstat Data API responses into records.
 *
 * Every parser checks the response envelope first (valid JSON, status "ok",
 * a supported data call, a non-empty "data" object), then walks its part of
 * "data" and hands one record at a time to the caller's sink.  Observations
 * are built in one reused buffer: nothing here keeps more than one record.
 *
 * Two generations of the API are understood: the 2017 one (bgp-state with
 * query_time, looking-glass with collectors as object keys and entries[])
 * and the current one (bgp-state with timestamp, looking-glass v2 with an
 * array of collectors and peers[]).
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

static upm_status
read_meta(const json_t *data, const char *const *time_keys, upm_meta *meta,
    upm_error *err)
{
	upm_status st = meta_time(data, time_keys, meta, err);

	if (st == UPM_OK)
		st = meta_resource(json_object_get(data, "resource"),
		    "data.resource", meta, err);
	return st;
}

/* ------------------------------------------------------- observations */

/* Everything an observation parser reuses from one record to the next. */
struct obs_run {
	upm_obs_sink sink;
	void *ctx;
	upm_meta *meta;
	upm_error *err;
	upm_aspath path;       /* the one path builder, reused */
	upm_observation obs;
	char peer[128];
};

static upm_status
path_push(struct obs_run *r, uint32_t asn)
{
	if (upm_aspath_push(&r->path, asn) != UPM_OK)
		return upm_fail(r->err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

static void
obs_start(struct obs_run *r, const char *prefix, const char *peer)
{
	r->obs.prefix = prefix;
	r->obs.peer = peer;
	upm_aspath_reset(&r->path);
}

/* The receiver answered nonzero: the parse ends here. */
static upm_status
stopped(const upm_meta *meta, upm_error *err)
{
	return upm_fail(err, UPM_ERR_ABORTED,
	    "parse stopped by the receiver after %zu records", meta->records);
}

/* Hands the finished observation over; an unusable one has no path. */
static upm_status
obs_deliver(struct obs_run *r)
{
	upm_aspath_observation(&r->path, r->obs.prefix, r->obs.peer, &r->obs);
	r->meta->records++;
	if (r->sink != NULL && r->sink(r->ctx, &r->obs) != 0)
		return stopped(r->meta, r->err);
	return UPM_OK;
}

/* "34549 1853 1205"; junk makes the observation unusable. */
static upm_status
path_from_text(struct obs_run *r, const char *s)
{
	if (upm_aspath_text(&r->path, s) != UPM_OK)
		return upm_fail(r->err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* A bgp-state path: integers only; a nested array is an AS_SET. */
static upm_status
path_from_array(struct obs_run *r, const json_t *arr)
{
	const json_t *v;
	json_int_t asn;
	size_t i;

	json_array_foreach(arr, i, v) {
		asn = json_is_integer(v) ? json_integer_value(v) : 0;
		if (asn < 1 || asn > (json_int_t)UINT32_MAX) {
			r->path.unusable = 1;
			return UPM_OK;
		}
		if (path_push(r, (uint32_t)asn) != UPM_OK)
			return UPM_ERR_NOMEM;
	}
	return UPM_OK;
}

static void
obs_run_init(struct obs_run *r, upm_obs_sink sink, void *ctx, upm_meta *meta,
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
	if ((st = read_meta(data, time_keys, meta, err)) == UPM_OK)
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

static const char *const bgp_state_times[] = { "query_time", "timestamp",
	NULL };

/* An element_fn on an obs_run (the push parser calls it too). */
static upm_status
bgp_state_route(void *arg, const json_t *e, size_t i)
{
	struct obs_run *r = arg;
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
	return obs_deliver(r);
}

static upm_status
bgp_state_body(void *arg, const json_t *data, upm_meta *meta, upm_error *err)
{
	struct obs_run *r = arg;

	r->meta = meta;
	return each_element(data, "bgp_state", bgp_state_route, r, err);
}

upm_status
upm_parse_bgp_state(const char *buf, size_t len, int flags, upm_obs_sink sink,
    void *ctx, upm_meta *meta, upm_error *err)
{
	struct obs_run r;
	upm_status st;

	obs_run_init(&r, sink, ctx, NULL, err);
	st = parse_document(buf, len, flags, bgp_state_times, meta,
	    bgp_state_body, &r, err);
	upm_aspath_free(&r.path);
	return st;
}

/* -------------------------------------------------------- looking-glass */

/* Vantage point id "<collector in lower case>/<peer address>". */
static upm_status
lg_peer_id(struct obs_run *r, const char *rrc, const char *addr,
    const char *list, size_t j)
{
	size_t i;
	int n;

	n = snprintf(r->peer, sizeof(r->peer), "%s/%s", rrc, addr);
	if (n < 0 || (size_t)n >= sizeof(r->peer))
		return upm_fail(r->err, UPM_ERR_SHAPE,
		    "%s[%zu]: collector and peer name too long", list, j);
	for (i = 0; r->peer[i] != '/'; i++)
		r->peer[i] = (char)tolower((unsigned char)r->peer[i]);
	return UPM_OK;
}

/* One route of one collector; list/index/key name it in error texts. */
static upm_status
lg_route(struct obs_run *r, const char *rrc, const char *prefix,
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
	if ((st = lg_peer_id(r, rrc, json_string_value(addr), list, j)))
		return st;
	obs_start(r, prefix, r->peer);
	if ((st = path_from_text(r, json_string_value(path))) != UPM_OK)
		return st;
	return obs_deliver(r);
}

/* Routes of one collector: prefix NULL means each route names its own. */
static upm_status
lg_routes(struct obs_run *r, const char *rrc, const char *prefix,
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
static upm_status
lg_collector(void *arg, const json_t *c, size_t i)
{
	struct obs_run *r = arg;
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
static upm_status
lg_collector_2017(struct obs_run *r, const char *name, const json_t *c,
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
lg_2017(struct obs_run *r, json_t *rrcs, const json_t *data)
{
	const json_t *c;
	const char *name;
	upm_status st;

	json_object_foreach(rrcs, name, c)
		if ((st = lg_collector_2017(r, name, c, data)) != UPM_OK)
			return st;
	return UPM_OK;
}

static const char *const lg_times[] = { "latest_time", "query_time", NULL };

/* Without data.resource, the one in data.parameters is the resource. */
static upm_status
lg_params_resource(const json_t *data, upm_meta *meta, upm_error *err)
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
	struct obs_run *r = arg;
	json_t *rrcs;
	upm_status st;

	r->meta = meta;
	if ((st = lg_params_resource(data, meta, err)) != UPM_OK)
		return st;
	rrcs = json_object_get(data, "rrcs");
	if (json_is_array(rrcs))
		return each_element(data, "rrcs", lg_collector, r, err);
	if (json_is_object(rrcs))
		return lg_2017(r, rrcs, data);
	return upm_json_shapef(err, rrcs, "array or object", "data.rrcs");
}

upm_status
upm_parse_looking_glass(const char *buf, size_t len, int flags,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	struct obs_run r;
	upm_status st;

	obs_run_init(&r, sink, ctx, NULL, err);
	st = parse_document(buf, len, flags, lg_times, meta, lg_body, &r, err);
	upm_aspath_free(&r.path);
	return st;
}

/* ------------------------------------------------------- asn-neighbours */

static int
count_value(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
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
			return upm_json_shapef(err, v, "non-negative integer",
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
		return stopped(l->meta, l->err);
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
		return upm_json_shapef(err, s, "non-negative integer",
		    "data.visibility.%s.ris_peers_seeing", fam);
	if (!count_value(t, total))
		return upm_json_shapef(err, t, "non-negative integer",
		    "data.visibility.%s.total_ris_peers", fam);
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
		return stopped(l->meta, l->err);
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

/* =============================================================== push */

/*
 * The push parser.  A small hand-written scanner walks the outer structure
 * (the envelope object, "data", and the one big array or object of the
 * call); every other value, and each element of the big one, is cut out
 * by bracket counting and given whole to jansson, which checks it fully
 * (UTF-8, escapes, NUL, numbers, duplicate keys) and whose per-record code
 * above then runs unchanged.  So memory holds one element plus the small
 * envelope fields ("skeleton"), never the whole document.  (Plain
 * bgp_state elements are read faster in place: see fast_route below.)
 */

#define MAX_FRAMES 4

enum frame_role {
	ROLE_ROOT,    /* the envelope */
	ROLE_DATA,    /* "data" (or the root with UPM_PARSE_DATA_ONLY) */
	ROLE_STREAM   /* the big array (or 2017 looking-glass object) */
};

struct frame {
	enum frame_role role;
	char close;          /* '}' or ']' */
	json_t *skel;        /* members so far (STREAM object: names seen);
	                      * borrowed: p->root holds them all */
	size_t count;        /* members or elements completed */
};

enum scan_state {
	S_START,        /* before the document */
	S_KEY_OR_END,   /* just after '{' */
	S_KEY_START,    /* after ',' in an object: a key must follow */
	S_KEY,          /* inside a key */
	S_COLON,
	S_VALUE,        /* a member value or an element begins */
	S_ELEM_OR_END,  /* just after '[' */
	S_CAPTURE,      /* inside a value taken whole */
	S_AFTER,        /* after a value: ',' or the frame's close */
	S_DONE,
	S_WHOLE,        /* kept whole for the whole-buffer parser */
	S_FAILED
};

struct upm_parser {
	upm_call call;
	int flags;
	upm_sinks sinks;
	enum scan_state state;
	upm_status failed;       /* the status once S_FAILED */
	struct frame frames[MAX_FRAMES];
	size_t depth;            /* frames in use */
	upm_buf key;             /* raw bytes of the current key, quotes too */
	char *key_text;          /* the current key, decoded */
	int key_escape;
	upm_buf cap;             /* captured value bytes of earlier chunks */
	uint64_t cap_start;      /* offset of the captured value's first byte */
	size_t cap_depth;
	int cap_in_string, cap_escape;
	uint64_t offset;         /* offset of the current chunk's first byte */
	json_t *root;            /* the skeleton */
	json_t *pending;         /* 2017 collectors waiting for data.resource */
	upm_buf whole;           /* S_WHOLE */
	struct obs_run run;
	upm_meta meta;
	upm_error *err;          /* the caller's, during feed/finish */
	char fast_peer[256];     /* the fast path's copies of the names */
	char fast_prefix[256];
};

static const char *
stream_key(upm_call call)
{
	switch (call) {
	case UPM_CALL_BGP_STATE: return "bgp_state";
	case UPM_CALL_LOOKING_GLASS: return "rrcs";
	default: return NULL;
	}
}

upm_parser *
upm_parser_new(upm_call call, int flags, const upm_sinks *sinks,
    upm_error *err)
{
	upm_parser *p;

	if ((unsigned)call > UPM_CALL_ANNOUNCED_PREFIXES) {
		(void)upm_fail(err, UPM_ERR_ARG, "unknown data call %d", (int)call);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->call = call;
	p->flags = flags;
	if (sinks != NULL)
		p->sinks = *sinks;
	upm_buf_init(&p->key);
	upm_buf_init(&p->cap);
	upm_buf_init(&p->whole);
	/* Small calls gain nothing from streaming: kept whole. */
	p->state = stream_key(call) != NULL ? S_START : S_WHOLE;
	obs_run_init(&p->run, p->sinks.obs, p->sinks.ctx, &p->meta, NULL);
	return p;
}

void
upm_parser_free(upm_parser *p)
{
	if (p == NULL)
		return;
	upm_buf_free(&p->key);
	upm_buf_free(&p->cap);
	upm_buf_free(&p->whole);
	free(p->key_text);
	upm_aspath_free(&p->run.path);
	json_decref(p->root);
	json_decref(p->pending);
	free(p);
}

static upm_status
fail_parser(upm_parser *p, upm_status st)
{
	p->state = S_FAILED;
	p->failed = st;
	return st;
}

static upm_status
syntax(upm_parser *p, uint64_t at, const char *what)
{
	return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON,
	    "invalid JSON at byte %llu: %s", (unsigned long long)at, what));
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* jansson on one cut-out value; at is its offset for the error text. */
static upm_status
decode(upm_parser *p, const char *text, size_t len, uint64_t at, json_t **out)
{
	json_error_t jerr;

	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (*out != NULL)
		return UPM_OK;
	upm_json_ascii_only(jerr.text);
	return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON,
	    "invalid JSON at byte %llu: %s",
	    (unsigned long long)(at + (uint64_t)(jerr.position > 0 ?
	    jerr.position - 1 : 0)), jerr.text));
}

static struct frame *
top(upm_parser *p)
{
	return &p->frames[p->depth - 1];
}

static upm_status
push_frame(upm_parser *p, enum frame_role role, char open, json_t *skel)
{
	struct frame *fr;

	if (p->depth == MAX_FRAMES)      /* cannot happen: roles nest 3 deep */
		return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON, "too deep"));
	fr = &p->frames[p->depth++];
	fr->role = role;
	fr->close = open == '{' ? '}' : ']';
	fr->skel = skel;
	fr->count = 0;
	return UPM_OK;
}

/* The skeleton object a ROOT or DATA frame fills (borrowed). */
static json_t *
data_skel(upm_parser *p)
{
	size_t i;

	for (i = 0; i < p->depth; i++)
		if (p->frames[i].role == ROLE_DATA)
			return p->frames[i].skel;
	return NULL;
}

/* ------------------------------------------------- records as they come */

static upm_status
stream_element(upm_parser *p, json_t *v, size_t i)
{
	const json_t *data;

	p->run.err = p->err;
	if (p->call == UPM_CALL_BGP_STATE)
		return bgp_state_route(&p->run, v, i);
	if (top(p)->close == ']')
		return lg_collector(&p->run, v, i);
	/* 2017: a collector without its own prefix needs data.resource,
	 * which may still come: such ones wait (few, small). */
	data = data_skel(p);
	if (json_is_object(v) && json_object_get(v, "prefix") == NULL &&
	    json_object_get(data, "resource") == NULL) {
		if (p->pending == NULL && (p->pending = json_object()) == NULL)
			return upm_fail(p->err, UPM_ERR_NOMEM, "out of memory");
		if (json_object_set(p->pending, p->key_text, v) != 0)
			return upm_fail(p->err, UPM_ERR_NOMEM, "out of memory");
		return UPM_OK;
	}
	return lg_collector_2017(&p->run, p->key_text, v, data);
}

/* A complete value: a record of the big array, or an envelope field. */
static upm_status
value_done(upm_parser *p, const char *text, size_t len)
{
	struct frame *fr = top(p);
	upm_status st;
	json_t *v;

	if ((st = decode(p, text, len, p->cap_start, &v)) != UPM_OK)
		return st;
	if (fr->role == ROLE_STREAM) {
		st = stream_element(p, v, fr->count);
		json_decref(v);
		if (st != UPM_OK)
			return fail_parser(p, st);
	} else if (json_object_set_new(fr->skel, p->key_text, v) != 0)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	fr->count++;
	p->state = S_AFTER;
	return UPM_OK;
}

/* ------------------------------------------------------------- scanner */

/* Goes on cutting out a value from s[from..n); returns the index just past
 * its end, or n with *more set when it continues in the next chunk.  A
 * scalar ends before the delimiter that follows it. */
static size_t
capture_scan(upm_parser *p, const char *s, size_t from, size_t n, int *more)
{
	size_t i;

	*more = 0;
	for (i = from; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (p->cap_in_string) {
			if (p->cap_escape)
				p->cap_escape = 0;
			else if (c == '\\')
				p->cap_escape = 1;
			else if (c == '"') {
				p->cap_in_string = 0;
				if (p->cap_depth == 0)
					return i + 1;
			}
			continue;
		}
		switch (c) {
		case '"':
			p->cap_in_string = 1;
			break;
		case '{':
		case '[':
			p->cap_depth++;
			break;
		case '}':
		case ']':
			if (p->cap_depth == 0)
				return i;
			if (--p->cap_depth == 0)
				return i + 1;
			break;
		case ',': case ' ': case '\t': case '\r': case '\n':
			if (p->cap_depth == 0)
				return i;
			break;
		default:
			break;
		}
	}
	*more = 1;
	return n;
}

/* Continues a capture at s[i]; returns the next index to scan. */
static size_t
capture(upm_parser *p, const char *s, size_t i, size_t n, upm_status *st)
{
	size_t end;
	int more;

	end = capture_scan(p, s, i, n, &more);
	if (more || p->cap.len > 0) {
		if ((*st = upm_buf_append(&p->cap, s + i, end - i)) != UPM_OK) {
			*st = fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
			    "out of memory"));
			return n;
		}
		if (more)
			return n;
		*st = value_done(p, p->cap.data, p->cap.len);
		p->cap.len = 0;
		return end;
	}
	/* The whole value lies in this chunk: no copy. */
	*st = value_done(p, s + (size_t)(p->cap_start - p->offset),
	    end - (size_t)(p->cap_start - p->offset));
	return end;
}

static void
capture_begin(upm_parser *p, size_t i)
{
	p->state = S_CAPTURE;
	p->cap.len = 0;
	p->cap_start = p->offset + i;
	p->cap_depth = 0;
	p->cap_in_string = 0;
	p->cap_escape = 0;
}

/* A value begins with c: descend into the frames we walk, cut out the
 * rest.  Returns UPM_OK when it descended (c consumed) or began a capture
 * (c not consumed). */
static upm_status
value_begin(upm_parser *p, char c, size_t i, int *consumed)
{
	struct frame *fr = top(p);
	const char *big = stream_key(p->call);
	json_t *skel;
	enum frame_role role;

	*consumed = 0;
	role = ROLE_STREAM;
	if (fr->role == ROLE_ROOT && c == '{' && strcmp(p->key_text, "data") == 0)
		role = ROLE_DATA;
	else if (fr->role != ROLE_DATA || strcmp(p->key_text, big) != 0 ||
	    (c != '[' && !(c == '{' && p->call == UPM_CALL_LOOKING_GLASS))) {
		capture_begin(p, i);
		return UPM_OK;
	}
	/* The skeleton records that the member exists (an empty stand-in
	 * for the big one): duplicates and the shape checks see it. */
	skel = c == '[' ? json_array() : json_object();
	if (skel == NULL || json_object_set(fr->skel, p->key_text, skel) != 0) {
		json_decref(skel);
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	}
	json_decref(skel);    /* the parent holds it */
	*consumed = 1;
	p->state = c == '[' ? S_ELEM_OR_END : S_KEY_OR_END;
	return push_frame(p, role, c, skel);
}

static upm_status
document_begin(upm_parser *p, char c, int *consumed)
{
	if (c != '{') {
		/* Not an object: the whole-buffer parser names the error. */
		p->state = S_WHOLE;
		*consumed = 0;
		return UPM_OK;
	}
	if ((p->root = json_object()) == NULL)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	p->state = S_KEY_OR_END;
	return push_frame(p, (p->flags & UPM_PARSE_DATA_ONLY) ? ROLE_DATA :
	    ROLE_ROOT, '{', p->root);
}

/* The key is complete in p->key: decode it, reject a repeated one. */
static upm_status
key_done(upm_parser *p)
{
	struct frame *fr = top(p);
	uint64_t at = p->offset;
	json_t *k;
	upm_status st;

	if ((st = decode(p, p->key.data, p->key.len, at, &k)) != UPM_OK)
		return st;
	free(p->key_text);
	p->key_text = strdup(json_string_value(k));
	json_decref(k);
	if (p->key_text == NULL)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	if (json_object_get(fr->skel, p->key_text) != NULL) {
		char shown[41];
		return fail_parser(p, upm_fail(p->err, UPM_ERR_JSON,
		    "invalid JSON: duplicate object key '%s'",
		    upm_copy_text(shown, sizeof(shown), p->key_text)));
	}
	/* In the 2017 collectors object, names are remembered bare. */
	if (fr->role == ROLE_STREAM &&
	    json_object_set_new(fr->skel, p->key_text, json_null()) != 0)
		return fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
	p->state = S_COLON;
	return UPM_OK;
}

/* Key bytes from s[i..n) after the opening quote; returns the next index. */
static size_t
key_scan(upm_parser *p, const char *s, size_t i, size_t n, upm_status *st)
{
	size_t from = i;
	int done = 0;

	for (; i < n && !done; i++) {
		if (p->key_escape)
			p->key_escape = 0;
		else if (s[i] == '\\')
			p->key_escape = 1;
		else if (s[i] == '"')
			done = 1;
	}
	if (upm_buf_append(&p->key, s + from, i - from) != UPM_OK) {
		*st = fail_parser(p, upm_fail(p->err, UPM_ERR_NOMEM,
		    "out of memory"));
		return n;
	}
	if (done)
		*st = key_done(p);
	return i;
}

static upm_status
frame_close(upm_parser *p)
{
	p->depth--;
	if (p->depth == 0) {
		p->state = S_DONE;
		return UPM_OK;
	}
	top(p)->count++;
	p->state = S_AFTER;
	return UPM_OK;
}

/* One structural byte outside keys and captures. */
static upm_status
structural(upm_parser *p, char c, size_t i, int *consumed)
{
	uint64_t at = p->offset + i;

	*consumed = 1;
	if (is_ws((unsigned char)c))
		return UPM_OK;
	switch (p->state) {
	case S_START:
		return document_begin(p, c, consumed);
	case S_KEY_OR_END:
		if (c == '}')
			return frame_close(p);
		/* FALLTHROUGH */
	case S_KEY_START:
		if (c != '"')
			return syntax(p, at, "expected a key");
		p->key.len = 0;
		p->key_escape = 0;
		p->state = S_KEY;
		*consumed = 0;     /* key_scan takes the opening quote too */
		return UPM_OK;
	case S_COLON:
		if (c != ':')
			return syntax(p, at, "expected ':'");
		p->state = S_VALUE;
		return UPM_OK;
	case S_ELEM_OR_END:
		if (c == ']')
			return frame_close(p);
		/* FALLTHROUGH */
	case S_VALUE:
		return value_begin(p, c, i, consumed);
	case S_AFTER:
		if (c == top(p)->close)
			return frame_close(p);
		if (c != ',')
			return syntax(p, at, "expected ',' or a closing bracket");
		p->state = top(p)->close == '}' ? S_KEY_START : S_VALUE;
		return UPM_OK;
	case S_DONE:
		return syntax(p, at, "end of file expected");
	default:
		return syntax(p, at, "unexpected state");
	}
}

/* -------------------------------------------- bgp-state elements, fast */

/*
 * Nearly every bgp_state element is plain: ASCII strings without escapes,
 * a path of small integers, a short list of communities.  Building a
 * jansson value for each (about ten allocations) was most of the time of
 * a large response, so such an element is read here in place, in the
 * chunk, straight into the observation.  This reader accepts only that
 * strict subset of JSON and gives up on anything else (an escape, a byte
 * outside printable ASCII, a nested object, a real number, a repeated key,
 * a missing or mistyped field, the end of the chunk) without having
 * delivered anything: the element then takes the general path (cut out,
 * checked by jansson), so every error and every unusual but valid element
 * is handled exactly as before.
 */

#define FAST_KEYS 16     /* more keys in one element: the general path */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FAST_LITTLE_ENDIAN 1
#else
#define FAST_LITTLE_ENDIAN 0
#endif

struct fast {
	const char *s;       /* the next byte */
	const char *end;     /* the end of the chunk */
};

struct fast_span {
	const char *s;
	size_t n;
};

static inline void
fast_ws(struct fast *f)
{
	/* Most tokens follow each other without white space. */
	while (f->s < f->end && (unsigned char)*f->s <= ' ' &&
	    is_ws((unsigned char)*f->s))
		f->s++;
}

/* Skips ws, then takes c; 0 if another byte (or none) is there. */
static int
fast_take(struct fast *f, char c)
{
	fast_ws(f);
	if (f->s == f->end || *f->s != c)
		return 0;
	f->s++;
	return 1;
}

/* A string of printable ASCII (0x20..0x7e) without escapes: exactly the
 * strings whose JSON text is their value. */
/* Bytes of the 8 in w that end a plain string or spoil it: '"', '\\',
 * a control byte, or one above 0x7e; each such byte's top bit set (for
 * the first of them exactly: the borrows only run upwards). */
static inline uint64_t
string_stops(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) |
	    ((w + ones * 0x01) & high) | (w & high);
}

static int
fast_string(struct fast *f, struct fast_span *out)
{
	const char *c;
	uint64_t w, m;

	if (f->s == f->end || *f->s != '"')
		return 0;
	c = f->s + 1;
	/* Eight bytes at a time up to the first stop, then byte by byte.
	 * (The lowest flagged bit is the first byte on little-endian only.) */
	while (FAST_LITTLE_ENDIAN && f->end - c >= 8) {
		memcpy(&w, c, 8);
		if ((m = string_stops(w) & 0x8080808080808080ULL) != 0) {
			c += (unsigned)__builtin_ctzll(m) / 8;
			break;
		}
		c += 8;
	}
	while (c < f->end && *c != '"') {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e ||
		    *c == '\\')
			return 0;
		c++;
	}
	if (c == f->end)
		return 0;
	out->s = f->s + 1;
	out->n = (size_t)(c - out->s);
	f->s = c + 1;
	return 1;
}

/* A non-negative integer of at most 18 digits (far from jansson's
 * overflow), without a fraction or exponent, in canonical form. */
static int
fast_uint(struct fast *f, uint64_t *out)
{
	const char *start = f->s;
	uint64_t v = 0;

	while (f->s < f->end && *f->s >= '0' && *f->s <= '9')
		v = v * 10 + (uint64_t)(*f->s++ - '0');
	if (f->s == start || f->s - start > 18 || f->s == f->end ||
	    (*start == '0' && f->s - start > 1) ||
	    *f->s == '.' || *f->s == 'e' || *f->s == 'E')
		return 0;
	*out = v;
	return 1;
}

static int
fast_literal(struct fast *f)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t k, n;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		n = strlen(words[k]);
		if ((size_t)(f->end - f->s) > n && memcmp(f->s, words[k], n) == 0) {
			f->s += n;
			return 1;
		}
	}
	return 0;
}

/* A scalar of the subset: plain string, integer, literal. */
static int
fast_scalar(struct fast *f)
{
	struct fast_span str;
	uint64_t v;

	if (f->s == f->end)
		return 0;
	if (*f->s == '"')
		return fast_string(f, &str);
	if (*f->s >= '0' && *f->s <= '9')
		return fast_uint(f, &v);
	return fast_literal(f);
}

/* The value of a member we do not use: a scalar or a flat array of them
 * (communities). */
static int
fast_skip(struct fast *f)
{
	if (f->s == f->end || *f->s != '[')
		return fast_scalar(f);
	f->s++;
	if (fast_take(f, ']'))
		return 1;
	do {
		fast_ws(f);
		if (!fast_scalar(f))
			return 0;
	} while (fast_take(f, ','));
	return fast_take(f, ']');
}

/* The path into the observation, as path_from_array does: an AS number
 * out of range makes it unusable (the rest is still read, to check it). */
static int
fast_path(struct fast *f, struct obs_run *r, upm_status *st)
{
	uint64_t v;

	if (f->s == f->end || *f->s != '[')
		return 0;
	f->s++;
	if (fast_take(f, ']'))
		return 1;
	do {
		fast_ws(f);
		if (!fast_uint(f, &v))
			return 0;
		if (v < 1 || v > UINT32_MAX)
			r->path.unusable = 1;
		else if (!r->path.unusable &&
		    (*st = path_push(r, (uint32_t)v)) != UPM_OK)
			return 0;
	} while (fast_take(f, ','));
	return fast_take(f, ']');
}

/* A key not met before in this element (jansson rejects repeated keys;
 * plain keys compare equal exactly when their bytes do). */
static int
fast_new_key(struct fast_span *keys, size_t *n, const struct fast_span *k)
{
	size_t i;

	if (*n == FAST_KEYS)
		return 0;
	for (i = 0; i < *n; i++)
		if (keys[i].n == k->n && memcmp(keys[i].s, k->s, k->n) == 0)
			return 0;
	keys[(*n)++] = *k;
	return 1;
}

static int
key_is(const struct fast_span *k, const char *name)
{
	return k->n == strlen(name) && memcmp(k->s, name, k->n) == 0;
}

/* One member; source_id and target_prefix are kept as spans. */
static int
fast_member(struct fast *f, struct obs_run *r, struct fast_span *keys,
    size_t *n_keys, struct fast_span *src, struct fast_span *pfx, int *path,
    upm_status *st)
{
	struct fast_span k;

	fast_ws(f);
	if (!fast_string(f, &k) || !fast_new_key(keys, n_keys, &k) ||
	    !fast_take(f, ':'))
		return 0;
	fast_ws(f);
	if (key_is(&k, "source_id"))
		return fast_string(f, src);
	if (key_is(&k, "target_prefix"))
		return fast_string(f, pfx);
	if (key_is(&k, "path"))
		return (*path = fast_path(f, r, st));
	return fast_skip(f);
}

/* Copies a span as a C string into dst (size bytes); 0 if too long. */
static int
fast_copy(char *dst, size_t size, const struct fast_span *sp)
{
	if (sp->n >= size)
		return 0;
	memcpy(dst, sp->s, sp->n);
	dst[sp->n] = '\0';
	return 1;
}

/* Reads the element at s[0] == '{' when it lies whole in s[0..n) and is
 * plain.  Returns 1 when it was taken (*used bytes, *st the delivery's
 * status), 0 when the general path must take it. */
static int
fast_route(upm_parser *p, const char *s, size_t n, size_t *used,
    upm_status *st)
{
	struct fast f = { s + 1, s + n };
	struct fast_span keys[FAST_KEYS], src = { NULL, 0 }, pfx = { NULL, 0 };
	struct obs_run *r = &p->run;
	size_t n_keys = 0;
	int path = 0;

	r->err = p->err;
	upm_aspath_reset(&r->path);
	*st = UPM_OK;
	do {
		if (!fast_member(&f, r, keys, &n_keys, &src, &pfx, &path, st))
			return *st != UPM_OK;   /* out of memory: an answer too */
	} while (fast_take(&f, ','));
	if (!fast_take(&f, '}') || src.s == NULL || pfx.s == NULL || !path ||
	    !fast_copy(p->fast_peer, sizeof(p->fast_peer), &src) ||
	    !fast_copy(p->fast_prefix, sizeof(p->fast_prefix), &pfx))
		return 0;
	*used = (size_t)(f.s - s);
	r->obs.prefix = p->fast_prefix;
	r->obs.peer = p->fast_peer;
	*st = obs_deliver(r);
	return 1;
}

/* A bgp_state element begins at s[i]: read it fast when it can be, and
 * then go on after it.  Returns 0 to leave it to the general path. */
static int
fast_element(upm_parser *p, const char *s, size_t *i, size_t n,
    upm_status *st)
{
	size_t used;

	if (p->call != UPM_CALL_BGP_STATE || s[*i] != '{' ||
	    (p->state != S_VALUE && p->state != S_ELEM_OR_END) ||
	    top(p)->role != ROLE_STREAM)
		return 0;
	if (!fast_route(p, s + *i, n - *i, &used, st))
		return 0;
	if (*st != UPM_OK) {
		*st = fail_parser(p, *st);
		return 1;
	}
	*i += used;
	top(p)->count++;
	p->state = S_AFTER;
	return 1;
}

static upm_status
scan(upm_parser *p, const char *s, size_t n)
{
	upm_status st = UPM_OK;
	size_t i = 0;
	int consumed;

	while (i < n && st == UPM_OK) {
		if (p->state == S_WHOLE)
			return upm_buf_append(&p->whole, s + i, n - i) == UPM_OK ?
			    UPM_OK : fail_parser(p, upm_fail(p->err,
			    UPM_ERR_NOMEM, "out of memory"));
		if (p->state == S_CAPTURE) {
			i = capture(p, s, i, n, &st);
			continue;
		}
		if (p->state == S_KEY) {
			if (p->key.len == 0) {          /* the opening quote */
				if (upm_buf_append(&p->key, "\"", 1) != UPM_OK)
					return fail_parser(p, upm_fail(p->err,
					    UPM_ERR_NOMEM, "out of memory"));
				i++;
				continue;
			}
			i = key_scan(p, s, i, n, &st);
			continue;
		}
		if (fast_element(p, s, &i, n, &st))
			continue;
		st = structural(p, s[i], i, &consumed);
		if (consumed)
			i++;
	}
	return st;
}

upm_status
upm_parser_feed(upm_parser *p, const char *buf, size_t len, upm_error *err)
{
	upm_status st;

	if (p == NULL || (buf == NULL && len > 0))
		return upm_fail(err, UPM_ERR_ARG, "upm_parser_feed: missing argument");
	if (p->state == S_FAILED)
		return upm_fail(err, p->failed != UPM_OK ? p->failed : UPM_ERR_ARG,
		    "upm_parser_feed after the end of the parse");
	p->err = err;
	st = scan(p, buf, len);
	p->offset += len;
	p->err = NULL;
	return st;
}

/* ----------------------------------------------------------- the verdict */

static upm_status
whole_parse(upm_parser *p, upm_meta *meta, upm_error *err)
{
	const upm_sinks *k = &p->sinks;
	const char *b = p->whole.data;
	size_t n = p->whole.len;

	switch (p->call) {
	case UPM_CALL_BGP_STATE:
		return upm_parse_bgp_state(b, n, p->flags, k->obs, k->ctx, meta, err);
	case UPM_CALL_LOOKING_GLASS:
		return upm_parse_looking_glass(b, n, p->flags, k->obs, k->ctx,
		    meta, err);
	case UPM_CALL_ASN_NEIGHBOURS:
		return upm_parse_asn_neighbours(b, n, p->flags, k->neigh, k->ctx,
		    meta, err);
	case UPM_CALL_ROUTING_STATUS:
		return upm_parse_routing_status(b, n, p->flags, k->vis, meta, err);
	case UPM_CALL_ANNOUNCED_PREFIXES:
		return upm_parse_announced_prefixes(b, n, p->flags, k->prefix,
		    k->ctx, meta, err);
	}
	return upm_fail(err, UPM_ERR_ARG, "unknown data call");
}

static upm_status
finish_bgp_state(upm_parser *p, const json_t *data, upm_error *err)
{
	const json_t *routes;
	upm_status st;

	if ((st = read_meta(data, bgp_state_times, &p->meta, err)) != UPM_OK)
		return st;
	routes = json_object_get(data, "bgp_state");
	if (!json_is_array(routes))
		return upm_json_shapef(err, routes, "array", "data.bgp_state");
	return UPM_OK;
}

static upm_status
finish_looking_glass(upm_parser *p, const json_t *data, upm_error *err)
{
	const json_t *rrcs, *c;
	const char *name;
	upm_status st;

	if ((st = read_meta(data, lg_times, &p->meta, err)) != UPM_OK ||
	    (st = lg_params_resource(data, &p->meta, err)) != UPM_OK)
		return st;
	rrcs = json_object_get(data, "rrcs");
	if (!json_is_array(rrcs) && !json_is_object(rrcs))
		return upm_json_shapef(err, rrcs, "array or object", "data.rrcs");
	p->run.err = err;
	json_object_foreach(p->pending, name, c)
		if ((st = lg_collector_2017(&p->run, name, c, data)) != UPM_OK)
			return st;
	return UPM_OK;
}

upm_status
upm_parser_finish(upm_parser *p, upm_meta *meta, upm_error *err)
{
	json_t *data = NULL;
	upm_status st;

	if (meta != NULL)
		memset(meta, 0, sizeof(*meta));
	if (p == NULL)
		return upm_fail(err, UPM_ERR_ARG, "upm_parser_finish: no parser");
	if (p->state == S_FAILED)
		return upm_fail(err, p->failed != UPM_OK ? p->failed : UPM_ERR_ARG,
		    "upm_parser_finish called twice or after a failure");
	if (p->state == S_WHOLE || (p->state == S_START && p->offset == 0)) {
		st = whole_parse(p, meta, err);
		return fail_parser(p, st);   /* finish is once only */
	}
	if (p->state != S_DONE)
		return fail_parser(p, upm_fail(err, UPM_ERR_JSON,
		    "invalid JSON at byte %llu: premature end of input",
		    (unsigned long long)p->offset));
	st = upm_ripestat_envelope(p->root, p->flags, &p->meta, &data, err);
	if (st == UPM_OK)
		st = p->call == UPM_CALL_BGP_STATE ?
		    finish_bgp_state(p, data, err) :
		    finish_looking_glass(p, data, err);
	if (meta != NULL)
		*meta = p->meta;
	return fail_parser(p, st);
}

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

#include "upstreams.h"

/* ------------------------------------------------------------ messages */

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

/* Copies server text for meta fields and error messages: cut to fit
 * (informational, so never an error) at a UTF-8 character boundary, and
 * control characters made spaces so that a Nagios status line or a log
 * line stays one line. */
static const char *
copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src), i;

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		dst[i] = ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ?
		    ' ' : src[i];
	dst[n] = '\0';
	return dst;
}

/* "<path>: expected <want>, got <what>" where path is printf-formatted.
 * The path names the JSON field so a report points at the culprit. */
static upm_status
shape(upm_error *err, const json_t *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static upm_status
shape(upm_error *err, const json_t *got, const char *want, const char *fmt, ...)
{
	char path[160], text[48];
	va_list ap;

	va_start(ap, fmt);
	/* A cut path still names the field's start; good enough for a message. */
	(void)vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (got == NULL)
		return upm_fail(err, UPM_ERR_SHAPE, "%s: expected %s (missing)",
		    path, want);
	if (json_is_string(got))
		return upm_fail(err, UPM_ERR_SHAPE,
		    "%s: expected %s, got string '%s'", path, want,
		    copy_text(text, sizeof(text), json_string_value(got)));
	if (json_is_integer(got))
		return upm_fail(err, UPM_ERR_SHAPE,
		    "%s: expected %s, got integer %lld", path, want,
		    (long long)json_integer_value(got));
	return upm_fail(err, UPM_ERR_SHAPE, "%s: expected %s, got %s", path,
	    want, type_name(got));
}

/* ------------------------------------------------------------ envelope */

/* jansson quotes the offending input ("near '...'"), which may be any
 * bytes: keep the error text printable ASCII. */
static void
ascii_only(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* Text of the first well-formed [level, text] pair; malformed ones are
 * skipped, since messages are advisory and must never fail a parse. */
static void
first_message(const json_t *root, upm_meta *meta)
{
	const json_t *msgs = json_object_get(root, "messages");
	const json_t *m, *text;
	size_t i;

	json_array_foreach(msgs, i, m) {
		text = json_array_get(m, 1);
		if (json_is_string(text)) {
			copy_text(meta->messages, sizeof(meta->messages),
			    json_string_value(text));
			return;
		}
	}
}

static upm_status
check_status(const json_t *root, const upm_meta *meta, upm_error *err)
{
	const json_t *status = json_object_get(root, "status");
	char text[48];

	if (!json_is_string(status))
		return shape(err, status, "string", "status");
	if (strcmp(json_string_value(status), "ok") == 0)
		return UPM_OK;
	copy_text(text, sizeof(text), json_string_value(status));
	if (meta->messages[0] != '\0')
		return upm_fail(err, UPM_ERR_STATUS, "RIPEstat status '%s': %.300s",
		    text, meta->messages);
	return upm_fail(err, UPM_ERR_STATUS, "RIPEstat status '%s'", text);
}

/* Only "supported..." data calls are trusted; "maintenance..." is the
 * announced form of the empty-data maintenance answer. */
static upm_status
check_call_status(const json_t *root, upm_error *err)
{
	const json_t *dcs = json_object_get(root, "data_call_status");
	char text[200];

	if (!json_is_string(dcs))
		return shape(err, dcs, "string", "data_call_status");
	copy_text(text, sizeof(text), json_string_value(dcs));
	if (strncmp(text, "supported", 9) == 0)
		return UPM_OK;
	if (strncmp(text, "maintenance", 11) == 0)
		return upm_fail(err, UPM_ERR_MAINTENANCE,
		    "RIPEstat data call in maintenance: data_call_status '%s'", text);
	return upm_fail(err, UPM_ERR_STATUS,
	    "RIPEstat data call not supported: data_call_status '%s'", text);
}

static upm_status
check_data(const json_t *data, upm_error *err)
{
	if (data != NULL && !json_is_object(data))
		return shape(err, data, "object", "data");
	if (data == NULL || json_object_size(data) == 0)
		return upm_fail(err, UPM_ERR_MAINTENANCE,
		    "RIPEstat answered without data (maintenance?)");
	return UPM_OK;
}

/* Parses buf and checks the envelope.  On UPM_OK *root is the document
 * (caller json_decref()s it) and *data its "data" object (borrowed). */
static upm_status
open_response(const char *buf, size_t len, int flags, upm_meta *meta,
    json_t **root, json_t **data, upm_error *err)
{
	json_error_t jerr;
	upm_status st;
	json_t *doc;

	*root = *data = NULL;
	/* NUL inside strings stays rejected (no JSON_ALLOW_NUL): our records
	 * are C strings and a NUL would silently cut them. */
	doc = json_loadb(buf != NULL ? buf : "", buf != NULL ? len : 0,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		ascii_only(jerr.text);
		return upm_fail(err, UPM_ERR_JSON,
		    "invalid JSON at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
	}
	if (!json_is_object(doc)) {
		st = shape(err, doc, "object", "top level");
		json_decref(doc);
		return st;
	}
	if (flags & UPM_PARSE_DATA_ONLY) {
		st = check_data(doc, err);
	} else {
		first_message(doc, meta);
		if ((st = check_status(doc, meta, err)) == UPM_OK &&
		    (st = check_call_status(doc, err)) == UPM_OK)
			st = check_data(json_object_get(doc, "data"), err);
	}
	if (st != UPM_OK) {
		json_decref(doc);
		return st;
	}
	*root = doc;
	*data = (flags & UPM_PARSE_DATA_ONLY) ? doc : json_object_get(doc, "data");
	return UPM_OK;
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
			return shape(err, v, "string", "data.%s", *keys);
		copy_text(meta->data_time, sizeof(meta->data_time),
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
		copy_text(meta->resource, sizeof(meta->resource),
		    json_string_value(v));
	else if (json_is_integer(v))
		(void)snprintf(meta->resource, sizeof(meta->resource), "%lld",
		    (long long)json_integer_value(v));
	else
		return shape(err, v, "string or integer", "%s", path);
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
	uint32_t *path;        /* the one path buffer, grown as needed */
	size_t path_cap;
	upm_observation obs;
	char peer[128];
};

static upm_status
path_push(struct obs_run *r, uint32_t asn)
{
	if (r->obs.path_len == r->path_cap) {
		size_t cap = r->path_cap ? r->path_cap * 2 : 32;
		uint32_t *p = realloc(r->path, cap * sizeof(*p));

		if (p == NULL)
			return upm_fail(r->err, UPM_ERR_NOMEM, "out of memory");
		r->path = p;
		r->path_cap = cap;
	}
	r->path[r->obs.path_len++] = asn;
	return UPM_OK;
}

static void
obs_start(struct obs_run *r, const char *prefix, const char *peer)
{
	r->obs.prefix = prefix;
	r->obs.peer = peer;
	r->obs.path = NULL;
	r->obs.path_len = 0;
	r->obs.unusable = 0;
}

/* Hands the finished observation over; an unusable one has no path. */
static upm_status
obs_deliver(struct obs_run *r)
{
	if (r->obs.path_len == 0)
		r->obs.unusable = 1;
	if (r->obs.unusable)
		r->obs.path_len = 0;
	r->obs.path = r->obs.path_len ? r->path : NULL;
	r->meta->records++;
	if (r->sink != NULL && r->sink(r->ctx, &r->obs) != 0)
		return upm_fail(r->err, UPM_ERR_ABORTED,
		    "parse stopped by the receiver after %zu records",
		    r->meta->records);
	return UPM_OK;
}

/* One AS number of a textual path: plain decimal digits, 1..4294967295. */
static int
asn_token(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

/* "34549 1853 1205" into the path buffer; an AS_SET ("{1,2}") or any
 * other junk token makes the observation unusable (never guessed at). */
static upm_status
path_from_text(struct obs_run *r, const char *s)
{
	uint32_t asn;
	size_t n;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return UPM_OK;
		n = strcspn(s, " \t");
		if (!asn_token(s, n, &asn)) {
			r->obs.unusable = 1;
			return UPM_OK;
		}
		if (path_push(r, asn) != UPM_OK)
			return UPM_ERR_NOMEM;
		s += n;
	}
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
			r->obs.unusable = 1;
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

/* ----------------------------------------------------------- bgp-state */

static upm_status
bgp_state_route(struct obs_run *r, const json_t *e, size_t i)
{
	const json_t *src, *path, *prefix;
	upm_status st;

	if (!json_is_object(e))
		return shape(r->err, e, "object", "data.bgp_state[%zu]", i);
	src = json_object_get(e, "source_id");
	path = json_object_get(e, "path");
	prefix = json_object_get(e, "target_prefix");
	if (!json_is_string(src))
		return shape(r->err, src, "string", "data.bgp_state[%zu].source_id", i);
	if (!json_is_array(path))
		return shape(r->err, path, "array", "data.bgp_state[%zu].path", i);
	if (!json_is_string(prefix))
		return shape(r->err, prefix, "string",
		    "data.bgp_state[%zu].target_prefix", i);
	obs_start(r, json_string_value(prefix), json_string_value(src));
	if ((st = path_from_array(r, path)) != UPM_OK)
		return st;
	return obs_deliver(r);
}

upm_status
upm_parse_bgp_state(const char *buf, size_t len, int flags, upm_obs_sink sink,
    void *ctx, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_time", "timestamp", NULL };
	upm_meta scratch;
	struct obs_run r;
	json_t *root, *data, *routes, *e;
	upm_status st;
	size_t i;

	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	if ((st = open_response(buf, len, flags, meta, &root, &data, err)))
		return st;
	obs_run_init(&r, sink, ctx, meta, err);
	if ((st = read_meta(data, time_keys, meta, err)) != UPM_OK)
		goto out;
	routes = json_object_get(data, "bgp_state");
	if (!json_is_array(routes)) {
		st = shape(err, routes, "array", "data.bgp_state");
		goto out;
	}
	json_array_foreach(routes, i, e)
		if ((st = bgp_state_route(&r, e, i)) != UPM_OK)
			break;
out:
	free(r.path);
	json_decref(root);
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
		return shape(r->err, e, "object", "%s[%zu]", list, j);
	path = json_object_get(e, "as_path");
	addr = json_object_get(e, peer_key);
	if (!json_is_string(path))
		return shape(r->err, path, "string", "%s[%zu].as_path", list, j);
	if (!json_is_string(addr))
		return shape(r->err, addr, "string", "%s[%zu].%s", list, j, peer_key);
	if (prefix == NULL) {
		pfx = json_object_get(e, "prefix");
		if (!json_is_string(pfx))
			return shape(r->err, pfx, "string", "%s[%zu].prefix",
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
		return shape(r->err, routes, "array", "%s", list);
	json_array_foreach(routes, j, e)
		if ((st = lg_route(r, rrc, prefix, e, list, j, peer_key)))
			return st;
	return UPM_OK;
}

/* Current API: "rrcs": [{"rrc": "RRC00", "peers": [{as_path, prefix,
 * peer, ...}]}]. */
static upm_status
lg_current(struct obs_run *r, const json_t *rrcs)
{
	const json_t *c, *name;
	char list[64];
	upm_status st;
	size_t i;

	json_array_foreach(rrcs, i, c) {
		if (!json_is_object(c))
			return shape(r->err, c, "object", "data.rrcs[%zu]", i);
		name = json_object_get(c, "rrc");
		if (!json_is_string(name))
			return shape(r->err, name, "string", "data.rrcs[%zu].rrc", i);
		/* At most 37 characters: never cut. */
		(void)snprintf(list, sizeof(list), "data.rrcs[%zu].peers", i);
		st = lg_routes(r, json_string_value(name), NULL,
		    json_object_get(c, "peers"), list, "peer");
		if (st != UPM_OK)
			return st;
	}
	return UPM_OK;
}

/* 2017 API: "rrcs": {"RRC00": {"prefix": ..., "entries": [{as_path,
 * update_from, ...}]}}; the prefix is the collector's or the query's. */
static upm_status
lg_2017(struct obs_run *r, json_t *rrcs, const json_t *data)
{
	const json_t *c, *pfx;
	const char *name;
	char list[96], shown[41];
	upm_status st;

	json_object_foreach(rrcs, name, c) {
		copy_text(shown, sizeof(shown), name);
		if (!json_is_object(c))
			return shape(r->err, c, "object", "data.rrcs.%s", shown);
		pfx = json_object_get(c, "prefix");
		if (pfx == NULL)
			pfx = json_object_get(data, "resource");
		if (!json_is_string(pfx))
			return shape(r->err, pfx, "string", "data.rrcs.%s.prefix",
			    shown);
		/* The shown name is at most 40 bytes: 58 in all, never cut. */
		(void)snprintf(list, sizeof(list), "data.rrcs.%s.entries", shown);
		st = lg_routes(r, name, json_string_value(pfx),
		    json_object_get(c, "entries"), list, "update_from");
		if (st != UPM_OK)
			return st;
	}
	return UPM_OK;
}

upm_status
upm_parse_looking_glass(const char *buf, size_t len, int flags,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "latest_time", "query_time", NULL };
	upm_meta scratch;
	struct obs_run r;
	json_t *root, *data, *rrcs, *params;
	upm_status st;

	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	if ((st = open_response(buf, len, flags, meta, &root, &data, err)))
		return st;
	obs_run_init(&r, sink, ctx, meta, err);
	params = json_object_get(data, "parameters");
	if ((st = read_meta(data, time_keys, meta, err)) == UPM_OK &&
	    meta->resource[0] == '\0' && json_is_object(params))
		st = meta_resource(json_object_get(params, "resource"),
		    "data.parameters.resource", meta, err);
	if (st != UPM_OK)
		goto out;
	rrcs = json_object_get(data, "rrcs");
	if (json_is_array(rrcs))
		st = lg_current(&r, rrcs);
	else if (json_is_object(rrcs))
		st = lg_2017(&r, rrcs, data);
	else
		st = shape(err, rrcs, "array or object", "data.rrcs");
out:
	free(r.path);
	json_decref(root);
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
		return shape(err, e, "object", "data.neighbours[%zu]", i);
	asn = json_object_get(e, "asn");
	if (!count_value(asn, &a) || a < 1 || a > UINT32_MAX)
		return shape(err, asn, "AS number 1..4294967295",
		    "data.neighbours[%zu].asn", i);
	n->asn = (uint32_t)a;
	type = json_object_get(e, "type");
	if (!json_is_string(type) || !neigh_type(json_string_value(type), &n->type))
		return shape(err, type, "\"left\", \"right\" or \"uncertain\"",
		    "data.neighbours[%zu].type", i);
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		v = json_object_get(e, counts[k]);
		if (!count_value(v, dst[k]))
			return shape(err, v, "non-negative integer",
			    "data.neighbours[%zu].%s", i, counts[k]);
	}
	return UPM_OK;
}

upm_status
upm_parse_asn_neighbours(const char *buf, size_t len, int flags,
    upm_neigh_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_endtime", "query_time", NULL };
	upm_meta scratch;
	upm_neighbour n;
	json_t *root, *data, *list, *e;
	upm_status st;
	size_t i;

	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	if ((st = open_response(buf, len, flags, meta, &root, &data, err)))
		return st;
	if ((st = read_meta(data, time_keys, meta, err)) != UPM_OK)
		goto out;
	list = json_object_get(data, "neighbours");
	if (!json_is_array(list)) {
		st = shape(err, list, "array", "data.neighbours");
		goto out;
	}
	json_array_foreach(list, i, e) {
		if ((st = neighbour(e, i, &n, err)) != UPM_OK)
			break;
		meta->records++;
		if (sink != NULL && sink(ctx, &n) != 0) {
			st = upm_fail(err, UPM_ERR_ABORTED,
			    "parse stopped by the receiver after %zu records",
			    meta->records);
			break;
		}
	}
out:
	json_decref(root);
	return st;
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
		return shape(err, f, "object", "data.visibility.%s", fam);
	s = json_object_get(f, "ris_peers_seeing");
	t = json_object_get(f, "total_ris_peers");
	if (!count_value(s, seeing))
		return shape(err, s, "non-negative integer",
		    "data.visibility.%s.ris_peers_seeing", fam);
	if (!count_value(t, total))
		return shape(err, t, "non-negative integer",
		    "data.visibility.%s.total_ris_peers", fam);
	return UPM_OK;
}

upm_status
upm_parse_routing_status(const char *buf, size_t len, int flags,
    upm_visibility *vis, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_time", NULL };
	upm_visibility v;
	upm_meta scratch;
	json_t *root, *data, *jv;
	upm_status st;

	memset(&v, 0, sizeof(v));
	if (vis != NULL)
		*vis = v;
	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	if ((st = open_response(buf, len, flags, meta, &root, &data, err)))
		return st;
	if ((st = read_meta(data, time_keys, meta, err)) != UPM_OK)
		goto out;
	jv = json_object_get(data, "visibility");
	if (jv == NULL)
		goto out;
	if (!json_is_object(jv)) {
		st = shape(err, jv, "object", "data.visibility");
		goto out;
	}
	if ((st = visibility_family(jv, "v4", &v.v4_seeing, &v.v4_total, err)) ||
	    (st = visibility_family(jv, "v6", &v.v6_seeing, &v.v6_total, err)))
		goto out;
	v.have = 1;
	meta->records = 1; /* the one visibility record */
	if (vis != NULL)
		*vis = v;
out:
	json_decref(root);
	return st;
}

/* --------------------------------------------------- announced-prefixes */

/* Prefixes become request parameters later, so each one is checked. */
static upm_status
announced_prefix(const json_t *e, size_t i, const char **out, upm_error *err)
{
	const json_t *p;

	if (!json_is_object(e))
		return shape(err, e, "object", "data.prefixes[%zu]", i);
	p = json_object_get(e, "prefix");
	if (!json_is_string(p) || upm_prefix_check(json_string_value(p), NULL))
		return shape(err, p, "IP prefix string", "data.prefixes[%zu].prefix",
		    i);
	*out = json_string_value(p);
	return UPM_OK;
}

upm_status
upm_parse_announced_prefixes(const char *buf, size_t len, int flags,
    upm_prefix_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	static const char *const time_keys[] = { "query_endtime", "latest_time",
		NULL };
	upm_meta scratch;
	json_t *root, *data, *list, *e;
	const char *prefix = NULL;
	upm_status st;
	size_t i;

	if (meta == NULL)
		meta = &scratch;
	memset(meta, 0, sizeof(*meta));
	if ((st = open_response(buf, len, flags, meta, &root, &data, err)))
		return st;
	if ((st = read_meta(data, time_keys, meta, err)) != UPM_OK)
		goto out;
	list = json_object_get(data, "prefixes");
	if (!json_is_array(list)) {
		st = shape(err, list, "array", "data.prefixes");
		goto out;
	}
	json_array_foreach(list, i, e) {
		if ((st = announced_prefix(e, i, &prefix, err)) != UPM_OK)
			break;
		meta->records++;
		if (sink != NULL && sink(ctx, prefix) != 0) {
			st = upm_fail(err, UPM_ERR_ABORTED,
			    "parse stopped by the receiver after %zu records",
			    meta->records);
			break;
		}
	}
out:
	json_decref(root);
	return st;
}

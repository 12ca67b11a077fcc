/*
 * parse_lg.c - the public looking glasses' JSON answers as observations:
 * the NLNOG RING looking glass (/api/prefix?q=) and Alice-LG route-server
 * looking glasses (/api/v1/lookup/prefix?q=).
 *
 * Neither has RIPEstat's envelope: an answer is a JSON object, and an
 * "error" (NLNOG) or an error object without routes (Alice) is refused.
 * Unknown keys are ignored; a wrong type is UPM_ERR_SHAPE naming the field.
 * Paths are built in one growable buffer: nothing is kept between records.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "query_ext.h"

#define MAX_PATH_LEN 4096   /* longer paths are junk: counted unusable */

/* -------------------------------------------------------------- paths */

/* The path of one route, built token by token. */
struct path {
	uint32_t *v;
	size_t n, cap;
	int unusable;
};

static int
path_push(struct path *p, uint32_t asn)
{
	if (p->n == MAX_PATH_LEN) {
		p->unusable = 1;
		return 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		uint32_t *v = realloc(p->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = asn;
	return 0;
}

/* One AS token: "4837", "AS4837" or an integer.  Anything else (an AS_SET
 * "{1,2}", a name) makes the path unusable: never guessed at.  An empty
 * string is no hop (openbgpd writes "" for a locally originated route). */
static int
path_token(struct path *p, const json_t *tok)
{
	uint32_t asn;

	if (json_is_integer(tok)) {
		json_int_t v = json_integer_value(tok);
		if (v <= 0 || v > (json_int_t)UINT32_MAX) {
			p->unusable = 1;
			return 0;
		}
		return path_push(p, (uint32_t)v);
	}
	if (!json_is_string(tok)) {
		p->unusable = 1;
		return 0;
	}
	if (json_string_value(tok)[0] == '\0')
		return 0;
	if (upm_asn_parse(json_string_value(tok), &asn, NULL) != UPM_OK) {
		p->unusable = 1;
		return 0;
	}
	return path_push(p, asn);
}

/* Hands one route to the sink; 1 when the sink asked to stop, -1 on
 * allocation failure. */
static int
emit(struct path *p, const char *prefix, const char *peer, upm_obs_sink sink,
    void *ctx, upm_meta *meta)
{
	upm_observation obs;

	memset(&obs, 0, sizeof(obs));
	obs.prefix = prefix;
	obs.peer = peer;
	obs.unusable = p->unusable || p->n == 0;
	obs.path = obs.unusable ? NULL : p->v;
	obs.path_len = obs.unusable ? 0 : p->n;
	if (meta != NULL)
		meta->records++;
	return sink(ctx, &obs) != 0 ? 1 : 0;
}

/* "2023-01-01 12:00:00 UTC" or "2023-01-01T12:00:00.123Z" or with an
 * offset "+02:00": the UTC time as "2023-01-01T10:00:00"; "" when it is
 * none of these. */
static void
lg_time(const char *s, char *out, size_t len)
{
	char iso[20];
	int64_t t;
	const char *rest;

	out[0] = '\0';
	if (strlen(s) < 19)
		return;
	memcpy(iso, s, 19);
	iso[19] = '\0';
	if (iso[10] == ' ')
		iso[10] = 'T';
	if (upm_time_parse(iso, &t, NULL) != UPM_OK)
		return;
	rest = s + 19;
	if (*rest == '.')
		for (rest++; isdigit((unsigned char)*rest); rest++)
			;
	if ((rest[0] == '+' || rest[0] == '-') &&
	    isdigit((unsigned char)rest[1]) && isdigit((unsigned char)rest[2]) &&
	    rest[3] == ':' && isdigit((unsigned char)rest[4]) &&
	    isdigit((unsigned char)rest[5])) {
		int64_t off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
		    ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
		t += rest[0] == '+' ? -off : off;
	} else if (!(rest[0] == '\0' || strcmp(rest, "Z") == 0 ||
	    strcmp(rest, " UTC") == 0))
		return;
	(void)upm_time_format(t, out, len);
}

static upm_status
sink_status(int rc, upm_error *err)
{
	if (rc < 0)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (rc > 0)
		return upm_fail(err, UPM_ERR_ABORTED, "stopped by the caller");
	return UPM_OK;
}

/* --------------------------------------------------------------- NLNOG */

/* One hop of an NLNOG aspath: ["4837", "CHINA169 ..."] or a bare token. */
static int
nlnog_hop(struct path *p, const json_t *hop)
{
	if (json_is_array(hop))
		return path_token(p, json_array_get(hop, 0));
	return path_token(p, hop);
}

static upm_status
nlnog_route(const json_t *route, const char *prefix, size_t idx,
    struct path *p, upm_obs_sink sink, void *ctx, upm_meta *meta,
    upm_error *err)
{
	const json_t *aspath, *ip, *hop;
	char where[160], peer[96];
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
	(void)snprintf(peer, sizeof(peer), "nlnog/%.80s",
	    ip != NULL ? json_string_value(ip) : "");
	p->n = 0;
	p->unusable = 0;
	json_array_foreach(aspath, i, hop)
		if (nlnog_hop(p, hop) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return sink_status(emit(p, prefix, peer, sink, ctx, meta), err);
}

static upm_status
nlnog_routes(const json_t *routes, upm_obs_sink sink, void *ctx,
    upm_meta *meta, upm_error *err)
{
	const char *prefix;
	const json_t *list, *route;
	struct path p = { NULL, 0, 0, 0 };
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
	free(p.v);
	return st;
}

/* A looking glass that says it failed; its text is the reason. */
static upm_status
lg_error(const json_t *root, const char *key, const char *who, upm_error *err)
{
	const json_t *e = json_object_get(root, key);
	char text[200];

	if (e == NULL || json_is_null(e))
		return UPM_OK;
	if (json_is_string(e))
		return upm_fail(err, UPM_ERR_STATUS, "%s error: %s", who,
		    upm_copy_text(text, sizeof(text), json_string_value(e)));
	return upm_fail(err, UPM_ERR_STATUS, "%s error", who);
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
	if ((st = lg_error(root, "error", "NLNOG looking glass", err)) != UPM_OK)
		goto out;
	if (meta != NULL) {
		if (json_is_string(v = json_object_get(root, "collected")))
			lg_time(json_string_value(v), meta->data_time,
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

/* --------------------------------------------------------------- Alice */

static const json_t *
alice_neighbour(const json_t *route)
{
	const json_t *n = json_object_get(route, "neighbor");

	return n != NULL ? n : json_object_get(route, "neighbour");
}

/* "alice/<route server>/<neighbour address or id>". */
static upm_status
alice_peer(const json_t *route, const char *where, char *peer, size_t len,
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
	(void)snprintf(peer, len, "alice/%.40s/%.48s",
	    json_is_string(rsid) ? json_string_value(rsid) : "rs",
	    json_is_string(nid) ? json_string_value(nid) : "");
	return UPM_OK;
}

static upm_status
alice_route(const json_t *route, size_t idx, struct path *p,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	const json_t *net, *bgp, *aspath, *hop;
	char where[64], path[96], peer[104];
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
	if ((st = alice_peer(route, where, peer, sizeof(peer), err)) != UPM_OK)
		return st;
	p->n = 0;
	p->unusable = 0;
	json_array_foreach(aspath, i, hop)
		if (path_token(p, hop) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return sink_status(emit(p, json_string_value(net), peer, sink, ctx,
	    meta), err);
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
	struct path p = { NULL, 0, 0, 0 };
	upm_status st;
	size_t i;

	if ((st = upm_json_open(buf, len, &root, err)) != UPM_OK)
		return st;
	imported = json_object_get(root, "imported");
	/* Alice's error answer: {"message": ..., "code": ..., "tag": ...}. */
	if (imported == NULL && json_object_get(root, "code") != NULL) {
		st = lg_error(root, "message", "Alice-LG", err);
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
			lg_time(json_string_value(v), meta->data_time,
			    sizeof(meta->data_time));
	}
	if ((st = alice_imported(imported, &routes, meta, err)) != UPM_OK)
		goto out;
	json_array_foreach(routes, i, route)
		if ((st = alice_route(route, i, &p, sink, ctx, meta, err)) != UPM_OK)
			break;
out:
	free(p.v);
	json_decref(root);
	return st;
}

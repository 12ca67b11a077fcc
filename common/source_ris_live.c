/*
 * source_ris_live.c - RIS Live (ris-live): the RIPE NCC's stream of the
 * route collectors' BGP messages, seconds after the collectors see them.
 * A live stream, not an answer: the collectd plugin reads it (Source
 * "ris-live"); a query for one moment refuses it (ready).
 *
 * What RIS Live's manual (ris-live.ripe.net/manual/) says and this file
 * relies on:
 *  - the HTTP stream GET /v1/stream/?format=json&client=<name> sends one
 *    JSON message per line, for ever; its filter is one ris_subscribe
 *    object in the X-RIS-Subscribe request header;
 *  - a message is {"type": ..., "data": {...}}: "ris_message" carries a
 *    BGP message (data.type "UPDATE", "RIS_PEER_STATE", "OPEN",
 *    "NOTIFICATION", "KEEPALIVE"), "ris_error" an error (data.message);
 *    a client too slow to keep up gets a final error message and the
 *    connection is closed;
 *  - data of a ris_message: timestamp (Unix seconds with a fraction),
 *    peer (address), peer_asn (a string), host (the collector, "rrc21"),
 *    and for UPDATE path (AS numbers, an AS_SET as a nested list),
 *    announcements [{next_hop, prefixes[]}], withdrawals [prefixes]; for
 *    RIS_PEER_STATE state ("connected", "down");
 *  - the filter's prefix (one prefix or a list) with moreSpecific (more
 *    specific prefixes too, the default) selects UPDATE messages by the
 *    prefixes they announce or withdraw.  A RIS_PEER_STATE message has
 *    no prefix, so it does not pass a prefix filter: peer states need a
 *    subscription of their own ({"type": "RIS_PEER_STATE"}), which the
 *    plugin opens as a second stream.
 *  - RIS beacons (ris.ripe.net, "RIS routing beacons"): 84.205.64.0/24
 *    (rrc00's; one /24 per collector in 84.205.64.0/18, 2001:7fb:fe00::/48
 *    and its neighbours for IPv6) are announced every 4 hours from 00:00
 *    UTC and withdrawn 2 hours later, so a subscription that includes one
 *    carries a message at least every 2 hours.
 *
 * The session of a stream message is named as RIPEstat names it
 * (bgp-state's and bgp-updates' source_id "<collector number>-<peer>",
 * "21-192.0.2.1" for host "rrc21"), so that a table seeded from bgp-state
 * and backfilled from bgp-updates is continued by the stream route for
 * route.
 *
 * The parser is pure: bytes in (any split), events out through the sink.
 * A line longer than the cap is skipped whole without being held; a line
 * that is not a message (garbage, a JSON value of another shape, an
 * invalid prefix) is counted and skipped; nothing grows with the input
 * but the counters.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

struct ris_live_parser {
	upm_sink sink;
	char *line;
	size_t len, cap, max;
	int skipping;               /* inside a line over the cap */
	upm_aspath path;
	upm_ris_live_stats stats;
};

static upm_status
ris_live_ready(const upm_query_opts *q, upm_error *err)
{
	(void)q;
	return upm_fail(err, UPM_ERR_ARG, "ris-live is a live stream: the "
	    "collectd plugin reads it (Source \"ris-live\")");
}

/* The stream's public URL with the client name (q's sourceapp); the
 * resource is the subscription's business, not the URL's. */
static upm_status
ris_live_request(const upm_query_opts *q, const char *resource, char **url,
    upm_error *err)
{
	char buf[256];
	int n;

	(void)resource;
	n = snprintf(buf, sizeof(buf), "%s%s", UPM_RIS_LIVE_URL,
	    q->sourceapp != NULL ? q->sourceapp : UPM_SOURCEAPP);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return upm_fail(err, UPM_ERR_ARG, "client name too long");
	if ((*url = strdup(buf)) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

upm_ris_live_parser *
upm_ris_live_parser_new(const upm_sink *sink, size_t max_line,
    upm_error *err)
{
	upm_ris_live_parser *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->sink = *sink;
	p->max = max_line > 0 ? max_line : UPM_RIS_LIVE_MAX_LINE;
	return p;
}

void
upm_ris_live_parser_free(upm_ris_live_parser *p)
{
	if (p == NULL)
		return;
	free(p->line);
	free(p->path.v);
	free(p);
}

int64_t
upm_ris_live_parser_take_newest(upm_ris_live_parser *p)
{
	int64_t t = p->stats.newest_since;

	p->stats.newest_since = 0;
	return t;
}

const upm_ris_live_stats *
upm_ris_live_parser_stats(const upm_ris_live_parser *p)
{
	return &p->stats;
}

/* "rrc21" + "192.0.2.1" -> "21-192.0.2.1" (RIPEstat's source_id); a host
 * of another form is kept whole ("host-peer"). */
static int
session_name(const char *host, const char *peer, char *out, size_t len)
{
	const char *h = host;
	int n;

	if (strncmp(host, "rrc", 3) == 0 && isdigit((unsigned char)host[3]))
		h = host + 3;
	n = snprintf(out, len, "%.*s-%s", (int)strcspn(h, "."), h, peer);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* The path of an UPDATE into p->path (vantage point first). */
static upm_status
read_path(upm_ris_live_parser *p, const json_t *path)
{
	uint32_t members[64];
	size_t i, k, n;
	upm_status st;
	const json_t *hop, *m;

	upm_aspath_reset(&p->path);
	if (!json_is_array(path)) {
		p->path.unusable = 1;
		return UPM_OK;
	}
	json_array_foreach(path, i, hop) {
		if (!json_is_array(hop)) {
			if ((st = upm_aspath_json_hop(&p->path, hop)) != UPM_OK)
				return st;
			continue;
		}
		n = 0;
		json_array_foreach(hop, k, m) {
			if (!json_is_integer(m) || json_integer_value(m) <= 0 ||
			    json_integer_value(m) > (json_int_t)UINT32_MAX ||
			    n == sizeof(members) / sizeof(members[0])) {
				p->path.unusable = 1;
				p->path.malformed = 1;
				n = 0;
				break;
			}
			members[n++] = (uint32_t)json_integer_value(m);
		}
		if (n > 0 && (st = upm_aspath_set(&p->path, members, n)) != UPM_OK)
			return st;
	}
	return UPM_OK;
}

static int
emit(upm_ris_live_parser *p, upm_event *ev)
{
	if (p->sink.event == NULL)
		return 0;
	return p->sink.event(p->sink.ctx, ev);
}

/* An ANNOUNCE of prefix with p->path. */
static int
announce(upm_ris_live_parser *p, upm_event base, const char *prefix)
{
	upm_observation obs;

	memset(&obs, 0, sizeof(obs));
	upm_aspath_observation(&p->path, prefix, base.session, &obs);
	base.kind = UPM_EV_ANNOUNCE;
	base.prefix = prefix;
	base.path = obs.path;
	base.path_len = obs.path_len;
	base.unusable = obs.unusable;
	base.malformed = obs.malformed;
	base.aset_path = obs.aset_path;
	base.aset_path_len = obs.aset_path_len;
	base.aset_len = obs.aset_len;
	return emit(p, &base);
}

static int
prefix_ok(const json_t *v)
{
	return json_is_string(v) && upm_prefix_check(json_string_value(v),
	    NULL) == UPM_OK;
}

/* One UPDATE: every announced prefix, then every withdrawn one. */
static upm_status
update(upm_ris_live_parser *p, const json_t *data, upm_event base,
    upm_error *err)
{
	const json_t *ann = json_object_get(data, "announcements");
	const json_t *wd = json_object_get(data, "withdrawals");
	const json_t *a, *pfx;
	size_t i, k;
	upm_status st;

	if ((ann != NULL && !json_is_array(ann)) ||
	    (wd != NULL && !json_is_array(wd))) {
		p->stats.garbage++;
		return UPM_OK;
	}
	if (ann != NULL && json_array_size(ann) > 0 &&
	    (st = read_path(p, json_object_get(data, "path"))) != UPM_OK)
		return upm_fail(err, st, "out of memory");
	p->stats.updates++;
	json_array_foreach(ann, i, a) {
		json_array_foreach(json_object_get(a, "prefixes"), k, pfx) {
			if (!prefix_ok(pfx)) {
				p->stats.bad_prefixes++;
				continue;
			}
			if (announce(p, base, json_string_value(pfx)) != 0)
				return upm_fail(err, UPM_ERR_ABORTED,
				    "stopped by the sink");
		}
	}
	json_array_foreach(wd, i, pfx) {
		if (!prefix_ok(pfx)) {
			p->stats.bad_prefixes++;
			continue;
		}
		base.kind = UPM_EV_WITHDRAW;
		base.prefix = json_string_value(pfx);
		if (emit(p, &base) != 0)
			return upm_fail(err, UPM_ERR_ABORTED, "stopped by the sink");
	}
	return UPM_OK;
}

static uint32_t
peer_asn_of(const json_t *v)
{
	uint32_t asn = 0;

	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= (json_int_t)UINT32_MAX)
		return (uint32_t)json_integer_value(v);
	if (json_is_string(v) && upm_asn_parse(json_string_value(v), &asn,
	    NULL) == UPM_OK)
		return asn;
	return 0;
}

/* One ris_message. */
static upm_status
message(upm_ris_live_parser *p, const json_t *data, upm_error *err)
{
	const char *type = json_string_value(json_object_get(data, "type"));
	const char *host = json_string_value(json_object_get(data, "host"));
	const char *peer = json_string_value(json_object_get(data, "peer"));
	const json_t *ts = json_object_get(data, "timestamp");
	const char *state;
	char session[128];
	upm_event base;
	double t;

	if (type == NULL || host == NULL || peer == NULL || !json_is_number(ts) ||
	    (t = json_number_value(ts)) < 0 || t > 253402300799.0 ||
	    session_name(host, peer, session, sizeof(session)) != 0) {
		p->stats.garbage++;
		return UPM_OK;
	}
	p->stats.messages++;
	p->stats.recent_time = (int64_t)t;
	if ((int64_t)t > p->stats.newest_since)
		p->stats.newest_since = (int64_t)t;
	if ((int64_t)t > p->stats.last_time)
		p->stats.last_time = (int64_t)t;
	memset(&base, 0, sizeof(base));
	base.time = (int64_t)t;
	base.session = session;
	base.peer_asn = peer_asn_of(json_object_get(data, "peer_asn"));
	if (strcmp(type, "UPDATE") == 0)
		return update(p, data, base, err);
	if (strcmp(type, "RIS_PEER_STATE") != 0) {
		p->stats.other++;
		return UPM_OK;
	}
	p->stats.peer_states++;
	state = json_string_value(json_object_get(data, "state"));
	if (state == NULL || strcmp(state, "down") != 0)
		return UPM_OK;
	p->stats.peers_down++;
	base.kind = UPM_EV_SESSION_DOWN;
	if (emit(p, &base) != 0)
		return upm_fail(err, UPM_ERR_ABORTED, "stopped by the sink");
	return UPM_OK;
}

static upm_status
one_line(upm_ris_live_parser *p, const char *buf, size_t len, upm_error *err)
{
	json_t *root, *data;
	json_error_t jerr;
	const char *type, *text;
	upm_status st = UPM_OK;
	size_t i;

	for (i = 0; i < len && isspace((unsigned char)buf[i]); i++)
		;
	if (i == len)
		return UPM_OK;          /* a keep-alive blank line */
	p->stats.lines++;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root) ||
	    (type = json_string_value(json_object_get(root, "type"))) == NULL ||
	    !json_is_object(data = json_object_get(root, "data"))) {
		p->stats.garbage++;
		json_decref(root);
		return UPM_OK;
	}
	if (strcmp(type, "ris_message") == 0)
		st = message(p, data, err);
	else if (strcmp(type, "ris_error") == 0) {
		p->stats.errors++;
		text = json_string_value(json_object_get(data, "message"));
		(void)snprintf(p->stats.error, sizeof(p->stats.error), "%s",
		    text != NULL ? text : "(no message)");
		upm_json_ascii_only(p->stats.error);
	} else
		p->stats.other++;
	json_decref(root);
	return st;
}

upm_status
upm_ris_live_parser_feed(upm_ris_live_parser *p, const char *buf, size_t len,
    upm_error *err)
{
	const char *nl;
	size_t take;
	upm_status st;

	while (len > 0) {
		nl = memchr(buf, '\n', len);
		take = nl != NULL ? (size_t)(nl - buf) : len;
		if (p->skipping) {
			/* the rest of an over-long line: never held */
		} else if (p->len + take > p->max) {
			p->stats.too_long++;
			p->skipping = 1;
			p->len = 0;
		} else if (nl != NULL && p->len == 0) {
			/* a whole line in the buffer: parsed where it is */
			if ((st = one_line(p, buf, take, err)) != UPM_OK)
				return st;
		} else {
			if (p->len + take > p->cap) {
				size_t cap = p->cap ? p->cap : 4096;
				char *n;

				while (cap < p->len + take)
					cap *= 2;
				if (cap > p->max)
					cap = p->max;
				if ((n = realloc(p->line, cap)) == NULL)
					return upm_fail(err, UPM_ERR_NOMEM,
					    "out of memory");
				p->line = n;
				p->cap = cap;
			}
			memcpy(p->line + p->len, buf, take);
			p->len += take;
			if (nl != NULL) {
				st = one_line(p, p->line, p->len, err);
				p->len = 0;
				if (st != UPM_OK)
					return st;
			}
		}
		if (nl == NULL)
			break;
		p->skipping = 0;
		buf = nl + 1;
		len -= take + 1;
	}
	return UPM_OK;
}

void
upm_ris_live_parser_reset(upm_ris_live_parser *p)
{
	p->len = 0;
	p->skipping = 0;
}

upm_status
upm_ris_live_subscription(const char *const *prefixes, size_t n,
    char **out, upm_error *err)
{
	json_t *sub = json_object(), *list = json_array();
	int bad = sub == NULL || list == NULL;
	size_t i;

	*out = NULL;
	for (i = 0; !bad && i < n; i++)
		bad = json_array_append_new(list, json_string(prefixes[i])) != 0;
	if (!bad && n > 0) {
		bad = json_object_set_new(sub, "prefix", list) != 0;
		list = NULL;
	}
	if (!bad)
		bad = json_object_set_new(sub, "type", json_string(n > 0 ?
		    "UPDATE" : "RIS_PEER_STATE")) != 0;
	if (!bad && n > 0)
		bad = json_object_set_new(sub, "moreSpecific", json_true()) != 0;
	if (!bad)
		*out = json_dumps(sub, JSON_COMPACT);
	json_decref(list);
	json_decref(sub);
	if (*out == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* The descriptor's parser interface, over the same parser. */
static void *
ris_live_new(const upm_sink *sink, upm_error *err)
{
	return upm_ris_live_parser_new(sink, 0, err);
}

static upm_status
ris_live_feed(void *p, const char *buf, size_t len, upm_error *err)
{
	return upm_ris_live_parser_feed(p, buf, len, err);
}

static upm_status
ris_live_finish(void *arg, upm_meta *meta, upm_error *err)
{
	upm_ris_live_parser *p = arg;

	(void)err;
	if (meta != NULL)
		meta->records = (size_t)p->stats.messages;
	return UPM_OK;
}

static void
ris_live_free(void *p)
{
	upm_ris_live_parser_free(p);
}

const upm_source_desc upm_source_ris_live = {
	.name = "ris-live",
	.request_name = "ris-live",
	.needs = UPM_NEEDS_PREFIXES | UPM_GIVES_EVENTS,
	.transport = UPM_TRANSPORT_OPEN,
	.fresh_s = 0,
	.max_age_s = 0,
	.ready = ris_live_ready,
	.request = ris_live_request,
	.parser_new = ris_live_new,
	.parser_feed = ris_live_feed,
	.parser_finish = ris_live_finish,
	.parser_free = ris_live_free,
};

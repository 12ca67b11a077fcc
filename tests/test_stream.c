/*
 * test_stream.c - the push parser against the whole-buffer parsers: every
 * fixture, fed in pieces of many sizes, must give the same status, the
 * same records (as an order-free digest) and the same meta; plus the
 * cases only a push parser has (envelope after data, pieces of one byte,
 * feeding after the end, sink abort).
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include "tap.h"
#include "testutil.h"
#include "upm_private.h"

/* An order-free digest of what a sink saw. */
struct digest {
	size_t n;
	uint64_t sum;        /* sum of per-record FNV hashes */
	size_t abort_at;     /* stop when n reaches this (0: never) */
};

static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
obs_sink(void *ctx, const upm_observation *o)
{
	struct digest *d = ctx;
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, o->prefix, strlen(o->prefix) + 1);
	h = fnv(h, o->session, strlen(o->session) + 1);
	if (o->path_len > 0)
		h = fnv(h, o->path, o->path_len * sizeof(o->path[0]));
	h = fnv(h, &o->unusable, sizeof(o->unusable));
	d->sum += h;
	d->n++;
	return d->abort_at != 0 && d->n >= d->abort_at;
}

static int
neigh_sink(void *ctx, const upm_neighbour *nb)
{
	struct digest *d = ctx;

	d->sum += fnv(1469598103934665603ULL, nb, sizeof(*nb));
	d->n++;
	return d->abort_at != 0 && d->n >= d->abort_at;
}

static int
prefix_sink(void *ctx, const char *prefix)
{
	struct digest *d = ctx;

	d->sum += fnv(1469598103934665603ULL, prefix, strlen(prefix));
	d->n++;
	return d->abort_at != 0 && d->n >= d->abort_at;
}

struct outcome {
	upm_status st;
	upm_error err;
	upm_meta meta;
	upm_visibility vis;
	struct digest d;
};

static void
whole(upm_call call, const char *b, size_t n, int flags, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	switch (call) {
	case UPM_CALL_BGP_STATE:
		o->st = upm_parse_bgp_state(b, n, flags, obs_sink, &o->d, &o->meta, &o->err);
		break;
	case UPM_CALL_LOOKING_GLASS:
		o->st = upm_parse_looking_glass(b, n, flags, obs_sink, &o->d, &o->meta, &o->err);
		break;
	case UPM_CALL_ASN_NEIGHBOURS:
		o->st = upm_parse_asn_neighbours(b, n, flags, neigh_sink, &o->d, &o->meta, &o->err);
		break;
	case UPM_CALL_ROUTING_STATUS:
		o->st = upm_parse_routing_status(b, n, flags, &o->vis, &o->meta, &o->err);
		break;
	case UPM_CALL_ANNOUNCED_PREFIXES:
		o->st = upm_parse_announced_prefixes(b, n, flags, prefix_sink, &o->d, &o->meta, &o->err);
		break;
	case UPM_CALL_BGPLAY:       /* streamed only: test_sources */
	case UPM_CALL_BGP_UPDATES:
		o->st = UPM_ERR_ARG;
		break;
	}
}

/* Feeds b in pieces of `piece` bytes (0: all at once). */
static void
pushed(upm_call call, const char *b, size_t n, int flags, size_t piece,
    struct outcome *o)
{
	upm_sinks s = { obs_sink, neigh_sink, prefix_sink, NULL, NULL, NULL };
	upm_parser *p;
	size_t off = 0, k;

	memset(o, 0, sizeof(*o));
	s.vis = &o->vis;
	s.ctx = &o->d;
	if ((p = upm_parser_new(call, flags, &s, &o->err)) == NULL) {
		o->st = o->err.code;
		return;
	}
	o->st = UPM_OK;
	while (off < n && o->st == UPM_OK) {
		k = piece == 0 || piece > n - off ? n - off : piece;
		o->st = upm_parser_feed(p, b + off, k, &o->err);
		off += k;
	}
	if (o->st == UPM_OK)
		o->st = upm_parser_finish(p, &o->meta, &o->err);
	upm_parser_free(p);
}

static upm_call
call_of(const char *name)
{
	if (strstr(name, "looking") || strstr(name, "lookingGlass") ||
	    strncmp(name, "lg", 2) == 0)
		return UPM_CALL_LOOKING_GLASS;
	if (strstr(name, "neigh") || strstr(name, "Neigh"))
		return UPM_CALL_ASN_NEIGHBOURS;
	if (strstr(name, "routing") || strncmp(name, "rs_", 3) == 0)
		return UPM_CALL_ROUTING_STATUS;
	if (strstr(name, "nnounced") || strncmp(name, "ap_", 3) == 0)
		return UPM_CALL_ANNOUNCED_PREFIXES;
	return UPM_CALL_BGP_STATE;
}

static int
same(const struct outcome *a, const struct outcome *b)
{
	if (a->st != b->st)
		return 0;
	if (a->st == UPM_OK)
		return a->d.n == b->d.n && a->d.sum == b->d.sum &&
		    a->meta.records == b->meta.records &&
		    strcmp(a->meta.data_time, b->meta.data_time) == 0 &&
		    strcmp(a->meta.resource, b->meta.resource) == 0 &&
		    strcmp(a->meta.messages, b->meta.messages) == 0 &&
		    memcmp(&a->vis, &b->vis, sizeof(a->vis)) == 0;
	/* Error texts: the same, except JSON syntax positions. */
	return a->st == UPM_ERR_JSON || strcmp(a->err.text, b->err.text) == 0;
}

static void
compare_file(const char *path, int flags)
{
	static const size_t pieces[] = { 0, 1, 2, 7, 64, 4096 };
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct outcome w, s;
	size_t n, i, bad = 0;
	char *buf = slurp(path, &n);
	upm_call call = call_of(name);

	OK(buf != NULL, "read %s", path);
	if (buf == NULL)
		return;
	whole(call, buf, n, flags, &w);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		pushed(call, buf, n, flags, pieces[i], &s);
		if (!same(&w, &s)) {
			bad++;
			printf("# %s piece %zu: whole %d '%s' (%zu recs), push %d '%s' (%zu recs)\n",
			    name, pieces[i], (int)w.st, w.err.text, w.d.n,
			    (int)s.st, s.err.text, s.d.n);
		}
	}
	OK(bad == 0, "%s%s: push = whole (status %s, %zu records) in 6 piece sizes",
	    name, flags ? " (data only)" : "", upm_status_name(w.st), w.d.n);
	free(buf);
}

static void
compare_dir(const char *dir, int flags)
{
	struct dirent **list;
	char path[512];
	int n, i;

	n = scandir(dir, &list, NULL, alphasort);
	OK(n > 2, "%s has fixtures", dir);
	for (i = 0; i < n; i++) {
		if (strstr(list[i]->d_name, ".json") != NULL) {
			(void)snprintf(path, sizeof(path), "%s/%s", dir,
			    list[i]->d_name);
			compare_file(path, flags);
		}
		free(list[i]);
	}
	free(list);
}

/* Hand-made documents for the push parser's own paths. */
static void
own_cases(void)
{
	static const char late_status[] =
	    "{\"data\":{\"bgp_state\":[{\"target_prefix\":\"10.0.0.0/8\","
	    "\"source_id\":\"00-1.2.3.4\",\"path\":[1,2,3]}],\"resource\":\"3\","
	    "\"query_time\":\"2020-01-01T00:00:00\"},"
	    "\"data_call_status\":\"supported\",\"status\":\"error\"}";
	static const char good[] =
	    "{\"data\":{\"bgp_state\":[{\"target_prefix\":\"10.0.0.0/8\","
	    "\"source_id\":\"00-1.2.3.4\",\"path\":[1,2,3]},{\"target_prefix\":"
	    "\"10.0.0.0/8\",\"source_id\":\"01-1.2.3.5\",\"path\":[5,2,3]}],"
	    "\"resource\":\"3\"},\"data_call_status\":\"supported - x\","
	    "\"status\":\"ok\"}";
	static const char dup_big[] =
	    "{\"data\":{\"bgp_state\":[],\"bgp_state\":[]},"
	    "\"data_call_status\":\"supported\",\"status\":\"ok\"}";
	static const char dup_root[] =
	    "{\"status\":\"ok\",\"data\":{\"bgp_state\":[]},"
	    "\"data_call_status\":\"supported\",\"status\":\"ok\"}";
	static const char lg2017_late[] =
	    "{\"data\":{\"rrcs\":{\"RRC00\":{\"entries\":[{\"as_path\":\"1 2 3\","
	    "\"update_from\":\"1.2.3.4\"}]}},\"resource\":\"10.0.0.0/8\"},"
	    "\"data_call_status\":\"supported\",\"status\":\"ok\"}";
	static const char trailing[] =
	    "{\"data\":{\"bgp_state\":[]},\"data_call_status\":\"supported\","
	    "\"status\":\"ok\"} x";
	static const char nul_key[] =
	    "{\"data\":{\"bgp_state\":[]},\"a\\u0000\":1,\"data_call_status\":"
	    "\"supported\",\"status\":\"ok\"}";
	struct outcome w, s;
	upm_sinks k = { obs_sink, NULL, NULL, NULL, NULL, NULL };
	upm_error e;
	upm_parser *p;
	struct digest d = { 0, 0, 1 };

	pushed(UPM_CALL_BGP_STATE, late_status, strlen(late_status), 0, 5, &s);
	IS_INT(s.st, UPM_ERR_STATUS, "status after data: STATUS at the end");
	IS_INT(s.d.n, 1, "  ... though the record reached the sink first");

	whole(UPM_CALL_BGP_STATE, good, strlen(good), 0, &w);
	pushed(UPM_CALL_BGP_STATE, good, strlen(good), 0, 1, &s);
	IS_INT(s.st, UPM_OK, "good document, one byte at a time");
	IS_INT(s.d.n, 2, "  two records");
	IS_STR(s.meta.resource, "3", "  meta resource");
	OK(same(&w, &s), "  same as the whole-buffer parser");

	pushed(UPM_CALL_BGP_STATE, dup_big, strlen(dup_big), 0, 3, &s);
	IS_INT(s.st, UPM_ERR_JSON, "duplicate streamed key rejected");
	OK(strstr(s.err.text, "duplicate") != NULL, "  text: %s", s.err.text);
	pushed(UPM_CALL_BGP_STATE, dup_root, strlen(dup_root), 0, 0, &s);
	IS_INT(s.st, UPM_ERR_JSON, "duplicate envelope key rejected");
	pushed(UPM_CALL_BGP_STATE, trailing, strlen(trailing), 0, 0, &s);
	IS_INT(s.st, UPM_ERR_JSON, "text after the document rejected");
	pushed(UPM_CALL_BGP_STATE, nul_key, strlen(nul_key), 0, 0, &s);
	IS_INT(s.st, UPM_ERR_JSON, "\\u0000 in an envelope key rejected");
	pushed(UPM_CALL_BGP_STATE, good, strlen(good) - 1, 0, 0, &s);
	IS_INT(s.st, UPM_ERR_JSON, "cut document: JSON error at finish");

	whole(UPM_CALL_LOOKING_GLASS, lg2017_late, strlen(lg2017_late), 0, &w);
	pushed(UPM_CALL_LOOKING_GLASS, lg2017_late, strlen(lg2017_late), 0, 4, &s);
	IS_INT(s.st, UPM_OK, "2017 collector before data.resource");
	IS_INT(s.d.n, 1, "  its record delivered at the end");
	OK(same(&w, &s), "  same as the whole-buffer parser");

	memset(&e, 0, sizeof(e));
	p = upm_parser_new(UPM_CALL_BGP_STATE, 0, &k, &e);
	k.ctx = &d;
	upm_parser_free(p);
	p = upm_parser_new(UPM_CALL_BGP_STATE, 0, &k, &e);
	OK(p != NULL, "parser made");
	IS_INT(upm_parser_feed(p, good, strlen(good), &e), UPM_ERR_ABORTED,
	    "sink abort stops the feed");
	IS_INT(upm_parser_feed(p, "x", 1, &e), UPM_ERR_ABORTED,
	    "  and every later feed");
	IS_INT(upm_parser_finish(p, NULL, &e), UPM_ERR_ABORTED, "  and finish");
	upm_parser_free(p);

	p = upm_parser_new(UPM_CALL_BGP_STATE, 0, NULL, &e);
	IS_INT(upm_parser_feed(p, good, strlen(good), &e), UPM_OK, "no sinks");
	IS_INT(upm_parser_finish(p, NULL, &e), UPM_OK, "  finish");
	IS_INT(upm_parser_finish(p, NULL, &e), UPM_ERR_ARG, "  twice refused");
	upm_parser_free(p);
	OK(upm_parser_new((upm_call)99, 0, NULL, &e) == NULL &&
	    e.code == UPM_ERR_ARG, "unknown call refused");
}

int
main(void)
{
	compare_dir("tests/fixtures/public", 0);
	/* Some recordings are the bare "data" object. */
	compare_dir("tests/fixtures/public", UPM_PARSE_DATA_ONLY);
	compare_dir("tests/fixtures/parse", 0);
	compare_file("tests/fixtures/parse/lg2017_entries_not_array.json",
	    UPM_PARSE_DATA_ONLY);
	compare_file("tests/fixtures/parse/top_array.json", UPM_PARSE_DATA_ONLY);
	own_cases();
	return tap_done();
}

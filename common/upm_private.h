/*
 * upm_private.h - internal to libupstreams: what the core's files and the
 * tests share beyond the public upstreams.h.  Not installed.
 *
 * Grouped by the data flow: fetching and the cache, the records parsers
 * hand over (observations, neighbours, meta), the AS-path builder, the
 * RIPEstat envelope and data calls, the push parser, JSON helpers, small
 * lists, and the computation.  Sources and the sink are in source.h.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_PRIVATE_H
#define UPM_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "upstreams.h"

/* ============================================================= fetching */

/* GET url into out (appended; caller owns out).  *http_code gets the final
 * HTTP status (0 for file:// or when none arrived).  Retries connection
 * errors, 5xx and 429 (honouring Retry-After) inside the time budget; never
 * retries other 4xx.  UPM_OK only for HTTP 200 (or a file:// read). */
upm_status upm_fetch(upm_fetcher *f, const char *url, upm_buf *out,
    long *http_code, upm_error *err);

/* The consumer of a streamed response.  begin is called before the first
 * body byte of every 200 answer (again when a broken transfer is retried:
 * the consumer must drop what it was fed, or return non-UPM_OK to refuse
 * the retry, which then fails with that status); data gets the body bytes
 * in order; end is called after a complete transfer, and only when end
 * returns UPM_OK is the body stored in the cache.  Any callback's non-OK
 * status stops the fetch and is returned. */
typedef struct {
	upm_status (*begin)(void *ctx, upm_error *err);
	upm_status (*data)(void *ctx, const char *buf, size_t len, upm_error *err);
	upm_status (*end)(void *ctx, upm_error *err);
	void *ctx;
} upm_stream;

/* Like upm_fetch, but the body goes to s as it arrives (never held whole),
 * through the fetcher's cache when it has one: a fresh entry is served
 * without the network (*http_code 200); a new 200 body is written to a
 * temporary file beside the entry while it streams and renamed into place
 * after s->end accepted it.  Bodies of non-200 answers never reach s.
 * Freshness is upm_cache_freshness(url). */
upm_status upm_fetch_stream(upm_fetcher *f, const char *url,
    const upm_stream *s, long *http_code, upm_error *err);

/* upm_fetch_stream with the caller's freshness (seconds, > 0) for a
 * cached answer, unless the fetcher's cache_max_age_s overrides it. */
upm_status upm_fetch_stream_fresh(upm_fetcher *f, const char *url,
    long fresh_s, const upm_stream *s, long *http_code, upm_error *err);

/* The cache on its own (common/cache.c), for the fetcher and for tests.
 * Entries are files "<dir>/<16 hex digits of FNV-1a 64 of the URL>",
 * mode 0600, holding a short header (format, URL, fetch time, length)
 * and the body; the directory is created 0700; symlinks are refused. */
uint64_t upm_cache_hash(const char *url);
/* Freshness in seconds for url (by its /data/<call>/ path), honouring
 * max_age_s > 0 as an override. */
long upm_cache_freshness(const char *url, long max_age_s);

/* ============================================================= records */

/* One route seen by one session.  Everything is borrowed: valid only
 * during the sink call; copy what you keep. */
typedef struct {
	const char *prefix;   /* "175.45.176.0/24" */
	const char *session;  /* "rrc00/2.56.11.1": collector + peer address */
	const uint32_t *path; /* AS path, vantage point first, origin last */
	size_t path_len;      /* 0 when unusable */
	int unusable;         /* path had an AS_SET or a non-integer token */
	uint32_t peer_asn;    /* the vantage point's AS; 0: path[0] */
	/* Unusable only because the path ends in one AS_SET: the whole path
	 * with the set's members last (aset_len of them), so the computation
	 * can accept a set of the origin set's own ASes.  NULL / 0 else. */
	const uint32_t *aset_path;
	size_t aset_path_len, aset_len;
	int malformed;        /* unusable because garbled (a hop that is no AS
	                       * number: a string, asdot, out of range), not
	                       * by a rule about well-formed paths */
} upm_observation;

/* Return 0 to go on, non-zero to stop the parse (it returns UPM_ERR_ABORTED). */
typedef int (*upm_obs_sink)(void *ctx, const upm_observation *obs);

typedef enum {
	UPM_NEIGH_LEFT,
	UPM_NEIGH_RIGHT,
	UPM_NEIGH_UNCERTAIN
} upm_neigh_type;

/* One asn-neighbours summary record. */
typedef struct {
	uint32_t asn;
	upm_neigh_type type;
	uint64_t power;
	uint64_t v4_peers;
	uint64_t v6_peers;
} upm_neighbour;

typedef int (*upm_neigh_sink)(void *ctx, const upm_neighbour *n);
typedef int (*upm_prefix_sink)(void *ctx, const char *prefix);

/* What the parser learnt besides the records. */
typedef struct {
	char data_time[32];  /* query_time / timestamp / latest_time, "" if none */
	char resource[64];
	char messages[1024]; /* every message of the answer ("level: text",
	                      * "; " between them), "" if none */
	size_t records;      /* records handed to the sink */
} upm_meta;

/* ======================================================== the AS path */

/* Longer paths are junk (or an attack on memory): counted unusable. */
#define UPM_PATH_MAX_HOPS 4096

/* The one AS-path builder every parser fills, hop by hop, vantage point
 * first.  Reused from one record to the next (upm_aspath_reset); all zero
 * is an empty builder; the builder owns v. */
typedef struct {
	uint32_t *v;
	size_t n, cap;
	int unusable;        /* an AS_SET, a junk token, or too many hops */
	size_t set_len;      /* the last set_len hops are one AS_SET's members */
	int set_ok;          /* 1: that trailing AS_SET is all that is wrong */
	int malformed;       /* a junk token: garbled, not unusable by rule */
} upm_aspath;

/* Grows the buffer (never past UPM_PATH_MAX_HOPS): 0, or -1 out of memory. */
int upm_aspath_grow(upm_aspath *p);

static inline void
upm_aspath_reset(upm_aspath *p)
{
	p->n = 0;
	p->unusable = 0;
	p->set_len = 0;
	p->set_ok = 0;
	p->malformed = 0;
}

/* One hop: UPM_OK (a hop past the cap marks the path unusable), or
 * UPM_ERR_NOMEM.  Inline: the bgp-state fast path calls it per hop. */
static inline upm_status
upm_aspath_push(upm_aspath *p, uint32_t asn)
{
	if (p->n == p->cap) {
		if (p->n >= UPM_PATH_MAX_HOPS) {
			p->unusable = 1;
			return UPM_OK;
		}
		if (upm_aspath_grow(p) != 0)
			return UPM_ERR_NOMEM;
	}
	p->v[p->n++] = asn;
	return UPM_OK;
}

/* "34549 1853 1205" (blanks or tabs between plain decimal AS numbers);
 * an AS_SET ("{1,2}") or any other junk token makes the path unusable
 * (never guessed at); a last AS_SET's members are kept (set_len, set_ok).
 * UPM_OK or UPM_ERR_NOMEM. */
upm_status upm_aspath_text(upm_aspath *p, const char *s);

/* An AS_SET of n members (vantage side first) met at the path's current
 * end: the path becomes unusable; when it stays the last segment and the
 * path had nothing else wrong, its members are kept (set_ok).  UPM_OK or
 * UPM_ERR_NOMEM. */
upm_status upm_aspath_set(upm_aspath *p, const uint32_t *members, size_t n);

/* One hop given as JSON by a looking glass: an integer, "4837" or
 * "AS4837"; anything else makes the path unusable; "" is no hop
 * (openbgpd writes it for a locally originated route). */
upm_status upm_aspath_json_hop(upm_aspath *p, const json_t *tok);

/* The observation of prefix seen by session with the builder's path
 * (unusable: no path).  Borrows everything. */
static inline void
upm_aspath_observation(const upm_aspath *p, const char *prefix,
    const char *session, upm_observation *obs)
{
	obs->prefix = prefix;
	obs->session = session;
	obs->unusable = p->unusable || p->n == 0;
	obs->malformed = p->malformed;
	obs->path = obs->unusable ? NULL : p->v;
	obs->path_len = obs->unusable ? 0 : p->n;
	obs->peer_asn = 0;
	if (p->set_ok && p->set_len > 0 && p->n > p->set_len) {
		obs->aset_path = p->v;
		obs->aset_path_len = p->n;
		obs->aset_len = p->set_len;
	} else {
		obs->aset_path = NULL;
		obs->aset_path_len = obs->aset_len = 0;
	}
}

void upm_aspath_free(upm_aspath *p);

/* ================================================ RIPEstat, the parsers */

/* Flags for the parsers. */
#define UPM_PARSE_DATA_ONLY 0x1 /* buffer is the bare "data" object (no envelope) */

/* The one RIPEstat envelope check, for doc (the whole document, or with
 * UPM_PARSE_DATA_ONLY the "data" object itself): status "ok", a data call
 * "supported..." ("maintenance..." is UPM_ERR_MAINTENANCE), a non-empty
 * "data" object (an empty one is the maintenance answer).  meta->messages
 * gets the messages first, whatever the verdict.  *data borrowed. */
upm_status upm_ripestat_envelope(json_t *doc, int flags, upm_meta *meta,
    json_t **data, upm_error *err);

/* Builds "<base>/data/<call>/data.json?resource=<res>&sourceapp=<app>"
 * plus "&<extra>" when extra is not NULL; resource and app are URL-escaped.
 * base may end with '/'.  *out is malloc'd, caller frees. */
upm_status upm_ripestat_url(const char *base, const char *call,
    const char *resource, const char *sourceapp, const char *extra,
    char **out, upm_error *err);

/* A past instant for bgp-state: "timestamp=<ISO time>" into buf, "" for
 * at NULL (now).  UPM_ERR_ARG naming a bad or out-of-range time. */
upm_status upm_ripestat_timestamp(const char *at, char *buf, size_t len,
    upm_error *err);

#define UPM_RIPESTAT_URL "https://stat.ripe.net"
#define UPM_SOURCEAPP "upstreams"

/* All parsers: bytes in (need not be NUL-terminated), records to the sink,
 * meta filled (meta may be NULL).  Envelope checked first unless DATA_ONLY
 * (upm_ripestat_envelope).  Unknown keys are ignored; a wrong type is
 * UPM_ERR_SHAPE naming the field. */
upm_status upm_parse_bgp_state(const char *buf, size_t len, int flags,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err);
upm_status upm_parse_looking_glass(const char *buf, size_t len, int flags,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err);
upm_status upm_parse_asn_neighbours(const char *buf, size_t len, int flags,
    upm_neigh_sink sink, void *ctx, upm_meta *meta, upm_error *err);
upm_status upm_parse_routing_status(const char *buf, size_t len, int flags,
    upm_visibility *vis, upm_meta *meta, upm_error *err);
upm_status upm_parse_announced_prefixes(const char *buf, size_t len, int flags,
    upm_prefix_sink sink, void *ctx, upm_meta *meta, upm_error *err);

/* country-resource-list: data.resources.asn (strings "123" / "AS123" or
 * integers) appended to out (initialised by the caller), all or nothing.
 * An empty list is UPM_OK with nothing added. */
upm_status upm_parse_country_asns(const char *buf, size_t len, int flags,
    upm_asn_list *out, upm_meta *meta, upm_error *err);

/* NLNOG RING looking glass, GET <base>/api/prefix?q=<prefix>: every route
 * of "routes" (an object: prefix -> array) to the sink; session
 * "nlnog/<ip>".  Alice-LG, GET <base>/api/v1/lookup/prefix?q=<prefix>:
 * every route of "imported" (filtered routes were refused by the route
 * server); session "alice/<route server>/<neighbour>".  No RIPEstat
 * envelope: an "error" member is UPM_ERR_STATUS.  meta->data_time from
 * "collected" / api.cache_status.cached_at when present. */
upm_status upm_parse_nlnog_lg(const char *buf, size_t len, upm_obs_sink sink,
    void *ctx, upm_meta *meta, upm_error *err);
upm_status upm_parse_alice_lg(const char *buf, size_t len, upm_obs_sink sink,
    void *ctx, upm_meta *meta, upm_error *err);

/* A looking glass's time ("2023-01-01 12:00:00 UTC", ISO 8601 with a
 * fraction, "Z" or an offset) as UTC "2023-01-01T10:00:00"; "" when it
 * is none of these. */
void upm_lg_time(const char *s, char *out, size_t len);

/* What the whole-buffer parsers and the push parser share to read
 * RIPEstat records (common/parse_ripestat.c). */

/* Everything an observation parser reuses from one record to the next. */
typedef struct {
	upm_obs_sink sink;
	void *ctx;
	upm_meta *meta;
	upm_error *err;
	upm_aspath path;       /* the one path builder, reused */
	upm_observation obs;
	char session[128];     /* the session's name being built */
} upm_obs_builder;

void upm_obs_builder_init(upm_obs_builder *r, upm_obs_sink sink, void *ctx,
    upm_meta *meta, upm_error *err);

/* UPM_ERR_ABORTED: the receiver answered non-zero. */
upm_status upm_obs_stopped(const upm_meta *meta, upm_error *err);

static inline upm_status
upm_obs_path_push(upm_obs_builder *r, uint32_t asn)
{
	if (upm_aspath_push(&r->path, asn) != UPM_OK)
		return upm_fail(r->err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/* Hands the finished observation over; an unusable one has no path.
 * Inline: once per record on the bgp-state fast path. */
static inline upm_status
upm_obs_deliver(upm_obs_builder *r)
{
	upm_aspath_observation(&r->path, r->obs.prefix, r->obs.session,
	    &r->obs);
	r->meta->records++;
	if (r->sink != NULL && r->sink(r->ctx, &r->obs) != 0)
		return upm_obs_stopped(r->meta, r->err);
	return UPM_OK;
}

/* data_time from the first of time_keys present, data.resource. */
upm_status upm_ripestat_read_meta(const json_t *data,
    const char *const *time_keys, upm_meta *meta, upm_error *err);
extern const char *const upm_ripestat_bgp_state_times[];
extern const char *const upm_ripestat_lg_times[];
/* Without data.resource, the one in data.parameters is the resource. */
upm_status upm_ripestat_lg_resource(const json_t *data, upm_meta *meta,
    upm_error *err);
/* Element i of data.bgp_state (arg an upm_obs_builder). */
upm_status upm_ripestat_bgp_state_route(void *arg, const json_t *e, size_t i);
/* Collector i of the current looking-glass's data.rrcs array (arg an
 * upm_obs_builder); one of the 2017 API's data.rrcs object, named name. */
upm_status upm_ripestat_lg_collector(void *arg, const json_t *c, size_t i);
upm_status upm_ripestat_lg_collector_2017(upm_obs_builder *r,
    const char *name, const json_t *c, const json_t *data);

/* ====================================================== the push parser */

/* The data calls the push parser understands. */
typedef enum {
	UPM_CALL_BGP_STATE = 0,
	UPM_CALL_LOOKING_GLASS,
	UPM_CALL_ASN_NEIGHBOURS,
	UPM_CALL_ROUTING_STATUS,
	UPM_CALL_ANNOUNCED_PREFIXES,
	UPM_CALL_BGPLAY,         /* sources, initial_state, events: streamed */
	UPM_CALL_BGP_UPDATES     /* updates: streamed */
} upm_call;

/* One route of bgplay's initial_state, or one update of bgplay's events
 * and bgp-updates' updates: an announcement (withdraw 0; obs has the
 * path) or a withdrawal (withdraw 1; obs has prefix, session and peer
 * only).  Everything borrowed for the call. */
typedef struct {
	int withdraw;
	int initial;            /* from initial_state: the window's start */
	int64_t time;           /* Unix seconds; initial_state: the query's
	                         * start time, 0 when not (yet) known */
	const upm_observation *obs;
} upm_update;
typedef int (*upm_update_sink)(void *ctx, const upm_update *u);

/* What the update records' reader keeps between records. */
typedef struct {
	upm_obs_builder b;      /* path, observation, meta, error */
	upm_update_sink sink;
	void *ctx;
	json_t *peers;          /* bgplay's sources: id -> as_number; owned */
	int64_t start;          /* the query's start time, 0 unknown */
} upm_update_run;

/* One record of RIPEstat's update shape (bgplay initial_state / events,
 * bgp-updates updates): e is element i of data.<list>; initial says the
 * record is an initial_state route (no type, no timestamp: announced at
 * the query's start).  The session is attrs.source_id ("RRC-peer ip"),
 * the peer's AS that of bgplay's sources[] when they came first, else the
 * path's first AS.  One function for both data calls. */
upm_status upm_ripestat_update_record(upm_update_run *u, const char *list,
    const json_t *e, size_t i, int initial);
/* One element of bgplay's data.sources: id -> as_number remembered. */
upm_status upm_ripestat_bgplay_source(upm_update_run *u, const json_t *e,
    size_t i);

/* Where a push parser sends its records; the one matching the call is
 * used (NULL: records are only counted).  Borrowed; ctx is passed back. */
typedef struct {
	upm_obs_sink obs;       /* bgp-state, looking-glass */
	upm_neigh_sink neigh;   /* asn-neighbours */
	upm_prefix_sink prefix; /* announced-prefixes */
	upm_visibility *vis;    /* routing-status: filled by upm_parser_finish */
	void *ctx;
	upm_update_sink update; /* bgplay, bgp-updates */
} upm_sinks;

/* A push parser: bytes go in as they arrive, in pieces of any size, and
 * records come out as soon as each is complete.  bgp-state ("bgp_state"
 * elements) and looking-glass (one collector of "rrcs" at a time) keep at
 * most one record's JSON plus the small envelope fields in memory, however
 * long the response; the other calls are small and are kept whole and
 * parsed by upm_parser_finish.  The same rules as upm_parse_* apply:
 * envelope, shapes with field paths, duplicate keys, NUL and invalid UTF-8
 * rejected, a sink's non-zero return stops with UPM_ERR_ABORTED.
 *
 * Ordering caveat: RIPEstat puts "status" (and may put "data_call_status")
 * AFTER "data", so records can reach the sink before the envelope is known
 * to be bad; only upm_parser_finish gives the verdict.  A caller must treat
 * everything its sink received as void unless finish returns UPM_OK (the
 * query throws its computation away).  Likewise a shape error in a record
 * is reported when that record arrives, possibly before an envelope error
 * that the whole-buffer parsers would have named first.
 *
 * Caller owns the parser (sinks copied); NULL on failure. */
typedef struct upm_parser upm_parser;

upm_parser *upm_parser_new(upm_call call, int flags, const upm_sinks *sinks,
    upm_error *err);
/* After a failure every later feed/finish returns the same status. */
upm_status upm_parser_feed(upm_parser *p, const char *buf, size_t len,
    upm_error *err);
/* End of input: checks the envelope and the rest; meta (may be NULL) as
 * with upm_parse_*. */
upm_status upm_parser_finish(upm_parser *p, upm_meta *meta, upm_error *err);
void upm_parser_free(upm_parser *p);

/* ========================================================= JSON helpers */

/* Copies server text cut to fit at a UTF-8 boundary, control characters
 * made spaces; returns dst. */
const char *upm_copy_text(char *dst, size_t size, const char *src);

/* Makes s printable ASCII in place (a jansson error quotes raw input). */
void upm_json_ascii_only(char *s);

/* "<path>: expected <want>, got <what>" as UPM_ERR_SHAPE; got may be NULL
 * (missing). */
upm_status upm_json_shape(upm_error *err, const json_t *got, const char *want,
    const char *path);

/* upm_json_shape with a printf-formatted path, and a wrong integer
 * quoted ("got integer -5"). */
upm_status upm_json_shapef(upm_error *err, const json_t *got,
    const char *want, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses buf as any JSON value, duplicate keys rejected; *doc caller
 * decrefs.  An error is UPM_ERR_JSON naming line and column. */
upm_status upm_json_load(const char *buf, size_t len, json_t **doc,
    upm_error *err);

/* upm_json_load for a document that must be one JSON object. */
upm_status upm_json_open(const char *buf, size_t len, json_t **root,
    upm_error *err);

/* ================================================================ lists */

/* A copy of s (NULL stays NULL); on allocation failure NULL and *failed
 * set to 1, so that several copies can be checked once. */
char *upm_strdup_opt(const char *s, int *failed);

/* Adds every AS of from to to: UPM_OK or UPM_ERR_NOMEM (to keeps what it
 * got). */
upm_status upm_asn_list_merge(upm_asn_list *to, const upm_asn_list *from);

/* A growable list of distinct strings; the list owns its copies.  All
 * zero is an empty list. */
typedef struct {
	char **v;
	size_t n, cap;
} upm_strlist;

/* 1 when s is in l (compared exactly, or with letters in either case). */
int upm_strlist_contains(const upm_strlist *l, const char *s);
int upm_strlist_contains_nocase(const upm_strlist *l, const char *s);

/* Adds a copy of s unless it is there already: 0, or -1 out of memory. */
int upm_strlist_add(upm_strlist *l, const char *s);

/* Frees the copies and leaves l empty. */
void upm_strlist_free(upm_strlist *l);

/* ========================================================= computation */

/* Accumulates observations for one origin set.  Caller owns. */
typedef struct upm_compute upm_compute;

/* origins: the origin set (copied); must not be empty. */
upm_compute *upm_compute_new(const upm_asn_list *origins, upm_error *err);
void upm_compute_free(upm_compute *c);

/* Adds one observation (everything in obs is copied as needed).
 * Returns 0, or -1 on allocation failure; usable directly as upm_obs_sink. */
int upm_compute_add(void *compute, const upm_observation *obs);

/* Adds one asn-neighbours record: left neighbours weigh v4_peers + v6_peers;
 * uncertain ones are recorded but never present; right ones are ignored.
 * Usable directly as upm_neigh_sink. */
int upm_compute_add_neighbour(void *compute, const upm_neighbour *n);

/* Before adding observations: the role inference's settings from p (its
 * clique, relationship file, weighting; NULL: the defaults).  p's
 * pointers are borrowed for the computation's life. */
upm_status upm_compute_configure(upm_compute *c, const upm_params *p,
    upm_error *err);

/* Before adding observations: keep the upstreams of prefix apart (compared
 * case-insensitively with the observations' prefix text). */
upm_status upm_compute_track_prefix(upm_compute *c, const char *prefix,
    upm_error *err);

/* Builds the result (shares, presence) from what was added.  *out caller
 * owns.  UPM_ERR_NODATA when nothing at all was added. target/source/
 * data_time are left empty for the caller to fill. */
upm_status upm_compute_result(const upm_compute *c, const upm_params *p,
    upm_result **out, upm_error *err);

#endif

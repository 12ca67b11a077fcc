/*
 * source.h - internal to libupstreams: what a data source is to the query
 * driver (common/query.c), and the sink its parser hands records to.
 *
 * A source is one file, common/source_<name>.c, exporting one
 * upm_source_desc; common/sources.c lists them (the only place that names
 * them all).  The driver knows nothing of a source beyond its descriptor.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_SOURCE_H
#define UPM_SOURCE_H

#include "upm_private.h"

/* ================================================================= sink */

/* What a route collector's session can tell: a route announced (a new or
 * changed AS path), a route withdrawn, the whole session gone.  A snapshot
 * (bgp-state, a looking glass) is a set of announcements at one time. */
typedef enum {
	UPM_EV_ANNOUNCE = 0,
	UPM_EV_WITHDRAW,
	UPM_EV_SESSION_DOWN
} upm_event_kind;

/* One event; everything borrowed for the duration of the sink call. */
typedef struct {
	upm_event_kind kind;
	int64_t time;           /* Unix seconds; 0 when the answer gives none */
	const char *session;    /* "rrc00/2.56.11.1": collector + peer address */
	uint32_t peer_asn;      /* the vantage point's AS, 0 when unknown */
	const char *prefix;     /* NULL for SESSION_DOWN */
	const uint32_t *path;   /* ANNOUNCE: vantage point first, origin last */
	size_t path_len;        /* 0 when unusable or not an announcement */
	int unusable;           /* ANNOUNCE with an AS_SET or junk: no path */
	/* Unusable only because the path ends in one AS_SET: the whole
	 * path, the set's aset_len members last (upm_observation's). */
	const uint32_t *aset_path;
	size_t aset_path_len, aset_len;
	int malformed;          /* unusable because garbled (upm_observation) */
	int initial;            /* a route of the window's initial state
	                         * (bgplay's initial_state), not an update */
} upm_event;

/* Where a source's parser sends what it reads.  Each callback returns 0 to
 * go on, non-zero to stop (the parse then fails with UPM_ERR_ABORTED).
 * A source that gives summaries instead of routes (asn-neighbours) calls
 * neighbour; the others call event.  Borrowed by the parser. */
typedef struct {
	int (*event)(void *ctx, const upm_event *ev);
	int (*neighbour)(void *ctx, const upm_neighbour *n);
	void *ctx;
} upm_sink;

/* An observation as the ANNOUNCE event it is (time unknown: 0). */
int upm_sink_observation(const upm_sink *sink, const upm_observation *obs);
/* The inverse: an ANNOUNCE event's route as an observation into *obs
 * (everything borrowed from ev). */
void upm_event_observation(const upm_event *ev, upm_observation *obs);

/* ============================================================ descriptor */

/* What a source needs from the target and what it gives (flags). */
#define UPM_NEEDS_ASN        0x01 /* asked once per AS of the origin set */
#define UPM_NEEDS_PREFIXES   0x02 /* asked once per prefix */
#define UPM_TAKES_TIME       0x04 /* can answer for a past instant (at) */
#define UPM_GIVES_NEIGHBOURS 0x08 /* summaries, not paths: one AS, alone */
#define UPM_READS_WHOLE      0x10 /* its parser keeps the answer whole
                                   * until the end: the tight size cap */
#define UPM_TAKES_LISTS      0x20 /* one request may name several ASes,
                                   * comma-separated: answers combined */
#define UPM_GIVES_EVENTS     0x40 /* announcements and withdrawals over a
                                   * window (q->window_start/_end): a
                                   * routing table's input, not a snapshot */

/* How the answer arrives.  Plain HTTP GET goes through the fetcher (cache,
 * retries, limits); a source that runs a child process or reads a
 * long-lived stream sets its own open hook instead. */
typedef enum {
	UPM_TRANSPORT_HTTP_GET = 0,
	UPM_TRANSPORT_OPEN          /* the descriptor's open hook */
} upm_transport;

typedef struct upm_source_desc {
	const char *name;          /* "ripestat-bgp-state": the user's word */
	const char *request_name;  /* names a failed request in an error
	                            * text: "bgp-state AS131279: ..." */
	unsigned needs;            /* UPM_NEEDS_* / UPM_TAKES_* / UPM_GIVES_* */
	upm_transport transport;
	long fresh_s;              /* how long a cached answer stays fresh */
	long max_age_s;            /* the default maximum age of its data for a
	                            * query for now (upm_source_max_age) */

	/* The source's own settings are usable (a base URL it cannot do
	 * without...); NULL when it has none.  UPM_ERR_ARG otherwise. */
	upm_status (*ready)(const upm_query_opts *q, upm_error *err);

	/* The request for one resource ("AS131279" or a prefix): a URL for
	 * HTTP GET, whatever open understands otherwise.  *req malloc'd,
	 * caller frees. */
	upm_status (*request)(const upm_query_opts *q, const char *resource,
	    char **req, upm_error *err);

	/* UPM_TRANSPORT_OPEN only: delivers the answer to req to s exactly as
	 * upm_fetch_stream does (begin, data..., end). */
	upm_status (*open)(const char *req, const upm_stream *s,
	    upm_error *err);

	/* The streaming parser: bytes in as they arrive, records to sink as
	 * soon as each is complete; finish gives the verdict and the meta.
	 * Caller owns what parser_new returns (parser_free). */
	void *(*parser_new)(const upm_sink *sink, upm_error *err);
	upm_status (*parser_feed)(void *parser, const char *buf, size_t len,
	    upm_error *err);
	upm_status (*parser_finish)(void *parser, upm_meta *meta,
	    upm_error *err);
	void (*parser_free)(void *parser);
} upm_source_desc;

/* The descriptor of s; NULL for a value outside the table. */
const upm_source_desc *upm_source_desc_get(upm_source s);

/* The sources, one per file. */
extern const upm_source_desc upm_source_ripestat_bgp_state;
extern const upm_source_desc upm_source_ripestat_looking_glass;
extern const upm_source_desc upm_source_ripestat_asn_neighbours;
extern const upm_source_desc upm_source_nlnog_lg;
extern const upm_source_desc upm_source_alice_lg;
extern const upm_source_desc upm_source_ripestat_bgplay;
extern const upm_source_desc upm_source_ripestat_bgp_updates;
extern const upm_source_desc upm_source_ris_live;

/* ============================================================ RIS Live */

/* The public stream; the client name (sourceapp) follows. */
#define UPM_RIS_LIVE_URL \
	"https://ris-live.ripe.net/v1/stream/?format=json&client="

/* The longest line (one message) the RIS Live parser holds; a longer one
 * is skipped whole and counted (too_long).  RIS Live's UPDATE messages are
 * a few kB; one announcing thousands of prefixes stays under 1 MiB. */
#define UPM_RIS_LIVE_MAX_LINE ((size_t)1 << 20)

/* What a RIS Live parser has seen, for logs and liveness. */
typedef struct {
	uint64_t lines;          /* non-blank lines */
	uint64_t messages;       /* ris_message lines with a usable head */
	uint64_t updates, peer_states, peers_down, other;
	uint64_t garbage;        /* lines that are no message */
	uint64_t too_long;       /* lines over the cap, skipped */
	uint64_t bad_prefixes;   /* prefixes that are no prefix, skipped */
	uint64_t errors;         /* ris_error messages */
	char error[256];         /* the last ris_error's text */
	int64_t last_time;       /* the newest message time, Unix seconds */
	int64_t recent_time;     /* the time of the last message read */
	int64_t newest_since;    /* the newest time since the last
	                          * upm_ris_live_parser_take_newest */
} upm_ris_live_stats;

typedef struct ris_live_parser upm_ris_live_parser;

/* A parser of RIS Live's JSON lines (common/source_ris_live.c): bytes in
 * any split, events to sink (borrowed).  max_line 0: UPM_RIS_LIVE_MAX_LINE.
 * Caller owns (upm_ris_live_parser_free); NULL without memory. */
upm_ris_live_parser *upm_ris_live_parser_new(const upm_sink *sink,
    size_t max_line, upm_error *err);
/* UPM_OK, UPM_ERR_NOMEM, or UPM_ERR_ABORTED when the sink stopped. */
upm_status upm_ris_live_parser_feed(upm_ris_live_parser *p, const char *buf,
    size_t len, upm_error *err);
/* A new connection: a partial line of the last one is dropped. */
void upm_ris_live_parser_reset(upm_ris_live_parser *p);
/* The newest message time since the last call (0: no message), for
 * the lag of what just arrived; starts the next period. */
int64_t upm_ris_live_parser_take_newest(upm_ris_live_parser *p);
const upm_ris_live_stats *upm_ris_live_parser_stats(
    const upm_ris_live_parser *p);
void upm_ris_live_parser_free(upm_ris_live_parser *p);

/* The X-RIS-Subscribe value: UPDATE messages of prefixes and their more
 * specifics; with n 0, peer states ({"type":"RIS_PEER_STATE"}).  *out
 * malloc'd, caller frees. */
upm_status upm_ris_live_subscription(const char *const *prefixes, size_t n,
    char **out, upm_error *err);

/* bgplay's and bgp-updates' URL: resource (a prefix, an AS or a
 * comma-separated list of them) over [q->window_start, q->window_end]
 * (either 0: RIPEstat's default).  *url caller frees. */
upm_status upm_ripestat_window_url(const upm_query_opts *q, const char *call,
    const char *resource, char **url, upm_error *err);

/* ====================================================== parser helpers */

/* A RIPEstat source's parser: the push parser of call, its observations
 * (or neighbours) to sink.  For parser_new/feed/finish/free. */
void *upm_ripestat_stream_new(upm_call call, const upm_sink *sink,
    upm_error *err);
upm_status upm_ripestat_stream_feed(void *parser, const char *buf,
    size_t len, upm_error *err);
upm_status upm_ripestat_stream_finish(void *parser, upm_meta *meta,
    upm_error *err);
void upm_ripestat_stream_free(void *parser);

/* A looking glass's answer is one JSON document of routes without an
 * order to stream by: taken in up to UPM_LG_MAX_BYTES, then parsed whole
 * by parse at finish. */
#define UPM_LG_MAX_BYTES (64u << 20)
typedef upm_status (*upm_lg_parse_fn)(const char *buf, size_t len,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err);
void *upm_lg_stream_new(upm_lg_parse_fn parse, const char *who,
    const upm_sink *sink, upm_error *err);
upm_status upm_lg_stream_feed(void *parser, const char *buf, size_t len,
    upm_error *err);
upm_status upm_lg_stream_finish(void *parser, upm_meta *meta,
    upm_error *err);
void upm_lg_stream_free(void *parser);

/* A looking glass that says it failed (root's key is set): UPM_ERR_STATUS
 * "<who> error: <its text>"; UPM_OK when it did not. */
upm_status upm_lg_error(const json_t *root, const char *key, const char *who,
    upm_error *err);

/* Hands one looking-glass route (path p, borrowed) to sink and counts it in
 * meta (may be NULL): UPM_OK, or UPM_ERR_ABORTED when the sink stops. */
upm_status upm_lg_emit(const upm_aspath *p, const char *prefix,
    const char *session, upm_obs_sink sink, void *ctx, upm_meta *meta,
    upm_error *err);

/* "<base><path>?q=<escaped prefix>" into *out (malloc'd, caller frees). */
upm_status upm_lg_url(const char *base, const char *path, const char *prefix,
    char **out, upm_error *err);

#endif

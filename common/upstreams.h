/*
 * upstreams.h - the public interface of libupstreams: what the front ends
 * (the Nagios check and the collectd plugin) call.  The core's own plumbing
 * (sources, parsers, sinks, the cache, the computation) is in upm_private.h.
 *
 * One prefix (upm_), opaque handles with _new/_free pairs (every _free accepts
 * NULL).  Functions that can fail return an upm_status and, when the caller
 * passes a non-NULL upm_error, fill it with a human-readable reason.  The
 * library never prints, logs or exits; that is the front ends' job.
 *
 * Data flow:  target -> requests -> fetch -> parse -> compute -> diff -> render
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPSTREAMS_H
#define UPSTREAMS_H

#include <stddef.h>
#include <stdint.h>

#define UPM_VERSION "0.2.0"

/* ================================================================ errors */

typedef enum {
	UPM_OK = 0,
	UPM_ERR_NOMEM,       /* allocation failed */
	UPM_ERR_ARG,         /* bad argument from the user (ASN, range, URL...) */
	UPM_ERR_NETWORK,     /* connection failed, DNS, TLS, refused */
	UPM_ERR_TIMEOUT,     /* the overall time budget ran out */
	UPM_ERR_HTTP,        /* HTTP status other than 200 */
	UPM_ERR_TOOBIG,      /* response larger than the configured cap */
	UPM_ERR_JSON,        /* body is not valid JSON */
	UPM_ERR_STATUS,      /* RIPEstat status not "ok" / data call unsupported */
	UPM_ERR_MAINTENANCE, /* RIPEstat maintenance response (empty data) */
	UPM_ERR_SHAPE,       /* JSON valid but a field is missing or of wrong type */
	UPM_ERR_NODATA,      /* no observations where some were required */
	UPM_ERR_STATE,       /* state file corrupt or unusable */
	UPM_ERR_IO,          /* file system error */
	UPM_ERR_ABORTED,     /* a sink asked to stop */
	UPM_ERR_STALE,       /* the data is older than the maximum age */
	UPM_ERR_QUALITY      /* too many malformed observations to judge */
} upm_status;

#define UPM_ERROR_TEXT 512

/* Filled by the library on failure; owned by the caller (usually on the stack). */
typedef struct {
	upm_status code;
	char text[UPM_ERROR_TEXT];
} upm_error;

/* Static string naming a status ("network error", ...).  Never NULL. */
const char *upm_status_name(upm_status st);

/* printf-style helper used by the library to fill err (err may be NULL).
 * Returns st so callers can write `return upm_fail(err, UPM_ERR_ARG, ...)`. */
upm_status upm_fail(upm_error *err, upm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ============================================================== buffers */

/* Growable byte buffer, always NUL-terminated when data != NULL. */
typedef struct {
	char *data;
	size_t len;
	size_t cap;
} upm_buf;

void upm_buf_init(upm_buf *b);
void upm_buf_free(upm_buf *b);              /* frees data, re-inits */
upm_status upm_buf_append(upm_buf *b, const void *p, size_t n);
upm_status upm_buf_printf(upm_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Takes the data out of b (caller frees it); b is re-initialised. */
char *upm_buf_steal(upm_buf *b);

/* ============================================ target values from the user */

/* Parse "131279" or "AS131279" (case-insensitive "as"), 1..4294967295 with
 * reserved 0 rejected, strictly (no sign, no trailing text). */
upm_status upm_asn_parse(const char *s, uint32_t *out, upm_error *err);

/* Sorted set of distinct ASNs.  Caller owns; free with upm_asn_list_free. */
typedef struct {
	uint32_t *v;
	size_t n;
	size_t cap;
} upm_asn_list;

void upm_asn_list_init(upm_asn_list *l);
void upm_asn_list_free(upm_asn_list *l);
upm_status upm_asn_list_add(upm_asn_list *l, uint32_t asn); /* keeps sorted, no dups */
int upm_asn_list_has(const upm_asn_list *l, uint32_t asn);
/* 1 when a and b hold the same ASes (both kept sorted by _add). */
int upm_asn_list_equal(const upm_asn_list *a, const upm_asn_list *b);
/* Parse "4837,AS20485 ..." (comma and/or space separated) into l (appends). */
upm_status upm_asn_list_parse(upm_asn_list *l, const char *s, upm_error *err);

/* "2017-10-01T09:07:51" (optional trailing Z, optional seconds), or Unix
 * seconds, always UTC, into seconds since the epoch. */
upm_status upm_time_parse(const char *s, int64_t *out, upm_error *err);
/* Formats epoch as "2017-10-01T09:07:51" into buf (at least 20 bytes). */
upm_status upm_time_format(int64_t t, char *buf, size_t len);
/* Milliseconds of CLOCK_MONOTONIC (budgets and deadlines, which must not
 * jump with the wall clock); 0 if the clock cannot be read. */
int64_t upm_clock_ms(void);
/* "30s", "15m", "1h", "2d" or plain seconds ("90") into seconds: digits,
 * then at most one unit letter (s, m, h, d); no sign, no blanks, at most
 * max_s.  Zero is accepted (callers that refuse it say so). */
upm_status upm_duration_parse(const char *s, int64_t max_s, int64_t *out,
    upm_error *err);

/* Validate an IPv4/IPv6 prefix "a.b.c.d/len" or "x::/len" (len mandatory). */
upm_status upm_prefix_check(const char *s, upm_error *err);

/* Two ASCII letters ("kp" or "KP"), upper-cased into out (3 bytes). */
upm_status upm_country_check(const char *s, char out[3], upm_error *err);

/* "175.45.176.0/24=4837,20485": the prefix (checked) into prefix (len
 * bytes) and the ASNs appended to expected (initialised by the caller). */
upm_status upm_prefix_expect_parse(const char *s, char *prefix, size_t len,
    upm_asn_list *expected, upm_error *err);

/* ================================================================ files */

/* What the core and the front ends read from files they are given (a
 * state file, a CA file, the --extra-opts file, a cache entry) is opened
 * by these alone: without blocking (a FIFO without a writer does not
 * hang the open), refused unless it is a regular file, with a message
 * naming what and path ("state file /x: a FIFO, not a regular file;
 * refused"). */
#define UPM_FILE_NOFOLLOW 1u  /* a symbolic link at path is refused */

/* A descriptor open for reading on the regular file path, or -1 with
 * err filled (UPM_ERR_IO) and *missing (may be NULL) 1 when it does not
 * exist.  The caller closes it. */
int upm_file_open_regular(const char *path, unsigned flags, const char *what,
    int *missing, upm_error *err);
/* upm_file_open_regular, closed again: for a file another library opens
 * (libcurl's CA file). */
upm_status upm_file_check_regular(const char *path, unsigned flags,
    const char *what, upm_error *err);
/* Appends the whole regular file path to out: UPM_ERR_TOOBIG when it is
 * more than max bytes (nothing beyond max + 1 bytes is read). */
upm_status upm_file_read_capped(const char *path, size_t max, unsigned flags,
    const char *what, upm_buf *out, int *missing, upm_error *err);

/* The temporary files a writer has open (a state write, a cache entry
 * being downloaded), so that a signal handler can remove them: register
 * after creating (a slot number, or -1 when all 32 are taken: that file
 * is then left to the directory's sweep), unregister once renamed or
 * removed.  upm_tmp_unlink_all is async-signal-safe: the check calls it
 * from its SIGTERM, SIGHUP, SIGINT and timeout handlers. */
int upm_tmp_register(const char *path);
void upm_tmp_unregister(int slot);
void upm_tmp_unlink_all(void);
/* Temporaries of our own naming left by a killed writer are removed when
 * the directory is next used, once older than this (a writer finishes
 * within its time budget, far less than an hour). */
#define UPM_TMP_STALE_AGE_S 3600
/* Whether path is a regular file of this user older than min_age_s at
 * now (a stale temporary, by the caller's naming). */
int upm_tmp_stale(const char *path, int64_t now, int64_t min_age_s);

/* ============================================================== sources */

/* An index into the one table of sources (common/sources.c). */
typedef enum {
	UPM_SRC_BGP_STATE = 0,   /* ripestat-bgp-state */
	UPM_SRC_LOOKING_GLASS,   /* ripestat-looking-glass */
	UPM_SRC_ASN_NEIGHBOURS,  /* ripestat-asn-neighbours */
	UPM_SRC_NLNOG_LG,        /* nlnog-lg: NLNOG RING LG /api/prefix */
	UPM_SRC_ALICE_LG,        /* alice-lg: Alice-LG /api/v1/lookup/prefix */
	UPM_SRC_BGPLAY,          /* ripestat-bgplay: initial state + events */
	UPM_SRC_BGP_UPDATES,     /* ripestat-bgp-updates: events */
	UPM_SRC_RIS_LIVE         /* ris-live: the live stream (collectd only) */
} upm_source;
#define UPM_MAX_SOURCES 8

/* "ripestat-bgp-state", ..., "alice-lg" into its index; -1 when unknown. */
int upm_source_parse(const char *s);
/* The source's name; "unknown" for a value outside the table.  Static. */
const char *upm_source_name(upm_source s);

/* "ripestat-bgp-state,nlnog-lg" into out (room for max); *n gets the count.
 * Unknown names and duplicates are UPM_ERR_ARG. */
upm_status upm_sources_parse(const char *list, upm_source *out, size_t max,
    size_t *n, upm_error *err);

/* ============================================================= fetching */

typedef struct upm_fetcher upm_fetcher;

/* Size caps (decoded bytes; see the README's "Memory").  A streamed answer
 * (bgp-state, looking-glass) is parsed as it arrives and holds one record
 * at a time, so its cap only has to fit the largest real networks, an
 * estimate: 20,000 prefixes x 1,000 RIS sessions carrying them x 220 bytes
 * per route (a recorded answer, compact JSON) is 4.4 GB, hence 8 GiB
 * (SIZE_MAX on a 32-bit build).  An answer kept whole (country-
 * resource-list, announced-prefixes, routing-status, asn-neighbours and
 * the looking glasses nlnog-lg and alice-lg) is held in memory: 8 MiB,
 * more than twice the largest real ones (a large country's resource list
 * or the announced prefixes of the largest networks: about 3 MB). */
#define UPM_DEFAULT_MAX_BYTES \
	((size_t)-1 > 0xffffffffu ? (size_t)8 << 30 : (size_t)-1)
#define UPM_DEFAULT_MAX_WHOLE_BYTES ((size_t)8 << 20)
/* Header and trailer lines of one try (every response of its redirects,
 * trailers of a chunked body too) beyond this end it: 64 KiB. */
#define UPM_MAX_HEADER_BYTES ((size_t)64 << 10)

typedef struct {
	const char *user_agent;   /* NULL: "upstreams/<UPM_VERSION>" */
	long connect_timeout_ms;  /* 0: 10000 */
	long timeout_ms;          /* overall budget incl. retries; 0: 30000 */
	size_t max_bytes;         /* cap of a streamed answer (parsed as it
	                           * arrives) and of upm_fetch; 0:
	                           * UPM_DEFAULT_MAX_BYTES */
	size_t max_whole_bytes;   /* cap of an answer kept whole before it is
	                           * parsed; 0: UPM_DEFAULT_MAX_WHOLE_BYTES;
	                           * never above max_bytes */
	int max_retries;          /* retries after the first try; <0: 0; default set by caller (3) */
	long retry_base_ms;       /* first backoff delay; 0: 500 */
	int allow_file;           /* accept file:// URLs */
	const char *ca_file;      /* NULL: system CA store */
	int insecure;             /* disable TLS verification (never default) */
	/* The on-disk response cache.  NULL / 0 keep every request on the
	 * network. */
	const char *cache_dir;    /* shared cache directory; NULL: no cache */
	long cache_max_age_s;     /* >0: one freshness for every data call;
	                           * 0: per call (asn-neighbours 6 h, bgp-state
	                           * and looking-glass 5 min, announced-prefixes
	                           * and routing-status 1 h, country lists 24 h) */
	int64_t cache_now;        /* the time the cache sees; 0: time(NULL) */
	/* Optional: asked before every try, about once a second while a
	 * transfer runs (libcurl's progress callback, idle connections
	 * included) and every 100 ms of a backoff wait; nonzero stops the
	 * request at once with UPM_ERR_ABORTED.  Called from the thread that
	 * fetches (several, through a batch): it must be thread-safe. */
	int (*stop)(void *ctx);
	void *stop_ctx;
} upm_fetch_opts;

/* Whether dir can serve as the response cache: creates it with its
 * parents when missing (parents 0755, dir 2770, less the umask), refuses
 * a symlink, a non-directory and a directory everyone may write to, and
 * needs read, write and search permission for this user.  The fetcher
 * never fails a request over the cache (it just goes to the network);
 * this is how a front end finds out, to warn about it. */
upm_status upm_cache_dir_check(const char *dir, upm_error *err);

/* Fills o with defaults (max_retries 3, others 0 meaning "default"). */
void upm_fetch_opts_init(upm_fetch_opts *o);

/* Call once per process before any fetcher (curl_global_init); not thread-safe. */
upm_status upm_global_init(upm_error *err);
void upm_global_cleanup(void);

/* Caller owns the fetcher; copies what it needs from opts.  NULL on failure. */
upm_fetcher *upm_fetcher_new(const upm_fetch_opts *opts, upm_error *err);
void upm_fetcher_free(upm_fetcher *f);

/* What a fetcher has asked so far: HTTP requests sent (every try and
 * every redirect followed is one; file:// reads are none) and answers
 * served from the cache instead. */
typedef struct {
	uint64_t requests;
	uint64_t cached;
} upm_fetch_counts;

void upm_fetcher_counts(const upm_fetcher *f, upm_fetch_counts *out);

/* ============================================================== results */

typedef enum {
	UPM_ST_UNBASELINED = 0, /* no baseline to compare with */
	UPM_ST_EXPECTED,        /* in the baseline and present */
	UPM_ST_NEW,             /* present, not in the baseline */
	UPM_ST_MISSING          /* in the baseline, not present */
} upm_upstream_status;

/* What a neighbour is to the target. */
typedef enum {
	UPM_ROLE_UPSTREAM = 0,  /* a provider: carries the target to the world */
	UPM_ROLE_LATERAL,       /* a peer or a customer-side artefact */
	UPM_ROLE_COLLECTOR_PEER /* seen only as the vantage point itself */
} upm_role;

/* On what the role rests. */
typedef enum {
	UPM_EVIDENCE_NONE = 0,  /* nothing: lateral, or every neighbour taken
	                         * (roles not inferred, --neighbours all) */
	UPM_EVIDENCE_CLIQUE,    /* a transit-free clique AS to its left on
	                         * paths of at least min_peers vantage ASes */
	UPM_EVIDENCE_VANTAGE,   /* seen behind many distinct vantage ASes */
	UPM_EVIDENCE_RELFILE,   /* the AS-relationship file says so */
	UPM_EVIDENCE_ROUTE_SERVER /* announced to an IXP route server */
} upm_evidence;

/* How the roles of a result were come by. */
typedef enum {
	UPM_ROLES_FALLBACK = 0, /* no neighbour had provider evidence: every
	                         * neighbour is an upstream */
	UPM_ROLES_INFERRED,     /* some neighbour had provider evidence */
	UPM_ROLES_ALL,          /* --neighbours all: the same, on purpose */
	UPM_ROLES_SUMMARY       /* asn-neighbours: RIPEstat's left neighbours */
} upm_roles_basis;

typedef struct {
	uint32_t asn;
	double share;           /* percent of the upstreams' weight (0 for a
	                         * lateral neighbour) */
	uint64_t observations;  /* paths through it; asn-neighbours: peer_routes */
	size_t sessions;        /* distinct sessions (collector + peer address) */
	size_t prefixes;        /* distinct prefixes */
	int present;            /* vantage_ases >= min_peers && share >= min_share */
	int uncertain;          /* asn-neighbours "uncertain": never present */
	upm_upstream_status status;
	upm_role role;
	upm_evidence evidence;
	size_t vantage_ases;    /* distinct vantage-point ASes (paths) */
	uint64_t peer_routes;   /* asn-neighbours: v4_peers + v6_peers */
} upm_upstream;

/* Share weighting: every path, or every vantage AS once per prefix. */
typedef enum {
	UPM_WEIGHT_PATH = 0,
	UPM_WEIGHT_VANTAGE_AS
} upm_weighting;

/* CAIDA AS relationships (upm_asrel_load); read-only once loaded, so one
 * may serve many targets and threads. */
typedef struct upm_asrel upm_asrel;

/* Seen behind this many distinct vantage ASes (other than itself), a
 * neighbour is an upstream: measured, see the README. */
#define UPM_MANY_VANTAGE_ASES 5

typedef struct {
	size_t min_peers;       /* distinct vantage ASes; default 2 */
	double min_share;       /* percent, default 1.0 */
	upm_weighting weighting;
	int neighbours_all;     /* every neighbour is an upstream (no roles) */
	const upm_asn_list *clique;   /* borrowed; NULL: the built-in clique */
	const upm_asrel *relationships; /* borrowed; NULL: none */
	size_t many_vantage;    /* 0: UPM_MANY_VANTAGE_ASES */
} upm_params;

void upm_params_init(upm_params *p);

/* The built-in transit-free clique (CAIDA AS Rank), ascending. */
const uint32_t *upm_clique_builtin(size_t *n);

/* Reads a CAIDA AS-relationship file ("a|b|-1": a provider of b;
 * "a|b|0": peers; further columns ignored; "#" lines are comments, a
 * "# inferred clique:" line is kept), plain, gzip or bzip2 (by content).
 * *out caller owns (upm_asrel_free).  UPM_ERR_IO / UPM_ERR_ARG naming
 * the file and line. */
upm_status upm_asrel_load(const char *path, upm_asrel **out, upm_error *err);
void upm_asrel_free(upm_asrel *r);
/* Pairs known; the file's clique (NULL when it had none). */
size_t upm_asrel_pairs(const upm_asrel *r);
const upm_asn_list *upm_asrel_clique(const upm_asrel *r);
/* What a is to b: 1 a provider of b, -1 a customer of b, 0 peers,
 * 2 unknown. */
int upm_asrel_lookup(const upm_asrel *r, uint32_t a, uint32_t b);

/* "upstream", "lateral", "collector-peer"; "clique", "vantage-ases",
 * "relationship-file", "route-server", "none".  Static. */
const char *upm_role_name(upm_role r);
const char *upm_evidence_name(upm_evidence e);
/* "path" / "vantage-as" into *w: UPM_OK or UPM_ERR_ARG. */
upm_status upm_weighting_parse(const char *s, upm_weighting *w, upm_error *err);
/* "providers" / "all" into *all: UPM_OK or UPM_ERR_ARG. */
upm_status upm_neighbours_parse(const char *s, int *all, upm_error *err);

typedef struct {
	int have;              /* 0 when the response had no visibility */
	uint64_t v4_seeing, v4_total;
	uint64_t v6_seeing, v6_total;
	/* data.last_seen of routing-status: when RIS last saw the resource
	 * announced, "2025-06-11T08:00:00" UTC ("" when not given), and the
	 * prefix ("" when not given) and origin (0 when not given) then. */
	char last_seen[32];
	char last_seen_prefix[64];
	uint32_t last_seen_origin;
} upm_visibility;

/* An origin-set AS seen between the upstream and the origin. */
typedef struct upm_domestic {
	uint32_t asn;
	uint64_t observations;  /* observations it appears in as transit */
} upm_domestic;

/* The figures of one source when several were asked. */
typedef struct upm_source_result {
	char source[48];        /* "nlnog-lg" */
	char data_time[32];
	uint64_t observations;
	uint64_t with_upstream;
	size_t sessions;
	upm_upstream *upstreams; /* sorted by share desc, then asn asc */
	size_t n_upstreams;
	size_t n_present;
} upm_source_result;

/* One prefix and its upstreams (role upstream only), for the long output. */
typedef struct upm_prefix_upstreams {
	char prefix[64];
	upm_asn_list upstreams;
} upm_prefix_upstreams;

/* The upstreams of one tracked prefix, by the same thresholds over that
 * prefix's observations. */
typedef struct upm_prefix_result {
	char prefix[64];
	uint64_t with_upstream;  /* observations of it that have an upstream */
	upm_upstream *upstreams; /* sorted by share desc, then asn asc */
	size_t n_upstreams;
	int baselined;           /* upm_diff_prefix was called */
	upm_asn_list expected, appeared, disappeared; /* ascending */
} upm_prefix_result;

/* The requests of one query to one kind of call: a source's name
 * ("ripestat-bgp-state"), "... control" for its control query, or a
 * RIPEstat data call the driver asks on the way ("ripestat-routing-status",
 * "ripestat-announced-prefixes", "ripestat-country-resource-list"). */
typedef struct {
	char what[48];
	uint64_t requests;      /* sent to the server (tries and redirects) */
	uint64_t cached;        /* answered from the cache instead */
} upm_request_count;
#define UPM_MAX_REQUEST_KINDS 12

/* Result of one query; caller owns, free with upm_result_free. */
typedef struct {
	char target[64];        /* "AS131279" */
	char source[48];        /* "ripestat-bgp-state" */
	char data_time[32];     /* "2017-10-01T09:08:00" or "" */
	uint64_t observations;  /* all observations seen */
	uint64_t with_upstream; /* observations that have an upstream */
	uint64_t direct;        /* origin is the vantage point's neighbour: no upstream */
	uint64_t unusable;      /* AS_SET / junk */
	uint64_t malformed;     /* of unusable: garbled, not unusable by rule */
	uint64_t other_origin;  /* last AS not in the origin set: not ours */
	size_t sessions;        /* distinct sessions over all observations */
	size_t prefixes;        /* distinct prefixes over all observations */
	upm_visibility visibility;
	upm_upstream *upstreams;  /* sorted by share desc, then asn asc */
	size_t n_upstreams;
	size_t n_present;
	upm_asn_list appeared;    /* filled by upm_diff, ascending */
	upm_asn_list disappeared; /* filled by upm_diff, ascending */
	int baselined;            /* upm_diff was given a baseline */
	char warnings[1024];      /* e.g. "3 unusable paths", and every
	                           * message of the answers; "" if none */
	/* Freshness (queries for now only; -1 when not known or not
	 * applied). */
	int have_age;             /* data_age is known */
	int64_t data_age;         /* seconds between data_time and now */
	int64_t max_age;          /* the limit applied, seconds; 0: none */
	/* A total outage: no route to the target, while the control prefix
	 * had routes at the same source and time. */
	int outage;
	size_t control_sessions;  /* sessions that saw the control prefix */
	/* Country targets, several sources and tracked prefixes.  All empty
	 * (0 / NULL / "") for one AS read from one source. */
	size_t n_origins;         /* ASes in the origin set (0: not counted) */
	upm_domestic *domestic;   /* origin-set ASes seen in transit,
	                           * most observations first */
	size_t n_domestic;
	upm_source_result *sources; /* one per source, when several */
	size_t n_sources;
	upm_prefix_result *prefix_results; /* one per tracked prefix */
	size_t n_prefix_results;
	char disagree[256];       /* "" or "sources disagree: ..." */
	/* Neighbours that are not upstreams (lateral, collector-peer), by
	 * observations; never in the shares, presence or the baseline. */
	upm_upstream *laterals;
	size_t n_laterals;
	upm_roles_basis roles;
	size_t vantage_ases;      /* distinct vantage ASes over all paths */
	uint64_t reserved;        /* unusable by rule: a reserved ASN where
	                           * the neighbour should be */
	uint64_t private_hops;    /* private ASes walked over (RFC 6996) */
	uint64_t poisoned;        /* paths with ASes written between copies of
	                           * the origin set */
	upm_prefix_upstreams *by_prefix; /* every prefix with an upstream */
	size_t n_by_prefix;
	upm_asn_list migrated;    /* baseline entries dropped because they
	                           * are lateral now (an old state file) */
	/* The query's load on the sources: per kind of call, and in all. */
	upm_request_count requests[UPM_MAX_REQUEST_KINDS];
	size_t n_requests;
	uint64_t requests_total;  /* sent to servers */
	uint64_t cached_total;    /* answered from the cache */
} upm_result;

void upm_result_free(upm_result *r); /* frees r itself too; NULL ok */

/* Whether an upstream has its own values (perfdata label, collectd
 * value, long-output line): present, or in the baseline. */
int upm_upstream_shown(const upm_upstream *u);
/* Whether u, an upstream of one of r's sources, gets a label or a value:
 * present at that source, or shown (above) in r's combined figures. */
int upm_source_upstream_shown(const upm_result *r, const upm_upstream *u);

/* Everything else, aggregated: how many neighbours and their summed
 * share of the paths. */
typedef struct {
	size_t count;
	double share;
} upm_others;

void upm_result_others(const upm_result *r, upm_others *out);

/* Compares the present set with baseline: sets each upstream's status, adds
 * MISSING entries (share 0) for baseline ASes not present, fills appeared /
 * disappeared.  baseline NULL: everything UNBASELINED.  Calling it again
 * first drops the entries an earlier call added. */
upm_status upm_diff(upm_result *r, const upm_asn_list *baseline, upm_error *err);

/* Present set of r into out, which must be initialised; its contents are
 * replaced (caller frees with upm_asn_list_free). */
upm_status upm_result_present(const upm_result *r, upm_asn_list *out, upm_error *err);

/* Compares a tracked prefix's present upstreams with expected; UPM_ERR_ARG
 * when the prefix was not tracked.  Calling it again replaces the lists. */
upm_status upm_diff_prefix(upm_result *r, const char *prefix,
    const upm_asn_list *expected, upm_error *err);

/* Number of tracked prefixes whose upstreams differ from their expectation. */
size_t upm_result_prefix_changes(const upm_result *r);

/* ================================================================ query */

/*
 * A target's origin set is its AS, or a country's ASNs from RIPEstat's
 * country-resource-list, plus extra_asns.  The upstream of a path is the
 * first AS outside the set; the set's own ASes met on the way are domestic
 * transit, reported but never upstreams.  Every observation keeps its
 * source; with several sources the result holds one upm_source_result each
 * beside the combined figures.
 */

/* One watched target and how to read it. Strings are borrowed for the call. */
typedef struct {
	uint32_t asn;             /* the target AS */
	upm_source source;
	const char *ripestat_url; /* NULL: "https://stat.ripe.net" */
	const char *sourceapp;    /* NULL: "upstreams" */
	const char *const *prefixes; /* looking-glass prefixes; NULL: announced-prefixes */
	size_t n_prefixes;
	const char *at;           /* bgp-state timestamp= value, NULL for now */
	/* Event sources (ripestat-bgplay, ripestat-bgp-updates): the window,
	 * Unix seconds (0: the source's default, the latest data, unless
	 * have_window: then both are sent as given, 0 the epoch). */
	int64_t window_start, window_end;
	int have_window;
	int visibility;           /* also ask routing-status for visibility */
	size_t max_prefixes;      /* looking glasses: most prefixes asked; 0: 64 */
	upm_params params;
	/* Optional: told each URL before it is fetched (for -vvv, debug logs). */
	void (*trace)(void *trace_ctx, const char *msg);
	void *trace_ctx;
	/* Zero/NULL below keeps the plain one-AS, one-source query. */
	const char *country;      /* "KP": the origin set is the country's ASNs
	                           * (asn must then be 0) */
	const uint32_t *extra_asns;  /* added to the origin set */
	size_t n_extra_asns;
	const char *const *extra_prefixes; /* used by the target, registered
	                           * elsewhere: their paths count whatever
	                           * their origin */
	size_t n_extra_prefixes;
	const upm_source *sources; /* several sources; n_sources 0: source */
	size_t n_sources;
	const char *nlnog_url;    /* NULL: "https://lg.ring.nlnog.net" */
	const char *alice_url;    /* no default: required for alice-lg */
	const char *const *track_prefixes; /* per-prefix upstream sets */
	size_t n_track_prefixes;
	size_t max_asns;          /* country: most ASNs asked per run; 0: 1000 */
	/* An answer with no route to the target is checked against a prefix
	 * that is always announced, asked of the same source for the same
	 * time.  NULL: UPM_CONTROL_PREFIX. */
	const char *control_prefix;
	/* Queries for now (at NULL): older data is UPM_ERR_STALE in the
	 * result's judgement (upm_result_check).  0: the source's default
	 * (upm_source_max_age); <0: no limit. */
	int64_t max_age_s;
	int64_t now;              /* the time ages are counted to; 0: time(NULL) */
	int per_prefix;           /* every prefix's upstreams in the result's
	                           * prefix_results (at most 64 prefixes) */
	size_t parallel;          /* requests of this query in flight at once
	                           * (a country's bgp-state batches); 0 or 1:
	                           * one at a time; at most 8 */
} upm_query_opts;

/* RIPE NCC's own prefix (AS3333): announced everywhere, all the time. */
#define UPM_CONTROL_PREFIX "193.0.0.0/21"

/* Malformed observations above this percentage of all make the data
 * unfit to judge (upm_result_check). */
#define UPM_MALFORMED_MAX_PCT 10

/* The default maximum age of a source's data for a query for now, in
 * seconds (ripestat-bgp-state 12 h: RIS dumps every 8 h; ripestat-looking-glass
 * 1 h; ripestat-asn-neighbours 2 days: a daily snapshot; the looking
 * glasses 1 h); -1 for a value
 * outside the table. */
int64_t upm_source_max_age(upm_source s);

/* Whether a result can be judged: UPM_OK; UPM_ERR_STALE when its data is
 * older than its max_age ("data is 5 d 2 h old (data time ..., maximum
 * age 12 h 0 min)"); UPM_ERR_QUALITY when malformed observations are more
 * than UPM_MALFORMED_MAX_PCT percent of all ("8 of 20 paths malformed
 * (more than 10 %)"), or, after upm_diff, when a baseline upstream
 * disappeared and the malformed observations alone would have given it
 * p's min_share ("1 of 20 paths malformed, enough to hide AS20485").  err
 * says why; upm_status_name gives the class ("stale data", "data
 * quality").  Call it before the baseline (nothing is learned from such
 * data) and again after the comparison. */
upm_status upm_result_check(const upm_result *r, const upm_params *p,
    upm_error *err);

/* "4 h 12 min", "5 d 2 h", "40 s": an age for people. */
void upm_age_text(int64_t seconds, char *buf, size_t len);

void upm_query_opts_init(upm_query_opts *q);

/* target -> requests -> fetch -> parse -> compute, with f.  *out caller
 * owns; r->target, source and data_time filled.  Observations required:
 * an empty current answer is UPM_ERR_NODATA. */
upm_status upm_query(upm_fetcher *f, const upm_query_opts *q,
    upm_result **out, upm_error *err);

/* Runs many queries with at most max_in_flight HTTP requests at a time
 * (0: 8, RIPEstat's limit per client address; more than 32 refused).
 * A fixed pool of worker threads, each with its own fetcher made from
 * opts (so all share opts->cache_dir): not libcurl multi, because one
 * query is a chain of dependent requests parsed as they stream.
 * Call upm_global_init first.  Caller owns the batch. */
typedef struct upm_batch upm_batch;

upm_batch *upm_batch_new(const upm_fetch_opts *opts, size_t max_in_flight,
    upm_error *err);
/* Adds one target: q is copied, but the strings and arrays it points to
 * are borrowed until upm_batch_run returns.  Returns the target's index
 * (0, 1, ...), or (size_t)-1 on allocation failure. */
size_t upm_batch_add(upm_batch *b, const upm_query_opts *q);
/* Runs every query added (each once); UPM_OK unless the pool could not
 * start (the targets' own failures are in their results). */
upm_status upm_batch_run(upm_batch *b);
/* The outcome of target i: its status; on UPM_OK *out gets the result,
 * which the caller then owns (a second call gives NULL); err gets the
 * target's error. */
upm_status upm_batch_result(upm_batch *b, size_t i, upm_result **out,
    upm_error *err);
void upm_batch_free(upm_batch *b);

/* ================================================================ state */

/* Reads a baseline file.  UPM_OK and out (initialised by the caller) replaced
 * by the file's set; on failure out is left unchanged.  UPM_ERR_IO with errno-style
 * text when missing (check *missing: 1 when the file does not exist);
 * UPM_ERR_STATE when corrupt (never silently empty).
 * target (may be NULL) receives the target the file was written for;
 * UPM_ERR_ARG when it does not fit target_len (64 bytes always do). */
upm_status upm_state_read(const char *path, upm_asn_list *out,
    char *target, size_t target_len, int *missing, upm_error *err);

/* upm_state_read, and *version (may be NULL) the file's format version:
 * 1 was written before neighbours had roles, 2 since. */
upm_status upm_state_read_version(const char *path, upm_asn_list *out,
    char *target, size_t target_len, int *version, int *missing,
    upm_error *err);

/* Writes atomically: temporary file in the same directory (0600, O_EXCL),
 * fsync, rename; never follows a symlink at path. */
upm_status upm_state_write(const char *path, const upm_asn_list *set,
    const char *target, upm_error *err);

/* =============================================================== ranges */

/* Nagios range "[@][start:][end]" with "~" for -inf (Monitoring Plugins). */
typedef struct {
	double start, end;
	int start_inf, end_inf; /* 1 when that side is unbounded */
	int inside;             /* '@': alert inside the range */
	char text[64];          /* as given, for perfdata */
} upm_range;

upm_status upm_range_parse(const char *s, upm_range *r, upm_error *err);
/* 1 when value should raise an alert against r, else 0. */
int upm_range_alert(const upm_range *r, double value);

/* =============================================================== render */

typedef enum {
	UPM_STATE_OK = 0,
	UPM_STATE_WARNING = 1,
	UPM_STATE_CRITICAL = 2,
	UPM_STATE_UNKNOWN = 3
} upm_state;

const char *upm_state_name(upm_state s); /* "OK", ... */

/* What the front end decided, for rendering. Borrowed. */
typedef struct {
	upm_state state;
	const char *message;      /* summary text, never NULL */
	const upm_result *result; /* NULL for UNKNOWN without data */
	const upm_range *warn;    /* NULL when not given */
	const upm_range *crit;
	const char *target;       /* used when result is NULL */
	const char *source;
	int verbose;              /* -v: each prefix's upstreams in the long
	                           * output (JSON always has them) */
} upm_report;

/* The one-line summary for a result after upm_diff: appeared and missing
 * upstreams first ("AS20485 appeared (40.0%)"), then the present set with
 * shares ("2 upstreams: AS4837 60.0%, AS20485 40.0%").  Appended to out. */
upm_status upm_render_summary(const upm_result *r, upm_buf *out);

/* Append the rendering to out (caller owns out). */
upm_status upm_render_nagios(const upm_report *rep, upm_buf *out);
upm_status upm_render_text(const upm_report *rep, upm_buf *out);
upm_status upm_render_json(const upm_report *rep, upm_buf *out);

/* ------------------------------------------------------- baseline policy */

/* A tracked prefix and the upstreams it should have (ExpectPrefix,
 * --expect-prefix).  The caller owns asns. */
typedef struct {
	char prefix[64];
	upm_asn_list asns;
} upm_prefix_expect;

/* A baseline learned by a long-running front end and kept in its memory
 * between reads; the caller owns it (upm_asn_list_init/free on set). */
typedef struct {
	upm_asn_list set;
	int learned;              /* set holds the baseline */
} upm_baseline_memory;

/* Where a target's baseline comes from.  Borrowed for the call.  The
 * policy: a state file is read when it exists (its target must be the
 * result's); when it does not, or on accept, it is written with the
 * expected set if given, else with the upstreams present now.  Without a
 * state file: the expected set; else the set learned on the first call
 * into memory; else no baseline at all. */
typedef struct {
	const upm_asn_list *expect;  /* NULL: none given */
	const char *state_file;      /* NULL: none */
	int accept;                  /* replace the state file's baseline */
	upm_baseline_memory *memory; /* NULL: nothing learned in memory */
	const upm_prefix_expect *prefixes; /* per-prefix expectations */
	size_t n_prefixes;
} upm_baseline_opts;

/* How upm_baseline_apply came by the baseline. */
typedef enum {
	UPM_BASELINE_NONE = 0,    /* no baseline: nothing compared */
	UPM_BASELINE_EXPECTED,    /* the expected set */
	UPM_BASELINE_STORED,      /* read from the state file */
	UPM_BASELINE_LEARNED,     /* the present set, now in the state file */
	UPM_BASELINE_ACCEPTED,    /* the present set replaced the state file's */
	UPM_BASELINE_SEEDED,      /* the expected set, now in the state file */
	UPM_BASELINE_LEARNED_MEMORY,   /* the present set, now in memory */
	UPM_BASELINE_REMEMBERED,  /* learned in memory by an earlier call */
	UPM_BASELINE_MIGRATED     /* read from an old state file, lateral
	                           * neighbours dropped (r->migrated), and
	                           * written back in the new format */
} upm_baseline_origin;

/* Resolves the baseline of r by the policy above, then compares: upm_diff
 * (with no baseline when there is none) and upm_diff_prefix for every
 * per-prefix expectation.  baseline (initialised by the caller, who owns
 * it) receives the set compared with; *origin (may be NULL) how it was
 * come by.  Errors: UPM_ERR_STATE (a state file of another target, or
 * corrupt), UPM_ERR_IO, UPM_ERR_NOMEM, UPM_ERR_ARG (a prefix not tracked
 * by the query). */
upm_status upm_baseline_apply(const upm_baseline_opts *o, upm_result *r,
    upm_asn_list *baseline, upm_baseline_origin *origin, upm_error *err);

/* Change texts.  Every one appends to out and returns its status.
 * "AS1, AS2", each followed by " verb" when verb is non-NULL and by
 * " (39.0%)" when shares (may be NULL) has the AS with a share above 0 (the
 * largest).  *first says whether nothing precedes in the list (no ", "
 * then) and is cleared; it may be NULL for a list of its own. */
upm_status upm_text_asns(upm_buf *out, const upm_asn_list *l,
    const char *verb, const upm_result *shares, int *first);
/* "AS20485 appeared (39.0%), AS3356 disappeared" (shares may be NULL). */
upm_status upm_text_changes(upm_buf *out, const upm_asn_list *appeared,
    const upm_asn_list *disappeared, const upm_result *shares);
/* A baseline: "AS4837, AS20485", or "no upstream" when empty. */
upm_status upm_text_baseline(upm_buf *out, const upm_asn_list *l);
/* "learned baseline: AS4837; " / "accepted new baseline: no upstream; "
 * for a baseline just written to a state file (LEARNED, ACCEPTED); nothing
 * for any other origin. */
upm_status upm_text_baseline_note(upm_buf *out, upm_baseline_origin origin,
    const upm_asn_list *baseline);

/* ---------------------------------------------------------- target rules */

/* The rules between a target's settings, each one bit; a front end
 * applies those its options can break, in this order. */
typedef enum {
	UPM_RULE_TARGET_MISSING   = 1u << 0, /* neither an AS nor a country */
	UPM_RULE_TARGET_BOTH      = 1u << 1, /* an AS and a country */
	UPM_RULE_EXPECT_AND_STATE = 1u << 2, /* expected set and state file */
	UPM_RULE_ACCEPT_NO_STATE  = 1u << 3, /* accept without a state file */
	UPM_RULE_EXPECT_EMPTY     = 1u << 4, /* an expected set of no AS */
	UPM_RULE_PREFIX_SOURCE    = 1u << 5, /* prefixes without a looking glass */
	UPM_RULE_AT_SOURCE        = 1u << 6, /* a past time, not bgp-state alone */
	UPM_RULE_AT_TIME          = 1u << 7, /* a past time that does not parse */
	UPM_RULE_SOURCE_READY     = 1u << 8, /* a source lacks what it needs (alice-lg: its base URL) */
	UPM_RULE_NEIGHBOURS_ALONE = 1u << 9, /* asn-neighbours with anything
	                                      * that needs paths */
	UPM_RULE_EXPECT_TARGET    = 1u << 10 /* the expected set names the
	                                      * target AS itself */
} upm_target_rule;

#define UPM_RULES_WHAT (UPM_RULE_TARGET_MISSING | UPM_RULE_TARGET_BOTH)
#define UPM_RULES_ALL 0x7ffu

/* Whether the query asks a looking glass (a source read per prefix). */
int upm_query_has_prefix_source(const upm_query_opts *q);

/* Applies the rules in mask to q and b (b may be NULL: no baseline
 * settings); b->state_file stands for any state store.  UPM_OK, or
 * UPM_ERR_ARG with err saying why in the check's words ("--prefix goes
 * with -s ...") and *broken (may be NULL) the rule that failed (0 on
 * UPM_OK). */
upm_status upm_target_check(const upm_query_opts *q,
    const upm_baseline_opts *b, unsigned mask, upm_target_rule *broken,
    upm_error *err);

#endif

/*
 * query_ext.c - the queries upm_query hands over: country targets (the
 * origin set from RIPEstat's country-resource-list), extra ASNs and
 * prefixes, several sources at once (RIPEstat, the NLNOG RING looking
 * glass, Alice-LG) and prefixes whose upstreams are kept apart.
 *
 * Every request goes out one after the other: a country of hundreds of
 * ASNs is hundreds of bgp-state requests, and RIPEstat asks for no more
 * than a few in flight.  The number of ASNs asked per run is bounded
 * (max_asns); a larger country is reported as partial, never silently.
 *
 * Every observation is fed to the combined computation and, with several
 * sources, to its source's own; sources whose present sets differ are
 * reported side by side ("sources disagree: ...").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "query_ext.h"

#define DEFAULT_RIPESTAT "https://stat.ripe.net"
#define DEFAULT_SOURCEAPP "upstreams"
#define DEFAULT_NLNOG "https://lg.ring.nlnog.net"
#define DEFAULT_MAX_ASNS 1000
#define DEFAULT_MAX_PREFIXES 64
/* Stands for "the target" at the end of a path of an extra prefix that
 * someone else originates; AS0 never appears in a real path. */
#define PSEUDO_ORIGIN 0

static const char *const all_names[] = {
	"ripestat-bgp-state", "ripestat-looking-glass",
	"ripestat-asn-neighbours", "nlnog-lg", "alice-lg",
};

int
upm_source_parse_any(const char *s)
{
	for (size_t i = 0; s != NULL && i < UPM_MAX_SOURCES; i++)
		if (strcmp(s, all_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
upm_source_name_any(upm_source s)
{
	return (size_t)s < UPM_MAX_SOURCES ? all_names[s] : "unknown";
}

upm_status
upm_sources_parse(const char *list, upm_source *out, size_t max, size_t *n,
    upm_error *err)
{
	char *copy, *tok, *save = NULL;
	upm_status st = UPM_OK;
	int src;

	*n = 0;
	if (list == NULL || (copy = strdup(list)) == NULL)
		return upm_fail(err, list ? UPM_ERR_NOMEM : UPM_ERR_ARG,
		    "no source list");
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && st == UPM_OK;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((src = upm_source_parse_any(tok)) < 0)
			st = upm_fail(err, UPM_ERR_ARG, "unknown source '%.40s' "
			    "(ripestat-bgp-state, ripestat-looking-glass, "
			    "ripestat-asn-neighbours, nlnog-lg, alice-lg)", tok);
		for (size_t i = 0; st == UPM_OK && i < *n; i++)
			if (out[i] == (upm_source)src)
				st = upm_fail(err, UPM_ERR_ARG,
				    "source '%.40s' given twice", tok);
		if (st == UPM_OK && *n == max)
			st = upm_fail(err, UPM_ERR_ARG, "too many sources");
		if (st == UPM_OK)
			out[(*n)++] = (upm_source)src;
	}
	free(copy);
	if (st == UPM_OK && *n == 0)
		st = upm_fail(err, UPM_ERR_ARG, "no source given");
	return st;
}

int
upm_query_is_ext(const upm_query_opts *q)
{
	return q->country != NULL || q->n_extra_asns > 0 ||
	    q->n_extra_prefixes > 0 || q->n_sources > 0 ||
	    q->n_track_prefixes > 0 || (int)q->source > UPM_SRC_ASN_NEIGHBOURS;
}

/* ------------------------------------------------------------ the run */

struct ext {
	upm_fetcher *f;
	const upm_query_opts *q;
	char target[64];
	upm_asn_list origins;       /* the target's ASes (no pseudo origin) */
	upm_source srcs[UPM_MAX_SOURCES];
	size_t n_srcs;
	upm_compute *all;
	upm_compute *per[UPM_MAX_SOURCES]; /* NULL with one source */
	char times[UPM_MAX_SOURCES][32];
	char data_time[32];
	char notes[256];            /* warnings of the run itself */
	upm_strlist prefixes;       /* asked of the prefix-based sources */
	int have_prefixes;
	upm_buf body;
	uint32_t *pathbuf;          /* extra-prefix paths with the pseudo origin */
	size_t pathcap;
};

/* Where one response's observations go. */
struct feed {
	struct ext *x;
	size_t src;                 /* index into x->srcs */
	int extra;                  /* the request was for an extra prefix */
};

/* ------------------------------------------------------- string lists */

/* (query.c's looking-glass path keeps its prefixes in one too.) */
int
upm_strlist_contains(const upm_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int
upm_strlist_add(upm_strlist *l, const char *s)
{
	if (upm_strlist_contains(l, s))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* upm_strlist_contains, but letters in either case match. */
static int
strlist_has(const upm_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
upm_strlist_free(upm_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
note(struct ext *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct ext *x, const char *fmt, ...)
{
	size_t len = strlen(x->notes);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(x->notes)) {
		memcpy(x->notes + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	/* Cut short when long: the notes are advisory. */
	(void)vsnprintf(x->notes + len, sizeof(x->notes) - len, fmt, ap);
	va_end(ap);
}

static void
trace(const struct ext *x, const char *msg)
{
	if (x->q->trace != NULL)
		x->q->trace(x->q->trace_ctx, msg);
}

static int
is_extra_prefix(const upm_query_opts *q, const char *prefix)
{
	for (size_t i = 0; prefix != NULL && i < q->n_extra_prefixes; i++)
		if (strcasecmp(q->extra_prefixes[i], prefix) == 0)
			return 1;
	return 0;
}

/* The sink of every parser: to the combined computation and the source's. */
static int
feed_obs(void *ctx, const upm_observation *obs)
{
	struct feed *fd = ctx;
	struct ext *x = fd->x;
	upm_observation o = *obs;

	/* An extra prefix announced by one of the target's ASes is also in
	 * that AS's answer: it counts once, from its own request. */
	if (!fd->extra && is_extra_prefix(x->q, obs->prefix))
		return 0;
	if (fd->extra && !obs->unusable && obs->path_len > 0 &&
	    !upm_asn_list_has(&x->origins, obs->path[obs->path_len - 1])) {
		/* Someone else originates it for the target: that AS is the
		 * one carrying it to the world, so it becomes the upstream. */
		if (obs->path_len + 1 > x->pathcap) {
			uint32_t *v = realloc(x->pathbuf,
			    (obs->path_len + 1) * sizeof(*v));
			if (v == NULL)
				return -1;
			x->pathbuf = v;
			x->pathcap = obs->path_len + 1;
		}
		memcpy(x->pathbuf, obs->path, obs->path_len * sizeof(*obs->path));
		x->pathbuf[obs->path_len] = PSEUDO_ORIGIN;
		o.path = x->pathbuf;
		o.path_len = obs->path_len + 1;
	}
	if (upm_compute_add(x->all, &o) != 0)
		return -1;
	if (x->per[fd->src] != NULL && upm_compute_add(x->per[fd->src], &o) != 0)
		return -1;
	return 0;
}

static void
keep_time(char *dst, const char *t)
{
	if (strcmp(t, dst) > 0)
		(void)snprintf(dst, 32, "%s", t);
}

static void
after_parse(struct ext *x, size_t src, const upm_meta *meta)
{
	keep_time(x->times[src], meta->data_time);
	keep_time(x->data_time, meta->data_time);
	if (meta->messages[0] != '\0' && strstr(x->notes, meta->messages) == NULL)
		note(x, "%s", meta->messages);
}

/* ------------------------------------------------------------ fetching */

/* The body is collected whole (these answers are small) through the
 * fetcher's streaming path, so that they share its on-disk cache; only an
 * answer that looks usable is accepted, and so cached: a JSON object, and
 * for RIPEstat one with status "ok" and a non-empty "data" (a maintenance
 * or error answer is never kept).  The parsers judge it fully afterwards. */
struct collect {
	upm_buf *body;
	int ripestat;
};

static upm_status
collect_begin(void *ctx, upm_error *err)
{
	struct collect *c = ctx;

	(void)err;
	upm_buf_free(c->body);
	return UPM_OK;
}

static upm_status
collect_data(void *ctx, const char *buf, size_t len, upm_error *err)
{
	struct collect *c = ctx;

	if (upm_buf_append(c->body, buf, len) != UPM_OK)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

static upm_status
collect_end(void *ctx, upm_error *err)
{
	struct collect *c = ctx;
	json_t *doc, *status, *data;
	int usable;

	(void)err;
	doc = json_loadb(c->body->data != NULL ? c->body->data : "",
	    c->body->len, JSON_REJECT_DUPLICATES, NULL);
	usable = json_is_object(doc);
	if (usable && c->ripestat) {
		status = json_object_get(doc, "status");
		data = json_object_get(doc, "data");
		usable = json_is_string(status) &&
		    strcmp(json_string_value(status), "ok") == 0 &&
		    json_is_object(data) && json_object_size(data) > 0;
	}
	json_decref(doc);
	/* An unusable body is still handed to the parser, which names the
	 * problem; it only must not be cached. */
	return usable ? UPM_OK : UPM_ERR_ABORTED;
}

static upm_status
get(struct ext *x, const char *url, int ripestat, upm_error *err)
{
	struct collect c = { &x->body, ripestat };
	upm_stream s = { collect_begin, collect_data, collect_end, &c };
	upm_status st;

	trace(x, url);
	upm_buf_free(&x->body);
	st = upm_fetch_stream(x->f, url, &s, NULL, err);
	if (st == UPM_ERR_ABORTED)
		st = UPM_OK; /* complete but not cacheable: the parser decides */
	return st;
}

static upm_status
ripestat(struct ext *x, const char *call, const char *resource,
    const char *extra, upm_error *err)
{
	const upm_query_opts *q = x->q;
	char *url = NULL;
	upm_status st;

	st = upm_ripestat_url(q->ripestat_url ? q->ripestat_url :
	    DEFAULT_RIPESTAT, call, resource, q->sourceapp ? q->sourceapp :
	    DEFAULT_SOURCEAPP, extra, &url, err);
	if (st == UPM_OK)
		st = get(x, url, 1, err);
	free(url);
	return st;
}

/* "<base><path>?q=<escaped prefix>" into *out (malloc'd). */
static upm_status
lg_url(const char *base, const char *path, const char *prefix, char **out,
    upm_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t blen = strlen(base), i;
	upm_buf b;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	upm_buf_init(&b);
	if (upm_buf_append(&b, base, blen) != UPM_OK ||
	    upm_buf_printf(&b, "%s?q=", path) != UPM_OK)
		goto nomem;
	for (i = 0; prefix[i] != '\0'; i++) {
		unsigned char c = (unsigned char)prefix[i];
		char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
		int plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_';
		if (upm_buf_append(&b, plain ? (const char *)&prefix[i] : enc,
		    plain ? 1 : 3) != UPM_OK)
			goto nomem;
	}
	*out = upm_buf_steal(&b);
	return UPM_OK;
nomem:
	upm_buf_free(&b);
	return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
}

static upm_status
parse_status(upm_status st, const char *what, const char *resource,
    upm_error *err)
{
	char why[UPM_ERROR_TEXT];

	if (st == UPM_OK)
		return st;
	if (st == UPM_ERR_ABORTED)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	/* Say which of the many requests failed. */
	(void)snprintf(why, sizeof(why), "%s", err ? err->text : "");
	return upm_fail(err, st, "%s %.64s: %.400s", what, resource, why);
}

/* ------------------------------------------------------------ countries */

/* The country's ASNs.  The list changes slowly: the fetcher's cache, when
 * it has one, keeps it a day. */
static upm_status
country_asns(struct ext *x, upm_error *err)
{
	upm_meta meta;
	upm_status st;

	st = ripestat(x, "country-resource-list", x->q->country, NULL, err);
	if (st == UPM_OK) {
		memset(&meta, 0, sizeof(meta));
		st = upm_parse_country_asns(x->body.data, x->body.len, 0,
		    &x->origins, &meta, err);
	}
	if (st != UPM_OK)
		return parse_status(st, "country-resource-list", x->q->country,
		    err);
	return UPM_OK;
}

/* The origin set: the country's ASNs, the target AS, the extra ASNs. */
static upm_status
origin_set(struct ext *x, upm_error *err)
{
	upm_status st;

	if (x->q->country != NULL && (st = country_asns(x, err)) != UPM_OK)
		return st;
	if (x->q->asn != 0 && upm_asn_list_add(&x->origins, x->q->asn) != UPM_OK)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < x->q->n_extra_asns; i++)
		if (upm_asn_list_add(&x->origins, x->q->extra_asns[i]) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (x->origins.n == 0 && x->q->n_extra_prefixes == 0)
		return upm_fail(err, UPM_ERR_NODATA, "%s has no AS (and no "
		    "--extra-asn or --extra-prefix was given)", x->target);
	return UPM_OK;
}

/* The ASNs asked, in ascending order, at most max_asns of them. */
static size_t
asns_to_ask(struct ext *x)
{
	size_t max = x->q->max_asns ? x->q->max_asns : DEFAULT_MAX_ASNS;

	if (x->origins.n <= max)
		return x->origins.n;
	return max;
}

/* ----------------------------------------------------------- RIPEstat */

static upm_status
bgp_state_extra(const char *at, char *buf, size_t len, upm_error *err)
{
	int64_t t;
	char iso[32];

	buf[0] = '\0';
	if (at == NULL)
		return UPM_OK;
	if (upm_time_parse(at, &t, err) != UPM_OK ||
	    upm_time_format(t, iso, sizeof(iso)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "bad time '%.40s'", at);
	(void)snprintf(buf, len, "timestamp=%s", iso);
	return UPM_OK;
}

static upm_status
bgp_state_one(struct ext *x, size_t src, const char *resource, int extra,
    const char *ts, upm_error *err)
{
	struct feed fd = { x, src, extra };
	upm_meta meta;
	upm_status st;

	if ((st = ripestat(x, "bgp-state", resource, ts[0] ? ts : NULL, err)))
		return parse_status(st, "bgp-state", resource, err);
	memset(&meta, 0, sizeof(meta));
	st = upm_parse_bgp_state(x->body.data, x->body.len, 0, feed_obs, &fd,
	    &meta, err);
	if (st == UPM_OK)
		after_parse(x, src, &meta);
	return parse_status(st, "bgp-state", resource, err);
}

/* bgp-state per AS of the origin set, one request at a time, then per
 * extra prefix. */
static upm_status
run_bgp_state(struct ext *x, size_t src, upm_error *err)
{
	size_t n = asns_to_ask(x), i;
	char res[16], ts[64];
	upm_status st;

	if ((st = bgp_state_extra(x->q->at, ts, sizeof(ts), err)) != UPM_OK)
		return st;
	for (i = 0; i < n; i++) {
		(void)snprintf(res, sizeof(res), "AS%lu",
		    (unsigned long)x->origins.v[i]);
		if ((st = bgp_state_one(x, src, res, 0, ts, err)) != UPM_OK)
			return st;
	}
	for (i = 0; i < x->q->n_extra_prefixes; i++)
		if ((st = bgp_state_one(x, src, x->q->extra_prefixes[i], 1, ts,
		    err)) != UPM_OK)
			return st;
	return UPM_OK;
}

static int
prefix_sink(void *ctx, const char *prefix)
{
	return upm_strlist_add(ctx, prefix);
}

/* The prefixes the prefix-based sources ask about: given (--prefix,
 * tracked, extra), else what the target's ASes announce. */
static upm_status
plan_prefixes(struct ext *x, upm_error *err)
{
	const upm_query_opts *q = x->q;
	size_t max = q->max_prefixes ? q->max_prefixes : DEFAULT_MAX_PREFIXES;
	size_t i, n;
	char res[16];
	upm_meta meta;
	upm_status st;

	if (x->have_prefixes)
		return UPM_OK;
	x->have_prefixes = 1;
	for (i = 0; i < q->n_prefixes; i++)
		if (upm_strlist_add(&x->prefixes, q->prefixes[i]) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (i = 0; i < q->n_track_prefixes; i++)
		if (upm_strlist_add(&x->prefixes, q->track_prefixes[i]) != 0)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	for (i = 0, n = asns_to_ask(x); x->prefixes.n == 0 && i < n; i++) {
		(void)snprintf(res, sizeof(res), "AS%lu",
		    (unsigned long)x->origins.v[i]);
		if ((st = ripestat(x, "announced-prefixes", res, NULL, err)))
			return parse_status(st, "announced-prefixes", res, err);
		memset(&meta, 0, sizeof(meta));
		st = upm_parse_announced_prefixes(x->body.data, x->body.len, 0,
		    prefix_sink, &x->prefixes, &meta, err);
		if (st != UPM_OK)
			return parse_status(st, "announced-prefixes", res, err);
	}
	if (x->prefixes.n > max)
		return upm_fail(err, UPM_ERR_ARG, "%s has %zu prefixes, more than "
		    "%zu: too many for the looking glasses; give --prefix",
		    x->target, x->prefixes.n, max);
	if (x->prefixes.n == 0 && q->n_extra_prefixes == 0)
		return upm_fail(err, UPM_ERR_NODATA, "%s announces no prefixes",
		    x->target);
	return UPM_OK;
}

typedef upm_status (*lg_parser)(const char *, size_t, upm_obs_sink, void *,
    upm_meta *, upm_error *);

/* One prefix from one prefix-based source. */
static upm_status
ask_prefix(struct ext *x, size_t src, const char *prefix, int extra,
    upm_error *err)
{
	upm_source s = x->srcs[src];
	struct feed fd = { x, src, extra };
	const char *name = upm_source_name_any(s);
	char *url = NULL;
	upm_meta meta;
	upm_status st;

	memset(&meta, 0, sizeof(meta));
	if (s == UPM_SRC_LOOKING_GLASS) {
		if ((st = ripestat(x, "looking-glass", prefix, NULL, err)) == UPM_OK)
			st = upm_parse_looking_glass(x->body.data, x->body.len, 0,
			    feed_obs, &fd, &meta, err);
		if ((st = parse_status(st, name, prefix, err)) == UPM_OK)
			after_parse(x, src, &meta);
		return st;
	}
	if (s == UPM_SRC_NLNOG_LG)
		st = lg_url(x->q->nlnog_url ? x->q->nlnog_url : DEFAULT_NLNOG,
		    "/api/prefix", prefix, &url, err);
	else
		st = lg_url(x->q->alice_url, "/api/v1/lookup/prefix", prefix,
		    &url, err);
	if (st == UPM_OK)
		st = get(x, url, 0, err);
	free(url);
	if (st == UPM_OK)
		st = (s == UPM_SRC_NLNOG_LG ? upm_parse_nlnog_lg :
		    upm_parse_alice_lg)(x->body.data, x->body.len, feed_obs, &fd,
		    &meta, err);
	if ((st = parse_status(st, name, prefix, err)) == UPM_OK)
		after_parse(x, src, &meta);
	return st;
}

static upm_status
run_by_prefix(struct ext *x, size_t src, upm_error *err)
{
	upm_status st;
	size_t i;

	if ((st = plan_prefixes(x, err)) != UPM_OK)
		return st;
	for (i = 0; i < x->prefixes.n; i++)
		if ((st = ask_prefix(x, src, x->prefixes.v[i],
		    is_extra_prefix(x->q, x->prefixes.v[i]), err)) != UPM_OK)
			return st;
	for (i = 0; i < x->q->n_extra_prefixes; i++)
		if (!strlist_has(&x->prefixes, x->q->extra_prefixes[i]) &&
		    (st = ask_prefix(x, src, x->q->extra_prefixes[i], 1, err)))
			return st;
	return UPM_OK;
}

static upm_status
run_source(struct ext *x, size_t src, upm_error *err)
{
	switch ((int)x->srcs[src]) {
	case UPM_SRC_BGP_STATE:
		return run_bgp_state(x, src, err);
	case UPM_SRC_LOOKING_GLASS:
	case (int)UPM_SRC_NLNOG_LG:
		return run_by_prefix(x, src, err);
	case (int)UPM_SRC_ALICE_LG:
		if (x->q->alice_url == NULL || x->q->alice_url[0] == '\0')
			return upm_fail(err, UPM_ERR_ARG,
			    "alice-lg needs the looking glass's base URL");
		return run_by_prefix(x, src, err);
	default:
		break;
	}
	return upm_fail(err, UPM_ERR_ARG, "%s gives no paths: it does not go "
	    "with a country, extra ASNs or prefixes, --expect-prefix or other "
	    "sources", upm_source_name_any(x->srcs[src]));
}

/* ------------------------------------------------------------- results */

static upm_status
source_result(struct ext *x, size_t src, upm_source_result *out,
    upm_error *err)
{
	upm_result *r = NULL;
	upm_status st;
	upm_error e2;

	(void)snprintf(out->source, sizeof(out->source), "%s",
	    upm_source_name_any(x->srcs[src]));
	(void)snprintf(out->data_time, sizeof(out->data_time), "%s",
	    x->times[src]);
	memset(&e2, 0, sizeof(e2));
	st = upm_compute_result(x->per[src], &x->q->params, &r, &e2);
	if (st == UPM_ERR_NODATA)
		return UPM_OK;
	if (st != UPM_OK)
		return upm_fail(err, st, "%s", e2.text);
	out->observations = r->observations;
	out->with_upstream = r->with_upstream;
	out->vantage_points = r->vantage_points;
	out->upstreams = r->upstreams;
	out->n_upstreams = r->n_upstreams;
	out->n_present = r->n_present;
	r->upstreams = NULL;
	r->n_upstreams = 0;
	upm_result_free(r);
	return UPM_OK;
}

static void
present_text(const upm_source_result *s, upm_buf *b)
{
	const char *sep = " ";

	(void)upm_buf_printf(b, "%s", s->source);
	for (size_t i = 0; i < s->n_upstreams; i++)
		if (s->upstreams[i].present) {
			(void)upm_buf_printf(b, "%sAS%lu", sep,
			    (unsigned long)s->upstreams[i].asn);
			sep = ", ";
		}
	if (s->n_present == 0)
		(void)upm_buf_printf(b, " none");
}

static int
same_present(const upm_source_result *a, const upm_source_result *b)
{
	size_t i, k;

	if (a->n_present != b->n_present)
		return 0;
	for (i = 0; i < a->n_upstreams; i++) {
		int found = 0;
		if (!a->upstreams[i].present)
			continue;
		for (k = 0; k < b->n_upstreams && !found; k++)
			found = b->upstreams[k].present &&
			    b->upstreams[k].asn == a->upstreams[i].asn;
		if (!found)
			return 0;
	}
	return 1;
}

/* Sources with data whose present sets differ are named side by side;
 * a source without any usable path is a note of its own. */
static void
compare_sources(struct ext *x, upm_result *r)
{
	const upm_source_result *first = NULL;
	int differ = 0;
	upm_buf b;

	for (size_t i = 0; i < r->n_sources; i++) {
		const upm_source_result *s = &r->sources[i];
		if (s->with_upstream == 0) {
			note(x, "%s: no usable observation", s->source);
			continue;
		}
		if (first == NULL)
			first = s;
		else if (!same_present(first, s))
			differ = 1;
	}
	if (!differ)
		return;
	upm_buf_init(&b);
	(void)upm_buf_printf(&b, "sources disagree: ");
	for (size_t i = 0, k = 0; i < r->n_sources; i++) {
		if (r->sources[i].with_upstream == 0)
			continue;
		if (k++ > 0)
			(void)upm_buf_printf(&b, "; ");
		present_text(&r->sources[i], &b);
	}
	if (b.data != NULL)
		upm_copy_text(r->disagree, sizeof(r->disagree), b.data);
	upm_buf_free(&b);
}

static void
source_label(const struct ext *x, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (size_t i = 0; i < x->n_srcs; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
		    upm_source_name_any(x->srcs[i]));
		if (n < 0 || (size_t)n >= len - used) {
			(void)snprintf(buf, len, "%zu sources", x->n_srcs);
			return;
		}
		used += (size_t)n;
	}
}

static void
append_warning(upm_result *r, const char *text)
{
	size_t len = strlen(r->warnings);

	if (text[0] == '\0')
		return;
	(void)snprintf(r->warnings + len, sizeof(r->warnings) - len, "%s%s",
	    len ? "; " : "", text);
}

static upm_status
check_usable(const struct ext *x, const upm_result *r, upm_error *err)
{
	if (r == NULL || r->observations == 0)
		return upm_fail(err, UPM_ERR_NODATA, "no observations of %s",
		    x->target);
	return upm_upstream_seen(r, x->target, err);
}

static upm_status
build_result(struct ext *x, upm_result **out, upm_error *err)
{
	upm_result *r = NULL;
	upm_status st;

	st = upm_compute_result(x->all, &x->q->params, &r, err);
	if (st == UPM_ERR_NODATA)
		return check_usable(x, NULL, err);
	if (st == UPM_OK)
		st = check_usable(x, r, err);
	if (st == UPM_OK && x->n_srcs > 1) {
		if ((r->sources = calloc(x->n_srcs, sizeof(*r->sources))) == NULL)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		for (size_t i = 0; st == UPM_OK && i < x->n_srcs; i++) {
			r->n_sources++;
			st = source_result(x, i, &r->sources[i], err);
		}
		if (st == UPM_OK)
			compare_sources(x, r);
	}
	if (st != UPM_OK) {
		upm_result_free(r);
		return st;
	}
	r->n_origins = x->origins.n;
	(void)snprintf(r->target, sizeof(r->target), "%s", x->target);
	source_label(x, r->source, sizeof(r->source));
	(void)snprintf(r->data_time, sizeof(r->data_time), "%s", x->data_time);
	append_warning(r, r->disagree);
	append_warning(r, x->notes);
	*out = r;
	return UPM_OK;
}

/* --------------------------------------------------------------- setup */

static upm_status
setup(struct ext *x, upm_error *err)
{
	const upm_query_opts *q = x->q;
	upm_asn_list set;
	upm_status st = UPM_OK;
	size_t i;

	if (q->country != NULL && q->asn != 0)
		return upm_fail(err, UPM_ERR_ARG, "a country or an AS, not both");
	if (q->country == NULL && q->asn == 0 && q->n_extra_asns == 0)
		return upm_fail(err, UPM_ERR_ARG, "no target AS given");
	if (q->country != NULL) {
		char cc[3];
		if ((st = upm_country_check(q->country, cc, err)) != UPM_OK)
			return st;
		(void)snprintf(x->target, sizeof(x->target), "%s", cc);
	} else
		(void)snprintf(x->target, sizeof(x->target), "AS%lu",
		    (unsigned long)(q->asn ? q->asn : q->extra_asns[0]));
	for (i = 0; i < q->n_extra_prefixes; i++)
		if ((st = upm_prefix_check(q->extra_prefixes[i], err)) != UPM_OK)
			return st;
	if (q->n_sources > UPM_MAX_SOURCES)
		return upm_fail(err, UPM_ERR_ARG, "too many sources");
	x->n_srcs = q->n_sources ? q->n_sources : 1;
	for (i = 0; i < x->n_srcs; i++)
		x->srcs[i] = q->n_sources ? q->sources[i] : q->source;
	if (q->at != NULL && (x->n_srcs > 1 || x->srcs[0] != UPM_SRC_BGP_STATE))
		return upm_fail(err, UPM_ERR_ARG,
		    "a past time goes with ripestat-bgp-state alone");
	if ((st = origin_set(x, err)) != UPM_OK)
		return st;
	/* The computation's set: the origins, plus the pseudo origin the
	 * extra prefixes' foreign paths end in. */
	upm_asn_list_init(&set);
	for (i = 0; st == UPM_OK && i < x->origins.n; i++)
		if (upm_asn_list_add(&set, x->origins.v[i]) != UPM_OK)
			st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st == UPM_OK && q->n_extra_prefixes > 0 &&
	    upm_asn_list_add(&set, PSEUDO_ORIGIN) != UPM_OK)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	if (st == UPM_OK && (x->all = upm_compute_new(&set, err)) == NULL)
		st = err ? err->code : UPM_ERR_NOMEM;
	for (i = 0; st == UPM_OK && x->n_srcs > 1 && i < x->n_srcs; i++)
		if ((x->per[i] = upm_compute_new(&set, err)) == NULL)
			st = err ? err->code : UPM_ERR_NOMEM;
	for (i = 0; st == UPM_OK && i < q->n_track_prefixes; i++)
		st = upm_compute_track_prefix(x->all, q->track_prefixes[i], err);
	upm_asn_list_free(&set);
	return st;
}

static void
ext_free(struct ext *x)
{
	upm_compute_free(x->all);
	for (size_t i = 0; i < UPM_MAX_SOURCES; i++)
		upm_compute_free(x->per[i]);
	upm_asn_list_free(&x->origins);
	upm_strlist_free(&x->prefixes);
	upm_buf_free(&x->body);
	free(x->pathbuf);
}

upm_status
upm_query_ext(upm_fetcher *f, const upm_query_opts *q, upm_result **out,
    upm_error *err)
{
	struct ext x;
	upm_status st;
	size_t n;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	x.f = f;
	x.q = q;
	upm_asn_list_init(&x.origins);
	upm_buf_init(&x.body);
	st = setup(&x, err);
	if (st == UPM_OK && (n = asns_to_ask(&x)) < x.origins.n)
		note(&x, "%s has %zu ASes: only the first %zu asked "
		    "(--max-asns)", x.target, x.origins.n, n);
	for (size_t i = 0; st == UPM_OK && i < x.n_srcs; i++)
		st = run_source(&x, i, err);
	if (st == UPM_OK)
		st = build_result(&x, out, err);
	ext_free(&x);
	return st;
}

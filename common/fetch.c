/*
 * fetch.c - HTTP(S) GET with libcurl: a capped body buffer, one time budget
 * for all tries, retries with backoff on transient failures (honouring
 * Retry-After), a restricted set of protocols and redirects; streamed
 * bodies go through the on-disk cache.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "upm_private.h"
#include "cache.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_RETRIES 3
#define DEFAULT_RETRY_BASE_MS 500L
#define MAX_REDIRECTS 3L
/* No single backoff sleep grows beyond this, however many retries. */
#define MAX_BACKOFF_MS 60000L
/* Retry-After values beyond a day are treated as "a day": no overflow. */
#define MAX_RETRY_AFTER_S 86400L
/* curl may report its own timeout a hair before our clock agrees. */
#define DEADLINE_SLACK_MS 20L

struct upm_fetcher {
	CURL *curl;
	char *user_agent;
	char *ca_file;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_bytes;        /* streamed answers, upm_fetch */
	size_t max_whole_bytes;  /* answers the consumer keeps whole */
	int max_retries;
	long retry_base_ms;
	int allow_file;
	int insecure;
	char *cache_dir;       /* NULL: no cache */
	long cache_max_age_s;
	int64_t cache_now;
	upm_fetch_counts counts;  /* requests sent, answers from the cache */
	int (*stop)(void *ctx);  /* upm_fetch_opts' stop hook, or NULL */
	void *stop_ctx;
	char errbuf[CURL_ERROR_SIZE];
};

/* What the callbacks of one try see. */
struct transfer {
	upm_buf *out;
	size_t start;        /* out->len when upm_fetch was called */
	size_t max_bytes;
	int too_big;
	size_t header_bytes; /* header and trailer bytes of this try */
	int header_too_big;
	int not_json;        /* a whole answer that does not start as JSON */
	int nomem;
	long retry_after_s;  /* -1 when the last response had none */
	/* Streaming (upm_fetch_stream) instead of out: */
	const upm_stream *stream;
	CURL *curl;
	int file_url;
	int began;           /* this try's 200 body reached the consumer */
	size_t got;          /* body bytes of this try */
	upm_status consumer_st; /* the consumer (or the cache) stopped it */
	upm_error *err;
	upm_cache_writer *tee;
	const upm_fetcher *fetcher; /* whose stop hook the progress asks */
	int stopped;         /* the stop hook ended this try */
};

/* The outcome of one try, before deciding whether to try again. */
struct attempt {
	CURLcode rc;
	long http_code;
	long retry_after_s;
};

void
upm_fetch_opts_init(upm_fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_retries = DEFAULT_RETRIES;
}

upm_status
upm_global_init(upm_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return upm_fail(err, UPM_ERR_NETWORK, "curl_global_init failed");
	return UPM_OK;
}

void
upm_global_cleanup(void)
{
	curl_global_cleanup();
}

/* ------------------------------------------------------------- clock */

static long
remaining_ms(long long deadline)
{
	long long left = deadline - upm_clock_ms();

	if (left <= 0)
		return 0;
	return left > LONG_MAX ? LONG_MAX : (long)left;
}

/* Sleeps ms milliseconds, resuming after signals. */
static void
sleep_ms(long ms)
{
	struct timespec req, rem;

	if (ms <= 0)
		return;
	req.tv_sec = ms / 1000;
	req.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&req, &rem) != 0 && errno == EINTR)
		req = rem;
}

/* Whether the caller's stop hook asks to stop now. */
static int
stop_asked(const upm_fetcher *f)
{
	return f->stop != NULL && f->stop(f->stop_ctx) != 0;
}

/* A backoff wait in slices of 100 ms, ended early by the stop hook; 0 when
 * it ran its course, -1 when stopped. */
static int
wait_ms(const upm_fetcher *f, long ms)
{
	while (ms > 0) {
		long slice = ms < 100 ? ms : 100;

		if (stop_asked(f))
			return -1;
		sleep_ms(slice);
		ms -= slice;
	}
	return stop_asked(f) ? -1 : 0;
}

/* libcurl's progress callback: about once a second even on a silent
 * connection, more often while bytes flow; nonzero aborts the transfer. */
static int
on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = data;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (t->fetcher != NULL && stop_asked(t->fetcher)) {
		t->stopped = 1;
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------- URL bits */

static int
has_prefix_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int
is_http(const char *url)
{
	return has_prefix_nocase(url, "http://");
}

static int
is_https(const char *url)
{
	return has_prefix_nocase(url, "https://");
}

static int
is_file(const char *url)
{
	return has_prefix_nocase(url, "file://");
}

/* Copies the host of url (no scheme, user info, port or path) into buf;
 * used only to name the server in error texts. */
static void
host_of(const char *url, char *buf, size_t len)
{
	const char *p = url ? strstr(url, "://") : NULL;
	const char *end, *at;
	size_t n;

	if (p == NULL) {
		(void)snprintf(buf, len, "?");
		return;
	}
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	if (*p == '[') {                  /* IPv6 literal: keep the brackets */
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (close != NULL)
			end = close + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		if (colon != NULL)
			end = colon;
	}
	n = (size_t)(end - p);
	if (n == 0) {
		(void)snprintf(buf, len, "?");
		return;
	}
	(void)snprintf(buf, len, "%.*s", (int)(n > 200 ? 200 : n), p);
}

/* ------------------------------------------------------ fetcher life */

static void
copy_opts(upm_fetcher *f, const upm_fetch_opts *o, int *failed)
{
	f->user_agent = upm_strdup_opt(o->user_agent ? o->user_agent :
	    "upstreams/" UPM_VERSION, failed);
	f->ca_file = upm_strdup_opt(o->ca_file, failed);
	f->connect_timeout_ms = o->connect_timeout_ms > 0 ?
	    o->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
	f->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	f->max_bytes = o->max_bytes > 0 ? o->max_bytes : UPM_DEFAULT_MAX_BYTES;
	f->max_whole_bytes = o->max_whole_bytes > 0 ? o->max_whole_bytes :
	    UPM_DEFAULT_MAX_WHOLE_BYTES;
	/* A smaller max_bytes caps the answers kept whole too. */
	if (f->max_whole_bytes > f->max_bytes)
		f->max_whole_bytes = f->max_bytes;
	f->max_retries = o->max_retries > 0 ? o->max_retries : 0;
	f->retry_base_ms = o->retry_base_ms > 0 ?
	    o->retry_base_ms : DEFAULT_RETRY_BASE_MS;
	f->allow_file = o->allow_file != 0;
	f->insecure = o->insecure != 0;
	f->cache_dir = upm_strdup_opt(o->cache_dir, failed);
	f->cache_max_age_s = o->cache_max_age_s;
	f->cache_now = o->cache_now;
	f->stop = o->stop;
	f->stop_ctx = o->stop_ctx;
}

/* Sets one option; on failure names it in err. */
#define SETOPT(f, opt, val, err)                                           \
	do {                                                               \
		CURLcode setopt_rc_ = curl_easy_setopt((f)->curl, opt, val);  \
		if (setopt_rc_ != CURLE_OK)                                \
			return upm_fail(err, UPM_ERR_NETWORK,              \
			    "curl option %s: %s", #opt,                    \
			    curl_easy_strerror(setopt_rc_));               \
	} while (0)

static size_t on_body(char *data, size_t size, size_t n, void *ctx);
static size_t on_header(char *data, size_t size, size_t n, void *ctx);

/* Which protocols the first request may use: http(s), file only on demand. */
static upm_status
set_protocols(upm_fetcher *f, upm_error *err)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(f, CURLOPT_PROTOCOLS_STR,
	    f->allow_file ? "http,https,file" : "http,https", err);
#else
	SETOPT(f, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS |
	    (f->allow_file ? CURLPROTO_FILE : 0)), err);
#endif
	return UPM_OK;
}

/* Where a redirect may lead: never file://, never https -> http. */
static upm_status
set_redirect_protocols(upm_fetcher *f, int from_https, upm_error *err)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(f, CURLOPT_REDIR_PROTOCOLS_STR,
	    from_https ? "https" : "http,https", err);
#else
	SETOPT(f, CURLOPT_REDIR_PROTOCOLS, (long)(from_https ? CURLPROTO_HTTPS :
	    (CURLPROTO_HTTP | CURLPROTO_HTTPS)), err);
#endif
	return UPM_OK;
}

static upm_status
set_tls(upm_fetcher *f, upm_error *err)
{
	SETOPT(f, CURLOPT_SSL_VERIFYPEER, f->insecure ? 0L : 1L, err);
	SETOPT(f, CURLOPT_SSL_VERIFYHOST, f->insecure ? 0L : 2L, err);
	if (f->ca_file != NULL) {
		/* libcurl opens it itself, blocking: a FIFO or a device would
		 * hang the first TLS request, so it is looked at first. */
		if (upm_file_check_regular(f->ca_file, 0, "CA file", err) !=
		    UPM_OK)
			return UPM_ERR_IO;
		SETOPT(f, CURLOPT_CAINFO, f->ca_file, err);
	}
	return UPM_OK;
}

/* The options that stay the same for every request of this fetcher. */
static upm_status
set_fixed_options(upm_fetcher *f, upm_error *err)
{
	upm_status st;

	/* Signals for DNS timeouts are not thread-safe; a plugin runs threads. */
	SETOPT(f, CURLOPT_NOSIGNAL, 1L, err);
	SETOPT(f, CURLOPT_ERRORBUFFER, f->errbuf, err);
	SETOPT(f, CURLOPT_USERAGENT, f->user_agent, err);
	/* "": every encoding this libcurl can decode; the cap counts decoded bytes. */
	SETOPT(f, CURLOPT_ACCEPT_ENCODING, "", err);
	SETOPT(f, CURLOPT_FOLLOWLOCATION, 1L, err);
	SETOPT(f, CURLOPT_MAXREDIRS, MAX_REDIRECTS, err);
	SETOPT(f, CURLOPT_WRITEFUNCTION, on_body, err);
	SETOPT(f, CURLOPT_HEADERFUNCTION, on_header, err);
	if (f->stop != NULL) {
		SETOPT(f, CURLOPT_XFERINFOFUNCTION, on_progress, err);
		SETOPT(f, CURLOPT_NOPROGRESS, 0L, err);
	}
	if ((st = set_protocols(f, err)) != UPM_OK)
		return st;
	return set_tls(f, err);
}

upm_fetcher *
upm_fetcher_new(const upm_fetch_opts *opts, upm_error *err)
{
	upm_fetch_opts defaults;
	upm_fetcher *f;
	int failed = 0;

	if (opts == NULL) {
		upm_fetch_opts_init(&defaults);
		opts = &defaults;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	copy_opts(f, opts, &failed);
	if (failed) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		upm_fetcher_free(f);
		return NULL;
	}
	if ((f->curl = curl_easy_init()) == NULL) {
		(void)upm_fail(err, UPM_ERR_NETWORK, "curl_easy_init failed");
		upm_fetcher_free(f);
		return NULL;
	}
	if (set_fixed_options(f, err) != UPM_OK) {
		upm_fetcher_free(f);
		return NULL;
	}
	return f;
}

/* A fetcher with f's settings and its own curl handle, for another
 * thread of the same query (upm_pool_run). */
upm_fetcher *
upm_fetcher_clone(const upm_fetcher *f, upm_error *err)
{
	upm_fetch_opts o;

	upm_fetch_opts_init(&o);
	o.user_agent = f->user_agent;
	o.connect_timeout_ms = f->connect_timeout_ms;
	o.timeout_ms = f->timeout_ms;
	o.max_bytes = f->max_bytes;
	o.max_whole_bytes = f->max_whole_bytes;
	o.max_retries = f->max_retries;
	o.retry_base_ms = f->retry_base_ms;
	o.allow_file = f->allow_file;
	o.ca_file = f->ca_file;
	o.insecure = f->insecure;
	o.cache_dir = f->cache_dir;
	o.cache_max_age_s = f->cache_max_age_s;
	o.cache_now = f->cache_now;
	o.stop = f->stop;
	o.stop_ctx = f->stop_ctx;
	return upm_fetcher_new(&o, err);
}

void
upm_fetcher_free(upm_fetcher *f)
{
	if (f == NULL)
		return;
	if (f->curl != NULL)
		curl_easy_cleanup(f->curl);
	free(f->user_agent);
	free(f->ca_file);
	free(f->cache_dir);
	free(f);
}

/* --------------------------------------------------------- callbacks */

/* Whether a body's first bytes can begin a JSON document: white space,
 * then a value's first byte (all white space: undecided, yes). */
static int
looks_like_json(const char *data, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++) {
		switch (data[i]) {
		case ' ': case '\t': case '\r': case '\n':
			continue;
		case '{': case '[': case '"': case '-': case 't': case 'f':
		case 'n':
			return 1;
		default:
			return data[i] >= '0' && data[i] <= '9';
		}
	}
	return 1;
}

/* Streaming: only a 200 body (or a file) goes to the consumer and the
 * cache; the first byte of each try's body starts the consumer over. */
static size_t
stream_body(struct transfer *t, char *data, size_t bytes)
{
	long code = 0;

	if (!t->file_url &&
	    (curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
	    code != 200))
		return bytes;          /* an error page: only the status matters */
	if (bytes > t->max_bytes || t->got > t->max_bytes - bytes) {
		t->too_big = 1;
		return 0;
	}
	/* A body kept whole must look like JSON from its first byte: an
	 * HTML page or a binary blob is refused before it is buffered. */
	if (t->stream->whole && t->got == 0 && !looks_like_json(data, bytes)) {
		t->not_json = 1;
		return 0;
	}
	t->got += bytes;
	if (!t->began) {
		t->began = 1;
		if ((t->consumer_st = t->stream->begin(t->stream->ctx, t->err)))
			return 0;
	}
	/* The cache is a convenience: a write failure only drops the entry. */
	if (t->tee != NULL && upm_cache_writer_write(t->tee, data, bytes, NULL)) {
		upm_cache_writer_free(t->tee);
		t->tee = NULL;
	}
	if ((t->consumer_st = t->stream->data(t->stream->ctx, data, bytes, t->err)))
		return 0;
	return bytes;
}

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	size_t bytes = size * n;
	size_t have;

	if (t->stream != NULL)
		return stream_body(t, data, bytes);
	have = t->out->len - t->start;

	/* Counts decoded bytes, so a small gzip bomb stops at the cap. */
	if (bytes > t->max_bytes || have > t->max_bytes - bytes) {
		t->too_big = 1;
		return 0;          /* any short count makes curl abort */
	}
	if (upm_buf_append(t->out, data, bytes) != UPM_OK) {
		t->nomem = 1;
		return 0;
	}
	return bytes;
}

/* Retry-After as delta seconds or as an HTTP date; -1 when unusable. */
static long
parse_retry_after(const char *v)
{
	char *end;
	long long s;
	time_t when;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		s = strtoll(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0')
			return -1;
		if (errno == ERANGE || s > MAX_RETRY_AFTER_S)
			return MAX_RETRY_AFTER_S;
		return (long)s;
	}
	if ((when = curl_getdate(v, NULL)) == -1)
		return -1;
	s = (long long)when - (long long)time(NULL);
	if (s < 0)
		return 0;
	return s > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : (long)s;
}

static size_t
on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	size_t bytes = size * n;
	char line[256];
	size_t len = bytes;
	static const char name[] = "retry-after:";

	/* Every header line of the try, trailers of a chunked body too (libcurl
	 * keeps these): an endless stream of them stops at the cap. */
	if (bytes > UPM_MAX_HEADER_BYTES - t->header_bytes) {
		t->header_too_big = 1;
		return 0;
	}
	t->header_bytes += bytes;
	/* A status line starts the headers of a new response (redirects). */
	if (bytes >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		t->retry_after_s = -1;
		return bytes;
	}
	if (len < sizeof(name) - 1 || strncasecmp(data, name, sizeof(name) - 1) != 0)
		return bytes;
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, data + sizeof(name) - 1, len - (sizeof(name) - 1));
	line[len - (sizeof(name) - 1)] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	t->retry_after_s = parse_retry_after(line);
	return bytes;
}

/* ------------------------------------------------------------ tries */

static upm_status
set_per_request(upm_fetcher *f, const char *url, struct transfer *t,
    long budget_ms, upm_error *err)
{
	upm_status st;

	SETOPT(f, CURLOPT_URL, url, err);
	SETOPT(f, CURLOPT_HTTPGET, 1L, err);
	SETOPT(f, CURLOPT_WRITEDATA, t, err);
	SETOPT(f, CURLOPT_HEADERDATA, t, err);
	if (f->stop != NULL)
		SETOPT(f, CURLOPT_XFERINFODATA, t, err);
	t->fetcher = f;
	SETOPT(f, CURLOPT_TIMEOUT_MS, budget_ms, err);
	/* Rejects a body whose Content-Length already says it is too big. */
	SETOPT(f, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(t->max_bytes >
	    (size_t)INT64_MAX ? INT64_MAX : (int64_t)t->max_bytes), err);
	SETOPT(f, CURLOPT_CONNECTTIMEOUT_MS, f->connect_timeout_ms < budget_ms ?
	    f->connect_timeout_ms : budget_ms, err);
	if ((st = set_redirect_protocols(f, is_https(url), err)) != UPM_OK)
		return st;
	return UPM_OK;
}

/* Drops what an earlier try appended: only the final body stays. */
static void
rewind_body(struct transfer *t)
{
	if (t->stream != NULL) {
		t->began = 0;
		t->got = 0;
		if (t->tee != NULL && upm_cache_writer_reset(t->tee, NULL)) {
			upm_cache_writer_free(t->tee);
			t->tee = NULL;
		}
	} else {
		t->out->len = t->start;
		if (t->out->data != NULL)
			t->out->data[t->start] = '\0';
	}
	t->too_big = 0;
	t->header_bytes = 0;
	t->header_too_big = 0;
	t->not_json = 0;
	t->nomem = 0;
	t->retry_after_s = -1;
}

/* One try is one request, and one more per redirect it followed; a
 * file:// read asks no server. */
static void
count_requests(upm_fetcher *f, const char *url)
{
	long redirects = 0;

	if (is_file(url))
		return;
	if (curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_COUNT, &redirects) !=
	    CURLE_OK || redirects < 0)
		redirects = 0;
	f->counts.requests += 1 + (uint64_t)redirects;
}

void
upm_fetcher_counts(const upm_fetcher *f, upm_fetch_counts *out)
{
	if (f == NULL) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = f->counts;
}

static upm_status
try_once(upm_fetcher *f, const char *url, struct transfer *t, long budget_ms,
    struct attempt *a, upm_error *err)
{
	upm_status st;
	long code = 0;

	rewind_body(t);
	if ((st = set_per_request(f, url, t, budget_ms, err)) != UPM_OK)
		return st;
	f->errbuf[0] = '\0';
	a->rc = curl_easy_perform(f->curl);
	count_requests(f, url);
	if (curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	a->http_code = code;
	a->retry_after_s = t->retry_after_s;
	return UPM_OK;
}

/* Transfer failures that say nothing about the request itself. */
static int
transient_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:   /* only a connect timeout gets here */
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int
transient_http(long code)
{
	return code == 429 || (code >= 500 && code <= 599);
}

static const char *
curl_text(const upm_fetcher *f, CURLcode rc)
{
	return f->errbuf[0] != '\0' ? f->errbuf : curl_easy_strerror(rc);
}

/* Whether the last transfer was sent on by a redirect (a 3xx answer or a
 * Location already followed). */
static int
followed_redirect(const upm_fetcher *f, const struct attempt *a)
{
	long count = 0;

	if (a->http_code >= 300 && a->http_code <= 399)
		return 1;
	return curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_COUNT, &count) ==
	    CURLE_OK && count > 0;
}

/* Turns a failed transfer (curl error) into a status and text. */
static upm_status
transfer_error(const upm_fetcher *f, const struct transfer *t,
    const struct attempt *a, const char *url, upm_error *err)
{
	char host[256];

	if (t->too_big || a->rc == CURLE_FILESIZE_EXCEEDED)
		return upm_fail(err, UPM_ERR_TOOBIG, "response larger than %zu bytes",
		    t->max_bytes);
	if (t->header_too_big)
		return upm_fail(err, UPM_ERR_TOOBIG, "header and trailer lines "
		    "longer than %zu bytes", UPM_MAX_HEADER_BYTES);
	if (t->not_json) {
		host_of(url, host, sizeof(host));
		return upm_fail(err, UPM_ERR_JSON, "answer from %s is not JSON",
		    host);
	}
	if (t->nomem)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	host_of(url, host, sizeof(host));
	switch (a->rc) {
	case CURLE_TOO_MANY_REDIRECTS:
		return upm_fail(err, UPM_ERR_HTTP,
		    "too many redirects (more than %ld) from %s", MAX_REDIRECTS, host);
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* libcurl says "unsupported protocol" for two things: a redirect
		 * to a scheme we refuse (the first URL's was checked, so only a
		 * redirect leads there, after a 3xx), and an answer it cannot
		 * read as HTTP/1.x (no status line, so HTTP/0.9, which it refuses
		 * by default; an unknown version; a broken status code). */
		if (followed_redirect(f, a))
			return upm_fail(err, UPM_ERR_HTTP,
			    "redirect from %s to a refused scheme: %s", host,
			    curl_text(f, a->rc));
		return upm_fail(err, UPM_ERR_HTTP, "the answer from %s is not "
		    "HTTP (HTTP/0.9 or a broken status line): %s", host,
		    curl_text(f, a->rc));
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_READ_ERROR:
		return upm_fail(err, UPM_ERR_IO, "%s", curl_text(f, a->rc));
	default:
		return upm_fail(err, UPM_ERR_NETWORK, "%s", curl_text(f, a->rc));
	}
}

static upm_status
http_error(const struct attempt *a, const char *url, int tries,
    upm_error *err)
{
	char host[256];

	host_of(url, host, sizeof(host));
	if (tries > 1)
		return upm_fail(err, UPM_ERR_HTTP, "HTTP %ld from %s (%d tries)",
		    a->http_code, host, tries);
	return upm_fail(err, UPM_ERR_HTTP, "HTTP %ld from %s", a->http_code, host);
}

/* Final verdict on a try that will not be repeated. */
static upm_status
final_status(const upm_fetcher *f, const struct transfer *t,
    const struct attempt *a, const char *url, int tries, long long deadline,
    upm_error *err)
{
	if (a->rc == CURLE_OPERATION_TIMEDOUT &&
	    remaining_ms(deadline) <= DEADLINE_SLACK_MS)
		return upm_fail(err, UPM_ERR_TIMEOUT, "timed out after %ld ms",
		    f->timeout_ms);
	if (a->rc != CURLE_OK)
		return transfer_error(f, t, a, url, err);
	if (is_file(url))
		return UPM_OK;
	if (a->http_code != 200)
		return http_error(a, url, tries, err);
	return UPM_OK;
}

/* Whether this outcome may be tried again at all (budget aside). */
static int
retryable(const struct transfer *t, const struct attempt *a, long long deadline)
{
	if (t->too_big || t->nomem || t->header_too_big || t->not_json)
		return 0;
	if (a->rc == CURLE_OPERATION_TIMEDOUT)
		return remaining_ms(deadline) > DEADLINE_SLACK_MS;
	if (a->rc != CURLE_OK)
		return transient_curl_error(a->rc);
	return transient_http(a->http_code);
}

static long
backoff_ms(const upm_fetcher *f, int retry)
{
	long ms = f->retry_base_ms;
	int i;

	for (i = 0; i < retry && ms < MAX_BACKOFF_MS; i++)
		ms = ms > MAX_BACKOFF_MS / 2 ? MAX_BACKOFF_MS : ms * 2;
	return ms > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : ms;
}

/* How long to wait before retry number `retry` (0-based); -1 when the
 * server's Retry-After cannot be honoured inside the budget (err filled). */
static long
retry_delay(const upm_fetcher *f, const struct attempt *a, int retry,
    long long deadline, upm_error *err)
{
	long left = remaining_ms(deadline);
	int has_after = a->rc == CURLE_OK && a->retry_after_s > 0 &&
	    (a->http_code == 429 || a->http_code == 503);

	if (!has_after)
		return backoff_ms(f, retry);
	/* Waiting the whole budget would leave no time for the request. */
	if (a->retry_after_s * 1000L >= left) {
		(void)upm_fail(err, UPM_ERR_HTTP,
		    "HTTP %ld (Retry-After %ld s exceeds the time budget)",
		    a->http_code, a->retry_after_s);
		return -1;
	}
	return a->retry_after_s * 1000;
}

static upm_status
check_url(const upm_fetcher *f, const char *url, upm_error *err)
{
	if (is_http(url) || is_https(url) || (f->allow_file && is_file(url)))
		return UPM_OK;
	return upm_fail(err, UPM_ERR_ARG, "unsupported URL scheme in '%.100s'%s",
	    url, is_file(url) ? " (file:// not allowed)" : "");
}

/* The tries of one request, into t (a buffer or a stream). */
static upm_status
fetch_loop(upm_fetcher *f, const char *url, struct transfer *t,
    long *http_code, upm_error *err)
{
	struct attempt a = { CURLE_OK, 0, -1 };
	long long deadline;
	long budget, delay;
	upm_status st;
	int tries = 0;

	/* Held whole (a buffer, or a consumer that keeps it): the tight cap. */
	t->max_bytes = t->stream == NULL || t->stream->whole ?
	    f->max_whole_bytes : f->max_bytes;
	deadline = upm_clock_ms() + f->timeout_ms;
	for (;;) {
		if ((budget = remaining_ms(deadline)) <= 0)
			return upm_fail(err, UPM_ERR_TIMEOUT, "timed out after %ld ms",
			    f->timeout_ms);
		if (stop_asked(f))
			return upm_fail(err, UPM_ERR_ABORTED, "stopped");
		if ((st = try_once(f, url, t, budget, &a, err)) != UPM_OK)
			return st;
		if (t->stopped)
			return upm_fail(err, UPM_ERR_ABORTED, "stopped");
		tries++;
		if (http_code != NULL)
			*http_code = a.http_code;
		if (t->consumer_st != UPM_OK)
			return t->consumer_st;   /* its own text is in err */
		if (tries > f->max_retries || !retryable(t, &a, deadline))
			return final_status(f, t, &a, url, tries, deadline, err);
		if ((delay = retry_delay(f, &a, tries - 1, deadline, err)) < 0)
			return UPM_ERR_HTTP;
		/* No sleep past the deadline: give up with what the last try said. */
		if (delay >= remaining_ms(deadline))
			return final_status(f, t, &a, url, tries, deadline, err);
		if (wait_ms(f, delay) != 0)
			return upm_fail(err, UPM_ERR_ABORTED, "stopped");
	}
}

upm_status
upm_fetch(upm_fetcher *f, const char *url, upm_buf *out, long *http_code,
    upm_error *err)
{
	struct transfer t;
	upm_status st;

	if (http_code != NULL)
		*http_code = 0;
	if (f == NULL || url == NULL || out == NULL)
		return upm_fail(err, UPM_ERR_ARG, "upm_fetch: missing argument");
	if ((st = check_url(f, url, err)) != UPM_OK)
		return st;
	memset(&t, 0, sizeof(t));
	t.out = out;
	t.start = out->len;
	t.retry_after_s = -1;
	return fetch_loop(f, url, &t, http_code, err);
}

/* ------------------------------------------------------------ stream */

static int64_t
cache_time(const upm_fetcher *f)
{
	return f->cache_now != 0 ? f->cache_now : (int64_t)time(NULL);
}

/* A fresh cache entry, fed to the consumer as if it had been fetched. */
static upm_status
serve_cached(FILE *fp, uint64_t len, const upm_stream *s, upm_error *err)
{
	char chunk[65536];
	upm_status st;
	size_t n;

	if ((st = s->begin(s->ctx, err)) != UPM_OK)
		return st;
	while (len > 0) {
		n = fread(chunk, 1, len < sizeof(chunk) ? (size_t)len :
		    sizeof(chunk), fp);
		if (n == 0)
			return upm_fail(err, UPM_ERR_IO, "cache entry cut short");
		if ((st = s->data(s->ctx, chunk, n, err)) != UPM_OK)
			return st;
		len -= n;
	}
	return s->end(s->ctx, err);
}

/* Ends a network transfer: the consumer's verdict, then the cache. */
static upm_status
stream_end(struct transfer *t, upm_error *err)
{
	upm_status st = UPM_OK;

	if (!t->began)           /* an empty body: begin was never called */
		st = t->stream->begin(t->stream->ctx, err);
	if (st == UPM_OK)
		st = t->stream->end(t->stream->ctx, err);
	if (st == UPM_OK && t->tee != NULL)
		(void)upm_cache_writer_commit(t->tee, NULL);
	return st;
}

upm_status
upm_fetch_stream(upm_fetcher *f, const char *url, const upm_stream *s,
    long *http_code, upm_error *err)
{
	return upm_fetch_stream_fresh(f, url, 0, s, http_code, err);
}

/* fresh_s 0: the cache's own table by the URL's data call. */
upm_status
upm_fetch_stream_fresh(upm_fetcher *f, const char *url, long fresh_s,
    const upm_stream *s, long *http_code, upm_error *err)
{
	struct transfer t;
	FILE *fp = NULL;
	uint64_t len = 0;
	upm_status st;

	if (http_code != NULL)
		*http_code = 0;
	if (f == NULL || url == NULL || s == NULL || s->begin == NULL ||
	    s->data == NULL || s->end == NULL)
		return upm_fail(err, UPM_ERR_ARG, "upm_fetch_stream: missing argument");
	if ((st = check_url(f, url, err)) != UPM_OK)
		return st;
	if (f->cache_dir != NULL && upm_cache_open(f->cache_dir, url,
	    cache_time(f), f->cache_max_age_s > 0 ? f->cache_max_age_s :
	    fresh_s, &fp, &len, NULL) == UPM_OK) {
		if (http_code != NULL)
			*http_code = 200;
		f->counts.cached++;
		st = serve_cached(fp, len, s, err);
		fclose(fp);
		return st;
	}
	memset(&t, 0, sizeof(t));
	t.retry_after_s = -1;
	t.stream = s;
	t.curl = f->curl;
	t.file_url = is_file(url);
	t.err = err;
	/* An unusable cache directory only costs the caching. */
	if (f->cache_dir != NULL && !t.file_url)
		t.tee = upm_cache_writer_new(f->cache_dir, url, cache_time(f), NULL);
	st = fetch_loop(f, url, &t, http_code, err);
	if (st == UPM_OK)
		st = stream_end(&t, err);
	upm_cache_writer_free(t.tee);
	return st;
}

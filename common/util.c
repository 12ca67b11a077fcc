/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* util.c - errors, buffers, ASN and prefix parsing shared by all modules. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "upm_private.h"

const char *
upm_status_name(upm_status st)
{
	switch (st) {
	case UPM_OK: return "ok";
	case UPM_ERR_NOMEM: return "out of memory";
	case UPM_ERR_ARG: return "invalid argument";
	case UPM_ERR_NETWORK: return "network error";
	case UPM_ERR_TIMEOUT: return "timeout";
	case UPM_ERR_HTTP: return "HTTP error";
	case UPM_ERR_TOOBIG: return "response too large";
	case UPM_ERR_JSON: return "invalid JSON";
	case UPM_ERR_STATUS: return "data source error";
	case UPM_ERR_MAINTENANCE: return "data source in maintenance";
	case UPM_ERR_SHAPE: return "unexpected response shape";
	case UPM_ERR_NODATA: return "no data";
	case UPM_ERR_STATE: return "state file error";
	case UPM_ERR_IO: return "I/O error";
	case UPM_ERR_ABORTED: return "aborted";
	case UPM_ERR_STALE: return "stale data";
	case UPM_ERR_QUALITY: return "data quality";
	}
	return "unknown error";
}

upm_status
upm_fail(upm_error *err, upm_status st, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return st;
	err->code = st;
	va_start(ap, fmt);
	/* Truncation of an error text is acceptable: it stays NUL-terminated. */
	(void)vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return st;
}

void
upm_buf_init(upm_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
upm_buf_free(upm_buf *b)
{
	free(b->data);
	upm_buf_init(b);
}

static upm_status
buf_reserve(upm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return UPM_ERR_NOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return UPM_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return UPM_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return UPM_OK;
}

upm_status
upm_buf_append(upm_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != UPM_OK)
		return UPM_ERR_NOMEM;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return UPM_OK;
}

upm_status
upm_buf_printf(upm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return UPM_ERR_ARG;
	if (buf_reserve(b, (size_t)n) != UPM_OK)
		return UPM_ERR_NOMEM;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return UPM_OK;
}

char *
upm_buf_steal(upm_buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	upm_buf_init(b);
	return p;
}

upm_status
upm_asn_parse(const char *s, uint32_t *out, upm_error *err)
{
	const char *p = s;
	unsigned long long v = 0;

	if (s == NULL || *s == '\0')
		return upm_fail(err, UPM_ERR_ARG, "empty AS number");
	if ((p[0] == 'A' || p[0] == 'a') && (p[1] == 'S' || p[1] == 's'))
		p += 2;
	if (*p == '\0')
		return upm_fail(err, UPM_ERR_ARG, "invalid AS number '%.40s'", s);
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return upm_fail(err, UPM_ERR_ARG,
			    "invalid AS number '%.40s'", s);
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT32_MAX)
			return upm_fail(err, UPM_ERR_ARG,
			    "AS number '%.40s' out of range", s);
	}
	if (v == 0)
		return upm_fail(err, UPM_ERR_ARG, "AS0 is reserved, not a target");
	*out = (uint32_t)v;
	return UPM_OK;
}

void
upm_asn_list_init(upm_asn_list *l)
{
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

void
upm_asn_list_free(upm_asn_list *l)
{
	if (l == NULL)
		return;
	free(l->v);
	upm_asn_list_init(l);
}

/* Index of the first element >= asn. */
static size_t
asn_lower_bound(const upm_asn_list *l, uint32_t asn)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
upm_asn_list_equal(const upm_asn_list *a, const upm_asn_list *b)
{
	return a->n == b->n && (a->n == 0 ||
	    memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0);
}

int
upm_asn_list_has(const upm_asn_list *l, uint32_t asn)
{
	size_t i = asn_lower_bound(l, asn);

	return i < l->n && l->v[i] == asn;
}

upm_status
upm_asn_list_add(upm_asn_list *l, uint32_t asn)
{
	size_t i = asn_lower_bound(l, asn);

	if (i < l->n && l->v[i] == asn)
		return UPM_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return UPM_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	memmove(l->v + i + 1, l->v + i, (l->n - i) * sizeof(*l->v));
	l->v[i] = asn;
	l->n++;
	return UPM_OK;
}

upm_status
upm_asn_list_parse(upm_asn_list *l, const char *s, upm_error *err)
{
	char tok[32];
	size_t n;
	uint32_t asn;
	upm_status st;

	if (s == NULL)
		return upm_fail(err, UPM_ERR_ARG, "empty AS list");
	while (*s != '\0') {
		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, ", \t");
		if (n >= sizeof(tok))
			return upm_fail(err, UPM_ERR_ARG,
			    "invalid AS number '%.*s'", 40, s);
		memcpy(tok, s, n);
		tok[n] = '\0';
		if ((st = upm_asn_parse(tok, &asn, err)) != UPM_OK)
			return st;
		if (upm_asn_list_add(l, asn) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		s += n;
	}
	return UPM_OK;
}

upm_status
upm_prefix_check(const char *s, upm_error *err)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	const char *slash;
	size_t alen;
	long len;
	char *end;
	int v6, max;

	if (s == NULL || (slash = strchr(s, '/')) == NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "invalid prefix '%.60s': expected address/length",
		    s ? s : "");
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		return upm_fail(err, UPM_ERR_ARG, "invalid prefix '%.60s'", s);
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
		return upm_fail(err, UPM_ERR_ARG,
		    "invalid address in prefix '%.60s'", s);
	max = v6 ? 128 : 32;
	if (!isdigit((unsigned char)slash[1]))
		return upm_fail(err, UPM_ERR_ARG,
		    "invalid length in prefix '%.60s'", s);
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len < 0 || len > max)
		return upm_fail(err, UPM_ERR_ARG,
		    "invalid length in prefix '%.60s'", s);
	return UPM_OK;
}

/* Reads exactly n digits at *p. */
static int
read_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/*
 * The calendar is the C library's: timegm() turns the fields into seconds
 * (UTC whatever TZ says) and gmtime_r() back.  timegm() normalises what it
 * is given (2017-02-30 becomes 2017-03-02), so a date is taken only when
 * the round trip gives back the very fields that were written; the fixed
 * digit counts above keep 2017-1-1T1:2:3 out.  A leap second (:60) is
 * checked as :59 and counted one second later, as before.
 */
/* 9999-12-31T23:59:59: the last time with a four-digit year, the last one
 * upm_time_format prints and so the last one accepted. */
#define UPM_TIME_MAX INT64_C(253402300799)

upm_status
upm_time_parse(const char *s, int64_t *out, upm_error *err)
{
	const char *p = s;
	int y, mo, d, h, mi, sec = 0;
	struct tm tm, back;
	time_t t;
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return upm_fail(err, UPM_ERR_ARG, "empty time");
	if (strchr(s, '-') == NULL) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0' || v < 0 || !isdigit((unsigned char)*s))
			return upm_fail(err, UPM_ERR_ARG,
			    "invalid time '%.40s': want YYYY-MM-DDTHH:MM:SS (UTC) or Unix seconds", s);
		/* What upm_time_format prints: four-digit years. */
		if (v > UPM_TIME_MAX)
			return upm_fail(err, UPM_ERR_ARG, "invalid time '%.40s': "
			    "after 9999-12-31T23:59:59", s);
		*out = v;
		return UPM_OK;
	}
	if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) ||
	    *p++ != '-' || read_digits(&p, 2, &d) || (*p != 'T' && *p != ' '))
		goto bad;
	p++;
	if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
		goto bad;
	if (*p == ':') {
		p++;
		if (read_digits(&p, 2, &sec))
			goto bad;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || y < 1970 || sec > 60)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	tm.tm_isdst = 0;
	t = timegm(&tm);
	if (t == (time_t)-1 || gmtime_r(&t, &back) == NULL ||
	    back.tm_year != y - 1900 || back.tm_mon != mo - 1 ||
	    back.tm_mday != d || back.tm_hour != h || back.tm_min != mi ||
	    back.tm_sec != (sec == 60 ? 59 : sec))
		goto bad;
	*out = (int64_t)t + (sec == 60);
	return UPM_OK;
bad:
	return upm_fail(err, UPM_ERR_ARG,
	    "invalid time '%.40s': want YYYY-MM-DDTHH:MM:SS (UTC) or Unix seconds", s);
}

static int64_t
unit_seconds(char c)
{
	switch (c) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	}
	return 0;
}

upm_status
upm_duration_parse(const char *s, int64_t max_s, int64_t *out,
    upm_error *err)
{
	const char *p = s;
	int64_t v = 0, mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		goto bad;
	/* Digit by digit, so that no overflow can happen before the check. */
	for (; isdigit((unsigned char)*p); p++) {
		if (v > max_s)
			goto too_long;
		v = v * 10 + (*p - '0');
	}
	if (*p != '\0' && ((mult = unit_seconds(*p)) == 0 || p[1] != '\0'))
		goto bad;
	if (v > max_s / mult)
		goto too_long;
	*out = v * mult;
	return UPM_OK;
too_long:
	if (max_s % 86400 == 0)
		return upm_fail(err, UPM_ERR_ARG, "invalid duration '%.40s': "
		    "longer than %" PRId64 " days", s, max_s / 86400);
	return upm_fail(err, UPM_ERR_ARG, "invalid duration '%.40s': longer "
	    "than %" PRId64 " s", s, max_s);
bad:
	return upm_fail(err, UPM_ERR_ARG, "invalid duration '%.40s': want a "
	    "number of seconds or e.g. 30s, 15m, 1h, 2d", s ? s : "");
}

int64_t
upm_clock_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

upm_status
upm_time_format(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int n;

	if (t < 0 || t > UPM_TIME_MAX || (int64_t)tt != t ||
	    gmtime_r(&tt, &tm) == NULL)
		return UPM_ERR_ARG;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= len)
		return UPM_ERR_ARG;
	return UPM_OK;
}

/* ---------------------------------------------------------------- lists */

char *
upm_strdup_opt(const char *s, int *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return d;
}

upm_status
upm_asn_list_merge(upm_asn_list *to, const upm_asn_list *from)
{
	for (size_t i = 0; i < from->n; i++)
		if (upm_asn_list_add(to, from->v[i]) != UPM_OK)
			return UPM_ERR_NOMEM;
	return UPM_OK;
}

int
upm_strlist_contains(const upm_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int
upm_strlist_contains_nocase(const upm_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
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

void
upm_strlist_free(upm_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---------------------------------------------------------------- files */

static const char *
file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

int
upm_file_open_regular(const char *path, unsigned flags, const char *what,
    int *missing, upm_error *err)
{
	struct stat sb;
	int fd, e, oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;

	if (missing != NULL)
		*missing = 0;
	if (what == NULL)
		what = "file";
	if ((flags & UPM_FILE_NOFOLLOW) != 0)
		oflags |= O_NOFOLLOW;
	/* O_NONBLOCK: opening a FIFO nobody writes to returns at once (a
	 * blocking open would wait for a writer for ever); a socket fails
	 * with ENXIO; the regular file is then read as always. */
	do
		fd = open(path, oflags);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		e = errno;
		if (missing != NULL)
			*missing = e == ENOENT;
		if (e == ENXIO)          /* a socket, or a device not there */
			return upm_fail(err, UPM_ERR_IO, "%s %.300s: %s, not a "
			    "regular file; refused", what, path,
			    stat(path, &sb) == 0 ? file_kind(sb.st_mode) :
			    "a device"), -1;
		if (e == ELOOP && (flags & UPM_FILE_NOFOLLOW) != 0)
			return upm_fail(err, UPM_ERR_IO, "%s %.300s: a symbolic "
			    "link; refused", what, path), -1;
		return upm_fail(err, UPM_ERR_IO, "%s %.300s: %s", what, path,
		    strerror(e)), -1;
	}
	if (fstat(fd, &sb) != 0) {
		e = errno;
		(void)close(fd);
		return upm_fail(err, UPM_ERR_IO, "%s %.300s: %s", what, path,
		    strerror(e)), -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		(void)close(fd);
		return upm_fail(err, UPM_ERR_IO, "%s %.300s: %s, not a regular "
		    "file; refused", what, path, file_kind(sb.st_mode)), -1;
	}
	return fd;
}

upm_status
upm_file_check_regular(const char *path, unsigned flags, const char *what,
    upm_error *err)
{
	int fd = upm_file_open_regular(path, flags, what, NULL, err);

	if (fd < 0)
		return UPM_ERR_IO;
	(void)close(fd);
	return UPM_OK;
}

upm_status
upm_file_read_capped(const char *path, size_t max, unsigned flags,
    const char *what, upm_buf *out, int *missing, upm_error *err)
{
	char chunk[8192];
	size_t got = 0;
	ssize_t n;
	int fd, e;

	if (what == NULL)
		what = "file";
	if ((fd = upm_file_open_regular(path, flags, what, missing, err)) < 0)
		return UPM_ERR_IO;
	/* One byte beyond max tells "too big" from "exactly full"; a file
	 * that grows while it is read stops there too. */
	for (;;) {
		size_t want = max + 1 - got;

		n = read(fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			(void)close(fd);
			return upm_fail(err, UPM_ERR_IO, "%s %.300s: %s", what,
			    path, strerror(e));
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			(void)close(fd);
			return upm_fail(err, UPM_ERR_TOOBIG, "%s %.300s: larger "
			    "than %zu bytes", what, path, max);
		}
		if (upm_buf_append(out, chunk, (size_t)n) != UPM_OK) {
			(void)close(fd);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
	}
	(void)close(fd);
	return UPM_OK;
}

/* ------------------------------------------------------ temporary files */

/* The temporary files this process is writing, for a signal handler to
 * remove: a fixed array (no allocation, no lock in the handler).  A slot
 * is claimed by compare-and-swap (FREE -> BUSY), filled, then ARMED; only
 * ARMED slots are read by the handler.  More writers at once than slots
 * only lose the clean-up of the extra ones (the sweep gets them later). */
#define TMP_SLOTS 32
#define TMP_PATH_MAX 4096
enum { TMP_FREE = 0, TMP_BUSY, TMP_ARMED };

static struct {
	atomic_int state;
	char path[TMP_PATH_MAX];
} tmp_slots[TMP_SLOTS];

int
upm_tmp_register(const char *path)
{
	size_t len = strlen(path);
	int i, expect;

	if (len >= TMP_PATH_MAX)
		return -1;
	for (i = 0; i < TMP_SLOTS; i++) {
		expect = TMP_FREE;
		if (atomic_compare_exchange_strong(&tmp_slots[i].state, &expect,
		    TMP_BUSY)) {
			memcpy(tmp_slots[i].path, path, len + 1);
			atomic_store(&tmp_slots[i].state, TMP_ARMED);
			return i;
		}
	}
	return -1;
}

void
upm_tmp_unregister(int slot)
{
	if (slot < 0 || slot >= TMP_SLOTS)
		return;
	atomic_store(&tmp_slots[slot].state, TMP_BUSY);
	tmp_slots[slot].path[0] = '\0';
	atomic_store(&tmp_slots[slot].state, TMP_FREE);
}

void
upm_tmp_unlink_all(void)
{
	int i, expect;

	/* Async-signal-safe: lock-free atomics and unlink(2) only.  A slot
	 * is taken out of ARMED first, so a path is unlinked once. */
	for (i = 0; i < TMP_SLOTS; i++) {
		expect = TMP_ARMED;
		if (atomic_compare_exchange_strong(&tmp_slots[i].state, &expect,
		    TMP_BUSY))
			(void)unlink(tmp_slots[i].path);
	}
}

int
upm_tmp_stale(const char *path, int64_t now, int64_t min_age_s)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == geteuid() && now - (int64_t)sb.st_mtime > min_age_s;
}

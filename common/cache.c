/*
 * cache.c - RIPEstat responses kept on disk, so that the same URL asked
 * within its freshness by the plugin and by any number of checks is
 * fetched once.
 *
 * One file per URL, named by the FNV-1a 64 hash of the URL, written to a
 * temporary file and renamed into place (readers never see half an
 * entry; the last writer wins).  The file starts with a fixed-size line
 * "UPMCACHE1 <body length> <fetch time>\n", then the URL and "\n", then
 * the body; the URL guards against hash collisions, the length against
 * truncation.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"

#define MAGIC "UPMCACHE1"
/* "UPMCACHE1 " + 20 digits + " " + 20 digits + "\n" */
#define HEAD_LEN (sizeof(MAGIC) + 20 + 1 + 20 + 1)
#define MAX_URL 8192
/* An entry stamped further ahead than this is not trusted. */
#define FUTURE_SLACK_S 60

struct upm_cache_writer {
	char *tmp_path;
	char *path;
	char *dir;
	FILE *fp;
	size_t url_len;
	uint64_t body_len;
	int64_t now;
	int committed;
	int tmp_slot;     /* upm_tmp_register's, -1 when none */
};

uint64_t
upm_cache_hash(const char *url)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *url != '\0'; url++) {
		h ^= (unsigned char)*url;
		h *= 1099511628211ULL;
	}
	return h;
}

static const struct {
	const char *call;
	long seconds;
} freshness[] = {
	{ "asn-neighbours", 6 * 3600L },
	{ "bgp-state", 5 * 60L },
	{ "looking-glass", 5 * 60L },
	{ "announced-prefixes", 3600L },
	{ "routing-status", 3600L },
	{ "country-resource-list", 24 * 3600L },
};
#define DEFAULT_FRESHNESS (5 * 60L)

long
upm_cache_freshness(const char *url, long max_age_s)
{
	const char *call = url ? strstr(url, "/data/") : NULL;
	size_t i, n;

	if (max_age_s > 0)
		return max_age_s;
	if (call == NULL)
		return DEFAULT_FRESHNESS;
	call += 6;
	n = strcspn(call, "/?");
	for (i = 0; i < sizeof(freshness) / sizeof(freshness[0]); i++)
		if (strlen(freshness[i].call) == n &&
		    strncmp(call, freshness[i].call, n) == 0)
			return freshness[i].seconds;
	return DEFAULT_FRESHNESS;
}

static char *
entry_path(const char *dir, const char *url, const char *suffix)
{
	size_t n = strlen(dir) + 1 + 16 + strlen(suffix) + 1;
	char *p = malloc(n);
	int k;

	if (p == NULL)
		return NULL;
	k = snprintf(p, n, "%s/%016" PRIx64 "%s", dir, upm_cache_hash(url), suffix);
	if (k < 0 || (size_t)k >= n) {
		free(p);
		return NULL;
	}
	return p;
}

/* Creates dir and its missing parents (mkdir -p): parents 0755, the
 * directory itself 2770 (group-shared, entries inherit its group), both
 * less the umask. */
static int
make_dirs(const char *dir)
{
	char *p = strdup(dir), *slash;
	struct stat sb;
	int rc = 0;

	if (p == NULL)
		return -1;
	for (slash = strchr(p + 1, '/'); slash != NULL && rc == 0;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (slash[-1] != '/' && mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*slash = '/';
	}
	if (rc == 0 && mkdir(p, 0770) != 0)
		rc = errno == EEXIST ? 0 : -1;
	else if (rc == 0 && lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
		/* Linux's mkdir ignores S_ISGID in its mode: set it after. */
		(void)chmod(p, (sb.st_mode & 0777) | S_ISGID);
	free(p);
	return rc;
}

/* The directory must be a real directory (never a symlink) that not
 * everyone may write to; created with its parents when missing. */
static upm_status
ensure_dir(const char *dir, upm_error *err)
{
	struct stat sb;

	if (lstat(dir, &sb) != 0) {
		if (errno != ENOENT)
			return upm_fail(err, UPM_ERR_IO, "cache directory %.200s: %s",
			    dir, strerror(errno));
		if (make_dirs(dir) != 0 || lstat(dir, &sb) != 0)
			return upm_fail(err, UPM_ERR_IO, "cache directory %.200s: "
			    "cannot create it: %s", dir, strerror(errno));
	}
	if (S_ISLNK(sb.st_mode) || !S_ISDIR(sb.st_mode))
		return upm_fail(err, UPM_ERR_IO,
		    "cache directory %.200s: not a directory (symlinks refused)", dir);
	if ((sb.st_mode & S_IWOTH) != 0)
		return upm_fail(err, UPM_ERR_IO,
		    "cache directory %.200s: writable by everyone; refused", dir);
	return UPM_OK;
}

upm_status
upm_cache_dir_check(const char *dir, upm_error *err)
{
	upm_status st;

	if (dir == NULL || dir[0] == '\0')
		return upm_fail(err, UPM_ERR_ARG, "no cache directory");
	if ((st = ensure_dir(dir, err)) != UPM_OK)
		return st;
	if (access(dir, R_OK | W_OK | X_OK) != 0)
		return upm_fail(err, UPM_ERR_IO, "cache directory %.200s: not "
		    "usable by uid %lu: %s", dir, (unsigned long)geteuid(),
		    strerror(errno));
	return UPM_OK;
}

/* ------------------------------------------------------------ sweep */

/* An entry's name: 16 hex digits, or a temporary ".tmp.XXXXXX" one. */
static int
entry_name(const char *name, int *tmp)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)name[i]))
			return 0;
	*tmp = strncmp(name + 16, ".tmp.", 5) == 0 && strlen(name) == 27;
	return name[16] == '\0' || *tmp;
}

/* At most once an hour per directory (the mtime of SWEEP_MARK says when
 * the last one ran, whoever ran it), entries older than UPM_CACHE_SWEEP_AGE
 * and temporary files left by a killed writer older than
 * UPM_TMP_STALE_AGE_S (an hour) are removed.  Only names the cache makes are looked at; never a symlink. */
#define SWEEP_MARK ".swept"
#define SWEEP_EVERY 3600

void
upm_cache_sweep(const char *dir, int64_t now)
{
	char path[4096];
	struct timespec ts[2];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd, n, tmp;

	n = snprintf(path, sizeof(path), "%s/" SWEEP_MARK, dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    now - (int64_t)sb.st_mtime < SWEEP_EVERY &&
	    (int64_t)sb.st_mtime <= now + FUTURE_SLACK_S)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0660);
	if (fd < 0)
		return;
	ts[0].tv_sec = ts[1].tv_sec = (time_t)now;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	(void)futimens(fd, ts);
	close(fd);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!entry_name(de->d_name, &tmp))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (now - (int64_t)sb.st_mtime > (tmp ? UPM_TMP_STALE_AGE_S :
		    UPM_CACHE_SWEEP_AGE))
			(void)unlink(path);
	}
	closedir(d);
}

/* ----------------------------------------------------------- reading */

static int
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && s[i] == ' '; i++)
		;
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Reads and checks the header; 1 when sound and for url. */
static int
read_header(FILE *fp, const char *url, uint64_t *len, uint64_t *when,
    int *other_url)
{
	char head[HEAD_LEN + 1];
	size_t url_len = strlen(url);
	char *stored;
	int ok;

	*other_url = 0;
	if (fread(head, 1, HEAD_LEN, fp) != HEAD_LEN ||
	    memcmp(head, MAGIC " ", sizeof(MAGIC)) != 0 ||
	    head[HEAD_LEN - 1] != '\n' || head[sizeof(MAGIC) + 20] != ' ' ||
	    !parse_u64(head + sizeof(MAGIC), 20, len) ||
	    !parse_u64(head + sizeof(MAGIC) + 21, 20, when))
		return 0;
	if ((stored = malloc(url_len + 1)) == NULL)
		return 0;
	ok = fread(stored, 1, url_len + 1, fp) == url_len + 1 &&
	    stored[url_len] == '\n';
	*other_url = ok && memcmp(stored, url, url_len) != 0;
	free(stored);
	return ok && !*other_url;
}

upm_status
upm_cache_open(const char *dir, const char *url, int64_t now, long max_age_s,
    FILE **fp, uint64_t *len, upm_error *err)
{
	struct stat sb;
	uint64_t when = 0;
	char *path;
	FILE *f;
	int fd, sound, other_url;

	*fp = NULL;
	*len = 0;
	if (dir == NULL || url == NULL || strlen(url) > MAX_URL)
		return UPM_ERR_NODATA;
	if ((path = entry_path(dir, url, "")) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	/* The directory is next used: what killed writers left goes (at
	 * most once an hour, see upm_cache_sweep). */
	upm_cache_sweep(dir, now);
	/* A symlink planted in the directory is never read; nor is a FIFO
	 * or a device (the open does not block on them). */
	fd = upm_file_open_regular(path, UPM_FILE_NOFOLLOW, "cache entry",
	    NULL, NULL);
	if (fd < 0 || fstat(fd, &sb) != 0 || (f = fdopen(fd, "rb")) == NULL) {
		if (fd >= 0)
			close(fd);
		free(path);
		return UPM_ERR_NODATA;
	}
	sound = read_header(f, url, len, &when, &other_url) &&
	    (uint64_t)sb.st_size == HEAD_LEN + strlen(url) + 1 + *len;
	if (!sound || (int64_t)when > now + FUTURE_SLACK_S ||
	    now - (int64_t)when > upm_cache_freshness(url, max_age_s)) {
		fclose(f);
		/* Corrupt: out of the way.  Stale or another URL's: left to be
		 * replaced by the next writer. */
		if (!sound && !other_url)
			(void)unlink(path);
		free(path);
		*len = 0;
		return UPM_ERR_NODATA;
	}
	free(path);
	*fp = f;
	return UPM_OK;
}

/* ----------------------------------------------------------- writing */

static upm_status
write_head(upm_cache_writer *w, const char *url, upm_error *err)
{
	char head[HEAD_LEN + 1];
	int n;

	n = snprintf(head, sizeof(head), MAGIC " %20" PRIu64 " %20" PRIu64 "\n",
	    w->body_len, (uint64_t)(w->now > 0 ? w->now : 0));
	if (n != (int)HEAD_LEN ||
	    fwrite(head, 1, HEAD_LEN, w->fp) != HEAD_LEN ||
	    (url != NULL && (fwrite(url, 1, w->url_len, w->fp) != w->url_len ||
	    fputc('\n', w->fp) == EOF)))
		return upm_fail(err, UPM_ERR_IO, "cache write: %s", strerror(errno));
	return UPM_OK;
}

upm_cache_writer *
upm_cache_writer_new(const char *dir, const char *url, int64_t now,
    upm_error *err)
{
	upm_cache_writer *w;
	int fd;

	if (dir == NULL || url == NULL || strlen(url) > MAX_URL) {
		(void)upm_fail(err, UPM_ERR_ARG, "cache: no directory or URL too long");
		return NULL;
	}
	if (ensure_dir(dir, err) != UPM_OK)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) != NULL)
		w->tmp_slot = -1;
	if (w == NULL ||
	    (w->dir = strdup(dir)) == NULL ||
	    (w->path = entry_path(dir, url, "")) == NULL ||
	    (w->tmp_path = entry_path(dir, url, ".tmp.XXXXXX")) == NULL) {
		upm_cache_writer_free(w);
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	w->url_len = strlen(url);
	w->now = now;
	/* mkstemp: O_EXCL and mode 0600, then 0640: readable by the
	 * directory's group (the nagios user and collectd share it). */
	if ((fd = mkstemp(w->tmp_path)) < 0 || fchmod(fd, 0640) != 0) {
		if (fd >= 0) {
			close(fd);
			(void)unlink(w->tmp_path);
		}
		(void)upm_fail(err, UPM_ERR_IO, "cache file in %.200s: %s", dir,
		    strerror(errno));
		free(w->tmp_path);
		w->tmp_path = NULL;
		upm_cache_writer_free(w);
		return NULL;
	}
	/* A signal (SIGTERM, the check's timeout) from here on removes it. */
	w->tmp_slot = upm_tmp_register(w->tmp_path);
	if ((w->fp = fdopen(fd, "w+b")) == NULL) {
		close(fd);
		upm_cache_writer_free(w);
		(void)upm_fail(err, UPM_ERR_IO, "cache file: %s", strerror(errno));
		return NULL;
	}
	if (write_head(w, url, err) != UPM_OK) {
		upm_cache_writer_free(w);
		return NULL;
	}
	return w;
}

upm_status
upm_cache_writer_reset(upm_cache_writer *w, upm_error *err)
{
	long keep = (long)(HEAD_LEN + w->url_len + 1);

	w->body_len = 0;
	if (fflush(w->fp) != 0 || ftruncate(fileno(w->fp), keep) != 0 ||
	    fseek(w->fp, keep, SEEK_SET) != 0)
		return upm_fail(err, UPM_ERR_IO, "cache reset: %s", strerror(errno));
	return UPM_OK;
}

upm_status
upm_cache_writer_write(upm_cache_writer *w, const void *buf, size_t len,
    upm_error *err)
{
	if (len > 0 && fwrite(buf, 1, len, w->fp) != len)
		return upm_fail(err, UPM_ERR_IO, "cache write: %s", strerror(errno));
	w->body_len += len;
	return UPM_OK;
}

upm_status
upm_cache_writer_commit(upm_cache_writer *w, upm_error *err)
{
	upm_status st;

	if (fflush(w->fp) != 0 || fseek(w->fp, 0, SEEK_SET) != 0)
		return upm_fail(err, UPM_ERR_IO, "cache write: %s", strerror(errno));
	if ((st = write_head(w, NULL, err)) != UPM_OK)
		return st;
	if (fclose(w->fp) != 0) {
		w->fp = NULL;
		return upm_fail(err, UPM_ERR_IO, "cache write: %s", strerror(errno));
	}
	w->fp = NULL;
	/* rename replaces whatever is at path, a symlink included, without
	 * following it. */
	if (rename(w->tmp_path, w->path) != 0)
		return upm_fail(err, UPM_ERR_IO, "cache rename: %s", strerror(errno));
	w->committed = 1;
	upm_tmp_unregister(w->tmp_slot);
	w->tmp_slot = -1;
	upm_cache_sweep(w->dir, w->now > 0 ? w->now : (int64_t)time(NULL));
	return UPM_OK;
}

void
upm_cache_writer_free(upm_cache_writer *w)
{
	if (w == NULL)
		return;
	if (w->fp != NULL)
		fclose(w->fp);
	if (!w->committed && w->tmp_path != NULL)
		(void)unlink(w->tmp_path);
	upm_tmp_unregister(w->tmp_slot);
	free(w->tmp_path);
	free(w->path);
	free(w->dir);
	free(w);
}

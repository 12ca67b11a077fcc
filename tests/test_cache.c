/*
 * test_cache.c - the on-disk response cache: names, freshness per data
 * call, atomic entries, stale / corrupt / foreign entries, symlinks.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "upm_private.h"
#include "cache.h"

#define BGP "http://127.0.0.1:1/data/bgp-state/data.json?resource=AS1"
#define NEIGH "http://127.0.0.1:1/data/asn-neighbours/data.json?resource=AS1"
#define T0 1700000000

static char dir[256];

static char *
entry(const char *url, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s/%016llx", dir,
	    (unsigned long long)upm_cache_hash(url));
	return buf;
}

static upm_status
store(const char *url, const char *body, int64_t now)
{
	upm_cache_writer *w;
	upm_error e;
	upm_status st;

	if ((w = upm_cache_writer_new(dir, url, now, &e)) == NULL)
		return e.code;
	st = upm_cache_writer_write(w, body, strlen(body), &e);
	if (st == UPM_OK)
		st = upm_cache_writer_commit(w, &e);
	upm_cache_writer_free(w);
	return st;
}

/* The body of a fresh entry, or "" (static). */
static const char *
load(const char *url, int64_t now, long max_age)
{
	static char body[256];
	uint64_t len = 0;
	upm_error e;
	FILE *fp;
	size_t n;

	body[0] = '\0';
	if (upm_cache_open(dir, url, now, max_age, &fp, &len, &e) != UPM_OK)
		return body;
	n = fread(body, 1, sizeof(body) - 1, fp);
	body[n == len ? n : 0] = '\0';
	fclose(fp);
	return body;
}

static void
names_and_freshness(void)
{
	IS_INT(upm_cache_hash(""), 0xcbf29ce484222325ULL, "FNV-1a 64 of \"\"");
	IS_INT(upm_cache_hash("a"), 0xaf63dc4c8601ec8cULL, "FNV-1a 64 of \"a\"");
	IS_INT(upm_cache_freshness(BGP, 0), 300, "bgp-state: 5 min");
	IS_INT(upm_cache_freshness(NEIGH, 0), 6 * 3600, "asn-neighbours: 6 h");
	IS_INT(upm_cache_freshness("https://x/data/looking-glass/data.json", 0),
	    300, "looking-glass: 5 min");
	IS_INT(upm_cache_freshness("https://x/data/routing-status/data.json", 0),
	    3600, "routing-status: 1 h");
	IS_INT(upm_cache_freshness("https://x/data/announced-prefixes/data.json", 0),
	    3600, "announced-prefixes: 1 h");
	IS_INT(upm_cache_freshness("https://x/data/country-resource-list/data.json", 0),
	    86400, "country-resource-list: 24 h");
	IS_INT(upm_cache_freshness(NEIGH, 42), 42, "override wins");
}

static mode_t mask;

static void
round_trip(void)
{
	struct stat sb;
	char path[512];

	IS_INT(store(BGP, "{\"a\":1}", T0), UPM_OK, "entry stored");
	memset(&sb, 0, sizeof(sb));
	(void)stat(dir, &sb);
	OK((sb.st_mode & 07777) == (02770 & ~mask),
	    "directory 2770 less the umask (%04o)", (unsigned)(sb.st_mode & 07777));
	OK(stat(entry(BGP, path, sizeof(path)), &sb) == 0 &&
	    (sb.st_mode & 0777) == 0640, "entry 0640: readable by the group");
	IS_STR(load(BGP, T0, 0), "{\"a\":1}", "fresh entry read back");
	IS_STR(load(BGP, T0 + 300, 0), "{\"a\":1}", "still fresh at 300 s");
	IS_STR(load(BGP, T0 + 301, 0), "", "stale at 301 s");
	IS_STR(load(BGP, T0 + 301, 3600), "{\"a\":1}", "max age override");
	IS_STR(load(BGP, T0 - 3600, 0), "", "entry from the future refused");
	IS_STR(load(NEIGH, T0, 0), "", "another URL: no entry");
	IS_INT(store(BGP, "{\"b\":2}", T0 + 10), UPM_OK, "entry replaced");
	IS_STR(load(BGP, T0 + 10, 0), "{\"b\":2}", "new body read");
}

static void
writer_paths(void)
{
	upm_cache_writer *w;
	upm_error e;

	w = upm_cache_writer_new(dir, NEIGH, T0, &e);
	OK(w != NULL, "writer made");
	IS_INT(upm_cache_writer_write(w, "broken", 6, &e), UPM_OK, "first try");
	IS_INT(upm_cache_writer_reset(w, &e), UPM_OK, "reset for a retry");
	IS_INT(upm_cache_writer_write(w, "[1]", 3, &e), UPM_OK, "second try");
	upm_cache_writer_free(w);
	IS_STR(load(NEIGH, T0, 0), "", "uncommitted: no entry");
	w = upm_cache_writer_new(dir, NEIGH, T0, &e);
	(void)upm_cache_writer_write(w, "broken", 6, &e);
	(void)upm_cache_writer_reset(w, &e);
	(void)upm_cache_writer_write(w, "[1]", 3, &e);
	IS_INT(upm_cache_writer_commit(w, &e), UPM_OK, "commit");
	upm_cache_writer_free(w);
	IS_STR(load(NEIGH, T0, 0), "[1]", "only the retried body kept");
}

static void
corrupt_and_symlinks(void)
{
	char path[512], other[600];
	struct stat sb;
	FILE *f;
	upm_error e;

	entry(BGP, path, sizeof(path));
	OK(truncate(path, 40) == 0, "entry cut short");
	IS_STR(load(BGP, T0, 0), "", "cut entry ignored");
	OK(lstat(path, &sb) != 0, "  and removed");
	f = fopen(path, "w");
	OK(f != NULL && fputs("garbage\n", f) >= 0, "garbage entry written");
	if (f != NULL)
		fclose(f);
	IS_STR(load(BGP, T0, 0), "", "garbage ignored");
	(void)snprintf(other, sizeof(other), "%s/elsewhere", dir);
	IS_INT(store(BGP, "{\"c\":3}", T0), UPM_OK, "a sound entry");
	IS_STR(load(BGP, T0, 0), "{\"c\":3}", "  readable");
	OK(rename(path, other) == 0, "  moved elsewhere");
	OK(symlink(other, path) == 0, "  a symlink to it planted as the entry");
	IS_STR(load(BGP, T0, 0), "", "symlinked entry not followed");
	unlink(path);
	(void)snprintf(other, sizeof(other), "%s-link", dir);
	OK(symlink(dir, other) == 0, "symlink to the directory");
	OK(upm_cache_writer_new(other, BGP, T0, &e) == NULL &&
	    e.code == UPM_ERR_IO, "symlinked directory refused: %s", e.text);
	unlink(other);
}

/* mkdir -p, and the directories refused. */
/* A directory its user may not write to is refused, naming the uid.  root
 * may write anywhere, so as root the test runs in a child that has become
 * nobody (65534) and made a directory of its own.  0: refused as it
 * should be. */
static int
readonly_refused(void)
{
	char dir[] = "/tmp/test-cache-ro.XXXXXX";
	char sub[sizeof(dir) + 16];
	upm_error e;
	pid_t pid;
	int status, bad;

	if (geteuid() == 0) {
		if ((pid = fork()) < 0)
			return -1;
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(2);
			_exit(readonly_refused() == 0 ? 0 : 1);
		}
		if (waitpid(pid, &status, 0) != pid)
			return -1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
	if (mkdtemp(dir) == NULL)
		return -1;
	(void)snprintf(sub, sizeof(sub), "%s/upstreams", dir);
	if (mkdir(sub, 0500) != 0)
		return -1;
	memset(&e, 0, sizeof(e));
	bad = !(upm_cache_dir_check(sub, &e) == UPM_ERR_IO &&
	    strstr(e.text, "not usable by uid") != NULL);
	if (bad)
		fprintf(stderr, "# read-only directory: %s\n", e.text);
	(void)rmdir(sub);
	(void)rmdir(dir);
	return bad;
}

static void
directories(void)
{
	char deep[700], file[600];
	struct stat sb;
	upm_error e;
	FILE *f;

	memset(&e, 0, sizeof(e));
	(void)snprintf(deep, sizeof(deep), "%s-p/a/b/upstreams", dir);
	IS_INT(upm_cache_dir_check(deep, &e), UPM_OK, "missing parents created");
	OK(stat(deep, &sb) == 0 && S_ISDIR(sb.st_mode), "  the directory exists");
	(void)snprintf(file, sizeof(file), "%s-p/a", dir);
	OK(stat(file, &sb) == 0 && (sb.st_mode & 0777) == (0755 & ~mask),
	    "  a parent is 0755 less the umask");
	IS_INT(upm_cache_dir_check(deep, &e), UPM_OK, "an existing one is fine");
	OK(chmod(deep, 0777) == 0, "made writable by everyone");
	memset(&e, 0, sizeof(e));
	OK(upm_cache_dir_check(deep, &e) == UPM_ERR_IO &&
	    strstr(e.text, "writable by everyone") != NULL, "  refused: %s", e.text);
	OK(upm_cache_writer_new(deep, BGP, T0, &e) == NULL, "  and not written to");
	(void)snprintf(file, sizeof(file), "%s-p/plain", dir);
	f = fopen(file, "w");
	if (f != NULL)
		fclose(f);
	memset(&e, 0, sizeof(e));
	OK(upm_cache_dir_check(file, &e) == UPM_ERR_IO &&
	    strstr(e.text, "not a directory") != NULL, "a file refused: %s", e.text);
	(void)snprintf(deep, sizeof(deep), "%s/sub", file);
	memset(&e, 0, sizeof(e));
	OK(upm_cache_dir_check(deep, &e) == UPM_ERR_IO &&
	    strstr(e.text, "sub") != NULL, "below a file: %s", e.text);
	OK(readonly_refused() == 0, "a read-only directory is refused");
	(void)snprintf(deep, sizeof(deep), "rm -rf '%s-p'", dir);
	OK(system(deep) == 0, "removed");
}

static void
set_mtime(const char *path, int64_t t)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	(void)utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

/* Entries older than two days go, at most once an hour. */
static void
sweep(void)
{
	char old[512], fresh[512], tmp[600], mark[600], other[600];
	const int64_t now = T0 + 10 * 86400;
	struct stat sb;
	FILE *f;

	IS_INT(store(BGP, "{}", T0), UPM_OK, "an entry");
	IS_INT(store(NEIGH, "{}", T0), UPM_OK, "another entry");
	entry(BGP, old, sizeof(old));
	entry(NEIGH, fresh, sizeof(fresh));
	set_mtime(old, now - UPM_CACHE_SWEEP_AGE - 1);
	set_mtime(fresh, now - UPM_CACHE_SWEEP_AGE + 60);
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp.abcdef", fresh);
	(void)snprintf(other, sizeof(other), "%s/notes.txt", dir);
	f = fopen(tmp, "w");
	if (f != NULL)
		fclose(f);
	f = fopen(other, "w");
	if (f != NULL)
		fclose(f);
	set_mtime(tmp, now - 3601);
	set_mtime(other, now - 30 * 86400);
	(void)snprintf(mark, sizeof(mark), "%s/.swept", dir);
	(void)unlink(mark);
	upm_cache_sweep(dir, now);
	OK(lstat(old, &sb) != 0, "an entry older than 2 days removed");
	OK(lstat(fresh, &sb) == 0, "a younger one kept");
	OK(lstat(tmp, &sb) != 0, "a temporary file older than an hour removed");
	OK(lstat(other, &sb) == 0, "a file the cache did not make kept");
	OK(lstat(mark, &sb) == 0 && (int64_t)sb.st_mtime == now,
	    "the sweep's time noted");
	set_mtime(fresh, now - UPM_CACHE_SWEEP_AGE - 1);
	upm_cache_sweep(dir, now + 3599);
	OK(lstat(fresh, &sb) == 0, "no second sweep within the hour");
	upm_cache_sweep(dir, now + 3601);
	OK(lstat(fresh, &sb) != 0, "the next one an hour later");
	(void)unlink(other);
}

static void
cleanup(void)
{
	char cmd[400];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 150)
		tmp = P_tmpdir;
	(void)snprintf(dir, sizeof(dir), "%s/upm-cache-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		return 1;
	mask = umask(022);
	(void)umask(mask);
	/* The cache makes its own directory below the temporary one. */
	(void)snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/c");
	names_and_freshness();
	round_trip();
	writer_paths();
	corrupt_and_symlinks();
	directories();
	sweep();
	dir[strlen(dir) - 2] = '\0';
	cleanup();
	return tap_done();
}

/*
 * test_cache.c - the on-disk response cache: names, freshness per data
 * call, atomic entries, stale / corrupt / foreign entries, symlinks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void
round_trip(void)
{
	struct stat sb;
	char path[512];

	IS_INT(store(BGP, "{\"a\":1}", T0), UPM_OK, "entry stored");
	OK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "directory 0700");
	OK(stat(entry(BGP, path, sizeof(path)), &sb) == 0 &&
	    (sb.st_mode & 0777) == 0600, "entry 0600");
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
	/* The cache makes its own directory below the temporary one. */
	(void)snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/c");
	names_and_freshness();
	round_trip();
	writer_paths();
	corrupt_and_symlinks();
	dir[strlen(dir) - 2] = '\0';
	cleanup();
	return tap_done();
}

/*
 * test_url - upm_ripestat_url (escaping, base URL rules) and the parts of
 * upm_fetch that need no server: option defaults, scheme checks, file://
 * reads and the size cap.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "upm_private.h"
#include "tap.h"

/* Builds a URL; returns it (caller frees) or NULL, with *st set. */
static char *
url(const char *base, const char *call, const char *res, const char *app,
    const char *extra, upm_status *st, upm_error *err)
{
	char *out = (char *)1;  /* must be reset to NULL on failure */

	*st = upm_ripestat_url(base, call, res, app, extra, &out, err);
	if (*st != UPM_OK && out != NULL) {
		OK(0, "output pointer left set on failure");
		return NULL;
	}
	return out;
}

static void
check_url(const char *base, const char *call, const char *res,
    const char *app, const char *extra, const char *want, const char *what)
{
	upm_error err = { UPM_OK, "" };
	upm_status st;
	char *got = url(base, call, res, app, extra, &st, &err);

	if (st != UPM_OK)
		printf("# error: %s\n", err.text);
	IS_STR(got, want, what);
	free(got);
}

static void
check_refused(const char *base, const char *call, const char *res,
    const char *needle, const char *what)
{
	upm_error err = { UPM_OK, "" };
	upm_status st;
	char *got = url(base, call, res, "upstreams", NULL, &st, &err);

	OK(st == UPM_ERR_ARG && got == NULL && err.code == UPM_ERR_ARG &&
	    strstr(err.text, needle) != NULL, "%s", what);
	if (st != UPM_ERR_ARG || strstr(err.text, needle) == NULL)
		printf("#   status %d, text '%s', want '%s'\n", st, err.text, needle);
	free(got);
}

static void
test_ripestat_url(void)
{
	const char *bgp = "https://stat.ripe.net/data/bgp-state/data.json"
	    "?resource=AS131279&sourceapp=upstreams";

	check_url("https://stat.ripe.net", "bgp-state", "AS131279", "upstreams",
	    NULL, bgp, "plain URL");
	check_url("https://stat.ripe.net/", "bgp-state", "AS131279", "upstreams",
	    NULL, bgp, "base with a trailing slash");
	check_url("https://stat.ripe.net//", "bgp-state", "AS131279", "upstreams",
	    NULL, bgp, "base with two trailing slashes");
	check_url("http://127.0.0.1:8080/mirror/", "looking-glass",
	    "140.78.0.0/16", "upstreams", NULL,
	    "http://127.0.0.1:8080/mirror/data/looking-glass/data.json"
	    "?resource=140.78.0.0%2F16&sourceapp=upstreams",
	    "IPv4 prefix: slash escaped, base path kept");
	check_url("http://[::1]:8080", "looking-glass", "2001:db8::/32", "up",
	    NULL, "http://[::1]:8080/data/looking-glass/data.json"
	    "?resource=2001%3Adb8%3A%3A%2F32&sourceapp=up",
	    "IPv6 prefix: colons and slash escaped");
	check_url("https://stat.ripe.net", "bgp-state", "AS1 &x=y#z",
	    "my app+1&q", NULL, "https://stat.ripe.net/data/bgp-state/data.json"
	    "?resource=AS1%20%26x%3Dy%23z&sourceapp=my%20app%2B1%26q",
	    "query syntax in resource and sourceapp escaped");
	check_url("https://stat.ripe.net", "bgp-state", "a-b_c.d~e\xc3\xa9",
	    "upstreams", NULL, "https://stat.ripe.net/data/bgp-state/data.json"
	    "?resource=a-b_c.d~e%C3%A9&sourceapp=upstreams",
	    "unreserved kept, UTF-8 bytes escaped upper-case");
	check_url("https://stat.ripe.net", "bgp-state", "AS131279", "upstreams",
	    "timestamp=2017-10-01T09:07:51",
	    "https://stat.ripe.net/data/bgp-state/data.json?resource=AS131279"
	    "&sourceapp=upstreams&timestamp=2017-10-01T09:07:51",
	    "extra appended as given");
	check_url("https://stat.ripe.net", "bgp-state", "AS131279", NULL, NULL,
	    "https://stat.ripe.net/data/bgp-state/data.json?resource=AS131279",
	    "no sourceapp: none sent");
	check_url("FILE:///srv/replay", "asn-neighbours", "12386", "upstreams",
	    "", "FILE:///srv/replay/data/asn-neighbours/data.json"
	    "?resource=12386&sourceapp=upstreams",
	    "file:// base (any case), empty extra ignored");

	check_refused("https://stat.ripe.net/?x=1", "bgp-state", "AS1", "query",
	    "base with a query string refused");
	check_refused("https://stat.ripe.net/#top", "bgp-state", "AS1", "query",
	    "base with a fragment refused");
	check_refused("ftp://stat.ripe.net", "bgp-state", "AS1", "http://",
	    "ftp:// base refused");
	check_refused("stat.ripe.net", "bgp-state", "AS1", "http://",
	    "base without a scheme refused");
	check_refused("https://stat.ripe.net", "../etc", "AS1", "data call",
	    "data call with a path refused");
	check_refused("https://stat.ripe.net", "", "AS1", "data call",
	    "empty data call refused");
	check_refused("https://stat.ripe.net", "bgp-state", "", "empty",
	    "empty resource refused");
	check_refused(NULL, "bgp-state", "AS1", "missing", "NULL base refused");
	check_refused("https://stat.ripe.net", "bgp-state", NULL, "missing",
	    "NULL resource refused");
	IS_INT(upm_ripestat_url("https://x", "c", "r", "a", NULL, NULL, NULL),
	    UPM_ERR_ARG, "NULL out refused, NULL err allowed");
}

static void
test_opts(void)
{
	upm_fetch_opts o;

	memset(&o, 0x5a, sizeof(o));
	upm_fetch_opts_init(&o);
	IS_INT(o.max_retries, 3, "default retries 3");
	OK(o.user_agent == NULL && o.ca_file == NULL && o.timeout_ms == 0 &&
	    o.connect_timeout_ms == 0 && o.max_bytes == 0 &&
	    o.retry_base_ms == 0 && o.allow_file == 0 && o.insecure == 0,
	    "every other option 0 / NULL (library defaults)");
	upm_fetcher_free(NULL); /* a crash here fails the program */
}

/* A temporary file holding len bytes of pattern; its path in path. */
static int
make_file(char *path, size_t size, size_t len)
{
	const char *dir = getenv("TMPDIR");
	FILE *fp;
	size_t i;
	int fd, n;

	n = snprintf(path, size, "%s/test_url.XXXXXX",
	    dir != NULL && dir[0] == '/' ? dir : "/tmp");
	if (n < 0 || (size_t)n >= size || (fd = mkstemp(path)) < 0)
		return -1;
	if ((fp = fdopen(fd, "wb")) == NULL) {
		close(fd);
		return -1;
	}
	for (i = 0; i < len; i++)
		(void)fputc("0123456789abcdef"[i % 16], fp);
	return fclose(fp) == 0 ? 0 : -1;
}

static upm_status
fetch_once(const upm_fetch_opts *o, const char *u, upm_buf *out, long *code,
    upm_error *err)
{
	upm_fetcher *f = upm_fetcher_new(o, err);
	upm_status st;

	if (f == NULL)
		return err->code;
	st = upm_fetch(f, u, out, code, err);
	upm_fetcher_free(f);
	return st;
}

static void
test_file_urls(void)
{
	char path[PATH_MAX], u[PATH_MAX + 16];
	upm_error err = { UPM_OK, "" };
	upm_fetch_opts o;
	upm_buf b;
	upm_status st;
	long code = -1;
	int n;

	if (!OK(make_file(path, sizeof(path), 1000) == 0, "temporary file made"))
		return;
	n = snprintf(u, sizeof(u), "file://%s", path);
	OK(n > 0 && (size_t)n < sizeof(u), "file URL fits");
	upm_fetch_opts_init(&o);
	upm_buf_init(&b);

	st = fetch_once(&o, u, &b, &code, &err);
	IS_INT(st, UPM_ERR_ARG, "file:// refused without allow_file");
	OK(strstr(err.text, "file:// not allowed") != NULL, "and says why: %s",
	    err.text);
	IS_INT(code, 0, "no HTTP code for a refused URL");
	IS_INT(b.len, 0, "nothing read");

	st = fetch_once(&o, "gopher://127.0.0.1/x", &b, &code, &err);
	IS_INT(st, UPM_ERR_ARG, "gopher:// refused");

	o.allow_file = 1;
	if (upm_buf_append(&b, "prefix:", 7) != UPM_OK)
		OK(0, "append");
	code = -1;
	st = fetch_once(&o, u, &b, &code, &err);
	IS_INT(st, UPM_OK, "file:// read with allow_file");
	IS_INT(code, 0, "http_code 0 for file://");
	IS_INT(b.len, 1007, "body appended after what out held");
	OK(b.data != NULL && strncmp(b.data, "prefix:0123456789abcdef01", 25) == 0 &&
	    b.data[b.len] == '\0', "content right and NUL-terminated");

	upm_buf_free(&b);
	o.max_bytes = 999;
	st = fetch_once(&o, u, &b, &code, &err);
	IS_INT(st, UPM_ERR_TOOBIG, "cap one byte under the size: too big");
	IS_STR(err.text, "response larger than 999 bytes", "error text names the cap");
	OK(b.len <= 999, "never more than the cap kept (%zu)", b.len);

	upm_buf_free(&b);
	o.max_bytes = 1000;
	st = fetch_once(&o, u, &b, &code, &err);
	IS_INT(st, UPM_OK, "cap equal to the size: fine");
	IS_INT(b.len, 1000, "whole file");

	upm_buf_free(&b);
	(void)unlink(path);
	st = fetch_once(&o, u, &b, &code, &err);
	IS_INT(st, UPM_ERR_IO, "missing file: I/O error, not a network error");
	OK(err.text[0] != '\0', "with a reason: %s", err.text);
	upm_buf_free(&b);

	st = upm_fetch(NULL, u, &b, &code, &err);
	IS_INT(st, UPM_ERR_ARG, "NULL fetcher refused");
}

int
main(void)
{
	upm_error err = { UPM_OK, "" };

	test_ripestat_url();
	test_opts();
	if (!OK(upm_global_init(&err) == UPM_OK, "global init"))
		return tap_done();
	test_file_urls();
	upm_global_cleanup();
	return tap_done();
}

/*
 * state.c - the baseline file: the set of upstreams a target should have.
 *
 *   # upstreams baseline, written by upstreams 0.2.0; edit with care
 *   version 2
 *   target AS131279
 *   upstreams 4837 20485
 *
 * The reader is strict: a file it does not fully understand is an error,
 * never an empty baseline (that would turn every upstream into "new" or
 * silently accept a loss).  The writer replaces the file atomically: a new
 * file is written beside it under a unique name and renamed over it, so a
 * reader (another check, the collectd plugin) sees either the old or the new
 * file, whole.  The check removes that "<path>.XXXXXX" temporary file when
 * a signal or its timeout stops it mid-write; one left by a writer killed
 * outright (SIGKILL, a crash) is never read (it has another name) and is
 * removed by the next read or write in that directory once older than
 * UPM_TMP_STALE_AGE_S.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "upstreams.h"

/* 2: upstreams are providers (neighbour roles); a version 1 file may list
 * neighbours that are lateral now (the baseline policy migrates it). */
#define STATE_VERSION 2
#define STATE_MAX_FILE (64 * 1024)
#define STATE_MAX_LINE 16384
#define STATE_MAX_TARGET 63

/* ---------------------------------------------------------------- reading */

/* What has been read so far. */
struct parsed {
	const char *path;
	int have_version, have_target, have_upstreams;
	int version;
	char target[STATE_MAX_TARGET + 1];
	upm_asn_list set;
};

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* A target name: printable, no blanks, so it round-trips on one line. */
static int
valid_target(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > STATE_MAX_TARGET)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Splits the next blank-separated token off *p (bounded by end). */
static int
next_token(const char **p, const char *end, const char **tok, size_t *len)
{
	const char *s = *p;

	while (s < end && is_blank(*s))
		s++;
	*tok = s;
	while (s < end && !is_blank(*s))
		s++;
	*len = (size_t)(s - *tok);
	*p = s;
	return *len > 0;
}

static upm_status
line_fail(const struct parsed *ps, size_t lineno, upm_error *err,
    const char *what, const char *tok, size_t len)
{
	if (tok == NULL)
		return upm_fail(err, UPM_ERR_STATE, "state file %s: line %zu: %s",
		    ps->path, lineno, what);
	return upm_fail(err, UPM_ERR_STATE, "state file %s: line %zu: %s '%.*s'",
	    ps->path, lineno, what, (int)(len > 40 ? 40 : len), tok);
}

static upm_status
parse_version(struct parsed *ps, const char *p, const char *end,
    size_t lineno, upm_error *err)
{
	const char *tok;
	size_t len;

	if (!next_token(&p, end, &tok, &len))
		return line_fail(ps, lineno, err, "version without a number",
		    NULL, 0);
	if (len != 1 || tok[0] < '1' || tok[0] > '0' + STATE_VERSION)
		return line_fail(ps, lineno, err, "unsupported version", tok, len);
	ps->version = tok[0] - '0';
	if (next_token(&p, end, &tok, &len))
		return line_fail(ps, lineno, err, "unexpected text", tok, len);
	ps->have_version = 1;
	return UPM_OK;
}

static upm_status
parse_target(struct parsed *ps, const char *p, const char *end,
    size_t lineno, upm_error *err)
{
	const char *tok;
	size_t len;

	if (!next_token(&p, end, &tok, &len))
		return line_fail(ps, lineno, err, "target without a name", NULL, 0);
	if (!valid_target(tok, len))
		return line_fail(ps, lineno, err, "invalid target", tok, len);
	memcpy(ps->target, tok, len);
	ps->target[len] = '\0';
	if (next_token(&p, end, &tok, &len))
		return line_fail(ps, lineno, err, "unexpected text", tok, len);
	ps->have_target = 1;
	return UPM_OK;
}

static upm_status
parse_upstreams(struct parsed *ps, const char *p, const char *end,
    size_t lineno, upm_error *err)
{
	const char *tok;
	char buf[32];
	size_t len;
	uint32_t asn;

	/* No AS after the key is the empty set: a target that had no upstream
	 * when the baseline was learned. */
	while (next_token(&p, end, &tok, &len)) {
		if (len >= sizeof(buf))
			return line_fail(ps, lineno, err, "invalid AS number",
			    tok, len);
		memcpy(buf, tok, len);
		buf[len] = '\0';
		if (upm_asn_parse(buf, &asn, NULL) != UPM_OK)
			return line_fail(ps, lineno, err, "invalid AS number",
			    tok, len);
		if (upm_asn_list_has(&ps->set, asn))
			return line_fail(ps, lineno, err, "AS listed twice",
			    tok, len);
		if (upm_asn_list_add(&ps->set, asn) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	ps->have_upstreams = 1;
	return UPM_OK;
}

static upm_status
parse_line(struct parsed *ps, const char *p, const char *end, size_t lineno,
    upm_error *err)
{
	const char *key;
	size_t len;

	if ((size_t)(end - p) > STATE_MAX_LINE)
		return line_fail(ps, lineno, err, "line too long", NULL, 0);
	if (memchr(p, '\0', (size_t)(end - p)) != NULL)
		return line_fail(ps, lineno, err, "NUL byte", NULL, 0);
	if (!next_token(&p, end, &key, &len) || key[0] == '#')
		return UPM_OK; /* blank or comment */
#define KEY_IS(k) (len == sizeof(k) - 1 && memcmp(key, k, len) == 0)
	if (KEY_IS("version")) {
		if (ps->have_version)
			return line_fail(ps, lineno, err, "second version line",
			    NULL, 0);
		return parse_version(ps, p, end, lineno, err);
	}
	if (KEY_IS("target")) {
		if (ps->have_target)
			return line_fail(ps, lineno, err, "second target line",
			    NULL, 0);
		return parse_target(ps, p, end, lineno, err);
	}
	if (KEY_IS("upstreams")) {
		if (ps->have_upstreams)
			return line_fail(ps, lineno, err, "second upstreams line",
			    NULL, 0);
		return parse_upstreams(ps, p, end, lineno, err);
	}
#undef KEY_IS
	return line_fail(ps, lineno, err, "unknown line", key, len);
}

static upm_status
parse_text(struct parsed *ps, const char *buf, size_t len, upm_error *err)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t lineno = 0;
	upm_status st;

	if (len == 0)
		return upm_fail(err, UPM_ERR_STATE, "state file %s: empty",
		    ps->path);
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((st = parse_line(ps, p, nl, lineno, err)) != UPM_OK)
			return st;
		p = nl + 1;
	}
	if (!ps->have_version)
		return upm_fail(err, UPM_ERR_STATE,
		    "state file %s: no version line", ps->path);
	if (!ps->have_target)
		return upm_fail(err, UPM_ERR_STATE,
		    "state file %s: no target line", ps->path);
	if (!ps->have_upstreams)
		return upm_fail(err, UPM_ERR_STATE,
		    "state file %s: no upstreams line", ps->path);
	return UPM_OK;
}

/* ------------------------------------------------- stale temporaries */

/* mkstemp's six characters. */
static int
tmp_suffix(const char *s)
{
	size_t i;

	for (i = 0; i < 6; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return s[6] == '\0';
}

/* Whether the file at path holds nothing or the start of a baseline: a
 * temporary of ours, never another program's file of a similar name. */
static int
ours(const char *path)
{
	static const char head[] = "# upstreams baseline";
	char buf[sizeof(head) - 1];
	ssize_t n;
	int fd;

	if ((fd = upm_file_open_regular(path, UPM_FILE_NOFOLLOW, NULL, NULL,
	    NULL)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	return n == 0 || (n == (ssize_t)sizeof(buf) &&
	    memcmp(buf, head, sizeof(buf)) == 0);
}

/* Removes what a killed writer left in the directory of path: entries
 * named "<name>.XXXXXX" (replace_file's pattern) of this user, older than
 * UPM_TMP_STALE_AGE_S, empty or holding a baseline.  Best effort. */
static void
sweep_temporaries(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096], entry[4096];
	struct dirent *de;
	int64_t now = (int64_t)time(NULL);
	size_t len;
	DIR *d;
	int n;

	if (slash == NULL)
		n = snprintf(dir, sizeof(dir), ".");
	else
		n = snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if (n < 0 || (size_t)n >= sizeof(dir) || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 8 || de->d_name[len - 7] != '.' ||
		    !tmp_suffix(de->d_name + len - 6))
			continue;
		n = snprintf(entry, sizeof(entry), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(entry))
			continue;
		if (upm_tmp_stale(entry, now, UPM_TMP_STALE_AGE_S) &&
		    ours(entry))
			(void)unlink(entry);
	}
	closedir(d);
}

/* Reads the whole file, at most STATE_MAX_FILE bytes, into buf: a
 * regular file only (a FIFO would block the read for ever). */
static upm_status
slurp(const char *path, upm_buf *buf, int *missing, upm_error *err)
{
	upm_status st;

	st = upm_file_read_capped(path, STATE_MAX_FILE, 0, "state file", buf,
	    missing, err);
	if (st == UPM_ERR_TOOBIG) {
		st = UPM_ERR_STATE;
		if (err != NULL)
			err->code = st;
	}
	return st;
}

/* out must be initialised; on success its contents are replaced, on
 * failure it is left as it was. */
upm_status
upm_state_read(const char *path, upm_asn_list *out, char *target,
    size_t target_len, int *missing, upm_error *err)
{
	return upm_state_read_version(path, out, target, target_len, NULL,
	    missing, err);
}

upm_status
upm_state_read_version(const char *path, upm_asn_list *out, char *target,
    size_t target_len, int *version, int *missing, upm_error *err)
{
	struct parsed ps;
	upm_buf buf;
	upm_status st;

	if (missing != NULL)
		*missing = 0;
	if (path == NULL || *path == '\0')
		return upm_fail(err, UPM_ERR_ARG, "no state file given");
	memset(&ps, 0, sizeof(ps));
	ps.path = path;
	upm_asn_list_init(&ps.set);
	upm_buf_init(&buf);
	sweep_temporaries(path);
	st = slurp(path, &buf, missing, err);
	if (st == UPM_OK)
		st = parse_text(&ps, buf.data ? buf.data : "", buf.len, err);
	upm_buf_free(&buf);
	if (st == UPM_OK && target != NULL &&
	    strlen(ps.target) >= target_len)
		st = upm_fail(err, UPM_ERR_ARG, "state file %s: target %s does "
		    "not fit the caller's buffer", path, ps.target);
	if (st != UPM_OK) {
		upm_asn_list_free(&ps.set);
		return st;
	}
	if (target != NULL)
		memcpy(target, ps.target, strlen(ps.target) + 1);
	if (version != NULL)
		*version = ps.version;
	upm_asn_list_free(out);
	*out = ps.set;
	return UPM_OK;
}

/* ---------------------------------------------------------------- writing */

static upm_status
format_state(const upm_asn_list *set, const char *target, upm_buf *b)
{
	size_t i, line_start;

	if (upm_buf_printf(b, "# upstreams baseline, written by upstreams %s; "
	    "edit with care\nversion %d\ntarget %s\n", UPM_VERSION,
	    STATE_VERSION, target) != UPM_OK)
		return UPM_ERR_NOMEM;
	line_start = b->len;
	if (upm_buf_printf(b, "upstreams") != UPM_OK)
		return UPM_ERR_NOMEM;
	for (i = 0; i < set->n; i++)
		if (upm_buf_printf(b, " %lu", (unsigned long)set->v[i]) != UPM_OK)
			return UPM_ERR_NOMEM;
	/* What the reader would refuse must not be written. */
	if (b->len - line_start > STATE_MAX_LINE)
		return UPM_ERR_ARG;
	if (upm_buf_printf(b, "\n") != UPM_OK)
		return UPM_ERR_NOMEM;
	return UPM_OK;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Makes the rename itself durable; best effort (some file systems refuse
 * fsync on a directory, and the data is already safe in the file). */
static void
sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return;
	(void)fsync(fd);
	(void)close(fd);
}

/* Refuses to replace a symbolic link: the state file may live in a
 * directory others can write to, and following a planted link would let
 * them have us overwrite any file we can write. */
static upm_status
check_not_symlink(const char *path, upm_error *err)
{
	struct stat sb;

	if (lstat(path, &sb) == 0) {
		if (S_ISLNK(sb.st_mode))
			return upm_fail(err, UPM_ERR_IO, "state file %s: is a "
			    "symbolic link; refusing to write through it", path);
		return UPM_OK;
	}
	if (errno == ENOENT)
		return UPM_OK;
	return upm_fail(err, UPM_ERR_IO, "state file %s: %s", path,
	    strerror(errno));
}

/* Writes data to a new temporary file beside path and renames it over
 * path.  The temporary file is removed on every failure. */
static upm_status
replace_file(const char *path, const upm_buf *data, upm_error *err)
{
	size_t plen = strlen(path);
	char *tmp;
	int fd, e, slot;
	const char *what;

	if ((tmp = malloc(plen + sizeof(".XXXXXX"))) == NULL)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
	/* mkstemp: O_EXCL, mode 0600, a name nobody else holds. */
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		free(tmp);
		return upm_fail(err, UPM_ERR_IO, "state file %s: cannot create "
		    "a temporary file beside it: %s", path, strerror(e));
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* A signal (SIGTERM, the check's timeout) from here on removes it. */
	slot = upm_tmp_register(tmp);
	what = "fchmod";
	if (fchmod(fd, 0600) != 0)
		goto fail;
	what = "write";
	if (write_all(fd, data->data, data->len) != 0)
		goto fail;
	what = "fsync";
	if (fsync(fd) != 0)
		goto fail;
	what = "close";
	e = close(fd);
	fd = -1;
	if (e != 0)
		goto fail;
	what = "rename";
	if (rename(tmp, path) != 0)
		goto fail;
	upm_tmp_unregister(slot);
	free(tmp);
	sync_parent(path);
	return UPM_OK;
fail:
	e = errno;
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(tmp);
	upm_tmp_unregister(slot);
	free(tmp);
	return upm_fail(err, UPM_ERR_IO, "state file %s: %s: %s", path, what,
	    strerror(e));
}

upm_status
upm_state_write(const char *path, const upm_asn_list *set,
    const char *target, upm_error *err)
{
	upm_buf b;
	upm_status st;

	if (path == NULL || *path == '\0')
		return upm_fail(err, UPM_ERR_ARG, "no state file given");
	if (target == NULL || !valid_target(target, strlen(target)))
		return upm_fail(err, UPM_ERR_ARG, "state file %s: invalid "
		    "target '%.64s'", path, target ? target : "");
	if ((st = check_not_symlink(path, err)) != UPM_OK)
		return st;
	sweep_temporaries(path);
	upm_buf_init(&b);
	st = format_state(set, target, &b);
	if (st == UPM_ERR_ARG)
		st = upm_fail(err, UPM_ERR_ARG, "state file %s: %zu upstreams "
		    "are too many to keep", path, set->n);
	else if (st != UPM_OK)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	else
		st = replace_file(path, &b, err);
	upm_buf_free(&b);
	return st;
}

/*
 * test_state.c - the baseline file: format, strict reading, atomic and
 * symlink-safe writing, concurrent writers and writers killed mid-way.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "upstreams.h"
#include "tap.h"

static char dir[512];

/* dir/name into buf. */
static const char *
in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void
put_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len) {
		printf("# cannot write %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return;
	}
	fclose(f);
}

/* The whole file as a string (caller frees), NULL when unreadable. */
static char *
get_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 70000);
	n = buf ? fread(buf, 1, 69999, f) : 0;
	(void)n;
	fclose(f);
	return buf;
}

static void
make_set(upm_asn_list *l, const uint32_t *v, size_t n)
{
	size_t i;

	upm_asn_list_init(l);
	for (i = 0; i < n; i++)
		upm_asn_list_add(l, v[i]);
}

static int
same_set(const upm_asn_list *a, const upm_asn_list *b)
{
	return a->n == b->n &&
	    (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(*a->v)) == 0);
}

/* Names in dir starting with prefix. */
static int
count_entries(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
remove_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		in_dir(path, sizeof(path), e->d_name);
		if (unlink(path) != 0)
			(void)rmdir(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

static void
test_round_trip(void)
{
	static const uint32_t v[] = { 20485, 4837 };
	upm_asn_list set, got;
	char path[1024], target[64];
	char *text;
	int missing = 7;
	upm_error err;

	make_set(&set, v, 2);
	upm_asn_list_init(&got);
	in_dir(path, sizeof(path), "state");
	IS_INT(upm_state_write(path, &set, "AS131279", &err), UPM_OK,
	    "round trip: write");
	text = get_file(path);
	IS_STR(text, "# upstreams baseline, written by upstreams " UPM_VERSION
	    "; edit with care\nversion 2\ntarget AS131279\nupstreams 4837 20485\n",
	    "round trip: file format");
	free(text);
	IS_INT(upm_state_read(path, &got, target, sizeof(target), &missing, &err),
	    UPM_OK, "round trip: read");
	IS_INT(missing, 0, "round trip: not missing");
	IS_STR(target, "AS131279", "round trip: target");
	OK(same_set(&set, &got), "round trip: same set");
	IS_INT(upm_state_read(path, &got, NULL, 0, NULL, &err), UPM_OK,
	    "round trip: target and missing may be NULL");
	IS_INT(got.n, 2, "round trip: read again replaces, does not append");
	IS_INT(upm_state_read(path, &got, target, 8, NULL, &err), UPM_ERR_ARG,
	    "round trip: target buffer too small is an error");
	upm_asn_list_free(&got);
	upm_asn_list_free(&set);

	/* The empty set is a valid baseline. */
	upm_asn_list_init(&set);
	IS_INT(upm_state_write(path, &set, "AS64500", &err), UPM_OK,
	    "empty set: write");
	text = get_file(path);
	OK(text && strstr(text, "\nupstreams\n") != NULL,
	    "empty set: bare upstreams line");
	free(text);
	upm_asn_list_add(&got, 1);
	IS_INT(upm_state_read(path, &got, target, sizeof(target), NULL, &err),
	    UPM_OK, "empty set: read");
	IS_INT(got.n, 0, "empty set: read back empty");
	IS_STR(target, "AS64500", "empty set: target");
	upm_asn_list_free(&got);
}

static void
test_lenient_parts(void)
{
	static const char text[] =
	    "\n# comment\n   # indented comment\n\r\n"
	    "  version   1  \r\n"
	    "upstreams AS4837\tas20485 3356\n"
	    "target KP\n";
	upm_asn_list got;
	char path[1024], target[64];
	upm_error err;

	upm_asn_list_init(&got);
	in_dir(path, sizeof(path), "lenient");
	put_file(path, text, sizeof(text) - 1);
	IS_INT(upm_state_read(path, &got, target, sizeof(target), NULL, &err),
	    UPM_OK, "lenient: comments, blanks, CRLF, AS prefix, any order");
	OK(got.n == 3 && got.v[0] == 3356 && got.v[1] == 4837 &&
	    got.v[2] == 20485, "lenient: the three ASes");
	IS_STR(target, "KP", "lenient: target");
	upm_asn_list_free(&got);
	put_file(path, "version 1\ntarget AS1\nupstreams 1", 32);
	IS_INT(upm_state_read(path, &got, NULL, 0, NULL, &err), UPM_OK,
	    "lenient: no final newline");
	upm_asn_list_free(&got);
}

/* A string literal and its length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

struct bad_case {
	const char *text;
	size_t len;
	const char *what;  /* after "state file PATH: " */
};

static void
test_corrupt(void)
{
	static const struct bad_case cases[] = {
		{ LIT(""), "empty" },
		{ LIT("# only a comment\n\n"), "no version line" },
		{ LIT("version 1\ntarget AS1\n"), "no upstreams line" },
		{ LIT("version 1\nupstreams 1\n"), "no target line" },
		{ LIT("target AS1\nupstreams 1\n"), "no version line" },
		{ LIT("version 1\ntarget AS1\nupstreams 1\nfoo bar\n"),
		    "line 4: unknown line 'foo'" },
		{ LIT("version 1\ntarget AS1\nupstreams 1\nupstream 2\n"),
		    "line 4: unknown line 'upstream'" },
		{ LIT("version 3\ntarget AS1\nupstreams 1\n"),
		    "line 1: unsupported version '3'" },
		{ LIT("version 01\ntarget AS1\nupstreams 1\n"),
		    "line 1: unsupported version '01'" },
		{ LIT("version\ntarget AS1\nupstreams 1\n"),
		    "line 1: version without a number" },
		{ LIT("version 1 2\ntarget AS1\nupstreams 1\n"),
		    "line 1: unexpected text '2'" },
		{ LIT("version 1\ntarget AS1\nupstreams 4837 x12\n"),
		    "line 3: invalid AS number 'x12'" },
		{ LIT("version 1\ntarget AS1\nupstreams 0\n"),
		    "line 3: invalid AS number '0'" },
		{ LIT("version 1\ntarget AS1\nupstreams 4294967296\n"),
		    "line 3: invalid AS number '4294967296'" },
		{ LIT("version 1\ntarget AS1\nupstreams -5\n"),
		    "line 3: invalid AS number '-5'" },
		{ LIT("version 1\ntarget AS1\nupstreams 4837,20485\n"),
		    "line 3: invalid AS number '4837,20485'" },
		{ LIT("version 1\ntarget AS1\nupstreams 7 7\n"),
		    "line 3: AS listed twice '7'" },
		{ LIT("version 1\nversion 1\ntarget AS1\nupstreams 1\n"),
		    "line 2: second version line" },
		{ LIT("version 1\ntarget AS1\ntarget AS2\nupstreams 1\n"),
		    "line 3: second target line" },
		{ LIT("version 1\ntarget AS1\nupstreams 1\nupstreams 2\n"),
		    "line 4: second upstreams line" },
		{ LIT("version 1\ntarget\nupstreams 1\n"),
		    "line 2: target without a name" },
		{ LIT("version 1\ntarget AS1 AS2\nupstreams 1\n"),
		    "line 2: unexpected text 'AS2'" },
		{ LIT("version 1\ntar\0get AS1\nupstreams 1\n"),
		    "line 2: NUL byte" },
		{ LIT("version 1\ntarget AS1\nupstreams 1\n\0"),
		    "line 4: NUL byte" },
	};
	upm_asn_list got;
	char path[1024], want[1400];
	upm_error err;
	size_t i;
	int missing;

	in_dir(path, sizeof(path), "corrupt");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		size_t len = c->len;
		upm_status st;

		put_file(path, c->text, len);
		make_set(&got, (const uint32_t[]){ 99 }, 1);
		memset(&err, 0, sizeof(err));
		missing = 5;
		st = upm_state_read(path, &got, NULL, 0, &missing, &err);
		snprintf(want, sizeof(want), "state file %s: %s", path, c->what);
		IS_INT(st, UPM_ERR_STATE, c->what);
		IS_STR(err.text, want, "  error names the problem and line");
		OK(got.n == 1 && got.v[0] == 99 && missing == 0,
		    "  output untouched, not missing");
		upm_asn_list_free(&got);
	}
}

static void
test_too_big(void)
{
	char path[1024], want[1200];
	char *big;
	size_t n = 70000;
	upm_asn_list got;
	upm_error err;

	in_dir(path, sizeof(path), "big");
	upm_asn_list_init(&got);
	big = malloc(n);
	if (big == NULL)
		return;
	/* A long comment line, as long as allowed plus one. */
	memset(big, 'x', n);
	big[0] = '#';
	memcpy(big + 20000, "\nversion 1\ntarget A\nupstreams 1\n", 32);
	put_file(path, big, 20032);
	IS_INT(upm_state_read(path, &got, NULL, 0, NULL, &err), UPM_ERR_STATE,
	    "over-long line refused");
	snprintf(want, sizeof(want), "state file %s: line 1: line too long", path);
	IS_STR(err.text, want, "over-long line: message");

	/* Many short lines, more than 64 KiB in all. */
	for (size_t i = 0; i + 2 <= n; i += 2)
		memcpy(big + i, "#\n", 2);
	memcpy(big, "version 1\ntarget A\nupstreams 1\n", 31);
	put_file(path, big, 65536);
	IS_INT(upm_state_read(path, &got, NULL, 0, NULL, &err), UPM_OK,
	    "exactly 64 KiB is accepted");
	upm_asn_list_free(&got);
	put_file(path, big, 65537);
	IS_INT(upm_state_read(path, &got, NULL, 0, NULL, &err), UPM_ERR_STATE,
	    "64 KiB + 1 refused");
	snprintf(want, sizeof(want), "state file %s: larger than 65536 bytes", path);
	IS_STR(err.text, want, "too big: message");
	upm_asn_list_free(&got);
	free(big);
}

static void
test_missing(void)
{
	char path[1024];
	upm_asn_list got;
	upm_error err;
	int missing = 0;

	upm_asn_list_init(&got);
	in_dir(path, sizeof(path), "does-not-exist");
	IS_INT(upm_state_read(path, &got, NULL, 0, &missing, &err), UPM_ERR_IO,
	    "missing: UPM_ERR_IO");
	IS_INT(missing, 1, "missing: *missing = 1");
	OK(strstr(err.text, "does-not-exist") != NULL, "missing: names the file");
	in_dir(path, sizeof(path), "a-directory");
	mkdir(path, 0700);
	missing = 7;
	IS_INT(upm_state_read(path, &got, NULL, 0, &missing, &err), UPM_ERR_IO,
	    "directory: UPM_ERR_IO");
	IS_INT(missing, 0, "directory: not missing");
	IS_INT(got.n, 0, "nothing read");
}

static void
test_symlink(void)
{
	static const uint32_t v[] = { 4837 };
	char path[1024], victim[1024], link_to[1024];
	upm_asn_list set;
	upm_error err;
	struct stat sb;
	char *text;
	ssize_t n;

	make_set(&set, v, 1);
	in_dir(victim, sizeof(victim), "victim");
	in_dir(path, sizeof(path), "linked-state");
	put_file(victim, "precious\n", 9);
	if (symlink(victim, path) != 0)
		printf("# symlink: %s\n", strerror(errno));
	IS_INT(upm_state_write(path, &set, "AS1", &err), UPM_ERR_IO,
	    "symlink: refused");
	OK(strstr(err.text, "symbolic link") != NULL, "symlink: says why");
	text = get_file(victim);
	IS_STR(text, "precious\n", "symlink: target untouched");
	free(text);
	OK(lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode), "symlink: link kept");
	n = readlink(path, link_to, sizeof(link_to) - 1);
	link_to[n > 0 ? n : 0] = '\0';
	IS_STR(link_to, victim, "symlink: link still points to the victim");

	/* A dangling link would make the write create its target. */
	in_dir(victim, sizeof(victim), "not-yet");
	in_dir(path, sizeof(path), "dangling");
	if (symlink(victim, path) != 0)
		printf("# symlink: %s\n", strerror(errno));
	IS_INT(upm_state_write(path, &set, "AS1", &err), UPM_ERR_IO,
	    "dangling symlink: refused");
	OK(access(victim, F_OK) != 0, "dangling symlink: nothing created");
	IS_INT(count_entries("dangling."), 0, "symlink: no temporary file");
	upm_asn_list_free(&set);
}

static void
test_mode_and_temps(void)
{
	static const uint32_t v[] = { 174, 3356 };
	char path[1024], sub[1024];
	upm_asn_list set;
	upm_error err;
	struct stat sb;
	mode_t old = umask(0);
	int i;

	make_set(&set, v, 2);
	in_dir(path, sizeof(path), "moded");
	put_file(path, "old", 3);
	chmod(path, 0666);
	for (i = 0; i < 5; i++)
		upm_state_write(path, &set, "AS1", &err);
	if (stat(path, &sb) != 0)
		sb.st_mode = 0;
	OK((sb.st_mode & 07777) == 0600, "mode 0600 with umask 0 (got %o)",
	    (unsigned)(sb.st_mode & 07777));
	IS_INT(count_entries("moded"), 1, "no temporary file left after writes");

	/* rename fails when path is a directory: the temporary file goes. */
	in_dir(sub, sizeof(sub), "is-a-dir");
	mkdir(sub, 0700);
	IS_INT(upm_state_write(sub, &set, "AS1", &err), UPM_ERR_IO,
	    "write over a directory fails");
	IS_INT(count_entries("is-a-dir."), 0, "failed write leaves no temp file");
	in_dir(sub, sizeof(sub), "no-such-dir/state");
	IS_INT(upm_state_write(sub, &set, "AS1", &err), UPM_ERR_IO,
	    "write into a missing directory fails");

	IS_INT(upm_state_write(path, &set, "AS1\nupstreams 666", &err),
	    UPM_ERR_ARG, "a target with a newline is refused");
	IS_INT(upm_state_write(path, &set, "", &err), UPM_ERR_ARG,
	    "an empty target is refused");
	IS_INT(upm_state_write(path, &set, NULL, &err), UPM_ERR_ARG,
	    "a NULL target is refused");
	umask(old);
	upm_asn_list_free(&set);
}

/* The two sets the concurrent writers alternate. */
static const uint32_t set_a[] = { 4837 };
static const uint32_t set_b[] = { 4837, 20485, 3356, 174, 1299, 6939 };

/* 0 when path reads OK and holds set A or set B. */
static int
read_is_whole(const char *path)
{
	upm_asn_list got, a, b;
	char target[64];
	upm_error err;
	int ok;

	upm_asn_list_init(&got);
	make_set(&a, set_a, 1);
	make_set(&b, set_b, 6);
	ok = upm_state_read(path, &got, target, sizeof(target), NULL, &err) ==
	    UPM_OK && (same_set(&got, &a) || same_set(&got, &b)) &&
	    strcmp(target, "AS131279") == 0;
	if (!ok)
		printf("# bad read: %s\n", err.text);
	upm_asn_list_free(&got);
	upm_asn_list_free(&a);
	upm_asn_list_free(&b);
	return ok ? 0 : -1;
}

/* Child: writes which set (0 A, 1 B, 2 alternating) times times; exits
 * with the number of failed writes (capped). */
static void
writer(const char *path, int which, int times)
{
	upm_asn_list a, b;
	upm_error err;
	int i, failed = 0;

	make_set(&a, set_a, 1);
	make_set(&b, set_b, 6);
	for (i = 0; i < times; i++) {
		int use_b = which == 2 ? i % 2 : which;
		if (upm_state_write(path, use_b ? &b : &a, "AS131279", &err) != UPM_OK)
			failed++;
	}
	upm_asn_list_free(&a);
	upm_asn_list_free(&b);
	_exit(failed > 100 ? 100 : failed);
}

static void
test_concurrent(void)
{
	char path[1024];
	pid_t kids[2];
	int i, bad = 0, status, kid_failures = 0;

	in_dir(path, sizeof(path), "shared");
	{
		upm_asn_list a;
		upm_error err;
		make_set(&a, set_a, 1);
		upm_state_write(path, &a, "AS131279", &err);
		upm_asn_list_free(&a);
	}
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			writer(path, i, 200);
	}
	for (i = 0; i < 200; i++)
		bad += read_is_whole(path) != 0;
	for (i = 0; i < 2; i++) {
		if (kids[i] < 0 || waitpid(kids[i], &status, 0) != kids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			printf("# writer %d: status %#x\n", i, status);
			kid_failures++;
		}
	}
	IS_INT(bad, 0, "concurrent: 200 reads during 2x200 writes all whole");
	IS_INT(kid_failures, 0, "concurrent: every write succeeded");
	IS_INT(read_is_whole(path), 0, "concurrent: final file whole");
	IS_INT(count_entries("shared."), 0, "concurrent: no temporary files left");
}

/*
 * A writer killed at a random moment leaves the previous or the new file,
 * whole, plus possibly its "<path>.XXXXXX" temporary file: harmless, since
 * nothing ever reads that name, and removed by whoever cleans the directory.
 */
static void
test_killed_writer(void)
{
	char path[1024];
	int round, bad = 0, killed = 0, status;
	pid_t kid;

	in_dir(path, sizeof(path), "killed");
	{
		upm_asn_list b;
		upm_error err;
		make_set(&b, set_b, 6);
		upm_state_write(path, &b, "AS131279", &err);
		upm_asn_list_free(&b);
	}
	srand(20171001);
	fflush(stdout);
	for (round = 0; round < 50; round++) {
		struct timespec ts = { 0, (long)(rand() % 3000) * 1000L };

		if ((kid = fork()) == 0)
			writer(path, 2, 100000);
		if (kid < 0)
			break;
		nanosleep(&ts, NULL);
		kill(kid, SIGKILL);
		if (waitpid(kid, &status, 0) == kid && WIFSIGNALED(status))
			killed++;
		bad += read_is_whole(path) != 0;
	}
	IS_INT(round, 50, "killed writer: 50 rounds");
	IS_INT(killed, 50, "killed writer: every writer was killed");
	IS_INT(bad, 0, "killed writer: file always whole after a kill");
	printf("# %d stale temporary files\n", count_entries("killed.") );
	{
		upm_asn_list a;
		upm_error err;
		make_set(&a, set_a, 1);
		IS_INT(upm_state_write(path, &a, "AS131279", &err), UPM_OK,
		    "killed writer: next write fine despite stale temp files");
		upm_asn_list_free(&a);
	}
	IS_INT(read_is_whole(path), 0, "killed writer: and reads back whole");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/upm-test-state.XXXXXX",
	    tmp && *tmp ? tmp : P_tmpdir);
	if (mkdtemp(dir) == NULL) {
		printf("not ok 1 - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_round_trip();
	test_lenient_parts();
	test_corrupt();
	test_too_big();
	test_missing();
	test_symlink();
	test_mode_and_temps();
	test_concurrent();
	test_killed_writer();
	remove_dir();
	return tap_done();
}

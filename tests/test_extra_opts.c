/*
 * test_extra_opts.c - --extra-opts: INI sections turned into options, put
 * before the command line; the file search; every malformed input refused
 * with FILE:LINE.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extra_opts.h"
#include "tap.h"

static char dir[PATH_MAX];

/* Writes text to dir/name and returns the path (static buffer per slot). */
static const char *
write_file(const char *name, const char *text, size_t len)
{
	static char paths[8][PATH_MAX + 64];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	(void)snprintf(p, PATH_MAX + 64, "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL)
		return p;
	(void)fwrite(text, 1, len, f);
	fclose(f);
	return p;
}

static const char *
write_ini(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* Options that take a value, for the test: the rest are flags. */
static int
needs_value(const char *key)
{
	return strcmp(key, "sourceapp") == 0 || strcmp(key, "asn") == 0 ||
	    strcmp(key, "critical") == 0;
}

/* Runs xo_extra_opts on a NULL-terminated list; the result joined with
 * spaces into out, or "ERR: <text>". */
static int
run(char *out, size_t len, char **args)
{
	int argc = 0, n = 0, rc;
	char **nv = NULL;
	upm_error err;
	size_t used = 0;

	memset(&err, 0, sizeof(err));
	while (args[argc] != NULL)
		argc++;
	rc = xo_extra_opts(argc, args, "check_upstreams", needs_value, &n, &nv,
	    &err);
	if (rc != 0) {
		(void)snprintf(out, len, "ERR: %s", err.text);
		return rc;
	}
	out[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		int w = snprintf(out + used, len - used, "%s%s", i ? " " : "",
		    nv[i]);
		used += w > 0 ? (size_t)w : 0;
	}
	if (nv[n] != NULL)
		(void)snprintf(out, len, "vector not NULL-terminated");
	xo_argv_free(nv);
	return rc;
}

#define ARGS(...) ((char *[]){ "check_upstreams", __VA_ARGS__, NULL })

static void
test_plain_copy(void)
{
	char out[512];

	IS_INT(run(out, sizeof(out), ARGS("-a", "1", "-v")), 0,
	    "no --extra-opts: success");
	IS_STR(out, "check_upstreams -a 1 -v", "no --extra-opts: a plain copy");
	IS_INT(run(out, sizeof(out), ((char *[]){ "check_upstreams", NULL })),
	    0, "program name alone");
	IS_STR(out, "check_upstreams", "program name alone copied");
}

static void
test_section_and_file(void)
{
	char out[1024], arg[PATH_MAX + 64];
	const char *f = write_ini("a.ini",
	    "# comment\n"
	    "; another comment\n"
	    "\n"
	    "[other]\n"
	    "asn = 1\n"
	    "[check_upstreams]\n"
	    "  ripestat-url = http://127.0.0.1:1  \r\n"
	    "verbose\n"
	    "critical=2:\n"
	    "sourceapp = \" spaced \"\n"
	    "[kp]\n"
	    "asn=AS131279\n"
	    "expect = 4837,20485\n"
	    "[check_upstreams]\n"
	    "timeout=5\n");

	(void)snprintf(arg, sizeof(arg), "--extra-opts=@%s", f);
	run(out, sizeof(out), ARGS(arg, "-c", "1:"));
	IS_STR(out, "check_upstreams --ripestat-url=http://127.0.0.1:1 "
	    "--verbose --critical=2: --sourceapp= spaced  --timeout=5 -c 1:",
	    "@FILE: the program's section (both parts), before the command line");

	(void)snprintf(arg, sizeof(arg), "--extra-opts=kp@%s", f);
	run(out, sizeof(out), ARGS("-v", arg, "-w", "1:"));
	IS_STR(out, "check_upstreams --asn=AS131279 --expect=4837,20485 -v "
	    "-w 1:", "SECTION@FILE: that section only, removed from argv");

	(void)snprintf(arg, sizeof(arg), "--extra-opts=other@%s", f);
	{
		char arg2[PATH_MAX + 64];
		(void)snprintf(arg2, sizeof(arg2), "--extra-opts=kp@%s", f);
		run(out, sizeof(out), ARGS(arg, "-t", "3", arg2));
	}
	IS_STR(out, "check_upstreams --asn=1 --asn=AS131279 "
	    "--expect=4837,20485 -t 3", "several --extra-opts in their order");

	(void)snprintf(arg, sizeof(arg), "--extra-opts=kp@%s", f);
	run(out, sizeof(out), ARGS("-a", "1", "--", arg));
	{
		char want[PATH_MAX + 128];
		(void)snprintf(want, sizeof(want), "check_upstreams -a 1 -- %s",
		    arg);
		IS_STR(out, want, "after --: passed through, not read");
	}
}

static void
test_default_file(void)
{
	char out[1024], cfgpath[2 * PATH_MAX + 16];
	const char *f = write_ini("mp.ini", "[check_upstreams]\nasn=7\n"
	    "[sect]\nasn=8\n");

	unsetenv("NAGIOS_CONFIG_PATH");
	setenv("MP_CONFIG_FILE", f, 1);
	run(out, sizeof(out), ARGS("--extra-opts", "-v"));
	IS_STR(out, "check_upstreams --asn=7 -v",
	    "--extra-opts alone: program section of $MP_CONFIG_FILE");
	run(out, sizeof(out), ARGS("--extra-opts", "sect", "-v"));
	IS_STR(out, "check_upstreams --asn=8 -v",
	    "--extra-opts SECTION as two arguments");
	run(out, sizeof(out), ARGS("--extra-opts=", "-v"));
	IS_STR(out, "check_upstreams --asn=7 -v", "--extra-opts= is the default");
	run(out, sizeof(out), ARGS("--extra-opts=sect"));
	IS_STR(out, "check_upstreams --asn=8", "--extra-opts=SECTION");

	/* $NAGIOS_CONFIG_PATH: directories searched in order. */
	unsetenv("MP_CONFIG_FILE");
	write_ini("d2/plugins.ini", "[check_upstreams]\nasn=9\n");
	(void)snprintf(cfgpath, sizeof(cfgpath), "%s/d1:%s/d2", dir, dir);
	setenv("NAGIOS_CONFIG_PATH", cfgpath, 1);
	run(out, sizeof(out), ARGS("--extra-opts"));
	IS_STR(out, "check_upstreams --asn=9",
	    "plugins.ini found in the second $NAGIOS_CONFIG_PATH directory");
	write_ini("d1/nagios-plugins.ini", "[check_upstreams]\nasn=10\n");
	run(out, sizeof(out), ARGS("--extra-opts"));
	IS_STR(out, "check_upstreams --asn=10", "the first directory wins");
	unsetenv("NAGIOS_CONFIG_PATH");
}

/* Without any file in the standard places the error says what to do; where
 * a machine has one, it is used. */
static void
test_no_default_file(void)
{
	static const char *std[] = { "/etc/nagios/plugins.ini",
	    "/usr/local/nagios/etc/plugins.ini",
	    "/usr/local/etc/nagios/plugins.ini", "/etc/opt/nagios/plugins.ini",
	    "/etc/nagios-plugins.ini", "/usr/local/etc/nagios-plugins.ini",
	    "/etc/opt/nagios-plugins.ini",
	    "/usr/local/etc/monitoring-plugins/monitoring-plugins.ini",
	    "/usr/local/etc/monitoring-plugins.ini",
	    "/etc/monitoring-plugins/monitoring-plugins.ini",
	    "/etc/monitoring-plugins.ini", NULL };
	char out[1024];
	int any = 0, rc;

	for (int i = 0; std[i] != NULL; i++)
		any |= access(std[i], F_OK) == 0;
	rc = run(out, sizeof(out), ARGS("--extra-opts=nosuchsection-xo"));
	IS_INT(rc, -1, "no file, or no such section in the standard file");
	if (!any)
		OK(strstr(out, "no configuration file found") != NULL &&
		    strstr(out, "MP_CONFIG_FILE") != NULL,
		    "error says no file was found and how to name one: %s", out);
	else
		OK(strstr(out, "no section [nosuchsection-xo]") != NULL,
		    "standard file read, section missing: %s", out);
}

static void
expect_error(const char *name, const char *text, const char *section,
    const char *want, const char *what)
{
	char out[1024], arg[PATH_MAX + 64];
	const char *f = write_file(name, text, strlen(text) +
	    (strstr(what, "NUL") ? 8 : 0));
	int rc;

	(void)snprintf(arg, sizeof(arg), "--extra-opts=%s@%s", section, f);
	rc = run(out, sizeof(out), ARGS(arg, "-v"));
	OK(rc == -1 && strstr(out, want) != NULL, "%s (%s)", what, out);
}

static void
test_errors(void)
{
	char out[1024], arg[PATH_MAX + 64], want[PATH_MAX + 64];

	(void)snprintf(arg, sizeof(arg), "--extra-opts=x@%s/missing.ini", dir);
	IS_INT(run(out, sizeof(out), ARGS(arg)), -1, "missing file: error");
	(void)snprintf(want, sizeof(want), "--extra-opts file %s/missing.ini: "
	    "No such file", dir);
	OK(strstr(out, want) != NULL, "names the missing file (%s)", out);

	expect_error("s.ini", "[a]\nx=1\n", "b", "no section [b] in",
	    "missing section: error");
	expect_error("bad.ini", "[a]\nx=1\nthis is junk\n", "a", "bad.ini:3: "
	    "not an option", "junk line: FILE:LINE");
	expect_error("bad2.ini", "[b]\nthis is junk\n[a]\nx=1\n", "a",
	    "bad2.ini:2:", "junk in another section is an error too");
	expect_error("bad3.ini", "x=1\n[a]\n", "a", "bad3.ini:1: option "
	    "before any [section]", "option before a section");
	expect_error("bad4.ini", "[a\nx=1\n", "a", "bad4.ini:1: malformed "
	    "[section] header", "unclosed header");
	expect_error("bad5.ini", "[]\n", "a", "bad5.ini:1: malformed",
	    "empty section name");
	expect_error("bad6.ini", "[a] junk\n", "a", "bad6.ini:1: malformed",
	    "text after a header");
	expect_error("bad7.ini", "[a]\n=1\n", "a", "bad7.ini:2: not an option",
	    "value without a key");
	expect_error("bad8.ini", "[a]\n-x=1\n", "a", "bad8.ini:2: not an option",
	    "key starting with a dash");
	expect_error("bad9.ini", "[a]\nextra-opts=b\n", "a",
	    "bad9.ini:2: extra-opts cannot be nested", "nesting refused");
	expect_error("bad10.ini", "[a]\nx=1\n\0\0\0\0\0\0\0\0", "a",
	    "bad10.ini:3: NUL byte", "NUL byte in the file");

	IS_INT(run(out, sizeof(out), ARGS("--extra-opts=a@")), -1,
	    "empty file name after @: error");
	OK(strstr(out, "empty file name") != NULL, "says so (%s)", out);
}

static void
test_empty_section(void)
{
	char out[1024], arg[PATH_MAX + 64];
	const char *f = write_ini("e.ini", "[a]\n[b]\nx\n");

	(void)snprintf(arg, sizeof(arg), "--extra-opts=a@%s", f);
	IS_INT(run(out, sizeof(out), ARGS(arg, "-v")), 0,
	    "empty section present: success");
	IS_STR(out, "check_upstreams -v", "empty section adds nothing");
	f = write_ini("bom.ini", "\xef\xbb\xbf[a]\nx\n");
	(void)snprintf(arg, sizeof(arg), "--extra-opts=a@%s", f);
	run(out, sizeof(out), ARGS(arg));
	IS_STR(out, "check_upstreams --x", "byte order mark skipped");
}

/* The point of the order: getopt keeps the last value, the command line's. */
static void
test_command_line_wins(void)
{
	static const struct option lo[] = {
		{ "critical", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 } };
	char arg[PATH_MAX + 64], **nv = NULL;
	const char *f = write_ini("w.ini", "[check_upstreams]\ncritical=2:\n"
	    "verbose\nverbose\n");
	const char *crit = NULL;
	int n = 0, opt, verbose = 0;
	upm_error err;

	(void)snprintf(arg, sizeof(arg), "--extra-opts=@%s", f);
	if (xo_extra_opts(4, ARGS(arg, "-c", "1:"), "check_upstreams", NULL, &n, &nv,
	    &err) != 0)
		n = 0;
	optind = 1;
	opterr = 0;
	while (n > 0 && (opt = getopt_long(n, nv, "c:v", lo, NULL)) != -1) {
		if (opt == 'c')
			crit = optarg;
		else if (opt == 'v')
			verbose++;
	}
	IS_STR(crit, "1:", "command line -c overrides the file's critical");
	IS_INT(verbose, 2, "repeated key gives repeated option (-v levels)");
	xo_argv_free(nv);
	xo_argv_free(NULL); /* a crash here fails the program */
}

/* A key alone of an option that needs a value would take the next
 * argument as its value: an error naming the key, the file and the line. */
static void
test_bare_key(void)
{
	char out[1024], arg[PATH_MAX + 64], want[PATH_MAX + 160];
	const char *f = write_ini("bare.ini",
	    "[check_upstreams]\n"
	    "verbose\n"
	    "sourceapp\n");

	(void)snprintf(arg, sizeof(arg), "--extra-opts=@%s", f);
	IS_INT(run(out, sizeof(out), ARGS(arg, "--visibility", "-a", "1")), -1,
	    "a bare key that needs a value: refused");
	(void)snprintf(want, sizeof(want), "ERR: %s:3: sourceapp needs a value "
	    "(sourceapp=VALUE); a key alone is only for an option without one",
	    f);
	IS_STR(out, want, "  the error names the file, the line and the key");
	f = write_ini("bare2.ini", "[check_upstreams]\nverbose\nsourceapp=x\n");
	(void)snprintf(arg, sizeof(arg), "--extra-opts=@%s", f);
	IS_INT(run(out, sizeof(out), ARGS(arg, "--visibility")), 0,
	    "a bare flag and a key with its value: fine");
	IS_STR(out, "check_upstreams --verbose --sourceapp=x --visibility",
	    "  the flag alone, the value kept, the command line after");
	f = write_ini("bare3.ini", "[other]\nsourceapp\n[check_upstreams]\n"
	    "verbose\n");
	(void)snprintf(arg, sizeof(arg), "--extra-opts=@%s", f);
	IS_INT(run(out, sizeof(out), ARGS(arg)), 0,
	    "a bare key in another section is not ours to judge");
}

/* Garbage must give an error or a result, never a crash or a leak (the
 * suite runs this under valgrind and ASan). */
static void
test_garbage(void)
{
	char text[512], out[2048], arg[PATH_MAX + 64];
	unsigned seed = 12345;
	int errors = 0, oks = 0;
	const char *f;

	for (int round = 0; round < 200; round++) {
		size_t len = 18;

		memcpy(text, "[check_upstreams]\n", len);
		while (len < sizeof(text) - 1) {
			seed = seed * 1103515245u + 12345u;
			text[len++] = "ab=[] ;#\n\r\"-_\t@x"[(seed >> 16) % 16];
		}
		text[len] = '\0';
		f = write_file("g.ini", text, len);
		(void)snprintf(arg, sizeof(arg), "--extra-opts=@%s", f);
		if (run(out, sizeof(out), ARGS(arg, "-v")) == 0)
			oks++;
		else
			errors++;
	}
	IS_INT(oks + errors, 200, "200 garbage files: each an answer");
	OK(errors > 0, "garbage is refused (%d of 200)", errors);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char sub[PATH_MAX + 8];

	(void)snprintf(dir, sizeof(dir), "%s/xo.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	(void)snprintf(sub, sizeof(sub), "%s/d1", dir);
	(void)mkdir(sub, 0700);
	(void)snprintf(sub, sizeof(sub), "%s/d2", dir);
	(void)mkdir(sub, 0700);
	unsetenv("MP_CONFIG_FILE");
	unsetenv("NAGIOS_CONFIG_PATH");

	test_plain_copy();
	test_section_and_file();
	test_default_file();
	test_no_default_file();
	test_errors();
	test_empty_section();
	test_command_line_wins();
	test_bare_key();
	test_garbage();

	{
		char cmd[PATH_MAX + 16];
		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}

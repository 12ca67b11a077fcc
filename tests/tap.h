/*
 * tap.h - a minimal TAP producer for the unit tests.  Each test program
 * prints "ok N - what" or "not ok N - what" lines; tests/run counts them.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define OK(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define IS_STR(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define IS_INT(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)

static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#include <stdarg.h>

static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *what)
{
	int pass = got != NULL && want != NULL && strcmp(got, want) == 0;

	tap_ok(pass, file, line, "%s", what);
	if (!pass)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return pass;
}

static int
tap_is_int(long long got, long long want, const char *file, int line,
    const char *what)
{
	int pass = got == want;

	tap_ok(pass, file, line, "%s", what);
	if (!pass)
		printf("#   got: %lld, want: %lld\n", got, want);
	return pass;
}

/* Returns the exit status for main(). */
static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif

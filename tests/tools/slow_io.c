/*
 * slow_io.c - an LD_PRELOAD shim for the end-to-end tests: slow file
 * operations on demand, so that a test can interrupt them or watch a time
 * budget bound them.
 *
 *   fsync(2) sleeps UPM_SLOW_FSYNC_MS milliseconds first (when set): a
 *     state write can be interrupted while its temporary file exists;
 *   open(2) of a path ending in UPM_SLOW_OPEN_SUFFIX sleeps
 *     UPM_SLOW_OPEN_MS milliseconds first (default 20000): a file read as
 *     slowly as a hung network file system.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
pause_ms(const char *var, long dflt)
{
	const char *v = getenv(var);
	long ms = v != NULL ? strtol(v, NULL, 10) : dflt;
	struct timespec ts;

	if (ms <= 0 || ms > 60000)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	pause_ms("UPM_SLOW_FSYNC_MS", 0);
	return real != NULL ? real(fd) : 0;
}

static int
slow_path(const char *path)
{
	const char *suffix = getenv("UPM_SLOW_OPEN_SUFFIX");
	size_t n, m;

	if (suffix == NULL || *suffix == '\0' || path == NULL)
		return 0;
	n = strlen(path);
	m = strlen(suffix);
	return n >= m && strcmp(path + n - m, suffix) == 0;
}

static int
open_as(const char *name, const char *path, int flags, va_list ap)
{
	int (*real)(const char *, int, ...) =
	    (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;

	if (slow_path(path))
		pause_ms("UPM_SLOW_OPEN_MS", 20000);
	return real != NULL ? real(path, flags, mode) : -1;
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_as("open", path, flags, ap);
	va_end(ap);
	return fd;
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_as("open64", path, flags, ap);
	va_end(ap);
	return fd;
}

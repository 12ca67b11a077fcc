/*
 * slow_fsync.c - an LD_PRELOAD shim for tests/e2e_tempfiles.sh: fsync(2)
 * sleeps UPM_SLOW_FSYNC_MS milliseconds first (default 3000), so that a
 * state write can be interrupted while its temporary file exists.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	const char *v = getenv("UPM_SLOW_FSYNC_MS");
	long ms = v != NULL ? strtol(v, NULL, 10) : 3000;
	struct timespec ts;

	if (ms < 0 || ms > 60000)
		ms = 3000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
	return real != NULL ? real(fd) : 0;
}

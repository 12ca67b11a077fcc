/*
 * testutil.h - helpers the unit tests share: reading a fixture file.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

/* The whole file at path, NUL-terminated (the NUL not counted in *len);
 * NULL when it cannot be read whole.  Caller frees. */
static inline char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* A parser test's start: meta and err zeroed, the fixture read (NULL when
 * it cannot be). */
static inline char *
slurp_fixture(const char *path, size_t *len, upm_meta *meta, upm_error *err)
{
	memset(meta, 0, sizeof(*meta));
	memset(err, 0, sizeof(*err));
	return slurp(path, len);
}

#endif

/*
 * cache.h - the on-disk response cache, inside the library (the fetcher
 * uses it; tests may too).  Not part of the public interface.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#ifndef UPM_CACHE_H
#define UPM_CACHE_H

#include <stdio.h>

#include "upm_private.h"

/* Opens a fresh, sound entry for url: UPM_OK with *fp positioned at the
 * body (caller fcloses) and *len its length; UPM_ERR_NODATA when there is
 * none (a corrupt entry is removed on the way); other statuses for a
 * directory that cannot be used. */
upm_status upm_cache_open(const char *dir, const char *url, int64_t now,
    long max_age_s, FILE **fp, uint64_t *len, upm_error *err);

/* A new entry being written: a temporary file beside the final one. */
typedef struct upm_cache_writer upm_cache_writer;

/* Creates dir and its parents when missing (see upm_cache_dir_check);
 * NULL with err filled on failure.  Entries are 0640. */
upm_cache_writer *upm_cache_writer_new(const char *dir, const char *url,
    int64_t now, upm_error *err);
/* Drops what was written (a retried transfer starts over). */
upm_status upm_cache_writer_reset(upm_cache_writer *w, upm_error *err);
upm_status upm_cache_writer_write(upm_cache_writer *w, const void *buf,
    size_t len, upm_error *err);
/* Completes the header and renames the entry into place. */
upm_status upm_cache_writer_commit(upm_cache_writer *w, upm_error *err);
/* Removes the temporary file unless committed; NULL ok. */
void upm_cache_writer_free(upm_cache_writer *w);

/* Entries whose file is older than this are removed by the sweep: twice
 * the longest freshness (country lists, a day), so nothing still usable
 * goes. */
#define UPM_CACHE_SWEEP_AGE (2 * 24 * 3600L)

/* Removes old entries of dir, at most once an hour (a marker file's
 * mtime); the commit of every entry calls it. */
void upm_cache_sweep(const char *dir, int64_t now);

#endif

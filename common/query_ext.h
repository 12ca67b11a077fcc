/*
 * query_ext.h - internal to libupstreams: the query paths for country
 * targets, public looking glasses and per-prefix tracking (their parsers'
 * JSON helpers come with json_util.h).  Not installed; front ends use
 * upstreams.h.
 */
#ifndef UPSTREAMS_QUERY_EXT_H
#define UPSTREAMS_QUERY_EXT_H

#include <jansson.h>

#include "json_util.h"
#include "upstreams.h"

/* 1 when q asks for anything upm_query's plain path does not do: a
 * country, extra ASNs or prefixes, several sources, a looking glass, or
 * tracked prefixes. */
int upm_query_is_ext(const upm_query_opts *q);

/* upm_query for those; same contract. */
upm_status upm_query_ext(upm_fetcher *f, const upm_query_opts *q,
    upm_result **out, upm_error *err);

/* UPM_ERR_NODATA when none of r's observations has an upstream (the text
 * names resource and counts the others); else UPM_OK. */
upm_status upm_upstream_seen(const upm_result *r, const char *resource,
    upm_error *err);

/* A growable list of distinct strings; the list owns its copies.  All
 * zero is an empty list. */
typedef struct {
	char **v;
	size_t n, cap;
} upm_strlist;

/* 1 when s is in l (compared exactly). */
int upm_strlist_contains(const upm_strlist *l, const char *s);

/* Adds a copy of s unless it is there already: 0, or -1 out of memory. */
int upm_strlist_add(upm_strlist *l, const char *s);

/* Frees the copies and leaves l empty. */
void upm_strlist_free(upm_strlist *l);

#endif

/*
 * query_ext.h - internal to libupstreams: the query paths for country
 * targets, public looking glasses and per-prefix tracking, and the JSON
 * helpers their parsers share.  Not installed; front ends use upstreams.h.
 */
#ifndef UPSTREAMS_QUERY_EXT_H
#define UPSTREAMS_QUERY_EXT_H

#include <jansson.h>

#include "upstreams.h"

/* 1 when q asks for anything upm_query's plain path does not do: a
 * country, extra ASNs or prefixes, several sources, a looking glass, or
 * tracked prefixes. */
int upm_query_is_ext(const upm_query_opts *q);

/* upm_query for those; same contract. */
upm_status upm_query_ext(upm_fetcher *f, const upm_query_opts *q,
    upm_result **out, upm_error *err);

/* Parses buf as one JSON object (duplicate keys rejected); *root caller
 * decrefs. */
upm_status upm_json_open(const char *buf, size_t len, json_t **root,
    upm_error *err);

/* "<path>: expected <want>, got <what>" as UPM_ERR_SHAPE. */
upm_status upm_json_shape(upm_error *err, const json_t *got, const char *want,
    const char *path);

/* Copies server text cut to fit at a UTF-8 boundary, control characters
 * made spaces; returns dst. */
const char *upm_copy_text(char *dst, size_t size, const char *src);

#endif

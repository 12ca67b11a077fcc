/*
 * json_util.h - internal to libupstreams: the JSON helpers every parser
 * shares (RIPEstat, the looking glasses, country lists), so that they all
 * word their errors alike.  Not installed; front ends use upstreams.h.
 */
#ifndef UPSTREAMS_JSON_UTIL_H
#define UPSTREAMS_JSON_UTIL_H

#include <stddef.h>

#include <jansson.h>

#include "upstreams.h"

/* Copies server text cut to fit at a UTF-8 boundary, control characters
 * made spaces; returns dst. */
const char *upm_copy_text(char *dst, size_t size, const char *src);

/* Makes s printable ASCII in place (a jansson error quotes raw input). */
void upm_json_ascii_only(char *s);

/* "<path>: expected <want>, got <what>" as UPM_ERR_SHAPE; got may be NULL
 * (missing). */
upm_status upm_json_shape(upm_error *err, const json_t *got, const char *want,
    const char *path);

/* Parses buf as any JSON value, duplicate keys rejected; *doc caller
 * decrefs.  An error is UPM_ERR_JSON naming line and column. */
upm_status upm_json_load(const char *buf, size_t len, json_t **doc,
    upm_error *err);

/* upm_json_load for a document that must be one JSON object. */
upm_status upm_json_open(const char *buf, size_t len, json_t **root,
    upm_error *err);

#endif

/*
 * json_util.c - the JSON helpers the parsers share: loading a document,
 * wording a wrong type, copying server text safely.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "upm_private.h"

/* Server text goes into meta fields and error messages: cut to fit
 * (informational, so never an error) at a UTF-8 character boundary, and
 * control characters made spaces so that a Nagios status line or a log
 * line stays one line. */
const char *
upm_copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src), i;

	if (size == 0)
		return dst;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		dst[i] = ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ?
		    ' ' : src[i];
	dst[n] = '\0';
	return dst;
}

/* jansson quotes the offending input ("near '...'"), which may be any
 * bytes: keep the error text printable ASCII. */
void
upm_json_ascii_only(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "value";
}

upm_status
upm_json_shape(upm_error *err, const json_t *got, const char *want,
    const char *path)
{
	char text[48];

	if (got == NULL)
		return upm_fail(err, UPM_ERR_SHAPE, "%s: expected %s (missing)",
		    path, want);
	if (json_is_string(got))
		return upm_fail(err, UPM_ERR_SHAPE,
		    "%s: expected %s, got string '%s'", path, want,
		    upm_copy_text(text, sizeof(text), json_string_value(got)));
	return upm_fail(err, UPM_ERR_SHAPE, "%s: expected %s, got %s", path,
	    want, type_name(got));
}

upm_status
upm_json_load(const char *buf, size_t len, json_t **doc, upm_error *err)
{
	json_error_t jerr;

	/* NUL inside strings stays rejected (no JSON_ALLOW_NUL): records are
	 * C strings and a NUL would silently cut them. */
	*doc = json_loadb(buf != NULL ? buf : "", buf != NULL ? len : 0,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (*doc != NULL)
		return UPM_OK;
	upm_json_ascii_only(jerr.text);
	return upm_fail(err, UPM_ERR_JSON, "invalid JSON at line %d column %d: %s",
	    jerr.line, jerr.column, jerr.text);
}

upm_status
upm_json_open(const char *buf, size_t len, json_t **root, upm_error *err)
{
	upm_status st;
	json_t *doc;

	*root = NULL;
	if ((st = upm_json_load(buf, len, &doc, err)) != UPM_OK)
		return st;
	if (!json_is_object(doc)) {
		st = upm_json_shape(err, doc, "object", "top level");
		json_decref(doc);
		return st;
	}
	*root = doc;
	return UPM_OK;
}

/* The path names the JSON field so a report points at the culprit; a
 * wrong integer is quoted too (a count or an AS number out of range). */
upm_status
upm_json_shapef(upm_error *err, const json_t *got, const char *want,
    const char *fmt, ...)
{
	char path[160];
	va_list ap;

	va_start(ap, fmt);
	/* A cut path still names the field's start; good enough for a message. */
	(void)vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (json_is_integer(got))
		return upm_fail(err, UPM_ERR_SHAPE,
		    "%s: expected %s, got integer %lld", path, want,
		    (long long)json_integer_value(got));
	return upm_json_shape(err, got, want, path);
}

/*
 * ripestat.c - what every RIPEstat data call shares: the URL, the one
 * envelope check (status, data_call_status, messages, "data"), and the
 * bgp-state timestamp= parameter for a past instant.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "upm_private.h"

/* ------------------------------------------------------------ envelope */


/* Every well-formed [level, text] pair, "; " between them, the level
 * first when it is not "info" ("warning: Latest available results are 29
 * hours old."); malformed ones are skipped, since messages are advisory
 * and must never fail a parse.  Cut at the buffer's end. */
static void
all_messages(const json_t *root, upm_meta *meta)
{
	const json_t *msgs = json_object_get(root, "messages");
	const json_t *m, *level, *text;
	char one[sizeof(meta->messages)];
	size_t i, used = 0;
	int n;

	meta->messages[0] = '\0';
	json_array_foreach(msgs, i, m) {
		text = json_array_get(m, 1);
		level = json_array_get(m, 0);
		if (!json_is_string(text) || json_string_value(text)[0] == '\0')
			continue;
		/* "warning: ...": the level said when it is not plain
		 * information or the error that the status names anyway. */
		if (json_is_string(level) &&
		    strcmp(json_string_value(level), "info") != 0 &&
		    strcmp(json_string_value(level), "error") != 0 &&
		    json_string_value(level)[0] != '\0') {
			n = snprintf(one, sizeof(one), "%.20s: %s",
			    json_string_value(level), json_string_value(text));
			if (n < 0)
				continue;
		} else
			upm_copy_text(one, sizeof(one), json_string_value(text));
		upm_copy_text(one, sizeof(one), one);
		n = snprintf(meta->messages + used, sizeof(meta->messages) - used,
		    "%s%s", used ? "; " : "", one);
		if (n < 0 || (size_t)n >= sizeof(meta->messages) - used)
			return;  /* cut: what fits is kept */
		used += (size_t)n;
	}
}

static upm_status
check_status(const json_t *root, const upm_meta *meta, upm_error *err)
{
	const json_t *status = json_object_get(root, "status");
	char text[48];

	if (!json_is_string(status))
		return upm_json_shapef(err, status, "string", "status");
	if (strcmp(json_string_value(status), "ok") == 0)
		return UPM_OK;
	upm_copy_text(text, sizeof(text), json_string_value(status));
	if (meta->messages[0] != '\0')
		return upm_fail(err, UPM_ERR_STATUS, "RIPEstat status '%s': %.300s",
		    text, meta->messages);
	return upm_fail(err, UPM_ERR_STATUS, "RIPEstat status '%s'", text);
}

/* Only "supported..." data calls are trusted; "maintenance..." is the
 * announced form of the empty-data maintenance answer. */
static upm_status
check_call_status(const json_t *root, upm_error *err)
{
	const json_t *dcs = json_object_get(root, "data_call_status");
	char text[200];

	if (!json_is_string(dcs))
		return upm_json_shapef(err, dcs, "string", "data_call_status");
	upm_copy_text(text, sizeof(text), json_string_value(dcs));
	if (strncmp(text, "supported", 9) == 0)
		return UPM_OK;
	if (strncmp(text, "maintenance", 11) == 0)
		return upm_fail(err, UPM_ERR_MAINTENANCE,
		    "RIPEstat data call in maintenance: data_call_status '%s'", text);
	return upm_fail(err, UPM_ERR_STATUS,
	    "RIPEstat data call not supported: data_call_status '%s'", text);
}

static upm_status
check_data(const json_t *data, upm_error *err)
{
	if (data != NULL && !json_is_object(data))
		return upm_json_shapef(err, data, "object", "data");
	if (data == NULL || json_object_size(data) == 0)
		return upm_fail(err, UPM_ERR_MAINTENANCE,
		    "RIPEstat answered without data (maintenance?)");
	return UPM_OK;
}

/* The whole-buffer parsers, the push parser and the country list share
 * it. */
upm_status
upm_ripestat_envelope(json_t *doc, int flags, upm_meta *meta, json_t **data,
    upm_error *err)
{
	upm_status st;

	if (flags & UPM_PARSE_DATA_ONLY) {
		*data = doc;
		return check_data(doc, err);
	}
	all_messages(doc, meta);
	if ((st = check_status(doc, meta, err)) != UPM_OK ||
	    (st = check_call_status(doc, err)) != UPM_OK)
		return st;
	*data = json_object_get(doc, "data");
	return check_data(*data, err);
}

/* ------------------------------------------------------- RIPEstat URL */

/* Percent-encodes everything but RFC 3986's unreserved characters
 * (letters, digits, "-._~"): libcurl's curl_easy_escape. */
static upm_status
append_escaped(upm_buf *b, const char *s)
{
	char *enc = curl_easy_escape(NULL, s, 0);
	upm_status st;

	if (enc == NULL)
		return UPM_ERR_NOMEM;
	st = upm_buf_append(b, enc, strlen(enc));
	curl_free(enc);
	return st;
}

/* A data call name is a path segment: keep it to what RIPEstat uses. */
static int
valid_call(const char *call)
{
	const char *p;

	if (*call == '\0')
		return 0;
	for (p = call; *p != '\0'; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '_')
			return 0;
	return 1;
}

static int
has_prefix_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static upm_status
check_ripestat_args(const char *base, const char *call, const char *resource,
    upm_error *err)
{
	if (base == NULL || call == NULL || resource == NULL)
		return upm_fail(err, UPM_ERR_ARG, "RIPEstat URL: missing argument");
	if (!has_prefix_nocase(base, "http://") &&
	    !has_prefix_nocase(base, "https://") &&
	    !has_prefix_nocase(base, "file://"))
		return upm_fail(err, UPM_ERR_ARG,
		    "RIPEstat base URL '%.100s' is not http://, https:// or file://",
		    base);
	if (strpbrk(base, "?#") != NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "RIPEstat base URL '%.100s' must not have a query or fragment",
		    base);
	if (strpbrk(base, " \t\r\n") != NULL)
		return upm_fail(err, UPM_ERR_ARG,
		    "RIPEstat base URL '%.100s' contains white space", base);
	if (!valid_call(call))
		return upm_fail(err, UPM_ERR_ARG, "invalid data call name '%.60s'", call);
	if (*resource == '\0')
		return upm_fail(err, UPM_ERR_ARG, "empty RIPEstat resource");
	return UPM_OK;
}

static upm_status
build_ripestat_url(upm_buf *b, const char *base, const char *call,
    const char *resource, const char *sourceapp, const char *extra)
{
	size_t base_len = strlen(base);
	upm_status st;

	while (base_len > 0 && base[base_len - 1] == '/')
		base_len--;
	if ((st = upm_buf_printf(b, "%.*s/data/%s/data.json?resource=",
	    (int)base_len, base, call)) != UPM_OK)
		return st;
	if ((st = append_escaped(b, resource)) != UPM_OK)
		return st;
	if (sourceapp != NULL && *sourceapp != '\0') {
		if ((st = upm_buf_append(b, "&sourceapp=", 11)) != UPM_OK)
			return st;
		if ((st = append_escaped(b, sourceapp)) != UPM_OK)
			return st;
	}
	if (extra != NULL && *extra != '\0')
		st = upm_buf_printf(b, "&%s", extra);
	return st;
}

upm_status
upm_ripestat_url(const char *base, const char *call, const char *resource,
    const char *sourceapp, const char *extra, char **out, upm_error *err)
{
	upm_buf b;
	upm_status st;

	if (out == NULL)
		return upm_fail(err, UPM_ERR_ARG, "RIPEstat URL: missing output");
	*out = NULL;
	if ((st = check_ripestat_args(base, call, resource, err)) != UPM_OK)
		return st;
	if (strlen(base) > INT_MAX / 2)
		return upm_fail(err, UPM_ERR_ARG, "RIPEstat base URL too long");
	upm_buf_init(&b);
	if (build_ripestat_url(&b, base, call, resource, sourceapp, extra) != UPM_OK) {
		upm_buf_free(&b);
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	}
	*out = upm_buf_steal(&b);
	return UPM_OK;
}

/* -------------------------------------------------------- a past time */

upm_status
upm_ripestat_timestamp(const char *at, char *buf, size_t len, upm_error *err)
{
	int64_t t;
	char iso[32];
	int n;

	buf[0] = '\0';
	if (at == NULL)
		return UPM_OK;
	if (upm_time_parse(at, &t, err) != UPM_OK)
		return UPM_ERR_ARG;
	if (upm_time_format(t, iso, sizeof(iso)) != UPM_OK)
		return upm_fail(err, UPM_ERR_ARG, "time '%.40s' out of range", at);
	n = snprintf(buf, len, "timestamp=%s", iso);
	if (n < 0 || (size_t)n >= len)
		return upm_fail(err, UPM_ERR_ARG, "time '%.40s' too long", at);
	return UPM_OK;
}

/*
 * lg.c - what the public looking glasses' sources share: the request URL,
 * their time stamps, their error answers, and the parser that takes one
 * answer in (capped) and reads it whole at the end.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "source.h"

upm_status
upm_lg_url(const char *base, const char *path, const char *prefix, char **out,
    upm_error *err)
{
	size_t blen = strlen(base);
	upm_status st;
	upm_buf b;
	char *enc;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	upm_buf_init(&b);
	if (upm_buf_append(&b, base, blen) != UPM_OK ||
	    upm_buf_printf(&b, "%s?q=", path) != UPM_OK)
		goto nomem;
	/* libcurl escapes all but letters, digits and "-._~": the slash and
	 * the colons of a prefix become %2F and %3A. */
	if ((enc = curl_easy_escape(NULL, prefix, 0)) == NULL)
		goto nomem;
	st = upm_buf_append(&b, enc, strlen(enc));
	curl_free(enc);
	if (st != UPM_OK)
		goto nomem;
	*out = upm_buf_steal(&b);
	return UPM_OK;
nomem:
	upm_buf_free(&b);
	return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
}

/* "2023-01-01 12:00:00 UTC" or "2023-01-01T12:00:00.123Z" or with an
 * offset "+02:00": the UTC time as "2023-01-01T10:00:00"; "" when it is
 * none of these. */
void
upm_lg_time(const char *s, char *out, size_t len)
{
	char iso[20];
	int64_t t;
	const char *rest;

	out[0] = '\0';
	if (strlen(s) < 19)
		return;
	memcpy(iso, s, 19);
	iso[19] = '\0';
	if (iso[10] == ' ')
		iso[10] = 'T';
	if (upm_time_parse(iso, &t, NULL) != UPM_OK)
		return;
	rest = s + 19;
	if (*rest == '.')
		for (rest++; isdigit((unsigned char)*rest); rest++)
			;
	if ((rest[0] == '+' || rest[0] == '-') &&
	    isdigit((unsigned char)rest[1]) && isdigit((unsigned char)rest[2]) &&
	    rest[3] == ':' && isdigit((unsigned char)rest[4]) &&
	    isdigit((unsigned char)rest[5])) {
		int64_t off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
		    ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
		t += rest[0] == '+' ? -off : off;
	} else if (!(rest[0] == '\0' || strcmp(rest, "Z") == 0 ||
	    strcmp(rest, " UTC") == 0))
		return;
	(void)upm_time_format(t, out, len);
}

upm_status
upm_lg_emit(const upm_aspath *p, const char *prefix, const char *session,
    upm_obs_sink sink, void *ctx, upm_meta *meta, upm_error *err)
{
	upm_observation obs;

	upm_aspath_observation(p, prefix, session, &obs);
	if (meta != NULL)
		meta->records++;
	if (sink(ctx, &obs) != 0)
		return upm_fail(err, UPM_ERR_ABORTED, "stopped by the caller");
	return UPM_OK;
}

/* A looking glass that says it failed; its text is the reason. */
upm_status
upm_lg_error(const json_t *root, const char *key, const char *who, upm_error *err)
{
	const json_t *e = json_object_get(root, key);
	char text[200];

	if (e == NULL || json_is_null(e))
		return UPM_OK;
	if (json_is_string(e))
		return upm_fail(err, UPM_ERR_STATUS, "%s error: %s", who,
		    upm_copy_text(text, sizeof(text), json_string_value(e)));
	return upm_fail(err, UPM_ERR_STATUS, "%s error", who);
}

/* ------------------------------------------------------------ streaming */

struct lg_stream {
	upm_lg_parse_fn parse;
	const char *who;
	upm_sink sink;
	upm_buf body;
};

void *
upm_lg_stream_new(upm_lg_parse_fn parse, const char *who,
    const upm_sink *sink, upm_error *err)
{
	struct lg_stream *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		(void)upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->parse = parse;
	s->who = who;
	s->sink = *sink;
	upm_buf_init(&s->body);
	return s;
}

upm_status
upm_lg_stream_feed(void *parser, const char *buf, size_t len, upm_error *err)
{
	struct lg_stream *s = parser;

	if (len > UPM_LG_MAX_BYTES - s->body.len)
		return upm_fail(err, UPM_ERR_TOOBIG, "%s answer larger than "
		    "%u bytes", s->who, UPM_LG_MAX_BYTES);
	if (upm_buf_append(&s->body, buf, len) != UPM_OK)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

static int
lg_observation(void *ctx, const upm_observation *obs)
{
	return upm_sink_observation(ctx, obs);
}

upm_status
upm_lg_stream_finish(void *parser, upm_meta *meta, upm_error *err)
{
	struct lg_stream *s = parser;

	if (meta != NULL)
		memset(meta, 0, sizeof(*meta));
	return s->parse(s->body.data, s->body.len, lg_observation, &s->sink,
	    meta, err);
}

void
upm_lg_stream_free(void *parser)
{
	struct lg_stream *s = parser;

	if (s == NULL)
		return;
	upm_buf_free(&s->body);
	free(s);
}

/*
 * country.c - country targets: the country code, RIPEstat's
 * country-resource-list (the ASNs of a country), and the per-prefix
 * expectations "PREFIX=ASN,...".
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "upm_private.h"

upm_status
upm_country_check(const char *s, char out[3], upm_error *err)
{
	if (s == NULL || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1]) || s[2] != '\0' ||
	    (unsigned char)s[0] >= 0x80 || (unsigned char)s[1] >= 0x80)
		return upm_fail(err, UPM_ERR_ARG, "country '%.20s': expected "
		    "two letters (ISO 3166 code, e.g. KP)", s ? s : "");
	out[0] = (char)toupper((unsigned char)s[0]);
	out[1] = (char)toupper((unsigned char)s[1]);
	out[2] = '\0';
	return UPM_OK;
}

upm_status
upm_prefix_expect_parse(const char *s, char *prefix, size_t len,
    upm_asn_list *expected, upm_error *err)
{
	const char *eq = s ? strchr(s, '=') : NULL;
	size_t n;
	upm_asn_list l;
	upm_status st;

	if (eq == NULL || eq == s)
		return upm_fail(err, UPM_ERR_ARG, "'%.60s': expected "
		    "PREFIX=ASN[,ASN...]", s ? s : "");
	n = (size_t)(eq - s);
	if (n >= len)
		return upm_fail(err, UPM_ERR_ARG, "prefix in '%.60s' too long", s);
	memcpy(prefix, s, n);
	prefix[n] = '\0';
	if ((st = upm_prefix_check(prefix, err)) != UPM_OK)
		return st;
	upm_asn_list_init(&l);
	if ((st = upm_asn_list_parse(&l, eq + 1, err)) == UPM_OK && l.n == 0)
		st = upm_fail(err, UPM_ERR_ARG, "'%.60s': no AS after '='", s);
	if (st == UPM_OK && upm_asn_list_merge(expected, &l) != UPM_OK)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	upm_asn_list_free(&l);
	return st;
}

/* ------------------------------------------------- country-resource-list */

/* One entry of resources.asn: "131279", "AS131279" or 131279. */
static upm_status
country_asn(const json_t *v, size_t i, upm_asn_list *out, upm_error *err)
{
	char where[48], text[24];
	uint32_t asn;

	(void)snprintf(where, sizeof(where), "data.resources.asn[%zu]", i);
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		if (n <= 0 || n > (json_int_t)UINT32_MAX)
			return upm_fail(err, UPM_ERR_SHAPE, "%s: AS number %lld "
			    "out of range", where, (long long)n);
		asn = (uint32_t)n;
	} else if (json_is_string(v)) {
		if (upm_asn_parse(json_string_value(v), &asn, NULL) != UPM_OK)
			return upm_fail(err, UPM_ERR_SHAPE, "%s: '%s' is not an "
			    "AS number", where, upm_copy_text(text, sizeof(text),
			    json_string_value(v)));
	} else
		return upm_json_shape(err, v, "AS number", where);
	if (upm_asn_list_add(out, asn) != UPM_OK)
		return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

static upm_status
country_data(const json_t *data, upm_asn_list *out, upm_meta *meta,
    upm_error *err)
{
	const json_t *res, *asns, *v;
	upm_status st;
	size_t i;

	if (meta != NULL && json_is_string(v = json_object_get(data, "query_time")))
		upm_copy_text(meta->data_time, sizeof(meta->data_time),
		    json_string_value(v));
	if (meta != NULL && json_is_string(v = json_object_get(data, "resource")))
		upm_copy_text(meta->resource, sizeof(meta->resource),
		    json_string_value(v));
	res = json_object_get(data, "resources");
	if (!json_is_object(res))
		return upm_json_shape(err, res, "object", "data.resources");
	asns = json_object_get(res, "asn");
	if (!json_is_array(asns))
		return upm_json_shape(err, asns, "array", "data.resources.asn");
	json_array_foreach(asns, i, v) {
		if ((st = country_asn(v, i, out, err)) != UPM_OK)
			return st;
		if (meta != NULL)
			meta->records++;
	}
	return UPM_OK;
}

upm_status
upm_parse_country_asns(const char *buf, size_t len, int flags,
    upm_asn_list *out, upm_meta *meta, upm_error *err)
{
	json_t *root, *data = NULL;
	upm_asn_list got;
	upm_meta scratch;
	upm_status st;

	memset(&scratch, 0, sizeof(scratch));
	if (meta == NULL)
		meta = &scratch;
	if ((st = upm_json_open(buf, len, &root, err)) != UPM_OK)
		return st;
	/* The one envelope check: its messages are kept like every call's. */
	st = upm_ripestat_envelope(root, flags, meta, &data, err);
	/* All or nothing: out is only touched when the whole list is good. */
	upm_asn_list_init(&got);
	if (st == UPM_OK)
		st = country_data(data, &got, meta, err);
	if (st == UPM_OK && upm_asn_list_merge(out, &got) != UPM_OK)
		st = upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	upm_asn_list_free(&got);
	json_decref(root);
	return st;
}

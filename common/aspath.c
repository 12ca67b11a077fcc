/*
 * aspath.c - the one AS-path builder: every parser (RIPEstat's arrays and
 * texts, the looking glasses' hop lists) builds its paths here, under one
 * cap (UPM_PATH_MAX_HOPS), with one rule for junk: the path is unusable,
 * never guessed at.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "upm_private.h"

int
upm_aspath_grow(upm_aspath *p)
{
	/* Doubling from 32 lands exactly on the cap: the inline push needs
	 * to look at the cap only when the buffer is full. */
	size_t cap = p->cap ? p->cap * 2 : 32;
	uint32_t *v;

	if (cap > UPM_PATH_MAX_HOPS)
		cap = UPM_PATH_MAX_HOPS;
	if ((v = realloc(p->v, cap * sizeof(*v))) == NULL)
		return -1;
	p->v = v;
	p->cap = cap;
	return 0;
}

void
upm_aspath_free(upm_aspath *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* One AS number of a textual path: plain decimal digits, 1..4294967295. */
static int
asn_token(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

upm_status
upm_aspath_set(upm_aspath *p, const uint32_t *members, size_t n)
{
	size_t i, before = p->n;
	int ok = !p->unusable && p->set_len == 0 && n > 0;

	p->unusable = 1;
	for (i = 0; ok && i < n; i++) {
		if (upm_aspath_push(p, members[i]) != UPM_OK)
			return UPM_ERR_NOMEM;
		ok = p->n == before + i + 1;
	}
	p->set_ok = ok;
	p->set_len = ok ? n : 0;
	return UPM_OK;
}

/* "{1,2}" or "{1}": its members into v (room for max); 0 for junk. */
static size_t
set_token(const char *s, size_t n, uint32_t *v, size_t max)
{
	size_t k = 0, i = 1, len;

	if (n < 3 || s[0] != '{' || s[n - 1] != '}')
		return 0;
	while (i < n - 1) {
		len = strcspn(s + i, ",}");
		if (k == max || !asn_token(s + i, len, &v[k]))
			return 0;
		k++;
		i += len + 1;
	}
	return k;
}

upm_status
upm_aspath_text(upm_aspath *p, const char *s)
{
	uint32_t asn, members[16];
	size_t n, k;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return UPM_OK;
		n = strcspn(s, " \t");
		if (*s == '{') {
			k = set_token(s, n, members, 16);
			if (k == 0) {
				p->unusable = 1;
				p->set_ok = 0;
				return UPM_OK;
			}
			if (upm_aspath_set(p, members, k) != UPM_OK)
				return UPM_ERR_NOMEM;
			s += n;
			continue;
		}
		if (p->set_len > 0 || !asn_token(s, n, &asn)) {
			/* junk, or a hop after an AS_SET */
			p->unusable = 1;
			p->set_ok = 0;
			/* A hop after an AS_SET is well formed; a junk token is
			 * garbled. */
			p->malformed = !asn_token(s, n, &asn);
			return UPM_OK;
		}
		if (upm_aspath_push(p, asn) != UPM_OK)
			return UPM_ERR_NOMEM;
		s += n;
	}
}

upm_status
upm_aspath_json_hop(upm_aspath *p, const json_t *tok)
{
	uint32_t asn;

	if (json_is_integer(tok)) {
		json_int_t v = json_integer_value(tok);
		if (v <= 0 || v > (json_int_t)UINT32_MAX) {
			p->unusable = 1;
			p->malformed = v != 0;
			return UPM_OK;
		}
		return upm_aspath_push(p, (uint32_t)v);
	}
	if (!json_is_string(tok)) {
		p->unusable = 1;
		/* An array or object is a set; a number of another kind,
		 * true, null... is garbled. */
		p->malformed = !json_is_array(tok) && !json_is_object(tok);
		return UPM_OK;
	}
	if (json_string_value(tok)[0] == '\0')
		return UPM_OK;
	if (upm_asn_parse(json_string_value(tok), &asn, NULL) != UPM_OK) {
		p->unusable = 1;
		p->malformed = json_string_value(tok)[0] != '{';
		return UPM_OK;
	}
	return upm_aspath_push(p, asn);
}

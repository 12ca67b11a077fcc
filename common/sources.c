/*
 * sources.c - the one table of sources: the only place that names them
 * all.  upm_source is an index into it.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

static const upm_source_desc *const table[UPM_MAX_SOURCES] = {
	[UPM_SRC_BGP_STATE] = &upm_source_ripestat_bgp_state,
	[UPM_SRC_LOOKING_GLASS] = &upm_source_ripestat_looking_glass,
	[UPM_SRC_ASN_NEIGHBOURS] = &upm_source_ripestat_asn_neighbours,
	[UPM_SRC_NLNOG_LG] = &upm_source_nlnog_lg,
	[UPM_SRC_ALICE_LG] = &upm_source_alice_lg,
	[UPM_SRC_BGPLAY] = &upm_source_ripestat_bgplay,
	[UPM_SRC_BGP_UPDATES] = &upm_source_ripestat_bgp_updates,
	[UPM_SRC_RIS_LIVE] = &upm_source_ris_live,
};

const upm_source_desc *
upm_source_desc_get(upm_source s)
{
	return (size_t)s < UPM_MAX_SOURCES ? table[s] : NULL;
}

int
upm_source_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < UPM_MAX_SOURCES; i++)
		if (strcmp(s, table[i]->name) == 0)
			return (int)i;
	return -1;
}

const char *
upm_source_name(upm_source s)
{
	return (size_t)s < UPM_MAX_SOURCES ? table[s]->name : "unknown";
}

/* Names the sources there are, from the table. */
static upm_status
unknown_source(const char *name, upm_error *err)
{
	char known[UPM_ERROR_TEXT / 2];
	size_t used = 0;
	int n;

	known[0] = '\0';
	for (size_t i = 0; i < UPM_MAX_SOURCES; i++) {
		n = snprintf(known + used, sizeof(known) - used, "%s%s",
		    i ? ", " : "", table[i]->name);
		if (n < 0 || (size_t)n >= sizeof(known) - used)
			break;  /* a cut list still helps */
		used += (size_t)n;
	}
	return upm_fail(err, UPM_ERR_ARG, "unknown source '%.40s' (%s)", name,
	    known);
}

upm_status
upm_sources_parse(const char *list, upm_source *out, size_t max, size_t *n,
    upm_error *err)
{
	char *copy, *tok, *save = NULL;
	upm_status st = UPM_OK;
	int src;

	*n = 0;
	if (list == NULL || (copy = strdup(list)) == NULL)
		return upm_fail(err, list ? UPM_ERR_NOMEM : UPM_ERR_ARG,
		    "no source list");
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && st == UPM_OK;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((src = upm_source_parse(tok)) < 0)
			st = unknown_source(tok, err);
		for (size_t i = 0; st == UPM_OK && i < *n; i++)
			if (out[i] == (upm_source)src)
				st = upm_fail(err, UPM_ERR_ARG,
				    "source '%.40s' given twice", tok);
		if (st == UPM_OK && *n == max)
			st = upm_fail(err, UPM_ERR_ARG, "too many sources");
		if (st == UPM_OK)
			out[(*n)++] = (upm_source)src;
	}
	free(copy);
	if (st == UPM_OK && *n == 0)
		st = upm_fail(err, UPM_ERR_ARG, "no source given");
	return st;
}

int64_t
upm_source_max_age(upm_source s)
{
	return (size_t)s < UPM_MAX_SOURCES ? (int64_t)table[s]->max_age_s : -1;
}

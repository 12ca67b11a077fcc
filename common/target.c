/*
 * target.c - the rules between a target's settings, once for every front
 * end: what is watched, its baseline settings and its sources.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>

#include "upstreams.h"
#include "source.h"

/* The query's sources: the list when several, else the one. */
static size_t
sources_of(const upm_query_opts *q, upm_source *out)
{
	size_t n = q->n_sources ? q->n_sources : 1;

	if (n > UPM_MAX_SOURCES)
		n = UPM_MAX_SOURCES;
	for (size_t i = 0; i < n; i++)
		out[i] = q->n_sources ? q->sources[i] : q->source;
	return n;
}

/* 1 when one of the query's sources has every flag of want (UPM_NEEDS_*,
 * UPM_TAKES_*, UPM_GIVES_*): the rules ask what a source does, never
 * which source it is. */
static int
has_source_with(const upm_query_opts *q, unsigned want)
{
	upm_source v[UPM_MAX_SOURCES];
	size_t n = sources_of(q, v);

	for (size_t i = 0; i < n; i++) {
		const upm_source_desc *d = upm_source_desc_get(v[i]);
		if (d != NULL && (d->needs & want) == want)
			return 1;
	}
	return 0;
}

/* The first of the query's sources whose own readiness test fails (its
 * text in err), or NULL. */
static const upm_source_desc *
source_not_ready(const upm_query_opts *q, upm_error *err)
{
	upm_source v[UPM_MAX_SOURCES];
	size_t n = sources_of(q, v);

	for (size_t i = 0; i < n; i++) {
		const upm_source_desc *d = upm_source_desc_get(v[i]);
		if (d != NULL && d->ready != NULL && d->ready(q, err) != UPM_OK)
			return d;
	}
	return NULL;
}

int
upm_query_has_prefix_source(const upm_query_opts *q)
{
	return has_source_with(q, UPM_NEEDS_PREFIXES);
}

/* The rule that fails first among those in mask, with its text in err;
 * 0 when none does. */
static upm_target_rule
first_broken(const upm_query_opts *q, const upm_baseline_opts *b,
    unsigned mask, upm_error *err)
{
	const upm_asn_list *expect = b != NULL ? b->expect : NULL;
	const char *state = b != NULL ? b->state_file : NULL;
	int64_t t;

#define BROKEN(rule, cond, ...) \
	do { \
		if ((mask & (rule)) && (cond)) { \
			(void)upm_fail(err, UPM_ERR_ARG, __VA_ARGS__); \
			return (rule); \
		} \
	} while (0)
	BROKEN(UPM_RULE_TARGET_MISSING, q->asn == 0 && q->country == NULL,
	    "-a/--asn or --country is required");
	BROKEN(UPM_RULE_TARGET_BOTH, q->asn != 0 && q->country != NULL,
	    "use either -a/--asn or --country, not both");
	BROKEN(UPM_RULE_EXPECT_AND_STATE, expect != NULL && state != NULL,
	    "use either --expect or --state-file, not both");
	BROKEN(UPM_RULE_ACCEPT_NO_STATE, b != NULL && b->accept && state == NULL,
	    "--accept needs --state-file or --state-dir");
	BROKEN(UPM_RULE_EXPECT_EMPTY, expect != NULL && expect->n == 0,
	    "--expect needs an AS");
	BROKEN(UPM_RULE_EXPECT_TARGET, expect != NULL && q->asn != 0 &&
	    upm_asn_list_has(expect, q->asn),
	    "--expect lists the target AS%lu itself: an AS is not its own "
	    "upstream", (unsigned long)q->asn);
	BROKEN(UPM_RULE_PREFIX_SOURCE, q->n_prefixes > 0 &&
	    !upm_query_has_prefix_source(q), "--prefix goes with -s "
	    "ripestat-looking-glass, nlnog-lg, alice-lg or (history) "
	    "ripestat-bgplay");
	BROKEN(UPM_RULE_AT_SOURCE, q->at != NULL && (q->n_sources > 0 ||
	    !has_source_with(q, UPM_TAKES_TIME)),
	    "--at goes with -s ripestat-bgp-state");
	/* The time's own error text says what is wrong with it. */
	if ((mask & UPM_RULE_AT_TIME) && q->at != NULL &&
	    upm_time_parse(q->at, &t, err) != UPM_OK) {
		if (err != NULL)
			err->code = UPM_ERR_ARG;
		return UPM_RULE_AT_TIME;
	}
	if ((mask & UPM_RULE_SOURCE_READY) && source_not_ready(q, err) != NULL)
		return UPM_RULE_SOURCE_READY;
	BROKEN(UPM_RULE_NEIGHBOURS_ALONE, has_source_with(q, UPM_GIVES_NEIGHBOURS) &&
	    (q->n_sources > 1 || q->country != NULL || q->n_extra_asns > 0 ||
	    q->n_extra_prefixes > 0 || q->n_track_prefixes > 0),
	    "ripestat-asn-neighbours gives no paths: it does not go with a "
	    "country, extra ASNs or prefixes, --expect-prefix or other sources");
#undef BROKEN
	return (upm_target_rule)0;
}

upm_status
upm_target_check(const upm_query_opts *q, const upm_baseline_opts *b,
    unsigned mask, upm_target_rule *broken, upm_error *err)
{
	upm_target_rule r = first_broken(q, b, mask, err);

	if (broken != NULL)
		*broken = r;
	return r == 0 ? UPM_OK : UPM_ERR_ARG;
}

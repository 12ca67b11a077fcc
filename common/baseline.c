/*
 * baseline.c - the baseline policy both front ends follow (expected set,
 * state file, learned on first sight, accepted), the comparison with it,
 * and the one formatter of change texts.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "upstreams.h"

static upm_status
copy_set(const upm_asn_list *from, upm_asn_list *to, upm_error *err)
{
	upm_asn_list_free(to);
	for (size_t i = 0; i < from->n; i++)
		if (upm_asn_list_add(to, from->v[i]) != UPM_OK)
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
	return UPM_OK;
}

/*
 * A baseline learned before neighbours had roles may list neighbours that
 * are lateral now: they leave the baseline (r->migrated names them, for a
 * WARNING), never a "disappeared".  The file is written back in the new
 * format, so this happens once.
 */
static upm_status
migrate(const upm_baseline_opts *o, upm_result *r, upm_asn_list *out,
    upm_baseline_origin *origin, upm_error *err)
{
	upm_asn_list kept;
	size_t i, k;

	upm_asn_list_init(&kept);
	upm_asn_list_free(&r->migrated);
	for (i = 0; i < out->n; i++) {
		int lateral = 0;
		for (k = 0; k < r->n_laterals && !lateral; k++)
			lateral = r->laterals[k].asn == out->v[i];
		if (upm_asn_list_add(lateral ? &r->migrated : &kept,
		    out->v[i]) != UPM_OK) {
			upm_asn_list_free(&kept);
			return upm_fail(err, UPM_ERR_NOMEM, "out of memory");
		}
	}
	upm_asn_list_free(out);
	*out = kept;
	*origin = UPM_BASELINE_MIGRATED;
	return upm_state_write(o->state_file, out, r->target, err);
}

/* The state file's baseline, or a new one written into it: read on every
 * call, so that replacing or deleting the file takes effect at once. */
static upm_status
from_state_file(const upm_baseline_opts *o, upm_result *r,
    upm_asn_list *out, upm_baseline_origin *origin, upm_error *err)
{
	char target[64];
	int missing = 0, version = 0;
	upm_status st;

	if (!o->accept) {
		st = upm_state_read_version(o->state_file, out, target,
		    sizeof(target), &version, &missing, err);
		if (st == UPM_OK && strcmp(target, r->target) != 0)
			return upm_fail(err, UPM_ERR_STATE, "state file %s holds "
			    "the baseline of %s, not %s", o->state_file, target,
			    r->target);
		if (st == UPM_OK && version < 2)
			return migrate(o, r, out, origin, err);
		if (st == UPM_OK) {
			*origin = UPM_BASELINE_STORED;
			return UPM_OK;
		}
		if (!missing)
			return st;
	}
	/* No route at all is nothing to learn a baseline from: none is
	 * written, and the outage is judged without one (routing-status'
	 * last_seen may still say the target had upstreams). */
	if (r->outage && o->accept)
		return upm_fail(err, UPM_ERR_NODATA, "no route to %s: no "
		    "baseline to accept from it", r->target);
	if (r->outage && o->expect == NULL)
		return UPM_OK;
	if (o->expect != NULL && !o->accept) {
		st = copy_set(o->expect, out, err);
		*origin = UPM_BASELINE_SEEDED;
	} else {
		upm_asn_list_free(out);
		st = upm_result_present(r, out, err);
		*origin = o->accept ? UPM_BASELINE_ACCEPTED :
		    UPM_BASELINE_LEARNED;
	}
	if (st != UPM_OK)
		return st;
	return upm_state_write(o->state_file, out, r->target, err);
}

static upm_status
resolve(const upm_baseline_opts *o, upm_result *r, upm_asn_list *out,
    upm_baseline_origin *origin, upm_error *err)
{
	upm_status st;

	*origin = UPM_BASELINE_NONE;
	if (o->state_file != NULL)
		return from_state_file(o, r, out, origin, err);
	if (o->expect != NULL) {
		*origin = UPM_BASELINE_EXPECTED;
		return copy_set(o->expect, out, err);
	}
	if (o->memory == NULL)
		return UPM_OK;
	if (!o->memory->learned && r->outage)
		return UPM_OK;          /* nothing to learn from */
	*origin = UPM_BASELINE_REMEMBERED;
	if (!o->memory->learned) {
		if ((st = upm_result_present(r, &o->memory->set, err)) != UPM_OK)
			return st;
		o->memory->learned = 1;
		*origin = UPM_BASELINE_LEARNED_MEMORY;
	}
	return copy_set(&o->memory->set, out, err);
}

upm_status
upm_baseline_apply(const upm_baseline_opts *o, upm_result *r,
    upm_asn_list *baseline, upm_baseline_origin *origin, upm_error *err)
{
	upm_baseline_origin how;
	upm_status st;

	if ((st = resolve(o, r, baseline, &how, err)) != UPM_OK)
		return st;
	if (origin != NULL)
		*origin = how;
	st = upm_diff(r, how == UPM_BASELINE_NONE ? NULL : baseline, err);
	for (size_t i = 0; st == UPM_OK && i < o->n_prefixes; i++)
		st = upm_diff_prefix(r, o->prefixes[i].prefix,
		    &o->prefixes[i].asns, err);
	return st;
}

/* ---------------------------------------------------------- change text */

/* The largest share r gives asn; 0 when it has none. */
static double
share_of(const upm_result *r, uint32_t asn)
{
	double share = 0.0;

	for (size_t j = 0; r != NULL && j < r->n_upstreams; j++)
		if (r->upstreams[j].asn == asn && r->upstreams[j].share > share)
			share = r->upstreams[j].share;
	return share;
}

upm_status
upm_text_asns(upm_buf *out, const upm_asn_list *l, const char *verb,
    const upm_result *shares, int *first)
{
	int own = 1;
	upm_status st = UPM_OK;

	if (first == NULL)
		first = &own;
	for (size_t i = 0; st == UPM_OK && i < l->n; i++) {
		double share = share_of(shares, l->v[i]);

		st = upm_buf_printf(out, "%sAS%lu%s%s", *first ? "" : ", ",
		    (unsigned long)l->v[i], verb != NULL ? " " : "",
		    verb != NULL ? verb : "");
		if (st == UPM_OK && share > 0.0)
			st = upm_buf_printf(out, " (%.1f%%)", share);
		*first = 0;
	}
	return st;
}

upm_status
upm_text_changes(upm_buf *out, const upm_asn_list *appeared,
    const upm_asn_list *disappeared, const upm_result *shares)
{
	int first = 1;
	upm_status st;

	if ((st = upm_text_asns(out, appeared, "appeared", shares, &first)))
		return st;
	return upm_text_asns(out, disappeared, "disappeared", shares, &first);
}

upm_status
upm_text_baseline(upm_buf *out, const upm_asn_list *l)
{
	if (l->n == 0)
		return upm_buf_printf(out, "no upstream");
	return upm_text_asns(out, l, NULL, NULL, NULL);
}

upm_status
upm_text_baseline_note(upm_buf *out, upm_baseline_origin origin,
    const upm_asn_list *baseline)
{
	upm_status st;

	if (origin == UPM_BASELINE_MIGRATED) {
		if ((st = upm_buf_printf(out, "state file migrated, baseline: ")) ||
		    (st = upm_text_baseline(out, baseline)))
			return st;
		return upm_buf_printf(out, "; ");
	}
	if (origin != UPM_BASELINE_LEARNED && origin != UPM_BASELINE_ACCEPTED)
		return UPM_OK;
	if ((st = upm_buf_printf(out, "%s baseline: ",
	    origin == UPM_BASELINE_ACCEPTED ? "accepted new" : "learned")) ||
	    (st = upm_text_baseline(out, baseline)))
		return st;
	return upm_buf_printf(out, "; ");
}

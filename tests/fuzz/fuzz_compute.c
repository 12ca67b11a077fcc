/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_compute.c - libFuzzer target for the whole pure pipeline:
 * parse -> compute -> result -> diff -> present set -> render.
 *
 * The input is read as a bgp-state, a looking-glass and an asn-neighbours
 * response (each whole and as a bare "data" object).  For path sources the
 * origin set is the origin (last AS) of the first usable path, found by a
 * first parse; for asn-neighbours it is the response's resource.  Every
 * result that comes out is compared with a baseline built from the input
 * and rendered in all four forms; every failure is rendered as UNKNOWN with
 * its error text.  The outcomes are checked against what upstreams.h
 * promises. */
#include <jansson.h>
#include <math.h>

#include "fuzz.h"

/* A documentation AS (RFC 5398): in a baseline, never in the fixtures. */
#define DOC_ASN 64496u

/* ------------------------------------------------------- choosing origins */

static int
first_origin_sink(void *ctx, const upm_observation *obs)
{
	uint32_t *origin = ctx;

	if (obs->unusable || obs->path_len == 0)
		return 0;
	*origin = obs->path[obs->path_len - 1];
	return 1;
}

static int
ignore_neighbour(void *ctx, const upm_neighbour *n)
{
	(void)ctx;
	(void)n;
	return 0;
}

/* ----------------------------------------------------- checking a result */

static void
check_sorted(const upm_result *r)
{
	size_t i;

	for (i = 1; i < r->n_upstreams; i++) {
		const upm_upstream *a = &r->upstreams[i - 1];
		const upm_upstream *b = &r->upstreams[i];
		FUZZ_REQUIRE(a->share > b->share ||
		    (a->share == b->share && a->asn < b->asn));
	}
}

static void
check_result(const upm_result *r, const upm_params *p)
{
	size_t i, present = 0;

	FUZZ_REQUIRE(fuzz_terminated(r->warnings, sizeof(r->warnings)));
	FUZZ_REQUIRE(r->with_upstream <= r->observations);
	FUZZ_REQUIRE(r->n_upstreams == 0 || r->upstreams != NULL);
	check_sorted(r);
	for (i = 0; i < r->n_upstreams; i++) {
		const upm_upstream *u = &r->upstreams[i];
		FUZZ_REQUIRE(isfinite(u->share));
		FUZZ_REQUIRE(u->share >= 0.0 && u->share <= 100.0 + 1e-9);
		/* Presence counts vantage ASes (asn-neighbours summaries
		 * name none: their sessions are 0 and min-peers is not
		 * applied); only upstreams are listed here, lateral
		 * neighbours apart. */
		FUZZ_REQUIRE(u->role == UPM_ROLE_UPSTREAM);
		FUZZ_REQUIRE(!u->present || (!u->uncertain &&
		    u->share >= p->min_share));
		FUZZ_REQUIRE(u->present || u->uncertain ||
		    u->share < p->min_share || u->vantage_ases < p->min_peers);
		FUZZ_REQUIRE(u->status == UPM_ST_UNBASELINED);
		present += u->present != 0;
	}
	FUZZ_REQUIRE(present == r->n_present);
}

/* After upm_diff against baseline: appeared = present - baseline,
 * disappeared = baseline - present, each baseline AS has an entry. */
static void
check_diff(const upm_result *r, const upm_asn_list *present,
    const upm_asn_list *baseline)
{
	size_t i;

	check_sorted(r);
	FUZZ_REQUIRE(r->baselined);
	for (i = 0; i < present->n; i++)
		FUZZ_REQUIRE(upm_asn_list_has(&r->appeared, present->v[i]) ==
		    !upm_asn_list_has(baseline, present->v[i]));
	for (i = 0; i < r->appeared.n; i++)
		FUZZ_REQUIRE(upm_asn_list_has(present, r->appeared.v[i]));
	for (i = 0; i < baseline->n; i++)
		FUZZ_REQUIRE(upm_asn_list_has(&r->disappeared, baseline->v[i]) ==
		    !upm_asn_list_has(present, baseline->v[i]));
	for (i = 0; i < r->disappeared.n; i++)
		FUZZ_REQUIRE(upm_asn_list_has(baseline, r->disappeared.v[i]));
	for (i = 0; i < r->n_upstreams; i++) {
		const upm_upstream *u = &r->upstreams[i];
		if (u->present)
			FUZZ_REQUIRE(u->status == (upm_asn_list_has(baseline, u->asn) ?
			    UPM_ST_EXPECTED : UPM_ST_NEW));
		if (upm_asn_list_has(&r->disappeared, u->asn))
			FUZZ_REQUIRE(u->status == UPM_ST_MISSING);
	}
}

/* ------------------------------------------------------------- rendering */

static void
check_text(const upm_buf *b)
{
	FUZZ_REQUIRE(b->data != NULL);
	FUZZ_REQUIRE(strlen(b->data) == b->len);
}

/* Nagios output: "UPSTREAMS <STATE> - <summary>[ | <perfdata>]\n...": the
 * summary may carry text from the input, yet the first line holds at most
 * the one '|' that starts the perfdata. */
static void
check_nagios(const upm_buf *b, const char *state)
{
	const char *line_end, *bar;
	size_t head = strlen("UPSTREAMS ");

	check_text(b);
	FUZZ_REQUIRE(strncmp(b->data, "UPSTREAMS ", head) == 0);
	FUZZ_REQUIRE(strncmp(b->data + head, state, strlen(state)) == 0);
	FUZZ_REQUIRE(b->len > 0 && b->data[b->len - 1] == '\n');
	line_end = strchr(b->data, '\n');
	bar = memchr(b->data, '|', (size_t)(line_end - b->data));
	if (bar != NULL)
		FUZZ_REQUIRE(memchr(bar + 1, '|', (size_t)(line_end - bar - 1)) ==
		    NULL);
}

/* Every format of one report, each checked for what it promises. */
static void
render_formats(const upm_report *rep, const char *state_name)
{
	upm_buf out;
	json_error_t jerr;
	json_t *doc;

	upm_buf_init(&out);
	FUZZ_REQUIRE(upm_render_nagios(rep, &out) == UPM_OK);
	check_nagios(&out, state_name);
	upm_buf_free(&out);
	FUZZ_REQUIRE(upm_render_text(rep, &out) == UPM_OK);
	check_text(&out);
	upm_buf_free(&out);
	FUZZ_REQUIRE(upm_render_json(rep, &out) == UPM_OK);
	check_text(&out);
	doc = json_loadb(out.data, out.len, 0, &jerr);
	FUZZ_REQUIRE(doc != NULL);
	json_decref(doc);
	upm_buf_free(&out);
}

static void
render_result(const upm_result *r, upm_state state)
{
	upm_range warn, crit;
	upm_report rep;
	upm_buf summary;

	FUZZ_REQUIRE(upm_range_parse("1:", &warn, NULL) == UPM_OK);
	FUZZ_REQUIRE(upm_range_parse("@~:0", &crit, NULL) == UPM_OK);
	upm_buf_init(&summary);
	FUZZ_REQUIRE(upm_render_summary(r, &summary) == UPM_OK);
	check_text(&summary);

	memset(&rep, 0, sizeof(rep));
	rep.state = state;
	rep.message = summary.data;
	rep.result = r;
	rep.warn = &warn;
	rep.crit = &crit;
	rep.target = r->target;
	rep.source = r->source;

	render_formats(&rep, upm_state_name(state));
	upm_buf_free(&summary);
}

/* A failed parse is reported as UNKNOWN with the error text as message:
 * that text may quote bytes of the input, and every output must still be
 * well formed. */
static void
render_failure(const upm_error *err)
{
	upm_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.state = UPM_STATE_UNKNOWN;
	rep.message = err->text;
	rep.target = "AS64496";
	rep.source = "fuzz";
	render_formats(&rep, "UNKNOWN");
}

/* ----------------------------------------------------------- the pipeline */

/* Result -> checks -> diff against a baseline made from the present set
 * (its first member dropped, a documentation AS added) -> render. */
static void
judge(upm_result *r, const upm_params *p, const upm_meta *meta)
{
	upm_asn_list present, baseline;
	upm_error err;
	size_t i, n;

	(void)snprintf(r->target, sizeof(r->target), "%s", meta->resource);
	(void)snprintf(r->source, sizeof(r->source), "fuzz");
	(void)snprintf(r->data_time, sizeof(r->data_time), "%s",
	    meta->data_time);
	check_result(r, p);

	upm_asn_list_init(&present);
	upm_asn_list_init(&baseline);
	memset(&err, 0, sizeof(err));
	FUZZ_REQUIRE(upm_result_present(r, &present, &err) == UPM_OK);
	FUZZ_REQUIRE(present.n == r->n_present);
	for (i = 1; i < present.n; i++)
		FUZZ_REQUIRE(upm_asn_list_add(&baseline, present.v[i]) ==
		    UPM_OK);
	FUZZ_REQUIRE(upm_asn_list_add(&baseline, DOC_ASN) == UPM_OK);

	FUZZ_REQUIRE(upm_diff(r, NULL, &err) == UPM_OK);
	FUZZ_REQUIRE(!r->baselined);
	render_result(r, UPM_STATE_OK);
	FUZZ_REQUIRE(upm_diff(r, &baseline, &err) == UPM_OK);
	check_diff(r, &present, &baseline);
	/* Again: the entries the first call added are not added twice. */
	n = r->n_upstreams;
	FUZZ_REQUIRE(upm_diff(r, &baseline, &err) == UPM_OK);
	FUZZ_REQUIRE(r->n_upstreams == n);
	check_diff(r, &present, &baseline);
	render_result(r, UPM_STATE_CRITICAL);

	upm_asn_list_free(&present);
	upm_asn_list_free(&baseline);
}

/* Parameters vary with the input so that presence is judged both ways. */
static void
pick_params(upm_params *p, size_t size)
{
	upm_params_init(p);
	if (size % 3 == 1) {
		p->min_peers = 1;
		p->min_share = 0.0;
	} else if (size % 3 == 2) {
		p->min_peers = 5;
		p->min_share = 30.0;
	}
}

static void
finish(upm_compute *c, const upm_meta *meta, size_t size)
{
	upm_result *r = NULL;
	upm_params p;
	upm_error err;
	upm_status st;

	pick_params(&p, size);
	memset(&err, 0, sizeof(err));
	st = upm_compute_result(c, &p, &r, &err);
	fuzz_check_status(st, &err);
	if (st == UPM_OK) {
		FUZZ_REQUIRE(r != NULL);
		judge(r, &p, meta);
	} else {
		render_failure(&err);
	}
	upm_result_free(r);
}

static void
run_paths(fuzz_obs_parser parse, const char *buf, size_t size, int flags)
{
	upm_asn_list origins;
	upm_compute *c;
	upm_meta meta;
	upm_error err;
	upm_status st;
	uint32_t origin = 0;

	(void)parse(buf, size, flags, first_origin_sink, &origin, NULL, NULL);
	if (origin == 0)
		origin = 1; /* nothing usable: the parse below says why */
	upm_asn_list_init(&origins);
	FUZZ_REQUIRE(upm_asn_list_add(&origins, origin) == UPM_OK);
	memset(&err, 0, sizeof(err));
	c = upm_compute_new(&origins, &err);
	FUZZ_REQUIRE(c != NULL);
	st = parse(buf, size, flags, upm_compute_add, c, &meta, &err);
	fuzz_check_status(st, &err);
	if (st == UPM_OK)
		finish(c, &meta, size);
	else
		render_failure(&err);
	upm_compute_free(c);
	upm_asn_list_free(&origins);
}

static void
run_neighbours(const char *buf, size_t size, int flags)
{
	upm_asn_list origins;
	upm_compute *c;
	upm_meta meta;
	upm_error err;
	upm_status st;
	uint32_t origin;

	/* The first parse only learns the resource, the target AS. */
	memset(&meta, 0, sizeof(meta));
	if (upm_parse_asn_neighbours(buf, size, flags, ignore_neighbour, NULL,
	    &meta, NULL) != UPM_OK ||
	    upm_asn_parse(meta.resource, &origin, NULL) != UPM_OK)
		origin = 1;
	upm_asn_list_init(&origins);
	FUZZ_REQUIRE(upm_asn_list_add(&origins, origin) == UPM_OK);
	memset(&err, 0, sizeof(err));
	c = upm_compute_new(&origins, &err);
	FUZZ_REQUIRE(c != NULL);
	st = upm_parse_asn_neighbours(buf, size, flags,
	    upm_compute_add_neighbour, c, &meta, &err);
	fuzz_check_status(st, &err);
	if (st == UPM_OK)
		finish(c, &meta, size);
	else
		render_failure(&err);
	upm_compute_free(c);
	upm_asn_list_free(&origins);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flag_sets[] = { 0, UPM_PARSE_DATA_ONLY };
	const char *buf = (const char *)data;
	size_t i;

	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		run_paths(upm_parse_bgp_state, buf, size, flag_sets[i]);
		run_paths(upm_parse_looking_glass, buf, size, flag_sets[i]);
		run_neighbours(buf, size, flag_sets[i]);
	}
	return 0;
}

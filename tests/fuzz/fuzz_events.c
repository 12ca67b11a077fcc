/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* fuzz_events.c - libFuzzer target for the event sources (RIPEstat bgplay
 * and bgp-updates, chosen by the input's first byte) feeding the routing
 * table, the input cut in two at a place the input chooses.  Contracts:
 * every event has a session and a valid prefix, a usable announcement a
 * path within the hop cap; a failure says why; the table's incremental
 * present set equals a full computation over the routes it holds; change
 * points come in time order. */
#include "fuzz.h"
#include "rib.h"

struct feed {
	upm_rib *rib;
	size_t events;
};

static int
check_event(void *ctx, const upm_event *ev)
{
	struct feed *f = ctx;

	fuzz_check_event(ev);
	f->events++;
	return upm_rib_sink_event(f->rib, ev);
}

/* The table's own counts against a recount of the routes it holds. */
static void
check_table(const upm_rib *rib)
{
	upm_asn_list inc, full;
	upm_result *res = NULL;
	upm_error err;
	upm_status st;

	upm_asn_list_init(&inc);
	upm_asn_list_init(&full);
	FUZZ_REQUIRE(upm_rib_present(rib, &inc, &err) == UPM_OK);
	st = upm_rib_result(rib, &res, &err);
	fuzz_check_status(st, &err);
	if (st == UPM_OK) {
		FUZZ_REQUIRE(upm_result_present(res, &full, &err) == UPM_OK);
		FUZZ_REQUIRE(upm_asn_list_equal(&inc, &full));
	} else {
		FUZZ_REQUIRE(st == UPM_ERR_NODATA && inc.n == 0);
	}
	for (size_t i = 1; i < upm_rib_changes(rib); i++)
		FUZZ_REQUIRE(upm_rib_change_at(rib, i - 1)->time <=
		    upm_rib_change_at(rib, i)->time);
	upm_result_free(res);
	upm_asn_list_free(&inc);
	upm_asn_list_free(&full);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const upm_source_desc *d = size > 0 && (data[0] & 1) ?
	    &upm_source_ripestat_bgp_updates : &upm_source_ripestat_bgplay;
	size_t cut = size > 1 ? data[1] % size : 0;
	struct feed f = { NULL, 0 };
	upm_sink sink = { check_event, NULL, &f };
	upm_asn_list origins;
	upm_meta meta;
	upm_error err;
	upm_status st;
	void *p;

	upm_asn_list_init(&origins);
	(void)upm_asn_list_add(&origins, 1205);    /* the recorded answers' */
	(void)upm_asn_list_add(&origins, 131279);
	f.rib = upm_rib_new(&origins, NULL, 0, &err);
	upm_asn_list_free(&origins);
	if (f.rib == NULL)
		return 0;
	if ((p = d->parser_new(&sink, &err)) == NULL) {
		upm_rib_free(f.rib);
		return 0;
	}
	memset(&meta, 0, sizeof(meta));
	st = d->parser_feed(p, (const char *)data, cut, &err);
	if (st == UPM_OK)
		st = d->parser_feed(p, (const char *)data + cut, size - cut,
		    &err);
	if (st == UPM_OK)
		st = d->parser_finish(p, &meta, &err);
	fuzz_check_status(st, &err);
	d->parser_free(p);
	if (st == UPM_OK && upm_rib_finish(f.rib, INT64_C(4102444800),
	    &err) == UPM_OK)
		check_table(f.rib);
	upm_rib_free(f.rib);
	return 0;
}

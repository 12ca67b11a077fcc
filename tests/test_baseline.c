/*
 * test_baseline.c - the baseline policy (expected set, state file learned,
 * read, accepted and seeded, memory), the comparison it leads to, and the
 * change texts.
 *
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "upstreams.h"
#include "tap.h"

static char dir[256];

/* A result for AS131279 with these upstreams present (share each), as
 * the computation would leave it before any comparison. */
static upm_result *
result_with(const uint32_t *asns, const double *shares, size_t n)
{
	upm_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	(void)snprintf(r->target, sizeof(r->target), "AS131279");
	r->upstreams = calloc(n + 1, sizeof(*r->upstreams));
	for (size_t i = 0; r->upstreams != NULL && i < n; i++) {
		r->upstreams[i].asn = asns[i];
		r->upstreams[i].share = shares[i];
		r->upstreams[i].sessions = 5;
		r->upstreams[i].present = 1;
	}
	r->n_upstreams = r->n_present = n;
	upm_asn_list_init(&r->appeared);
	upm_asn_list_init(&r->disappeared);
	return r;
}

/* 4837 60 %, 20485 40 %. */
static upm_result *
two_upstreams(void)
{
	static const uint32_t asns[] = { 4837, 20485 };
	static const double shares[] = { 60.0, 40.0 };

	return result_with(asns, shares, 2);
}

static void
list_of(upm_asn_list *l, const char *text)
{
	upm_asn_list_init(l);
	if (upm_asn_list_parse(l, text, NULL) != UPM_OK)
		printf("# cannot parse '%s'\n", text);
}

static const char *
text_of(upm_buf *b)
{
	return b->data != NULL ? b->data : "";
}

static void
test_none_and_expected(void)
{
	upm_baseline_opts o;
	upm_baseline_origin origin = UPM_BASELINE_REMEMBERED;
	upm_asn_list base, expect;
	upm_result *r = two_upstreams();
	upm_error err;

	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&base);
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "no baseline settings: applied");
	IS_INT(origin, UPM_BASELINE_NONE, "no baseline settings: none");
	IS_INT(r->baselined, 0, "no baseline: nothing compared");
	IS_INT(r->appeared.n, 0, "no baseline: nothing appeared");

	list_of(&expect, "4837,3356");
	o.expect = &expect;
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "expected set: applied");
	IS_INT(origin, UPM_BASELINE_EXPECTED, "expected set: its origin");
	IS_INT(base.n, 2, "expected set: the baseline");
	IS_INT(r->baselined, 1, "expected set: compared");
	OK(r->appeared.n == 1 && r->appeared.v[0] == 20485,
	    "expected set: AS20485 appeared");
	OK(r->disappeared.n == 1 && r->disappeared.v[0] == 3356,
	    "expected set: AS3356 disappeared");
	upm_asn_list_free(&expect);
	upm_asn_list_free(&base);
	upm_result_free(r);
}

static void
test_state_file(void)
{
	char path[512];
	upm_baseline_opts o;
	upm_baseline_origin origin;
	upm_asn_list base, stored, expect;
	upm_result *r = two_upstreams();
	upm_error err;
	char target[64];
	int missing = 0;

	(void)snprintf(path, sizeof(path), "%s/AS131279.state", dir);
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	o.state_file = path;
	upm_asn_list_init(&base);
	upm_asn_list_init(&stored);
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "state file missing: applied");
	IS_INT(origin, UPM_BASELINE_LEARNED, "state file missing: learned");
	IS_INT(base.n, 2, "learned: the present set");
	IS_INT(r->appeared.n + r->disappeared.n, 0, "learned: no change");
	IS_INT(upm_state_read(path, &stored, target, sizeof(target), &missing,
	    &err), UPM_OK, "learned: written");
	IS_INT(stored.n, 2, "learned: the file holds the present set");
	IS_STR(target, "AS131279", "learned: for the result's target");
	upm_result_free(r);

	/* Read on the next call: AS20485 gone now. */
	r = result_with((const uint32_t[]){ 4837 }, (const double[]){ 100.0 },
	    1);
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "state file present: applied");
	IS_INT(origin, UPM_BASELINE_STORED, "state file present: read");
	OK(r->disappeared.n == 1 && r->disappeared.v[0] == 20485,
	    "stored baseline: AS20485 disappeared");

	/* Accept: the present set replaces the file's. */
	o.accept = 1;
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "accept: applied");
	IS_INT(origin, UPM_BASELINE_ACCEPTED, "accept: its origin");
	IS_INT(r->disappeared.n, 0, "accepted: no change any more");
	IS_INT(upm_state_read(path, &stored, target, sizeof(target), &missing,
	    &err), UPM_OK, "accepted: written");
	OK(stored.n == 1 && stored.v[0] == 4837, "accepted: the file holds "
	    "AS4837 alone");
	o.accept = 0;
	upm_result_free(r);

	/* Another target's file is refused, not overwritten. */
	r = two_upstreams();
	(void)snprintf(r->target, sizeof(r->target), "AS1205");
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err),
	    UPM_ERR_STATE, "another target's state file: refused");
	OK(strstr(err.text, "holds the baseline of AS131279, not AS1205") !=
	    NULL, "another target's state file: says whose");
	upm_result_free(r);

	/* Expect and a missing state file: the file is seeded from Expect. */
	unlink(path);
	r = two_upstreams();
	list_of(&expect, "4837");
	o.expect = &expect;
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "seeded: applied");
	IS_INT(origin, UPM_BASELINE_SEEDED, "seeded: its origin");
	OK(r->appeared.n == 1 && r->appeared.v[0] == 20485,
	    "seeded: compared with Expect, AS20485 appeared");
	IS_INT(upm_state_read(path, &stored, target, sizeof(target), &missing,
	    &err), UPM_OK, "seeded: written");
	OK(stored.n == 1 && stored.v[0] == 4837, "seeded: the file holds "
	    "Expect");
	unlink(path);
	upm_asn_list_free(&expect);
	upm_asn_list_free(&stored);
	upm_asn_list_free(&base);
	upm_result_free(r);
}

static void
test_memory(void)
{
	upm_baseline_memory m;
	upm_baseline_opts o;
	upm_baseline_origin origin;
	upm_asn_list base;
	upm_result *r = two_upstreams();
	upm_error err;

	memset(&m, 0, sizeof(m));
	upm_asn_list_init(&m.set);
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	o.memory = &m;
	upm_asn_list_init(&base);
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, NULL), UPM_OK,
	    "memory: first call applied");
	IS_INT(origin, UPM_BASELINE_LEARNED_MEMORY, "memory: learned");
	OK(m.learned && m.set.n == 2, "memory: holds the present set");
	upm_result_free(r);
	r = result_with((const uint32_t[]){ 4837 }, (const double[]){ 100.0 },
	    1);
	IS_INT(upm_baseline_apply(&o, r, &base, &origin, &err), UPM_OK,
	    "memory: second call applied");
	IS_INT(origin, UPM_BASELINE_REMEMBERED, "memory: remembered");
	OK(r->disappeared.n == 1 && r->disappeared.v[0] == 20485,
	    "remembered baseline: AS20485 disappeared");
	IS_INT(m.set.n, 2, "memory: not relearned");
	upm_asn_list_free(&m.set);
	upm_asn_list_free(&base);
	upm_result_free(r);
}

static void
test_prefixes(void)
{
	upm_prefix_expect e;
	upm_baseline_opts o;
	upm_asn_list base;
	upm_result *r = two_upstreams();
	upm_prefix_result *p;
	upm_error err;

	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	upm_asn_list_init(&base);
	/* One tracked prefix carried by AS20485 alone. */
	r->prefix_results = p = calloc(1, sizeof(*p));
	if (!OK(p != NULL, "tracked prefix made"))
		return;
	r->n_prefix_results = 1;
	(void)snprintf(p->prefix, sizeof(p->prefix), "175.45.176.0/24");
	p->upstreams = calloc(1, sizeof(*p->upstreams));
	if (p->upstreams != NULL) {
		p->upstreams[0].asn = 20485;
		p->upstreams[0].share = 100.0;
		p->upstreams[0].sessions = 5;
		p->upstreams[0].present = 1;
		p->n_upstreams = 1;
	}
	memset(&e, 0, sizeof(e));
	(void)snprintf(e.prefix, sizeof(e.prefix), "175.45.176.0/24");
	list_of(&e.asns, "4837");
	o.prefixes = &e;
	o.n_prefixes = 1;
	IS_INT(upm_baseline_apply(&o, r, &base, NULL, &err), UPM_OK,
	    "per-prefix expectation: applied");
	IS_INT(upm_result_prefix_changes(r), 1, "the prefix changed");
	OK(p->appeared.n == 1 && p->appeared.v[0] == 20485,
	    "on the prefix: AS20485 appeared");
	OK(p->disappeared.n == 1 && p->disappeared.v[0] == 4837,
	    "on the prefix: AS4837 disappeared");
	(void)snprintf(e.prefix, sizeof(e.prefix), "10.0.0.0/8");
	IS_INT(upm_baseline_apply(&o, r, &base, NULL, &err), UPM_ERR_ARG,
	    "a prefix not tracked: refused");
	upm_asn_list_free(&e.asns);
	upm_asn_list_free(&base);
	upm_result_free(r);
}

static void
test_texts(void)
{
	upm_asn_list a, d, empty;
	upm_result *r = result_with((const uint32_t[]){ 4837, 20485 },
	    (const double[]){ 61.0, 39.0 }, 2);
	upm_buf b;
	int first = 1;

	list_of(&a, "20485");
	list_of(&d, "3356");
	upm_asn_list_init(&empty);
	upm_buf_init(&b);
	IS_INT(upm_text_changes(&b, &a, &d, r), UPM_OK, "changes: formatted");
	IS_STR(text_of(&b), "AS20485 appeared (39.0%), AS3356 disappeared",
	    "changes with shares (none for an AS without one)");
	upm_buf_free(&b);
	(void)upm_text_changes(&b, &a, &d, NULL);
	IS_STR(text_of(&b), "AS20485 appeared, AS3356 disappeared",
	    "changes without shares");
	upm_buf_free(&b);
	(void)upm_text_changes(&b, &empty, &d, NULL);
	IS_STR(text_of(&b), "AS3356 disappeared", "only a disappearance: no "
	    "leading separator");
	upm_buf_free(&b);
	(void)upm_text_changes(&b, &empty, &empty, NULL);
	OK(b.len == 0, "no change: no text");
	upm_buf_free(&b);

	upm_asn_list_free(&a);
	list_of(&a, "20485,4837,1");
	(void)upm_text_baseline(&b, &a);
	IS_STR(text_of(&b), "AS1, AS4837, AS20485", "a baseline, ascending");
	upm_buf_free(&b);
	(void)upm_text_baseline(&b, &empty);
	IS_STR(text_of(&b), "no upstream", "an empty baseline");
	upm_buf_free(&b);

	(void)upm_buf_printf(&b, "x: ");
	(void)upm_text_asns(&b, &d, "gone", NULL, &first);
	(void)upm_text_asns(&b, &d, NULL, NULL, &first);
	IS_STR(text_of(&b), "x: AS3356 gone, AS3356", "lists chained by first");
	IS_INT(first, 0, "first cleared");
	upm_buf_free(&b);

	(void)upm_text_baseline_note(&b, UPM_BASELINE_LEARNED, &a);
	IS_STR(text_of(&b), "learned baseline: AS1, AS4837, AS20485; ",
	    "note: learned");
	upm_buf_free(&b);
	(void)upm_text_baseline_note(&b, UPM_BASELINE_ACCEPTED, &empty);
	IS_STR(text_of(&b), "accepted new baseline: no upstream; ",
	    "note: accepted, empty");
	upm_buf_free(&b);
	(void)upm_text_baseline_note(&b, UPM_BASELINE_STORED, &a);
	(void)upm_text_baseline_note(&b, UPM_BASELINE_LEARNED_MEMORY, &a);
	(void)upm_text_baseline_note(&b, UPM_BASELINE_SEEDED, &a);
	OK(b.len == 0, "no note for a baseline read, remembered or seeded");
	upm_buf_free(&b);
	upm_asn_list_free(&a);
	upm_asn_list_free(&d);
	upm_result_free(r);
}

int
main(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/test_baseline.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("not ok 1 - temporary directory\n");
		return 1;
	}
	test_none_and_expected();
	test_state_file();
	test_memory();
	test_prefixes();
	test_texts();
	rmdir(dir);
	return tap_done();
}

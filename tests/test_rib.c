/*
 * Copyright (c) 2026 the upstreams authors.
 * SPDX-License-Identifier: MIT
 */
/* test_rib.c - the routing table fed by events and its incremental counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"
#include "tap.h"

#define TARGET 131279u
#define CU 4837u
#define TTK 20485u

static upm_rib *
new_rib_with(int64_t hold, int all, upm_weighting w)
{
	upm_asn_list l;
	upm_params p;
	upm_rib *r;
	upm_error err;

	upm_asn_list_init(&l);
	upm_asn_list_add(&l, TARGET);
	upm_params_init(&p);
	p.neighbours_all = all;
	p.weighting = w;
	r = upm_rib_new(&l, &p, hold, &err);
	upm_asn_list_free(&l);
	return r;
}

/* Every neighbour an upstream (no roles): the table's counts alone. */
static upm_rib *
new_rib(int64_t hold)
{
	return new_rib_with(hold, 1, UPM_WEIGHT_PATH);
}

static int
ev(upm_rib *r, upm_event_kind kind, int64_t t, const char *session,
    const char *prefix, const uint32_t *path, size_t len)
{
	upm_event e;
	upm_error err;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.time = t;
	e.session = session;
	e.prefix = prefix;
	e.path = path;
	e.path_len = len;
	return upm_rib_event(r, &e, &err) == UPM_OK ? 0 : -1;
}

/* Announces prefix through up from sessions rrc00/10.0.0.first ..
 * first+n-1 at t, session i's vantage AS 3000 + i. */
static void
announce_from(upm_rib *r, int64_t t, int first, int n, const char *prefix,
    uint32_t up)
{
	uint32_t path[3] = { 0, up, TARGET };
	char s[32];

	for (int i = first; i < first + n; i++) {
		path[0] = 3000u + (uint32_t)i;
		(void)snprintf(s, sizeof(s), "rrc00/10.0.0.%d", i);
		ev(r, UPM_EV_ANNOUNCE, t, s, prefix, path, 3);
	}
}

static void
withdraw_from(upm_rib *r, int64_t t, int first, int n, const char *prefix)
{
	char s[32];

	for (int i = first; i < first + n; i++) {
		(void)snprintf(s, sizeof(s), "rrc00/10.0.0.%d", i);
		ev(r, UPM_EV_WITHDRAW, t, s, prefix, NULL, 0);
	}
}

static const upm_upstream *
find_up(const upm_result *res, uint32_t asn)
{
	for (size_t i = 0; res && i < res->n_upstreams; i++)
		if (res->upstreams[i].asn == asn)
			return &res->upstreams[i];
	return NULL;
}

static void
test_changes_stamped(void)
{
	upm_rib *r = new_rib(0);
	const upm_rib_change *c;
	upm_error err;

	announce_from(r, 1000, 1, 4, "175.45.176.0/24", CU);
	announce_from(r, 1000, 1, 4, "175.45.177.0/24", CU);
	upm_rib_rebase(r);
	OK(upm_rib_start(r) != NULL && upm_rib_start(r)->n_present == 1,
	    "the start has one upstream present");
	IS_INT(upm_rib_start_time(r), 1000, "the start is the dump's second");
	IS_INT(upm_rib_routes(r), 8, "8 routes held");
	/* TransTeleCom carries one prefix for three sessions from 1007. */
	announce_from(r, 1007, 1, 3, "175.45.177.0/24", TTK);
	announce_from(r, 1010, 5, 1, "175.45.178.0/24", CU);
	withdraw_from(r, 1020, 1, 3, "175.45.177.0/24");
	OK(upm_rib_finish(r, 1100, &err) == UPM_OK, "finish");
	IS_INT(upm_rib_changes(r), 2, "two change points");
	c = upm_rib_change_at(r, 0);
	OK(c && c->time == 1007 && c->appeared.n == 1 &&
	    c->appeared.v[0] == TTK && c->disappeared.n == 0 && !c->flap,
	    "TTK appeared at the second of its announcements");
	OK(c && c->snapshot && find_up(c->snapshot, TTK) &&
	    find_up(c->snapshot, TTK)->observations == 3 &&
	    find_up(c->snapshot, TTK)->sessions == 3 &&
	    find_up(c->snapshot, TTK)->prefixes == 1,
	    "the snapshot counts 3 paths, 3 sessions, 1 prefix for TTK");
	OK(c && c->snapshot && c->snapshot->with_upstream == 8,
	    "an announcement replaces: still 8 paths (%llu)",
	    c && c->snapshot ? (unsigned long long)c->snapshot->with_upstream : 0);
	c = upm_rib_change_at(r, 1);
	OK(c && c->time == 1020 && c->disappeared.n == 1 &&
	    c->disappeared.v[0] == TTK, "TTK gone at the withdrawals' second");
	IS_INT(upm_rib_routes(r), 6, "withdrawals removed 3 routes, 1 added");
	upm_rib_free(r);
}

static void
test_same_second(void)
{
	upm_rib *r = new_rib(0);
	upm_error err;

	announce_from(r, 50, 1, 3, "10.0.0.0/8", CU);
	upm_rib_rebase(r);
	withdraw_from(r, 60, 1, 3, "10.0.0.0/8");
	announce_from(r, 60, 1, 3, "10.0.0.0/8", CU);
	announce_from(r, 61, 1, 2, "10.1.0.0/16", CU);
	upm_rib_finish(r, 70, &err);
	IS_INT(upm_rib_changes(r), 0,
	    "a withdrawal and its re-announcement in one second: no change");
	upm_rib_free(r);
}

static void
test_session_down(void)
{
	upm_rib *r = new_rib(0);
	upm_event e;
	upm_error err;
	const upm_rib_change *c;

	announce_from(r, 10, 1, 3, "10.0.0.0/8", CU);
	announce_from(r, 10, 4, 2, "10.0.0.0/8", TTK);
	announce_from(r, 10, 4, 2, "11.0.0.0/8", TTK);
	upm_rib_rebase(r);
	OK(upm_rib_start(r)->n_present == 2, "two upstreams at the start");
	memset(&e, 0, sizeof(e));
	e.kind = UPM_EV_SESSION_DOWN;
	e.time = 20;
	e.session = "rrc00/10.0.0.4";
	upm_rib_event(r, &e, &err);
	IS_INT(upm_rib_routes(r), 5, "the session's two routes dropped");
	upm_rib_finish(r, 30, &err);
	c = upm_rib_change_at(r, 0);
	OK(upm_rib_changes(r) == 1 && c->time == 20 && c->disappeared.n == 1 &&
	    c->disappeared.v[0] == TTK,
	    "TTK below min-peers when a session goes down, at its second");
	upm_rib_free(r);
}

static void
test_other_origin_replaces(void)
{
	upm_rib *r = new_rib(0);
	uint32_t hijack[3] = { 6939, 174, 666 };
	upm_result *res = NULL;
	upm_error err;

	announce_from(r, 10, 1, 3, "10.0.0.0/8", CU);
	IS_INT(upm_rib_routes(r), 3, "3 routes");
	ev(r, UPM_EV_ANNOUNCE, 11, "rrc00/10.0.0.1", "10.0.0.0/8", hijack, 3);
	IS_INT(upm_rib_routes(r), 2,
	    "another origin's path replaces the session's route");
	ev(r, UPM_EV_ANNOUNCE, 11, "rrc00/10.0.0.9", "12.0.0.0/8", hijack, 3);
	IS_INT(upm_rib_routes(r), 2, "another origin's route is not kept");
	ev(r, UPM_EV_WITHDRAW, 12, "rrc00/10.0.0.77", "10.0.0.0/8", NULL, 0);
	IS_INT(upm_rib_routes(r), 2, "a withdrawal of nothing changes nothing");
	OK(upm_rib_snapshot(r, &res, &err) == UPM_OK && res->n_upstreams == 1 &&
	    res->upstreams[0].sessions == 2 && res->upstreams[0].share == 100.0,
	    "the snapshot follows: 2 sessions, 100 %%");
	upm_result_free(res);
	upm_rib_free(r);
}

static void
test_hold(void)
{
	upm_rib *r = new_rib(60);
	const upm_rib_change *c;
	upm_error err;

	announce_from(r, 0, 1, 4, "10.0.0.0/8", CU);
	upm_rib_rebase(r);
	/* A leak fixed within 30 s: a flap. */
	announce_from(r, 100, 1, 3, "10.0.0.0/8", TTK);
	announce_from(r, 130, 1, 3, "10.0.0.0/8", CU);
	/* A change that lasts: counted from its second. */
	announce_from(r, 500, 1, 2, "10.0.0.0/8", TTK);
	announce_from(r, 700, 5, 1, "10.9.0.0/16", CU);
	upm_rib_finish(r, 800, &err);
	IS_INT(upm_rib_changes(r), 3, "two flaps (TTK came, CU went), one change");
	c = upm_rib_change_at(r, 0);
	OK(c && c->flap && c->time == 100 && c->until == 130 &&
	    c->appeared.n == 1 && c->appeared.v[0] == TTK,
	    "the flap: TTK from 100 to 130");
	c = upm_rib_change_at(r, 1);
	OK(c && c->flap && c->time == 100 && c->until == 130 &&
	    c->disappeared.n == 1 && c->disappeared.v[0] == CU,
	    "the flap: CU gone from 100 to 130, per upstream");
	c = upm_rib_change_at(r, 2);
	OK(c && !c->flap && c->time == 500 && c->appeared.n == 1 &&
	    c->appeared.v[0] == TTK && c->snapshot != NULL,
	    "the lasting change stamped 500");
	upm_rib_free(r);

	/* Not yet lasted at the end: no change, told as pending. */
	r = new_rib(60);
	announce_from(r, 0, 1, 4, "10.0.0.0/8", CU);
	upm_rib_rebase(r);
	announce_from(r, 100, 1, 3, "10.0.0.0/8", TTK);
	upm_rib_finish(r, 130, &err);
	IS_INT(upm_rib_changes(r), 0, "a change younger than the hold: none");
	{
		uint32_t asn = 0;
		int appear = 0;
		int64_t since = 0;

		OK(upm_rib_pending_n(r) >= 1 && upm_rib_pending_at(r, 0, &asn,
		    &appear, &since) == 0 && since == 100 &&
		    (asn == TTK || asn == CU),
		    "but pending at the end, since 100 (not dropped)");
	}
	upm_rib_free(r);
	r = new_rib(60);
	announce_from(r, 0, 1, 4, "10.0.0.0/8", CU);
	upm_rib_rebase(r);
	announce_from(r, 100, 1, 3, "10.0.0.0/8", TTK);
	upm_rib_finish(r, 160, &err);
	IS_INT(upm_rib_changes(r), 1, "one that lasted to the end: counted");
	upm_rib_free(r);
}

/* The hold per upstream: another AS's flap restarts no clock, and each
 * change is stamped with the second its AS appeared. */
static void
test_hold_per_upstream(void)
{
	upm_rib *r = new_rib(60);
	const upm_rib_change *c;
	upm_error err;

	announce_from(r, 0, 1, 4, "10.0.0.0/8", CU);
	upm_rib_rebase(r);
	announce_from(r, 100, 5, 2, "10.0.0.0/8", TTK);
	announce_from(r, 120, 7, 2, "10.0.0.0/8", 174);
	withdraw_from(r, 130, 7, 2, "10.0.0.0/8");
	upm_rib_finish(r, 170, &err);
	IS_INT(upm_rib_changes(r), 2, "TTK's change and AS174's flap");
	c = upm_rib_change_at(r, 0);
	OK(c && !c->flap && c->time == 100 && c->appeared.n == 1 &&
	    c->appeared.v[0] == TTK && c->disappeared.n == 0 &&
	    c->snapshot != NULL && c->snapshot->n_present == 2,
	    "TTK counted at 100 though AS174 moved at 120 and 130");
	c = upm_rib_change_at(r, 1);
	OK(c && c->flap && c->time == 120 && c->until == 130 &&
	    c->appeared.n == 1 && c->appeared.v[0] == 174,
	    "AS174's flap from 120 to 130, in time order");
	IS_INT(upm_rib_pending_n(r), 0, "nothing pending");
	upm_rib_free(r);

	/* Two ASes at different seconds: each at its own. */
	r = new_rib(30);
	announce_from(r, 0, 1, 4, "10.0.0.0/8", CU);
	upm_rib_rebase(r);
	announce_from(r, 100, 5, 2, "10.0.0.0/8", TTK);
	announce_from(r, 110, 7, 2, "10.0.0.0/8", 174);
	upm_rib_finish(r, 200, &err);
	IS_INT(upm_rib_changes(r), 2, "two changes");
	OK(upm_rib_changes(r) == 2 && upm_rib_change_at(r, 0)->time == 100 &&
	    upm_rib_change_at(r, 1)->time == 110 &&
	    upm_rib_change_at(r, 0)->snapshot->n_present == 2 &&
	    upm_rib_change_at(r, 1)->snapshot->n_present == 3,
	    "TTK at 100, AS174 at 110 (not both at the second the set last moved)");
	upm_rib_free(r);
}

/* Random events: the incremental counts equal a full recount: every
 * neighbour (all), or by roles (vantage ASes, clique evidence, laterals
 * apart), by paths or by vantage AS. */
static void
test_incremental_equals_recount(int all, upm_weighting w)
{
	upm_rib *r = new_rib_with(0, all, w);
	upm_result *inc = NULL, *full = NULL;
	upm_error err;
	unsigned seed = 12345;
	int mismatch = 0, checks = 0;
	/* 174 and 3356 are clique ASes: a path 174 CU TARGET is provider
	 * evidence for CU; 64512.. are the vantage ASes' own. */
	uint32_t ups[4] = { CU, TTK, 174, 3356 };
	size_t laterals = 0, lateral_checks = 0;
	int checks_told = 0;

	for (int i = 0; i < 20000; i++) {
		char s[32], p[32];
		uint32_t path[4];
		size_t len;
		int kind;

		seed = seed * 1103515245u + 12345u;
		(void)snprintf(s, sizeof(s), "rrc0%u/10.0.0.%u", seed >> 28 & 3,
		    seed >> 20 & 15);
		(void)snprintf(p, sizeof(p), "10.%u.0.0/16", seed >> 12 & 31);
		kind = (int)(seed >> 8 & 7);
		/* One vantage AS per session; some paths through a clique
		 * AS before the neighbour (4 hops), some direct. */
		path[0] = 1000 + (seed >> 28 & 3) * 16 + (seed >> 20 & 15);
		path[1] = ups[seed >> 4 & 3];
		path[2] = TARGET;
		path[3] = TARGET;
		len = 2 + (seed >> 2 & 1) + (kind == 0);
		if (!all && (seed >> 16 & 3) == 0) {
			/* Through a clique AS: evidence for CU or TTK. */
			path[1] = ups[2 + (seed >> 14 & 1)];
			path[2] = ups[seed >> 4 & 1];
			len = 4;
		} else if (!all && (seed >> 20 & 15) < 3 && (seed >> 28 & 3) == 0 &&
		    (seed >> 16 & 3) == 1)
			/* Seen by 4 vantage ASes at most, no clique to its
			 * left: lateral once others have evidence. */
			path[1] = 12345;
		if (kind < 5)
			ev(r, UPM_EV_ANNOUNCE, i / 10, s, p, path, len);
		else if (kind < 7)
			ev(r, UPM_EV_WITHDRAW, i / 10, s, p, NULL, 0);
		else if ((seed & 0xff) < 8)
			ev(r, UPM_EV_SESSION_DOWN, i / 10, s, NULL, NULL, 0);
		if (i % 997 == 0 && upm_rib_routes(r) > 0) {
			checks++;
			if (upm_rib_snapshot(r, &inc, &err) != UPM_OK ||
			    upm_rib_result(r, &full, &err) != UPM_OK) {
				mismatch++;
				break;
			}
			mismatch += inc->with_upstream != full->with_upstream ||
			    inc->direct != full->direct ||
			    inc->n_present != full->n_present ||
			    inc->n_upstreams != full->n_upstreams ||
			    inc->n_laterals != full->n_laterals;
			for (size_t k = 0; k < full->n_upstreams; k++) {
				const upm_upstream *f = &full->upstreams[k];
				const upm_upstream *u = find_up(inc, f->asn);
				mismatch += u == NULL || u->observations !=
				    f->observations || u->sessions !=
				    f->sessions || u->prefixes != f->prefixes ||
				    u->vantage_ases != f->vantage_ases ||
				    u->evidence != f->evidence ||
				    u->share - f->share > 1e-9 ||
				    f->share - u->share > 1e-9 ||
				    u->present != f->present;
			}
			if (mismatch > 0 && checks_told++ == 0) {
				printf("# at %d: with_upstream %llu/%llu, present %zu/%zu, "
				    "upstreams %zu/%zu, laterals %zu/%zu\n", i,
				    (unsigned long long)inc->with_upstream,
				    (unsigned long long)full->with_upstream,
				    inc->n_present, full->n_present,
				    inc->n_upstreams, full->n_upstreams,
				    inc->n_laterals, full->n_laterals);
				for (size_t k = 0; k < full->n_upstreams; k++) {
					const upm_upstream *f = &full->upstreams[k];
					const upm_upstream *u = find_up(inc, f->asn);
					printf("#   AS%u full: obs %llu vant %zu ev %d share %.3f pres %d | table: %s obs %llu vant %zu ev %d share %.3f pres %d\n",
					    f->asn, (unsigned long long)f->observations, f->vantage_ases, (int)f->evidence, f->share, f->present,
					    u ? "" : "missing", u ? (unsigned long long)u->observations : 0ULL, u ? u->vantage_ases : 0, u ? (int)u->evidence : -1, u ? u->share : 0.0, u ? u->present : -1);
				}
			}
			lateral_checks++;
			laterals += full->n_laterals;
			upm_result_free(inc);
			upm_result_free(full);
			inc = full = NULL;
		}
	}
	OK(mismatch == 0 && checks >= 15,
	    "%s, %s: incremental counts equal a recount at %d points",
	    all ? "every neighbour" : "by roles", w == UPM_WEIGHT_PATH ?
	    "per path" : "per vantage AS", checks);
	if (!all)
		OK(laterals > 0, "laterals kept apart at some points (%zu in %zu)",
		    laterals, lateral_checks);
	OK(upm_rib_events(r) > 0 && upm_rib_changes(r) > 0,
	    "the random walk changed the present set (%zu changes)",
	    upm_rib_changes(r));
	upm_rib_free(r);
}

int
main(void)
{
	upm_error err;

	upm_asn_list l;

	upm_asn_list_init(&l);
	upm_asn_list_add(&l, TARGET);
	OK(upm_rib_new(&l, NULL, -1, &err) == NULL, "a negative hold is refused");
	IS_STR(err.text, "negative hold time", "and named");
	upm_asn_list_free(&l);
	OK(upm_rib_new(NULL, NULL, 0, &err) == NULL &&
	    err.code == UPM_ERR_ARG, "an empty origin set is refused");
	test_changes_stamped();
	test_same_second();
	test_session_down();
	test_other_origin_replaces();
	test_hold();
	test_hold_per_upstream();
	test_incremental_equals_recount(1, UPM_WEIGHT_PATH);
	test_incremental_equals_recount(0, UPM_WEIGHT_PATH);
	test_incremental_equals_recount(0, UPM_WEIGHT_VANTAGE_AS);
	return tap_done();
}
